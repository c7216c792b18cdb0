using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Tests.EInvoices;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>
/// The plan report's year-by-year table puts the share reached beside each of a year's three targets (institutions
/// taking cashless payment, value, count) and says in words whether the target was met: a colour alone says nothing
/// on a black-and-white print or to a reader who does not tell red from green; so do the other tables and the summary lines,
/// and the years' JSON and CSV carry the met flags for programs.
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

        // Each heading in Vietnamese, its English on a line below (span lang=en).
        var headings = await page.EvaluateAsync<string[]>("Array.from(document.querySelectorAll('#years thead th')).map(th => th.firstChild.textContent)");
        Assert.Equal(["Tỷ lệ", "Mục tiêu đơn vị"], headings[3..5]);
        Assert.Equal("Share", await page.InnerTextAsync("#years thead th:nth-child(4) span[lang=en]"));
        var rows = await page.EvaluateAsync<string[][]>("Array.from(document.querySelectorAll('#years tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent + '|' + c.className))");
        Assert.All(rows, r => Assert.Equal(headings.Length, r.Length));
        static string Reached(JsonElement year, string share, string target)
        {
            var met = year.GetProperty(share).GetDouble() >= year.GetProperty(target).GetDouble();
            return $"{ReportPercentAndLinksTests.Vietnamese(year.GetProperty(share).GetDouble())} ({(met ? "đạt / met" : "chưa đạt / not met")})|n {(met ? "ok" : "bad")}";
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

        Assert.EndsWith("(chưa đạt / not met)|n bad", rows[0][3], StringComparison.Ordinal);
        Assert.StartsWith("100 % (đạt / met)|n ok", rows[^1][3], StringComparison.Ordinal);

        // The words do not stop the column sorting by the share: descending, this year's 100 % comes first.
        await page.ClickAsync("#years thead th:nth-child(4)");
        await page.ClickAsync("#years thead th:nth-child(4)");
        Assert.StartsWith("100 %", await page.InnerTextAsync("#years tbody tr:first-child td:nth-child(4)"), StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_every_share_against_a_target_says_met_or_not_in_words_in_every_table_and_summary()
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
        await page.WaitForFunctionAsync("document.querySelectorAll('#communes tbody tr').length > 0 && document.querySelector('#value .met').textContent.length > 0");

        static string Words(bool met) => met ? "(đạt / met)" : "(chưa đạt / not met)";
        static string Cell(double share, bool met) => $"{ReportPercentAndLinksTests.Vietnamese(share)} {Words(met)}|n {(met ? "ok" : "bad")}";
        async Task<string[][]> RowsAsync(string table) =>
            await page.EvaluateAsync<string[][]>($"Array.from(document.querySelectorAll('#{table} tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent + '|' + c.className))");

        // By type: the server's met flag, in words beside the share.
        var types = view.GetProperty("byType").EnumerateArray().ToList();
        var typeRows = await RowsAsync("types");
        Assert.Equal(types.Count, typeRows.Length);
        for (var n = 0; n < types.Count; n++)
        {
            Assert.Equal(Cell(types[n].GetProperty("sharePercent").GetDouble(), types[n].GetProperty("met").GetBoolean()), typeRows[n][4]);
        }

        // By commune and the communes behind: the share of institutions against the commune's target.
        foreach (var (table, property) in new[] { ("communes", "byCommune"), ("behind", "behind") })
        {
            var communes = view.GetProperty(property).EnumerateArray().ToList();
            var rows = await RowsAsync(table);
            Assert.Equal(communes.Count, rows.Length);
            for (var n = 0; n < communes.Count; n++)
            {
                var share = communes[n].GetProperty("sharePercent").GetDouble();
                Assert.Equal(Cell(share, share >= communes[n].GetProperty("targetPercent").GetDouble()), rows[n][4]);
            }
        }

        // The summary lines: value and count, the words beside the share.
        var valueMet = view.GetProperty("valueSharePercent").GetDouble() >= view.GetProperty("valueTargetPercent").GetDouble();
        Assert.Equal(Words(valueMet), await page.InnerTextAsync("#value .met"));
        Assert.Equal(valueMet ? "met ok" : "met bad", await page.GetAttributeAsync("#value .met", "class"));
        var countShare = view.GetProperty("countSharePercent").GetDouble();
        var countMet = countShare >= view.GetProperty("countTargetPercent").GetDouble();
        // The count's sentence is in both languages, each half with its own words for the outcome.
        Assert.Contains($"= {ReportPercentAndLinksTests.Vietnamese(countShare)} {(countMet ? "(đạt)" : "(chưa đạt)")}", await page.InnerTextAsync("#count"), StringComparison.Ordinal);
        Assert.Contains(countMet ? "(met)" : "(not met)", await page.InnerTextAsync("#count"), StringComparison.Ordinal);

        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_years_json_says_whether_each_target_was_met_and_the_years_csv_appends_it_after_the_figures()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        await f.PayAsync("HP-2611-HS240001", 150_000);
        using var accountant = await f.Province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        var years = (await accountant.GetFromJsonAsync<JsonElement>("/api/v1/report/plan")).GetProperty("years").EnumerateArray().ToList();
        foreach (var year in years)
        {
            Assert.Equal(year.GetProperty("institutionSharePercent").GetDouble() >= year.GetProperty("institutionTargetPercent").GetDouble(), year.GetProperty("institutionMet").GetBoolean());
            Assert.Equal(year.GetProperty("valueSharePercent").GetDouble() >= year.GetProperty("valueTargetPercent").GetDouble(), year.GetProperty("valueMet").GetBoolean());
            Assert.Equal(year.GetProperty("countSharePercent").GetDouble() >= year.GetProperty("countTargetPercent").GetDouble(), year.GetProperty("countMet").GetBoolean());
        }

        Assert.False(years[0].GetProperty("institutionMet").GetBoolean());
        Assert.True(years[^1].GetProperty("institutionMet").GetBoolean());

        // The columns programs read keep their place; met as 1/0 at the end.
        var csv = (await accountant.GetStringAsync("/report?format=csv&view=years")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            "year,institutions,taking_cashless,institution_share_percent,institution_target_percent,due,cashless_value,value_share_percent,value_target_percent,bills,cashless_payments,count_share_percent,count_target_percent,institution_met,value_met,count_met",
            csv[0]);
        Assert.Equal(years.Count + 1, csv.Length);
        for (var n = 0; n < years.Count; n++)
        {
            var cells = csv[n + 1].Split(',');
            Assert.Equal(16, cells.Length);
            Assert.Equal(years[n].GetProperty("year").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), cells[0]);
            static string Flag(JsonElement e, string name) => e.GetProperty(name).GetBoolean() ? "1" : "0";
            Assert.Equal([Flag(years[n], "institutionMet"), Flag(years[n], "valueMet"), Flag(years[n], "countMet")], cells[13..]);
        }

        Assert.Equal("0", csv[1].Split(',')[13]);
        Assert.Equal("1", csv[^1].Split(',')[13]);
    }
}
