using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Fleet updates on the province (issue 28): channels with a target version and window, terminals on channels, the
/// target in each terminal's pull, the upgrade result in its report, all of it on the overview's terminal list;
/// the pilot channel gets the new version before the rest.
/// </summary>
public class FleetUpdateTests
{
    [Fact]
    public Task A_pilot_channel_gets_the_new_version_first_and_the_overview_shows_versions_targets_and_results() => PilotFirstAsync(ProvinceEngine.Sqlite);

    [Fact]
    [Trait("Category", "Postgres")]
    public Task A_pilot_channel_gets_the_new_version_first_on_PostgreSQL() => PilotFirstAsync(ProvinceEngine.Postgres);

    private static async Task PilotFirstAsync(ProvinceEngine engine)
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var pilot = await province.SignedClientAsync("KP-THCS-ND-01", "TG-THCS-NGUYENDU");
        using var other = await province.SignedClientAsync("KP-TTYT-CT-01", "TG-TTYT-CHAUTHANH");

        // No target yet: the pull carries none.
        Assert.Null((await PullAsync(pilot)).Upgrade);

        // The school's terminal on the pilot channel; 1.1.0 for the pilot, all stays on 1.0.0.
        Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsJsonAsync("/api/v1/admin/terminals/KP-THCS-ND-01/update-channel", new { channel = "pilot" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsJsonAsync("/api/v1/admin/update-channels/all", new { targetVersion = "1.0.0", windowStart = "01:00", windowEnd = "05:00" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsJsonAsync("/api/v1/admin/update-channels/pilot", new { targetVersion = "1.1.0", windowStart = "23:00", windowEnd = "02:00" })).StatusCode);

        Assert.Equal(new UpgradeTargetDto("1.1.0", "pilot", "23:00", "02:00"), (await PullAsync(pilot)).Upgrade);
        Assert.Equal(new UpgradeTargetDto("1.0.0", "all", "01:00", "05:00"), (await PullAsync(other)).Upgrade);
        var channels = await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/update-channels");
        Assert.Equal(1, channels!.Single(c => c.GetProperty("name").GetString() == "pilot").GetProperty("terminals").GetInt32());

        // The pilot terminal reports the result of its upgrade; the other one a rollback.
        var at = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await pilot.PostAsJsonAsync(SyncProtocol.ReportPath, new TerminalReportDto("1.1.0", 30, 0, null, "ready", null, new UpgradeResultDto("upgraded", "1.1.0", "from 1.0.0", at)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync(SyncProtocol.ReportPath, new TerminalReportDto("0.9.0", 29, 0, null, "ready", null, new UpgradeResultDto("rolled_back", "1.0.0", "no healthy answer within 120 s", at)))).StatusCode);

        var terminals = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/terminals"))!;
        var school = terminals.Single(t => t.GetProperty("id").GetString() == "KP-THCS-ND-01");
        Assert.Equal("1.1.0", school.GetProperty("version").GetString());
        Assert.Equal(("pilot", "1.1.0", "upgraded"), (school.GetProperty("upgrade").GetProperty("channel").GetString(), school.GetProperty("upgrade").GetProperty("targetVersion").GetString(), school.GetProperty("upgrade").GetProperty("lastResult").GetString()));
        var hospital = terminals.Single(t => t.GetProperty("id").GetString() == "KP-TTYT-CT-01");
        Assert.Equal(("all", "1.0.0", "rolled_back", "1.0.0"), (hospital.GetProperty("upgrade").GetProperty("channel").GetString(), hospital.GetProperty("upgrade").GetProperty("targetVersion").GetString(),
            hospital.GetProperty("upgrade").GetProperty("lastResult").GetString(), hospital.GetProperty("upgrade").GetProperty("lastVersion").GetString()));
        Assert.Equal("0.9.0", hospital.GetProperty("version").GetString());

        // Then all: the other terminal's next pull names 1.1.0 too.
        Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsJsonAsync("/api/v1/admin/update-channels/all", new { targetVersion = "1.1.0", windowStart = "01:00", windowEnd = "05:00" })).StatusCode);
        Assert.Equal("1.1.0", (await PullAsync(other)).Upgrade!.Version);
    }

    [Fact]
    public async Task Bad_fields_are_a_400_naming_them_and_only_the_administrator_may_assign()
    {
        await using var province = await ProvinceHost.StartAsync();
        foreach (var (path, body, field) in new (string, object, string)[]
        {
            ("/api/v1/admin/update-channels/pilot", new { targetVersion = "latest", windowStart = "01:00", windowEnd = "05:00" }, "targetVersion"),
            ("/api/v1/admin/update-channels/pilot", new { targetVersion = "1.1.0", windowStart = "25:00", windowEnd = "05:00" }, "windowStart"),
            ("/api/v1/admin/update-channels/pilot", new { targetVersion = "1.1.0", windowStart = "01:00" }, "windowEnd"),
            ("/api/v1/admin/update-channels/Pilot%20Group", new { targetVersion = "1.1.0", windowStart = "01:00", windowEnd = "05:00" }, "name"),
            ("/api/v1/admin/terminals/KP-THCS-ND-01/update-channel", new { channel = "nowhere" }, "channel"),
            ("/api/v1/admin/terminals/KP-THCS-ND-01/update-channel", new { }, "channel"),
        })
        {
            using var response = await province.Admin.PutAsJsonAsync(path, body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.StartsWith($"{field}:", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var malformed = await province.Admin.PutAsync("/api/v1/admin/update-channels/pilot", new StringContent("{", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await province.Admin.PutAsJsonAsync("/api/v1/admin/terminals/KP-NONE/update-channel", new { channel = "pilot" })).StatusCode);

        using var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.PutAsJsonAsync("/api/v1/admin/update-channels/all", new { targetVersion = "9.9.9", windowStart = "00:00", windowEnd = "00:00" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.PutAsJsonAsync("/api/v1/admin/terminals/KP-THCS-ND-01/update-channel", new { channel = "pilot" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.GetAsync("/api/v1/admin/update-channels")).StatusCode);
        Assert.Null(await province.ScalarAsync("SELECT target_version FROM update_channels WHERE name = 'all'"));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_overview_shows_each_terminals_version_channel_target_and_last_upgrade()
    {
        await using var province = await ProvinceHost.StartAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsJsonAsync("/api/v1/admin/terminals/KP-THCS-ND-01/update-channel", new { channel = "pilot" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsJsonAsync("/api/v1/admin/update-channels/pilot", new { targetVersion = "1.1.0", windowStart = "01:00", windowEnd = "05:00" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await province.Admin.PutAsJsonAsync("/api/v1/admin/update-channels/all", new { targetVersion = "1.0.0", windowStart = "01:00", windowEnd = "05:00" })).StatusCode);
        using (var terminal = await province.SignedClientAsync())
        {
            Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsJsonAsync(SyncProtocol.ReportPath, new TerminalReportDto("1.0.0", 30, 0, null, "ready", null,
                new UpgradeResultDto("rolled_back", "1.1.0", "no healthy answer within 120 s", DateTimeOffset.UtcNow)))).StatusCode);
        }

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(province.BaseUrl, "/").ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "QuanTri@2026");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#terminals tbody tr");
        var heading = await page.Locator("#terminals thead th").AllInnerTextsAsync();
        Assert.Equal(["Kênh cập nhật\nUpdate channel", "Phiên bản đích\nTarget version", "Lần nâng cấp gần nhất\nLast upgrade"], heading.TakeLast(3)); // the English below each
        var school = await page.Locator("#terminals tbody tr", new() { HasText = "KP-THCS-ND-01" }).Locator("td").AllInnerTextsAsync();
        Assert.Equal("1.0.0", school[5]);
        Assert.Equal(("pilot", "1.1.0"), (school[^3], school[^2]));
        Assert.StartsWith("Đã quay lại bản cũ / Rolled back 1.1.0 (", school[^1], StringComparison.Ordinal);
        Assert.EndsWith("no healthy answer within 120 s", school[^1], StringComparison.Ordinal);
        var hospital = await page.Locator("#terminals tbody tr", new() { HasText = "KP-TTYT-CT-01" }).Locator("td").AllInnerTextsAsync();
        Assert.Equal(("all", "1.0.0", "–"), (hospital[^3], hospital[^2], hospital[^1]));
        await Browser.ShotAsync(page, "province-overview-fleet", fullPage: true);
    }

    [Fact]
    public async Task The_repository_is_served_only_when_configured_and_only_its_files_by_name()
    {
        // Off by default: no /repo/ at all.
        await using (var plain = await ProvinceHost.StartAsync())
        {
            Assert.Equal(HttpStatusCode.NotFound, (await plain.Admin.GetAsync("/repo/InRelease")).StatusCode);
        }

        // A folder as make repo leaves it, with a file beside it that is not the repository's.
        var folder = Directory.CreateTempSubdirectory("kioskpos-repo-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "InRelease"), "-----BEGIN PGP SIGNED MESSAGE-----\nOrigin: KioskPos\n");

            // Published an hour ago: an If-Modified-Since after it is then in the past, as apt's is. Written just now, the
            // test's date (a second after the file's) could lie ahead of the server's clock, and a date in the future is
            // ignored by the server as HTTP says (CI saw 200 instead of 304).
            File.SetLastWriteTimeUtc(Path.Combine(folder, "InRelease"), DateTime.UtcNow.AddHours(-1));
            var deb = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
            await File.WriteAllBytesAsync(Path.Combine(folder, "kioskpos_1.2.3_arm64.deb"), deb);
            await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not for terminals");
            Directory.CreateDirectory(Path.Combine(folder, "private"));
            await File.WriteAllTextAsync(Path.Combine(folder, "private", "Packages"), "hidden");

            await using var province = await ProvinceHost.StartAsync(settings: [$"--FleetRepository:Directory={folder}"]);
            using var anonymous = new HttpClient { BaseAddress = province.BaseUrl };
            Assert.Equal("-----BEGIN PGP SIGNED MESSAGE-----\nOrigin: KioskPos\n", await anonymous.GetStringAsync("/repo/InRelease"));
            using (var package = await anonymous.GetAsync("/repo/kioskpos_1.2.3_arm64.deb"))
            {
                Assert.Equal(HttpStatusCode.OK, package.StatusCode);
                Assert.Equal("application/vnd.debian.binary-package", package.Content.Headers.ContentType!.MediaType);
                Assert.Equal(deb, await package.Content.ReadAsByteArrayAsync());
            }

            // apt resumes a partial download with a range, and asks again with If-Modified-Since.
            using (var range = new HttpRequestMessage(HttpMethod.Get, "/repo/kioskpos_1.2.3_arm64.deb"))
            {
                range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(4000, null);
                using var partial = await anonymous.SendAsync(range);
                Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
                Assert.Equal(deb[4000..], await partial.Content.ReadAsByteArrayAsync());
            }

            using (var again = new HttpRequestMessage(HttpMethod.Get, "/repo/InRelease"))
            {
                again.Headers.IfModifiedSince = File.GetLastWriteTimeUtc(Path.Combine(folder, "InRelease")).AddSeconds(1);
                Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);
            }

            // Nothing else: no listing, no other file, nothing outside the folder or under it, no writing.
            foreach (var path in new[] { "/repo/", "/repo", "/repo/notes.txt", "/repo/private/Packages", "/repo/private%2FPackages", "/repo/..%2Fnotes.txt", "/repo/kioskpos_1.2.3_arm64.deb.partial", "/repo/Packages" })
            {
                using var response = await anonymous.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            }

            using var put = await anonymous.PutAsync("/repo/InRelease", new StringContent("forged"));
            Assert.True(put.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, $"PUT: {(int)put.StatusCode}");
            Assert.StartsWith("-----BEGIN PGP", await File.ReadAllTextAsync(Path.Combine(folder, "InRelease")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_terminal_stopped_with_an_alert_is_shown_as_stopped()
    {
        await using var province = await ProvinceHost.StartAsync();
        using (var terminal = await province.SignedClientAsync())
        {
            Assert.Equal(HttpStatusCode.OK, (await terminal.PostAsJsonAsync(SyncProtocol.ReportPath, new TerminalReportDto("1.1.0", 31, 1, DateTimeOffset.UtcNow, "ready", null,
                new UpgradeResultDto("stopped", "1.1.0", "not rolled back, written after the upgrade: self-test failed: printer", DateTimeOffset.UtcNow)))).StatusCode);
        }

        var school = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/terminals"))!.Single(t => t.GetProperty("id").GetString() == "KP-THCS-ND-01");
        Assert.Equal(("stopped", "1.1.0"), (school.GetProperty("upgrade").GetProperty("lastResult").GetString(), school.GetProperty("upgrade").GetProperty("lastVersion").GetString()));
        Assert.Equal("Đã dừng máy, cần kỹ thuật viên", KioskPos.Core.Text.Messages.Vi("province.upgrade.stopped"));
    }

    private static async Task<PullResponse> PullAsync(HttpClient terminal) =>
        (await terminal.GetFromJsonAsync(SyncProtocol.PullPath, ContractsJsonContext.Default.PullResponse))!;
}
