using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KioskPos.Storage;
using KioskPos.Web;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Issue 18's findings on the terminal's roles, each attack performed: every endpoint declares who may call it and
/// the generated role × endpoint matrix holds; a technician takes no payment; a staff session does not stand in for
/// the card holder's PIN; an idle session ends; staff ids cannot be enumerated; PIN checks are rate-limited;
/// <c>/dev</c> needs the development flag; the kiosk's browser reaches only kiosk pages.
/// </summary>
public sealed partial class RoleAttackTests
{
    private static readonly string[] s_roles = ["none", "cashier", "supervisor", "technician"];

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("call every mapped endpoint of the terminal with no session and as each staff role", "401/403 (404 for a payment without its token) exactly where the endpoint's metadata says, never a 500, no endpoint without a declaration")]
    public async Task Every_endpoint_declares_its_roles_and_answers_each_role_as_declared()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Staff:PinChecksPerMinute=10000"]);

        // A real payment, so that a payment's own endpoints answer the counter with it and hide it from the others.
        using var created = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240002", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240002" } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var paymentId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var clients = new Dictionary<string, HttpClient>
        {
            ["none"] = terminal.Http,
            ["cashier"] = await terminal.StaffAsync(StaffRole.Cashier),
            ["supervisor"] = await terminal.StaffAsync(StaffRole.Supervisor),
            ["technician"] = await terminal.StaffAsync(StaffRole.Technician),
        };
        var rows = AccessMatrix.Endpoints(terminal.App, (_, parameter) => Sample(parameter, paymentId));
        Assert.Contains(rows, r => r.Route == "/api/v1/payments" && r.Method == "POST");
        Assert.Contains(rows, r => r.Route.StartsWith("/dev/", StringComparison.Ordinal)); // make run's flag is on in the tests

        var cells = new List<AccessMatrix.Cell>();
        var wrong = new List<string>();
        foreach (var row in rows)
        {
            if (row.Access is null)
            {
                wrong.Add($"{row.Method} {row.Route} declares no access");
                continue;
            }

            foreach (var role in s_roles)
            {
                var (status, location, problem) = await AccessMatrix.CallAsync(clients[role], row);
                var allowed = row.Access.Lets(role == "none" ? null : role);
                cells.Add(new AccessMatrix.Cell(row, role, status, location, allowed, problem));
                if (Expectation(row.Access, role, allowed, status, problem) is { } failure)
                {
                    wrong.Add($"{role} {row.Method} {row.Url}: {failure} (got {status} {problem})");
                }

                // Signing out ends that client's session: sign in again for the next endpoints.
                if (row is { Method: "DELETE", Route: "/api/v1/sessions/current" } && role != "none")
                {
                    clients[role] = await terminal.StaffAsync(Enum.Parse<StaffRole>(role, ignoreCase: true));
                }
            }
        }

        var table = AccessMatrix.Markdown("Terminal: role × endpoint", s_roles, cells);
        AccessMatrix.Write("terminal-role-matrix", table);
        AttackReport.Measured(this, $"{rows.Count} endpoints × {s_roles.Length} roles called; {wrong.Count} answered other than declared");
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong) + Environment.NewLine + table);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("a technician's session records an external_card payment (a deposit that way becomes spendable balance)", "403 role_not_allowed, nothing recorded")]
    public async Task A_technician_takes_no_counter_payment()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        using var refused = await technician.PostAsJsonAsync("/api/v1/payments",
            new { payerCode = "BN260001", method = "external_card", approvalCode = "A1B2C3", cardLast4 = "4242", bills = new[] { new { billId = "TU-2611-BN260001", amount = 1_000_000 } } });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("role_not_allowed", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        Assert.Empty((await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("a cashier's session pays from a tapped card's balance above the PIN amount without the holder's PIN", "422 pin_required; paid only with the holder's PIN")]
    public async Task A_staff_session_does_not_stand_in_for_the_card_holders_pin()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Terminal:CardPinAbove=100000"]);
        foreach (var role in new[] { StaffRole.Cashier, StaffRole.Supervisor })
        {
            var staff = await terminal.StaffAsync(role);
            await terminal.TapAsync("04A1B2C3");
            using var refused = await staff.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", method = "card_balance", bills = new[] { new { billId = "HP-2611-HS240001" } } });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal("pin_required", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        using var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", method = "card_balance", pin = "2580", bills = new[] { new { billId = "HP-2611-HS240001" } } });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("use a staff cookie left idle past the idle timeout (the shift is not over)", "401 not_signed_in")]
    public async Task An_idle_staff_session_ends()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Staff:IdleTimeout=00:00:02"]);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);

        // In use, it lives past the idle time; left alone, it ends.
        var session = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/sessions/current");
        Assert.Equal(2, session.GetProperty("idleSeconds").GetInt32());
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(HttpStatusCode.OK, (await cashier.GetAsync("/api/v1/shifts/current")).StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        using var idle = await cashier.GetAsync("/api/v1/shifts/current");
        Assert.Equal(HttpStatusCode.Unauthorized, idle.StatusCode);
        Assert.Equal("not_signed_in", (await idle.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("try staff ids with a wrong PIN to learn which exist (an unknown id said \"5 tries left\", a known one \"4\")", "the same answers, tries and lockout for an unknown id as for a known one")]
    public async Task Staff_ids_cannot_be_enumerated()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Staff:PinChecksPerMinute=100"]); // the rate limit has its own test
        await terminal.StaffAsync(StaffRole.Cashier); // tn01 exists

        async Task<string> AnswerAsync(string id)
        {
            using var response = await terminal.Http.PostAsJsonAsync("/api/v1/sessions", new { staffId = id, pin = "000000" });
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            // The lockout's end is a time: the same for both up to the moment each was asked.
            return $"{(int)response.StatusCode} {body.GetProperty("code").GetString()} {Digits().Replace(body.GetProperty("title").GetString()!, "#")} {Timestamp().Replace(body.GetProperty("detail").GetString()!, "T")}";
        }

        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < StaffStore.MaxFailures + 1; i++)
        {
            known.Add(await AnswerAsync("tn01"));
            unknown.Add(await AnswerAsync("tn77"));
        }

        Assert.Equal(known, unknown);
        Assert.Contains("wrong_pin", known[0], StringComparison.Ordinal);
        Assert.Contains("locked", known[^1], StringComparison.Ordinal);
        AttackReport.Measured(this, $"{known.Count} tries each: known and unknown id answered alike ({known[0]} … {known[^1]})");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("flood the sign-in with PIN guesses from one address, spraying ids", "429 too_many_pin_checks with Retry-After after the per-source limit")]
    public async Task A_pin_flood_is_rate_limited_per_source()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var statuses = new List<int>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await terminal.Http.PostAsJsonAsync("/api/v1/sessions", new { staffId = $"x{i:D3}", pin = "123456" });
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter is not null, "Retry-After");
                Assert.Equal("too_many_pin_checks", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
            }
        }

        Assert.Equal(new KioskPos.Terminal.Apis.StaffOptions().PinChecksPerMinute, statuses.Count(s => s == 401));
        Assert.Equal(30 - new KioskPos.Terminal.Apis.StaffOptions().PinChecksPerMinute, statuses.Count(s => s == 429));

        // A supervisor's approval is a PIN check too: the same limit (the cashier's session opened in the store, as
        // signing in is refused from this address until the minute is over).
        var store = terminal.App.Services.GetRequiredService<StaffStore>();
        await store.AddOrUpdateAsync("tn01", "Lê Thu Ngân", StaffRole.Cashier, "246813");
        var (token, _) = await store.OpenSessionAsync(new StaffMember("tn01", "Lê Thu Ngân", StaffRole.Cashier));
        using var approval = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/KP-THCS-ND-01-00000001/void")
        {
            Content = JsonContent.Create(new { reason = "x", supervisorId = "gs01", supervisorPin = "975319" }),
        };
        approval.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var limited = await terminal.Http.SendAsync(approval);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        AttackReport.Measured(this, $"30 guesses in a row: {statuses.Count(s => s == 401)} checked, {statuses.Count(s => s == 429)} answered 429");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("tap any card or read the emulator's receipts through /dev on a terminal with a simulated device but no development flag", "404: /dev and /receipts are not mapped")]
    public async Task Dev_endpoints_need_the_development_flag()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Terminal:DevEndpoints=false"]);
        using (var tap = await terminal.Http.PostAsJsonAsync("/dev/card-taps", new { uid = "04A1B2C3" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, tap.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await terminal.Http.GetAsync("/dev/printer")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await terminal.Http.GetAsync("/receipts/receipt-0001.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await terminal.Http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("start a terminal on its shipped settings (which name the simulated reader, printer and GPIO) without asking for simulators", "it refuses to start, naming Hardware:AllowSimulated and the real devices to name; nothing listens")]
    public async Task Simulated_devices_run_only_when_asked_for()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-nosim-").FullName;
        try
        {
            var refused = Assert.Throws<InvalidOperationException>(() => KioskPos.Terminal.TerminalApp.Build(
                ["--urls=http://127.0.0.1:0", $"--Terminal:DataDirectory={folder}", "--Logging:LogLevel:Default=Warning"]));
            Assert.Contains("Hardware:AllowSimulated=true", refused.Message, StringComparison.Ordinal);

            // Asked for, the same settings start (as make run and every other test do).
            await using var app = KioskPos.Terminal.TerminalApp.Build(
                ["--urls=http://127.0.0.1:0", $"--Terminal:DataDirectory={folder}", "--Hardware:AllowSimulated=true", "--Logging:LogLevel:Default=Warning"]);
            Assert.NotNull(app.Services.GetService(typeof(KioskPos.Firmware.Devices.ICardReader)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("at a kiosk terminal, open /counter or /tech in the kiosk browser", "the kiosk's managed policy blocks every page but the kiosk's and the display's; the counter's allows the counter, neither allows /tech")]
    public void The_kiosk_browser_reaches_only_kiosk_pages()
    {
        var os = Path.Combine(RepositoryRoot.Find(), "firmware", "os");
        static string[] Allowed(string file) =>
            [.. JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("URLAllowlist").EnumerateArray().Select(e => e.GetString()!)];
        static bool Reaches(string[] allowlist, string page) => allowlist.Any(a => page.StartsWith(a, StringComparison.Ordinal) && (a.EndsWith('/') || page.Length == a.Length || page[a.Length] is '?' or '#'));

        // The allowlist only makes exceptions to the blocklist (Chromium's URLBlocklist/URLAllowlist policies): the
        // blocklist must take every page, and neither browser may open its developer tools.
        foreach (var file in new[] { "chromium-policy.json", "chromium-policy-counter.json" })
        {
            var policy = JsonDocument.Parse(File.ReadAllText(Path.Combine(os, file))).RootElement;
            Assert.Equal(["*"], policy.GetProperty("URLBlocklist").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(2, policy.GetProperty("DeveloperToolsAvailability").GetInt32());
        }

        var kiosk = Allowed(Path.Combine(os, "chromium-policy.json"));
        Assert.True(Reaches(kiosk, "http://127.0.0.1:8080/kiosk"));
        Assert.True(Reaches(kiosk, "http://127.0.0.1:8080/display"));
        foreach (var page in new[] { "/counter", "/tech", "/", "/metrics", "/dev/card-taps", "/openapi/v1.json" })
        {
            Assert.False(Reaches(kiosk, "http://127.0.0.1:8080" + page), page);
        }

        var counter = Allowed(Path.Combine(os, "chromium-policy-counter.json"));
        Assert.True(Reaches(counter, "http://127.0.0.1:8080/counter"));
        Assert.True(Reaches(counter, "http://127.0.0.1:8080/display"));
        Assert.False(Reaches(counter, "http://127.0.0.1:8080/tech"));
        Assert.False(Reaches(counter, "http://127.0.0.1:8080/kiosk"));
    }

    // What the matrix expects of one answer; null when it is right.
    private static string? Expectation(EndpointAccess access, string role, bool allowed, int status, string? problem)
    {
        if (status >= 500 && problem is not ("printer_problem" or "reader_not_listening" or "server_unreachable"))
        {
            return "a 5xx";
        }

        if (allowed)
        {
            return status is 401 or 403 && problem is "not_signed_in" or "role_not_allowed" or "access_undeclared" ? "refused although declared open to the role" : null;
        }

        var expected = access.Kind switch
        {
            AccessKind.RolesOrViewToken => 404,
            AccessKind.Roles when role == "none" => 401,
            _ => 403,
        };
        return status == expected ? null : $"expected {expected}";
    }

    // Route values: the real payment for a payment's id, a demo payer's code and card, a number for numeric ids.
    private static string Sample(RoutePatternParameterPart parameter, string paymentId) => parameter.Name switch
    {
        "id" when parameter.ParameterPolicies.Any(p => p.Content is "long" or "int") => "1",
        "id" => paymentId,
        "code" => "HS240001",
        "uid" => "04A1B2C3",
        "documentName" => "v1",
        "file" => "receipt-0001.txt",
        _ => "x",
    };

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    [GeneratedRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+Z-]+")]
    private static partial Regex Timestamp();
}
