using System.Diagnostics;
using System.Net.Http.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Fleet updates in a scratch root: packages of the real layout built by make deb's script (scripts/deb.sh: the
/// province's key, the source, the helper and its units) around a stand-in program (the real terminal's command
/// line; as the service, a /health answer or, for the broken version, none), a repository built and signed by make
/// repo's script (apt-ftparchive, gpg), and the real helper (firmware/os/kioskpos-upgrade) running the real apt-get
/// and dpkg against the scratch root (APT_CONFIG, DPKG_ADMINDIR), with apt checking the signature with gpgv against
/// the one key the package installed. The terminal's database is a real one, made by the storage code.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FleetUpgradeTests : IDisposable
{
    private const string N = "1.0.0";
    private const string N1 = "1.0.1";
    private const string N2 = "1.0.2";
    private const string N3 = "1.0.3";

    private readonly string _work = Directory.CreateTempSubdirectory("kioskpos-fleet-").FullName;
    private readonly string _repository = RepositoryRoot.Find();
    private readonly int _port = LoopbackPort.Next();

    private string Root => Path.Combine(_work, "root");

    private string Data => Path.Combine(Root, "var/lib/kioskpos");

    public void Dispose()
    {
        StopService();
        foreach (var keys in new[] { "key", "other-key" })
        {
            if (Directory.Exists(Path.Combine(_work, keys, "gnupg")))
            {
                using var kill = Process.Start(new ProcessStartInfo("gpgconf", ["--homedir", Path.Combine(_work, keys, "gnupg"), "--kill", "gpg-agent"]) { UseShellExecute = false });
                kill?.WaitForExit();
            }
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    [Trait("Category", "Package")]
    public async Task A_terminal_with_unsynced_payments_waits_then_upgrades_from_the_signed_repository_rolls_back_a_broken_version_refuses_another_key_and_a_changed_file_and_takes_a_rotated_key_from_a_signed_package()
    {
        // The province's key (outside the repository, as scripts/repo-key.sh makes it), four versions, the repository.
        var key = Path.Combine(_work, "key");
        await RunAsync("bash", [Path.Combine(_repository, "scripts/repo-key.sh")], ("KIOSKPOS_REPO_KEY_DIR", key));
        var debs = Path.Combine(_work, "debs");
        await BuildAsync(N, Service.Terminal, key, debs);
        await BuildAsync(N1, Service.Terminal, key, debs);
        await BuildAsync(N2, Service.Silent, key, debs);
        var repo = Path.Combine(_work, "repo");
        await RunAsync("bash", [Path.Combine(_repository, "scripts/repo.sh"), debs, repo], ("KIOSKPOS_REPO_KEY_DIR", key));
        foreach (var file in new[] { "InRelease", "Release.gpg", "Packages" })
        {
            Assert.True(File.Exists(Path.Combine(repo, file)), $"the repository has {file}");
        }

        // gpgv, apt's own verifier, accepts InRelease with the package's keyring and only with it.
        await RunAsync("gpgv", ["--keyring", Path.Combine(key, "public.gpg"), Path.Combine(repo, "InRelease")]);

        // Version N installed into the scratch root, as a technician installs it; its service running.
        PrepareRoot();
        await DpkgAsync("-i", Path.Combine(debs, $"kioskpos_{N}_arm64.deb"));
        Assert.Contains("Signed-By: /usr/share/keyrings/kioskpos-province.gpg", await File.ReadAllTextAsync(Path.Combine(Root, "etc/apt/sources.list.d/kioskpos.sources")), StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(key, "public.gpg")), await File.ReadAllBytesAsync(Path.Combine(Root, "usr/share/keyrings/kioskpos-province.gpg")));
        Assert.True(File.Exists(Path.Combine(Root, "lib/systemd/system/kioskpos-upgrade.timer")), "the helper's timer is installed");
        await RunAsync("sh", ["-n", Path.Combine(Root, "usr/lib/kioskpos/kioskpos-upgrade")]);
        await RestartServiceAsync();

        // The terminal's database holding one payment the province does not have yet (and its receipt to print).
        var database = TerminalSchema.Open(Path.Combine(Data, "terminal.db"));
        await SeedAsync(database);
        var payments = new PaymentStore(database, "KP-T-01", TimeProvider.System);
        var paid = await payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B1", null)], null));
        var upgrades = new UpgradeStore(database, TimeProvider.System);
        await upgrades.SetTargetAsync(new UpgradeTargetDto(N1, "pilot", "00:00", "00:00")); // as the pull keeps it

        // Not upgraded while the payment is unsynced.
        var waiting = await HelperAsync();
        Assert.Equal(0, waiting.Exit);
        Assert.Contains("not yet accepted by the province", waiting.Output, StringComparison.Ordinal);
        Assert.Equal(N, await InstalledAsync());
        Assert.Null(await new SettingsStore(database).GetAsync(UpgradeStore.LockKey));

        // Synced and printed: upgraded to N+1 from the signed repository, the data kept. (N stopped first, so that its
        // print queue does not journal the receipt's printing after the drain: the helper starts N+1 either way.)
        StopService();
        await DrainAsync(database, paid.Payment.Id);
        var upgraded = await HelperAsync();
        Assert.True(upgraded.Exit == 0, upgraded.Output);
        Assert.True(await InstalledAsync() == N1, upgraded.Output);
        Assert.Contains($"Get:1 file:{repo}", upgraded.Output, StringComparison.Ordinal);
        Assert.Equal(paid.Payment.Id, Assert.Single(await payments.ListRecentAsync(10)).Id);
        var result = await upgrades.GetResultAsync();
        Assert.Equal(("upgraded", N1), (result!.Result, result.Version));
        Assert.Null(await new SettingsStore(database).GetAsync(UpgradeStore.LockKey)); // payments taken again
        Assert.False(File.Exists(Path.Combine(Data, "upgrade", $"before-{N1}.db")), "the backup of a kept upgrade is removed");

        // A broken N+2 (its /health never answers): the backup restored, N+1 reinstalled and answering, reported.
        await upgrades.SetTargetAsync(new UpgradeTargetDto(N2, "pilot", "00:00", "00:00"));
        var broken = await HelperAsync();
        Assert.True(broken.Exit == 1, broken.Output);
        Assert.True(await InstalledAsync() == N1, broken.Output);
        Assert.Contains($"Unpacking kioskpos:arm64 ({N1}) over ({N2})", broken.Output, StringComparison.Ordinal);
        Assert.Equal(N1, await InstalledAsync());
        result = await upgrades.GetResultAsync();
        Assert.Equal(("rolled_back", N2), (result!.Result, result.Version));
        Assert.Contains("no healthy answer", result.Detail, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Data, "upgrade", $"before-{N2}.db")), "the pre-upgrade backup is kept after a rollback");
        Assert.Equal(paid.Payment.Id, Assert.Single(await payments.ListRecentAsync(10)).Id);
        using (var http = new HttpClient())
        {
            Assert.True((await http.GetAsync(new Uri($"http://127.0.0.1:{_port}/health"))).IsSuccessStatusCode, "N+1 answers again");
        }

        // The province's target stays N+2 until it changes it: the next run tries and rolls back again, never stuck.
        // Now a repository re-signed by another key, offering N+3: refused, nothing installed.
        var other = Path.Combine(_work, "other-key");
        await RunAsync("bash", [Path.Combine(_repository, "scripts/repo-key.sh")], ("KIOSKPOS_REPO_KEY_DIR", other), ("KIOSKPOS_REPO_KEY_NAME", "Someone else <other@province.invalid>"));
        await BuildAsync(N3, Service.Terminal, other, Path.Combine(_work, "debs-other"));
        await RunAsync("bash", [Path.Combine(_repository, "scripts/repo.sh"), Path.Combine(_work, "debs-other"), repo], ("KIOSKPOS_REPO_KEY_DIR", other));
        var gpgv = await RunAsync("gpgv", ["--keyring", Path.Combine(Root, "usr/share/keyrings/kioskpos-province.gpg"), Path.Combine(repo, "InRelease")], true);
        Assert.Contains("public key", gpgv, StringComparison.OrdinalIgnoreCase);
        await upgrades.SetTargetAsync(new UpgradeTargetDto(N3, "all", "00:00", "00:00"));
        var refused = await HelperAsync();
        Assert.True(refused.Exit == 1, refused.Output);
        Assert.Contains("NO_PUBKEY", refused.Output, StringComparison.Ordinal);
        Assert.Equal(N1, await InstalledAsync());
        result = await upgrades.GetResultAsync();
        Assert.Equal(("refused", N3), (result!.Result, result.Version));
        Assert.Null(await new SettingsStore(database).GetAsync(UpgradeStore.LockKey));
        Assert.False(File.Exists(Path.Combine(Data, "upgrade", $"before-{N3}.db")), "a refused attempt keeps no backup, so the next one at the same version is not stopped by it");

        // Signed by the province again, but N+3's file changed after signing (one byte, same size): apt checks it
        // against the SHA256 in the signed Packages and refuses it; nothing installed, refused reported.
        await RunAsync("bash", [Path.Combine(_repository, "scripts/repo.sh"), debs, repo], ("KIOSKPOS_REPO_KEY_DIR", key));
        var n3 = Path.Combine(repo, $"kioskpos_{N3}_arm64.deb");
        var original = await File.ReadAllBytesAsync(n3);
        var changed = original.ToArray();
        changed[^100] ^= 0xFF;
        await File.WriteAllBytesAsync(n3, changed);
        var mismatch = await HelperAsync();
        Assert.True(mismatch.Exit == 1, mismatch.Output);
        Assert.Contains("Hash Sum mismatch", mismatch.Output, StringComparison.Ordinal);
        Assert.Equal(N1, await InstalledAsync());
        Assert.Equal("refused", (await upgrades.GetResultAsync())!.Result);

        // The key rotated by a signed package: N+3 as built (it carries the other key as the province's new one), from
        // the repository signed by the current key, is installed; from then on the terminal trusts the new key only.
        await File.WriteAllBytesAsync(n3, original);
        var rotated = await HelperAsync();
        Assert.True(rotated.Exit == 0, rotated.Output);
        Assert.Equal(N3, await InstalledAsync());
        var keyring = Path.Combine(Root, "usr/share/keyrings/kioskpos-province.gpg");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(other, "public.gpg")), await File.ReadAllBytesAsync(keyring));
        Assert.Contains("public key", await RunAsync("gpgv", ["--keyring", keyring, Path.Combine(repo, "InRelease")], true), StringComparison.OrdinalIgnoreCase);
        await RunAsync("bash", [Path.Combine(_repository, "scripts/repo.sh"), Path.Combine(_work, "debs-other"), repo], ("KIOSKPOS_REPO_KEY_DIR", other));
        await RunAsync("gpgv", ["--keyring", keyring, Path.Combine(repo, "InRelease")]);
        Assert.Equal(paid.Payment.Id, Assert.Single(await payments.ListRecentAsync(10)).Id);
    }

    [Fact]
    [Trait("Category", "Package")]
    public async Task From_the_province_repository_a_version_failing_its_self_test_is_rolled_back_and_one_that_wrote_after_the_upgrade_is_stopped_with_an_alert_the_province_shows()
    {
        // The province server, its demo institutions, serving make repo's folder at /repo/ (apt fetches over HTTP
        // from its Kestrel, not from a file: URI); the terminal enrolled with it, as a technician does.
        var provincePort = LoopbackPort.Next();
        var provinceUrl = new Uri($"http://127.0.0.1:{provincePort}");
        var repo = Path.Combine(_work, "repo");
        Directory.CreateDirectory(repo);
        var province = Processes.Start("province-server/KioskPos.ProvinceServer", "kioskpos-province.dll",
            $"--urls={provinceUrl}", $"--Province:DataDirectory={_work}/province", "--Province:AdminToken=adm", "--Province:SeedDemoData=true",
            $"--FleetRepository:Directory={repo}");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await Processes.WaitHealthyAsync(http, $"{provinceUrl}health", province);
            using var admin = new HttpClient { BaseAddress = provinceUrl };
            admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "adm");

            var key = Path.Combine(_work, "key");
            await RunAsync("bash", [Path.Combine(_repository, "scripts/repo-key.sh")], ("KIOSKPOS_REPO_KEY_DIR", key));
            var debs = Path.Combine(_work, "debs");
            var repositoryUrl = $"{provinceUrl}repo/";
            await BuildAsync(N, Service.Terminal, key, debs, repositoryUrl, provinceUrl.ToString());
            await BuildAsync(N1, Service.Terminal, key, debs, repositoryUrl, provinceUrl.ToString());
            await BuildAsync(N2, Service.PrinterSilent, key, debs, repositoryUrl, provinceUrl.ToString());
            await BuildAsync(N3, Service.PrinterSilentAfterAWrite, key, debs, repositoryUrl, provinceUrl.ToString());
            await RunAsync("bash", [Path.Combine(_repository, "scripts/repo.sh"), debs, repo], ("KIOSKPOS_REPO_KEY_DIR", key));

            // The repository as the province serves it: the signed index and the packages by name, nothing else.
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(repo, "InRelease")), await http.GetStringAsync(new Uri(provinceUrl, "/repo/InRelease")));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(provinceUrl, "/repo/"))).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(provinceUrl, "/repo/..%2Fprovince%2Fprovince.db"))).StatusCode);

            PrepareRoot();
            await DpkgAsync("-i", Path.Combine(debs, $"kioskpos_{N}_arm64.deb"));
            Assert.Contains($"URIs: {repositoryUrl}", await File.ReadAllTextAsync(Path.Combine(Root, "etc/apt/sources.list.d/kioskpos.sources")), StringComparison.Ordinal);
            Directory.CreateDirectory(Data);
            await Enrolment.EnrolAsync(provinceUrl, admin, Data, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
            await RestartServiceAsync();
            await Wait.UntilAsync(async () => await AnswersAsync(http, $"http://127.0.0.1:{_port}/health"), TimeSpan.FromSeconds(60), "version N answering");
            var database = TerminalSchema.Open(Path.Combine(Data, "terminal.db"));
            var upgrades = new UpgradeStore(database, TimeProvider.System);
            var settings = new SettingsStore(database);

            // The province's pilot channel gets N+1; the terminal learns it at its pull and upgrades from the province.
            await TargetAsync(admin, settings, N1);
            var upgraded = await HelperAsync();
            Assert.True(upgraded.Exit == 0, upgraded.Output);
            Assert.Contains($"Get:1 {provinceUrl}repo ./ InRelease", upgraded.Output, StringComparison.Ordinal);
            Assert.Equal(N1, await InstalledAsync());
            Assert.True((await upgrades.GetSelfTestAsync()) is { Ok: true }, upgraded.Output);

            // N+2 answers /health but its printer does not answer: its self-test fails, it is rolled back to N+1, and
            // the result names the failed check.
            await TargetAsync(admin, settings, N2);
            var rolledBack = await HelperAsync();
            Assert.True(rolledBack.Exit == 1, rolledBack.Output);
            Assert.Equal(N1, await InstalledAsync());
            var result = await upgrades.GetResultAsync();
            Assert.Equal(("rolled_back", N2), (result!.Result, result.Version));
            Assert.StartsWith("self-test failed: printer", result.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("no healthy answer", result.Detail, StringComparison.Ordinal);
            await ReportedAsync(admin, "rolled_back", N2, "self-test failed: printer");

            // N+3 fails its self-test too, but a payment was journalled after the upgrade (the helper held the lock
            // past its hour, so the lock no longer refused payments) before it did: the backup is not restored, the
            // older binary is not run on the newer database; the lock is kept for good, N+3 is started again to report,
            // and the province's overview shows the alert.
            await TargetAsync(admin, settings, N3);
            var payments = new PaymentStore(database, "KP-THCS-ND-01", TimeProvider.System);
            var before = (await payments.ListRecentAsync(50)).Count;
            var running = HelperAsync();
            await Wait.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(_work, "serving")) || running.IsCompleted), TimeSpan.FromMinutes(2), "N+3 installed and starting");
            Assert.False(running.IsCompleted, running.IsCompleted ? (await running).Output : null);
            var held = await settings.GetAsync(UpgradeStore.LockKey);
            Assert.EndsWith(N3, held, StringComparison.Ordinal);
            await settings.SetAsync(UpgradeStore.LockKey, $"{DateTimeOffset.UtcNow.AddHours(-2):O} {N3}");
            var written = await payments.CreateAsync(new CreatePaymentCommand(null, "HS240001", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("HP-2611-HS240001", 10_000)], null));
            await File.WriteAllTextAsync(Path.Combine(_work, "go"), string.Empty);
            var stopped = await running;
            Assert.True(stopped.Exit == 2, stopped.Output);
            Assert.Contains("ALERT", stopped.Output, StringComparison.Ordinal);
            Assert.Equal(N3, await InstalledAsync()); // never the older binary
            Assert.True(File.Exists(Path.Combine(Data, "upgrade", "ALERT")), stopped.Output);
            Assert.Contains(written.Payment.Id, (await payments.ListRecentAsync(50)).Select(p => p.Id)); // not restored away
            Assert.Equal(before + 1, (await payments.ListRecentAsync(50)).Count);
            result = await upgrades.GetResultAsync();
            Assert.Equal(("stopped", N3), (result!.Result, result.Version));
            Assert.Contains("self-test failed: printer", result.Detail, StringComparison.Ordinal);
            Assert.StartsWith(UpgradeStore.AlertPrefix, await settings.GetAsync(UpgradeStore.LockKey), StringComparison.Ordinal);
            var refused = await Assert.ThrowsAsync<PaymentRefusedException>(() => new PaymentStore(database, "KP-THCS-ND-01", new LaterClock(TimeSpan.FromHours(5)))
                .CreateAsync(new CreatePaymentCommand(null, "HS240001", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("HP-2611-HS240001", 10_000)], null)));
            Assert.Equal("upgrading", refused.Refusal.Code); // hours later still: an alert's lock does not expire
            await ReportedAsync(admin, "stopped", N3, "not rolled back");

            // The technician, having decided (here: N+3 stays, the printer seen to), releases the lock with the
            // terminal's own command line: payments are taken again.
            var released = await Processes.RunTerminalCliAsync("upgrade", "end", "--data", Data, "--result", "upgraded", "--version", N3, "--detail", "kept by the technician");
            Assert.True(released.Exit == 0, released.Error);
            Assert.Null(await settings.GetAsync(UpgradeStore.LockKey));
            var again = await payments.CreateAsync(new CreatePaymentCommand(null, "HS240001", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("HP-2611-HS240001", 10_000)], null));
            Assert.Equal(PaymentState.Completed, again.Payment.State);

            // The overview, in Chromium, shows it.
            await using var browser = await Browser.LaunchAsync();
            var page = await browser.NewPageAsync();
            await page.GotoAsync(provinceUrl.ToString());
            await Browser.WaitForAddressAsync(page, Browser.SignIn);
            await page.FillAsync("input[name=username]", "tinh.admin");
            await page.FillAsync("input[name=password]", "QuanTri@2026");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForSelectorAsync("#terminals tbody tr");
            var row = await page.Locator("#terminals tbody tr", new() { HasText = "KP-THCS-ND-01" }).Locator("td").AllInnerTextsAsync();
            Assert.Equal(("pilot", N3), (row[^3], row[^2]));
            Assert.StartsWith($"Đã dừng máy, cần kỹ thuật viên / Stopped, a technician must act {N3} (", row[^1], StringComparison.Ordinal);
            Assert.Contains("self-test failed: printer", row[^1], StringComparison.Ordinal);
        }
        finally
        {
            StopService();
            await Processes.StopAsync(province);
        }
    }

    // The province's pilot channel is given the version; the terminal (on pilot) keeps it at its next pull.
    private static async Task TargetAsync(HttpClient admin, SettingsStore settings, string version)
    {
        (await admin.PutAsJsonAsync("/api/v1/admin/terminals/KP-THCS-ND-01/update-channel", new { channel = "pilot" })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/v1/admin/update-channels/pilot", new { targetVersion = version, windowStart = "00:00", windowEnd = "00:00" })).EnsureSuccessStatusCode();
        await Wait.UntilAsync(async () => (await settings.GetAsync(UpgradeStore.TargetKey))?.Contains($"\"{version}\"", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30), $"the pull naming {version}");
    }

    // The terminal's report reaches the province: its terminal list (what the overview shows) has the result.
    private static Task ReportedAsync(HttpClient admin, string outcome, string version, string detail) =>
        Wait.UntilAsync(async () =>
        {
            var terminal = (await admin.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/v1/admin/terminals"))!.Single(t => t.GetProperty("id").GetString() == "KP-THCS-ND-01");
            // Fields not reported yet are left out of the answer.
            static string? Field(System.Text.Json.JsonElement upgrade, string name) => upgrade.TryGetProperty(name, out var value) ? value.GetString() : null;
            return terminal.TryGetProperty("upgrade", out var upgrade) && upgrade.ValueKind == System.Text.Json.JsonValueKind.Object
                && Field(upgrade, "lastResult") == outcome && Field(upgrade, "lastVersion") == version
                && Field(upgrade, "lastDetail")?.Contains(detail, StringComparison.Ordinal) == true;
        }, TimeSpan.FromSeconds(90), $"the province shows {outcome} {version}");

    private static async Task<bool> AnswersAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private sealed class LaterClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }

    [Fact]
    public async Task The_upgrade_lock_is_taken_only_with_nothing_open_and_refuses_payments_while_held()
    {
        var folder = Path.Combine(_work, "db");
        var database = TerminalSchema.Open(Path.Combine(folder, "terminal.db"));
        await SeedAsync(database);
        var upgrades = new UpgradeStore(database, TimeProvider.System);
        var payments = new PaymentStore(database, "KP-T-01", TimeProvider.System);

        Assert.Equal(new UpgradeGate(false, false, null, "no version assigned"), await upgrades.BeginAsync(N));
        await upgrades.SetTargetAsync(new UpgradeTargetDto(N, "all", "00:00", "00:00"));
        Assert.False((await upgrades.BeginAsync(N)).Due); // already there

        // Outside the window: due, not now. The window is in Vietnam's time and may span midnight.
        var vietnam = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7));
        var later = vietnam.AddHours(2).ToString("HH:00", System.Globalization.CultureInfo.InvariantCulture);
        var latest = vietnam.AddHours(3).ToString("HH:00", System.Globalization.CultureInfo.InvariantCulture);
        await upgrades.SetTargetAsync(new UpgradeTargetDto(N1, "all", later, latest));
        var outside = await upgrades.BeginAsync(N);
        Assert.True(outside is { Go: false, Due: true }, outside.Reason);
        Assert.Contains("maintenance window", outside.Reason, StringComparison.Ordinal);
        Assert.True(UpgradeStore.InWindow(new UpgradeTargetDto(N1, "all", "23:00", "02:00"), new DateTimeOffset(2026, 12, 5, 17, 30, 0, TimeSpan.Zero))); // 00:30 in Vietnam
        Assert.False(UpgradeStore.InWindow(new UpgradeTargetDto(N1, "all", "23:00", "02:00"), new DateTimeOffset(2026, 12, 5, 19, 0, 0, TimeSpan.Zero))); // 02:00

        // An open VietQR payment (a QR waiting for its transfer) keeps the lock from being taken.
        await upgrades.SetTargetAsync(new UpgradeTargetDto(N1, "all", "00:00", "00:00"));
        var qr = await payments.CreateAsync(new CreatePaymentCommand(null, "HS2", null, PaymentMethod.VietQr, [new RequestedAllocation("B3", null)], null));
        Assert.Equal(PaymentState.Pending, qr.Payment.State);
        await new OutboxStore(database, TimeProvider.System).MarkSentAsync(new PushResponse(qr.Payment.Sequence, [new PushEntryResult(qr.Payment.Sequence, "accepted", null, null, null, [], [])]));
        var open = await upgrades.BeginAsync(N);
        Assert.False(open.Go);
        Assert.Contains("payments open", open.Reason, StringComparison.Ordinal);
        await payments.ExpireAsync(qr.Payment.Id, "test");
        await DrainAsync(database);

        // Nothing open: the lock is taken, and a payment is refused while it is held (not half-taken).
        var gate = await upgrades.BeginAsync(N);
        Assert.True(gate.Go, gate.Reason);
        var refused = await Assert.ThrowsAsync<PaymentRefusedException>(() => payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B1", null)], null)));
        Assert.Equal("upgrading", refused.Refusal.Code);
        Assert.StartsWith("Máy đang cập nhật", refused.Refusal.Vietnamese, StringComparison.Ordinal);
        Assert.DoesNotContain(await payments.ListRecentAsync(10), p => p.State == PaymentState.Completed);

        // Released with its result: payments again.
        await upgrades.EndAsync("upgraded", N1, "from 1.0.0");
        await payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B1", null)], null));

        // A rollback restores the backup only when nothing was journalled after it.
        var backup = Path.Combine(folder, "before.db");
        var cli = await Processes.RunTerminalCliAsync("backup", "--data", folder, "--to", backup);
        Assert.True(cli.Exit == 0, cli.Error);
        Assert.Equal(RestoreOutcome.Restored, await UpgradeStore.RestoreAsync(Path.Combine(folder, "terminal.db"), backup));
        await payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B2", 100_000)], null));
        var written = await Processes.RunTerminalCliAsync("upgrade", "restore", "--data", folder, "--backup", backup);
        Assert.Equal(5, written.Exit);
        Assert.Equal(2, (await payments.ListRecentAsync(10)).Count(p => p.State == PaymentState.Completed)); // nothing lost
    }

    // Everything printed (the receipt's printing is journalled too), then everything accepted by the province.
    private static async Task DrainAsync(SqliteDatabase database, string? receiptOf = null)
    {
        var printQueue = new PrintQueueStore(database, TimeProvider.System);
        while (await printQueue.NextAsync() is { } job)
        {
            await printQueue.MarkPrintedAsync(job.Id, "printed", job.Kind == "receipt" ? receiptOf : null);
        }

        var outbox = new OutboxStore(database, TimeProvider.System);
        var pending = await outbox.GetPendingAsync(100, 1_000_000);
        if (pending.Count > 0)
        {
            await outbox.MarkSentAsync(new PushResponse(pending[^1].Sequence, [.. pending.Select(e => new PushEntryResult(e.Sequence, "accepted", null, null, null, [], []))]));
        }
    }

    private static async Task SeedAsync(SqliteDatabase database)
    {
        await database.MigrateAsync();
        await new CatalogueStore(database).ApplyPullAsync(new PullResponse(
            "e.1", Full: true, HasMore: false,
            new InstitutionDto("I1", "Trường THCS Nguyễn Du", "lower_secondary", "Mỹ Tho", "970436", "1023456789", "TRUONG THCS NGUYEN DU", "Vietcombank"),
            [new AccountDto("HS1", "pupil", "Nguyễn Minh Anh", "6A", 500_000, false, ["04A1B2C3"], 1), new AccountDto("HS2", "pupil", "Trần Thị Bảo Ngọc", "6A", 100_000, false, ["04D4E5F6"], 2)],
            [
                new BillDto("B1", "HS1", "hoc_phi", "Học phí tháng 12/2026", new DateOnly(2026, 12, 31), 150_000, 0, [new BillLineDto("Học phí", 1, 150_000, 150_000)], 3),
                new BillDto("B2", "HS1", "ban_tru", "Bán trú tháng 12/2026", new DateOnly(2026, 12, 31), 300_000, 0, [new BillLineDto("Tiền ăn", 12, 25_000, 300_000)], 4),
                new BillDto("B3", "HS2", "hoc_phi", "Học phí tháng 12/2026", new DateOnly(2026, 12, 31), 150_000, 0, [], 5),
            ],
            DateTimeOffset.UtcNow,
            QrTag: 7));
    }

    /// <summary>What a stand-in package runs as the terminal's service.</summary>
    private enum Service
    {
        /// <summary>The real terminal (built beside the tests, simulated devices): it answers /health and passes its self-test.</summary>
        Terminal,

        /// <summary>Nothing answers /health: a version that does not start.</summary>
        Silent,

        /// <summary>The real terminal with a printer that does not answer (nothing listens at its address): /health answers, the self-test fails.</summary>
        PrinterSilent,

        /// <summary>As <see cref="PrinterSilent"/>, started only once the test has written to the database after the upgrade (the file <c>go</c>).</summary>
        PrinterSilentAfterAWrite,
    }

    // A package of the real layout (make deb's script) around a stand-in program: the real terminal's command line
    // for every subcommand; run as the service, as <paramref name="service"/> says.
    private async Task BuildAsync(string version, Service service, string key, string output, string? repositoryUrl = null, string? province = null)
    {
        var published = Path.Combine(_work, $"published-{version}");
        Directory.CreateDirectory(published);
        var cli = Path.Combine(_repository, "kiosk-app/KioskPos.Terminal/bin", new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0/kioskpos-terminal.dll");
        Assert.True(File.Exists(cli), $"{cli} is not built");
        var terminal = $"exec dotnet '{cli}' --urls=http://127.0.0.1:{_port} '--Terminal:DataDirectory={Data}' --Hardware:AllowSimulated=true --ProvinceServer:Interval=00:00:01"
            + (province is null ? " --ProvinceServer:BaseUrl=http://127.0.0.1:9/" : $" --ProvinceServer:BaseUrl={province}");
        var silentPrinter = $" --Hardware:Printer=tcp:127.0.0.1:{LoopbackPort.Next()}";
        var run = service switch
        {
            Service.Terminal => terminal,
            Service.Silent => "exec sleep 3600",
            Service.PrinterSilent => terminal + silentPrinter,
            _ => $"touch '{_work}/serving'\nwhile [ ! -e '{_work}/go' ]; do sleep 0.2; done\n{terminal}{silentPrinter}",
        };
        var program = Path.Combine(published, "kioskpos-terminal");
        await File.WriteAllTextAsync(program, $"#!/bin/sh\n# stand-in for kioskpos-terminal {version}\nif [ \"${{1:-}}\" != serve ]; then exec dotnet '{cli}' \"$@\"; fi\n{run}\n");
        File.SetUnixFileMode(program, (UnixFileMode)0b111_101_101);
        await RunAsync("bash", [Path.Combine(_repository, "scripts/deb.sh"), published, output],
            ("KIOSKPOS_VERSION", version), ("KIOSKPOS_DEB_COMPRESSION", "gzip"), ("KIOSKPOS_REPO_KEY_DIR", key), ("KIOSKPOS_REPO_URL", repositoryUrl ?? $"file:{Path.Combine(_work, "repo")}/"));
    }

    // A dpkg database in which the package's dependencies stand installed, and apt's configuration pointing at it.
    private void PrepareRoot()
    {
        foreach (var folder in new[] { "var/lib/dpkg/updates", "var/lib/dpkg/info", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "etc/apt/apt.conf.d", "etc/apt/preferences.d", "var/log/apt" })
        {
            Directory.CreateDirectory(Path.Combine(Root, folder));
        }

        File.WriteAllText(Path.Combine(Root, "var/lib/dpkg/status"), string.Concat(
            new[] { "adduser", "cage", "chromium", "fonts-noto-core", "espeak-ng", "alsa-utils", "tzdata", "libc6", "libstdc++6", "libicu72", "libgpiod2" }
                .Select(p => $"Package: {p}\nStatus: install ok installed\nArchitecture: arm64\nVersion: 99\nMaintainer: stand-in\nDescription: stand-in\n\n")));
        var dpkg = Path.Combine(_work, "dpkg");
        File.WriteAllText(dpkg, $"#!/bin/sh\nexec dpkg --root='{Root}' --admindir='{Root}/var/lib/dpkg' --force-script-chrootless --force-not-root --force-architecture --log=/dev/null \"$@\"\n");
        File.SetUnixFileMode(dpkg, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(_work, "apt.conf"), string.Join('\n',
            $"Dir \"{Root}/\";", $"Dir::State::status \"{Root}/var/lib/dpkg/status\";", $"Dir::Bin::dpkg \"{dpkg}\";",
            "APT::Architecture \"arm64\";", "APT::Architectures { \"arm64\"; };", "Debug::NoLocking \"true\";", $"APT::Sandbox::User \"{Environment.UserName}\";",
            "DPkg::Use-Pty \"false\";", "Dir::Log::Terminal \"/dev/null\";", string.Empty));
        File.WriteAllText(Path.Combine(_work, "restart"), $"#!/bin/sh\n[ -f '{_work}/service.pid' ] && kill $(cat '{_work}/service.pid') 2>/dev/null\nsetsid '{Root}/opt/kioskpos/kioskpos-terminal' serve </dev/null >/dev/null 2>&1 &\necho $! > '{_work}/service.pid'\n");
        File.WriteAllText(Path.Combine(_work, "stop"), $"#!/bin/sh\n[ -f '{_work}/service.pid' ] && kill $(cat '{_work}/service.pid') 2>/dev/null; rm -f '{_work}/service.pid'\n");
        File.SetUnixFileMode(Path.Combine(_work, "restart"), (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(_work, "stop"), (UnixFileMode)0b111_101_101);
    }

    private Task RestartServiceAsync() => RunAsync(Path.Combine(_work, "restart"), []);

    private void StopService()
    {
        var pid = Path.Combine(_work, "service.pid");
        if (File.Exists(pid) && int.TryParse(File.ReadAllText(pid).Trim(), out var id))
        {
            try
            {
                using var process = Process.GetProcessById(id);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }
    }

    // The real helper, against the scratch root: apt and dpkg through their own variables, the service by the scripts above.
    private async Task<(int Exit, string Output)> HelperAsync()
    {
        SqliteConnection.ClearAllPools();
        var start = new ProcessStartInfo("sh", [Path.Combine(Root, "usr/lib/kioskpos/kioskpos-upgrade")]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in new[]
        {
            ("KIOSKPOS_ROOT", Root), ("KIOSKPOS_RUN_AS", ""), ("KIOSKPOS_RESTART", Path.Combine(_work, "restart")), ("KIOSKPOS_STOP", Path.Combine(_work, "stop")),
            ("KIOSKPOS_HEALTH_URL", $"http://127.0.0.1:{_port}/health"), ("KIOSKPOS_HEALTH_SECONDS", "40"), ("APT_CONFIG", Path.Combine(_work, "apt.conf")), ("DPKG_ADMINDIR", Path.Combine(Root, "var/lib/dpkg")),
        })
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private async Task<string> InstalledAsync() =>
        (await RunAsync("dpkg-query", ["--admindir=" + Path.Combine(Root, "var/lib/dpkg"), "-W", "-f=${Version}", "kioskpos"])).Trim();

    private Task<string> DpkgAsync(params string[] args) => RunAsync(Path.Combine(_work, "dpkg"), args);

    private static Task<string> RunAsync(string command, string[] args, params (string Name, string Value)[] environment) => RunAsync(command, args, false, environment);

    private static async Task<string> RunAsync(string command, string[] args, bool expectFailure, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True((process.ExitCode == 0) != expectFailure, $"{command} {string.Join(' ', args)} exited {process.ExitCode}: {await error}{await output}");
        return await output + await error;
    }
}
