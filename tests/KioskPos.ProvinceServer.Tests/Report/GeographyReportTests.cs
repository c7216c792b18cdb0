using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>
/// The report on the province of 2026: institutions placed in today's provinces and communes and, for the 2022 plans,
/// in their old provinces and districts; plans as data; a move that leaves past periods as they were.
/// </summary>
public sealed class GeographyReportTests
{
    private const string Plan236 = "tg-236-2022";

    // Communes of today's Đồng Tháp with the old Tiền Giang district each lay in (Resolution 1663/NQ-UBTVQH15).
    private static readonly (string Commune, string OldDistrict)[] s_tienGiang =
    [
        ("Phường Mỹ Tho", "Thành phố Mỹ Tho"), ("Phường Đạo Thạnh", "Thành phố Mỹ Tho"), ("Phường Gò Công", "Thị xã Gò Công"),
        ("Xã Cái Bè", "Huyện Cái Bè"), ("Xã Hậu Mỹ", "Huyện Cái Bè"), ("Xã Châu Thành", "Huyện Châu Thành"), ("Xã Vĩnh Kim", "Huyện Châu Thành"),
        ("Xã Chợ Gạo", "Huyện Chợ Gạo"),
    ];

    private static readonly string[] s_types = ["primary", "lower_secondary", "upper_secondary", "provincial_hospital", "district_health_centre", "commune_health_station"];

    [Fact]
    public async Task The_report_of_a_generated_province_by_commune_and_by_old_district_matches_the_rules_computed_here()
    {
        await using var province = await ProvinceHost.StartAsync();
        var random = new Random(2026_07_01);
        var (from, to) = (new DateOnly(2025, 3, 1), new DateOnly(2025, 6, 1));
        var generated = new List<Generated>();
        for (var n = 0; n < 40; n++)
        {
            // Most in the old Tiền Giang (plan 236's area), some in the old Đồng Tháp: same province today, outside the plan.
            var tienGiang = n % 5 != 0;
            var (commune, district) = tienGiang ? s_tienGiang[random.Next(s_tienGiang.Length)] : (random.Next(2) == 0 ? "Phường Cao Lãnh" : "Phường Sa Đéc", "Thành phố Cao Lãnh");
            var g = await GenerateAsync(province, random, n, s_types[n % s_types.Length], "Đồng Tháp", commune, tienGiang ? "Tiền Giang" : "Đồng Tháp", district, from, to);
            generated.Add(g);
        }

        var report = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&plan={Plan236}");
        var members = generated.Where(g => g.OldProvince == "Tiền Giang").ToList();
        Assert.Equal(members.Select(g => g.Id).Order(), report.GetProperty("institutions").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).Where(i => i.StartsWith("GEN-", StringComparison.Ordinal)).Order());
        // The two demo institutions sit in the old Tiền Giang too (Phường Mỹ Tho, Xã Châu Thành), with nothing due or
        // paid in this period: they count as institutions not taking cashless payment.
        members.Add(new Generated(DemoData.SchoolId, "lower_secondary", "Phường Mỹ Tho", "Tiền Giang", "Thành phố Mỹ Tho", true, 0, 0, 0, 0));
        members.Add(new Generated(DemoData.HospitalId, "district_health_centre", "Xã Châu Thành", "Tiền Giang", "Huyện Châu Thành", true, 0, 0, 0, 0));
        Assert.Equal(members.Sum(g => g.Value), report.GetProperty("cashlessValue").GetInt64());
        Assert.Equal(members.Sum(g => g.Counted), report.GetProperty("cashlessPayments").GetInt32());
        Assert.Equal(members.Sum(g => g.Bills), report.GetProperty("bills").GetInt32());
        Assert.Equal(Share(members.Sum(g => g.Counted), members.Sum(g => g.Bills)), report.GetProperty("countSharePercent").GetDouble());
        Assert.Equal((Target(50, 2025), Target(50, 2025)), (report.GetProperty("valueTargetPercent").GetInt32(), report.GetProperty("countTargetPercent").GetInt32()));

