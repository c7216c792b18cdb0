using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.Tests.Banking;
using KioskPos.Shared.Contracts;
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
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "sai-mat-khau");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#error:not([hidden])");
        Assert.Contains("Sai tên đăng nhập hoặc mật khẩu", await page.InnerTextAsync("#error"), StringComparison.Ordinal);
        await Browser.ShotAsync(page, "province-login-refused");

        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "QuanTri@2026");
        await page.ClickAsync("button[type=submit]");
        await Browser.WaitForAddressAsync(page, ReportAddress());
        await page.WaitForSelectorAsync("#institutions tbody tr");
        Assert.Contains("Trường THCS Nguyễn Du", await page.InnerTextAsync("#institutions"), StringComparison.Ordinal);
        foreach (var chart in new[] { "value-chart", "types-chart", "trend-chart", "behind-chart" })
        {
            await page.WaitForFunctionAsync($"document.getElementById('{chart}').complete && document.getElementById('{chart}').naturalWidth > 0");
        }
        await Browser.ShotAsync(page, "province-report", fullPage: true);

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
        await Browser.WaitForAddressAsync(page, ReportOfPlanAddress());
        await page.WaitForFunctionAsync("document.getElementById('plan-line').textContent.includes('104/KH-UBND')");
        Assert.Contains("theo hiện nay", await page.InnerTextAsync("#plan-line"), StringComparison.Ordinal);

        await page.GotoAsync(province.BaseUrl.ToString());
        await page.WaitForSelectorAsync("#institutions tbody tr");
        var institutions = await page.InnerTextAsync("#institutions");
        Assert.Contains("Trung tâm y tế khu vực", institutions, StringComparison.Ordinal); // the type's name of 2026, not district_health_centre
        Assert.DoesNotContain("district_health_centre", institutions, StringComparison.Ordinal);
        Assert.Contains("quản trị tỉnh", await page.InnerTextAsync("nav.bar"), StringComparison.Ordinal);
        await Browser.ShotAsync(page, "province-overview", fullPage: true);
    }

    [Fact]
    public Task The_overview_reads_each_institutions_commune_of_today() => CommuneOfTodayAsync(ProvinceEngine.Sqlite);

    [Fact]
    [Trait("Category", "Postgres")]
    public Task The_overview_reads_each_institutions_commune_of_today_on_PostgreSQL() => CommuneOfTodayAsync(ProvinceEngine.Postgres);

    // The overview names the commune (xã, phường) of today and no district (1 July 2025); a move recorded ahead for
    // next month leaves today's commune, one from this month's first day replaces it.
    private static async Task CommuneOfTodayAsync(ProvinceEngine engine)
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        async Task<JsonElement> SchoolAsync() => (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/institutions"))!
            .Single(i => i.GetProperty("id").GetString() == "TG-THCS-NGUYENDU");

        var school = await SchoolAsync();
        Assert.Equal(("Phường Mỹ Tho", "Đồng Tháp"), (school.GetProperty("commune").GetString(), school.GetProperty("province").GetString()));
        Assert.False(school.TryGetProperty("district", out _));

        var today = DateTime.UtcNow.AddHours(7);
        var month = new DateOnly(today.Year, today.Month, 1);
        async Task MoveAsync(DateOnly from, string commune)
        {
            using var move = await province.Admin.PostAsJsonAsync("/api/v1/admin/institutions/TG-THCS-NGUYENDU/move", new { from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), province = "Đồng Tháp", commune });
            Assert.Equal(HttpStatusCode.NoContent, move.StatusCode);
        }

        await MoveAsync(month.AddMonths(1), "Phường Đạo Thạnh");
        Assert.Equal("Phường Mỹ Tho", (await SchoolAsync()).GetProperty("commune").GetString());
        await MoveAsync(month, "Phường Mỹ Phong");
        Assert.Equal("Phường Mỹ Phong", (await SchoolAsync()).GetProperty("commune").GetString());
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_overview_shows_todays_communes_in_words_and_its_tables_sort_and_filter_across_refreshes()
    {
        await using var province = await ProvinceHost.StartAsync();
        using (var terminal = await province.SignedClientAsync())
        {
            using var report = await terminal.PostAsJsonAsync(SyncProtocol.ReportPath, new TerminalReportDto("1.4.0", 20, 0, null, "paper_out", null));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await SignInAsync(page, province, "/");
        await page.WaitForSelectorAsync("#institutions tbody tr");
        await page.WaitForSelectorAsync("#terminals tbody tr");
        await Browser.ShotAsync(page, "province-overview-paper-out", fullPage: true);

        // The commune of 2026, no district: no Huyện heading, no old district's name.
        var heading = await page.InnerTextAsync("#institutions thead");
        Assert.Contains("Xã, phường", heading, StringComparison.Ordinal);
        Assert.DoesNotContain("Huyện", heading, StringComparison.OrdinalIgnoreCase);
        var institutions = await page.InnerTextAsync("#institutions tbody");
        Assert.Contains("Phường Mỹ Tho", institutions, StringComparison.Ordinal);
        Assert.Contains("Xã Châu Thành", institutions, StringComparison.Ordinal);
        Assert.DoesNotContain("Huyện Châu Thành", institutions, StringComparison.Ordinal);
        Assert.DoesNotContain("Thành phố Mỹ Tho", institutions, StringComparison.Ordinal);

        // Sorted by commune (by name it reads the centre first), filtered; a refresh (every 5 s) keeps both.
        Assert.StartsWith("Trung tâm", await page.InnerTextAsync("#institutions tbody tr:nth-child(1) td:nth-child(2)"), StringComparison.Ordinal);
        await page.ClickAsync("#institutions thead th:nth-child(4)");
        Assert.Equal("ascending", await page.GetAttributeAsync("#institutions thead th:nth-child(4)", "aria-sort"));
        Assert.Equal("Phường Mỹ Tho", await page.InnerTextAsync("#institutions tbody tr:nth-child(1) td:nth-child(4)"));
        await page.ClickAsync("#institutions thead th:nth-child(4)");
        Assert.Equal("Xã Châu Thành", await page.InnerTextAsync("#institutions tbody tr:nth-child(1) td:nth-child(4)"));
        await page.ClickAsync("#institutions thead th:nth-child(4)");
        await page.FillAsync("#institutions-filter", "châu thành");
        Assert.Equal(1, await page.Locator("#institutions tbody tr:not([hidden])").CountAsync());
        Assert.Contains("Xã Châu Thành", await page.InnerTextAsync("#institutions tbody tr:not([hidden])"), StringComparison.Ordinal);
        await page.EvaluateAsync("for (const tr of document.querySelectorAll('#institutions tbody tr')) tr.dataset.before = '1'");
        await page.WaitForFunctionAsync("document.querySelector('#institutions tbody tr') && !document.querySelector('#institutions tbody tr').dataset.before", null, new() { Timeout = 15_000 });
        Assert.Equal("Phường Mỹ Tho", await page.InnerTextAsync("#institutions tbody tr:nth-child(1) td:nth-child(4)"));
        Assert.Equal(1, await page.Locator("#institutions tbody tr:not([hidden])").CountAsync());

        // Terminals: the institution's name, the printer's state in words, the last contact in Vietnam's time.
        var school = page.Locator("#terminals tbody tr", new() { HasText = "KP-THCS-ND-01" });
        var cells = await school.Locator("td").AllInnerTextsAsync();
        Assert.Equal("Trường THCS Nguyễn Du", cells[1]);
        Assert.Matches(@"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$", cells[4]);
        var seen = DateTime.ParseExact(cells[4], "dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.True(Math.Abs((seen - DateTime.UtcNow.AddHours(7)).TotalMinutes) < 5, $"last contact {cells[4]} is not Vietnam's time now");
        Assert.Equal("Hết giấy / out of paper", cells[7]);
        var terminals = await page.InnerTextAsync("#terminals tbody");
        Assert.DoesNotContain("paper_out", terminals, StringComparison.Ordinal);
        Assert.DoesNotContain("TG-THCS-NGUYENDU", terminals, StringComparison.Ordinal);

        // By last contact: never (the hospital's terminal) first, then the other way; the filter keeps the one out of paper.
        Assert.StartsWith("KP-THCS-ND-01", await page.InnerTextAsync("#terminals tbody tr:nth-child(1) td:nth-child(1)"), StringComparison.Ordinal);
        await page.ClickAsync("#terminals thead th:nth-child(5)");
        Assert.StartsWith("KP-TTYT-CT-01", await page.InnerTextAsync("#terminals tbody tr:nth-child(1) td:nth-child(1)"), StringComparison.Ordinal);
        await page.ClickAsync("#terminals thead th:nth-child(5)");
        Assert.Equal("descending", await page.GetAttributeAsync("#terminals thead th:nth-child(5)", "aria-sort"));
        Assert.StartsWith("KP-THCS-ND-01", await page.InnerTextAsync("#terminals tbody tr:nth-child(1) td:nth-child(1)"), StringComparison.Ordinal);
        await page.FillAsync("#terminals-filter", "hết giấy");
        Assert.Equal(1, await page.Locator("#terminals tbody tr:not([hidden])").CountAsync());
        Assert.Contains("1 dòng", await page.InnerTextAsync("#terminals-filter ~ .rows"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_reconciliation_shows_days_and_amounts_for_people_and_both_tables_sort_and_filter()
    {
        await using var province = await ProvinceHost.StartAsync();
        var (_, code) = await PendingPayments.CreateAsync(province, 300_000);
        Assert.Equal(HttpStatusCode.OK, (await province.NotifyAsync(100_000, code)).StatusCode); // paid short: underpaid
        Assert.Equal(HttpStatusCode.OK, (await province.NotifyAsync(2_500_000, "NOP TIEN KHONG RO MA")).StatusCode); // unmatched

        // The demo's bills fall due on 25/11, 30/11 and 31/12/2026; today's transfers lie between or after them.
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7));
        var to = today.AddDays(1) > new DateOnly(2027, 1, 1) ? today.AddDays(1) : new DateOnly(2027, 1, 1);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await SignInAsync(page, province, $"/reconciliation?from=2026-11-01&to={to:yyyy-MM-dd}");
        await page.WaitForSelectorAsync("#days tbody tr");
        await page.WaitForSelectorAsync("#worklist tbody tr");
        await Browser.ShotAsync(page, "province-reconciliation", fullPage: true);

        async Task<List<DateOnly>> DaysAsync() => [.. (await page.Locator("#days tbody tr td:nth-child(2)").AllInnerTextsAsync())
            .Select(d => DateOnly.ParseExact(d, "dd/MM/yyyy", CultureInfo.InvariantCulture))];
        var days = await DaysAsync();
        Assert.Contains(new DateOnly(2026, 11, 25), days);
        Assert.Contains(today, days);
        Assert.DoesNotContain("2026-11-25", await page.InnerTextAsync("#days"), StringComparison.Ordinal);

        // By day, as days (not as the text dd/MM/yyyy), one way and the other.
        await page.ClickAsync("#days thead th:nth-child(2)");
        Assert.Equal(days.Order().ToList(), await DaysAsync());
        await page.ClickAsync("#days thead th:nth-child(2)");
        Assert.Equal(days.OrderDescending().ToList(), await DaysAsync());
        // Institutions by name, their codes beside them (the filter finds either).
        await page.FillAsync("#days-filter", "TG-TTYT");
        Assert.All(await page.Locator("#days tbody tr:not([hidden]) td:nth-child(1)").AllInnerTextsAsync(), i =>
        {
            Assert.StartsWith("Trung tâm Y tế", i, StringComparison.Ordinal);
            Assert.EndsWith("TG-TTYT-CHAUTHANH", i, StringComparison.Ordinal);
        });
        Assert.True(await page.Locator("#days tbody tr[hidden]").CountAsync() > 0);

        // The worklist: amounts in đồng, the short payment's detail in words, today as dd/MM/yyyy; by amount, filtered.
        var worklist = await page.InnerTextAsync("#worklist tbody");
        Assert.Contains("2.500.000 ₫", worklist, StringComparison.Ordinal);
        Assert.Contains("ngân hàng báo có 100.000 ₫ trên 300.000 ₫", worklist, StringComparison.Ordinal);
        Assert.Contains(today.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), worklist, StringComparison.Ordinal);
        Assert.DoesNotContain("received 100000", worklist, StringComparison.Ordinal);

        // The transfer without a code: its school by name, its flag in words, no machine word.
        var unmatched = await page.Locator("#worklist tbody tr", new() { HasText = "2.500.000 ₫" }).Locator("td").AllInnerTextsAsync();
        Assert.StartsWith("Trường THCS Nguyễn Du", unmatched[1], StringComparison.Ordinal);
        Assert.EndsWith("không có mã chuyển khoản", unmatched[5], StringComparison.Ordinal);
        Assert.DoesNotContain("no_code", worklist, StringComparison.Ordinal);
        await page.ClickAsync("#worklist thead th:nth-child(5)");
        Assert.Equal("200.000 ₫", await page.InnerTextAsync("#worklist tbody tr:nth-child(1) td:nth-child(5)"));
        await page.ClickAsync("#worklist thead th:nth-child(5)");
        Assert.Equal("2.500.000 ₫", await page.InnerTextAsync("#worklist tbody tr:nth-child(1) td:nth-child(5)"));
        await page.FillAsync("#worklist-filter", "chuyển khoản thiếu");
        Assert.Equal(1, await page.Locator("#worklist tbody tr:not([hidden])").CountAsync());
        Assert.Contains("200.000 ₫", await page.InnerTextAsync("#worklist tbody tr:not([hidden])"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_report_of_a_plan_of_todays_province_names_no_district()
    {
        await using var province = await ProvinceHost.StartAsync();
        var plan = new
        {
            id = "dt-2026", title = "Kế hoạch 2026", authority = "UBND tỉnh Đồng Tháp", areaKind = "province", area = "Đồng Tháp", startYear = 2026, increment = 20, cap = 100, isDefault = true,
            targets = new[] { new { type = "lower_secondary", institutionShare = 60, valueShare = 60, countShare = 60 }, new { type = "district_health_centre", institutionShare = 60, valueShare = 60, countShare = 60 } },
        };
        using (var put = await province.Admin.PutAsJsonAsync("/api/v1/admin/plans", new { plans = new[] { plan } }))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await SignInAsync(page, province, "/report?plan=dt-2026");
        await page.WaitForSelectorAsync("#institutions tbody tr");
        Assert.True(await page.IsHiddenAsync("#districts-section"));
        await Browser.ShotAsync(page, "province-report-plan-of-today", fullPage: true);
        var headings = await page.EvaluateAsync<string>(
            "[...document.querySelectorAll('h1, h2, th')].filter((e) => e.offsetParent !== null).map((e) => e.textContent).join(' | ')");
        Assert.Contains("Xã, phường", headings, StringComparison.Ordinal);
        Assert.DoesNotContain("huyện", headings, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Huyện Châu Thành", await page.InnerTextAsync("#institutions"), StringComparison.Ordinal);
    }

    // Signs the administrator in through the form, starting from path (which sends to sign-in and back).
    private static async Task SignInAsync(Microsoft.Playwright.IPage page, ProvinceHost province, string path)
    {
        await page.GotoAsync(new Uri(province.BaseUrl, path).ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "QuanTri@2026");
        await page.ClickAsync("button[type=submit]");
        await Browser.WaitForAddressAsync(page, NotSignInAddress());
    }

    [GeneratedRegex("/report$")]
    private static partial Regex ReportAddress();

    [GeneratedRegex(@"/report\?.*plan=brvt-104-2022")]
    private static partial Regex ReportOfPlanAddress();

    [GeneratedRegex("^(?!.*/login)")]
    private static partial Regex NotSignInAddress();

    [GeneratedRegex("""(?:data-msg(?:-placeholder)?="|I18n\.text(?:In)?\((?:"(?:vi|en)", )?")(province\.[A-Za-z0-9_.]+)""")]
    private static partial Regex KeyPattern();
}
