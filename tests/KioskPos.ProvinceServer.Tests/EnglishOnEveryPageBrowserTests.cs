using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// "Vietnamese first, English available" on the province's pages, in Debian's Chromium: the sign-in, the overview, the
/// plan report, the reconciliation, the imports and the bank simulator show Vietnamese and English side by side, and no
/// Vietnamese text without its English beside it, outside data (institutions', communes' and people's names, plans,
/// bill titles, marked data-data in the markup). The charts are images and not read here.
/// </summary>
public sealed class EnglishOnEveryPageBrowserTests
{
    [Fact]
    [Trait("Category", "Browser")]
    public async Task Every_signed_in_page_shows_English_beside_every_Vietnamese_text()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(new Uri(province.BaseUrl, "/").ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.WaitForFunctionAsync("document.querySelector('button[type=submit]').textContent.length > 0");
        // Vietnamese first: the sign-in's heading in Vietnamese.
        Assert.Contains(await page.InnerTextAsync("h1"), Wording.IsVietnameseLetter);
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the sign-in shows Vietnamese without English");
        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "QuanTri@2026");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#terminals tbody tr, #institutions tbody tr");
        await page.WaitForSelectorAsync("#institutions tbody tr");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the overview shows Vietnamese without English");

        await page.GotoAsync(new Uri(province.BaseUrl, "/report").ToString());
        await page.WaitForSelectorAsync("#institutions tbody tr");
        await page.WaitForSelectorAsync("#communes tbody tr");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the plan report shows Vietnamese without English");

        var to = DateTime.UtcNow.AddHours(7);
        await page.GotoAsync(new Uri(province.BaseUrl, $"/reconciliation?from=2026-11-01&to={to:yyyy-MM-dd}").ToString());
        await page.WaitForSelectorAsync("#days tbody tr");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the reconciliation shows Vietnamese without English");

        await page.GotoAsync(new Uri(province.BaseUrl, "/imports").ToString());
        await page.WaitForSelectorAsync("#statement select[name=connection] option", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the imports page shows Vietnamese without English");

        await page.GotoAsync(new Uri(province.BaseUrl, "/bank-sim").ToString());
        await page.WaitForFunctionAsync("document.querySelector('form button') && document.querySelector('form button').textContent.length > 0");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the bank simulator shows Vietnamese without English");

        Assert.Empty(errors);
    }
}
