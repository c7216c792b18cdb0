using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>The technician's self-test against the simulated devices (<c>/tech</c> in Chromium: <see cref="TechBrowserTests"/>).</summary>
public class TechTests
{
    [Fact]
    public async Task The_self_test_reports_each_device_and_a_card_tapped_while_it_waits()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var technician = await terminal.StaffAsync(StaffRole.Technician);

        // The customer display is open (its live stream is what the screens check counts).
        using var screen = new HttpClient { BaseAddress = terminal.Http.BaseAddress };
        using var stream = await screen.GetAsync("/api/v1/display/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);

        // The technician taps a card while the self-test waits for one.
        var running = technician.PostAsync("/api/v1/tech/selftest?tapSeconds=15", null);
        await Task.Delay(500);
        await terminal.TapAsync("04A1B2C3");
        using var response = await running;
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, result.ToString());
        var checks = result.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => (Ok: c.GetProperty("ok").GetBoolean(), Detail: c.GetProperty("detail").GetString()!));
        Assert.Equal(["printer", "card_reader", "indicators", "screens", "disk", "province_server", "clock", "journal"], checks.Keys);
        Assert.All(checks, c => Assert.True(c.Value.Ok, $"{c.Key}: {c.Value.Detail}"));
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Contains("đã đọc thẻ", checks["card_reader"].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("04A1B2C3", checks["card_reader"].Detail, StringComparison.Ordinal); // masked
        Assert.Contains("kêu một tiếng", checks["indicators"].Detail, StringComparison.Ordinal);

        // Paper out: the printer check fails and says why; no tap this time: the reader check fails; the display closed: no screen.
        stream.Dispose();
        await Wait.UntilAsync(async () => !(await (await technician.PostAsync("/api/v1/tech/selftest", null)).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "screens").GetProperty("ok").GetBoolean(), TimeSpan.FromSeconds(10), "the closed display no longer counted");
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true })).EnsureSuccessStatusCode();
        using var second = await technician.PostAsync("/api/v1/tech/selftest?tapSeconds=1", null);
        var failed = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(failed.GetProperty("ok").GetBoolean());
        var bad = failed.GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("ok").GetBoolean()).Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["printer", "card_reader", "screens"], bad);
    }

    [Fact]
    public async Task The_self_test_after_an_upgrade_checks_what_the_new_version_drives_and_not_the_province_or_the_screens()
    {
        var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await province.DisposeAsync(); // the province down at night, no kiosk browser connected: neither fails it
        var selfTest = terminal.App.Services.GetRequiredService<KioskPos.Terminal.Services.SelfTest>();
        var passed = await selfTest.RunUnattendedAsync(CancellationToken.None);
        Assert.Equal(["printer", "card_reader", "indicators", "disk", "journal"], passed.Checks.Select(c => c.Name));
        Assert.True(passed.Ok, string.Join("; ", passed.Checks.Select(c => $"{c.Name}: {c.Detail}")));

        // Paper out: the printer check fails it, and only that one.
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true })).EnsureSuccessStatusCode();
        var failed = await selfTest.RunUnattendedAsync(CancellationToken.None);
        Assert.False(failed.Ok);
        Assert.Equal(["printer"], failed.Checks.Where(c => !c.Ok).Select(c => c.Name));
    }

    [Fact]
    public async Task A_technician_backs_up_the_running_terminal_and_the_copy_verifies()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        Assert.Equal(HttpStatusCode.Forbidden, (await cashier.PostAsync("/api/v1/tech/backup", null)).StatusCode);
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        var verified = await technician.GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
        using var response = await technician.PostAsync("/api/v1/tech/backup", null);
        var backup = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, backup.ToString());
        var path = backup.GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Combine(terminal.Folder, "backups"), path, StringComparison.Ordinal);
        Assert.True(backup.GetProperty("journalOk").GetBoolean());
        Assert.True(backup.GetProperty("entries").GetInt64() >= verified.GetProperty("entries").GetInt64());
        Assert.Equal(new FileInfo(path).Length, backup.GetProperty("bytes").GetInt64());

        // The copy is a whole database: the payment is in it.
        await using var copy = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        await using var command = copy.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM payments";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_technician_enrols_from_the_tech_page_api_once_and_the_terminal_syncs_with_its_new_key()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        var code = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");

        Assert.Equal(HttpStatusCode.Forbidden, (await cashier.PostAsJsonAsync("/api/v1/tech/enrol", new { server = province.BaseUrl.ToString(), code })).StatusCode);
        using (var already = await technician.PostAsJsonAsync("/api/v1/tech/enrol", new { server = province.BaseUrl.ToString(), code }))
        {
            Assert.Equal(HttpStatusCode.Conflict, already.StatusCode);
            Assert.Equal("already_enrolled", (await already.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        // Re-installed (the device key gone): a wrong code is refused with the server's reason, the right one enrols.
        File.Delete(Path.Combine(terminal.Folder, KioskPos.Sync.DeviceIdentity.KeyFileName));
        // (A whole ticket whose code is wrong: a bare code without the province key's fingerprint is refused by the terminal itself.)
        using (var wrong = await technician.PostAsJsonAsync("/api/v1/tech/enrol", new { server = province.BaseUrl.ToString(), code = "ZZZZ-ZZZZ" + code[9..] }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
            Assert.Equal("unknown_code", (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using (var unreachable = await technician.PostAsJsonAsync("/api/v1/tech/enrol", new { server = "http://127.0.0.1:9/", code }))
        {
            Assert.Equal(HttpStatusCode.BadGateway, unreachable.StatusCode);
        }

        using (var enrolled = await technician.PostAsJsonAsync("/api/v1/tech/enrol", new { server = province.BaseUrl.ToString(), code }))
        {
            var body = await enrolled.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(enrolled.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.Equal("KP-THCS-ND-01", body.GetProperty("terminalId").GetString());
        }

        // The running terminal signs with the new key: a sync round is accepted (the old key would be refused now).
        var round = await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Null(round.Error);
        Assert.True((await technician.GetFromJsonAsync<JsonElement>("/api/v1/tech/state")).GetProperty("enrolled").GetBoolean());
    }

    [Fact]
    public async Task The_command_line_reports_status_backs_up_while_running_exports_the_journal_and_runs_the_self_test()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.StaffAsync(StaffRole.Technician);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        var (exit, output, error) = await Processes.RunTerminalCliAsync("status", "--json", "--data", terminal.Folder);
        Assert.True(exit == 0, error);
        var status = JsonDocument.Parse(output).RootElement;
        Assert.True(status.GetProperty("schemaVersion").GetInt32() >= 10);

        // A backup taken while the terminal runs is a whole database with the whole journal.
        var copy = Path.Combine(terminal.Folder, "backup.db");
        (exit, output, error) = await Processes.RunTerminalCliAsync("backup", "--to", copy, "--data", terminal.Folder);
        Assert.True(exit == 0, output + error);
        Assert.Contains("journal whole, 2 entries", output, StringComparison.Ordinal);
        (exit, _, _) = await Processes.RunTerminalCliAsync("backup", "--to", copy, "--data", terminal.Folder);
        Assert.Equal(2, exit); // never over an existing file

        (exit, output, error) = await Processes.RunTerminalCliAsync("journal", "export", "--data", terminal.Folder);
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([1L, 2L], lines.Select(l => l.GetProperty("sequence").GetInt64()));
        Assert.Equal("payment.created", lines[0].GetProperty("kind").GetString());
        Assert.Equal(lines[0].GetProperty("hash").GetString(), lines[1].GetProperty("prevHash").GetString());

        // The self-test of the running terminal, signed in as the technician (the PIN on standard input), with the
        // customer display open.
        using var screen = new HttpClient { BaseAddress = terminal.Http.BaseAddress };
        using var stream = await screen.GetAsync("/api/v1/display/events", HttpCompletionOption.ResponseHeadersRead);
        (exit, output, error) = await Processes.RunTerminalCliWithInputAsync("864271", "selftest", "--url", terminal.Http.BaseAddress!.ToString(), "--staff", "kt01");
        Assert.True(exit == 0, output + error);
        Assert.Contains("OK   province_server", output, StringComparison.Ordinal);
        (exit, _, error) = await Processes.RunTerminalCliWithInputAsync("1111", "selftest", "--url", terminal.Http.BaseAddress!.ToString(), "--staff", "kt01");
        Assert.Equal(2, exit);
        Assert.Contains("sign-in refused", error, StringComparison.Ordinal);

        // A copy of receipt 1, by a cashier (a technician may not: a receipt is payment data).
        await terminal.StaffAsync(StaffRole.Cashier);
        (exit, output, error) = await Processes.RunTerminalCliWithInputAsync("864271", "receipt", "reprint", "1", "--url", terminal.Http.BaseAddress!.ToString(), "--staff", "kt01");
        Assert.Equal(2, exit);
        (exit, output, error) = await Processes.RunTerminalCliWithInputAsync("246813", "receipt", "reprint", "1", "--url", terminal.Http.BaseAddress!.ToString(), "--staff", "tn01");
        Assert.True(exit == 0, output + error);
        Assert.Contains("KP-THCS-ND-01-00000001", output, StringComparison.Ordinal);
        await Wait.UntilAsync(() => Task.FromResult(Directory.GetFiles(terminal.ReceiptsFolder, "*.txt").Select(File.ReadAllText).Any(t => t.Contains("BẢN SAO", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(20), "the copy printed");

        // Settings: known keys, checked values, the MIFARE key never shown.
        var config = Path.Combine(terminal.Folder, "terminal.json");
        (exit, _, _) = await Processes.RunTerminalCliAsync("config", "set", "Hardware:PaperWidthMm", "80", "--config", config);
        Assert.Equal(0, exit);
        (exit, _, error) = await Processes.RunTerminalCliAsync("config", "set", "Hardware:PaperWidthMm", "75", "--config", config);
        Assert.Equal(2, exit);
        Assert.Contains("58 or 80", error, StringComparison.Ordinal);
        (exit, _, _) = await Processes.RunTerminalCliAsync("config", "set", "Terminal:QrLifetime", "soon", "--config", config);
        Assert.Equal(2, exit);
        (exit, _, _) = await Processes.RunTerminalCliAsync("config", "set", "Hardware:Nothing", "1", "--config", config);
        Assert.Equal(2, exit);
        (exit, _, _) = await Processes.RunTerminalCliAsync("config", "set", "Hardware:CardNumberKey", "A0A1A2A3A4A5", "--config", config);
        Assert.Equal(0, exit);
        (exit, output, _) = await Processes.RunTerminalCliAsync("config", "show", "--config", config);
        Assert.Contains("Hardware:PaperWidthMm = 80", output, StringComparison.Ordinal);
        Assert.Contains("Terminal:QrLifetime = 00:15:00   (mặc định / default)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("A0A1A2A3A4A5", output, StringComparison.Ordinal);
        Assert.Equal(80, JsonDocument.Parse(await File.ReadAllTextAsync(config)).RootElement.GetProperty("Hardware").GetProperty("PaperWidthMm").GetInt32());
    }

    [Fact]
    public async Task The_province_inventory_shows_each_terminals_version_queue_and_printer_from_its_signed_report()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true })).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString() == "paper_out",
            TimeSpan.FromSeconds(20), "the printer seen without paper");
        Assert.True(await terminal.App.Services.GetRequiredService<KioskPos.Terminal.Services.StatusReporter>().ReportAsync(CancellationToken.None));

        var inventory = await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/terminals");
        var row = inventory!.Single(t => t.GetProperty("id").GetString() == "KP-THCS-ND-01");
        Assert.Equal("TG-THCS-NGUYENDU", row.GetProperty("institutionId").GetString());
        Assert.Equal("paper_out", row.GetProperty("printerState").GetString());
        Assert.Equal("0.1.0", row.GetProperty("version").GetString());
        Assert.Equal(0, row.GetProperty("queued").GetInt32());
        Assert.Contains("giấy", row.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(row.TryGetProperty("reportedAt", out _));

        // Unsigned, it is refused like any sync request.
        using var anonymous = new HttpClient { BaseAddress = province.BaseUrl };
        using var refused = await anonymous.PostAsJsonAsync("/api/v1/sync/report", new { version = "9.9.9", schemaVersion = 1, queued = 0, printerState = "ready" });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public void The_log_shown_to_a_technician_has_no_payment_ids_payer_codes_or_amounts()
    {
        Assert.Equal("Payment … committed: … by card_balance", KioskPos.Terminal.Services.RecentLog.Scrub("Payment KP-THCS-ND-01-00000001 committed: 150.000 ₫ by card_balance"));
        Assert.Equal("Card tapped for … at KP-TTYT-CT-01; 100 đồng is …", KioskPos.Terminal.Services.RecentLog.Scrub("Card tapped for BN260001 at KP-TTYT-CT-01; 100 đồng is 100 ₫"));
    }
}

/// <summary>A hardware profile pushed by the province: pulled, kept, run from the terminal's next start; one that cannot start here is reported and the terminal runs its own.</summary>
public class PushedProfileTests
{
    [Fact]
    public async Task A_pushed_profile_applies_at_the_next_start_and_one_that_cannot_start_is_reported()
    {
        await using var province = await ProvinceHost.StartAsync();
        var terminal = await TerminalHost.StartAsync(province);
        var folder = terminal.Folder;
        try
        {
            using (var bad = await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile", Json("""{"name":"x","cardReader":"simulated"}""")))
            {
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
                Assert.Contains("printer", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.BadRequest, (await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile", Json("""{"name":"x","cardReader":"simulated","printer":"emulator","colour":"red"}"""))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await province.Admin.PutAsync("/api/v1/admin/terminals/KP-NOWHERE/hardware-profile", Json(SimulatedEighty))).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile", Json(SimulatedEighty))).StatusCode);

            Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
            Assert.Contains("\"sim-counter-80\"", await File.ReadAllTextAsync(Path.Combine(folder, KioskPos.Sync.SyncWorker.PushedProfileFileName)), StringComparison.Ordinal);
            var before = await HardwareAsync(terminal);
            Assert.Equal("58", before["PaperWidthMm"]);
            Assert.Contains("restart to apply", before["ProvinceProfile"], StringComparison.Ordinal);

            // The next start runs it: 80 mm paper.
            await terminal.StopKeepingDataAsync();
            terminal = await TerminalHost.StartAsync(province, folder: folder);
            var after = await HardwareAsync(terminal);
            Assert.Equal("80", after["PaperWidthMm"]);
            Assert.Contains("sim-counter-80 — đang chạy / running", after["ProvinceProfile"], StringComparison.Ordinal);

            // A profile for devices this machine does not have: the terminal still starts, on its own settings, and says why.
            Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile",
                Json("""{"name":"pi4-elsewhere","cardReader":"mfrc522:/dev/spidev9.9","printer":"usb:/dev/usb/lp9","paperWidthMm":80}"""))).StatusCode);
            Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
            await terminal.StopKeepingDataAsync();
            terminal = await TerminalHost.StartAsync(province, folder: folder);
            var refused = await HardwareAsync(terminal);
            Assert.Equal(("58", "emulator"), (refused["PaperWidthMm"], refused["Printer"]));
            Assert.Contains("pi4-elsewhere — không chạy được ở máy này / cannot start here", refused["ProvinceProfile"], StringComparison.Ordinal);
            Assert.Contains("/dev/spidev9.9", refused["ProvinceProfile"], StringComparison.Ordinal);

            // Cleared by the province: the file goes at the next pull.
            Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.DeleteAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile")).StatusCode);
            Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
            Assert.False(File.Exists(Path.Combine(folder, KioskPos.Sync.SyncWorker.PushedProfileFileName)));
        }
        finally
        {
            await terminal.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_profile_in_hardware_profiles_reaches_the_terminal_and_loads_as_the_file_does()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var kept = Path.Combine(terminal.Folder, KioskPos.Sync.SyncWorker.PushedProfileFileName);
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "hardware", "profiles"), "*.json").Order(StringComparer.Ordinal))
        {
            using (var put = await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile", Json(await File.ReadAllTextAsync(file))))
            {
                Assert.True(put.StatusCode == HttpStatusCode.NoContent, $"{Path.GetFileName(file)}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            }

            Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
            Assert.True(File.Exists(kept), $"{Path.GetFileName(file)} kept");
            Assert.Equal(KioskPos.Firmware.Devices.HardwareProfile.Load(file), KioskPos.Firmware.Devices.HardwareProfile.Load(kept));
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("a province (not this one, or an older one) pushes a profile whose display panel or headphone jack is /etc/passwd; the same profile is left in the terminal's data folder",
        "the terminal does not keep it (the one kept before stays), and at its next start refuses to run it, naming the field, and runs its own")]
    public async Task A_pushed_display_or_headphone_jack_naming_another_file_is_never_kept_nor_run()
    {
        await using var province = await ProvinceHost.StartAsync();
        var terminal = await TerminalHost.StartAsync(province);
        var folder = terminal.Folder;
        var kept = Path.Combine(folder, KioskPos.Sync.SyncWorker.PushedProfileFileName);
        try
        {
            foreach (var (field, evil) in new[]
            {
                ("display", """{"name":"evil","cardReader":"simulated","printer":"emulator","gpio":"simulated","display":"spi:st7789:/etc/passwd:dc=24"}"""),
                ("headphoneJack", """{"name":"evil","cardReader":"simulated","printer":"emulator","gpio":"simulated","headphoneJack":"/etc/passwd"}"""),
            })
            {
                // This province refuses it, naming the field.
                using (var refused = await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/hardware-profile", Json(evil)))
                {
                    Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
                    Assert.StartsWith(field, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
                }

                // Stored past the check, it is pulled (signed, as any answer of the province) and not kept.
                Assert.Equal(1, await province.ExecuteAsync("UPDATE terminals SET hardware_profile = $p WHERE id = 'KP-THCS-ND-01'", ("$p", evil)));
                Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
                Assert.False(File.Exists(kept), $"{field}: kept");
            }

            // Left in the data folder by hand (or by a version before the check): refused at the next start, named.
            Assert.Equal(1, await province.ExecuteAsync("UPDATE terminals SET hardware_profile = NULL WHERE id = 'KP-THCS-ND-01'"));
            await File.WriteAllTextAsync(kept, """{"name":"evil","cardReader":"simulated","printer":"emulator","gpio":"simulated","headphoneJack":"/etc/passwd"}""");
            await terminal.StopKeepingDataAsync();
            terminal = await TerminalHost.StartAsync(province, folder: folder, syncFirst: false);
            var pushed = terminal.App.Services.GetRequiredService<KioskPos.Terminal.Services.PushedProfileState>();
            Assert.Equal(("evil", null), (pushed.Failed, pushed.Running));
            Assert.Contains("headphoneJack", pushed.Problem, StringComparison.Ordinal);
        }
        finally
        {
            await terminal.DisposeAsync();
        }
    }

    private const string SimulatedEighty = """{"name":"sim-counter-80","description":"simulated devices, 80 mm paper","cardReader":"simulated","printer":"emulator","paperWidthMm":80,"gpio":"simulated"}""";

    private static StringContent Json(string text) => new(text, System.Text.Encoding.UTF8, "application/json");

    private static async Task<Dictionary<string, string>> HardwareAsync(TerminalHost terminal)
    {
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        var state = await technician.GetFromJsonAsync<JsonElement>("/api/v1/tech/state");
        return state.GetProperty("hardware").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("value").GetString() ?? string.Empty);
    }
}
