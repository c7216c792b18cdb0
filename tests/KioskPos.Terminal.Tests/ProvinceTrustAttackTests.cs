using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A man in the middle between the terminal and its province (<see cref="MitmProxy"/>) rewrites the province's
/// answers: each rewrite changes nothing on the terminal and raises "province answer not verified" (the sync error
/// on the status and tech pages, the metric, the log); untouched, everything works through the same proxy.
/// </summary>
[Trait("Category", "Attack")]
public sealed class ProvinceTrustAttackTests : IAsyncLifetime
{
    private const string Attacker = "9999888877";
    private ProvinceHost _province = null!;
    private MitmProxy _proxy = null!;
    private TerminalHost _terminal = null!;

    public async Task InitializeAsync()
    {
        _province = await ProvinceHost.StartAsync();
        _proxy = await MitmProxy.StartAsync(_province.BaseUrl);
        // The first round, untouched, must succeed. Long polls of 3 s (25 by default): a forged confirmation reaches the
        // terminal when the poll open at the start ends, without waiting out the default.
        _terminal = await TerminalHost.StartAsync(_province, syncUrl: _proxy.Url, extraArgs: ["--ProvinceServer:ConfirmationWait=00:00:03"]);
    }

    public async Task DisposeAsync()
    {
        await _terminal.DisposeAsync();
        await _proxy.DisposeAsync();
        await _province.DisposeAsync();
    }

    private ProvinceTrust Trust => _terminal.App.Services.GetRequiredService<ProvinceTrust>();

    private static bool IsPull(InterceptedAnswer answer) => answer.Target.StartsWith(SyncProtocol.PullPath, StringComparison.Ordinal);

    private async Task<string?> ReceivingAccountAsync() =>
        (await _terminal.App.Services.GetRequiredService<CatalogueStore>().GetInstitutionAsync())?.Account?.AccountNumber;