        // Without a plan named, the default plan (236) is read with its area: the figures the page shows are those its
        // charts, CSV and JSON links read again with the plan named (before, the default view counted the whole province
        // under 236's title).
        var byDefault = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal((Plan236, true), (byDefault.GetProperty("plan").GetProperty("id").GetString(), byDefault.GetProperty("plan").GetProperty("areaApplied").GetBoolean()));
        Assert.Equal(report.GetProperty("institutions").GetRawText(), byDefault.GetProperty("institutions").GetRawText());
        Assert.Equal((report.GetProperty("cashlessValue").GetInt64(), report.GetProperty("due").GetInt64()), (byDefault.GetProperty("cashlessValue").GetInt64(), byDefault.GetProperty("due").GetInt64()));

        // An institution's own report, no plan named: the plan whose area holds it; one in the old Đồng Tháp, which no
        // plan here covers, sees its own figures against no plan rather than nothing under 236.
        var outside = generated.First(g => g.OldProvince == "Đồng Tháp");
        using (var put = await province.Admin.PutAsJsonAsync($"/api/v1/admin/users/ketoan.{outside.Id.ToLowerInvariant()}", new { fullName = "Kế toán", role = "accountant", institutionId = outside.Id, password = "KeToan@2026-dt" }))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using (var accountant = await province.SignInAsync($"ketoan.{outside.Id.ToLowerInvariant()}", "KeToan@2026-dt"))
        {
            var own = await accountant.GetFromJsonAsync<JsonElement>($"/api/v1/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
            Assert.Equal(("none", false), (own.GetProperty("plan").GetProperty("id").GetString(), own.GetProperty("plan").GetProperty("areaApplied").GetBoolean()));
            Assert.Equal([outside.Id], own.GetProperty("institutions").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
            Assert.Equal(outside.Value, own.GetProperty("cashlessValue").GetInt64());
        }

        var inside = members.First(g => g.Id.StartsWith("GEN-", StringComparison.Ordinal));
        using (var put = await province.Admin.PutAsJsonAsync($"/api/v1/admin/users/ketoan.{inside.Id.ToLowerInvariant()}", new { fullName = "Kế toán", role = "accountant", institutionId = inside.Id, password = "KeToan@2026-tg" }))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using (var accountant = await province.SignInAsync($"ketoan.{inside.Id.ToLowerInvariant()}", "KeToan@2026-tg"))
        {
            var own = await accountant.GetFromJsonAsync<JsonElement>($"/api/v1/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
            Assert.Equal((Plan236, true), (own.GetProperty("plan").GetProperty("id").GetString(), own.GetProperty("plan").GetProperty("areaApplied").GetBoolean()));
            Assert.Equal([inside.Id], own.GetProperty("institutions").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        }

        // By today's commune: institutions placed there, who takes cashless payment, the value and count, the target
        // the mean of the members' types' targets (236: 100 for provincial hospitals and regional centres).
        var communes = report.GetProperty("byCommune").EnumerateArray().Where(c => c.GetProperty("province").GetString() == "Đồng Tháp").ToDictionary(c => c.GetProperty("commune").GetString()!);
        Assert.Equal(members.Select(g => g.Commune).Distinct().Order(StringComparer.Ordinal), communes.Keys.Order(StringComparer.Ordinal));
        foreach (var (commune, row) in communes)
        {
            var here = members.Where(g => g.Commune == commune).ToList();
            var taking = here.Count(g => g.Active && g.Counted > 0);
            var target = Math.Round(here.Average(g => (double)Target(g.Type is "provincial_hospital" or "district_health_centre" ? 100 : 50, 2025)), 1);
            Assert.Equal(
                (here.Count, taking, Share(taking, here.Count), target, here.Sum(g => g.Value), here.Sum(g => g.Due), Share(here.Sum(g => g.Value), here.Sum(g => g.Due)), here.Sum(g => g.Counted), here.Sum(g => g.Bills)),
                (row.GetProperty("institutions").GetInt32(), row.GetProperty("takingCashless").GetInt32(), row.GetProperty("sharePercent").GetDouble(), row.GetProperty("targetPercent").GetDouble(),
                 row.GetProperty("cashlessValue").GetInt64(), row.GetProperty("due").GetInt64(), row.GetProperty("valueSharePercent").GetDouble(), row.GetProperty("cashlessPayments").GetInt32(), row.GetProperty("bills").GetInt32()));
            Assert.Equal(Math.Round(Share(taking, here.Count) - target, 1), row.GetProperty("gapPoints").GetDouble());
        }

        // The furthest behind: the communes ranked by that gap, most behind first.
        var behind = report.GetProperty("behind").EnumerateArray().Select(c => c.GetProperty("gapPoints").GetDouble()).ToList();
        Assert.Equal(behind.Order(), behind);
        Assert.Equal(communes.Values.Min(c => c.GetProperty("gapPoints").GetDouble()), behind[0]);

        // By the old district (the 2022 plan's unit) and type.
        var districts = report.GetProperty("byDistrict").EnumerateArray().Where(d => members.Any(g => g.OldDistrict == d.GetProperty("district").GetString())).ToList();
        Assert.Equal(members.Select(g => (g.OldDistrict, g.Type)).Distinct().Count(), districts.Count);
        foreach (var row in districts)
        {
            var here = members.Where(g => g.OldDistrict == row.GetProperty("district").GetString() && g.Type == row.GetProperty("type").GetString()).ToList();
            var taking = here.Count(g => g.Active && g.Counted > 0);
            Assert.Equal((here.Count, taking, Share(taking, here.Count)), (row.GetProperty("institutions").GetInt32(), row.GetProperty("takingCashless").GetInt32(), row.GetProperty("sharePercent").GetDouble()));
        }

        // Nothing moved: read in today's units, the same communes.
        var today = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&plan={Plan236}&units=today");
        Assert.Equal(report.GetProperty("byCommune").GetRawText(), today.GetProperty("byCommune").GetRawText());
        Assert.Equal("today", today.GetProperty("units").GetString());

        // The communes as CSV: a row each, the figures as in the JSON.
        var csv = (await province.Admin.GetStringAsync($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&plan={Plan236}&format=csv&view=communes")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(report.GetProperty("byCommune").GetArrayLength() + 1, csv.Length);
        Assert.StartsWith("province,commune,", csv[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_plans_with_different_targets_read_the_same_payments_differently()
    {
        await using var province = await ProvinceHost.StartAsync();

        // The seeds: 236/KH-UBND and 104/KH-UBND with their 2022 figures and 20 points a year.
        var seeds = await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/plans");
        var plans = seeds.GetProperty("plans").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal(["brvt-104-2022", Plan236], plans.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("Tiền Giang", 2022, 20), (plans[Plan236].GetProperty("area").GetString(), plans[Plan236].GetProperty("startYear").GetInt32(), plans[Plan236].GetProperty("increment").GetInt32()));
        Assert.Equal("Bà Rịa - Vũng Tàu", plans["brvt-104-2022"].GetProperty("area").GetString());

        var random = new Random(7);
        var (from, to) = (new DateOnly(2023, 1, 1), new DateOnly(2024, 1, 1));
        for (var n = 0; n < 10; n++)
        {
            await GenerateAsync(province, random, n, n % 2 == 0 ? "primary" : "commune_health_station", "Đồng Tháp", "Xã Vĩnh Kim", "Tiền Giang", "Huyện Châu Thành", from, to);
        }

        // A school without a terminal: the share stays under 100 %.
        using (await province.Admin.PutAsJsonAsync("/api/v1/admin/institutions/GEN-NONE", new { name = "Trường Tiểu học chưa có máy", type = "primary", province = "Đồng Tháp", commune = "Xã Vĩnh Kim" }))
        {
        }

        // Two plans over the same area: one asks 10 % of schools in 2023 (0 + 10 a year), the other 100 %.
        object PlanBody(string id, int start, int increment, bool isDefault) => new
        {
            id, title = $"Kế hoạch {id}", authority = "UBND tỉnh Đồng Tháp", areaKind = "province", area = "Đồng Tháp", startYear = 2022, increment, cap = 100, isDefault,
            targets = new[] { new { type = "primary", institutionShare = start, valueShare = start, countShare = start }, new { type = "commune_health_station", institutionShare = start, valueShare = start, countShare = start } },
        };
        using (var put = await province.Admin.PutAsJsonAsync("/api/v1/admin/plans", new { plans = new[] { PlanBody("dt-thap", 0, 10, true), PlanBody("dt-cao", 100, 0, false) } }))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        async Task<JsonElement> ReadAsync(string plan) => await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&plan={plan}");
        var (low, high) = (await ReadAsync("dt-thap"), await ReadAsync("dt-cao"));
        Assert.Equal(low.GetProperty("cashlessValue").GetInt64(), high.GetProperty("cashlessValue").GetInt64());
        var (lowPrimary, highPrimary) = (low.GetProperty("byType")[0], high.GetProperty("byType")[0]);
        Assert.Equal((10, 100), (lowPrimary.GetProperty("targetPercent").GetInt32(), highPrimary.GetProperty("targetPercent").GetInt32()));
        Assert.Equal((10, 100), (low.GetProperty("valueTargetPercent").GetInt32(), high.GetProperty("valueTargetPercent").GetInt32()));
        var share = lowPrimary.GetProperty("sharePercent").GetDouble();
        Assert.True(share < 100, $"the schools' share {share} is under 100 %");
        Assert.Equal((share >= 10, false), (lowPrimary.GetProperty("met").GetBoolean(), highPrimary.GetProperty("met").GetBoolean()));
        Assert.Equal(share, highPrimary.GetProperty("sharePercent").GetDouble());

        // The plan replaced the seeds; the default is the one marked; an unknown plan is a 404, a malformed one a 400 naming the field.
        Assert.Equal("dt-thap", (await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}")).GetProperty("plan").GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await province.Admin.GetAsync("/api/v1/admin/report/plan?plan=brvt-104-2022")).StatusCode);
        using var bad = await province.Admin.PutAsJsonAsync("/api/v1/admin/plans", new { plans = new[] { new { id = "x1", title = "T", authority = "A", areaKind = "district", area = "Châu Thành", startYear = 2022, increment = 20, cap = 100, targets = Array.Empty<object>() } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("areaKind", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await province.Admin.GetAsync("/api/v1/admin/report/plan?units=yesterday")).StatusCode);
    }

    [Fact]
    public async Task Moving_an_institution_leaves_past_periods_as_they_were_and_today_reads_them_in_the_new_commune()
    {
        await using var province = await ProvinceHost.StartAsync();
        using (await province.Admin.PutAsJsonAsync("/api/v1/admin/institutions/GEN-MOVE", new { name = "Trường Tiểu học Vĩnh Kim", type = "primary", province = "Đồng Tháp", commune = "Xã Vĩnh Kim", oldProvince = "Tiền Giang", district = "Huyện Châu Thành" }))
        {
        }

        await province.ExecuteAsync("INSERT INTO accounts (code, institution_id, kind, full_name, balance, version) VALUES ('PM1', 'GEN-MOVE', 'pupil', 'Người nộp', 0, 0)");
        await province.ExecuteAsync("INSERT INTO terminals (id, institution_id, name, revoked, last_seen_at) VALUES ('KP-MOVE', 'GEN-MOVE', 'Máy', 0, '2025-03-02T01:00:00Z')");
        await PayAsync(province, "KP-MOVE", 1, "GEN-MOVE", "PM1", 300_000, new DateOnly(2025, 3, 10));
        await PayAsync(province, "KP-MOVE", 2, "GEN-MOVE", "PM1", 200_000, new DateOnly(2025, 8, 10));

        const string march = "from=2025-03-01&to=2025-04-01&plan=" + Plan236;
        var before = await province.Admin.GetStringAsync($"/api/v1/admin/report/plan?{march}");

        // Units change again: from August the school is in another commune.
        using (var move = await province.Admin.PostAsJsonAsync("/api/v1/admin/institutions/GEN-MOVE/move", new { from = "2025-08-01", province = "Đồng Tháp", commune = "Xã Kim Sơn", note = "điều chỉnh địa giới" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, move.StatusCode);
        }

        Assert.Equal(before, await province.Admin.GetStringAsync($"/api/v1/admin/report/plan?{march}"));
        static string Commune(JsonElement report) => report.GetProperty("byCommune").EnumerateArray().Single(c => c.GetProperty("cashlessValue").GetInt64() > 0).GetProperty("commune").GetString()!;
        Assert.Equal("Xã Vĩnh Kim", Commune(await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?{march}")));
        Assert.Equal("Xã Kim Sơn", Commune(await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?{march}&units=today")));
        Assert.Equal("Xã Kim Sơn", Commune(await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from=2025-08-01&to=2025-09-01&plan={Plan236}")));

        // Over the year in the units of the time, each month's value stays with the commune of that month.
        var year = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from=2025-01-01&to=2026-01-01&plan={Plan236}");
        var values = year.GetProperty("byCommune").EnumerateArray().ToDictionary(c => c.GetProperty("commune").GetString()!, c => c.GetProperty("cashlessValue").GetInt64());
        Assert.Equal((300_000L, 200_000L), (values["Xã Vĩnh Kim"], values["Xã Kim Sơn"]));

        // The history: the old place kept, the old district carried over; a move from mid-month is refused.
        var history = await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/institutions/GEN-MOVE/places");
        Assert.Equal(["Xã Vĩnh Kim", "Xã Kim Sơn"], history.GetProperty("places").EnumerateArray().Select(p => p.GetProperty("commune").GetString()));
        Assert.Equal("Huyện Châu Thành", history.GetProperty("places")[1].GetProperty("oldDistrict").GetString());
        using var midMonth = await province.Admin.PostAsJsonAsync("/api/v1/admin/institutions/GEN-MOVE/move", new { from = "2025-08-15", province = "Đồng Tháp", commune = "Xã Kim Sơn" });
        Assert.Equal(HttpStatusCode.BadRequest, midMonth.StatusCode);
        Assert.Contains("from", await midMonth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var nobody = await province.Admin.PostAsJsonAsync("/api/v1/admin/institutions/NOBODY/move", new { from = "2025-08-01", province = "Đồng Tháp", commune = "Xã Kim Sơn" });
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);

        // Year on year: 2025 against the plan's trajectory from 2022.
        var years = year.GetProperty("years").EnumerateArray().ToList();
        Assert.Equal([2022, 2023, 2024, 2025], years.Select(y => y.GetProperty("year").GetInt32()));
        Assert.Equal([50, 70, 90, 100], years.Select(y => y.GetProperty("valueTargetPercent").GetInt32()));
        Assert.Equal(500_000L, years[^1].GetProperty("cashlessValue").GetInt64());
    }

    // Rules written out here: 2022 figures + 20 points a year, up to 100.
    private static int Target(int start, int year) => start >= 100 ? start : Math.Min(100, start + (20 * Math.Max(0, year - 2022)));

    private static double Share(long part, long whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 1);

    private sealed record Generated(string Id, string Type, string Commune, string OldProvince, string OldDistrict, bool Active, int Counted, long Value, long Due, int Bills);

    // An institution registered through the API, a terminal (seen, revoked or none), bills and payments in and
    // around the period written straight into the tables; what the rules make of them, worked out here.
    private static async Task<Generated> GenerateAsync(ProvinceHost province, Random random, int n, string type, string provinceName, string commune, string oldProvince, string district, DateOnly from, DateOnly to)
    {
        var id = $"GEN-{n:D3}";
        using (var put = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{id}", new { name = $"Đơn vị {n}", type, province = provinceName, commune, oldProvince, district }))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        (bool Revoked, bool Seen)? terminal = random.Next(4) switch { 0 => null, 1 => (true, true), _ => (false, true) };
        var terminalId = $"KP-GEN-{n:D3}";
        await province.ExecuteAsync("INSERT INTO accounts (code, institution_id, kind, full_name, balance, version) VALUES ($c, $i, 'pupil', 'Người nộp', 0, 0)", ("$c", $"P{n:D3}"), ("$i", id));
        await province.ExecuteAsync("INSERT INTO terminals (id, institution_id, name, revoked, last_seen_at) VALUES ($t, $i, 'Máy', $r, $s)",
            ("$t", terminalId), ("$i", id), ("$r", terminal is { Revoked: true } ? 1 : 0), ("$s", terminal is null ? null : "2025-03-02T01:00:00.0000000+00:00"));
        var (due, bills) = (0L, 0);
        for (var b = 0; b < random.Next(1, 5); b++)
        {
            var inside = random.Next(4) != 0;
            var day = inside ? from.AddDays(random.Next(to.DayNumber - from.DayNumber)) : to.AddDays(random.Next(1, 60));
            var total = random.Next(1, 40) * 50_000L;
            await province.ExecuteAsync("INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($b, $i, $c, 'hoc_phi', 'Học phí', $d, $t, 0, 0)",
                ("$b", $"B-{n:D3}-{b}"), ("$i", id), ("$c", $"P{n:D3}"), ("$d", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$t", total));
            if (inside)
            {
                (due, bills) = (due + total, bills + 1);
            }
        }

        var (counted, value) = (0, 0L);
        for (var p = 1; p <= random.Next(0, 6); p++)
        {
            var inside = random.Next(4) != 0;
            var day = inside ? from.AddDays(random.Next(to.DayNumber - from.DayNumber)) : from.AddDays(-random.Next(1, 60));
            var amount = random.Next(1, 30) * 10_000L;
            var voided = random.Next(6) == 0;
            await PayAsync(province, terminalId, p, id, $"P{n:D3}", amount, day, voided);
            if (inside && !voided)
            {
                (counted, value) = (counted + 1, value + amount);
            }
        }

        return new Generated(id, type, commune, oldProvince, district, terminal is { Revoked: false }, counted, value, due, bills);
    }

    // A card payment at 10:00 Vietnam time on the day.
    private static async Task PayAsync(ProvinceHost province, string terminalId, int sequence, string institution, string account, long amount, DateOnly day, bool voided = false)
    {
        var at = new DateTimeOffset(day.Year, day.Month, day.Day, 3, 0, 0, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);
        await province.ExecuteAsync("INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ($t, $s, 'payment.created', 'x', '{}', '{}', $a)",
            ("$t", terminalId), ("$s", sequence), ("$a", at));
        await province.ExecuteAsync(
            """
            INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, reversed)
            VALUES ($id, $t, $s, $i, $c, 'card_balance', $a, $at, $at, $st, $a, 0)
            """,
            ("$id", $"{terminalId}-{sequence:D8}"), ("$t", terminalId), ("$s", sequence), ("$i", institution), ("$c", account), ("$a", amount), ("$at", at), ("$st", voided ? "voided" : "completed"));
    }
}
