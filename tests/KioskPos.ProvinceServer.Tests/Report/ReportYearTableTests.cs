using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Tests.EInvoices;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>
/// The plan report's year-by-year table puts the share reached beside each of a year's three targets (institutions
/// taking cashless payment, value, count) and says in words whether the target was met: a colour alone says nothing
/// on a black-and-white print or to a reader who does not tell red from green.
/// </summary>
public sealed class ReportYearTableTests
{
    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_each_years_targets_have_the_share_reached_beside_them_met_or_not_in_words()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        await f.PayAsync("HP-2611-HS240001", 150_000);
        using var accountant = await f.Province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        var years = (await accountant.GetFromJsonAsync<JsonElement>("/api/v1/report/plan")).GetProperty("years").EnumerateArray().ToList();

        // The school took no cashless payment in the plan's first year and took one this year: one target not met, one met.
        Assert.True(years.Count >= 2, $"{years.Count} years");
        Assert.Equal((0.0, 100.0), (years[0].GetProperty("institutionSharePercent").GetDouble(), years[^1].GetProperty("institutionSharePercent").GetDouble()));

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(new Uri(f.Province.BaseUrl, "/report").ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", "ketoan.nguyendu");
        await page.FillAsync("input[name=password]", "KeToan@2026");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForFunctionAsync($"document.querySelectorAll('#years tbody tr').length === {years.Count}");

        var headings = await page.EvaluateAsync<string[]>("Array.from(document.querySelectorAll('#years thead th')).map(th => th.textContent)");
        Assert.Equal(["Tỷ lệ", "Mục tiêu đơn vị"], headings[3..5]);
        var rows = await page.EvaluateAsync<string[][]>("Array.from(document.querySelectorAll('#years tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent + '|' + c.className))");
        Assert.All(rows, r => Assert.Equal(headings.Length, r.Length));
        static string Reached(JsonElement year, string share, string target)
        {
            var met = year.GetProperty(share).GetDouble() >= year.GetProperty(target).GetDouble();
            return $"{ReportPercentAndLinksTests.Vietnamese(year.GetProperty(share).GetDouble())} ({(met ? "đạt" : "chưa đạt")})|n {(met ? "ok" : "bad")}";
        }

        for (var n = 0; n < years.Count; n++)
        {
            var (year, row) = (years[n], rows[n]);
            Assert.Equal(year.GetProperty("year").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) + "|n", row[0]);
            Assert.Equal(Reached(year, "institutionSharePercent", "institutionTargetPercent"), row[3]);
            Assert.Equal(ReportPercentAndLinksTests.Vietnamese(year.GetProperty("institutionTargetPercent").GetDouble()) + "|n", row[4]);
            Assert.Equal(Reached(year, "valueSharePercent", "valueTargetPercent"), row[6]);
            Assert.Equal(Reached(year, "countSharePercent", "countTargetPercent"), row[11]);
        }

        Assert.EndsWith("(chưa đạt)|n bad", rows[0][3], StringComparison.Ordinal);
        Assert.StartsWith("100 % (đạt)|n ok", rows[^1][3], StringComparison.Ordinal);

        // The words do not stop the column sorting by the share: descending, this year's 100 % comes first.
        await page.ClickAsync("#years thead th:nth-child(4)");
        await page.ClickAsync("#years thead th:nth-child(4)");
        Assert.StartsWith("100 %", await page.InnerTextAsync("#years tbody tr:first-child td:nth-child(4)"), StringComparison.Ordinal);
        Assert.Empty(errors);
    }
}
