using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KioskPos.ProvinceServer.Tests.EInvoices;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>
/// The plan report writes a share as Vietnamese does beside amounts of 1.250.000 ₫: a decimal comma and a space before
/// the sign (48,6 %), on the page and in its charts; and an institution's accountant sees only links it can open (the
/// JSON link named the administrator's <c>/api/v1/admin/report/plan</c>, which answers it 403).
/// </summary>
public sealed partial class ReportPercentAndLinksTests
{
    /// <summary>A share as the Vietnamese report writes it: at most one decimal, a comma, a space, %.</summary>
    internal static string Vietnamese(double percent) =>
        (Math.Round(percent * 10, MidpointRounding.AwayFromZero) / 10).ToString("0.#", CultureInfo.InvariantCulture).Replace('.', ',') + " %";

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_an_accountants_report_writes_shares_with_a_decimal_comma_and_links_only_what_it_opens()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        await f.PayAsync("HP-2611-HS240001", 150_000);
        using var accountant = await f.Province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        var view = await accountant.GetFromJsonAsync<JsonElement>("/api/v1/report/plan");

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(new Uri(f.Province.BaseUrl, "/report").ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", "ketoan.nguyendu");
        await page.FillAsync("input[name=password]", "KeToan@2026");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForFunctionAsync("document.querySelector('#value .share').textContent.length > 0");

        Assert.Equal(Vietnamese(view.GetProperty("valueSharePercent").GetDouble()), await page.InnerTextAsync("#value .share"));
        Assert.Equal(Vietnamese(view.GetProperty("valueTargetPercent").GetDouble()), await page.InnerTextAsync("#value .target"));
        var count = await page.InnerTextAsync("#count");
        Assert.Contains(Vietnamese(view.GetProperty("countSharePercent").GetDouble()), count, StringComparison.Ordinal);
        Assert.Contains(Vietnamese(view.GetProperty("countTargetPercent").GetDouble()), count, StringComparison.Ordinal);
        var text = await page.InnerTextAsync("main");
        Assert.DoesNotMatch(DotPercent(), text);
        Assert.Contains(" %", text, StringComparison.Ordinal);

        // Every link on the page opens for the accountant signed in (the page's own session).
        var links = await page.EvaluateAsync<string[]>("Array.from(document.querySelectorAll('a[href]:not([hidden])')).map(a => a.getAttribute('href'))");
        Assert.Contains(links, l => l.StartsWith("/api/v1/report/plan?", StringComparison.Ordinal));
        foreach (var link in links.Where(l => l.StartsWith('/')))
        {
            var status = await page.EvaluateAsync<int>("async url => (await fetch(url, { credentials: 'same-origin' })).status", link);
            Assert.True(status == 200, $"{link}: {status}");
        }

        // The charts speak the same Vietnamese.
        var chart = await accountant.GetStringAsync("/api/v1/report/plan/value.svg");
        Assert.DoesNotMatch(DotPercent(), chart);
        Assert.Contains(" %", chart, StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData(48.6, "48,6 %")]
    [InlineData(50, "50 %")]
    [InlineData(12.24, "12,2 %")]
    [InlineData(99.96, "100 %")]
    [InlineData(0, "0 %")]
    public void The_charts_write_a_share_with_Vietnameses_decimal_comma_whatever_the_servers_culture(double share, string written)
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");
            Assert.Equal(written, KioskPos.ProvinceServer.Apis.PlanCharts.Percent(share));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    // A share written the English way: digits, a point, digits, then % (48.6%) or digits then % with no space.
    [GeneratedRegex(@"\d\.\d+ ?%|\d%")]
    private static partial Regex DotPercent();
}
