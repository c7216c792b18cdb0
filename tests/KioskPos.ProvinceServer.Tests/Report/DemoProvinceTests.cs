using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>The generated demo province of <c>make run</c>: today's units only, every level of school and health facility, a year on an adoption curve, in seconds.</summary>
public sealed class DemoProvinceTests
{
    // The units abolished on 1 July 2025: no demo institution is named after one (the old district is kept as data, for the 2022 plans).
    private static readonly string[] s_gone = ["Huyện", "huyện", "Thị trấn", "thị trấn", "Thị xã", "Quận", "Phường 1"];

    [Fact]
    public async Task The_generated_province_has_every_level_across_its_communes_a_year_of_rising_payments_and_no_abolished_unit_in_a_name()
    {
        var started = Stopwatch.StartNew();
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:DemoInstitutions=500"]);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"started with the demo in {started.Elapsed}");

        var institutions = (await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/institutions")).EnumerateArray().ToList();
        var names = institutions.Select(i => i.GetProperty("name").GetString()!).ToList();
        Assert.DoesNotContain(names, n => s_gone.Any(g => n.Contains(g, StringComparison.Ordinal)));
        Assert.Equal(names.Count, names.Distinct().Count());
        var byType = institutions.GroupBy(i => i.GetProperty("type").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byType["primary"] >= 150 && byType["lower_secondary"] >= 100 && byType["upper_secondary"] >= 50, string.Join(", ", byType));
        Assert.True(byType["commune_health_station"] >= 40 && byType["district_health_centre"] >= 10 && byType["provincial_hospital"] >= 3, string.Join(", ", byType));

        // The year to this month, against 236/KH-UBND (the old Tiền Giang part of today's Đồng Tháp).
        var today = DateTime.UtcNow.AddHours(7);
        var to = new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        var report = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={to.AddMonths(-12):yyyy-MM-dd}&to={to:yyyy-MM-dd}&plan=tg-236-2022");
        Assert.True(report.GetProperty("byCommune").GetArrayLength() >= 30);
        Assert.All(report.GetProperty("byCommune").EnumerateArray(), c => Assert.Equal("Đồng Tháp", c.GetProperty("province").GetString()));
        Assert.DoesNotContain(report.GetProperty("institutions").EnumerateArray(), i => i.GetProperty("name").GetString()!.Contains("Cao Lãnh", StringComparison.Ordinal)); // the old Đồng Tháp is outside 236

        // Adoption rises: the last quarter's value share is above the first's, and both are above nothing.
        var months = report.GetProperty("months").EnumerateArray().Select(m => m.GetProperty("sharePercent").GetDouble()).ToList();
        Assert.Equal(12, months.Count);
        Assert.True(months.Skip(8).Take(3).Average() > months.Take(3).Average() && months.Take(3).Average() > 0, string.Join(" ", months));
        var takingTypes = report.GetProperty("byType").EnumerateArray().Where(t => t.GetProperty("takingCashless").GetInt32() > 0).Count();
        Assert.True(takingTypes >= 6);

        // The demo sign-ins and cards the walkthrough uses are still there.
        Assert.Contains("Trường THCS Nguyễn Du", names);
        Assert.Contains("Trung tâm Y tế khu vực Châu Thành", names);
    }
}
