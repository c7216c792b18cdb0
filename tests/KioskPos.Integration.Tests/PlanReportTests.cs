using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using Microsoft.Data.Sqlite;

namespace KioskPos.Integration.Tests;

/// <summary>The plan report from what a terminal synced: institutions taking cashless payment and the value share, against the plans' targets.</summary>
public abstract class PlanReportTests(ProvinceEngine engine)
{
    [Fact]
    public void The_targets_are_the_plans()
    {
        Assert.Equal((50, 90, 100), (PlanTargets.InstitutionShare("primary", 2022), PlanTargets.InstitutionShare("lower_secondary", 2024), PlanTargets.InstitutionShare("commune_health_station", 2026)));
        Assert.Equal((100, 100, 100), (PlanTargets.InstitutionShare("college_university", 2022), PlanTargets.InstitutionShare("provincial_hospital", 2022), PlanTargets.InstitutionShare("district_health_centre", 2023)));
        Assert.Equal((50, 70, 100), (PlanTargets.ValueShare(2022), PlanTargets.ValueShare(2023), PlanTargets.ValueShare(2030)));
    }

    [Fact]
    public async Task The_report_counts_a_school_whose_terminal_took_a_payment_and_a_hospital_without_one()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        var today = DateTime.UtcNow;
        var from = new DateOnly(today.Year, today.Month, 1);
        var to = from.AddMonths(1);
        var query = $"?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}";
        var report = await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/report/plan" + query);

        var school = report.GetProperty("byType").EnumerateArray().Single(g => g.GetProperty("type").GetString() == "lower_secondary");
        Assert.Equal((1, 1, 100.0), (school.GetProperty("institutions").GetInt32(), school.GetProperty("takingCashless").GetInt32(), school.GetProperty("sharePercent").GetDouble()));
        Assert.Equal(PlanTargets.InstitutionShare("lower_secondary", from.Year), school.GetProperty("targetPercent").GetInt32());
        Assert.True(school.GetProperty("met").GetBoolean());
        var hospital = report.GetProperty("byType").EnumerateArray().Single(g => g.GetProperty("type").GetString() == "district_health_centre");
        Assert.Equal((1, 0, 100, false), (hospital.GetProperty("institutions").GetInt32(), hospital.GetProperty("takingCashless").GetInt32(), hospital.GetProperty("targetPercent").GetInt32(), hospital.GetProperty("met").GetBoolean()));
        Assert.Equal(2, report.GetProperty("byDistrict").GetArrayLength());

        // The value share: 150.000 ₫ over what fell due in the period, read here straight from the database.
        var due = Convert.ToInt64(await province.ScalarAsync("SELECT COALESCE(SUM(total), 0) FROM bills WHERE due_date >= $s AND due_date < $e",
            ("$s", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$e", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))), CultureInfo.InvariantCulture);

        Assert.Equal(150_000, report.GetProperty("cashlessValue").GetInt64());
        Assert.Equal(due, report.GetProperty("due").GetInt64());
        Assert.Equal(due == 0 ? 0 : Math.Round(100.0 * 150_000 / due, 1), report.GetProperty("valueSharePercent").GetDouble());
        Assert.Equal(PlanTargets.ValueShare(from.Year), report.GetProperty("valueTargetPercent").GetInt32());
        var month = Assert.Single(report.GetProperty("months").EnumerateArray());
        Assert.Equal((from.ToString("yyyy-MM", CultureInfo.InvariantCulture), 150_000L, due), (month.GetProperty("month").GetString(), month.GetProperty("cashlessValue").GetInt64(), month.GetProperty("due").GetInt64()));

        // Over a quarter: one entry a month, the months without payments at zero.
        var quarter = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from.AddMonths(-2):yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal([0L, 0L, 150_000L], quarter.GetProperty("months").EnumerateArray().Select(m => m.GetProperty("cashlessValue").GetInt64()));

        // CSV: a row per institution; the page: bars drawn by the server, no payer.
        var csv = (await province.Admin.GetStringAsync("/api/v1/admin/report/plan" + query + "&format=csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, csv.Length);
        Assert.Contains(csv, line => line.StartsWith("TG-THCS-NGUYENDU,", StringComparison.Ordinal) && line.Contains(",1,150000,", StringComparison.Ordinal));
        using var anyone = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = province.BaseUrl };
        using (var closed = await anyone.GetAsync("/report" + query))
        {
            Assert.Equal((HttpStatusCode.Redirect, "/login"), (closed.StatusCode, closed.Headers.Location!.OriginalString.Split('?')[0]));
        }

        using var administrator = await province.SignInAsync("tinh.admin", "QuanTri@2026");
        var page = await administrator.GetStringAsync("/report" + query);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.Contains("Trung học cơ sở", page, StringComparison.Ordinal);
        Assert.DoesNotContain("HS240001", page, StringComparison.Ordinal);
        Assert.StartsWith("institution_id,", await administrator.GetStringAsync("/report" + query + "&format=csv"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anyone.GetAsync("/api/v1/admin/report/plan" + query)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await province.Admin.GetAsync("/api/v1/admin/report/plan?from=2026-12-01&to=2026-11-01")).StatusCode);
    }
}

/// <summary>PlanReport on the embedded SQLite file.</summary>
public sealed class PlanReportSqliteTests() : PlanReportTests(ProvinceEngine.Sqlite);

/// <summary>PlanReport on PostgreSQL.</summary>
public sealed class PlanReportPostgresTests() : PlanReportTests(ProvinceEngine.Postgres);
