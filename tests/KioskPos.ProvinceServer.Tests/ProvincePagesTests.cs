using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KioskPos.Core.Text;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The province server's pages are embedded files that read the JSON API: every catalogue key they name exists, the
/// files and their texts are served, and in a browser the pages fill in (signed in through the sign-in form).
/// </summary>
public sealed partial class ProvincePagesTests
{
    [Fact]
    public void Every_catalogue_key_the_pages_name_exists()
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "province-server", "KioskPos.ProvinceServer", "wwwroot");
        var keys = Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .SelectMany(file => KeyPattern().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Where(key => !key.EndsWith('.') && !key.Contains('$', StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.True(Messages.All.ContainsKey(key), $"the pages name '{key}', which the catalogue lacks"));
    }

    [Fact]
    public async Task Pages_assets_and_texts_are_served_with_their_types()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var anyone = new HttpClient { BaseAddress = province.BaseUrl };
        using (var css = await anyone.GetAsync("/css/province.css"))
        {
            Assert.Equal((HttpStatusCode.OK, "text/css"), (css.StatusCode, css.Content.Headers.ContentType!.MediaType));
        }

        using (var login = await anyone.GetAsync("/login"))
        {
            Assert.Equal((HttpStatusCode.OK, "text/html"), (login.StatusCode, login.Content.Headers.ContentType!.MediaType));
            Assert.Contains("/js/login.js", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await anyone.GetAsync("/js/nothing.js")).StatusCode);
        var texts = await anyone.GetFromJsonAsync<JsonElement>("/api/v1/province/messages");
        Assert.All(texts.EnumerateObject(), p => Assert.StartsWith("province.", p.Name, StringComparison.Ordinal));
        Assert.Equal("Trung học cơ sở", texts.GetProperty("province.geo.type.lower_secondary").GetProperty("vi").GetString());
        Assert.False((await anyone.GetFromJsonAsync<JsonElement>("/api/v1/province/session")).GetProperty("signedIn").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anyone.GetAsync("/api/v1/report/plan/types.svg")).StatusCode);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_administrator_signs_in_and_the_overview_and_report_fill_in()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(province.BaseUrl, "/report").ToString());
        await page.WaitForURLAsync("**/login?return=*");
        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "sai-mat-khau");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#error:not([hidden])");
        Assert.Contains("Sai tên đăng nhập hoặc mật khẩu", await page.InnerTextAsync("#error"), StringComparison.Ordinal);

        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "QuanTri@2026");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/report", Committed);
        await page.WaitForSelectorAsync("#institutions tbody tr");
        Assert.Contains("Trường THCS Nguyễn Du", await page.InnerTextAsync("#institutions"), StringComparison.Ordinal);
        foreach (var chart in new[] { "value-chart", "types-chart", "trend-chart", "behind-chart" })
        {
            await page.WaitForFunctionAsync($"document.getElementById('{chart}').complete && document.getElementById('{chart}').naturalWidth > 0");
        }

        // Today's communes, the type's name of 2026 (not the code, not the district health centre of before 2025),
        // the plan read against and its units; the old districts shown for the 2022 plan.
        var communes = await page.InnerTextAsync("#communes");
        Assert.Contains("Phường Mỹ Tho", communes, StringComparison.Ordinal);
        Assert.Contains("Xã Châu Thành", communes, StringComparison.Ordinal);
        var report = await page.InnerTextAsync("#institutions");
        Assert.Contains("Trung tâm y tế khu vực", report, StringComparison.Ordinal);
        Assert.DoesNotContain("district_health_centre", report, StringComparison.Ordinal);
        Assert.Contains("236/KH-UBND", await page.InnerTextAsync("#plan-line"), StringComparison.Ordinal);
        Assert.Contains("giao dịch", await page.InnerTextAsync("#count"), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#choose select[name=plan] option").CountAsync());
        Assert.Equal("/report?from=", (await page.GetAttributeAsync("#csv", "href"))![..13]);

        // The table sorts by a heading (again: the other way) and keeps the rows that contain what is typed.
        await page.ClickAsync("#institutions thead th:nth-child(1)");
        Assert.Equal("ascending", await page.GetAttributeAsync("#institutions thead th:nth-child(1)", "aria-sort"));
        Assert.StartsWith("Trung tâm", await page.InnerTextAsync("#institutions tbody tr:nth-child(1) td:nth-child(1)"), StringComparison.Ordinal);
        await page.ClickAsync("#institutions thead th:nth-child(1)");
        Assert.Equal("descending", await page.GetAttributeAsync("#institutions thead th:nth-child(1)", "aria-sort"));
        Assert.StartsWith("Trường", await page.InnerTextAsync("#institutions tbody tr:nth-child(1) td:nth-child(1)"), StringComparison.Ordinal);
        await page.FillAsync("#institutions-filter", "nguyễn du");
        Assert.Equal(1, await page.Locator("#institutions tbody tr:not([hidden])").CountAsync());
        Assert.Contains("1 dòng", await page.InnerTextAsync("#institutions-filter ~ .rows"), StringComparison.Ordinal);

        // Another plan, today's units: the choice goes into the address and the page reads it.
        await page.SelectOptionAsync("#choose select[name=plan]", "brvt-104-2022");
        await page.SelectOptionAsync("#choose select[name=units]", "today");
        await page.ClickAsync("#choose button[type=submit]");
        await page.WaitForURLAsync("**/report?*plan=brvt-104-2022*", Committed);
        await page.WaitForFunctionAsync("document.getElementById('plan-line').textContent.includes('104/KH-UBND')");
        Assert.Contains("theo hiện nay", await page.InnerTextAsync("#plan-line"), StringComparison.Ordinal);

        await page.GotoAsync(province.BaseUrl.ToString());
        await page.WaitForSelectorAsync("#institutions tbody tr");
        var institutions = await page.InnerTextAsync("#institutions");
        Assert.Contains("Trung tâm y tế khu vực", institutions, StringComparison.Ordinal); // the type's name of 2026, not district_health_centre
        Assert.DoesNotContain("district_health_centre", institutions, StringComparison.Ordinal);
        Assert.Contains("quản trị tỉnh", await page.InnerTextAsync("nav.bar"), StringComparison.Ordinal);
    }

    // Waiting for the URL only: the selectors that follow wait for what the page fills in. Waiting for the load event
    // as well once timed out on a loaded CI machine with the URL already matched (the "load" state never came).
    private static readonly Microsoft.Playwright.PageWaitForURLOptions Committed = new() { WaitUntil = Microsoft.Playwright.WaitUntilState.Commit };

    [GeneratedRegex("""(?:data-msg(?:-placeholder)?="|I18n\.text(?:In)?\((?:"(?:vi|en)", )?")(province\.[A-Za-z0-9_.]+)""")]
    private static partial Regex KeyPattern();
}
