using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// What a hostile-input sweep of the administrator's API found accepted (or answered with the wrong problem): each
/// value is now a 400 naming the request's field, with a problem code of its own, and nothing is written.
/// </summary>
public sealed class AdminInputRefusalTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("issue enrolment codes for terminal ids with NUL, '../', U+202E, '<script>', lower case, a doubled '-', 33 characters; names of 20,000 characters or with NUL/ESC/U+202E; no institutionId",
        "400 invalid_request naming terminalId, name or institutionId; no terminal row made; a well-formed request still gets its code")]
    public async Task Enrolment_codes_refuse_ids_and_names_no_url_or_page_can_carry()
    {
        await using var province = await ProvinceHost.StartAsync();
        var terminalsBefore = await province.RowsAsync("SELECT id, institution_id, name FROM terminals ORDER BY id");
        (object Body, string Field)[] refused =
        [
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-\0-01" }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "../../admin" }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-\u202E10-DN" }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "<script>alert(1)</script>" }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "kp-thcs-nd-01" }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP--01" }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-" + new string('9', 30) }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU" }, "terminalId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-05", name = new string('x', 20_000) }, "name"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-05", name = "Quầy\0 số 5" }, "name"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-05", name = "Quầy \u001b[2J số 5" }, "name"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-05", name = "Quầy \u202E5 ốs" }, "name"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-05", name = "   " }, "name"),
            (new { terminalId = "KP-THCS-ND-05" }, "institutionId"),
            (new { institutionId = "", terminalId = "KP-THCS-ND-05" }, "institutionId"),
            (new { institutionId = "../TG", terminalId = "KP-THCS-ND-05" }, "institutionId"),
            (new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-05", validMinutes = 0 }, "validMinutes"),
        ];
        foreach (var (body, field) in refused)
        {
            using var answer = await province.Admin.PostAsJsonAsync("/api/v1/admin/enrolment-codes", body);
            await AssertNamesAsync(answer, "invalid_request", field, JsonSerializer.Serialize(body)[..Math.Min(120, JsonSerializer.Serialize(body).Length)]);
        }

        Assert.Equal(terminalsBefore, await province.RowsAsync("SELECT id, institution_id, name FROM terminals ORDER BY id"));

        using (var unknown = await province.Admin.PostAsJsonAsync("/api/v1/admin/enrolment-codes", new { institutionId = "TG-NOWHERE", terminalId = "KP-THCS-ND-05" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("institution_not_found", (await unknown.ProblemAsync()).Code);
        }

        using var issued = await province.Admin.PostAsJsonAsync("/api/v1/admin/enrolment-codes",
            new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-05", name = "  Quầy thu học phí số 5 " });
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal("Quầy thu học phí số 5", await province.ScalarAsync("SELECT name FROM terminals WHERE id = 'KP-THCS-ND-05'"));
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("push hardware profiles with lightPin 1.5, buzzerPin -7 or 28, helpButtonPin \"abc\", a pin used twice, description {\"a\":1}, printerTextMode \"utf8\", paperWidthMm 80.5",
        "400 invalid_profile naming the field, the terminal's profile unchanged; the repository's own profile is still taken")]
    public async Task A_hardware_profile_the_terminal_could_not_read_or_run_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        const string Terminal = "/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile";
        var shipped = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "hardware", "profiles", "pi4-rc522-usb80.json"));
        using (var taken = await province.Admin.PutAsync(Terminal, new StringContent(shipped, System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NoContent, taken.StatusCode);
        }

        (string Field, string Value)[] refused =
        [
            ("lightPin", "1.5"),
            ("lightPin", "17.0"),
            ("buzzerPin", "-7"),
            ("buzzerPin", "28"),
            ("helpButtonPin", "\"abc\""),
            ("helpButtonPin", "\"22\""),
            ("helpButtonPin", "17"),
            ("description", "{\"a\":1}"),
            ("printerTextMode", "\"utf8\""),
            ("paperWidthMm", "80.5"),
        ];
        foreach (var (field, value) in refused)
        {
            var profile = System.Text.Json.Nodes.JsonNode.Parse(shipped)!.AsObject();
            profile[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
            using var answer = await province.Admin.PutAsync(Terminal, new StringContent(profile.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            await AssertNamesAsync(answer, "invalid_profile", field, $"{field}: {value}");
        }

        Assert.Equal(JsonNode(shipped), JsonNode((string)(await province.ScalarAsync("SELECT hardware_profile FROM terminals WHERE id = 'KP-THCS-ND-01'"))!));

        // A pin left out, or null, is no pin: taken.
        var noHelp = System.Text.Json.Nodes.JsonNode.Parse(shipped)!.AsObject();
        noHelp["helpButtonPin"] = null;
        noHelp.Remove("buzzerPin");
        using var withoutPins = await province.Admin.PutAsync(Terminal, new StringContent(noHelp.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, withoutPins.StatusCode);

        static string JsonNode(string text) => System.Text.Json.Nodes.JsonNode.Parse(text)!.ToJsonString();
    }

    // A 400 problem+json with the code, its detail starting with the name of the request's field.
    internal static async Task AssertNamesAsync(HttpResponseMessage answer, string code, string field, string what)
    {
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)answer.StatusCode} {text}");
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.True(problem.GetProperty("code").GetString() == code, $"{what}: {text}");
        Assert.True(problem.GetProperty("detail").GetString()!.StartsWith(field, StringComparison.Ordinal), $"{what}: {text}");
    }
}
