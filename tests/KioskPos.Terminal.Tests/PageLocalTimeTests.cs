using System.Globalization;
using System.Text.RegularExpressions;
using KioskPos.Core.Text;
using KioskPos.Storage;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal's own pages show a moment as its receipts print it: the wall clock of the terminal's time zone
/// (<c>Terminal:TimeZone</c>, Vietnam's by default), <c>HH:mm:ss dd/MM</c> — not the UTC the database keeps, nor raw
/// ISO text.
/// </summary>
public sealed class PageLocalTimeTests
{
    private static readonly TimeZoneInfo s_vietnam = LocalTime.Resolve(LocalTime.VietnamZoneId);

    [Fact]
    public async Task The_status_page_shows_the_last_successful_sync_in_the_terminals_time_zone()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province); // synced once before it answers

        var home = await terminal.Http.GetStringAsync("/");
        var label = Regex.Escape(Messages.Vi("terminal.status.lastSuccess") + " / " + Messages.En("terminal.status.lastSuccess")); // both languages, as every label there
        var shown = Regex.Match(home, label + @": (\d\d:\d\d:\d\d \d\d/\d\d)");
        Assert.True(shown.Success, home);
        AssertNearVietnamNow(shown.Groups[1].Value);
    }

    /// <summary>Asserts <paramref name="shown"/> (<c>HH:mm:ss dd/MM</c>) is within a few minutes of now in Vietnam (UTC+7): UTC's reading is 7 hours off.</summary>
    internal static void AssertNearVietnamNow(string shown)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, s_vietnam).DateTime;
        var read = DateTime.ParseExact(shown.Trim(), "HH:mm:ss dd/MM", CultureInfo.InvariantCulture);
        read = new DateTime(local.Year, read.Month, read.Day, read.Hour, read.Minute, read.Second, DateTimeKind.Unspecified);
        Assert.True(Math.Abs((local - read).TotalMinutes) < 5, $"shown {shown}, Vietnam's time now {local:HH:mm:ss dd/MM}");
    }
}

/// <summary><c>/tech</c> in Chromium: the last sync as the terminal's local time, not the API's ISO text.</summary>
public sealed class TechPageLocalTimeTests : TerminalBrowserTest
{
    protected override bool StartsOnline => false;

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_tech_page_shows_the_last_sync_as_the_terminals_local_time()
    {
        await Terminal.StaffAsync(StaffRole.Technician);
        var page = await OpenAsync("/tech");
        await page.WaitForSelectorAsync("#login:not([hidden])");
        await page.FillAsync("#sid", "kt01");
        await page.FillAsync("#spin", "864271");
        await page.ClickAsync("#signin");
        await page.WaitForSelectorAsync("#tech:not([hidden])");
        await page.WaitForFunctionAsync("document.getElementById('terminal').rows.length > 0");

        var label = Messages.Vi("tech.row.lastSync") + " / " + Messages.En("tech.row.lastSync");
        var shown = await page.EvaluateAsync<string>(
            "label => Array.from(document.getElementById('terminal').rows).filter(r => r.cells[0].textContent === label).map(r => r.cells[1].textContent)[0] || ''", label);
        Assert.Matches(@"^\d\d:\d\d:\d\d \d\d/\d\d$", shown);
        PageLocalTimeTests.AssertNearVietnamNow(shown);
    }
}