    private async Task AssertRaisedAsync(SyncRound round)
    {
        Assert.NotNull(round.Error);
        Assert.Contains("province answer not verified", round.Error, StringComparison.Ordinal);
        Assert.True(Trust.Unverified > 0);
        var status = await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Contains("province answer not verified", status.GetProperty("sync").GetProperty("provinceAlert").GetString(), StringComparison.Ordinal);
        Assert.Contains("province answer not verified", status.GetProperty("sync").GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var metrics = await _terminal.Http.GetStringAsync("/metrics");
        Assert.Matches("kioskpos_province_answers_unverified_total [1-9]", metrics);
    }

    [Fact]
    public async Task Through_a_proxy_that_changes_nothing_everything_works_and_nothing_is_raised()
    {
        Assert.Equal(ProvinceHost.SchoolAccount, await ReceivingAccountAsync());
        await _terminal.TapAsync("04A1B2C3");
        using var paid = await _terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        Assert.Null((await _terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.Equal(0L, Trust.Unverified);
        Assert.Null(Trust.Alert);
        var status = await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.False(status.GetProperty("sync").TryGetProperty("provinceAlert", out var alert) && alert.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task The_province_signs_its_refusals_too_over_the_nonce_the_request_named()
    {
        using var pinned = System.Security.Cryptography.ECDsa.Create();
        pinned.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(_terminal.Folder, ProvinceTrust.KeyFileName)));
        var nonce = RequestSignature.NewNonce();
        using var http = new HttpClient { BaseAddress = _province.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, SyncProtocol.PullPath);
        request.Headers.TryAddWithoutValidation(ResponseSignature.AcceptHeader, ResponseSignature.Accept(nonce));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) => response.Headers.NonValidated.TryGetValues(name, out var v) ? v.ToString() : null;
        Assert.Null(ResponseSignature.Problem(pinned, nonce, 401, Header("Date"), Header("Signature-Input"), Header("Signature"), body));
        Assert.NotNull(ResponseSignature.Problem(pinned, nonce, 200, Header("Date"), Header("Signature-Input"), Header("Signature"), body));
        Assert.NotNull(ResponseSignature.Problem(pinned, RequestSignature.NewNonce(), 401, Header("Date"), Header("Signature-Input"), Header("Signature"), body));
        Assert.NotNull(ResponseSignature.Problem(pinned, nonce, 401, Header("Date"), Header("Signature-Input"), Header("Signature"), [.. body, (byte)' ']));
    }

    [Fact]
    [Attack("A man in the middle changes the institution's receiving account in pulled data (VietQR would pay the attacker)",
        "the pull is refused (signature over the body fails): the account stays the province's, alert raised")]
    public async Task A_rewritten_receiving_account_in_pulled_data_is_not_applied()
    {
        _proxy.Rewrite = answer =>
        {
            if (!IsPull(answer) || answer.Status != 200)
            {
                return false;
            }

            var json = answer.Json();
            json["institution"]!["bankAccount"] = Attacker;
            answer.SetJson(json);
            return true;
        };

        var round = await _terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.True(_proxy.Rewritten > 0);
        Assert.Equal(ProvinceHost.SchoolAccount, await ReceivingAccountAsync());
        await AssertRaisedAsync(round);

        // A VietQR offered now still names the province's account.
        using var response = await _terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240005", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240005" } } });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        var payload = KioskPos.Core.VietQr.VietQrParser.Parse(body.GetProperty("qr").GetProperty("payload").GetString()!);
        Assert.Equal(ProvinceHost.SchoolAccount, payload.AccountNumber);
    }

    [Fact]
    [Attack("A man in the middle forges a \"paid\" bank confirmation for a pending VietQR payment",
        "the confirmation is refused (not signed over this poll): the payment stays pending, alert raised")]
    public async Task A_forged_paid_confirmation_confirms_nothing()
    {
        using var response = await _terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240006", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240006" } } });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, created.ToString());
        var id = created.GetProperty("id").GetString()!;
        var amount = KioskPos.Core.VietQr.VietQrParser.Parse(created.GetProperty("qr").GetProperty("payload").GetString()!).Amount!.Value;
        var code = created.GetProperty("qr").GetProperty("transferCode").GetString()!;
        var settings = _terminal.App.Services.GetRequiredService<SettingsStore>();
        var cursor = await settings.GetAsync(KioskPos.Terminal.Services.ConfirmationListener.CursorKey);

        _proxy.Rewrite = answer =>
        {
            if (!answer.Target.StartsWith(SyncProtocol.ConfirmationsPath, StringComparison.Ordinal) || answer.Status != 200)
            {
                return false;
            }

            var forged = new ConfirmationsResponse(1_000_000, [new ConfirmationDto(1_000_000, id, code, TransferOutcomes.Paid, amount, amount, amount, 0, "FT-FORGED", DateTimeOffset.UtcNow, [])]);
            answer.Body = JsonSerializer.SerializeToUtf8Bytes(forged, ContractsJsonContext.Default.ConfirmationsResponse);
            return true;
        };

        // The listener polls again and again (each forged answer refused, then retried with backoff).
        await Wait.UntilAsync(() => Task.FromResult(_proxy.Rewritten >= 2 && Trust.Unverified >= 2), TimeSpan.FromSeconds(30), "two forged confirmations to reach the terminal");
        Assert.Equal("pending", (await _terminal.PaymentAsync(id)).GetProperty("state").GetString());
        Assert.Equal(cursor, await settings.GetAsync(KioskPos.Terminal.Services.ConfirmationListener.CursorKey));
        Assert.NotNull(Trust.Alert);
        AttackReport.Measured(this, $"{_proxy.Rewritten} forged confirmations delivered, {Trust.Unverified} refused; payment still pending");
    }

    [Fact]
    [Attack("A man in the middle raises the terminal's offline limits in pulled data",
        "the pull is refused: the offline policy kept is the province's, alert raised")]
    public async Task Raised_offline_limits_are_not_applied()
    {
        var settings = _terminal.App.Services.GetRequiredService<SettingsStore>();
        var before = await settings.GetAsync(SyncWorker.OfflinePolicyKey);
        _proxy.Rewrite = answer =>
        {
            if (!IsPull(answer) || answer.Status != 200)
            {
                return false;
            }

            var json = answer.Json();
            json["offlinePolicy"] = JsonNode.Parse("""{"maxPerPayment":999000000,"maxPerCardPerDay":999000000,"maxUnsyncedTotal":999000000,"maxMinutesSinceSync":999999,"maxDenyListAgeMinutes":999999}""");
            answer.SetJson(json);
            return true;
        };

        var round = await _terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.True(_proxy.Rewritten > 0);
        Assert.Equal(before, await settings.GetAsync(SyncWorker.OfflinePolicyKey));
        Assert.DoesNotContain("999000000", before ?? string.Empty, StringComparison.Ordinal);
        await AssertRaisedAsync(round);
    }

    [Fact]
    [Attack("A man in the middle pushes a hardware profile whose printer is the terminal's database file",
        "the pull is refused (unsigned change) and nothing is kept; pushed by the province itself it is refused (400 naming printer) and refused again by the terminal")]
    public async Task A_profile_naming_the_database_file_is_never_kept_nor_run()
    {
        var database = Path.Combine(_terminal.Folder, "terminal.db");
        var evil = $$"""{"name":"evil","cardReader":"simulated","printer":"usb:{{database}}"}""";
        var kept = Path.Combine(_terminal.Folder, SyncWorker.PushedProfileFileName);

        // Through the man in the middle.
        _proxy.Rewrite = answer =>
        {
            if (!IsPull(answer) || answer.Status != 200)
            {
                return false;
            }

            var json = answer.Json();
            json["hardwareProfile"] = JsonNode.Parse(evil);
            answer.SetJson(json);
            return true;
        };
        var round = await _terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.False(File.Exists(kept));
        await AssertRaisedAsync(round);
        _proxy.Rewrite = null;

        // From the province's administrator: refused there, naming the field.
        using (var refused = await _province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile", new StringContent(evil, System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("printer", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        foreach (var bad in new[] { "usb:/dev/../var/lib/kioskpos/terminal.db", "file:/dev/usb/lp0", "serial:/etc/passwd" })
        {
            using var refused = await _province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile",
                new StringContent($$"""{"name":"x","cardReader":"simulated","printer":"{{bad}}"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var reader = await _province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile",
            new StringContent("""{"name":"x","cardReader":"mfrc522:/home/kiosk/terminal.db","printer":"emulator"}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, reader.StatusCode);
            Assert.Contains("cardReader", (await reader.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Kept by hand (or by an older version): the terminal refuses to run it at its next start.
        await File.WriteAllTextAsync(kept, evil);
        var folder = _terminal.Folder;
        await _terminal.StopKeepingDataAsync();
        _terminal = await TerminalHost.StartAsync(_province, syncUrl: _proxy.Url, folder: folder, syncFirst: false);
        var pushed = _terminal.App.Services.GetRequiredService<KioskPos.Terminal.Services.PushedProfileState>();
        Assert.Equal(("evil", null), (pushed.Failed, pushed.Running));
        Assert.Contains("printer", pushed.Problem, StringComparison.Ordinal);
        var state = await (await _terminal.StaffAsync(StaffRole.Technician)).GetFromJsonAsync<JsonElement>("/api/v1/tech/state");
        var hardware = state.GetProperty("hardware").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").GetString());
        Assert.Equal("emulator", hardware["Printer"]); // its own, not the database file
    }

    [Fact]
    [Attack("A man in the middle skews the terminal's clock through the Date header",
        "the answer is refused (Date is signed): the clock is not moved, alert raised")]
    public async Task A_skewed_date_does_not_move_the_clock()
    {
        var clock = _terminal.App.Services.GetRequiredService<SyncedClock>();
        var offset = clock.Offset;
        _proxy.Rewrite = answer =>
        {
            answer.Headers["Date"] = DateTimeOffset.UtcNow.AddHours(-6).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            return true;
        };

        var round = await _terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.True(_proxy.Rewritten > 0);
        Assert.Equal(offset, clock.Offset);
        Assert.True(clock.Offset.Duration() < TimeSpan.FromMinutes(1));
        await AssertRaisedAsync(round);
    }

    [Fact]
    [Attack("A man in the middle replays an old, genuinely signed answer to a new request",
        "the answer is refused (signed over another request's nonce): nothing applied, alert raised")]
    public async Task An_old_answer_replayed_is_refused()
    {
        InterceptedAnswer? recorded = null;
        _proxy.Rewrite = answer =>
        {
            if (IsPull(answer) && answer.Status == 200)
            {
                recorded ??= answer.Copy();
            }

            return false;
        };
        Assert.Null((await _terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.NotNull(recorded);
        var json = recorded.Json(); // genuine, signed: what the attacker holds is the province's own answer
        Assert.Equal(ProvinceHost.SchoolAccount, json["institution"]!["bankAccount"]!.GetValue<string>());

        _proxy.Rewrite = answer =>
        {
            if (!IsPull(answer))
            {
                return false;
            }

            answer.Status = recorded.Status;
            answer.Headers = new(recorded.Headers, StringComparer.OrdinalIgnoreCase);
            answer.Body = recorded.Body;
            return true;
        };
        var round = await _terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.True(_proxy.Rewritten > 0);
        Assert.Contains("nonce", round.Error, StringComparison.Ordinal);
        await AssertRaisedAsync(round);
    }

    [Fact]
    [Attack("A man in the middle answers enrolment with its own key (or the ticket is for another province)",
        "enrolment is refused: the key's fingerprint is not the ticket's; nothing is kept")]
    public async Task Enrolment_with_a_wrong_fingerprint_is_refused()
    {
        var ticket = await Enrolment.IssueCodeAsync(_province.Admin, _province.BaseUrl, "KP-THCS-ND-07", "TG-THCS-NGUYENDU");
        var (code, fingerprint) = EnrolmentTickets.Parse(ticket);
        Assert.NotNull(fingerprint);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var wrong = EnrolmentTickets.Compose(code, ProvinceKeys.Fingerprint(other.ExportSubjectPublicKeyInfo()));

        var folder = Directory.CreateTempSubdirectory("kioskpos-enrol-").FullName;
        try
        {
            using var http = new HttpClient();
            var refused = await Assert.ThrowsAsync<SyncRefusedException>(() => DeviceIdentity.EnrolAsync(_province.BaseUrl, wrong, folder, http, CancellationToken.None));
            Assert.Equal("province_key_mismatch", refused.Problem?.Code);
            Assert.Empty(Directory.GetFiles(folder));

            var bare = await Assert.ThrowsAsync<SyncRefusedException>(() => DeviceIdentity.EnrolAsync(_province.BaseUrl, "ABCD-EFGH", folder, http, CancellationToken.None));
            Assert.Equal("ticket_without_fingerprint", bare.Problem?.Code);

            // The right ticket (a new one: the first was used by the refused attempt) enrols and pins the key.
            var right = await Enrolment.IssueCodeAsync(_province.Admin, _province.BaseUrl, "KP-THCS-ND-07", "TG-THCS-NGUYENDU");
            await DeviceIdentity.EnrolAsync(_province.BaseUrl, right, folder, http, CancellationToken.None);
            Assert.True(File.Exists(Path.Combine(folder, ProvinceTrust.KeyFileName)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    [Attack("The terminal is pointed at a province over plain HTTP on the network (no TLS, readable and changeable on the way)",
        "enrolment and sync are refused with a message naming https:// and the explicit flag; loopback stays allowed")]
    public async Task Plain_http_to_an_address_that_is_not_loopback_is_refused_without_the_flag()
    {
        var remote = new Uri("http://192.0.2.10:5080/"); // TEST-NET-1: nothing answers there
        var ticket = await Enrolment.IssueCodeAsync(_province.Admin, _province.BaseUrl, "KP-THCS-ND-08", "TG-THCS-NGUYENDU");
        var folder = Directory.CreateTempSubdirectory("kioskpos-enrol-").FullName;
        try
        {
            using var http = new HttpClient();
            var refused = await Assert.ThrowsAsync<SyncRefusedException>(() => DeviceIdentity.EnrolAsync(remote, ticket, folder, http, CancellationToken.None));
            Assert.Equal("insecure_transport", refused.Problem?.Code);
            Assert.Contains("AllowInsecureHttp", refused.Problem?.Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Assert.Null(ProvinceTrust.TransportProblem(new Uri("https://province.example.vn/"), allowInsecureHttp: false));
        Assert.Null(ProvinceTrust.TransportProblem(new Uri("http://127.0.0.1:5080/"), allowInsecureHttp: false));
        Assert.Null(ProvinceTrust.TransportProblem(new Uri("http://localhost:5080/"), allowInsecureHttp: false));
        Assert.Null(ProvinceTrust.TransportProblem(remote, allowInsecureHttp: true));

        // A running terminal configured with such an address does not sync, and says why.
        await using var terminal = await TerminalHost.StartAsync(_province, syncUrl: remote, syncFirst: false);
        var round = await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Contains("AllowInsecureHttp", round.Error, StringComparison.Ordinal);
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Contains("AllowInsecureHttp", status.GetProperty("sync").GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }
}
