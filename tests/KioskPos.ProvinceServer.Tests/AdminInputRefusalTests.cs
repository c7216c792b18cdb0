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

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("create a person whose fullName is 100,000 characters, or holds NUL, ESC or U+202E (a name that shows reversed)",
        "400 invalid_user naming fullName, no one created; a Vietnamese name of 100 characters is taken")]
    public async Task A_full_name_too_long_or_with_hidden_characters_is_refused_naming_fullName()
    {
        await using var province = await ProvinceHost.StartAsync();
        const string Path = "/api/v1/admin/users/sweep.user";
        foreach (var fullName in (string[])[new string('A', 100_000), "Nguyễn Văn\0 An", "Nguyễn \u001b[31mVăn An", "Nguyễn Văn \u202Enimda", new string('x', 101)])
        {
            using var answer = await province.Admin.PutAsJsonAsync(Path, new { fullName, role = "province_admin", password = "Mat-khau-dai-2026" });
            await AssertNamesAsync(answer, "invalid_user", "fullName", fullName[..Math.Min(20, fullName.Length)]);
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM users WHERE username = 'sweep.user'"), System.Globalization.CultureInfo.InvariantCulture));
        var longest = ("Nguyễn Thị Minh Khai " + new string('A', 100))[..100];
        using var saved = await province.Admin.PutAsJsonAsync(Path, new { fullName = longest, role = "province_admin", password = "Mat-khau-dai-2026" });
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        Assert.Equal(longest, await province.ScalarAsync("SELECT full_name FROM users WHERE username = 'sweep.user'"));
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("retry an e-document without ?id, with an empty one or one of 201 characters", "400 invalid_request naming id; an id that is no refused document stays a 404")]
    public async Task An_e_document_retry_without_an_id_is_refused_naming_id()
    {
        await using var province = await ProvinceHost.StartAsync();
        foreach (var query in (string[])[string.Empty, "?id=", "?id=" + new string('7', 201)])
        {
            using var answer = await province.Admin.PostAsync("/api/v1/admin/e-documents/retry" + query, null);
            await AssertNamesAsync(answer, "invalid_request", "id", "retry" + query[..Math.Min(10, query.Length)]);
        }

        using var unknown = await province.Admin.PostAsync("/api/v1/admin/e-documents/retry?id=ED-NOWHERE", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("edocument_not_refused", (await unknown.ProblemAsync()).Code);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("set a card holder's PIN with a body that is not JSON, cut short, null or empty", "400 malformed_json as the other endpoints answer; a PIN that is no 4-8 digits stays invalid_pin naming pin")]
    public async Task A_malformed_pin_body_is_malformed_json_not_an_invalid_pin()
    {
        await using var province = await ProvinceHost.StartAsync();
        const string Path = "/api/v1/admin/accounts/HS240001/pin";
        foreach (var body in (string[])["not json", "{\"pin\":", "null", string.Empty, "{\"pin\": 1234}"])
        {
            using var answer = await province.Admin.PutAsync(Path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)answer.StatusCode} {text}");
            Assert.True((await answer.ProblemAsync()).Code == "malformed_json", $"{body}: {text}");
        }

        foreach (var pin in (string[])["12", "12a4", "123456789"])
        {
            using var answer = await province.Admin.PutAsJsonAsync(Path, new { pin });
            await AssertNamesAsync(answer, "invalid_pin", "pin", pin);
        }

        using var set = await province.Admin.PutAsJsonAsync(Path, new { pin = "2468" });
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("set a receiving account with a 5-digit or 100 KB bankBin, an accountNumber with '-' or of 100 KB, a 100 KB accountName or one of accents only, a 100 KB bankName",
        "400 invalid_account naming the request's field (not VietQR's field 38/01/00 or 59), quoting at most the start of the value; the account unchanged")]
    public async Task A_receiving_account_refusal_names_the_request_field_and_never_echoes_the_value_whole()
    {
        await using var province = await ProvinceHost.StartAsync();
        const string Path = "/api/v1/admin/institutions/TG-THCS-NGUYENDU/bank-account";
        const string Account = "SELECT bank_bin, bank_account, bank_account_name, bank_name FROM institutions WHERE id = 'TG-THCS-NGUYENDU'";
        var before = await province.RowsAsync(Account);
        var huge = new string('9', 100_000);
        (object Body, string Field)[] refused =
        [
            (new { bankBin = "97043", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU" }, "bankBin"),
            (new { bankBin = huge, accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU" }, "bankBin"),
            (new { bankBin = "970436", accountNumber = "1023-456789", accountName = "TRUONG THCS NGUYEN DU" }, "accountNumber"),
            (new { bankBin = "970436", accountNumber = huge, accountName = "TRUONG THCS NGUYEN DU" }, "accountNumber"),
            (new { bankBin = "970436", accountNumber = "1023456789", accountName = "Trường " + huge }, "accountName"),
            (new { bankBin = "970436", accountNumber = "1023456789", accountName = "\u0301\u0301" }, "accountName"),
            (new { bankBin = "970436", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "Vietcombank " + huge }, "bankName"),
            (new { bankBin = "970436", accountNumber = "1023456789", accountName = "TRUONG THCS NGUYEN DU", bankName = "Vietcombank\u202E" }, "bankName"),
        ];
        foreach (var (body, field) in refused)
        {
            using var answer = await province.Admin.PutAsJsonAsync(Path, body);
            var text = await answer.Content.ReadAsStringAsync();
            await AssertNamesAsync(answer, "invalid_account", field, text[..Math.Min(200, text.Length)]);
            var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
            Assert.DoesNotContain("field ", detail, StringComparison.Ordinal);
            Assert.True(detail.Length < 200, $"{field}: a detail of {detail.Length} characters");
        }

        Assert.Equal(before, await province.RowsAsync(Account));
        using var saved = await province.Admin.PutAsJsonAsync(Path, new { bankBin = "970436", accountNumber = "1023456789", accountName = "Trường THCS Nguyễn Du", bankName = "Vietcombank" });
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        Assert.Equal("970436|1023456789|TRUONG THCS NGUYEN DU|Vietcombank|\n", await province.RowsAsync(Account));
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("close an account with a reason of 201 or 100,000 characters as the administrator, of 201 as a terminal's counter",
        "400 invalid_request naming reason, as the terminal's own counter close refuses it; the account stays open; 200 characters close it")]
    public async Task An_account_close_reason_is_bounded_like_the_counter_close()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var terminal = await province.SignedClientAsync();
        foreach (var reason in (string[])[new string('r', 201), new string('r', 100_000)])
        {
            using var admin = await province.Admin.PostAsJsonAsync("/api/v1/admin/accounts/HS240001/close", new { bankReference = "FT26120600001", reason });
            await AssertNamesAsync(admin, "invalid_request", "reason", $"admin close, reason of {reason.Length}");
        }

        // The terminal's counter refuses more than 200 itself; the province's end of it holds the same bound (its
        // body is bounded at 16 KB before that, a 413).
        var closure = new KioskPos.Shared.Contracts.AccountClosureRequestDto("HS240001", await province.BalanceAsync("HS240001"), "FT26120600001", new string('r', 201), "GS01", "Giám sát Lê Văn Tám");
        using (var counter = await terminal.PostAsync(KioskPos.Shared.Contracts.SyncProtocol.AccountClosuresPath,
            JsonContent.Create(closure, KioskPos.Shared.Contracts.ContractsJsonContext.Default.AccountClosureRequestDto)))
        {
            await AssertNamesAsync(counter, "invalid_request", "reason", "counter close, reason of 201");
        }

        // Nor a reason of two lines (review #12): it prints on the slip the payer signs, where it would forge a line.
        using (var twoLines = await terminal.PostAsync(KioskPos.Shared.Contracts.SyncProtocol.AccountClosuresPath,
            JsonContent.Create(closure with { Reason = "Chuyển trường\nĐã nhận đủ tiền" }, KioskPos.Shared.Contracts.ContractsJsonContext.Default.AccountClosureRequestDto)))
        {
            await AssertNamesAsync(twoLines, "invalid_request", "reason", "counter close, reason of two lines");
        }

        Assert.Null(await province.ScalarAsync("SELECT closed_at FROM accounts WHERE code = 'HS240001'"));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM account_closures"), System.Globalization.CultureInfo.InvariantCulture));

        var longest = ("Học sinh chuyển trường " + new string('r', 200))[..200];
        using var closed = await province.Admin.PostAsJsonAsync("/api/v1/admin/accounts/HS240001/close", new { bankReference = "FT26120600001", reason = longest });
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(longest, await province.ScalarAsync("SELECT reason FROM account_closures WHERE account_code = 'HS240001'"));
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
