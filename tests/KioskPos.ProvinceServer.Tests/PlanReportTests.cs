using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.Data.Sqlite;

namespace KioskPos.ProvinceServer.Tests;

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
        var today = DateTime.UtcNow.AddHours(7); // the province's day (Vietnam, UTC+7)
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
        // The page is a file; its bars are SVG the server draws at their own address, its figures the JSON beside them.
        Assert.Equal(HttpStatusCode.OK, (await administrator.GetAsync("/report" + query)).StatusCode);
        using (var bars = await administrator.GetAsync("/api/v1/report/plan/types.svg" + query))
        {
            Assert.Equal("image/svg+xml", bars.Content.Headers.ContentType!.MediaType);
            var svg = await bars.Content.ReadAsStringAsync();
            Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
            Assert.Contains("Trung học cơ sở", svg, StringComparison.Ordinal);
            Assert.DoesNotContain("HS240001", svg, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("HS240001", await administrator.GetStringAsync("/api/v1/report/plan" + query), StringComparison.Ordinal);
        Assert.StartsWith("institution_id,", await administrator.GetStringAsync("/report" + query + "&format=csv"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anyone.GetAsync("/api/v1/admin/report/plan" + query)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await province.Admin.GetAsync("/api/v1/admin/report/plan?from=2026-12-01&to=2026-11-01")).StatusCode);
    }

    [Fact]
    public async Task The_figures_on_a_generated_province_match_what_the_test_computes_itself()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        var random = new Random(20250301);
        string[] types = ["primary", "lower_secondary", "upper_secondary", "provincial_hospital", "district_health_centre", "commune_health_station"];
        string[] districts = ["Huyện Cái Bè", "Huyện Gò Công Tây", "Thành phố Mỹ Tho"];
        var (from, to) = (new DateOnly(2025, 3, 1), new DateOnly(2025, 5, 1));
        var institutions = new List<(string Id, string Type, string District, bool Active, int Counted, long Value, long Due)>
        {
            ("TG-THCS-NGUYENDU", "lower_secondary", "Thành phố Mỹ Tho", false, 0, 0, 0), // the demo's, not enrolled: no active terminal
            ("TG-TTYT-CHAUTHANH", "district_health_centre", "Huyện Châu Thành", false, 0, 0, 0),
        };
        var monthValue = new long[2];
        var monthDue = new long[2];
        for (var n = 0; n < 18; n++)
        {
            var id = $"TG-GEN-{n:D2}";
            var type = types[n % types.Length];
            var district = districts[random.Next(districts.Length)];
            using (var registered = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{id}", new { name = $"Đơn vị {n}", type, district, commune = "Xã Một", oldProvince = "Tiền Giang" }))
            {
                Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            }

            // A terminal that has been seen (active), one revoked, or none.
            (bool Revoked, bool Seen)? terminal = random.Next(3) switch { 0 => null, 1 => (false, true), _ => (true, true) };
            var terminalId = $"KP-GEN-{n:D2}";
            await province.ExecuteAsync("INSERT INTO accounts (code, institution_id, kind, full_name, balance, version) VALUES ($c, $i, 'pupil', 'Người nộp', 0, 0)", ("$c", $"P{n:D2}"), ("$i", id));
            await province.ExecuteAsync("INSERT INTO terminals (id, institution_id, name, revoked, last_seen_at) VALUES ($t, $i, 'Máy', $r, $s)",
                ("$t", terminalId), ("$i", id), ("$r", terminal is { Revoked: true } ? 1 : 0), ("$s", terminal is null ? null : "2025-03-02T01:00:00.0000000+00:00"));

            long due = 0;
            for (var b = 0; b < random.Next(1, 4); b++)
            {
                var month = random.Next(3); // March, April, or June (outside the period)
                var dueDate = new DateOnly(2025, month == 2 ? 6 : 3 + month, random.Next(1, 29));
                var total = random.Next(1, 40) * 50_000L;
                await province.ExecuteAsync("INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($b, $i, $c, 'hoc_phi', 'Học phí', $d, $t, 0, 0)",
                    ("$b", $"B-{n:D2}-{b}"), ("$i", id), ("$c", $"P{n:D2}"), ("$d", dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$t", total));
                if (month < 2)
                {
                    due += total;
                    monthDue[month] += total;
                }
            }

            var counted = 0;
            long value = 0;
            for (var p = 1; p <= random.Next(0, 7); p++)
            {
                var method = new[] { "card_balance", "vietqr", "external_card" }[random.Next(3)];
                var amount = random.Next(1, 30) * 10_000L;
                var state = random.Next(6) == 0 ? "voided" : method == "vietqr" ? new[] { "completed", "pending", "underpaid" }[random.Next(3)] : "completed";
                var received = method != "vietqr" ? amount : state switch { "completed" => amount + (random.Next(4) == 0 ? 20_000 : 0), "underpaid" => amount / 2, _ => 0 };
                var reversed = state == "completed" && random.Next(4) == 0 ? amount / 4 : 0;
                var month = random.Next(3);
                var created = new DateTime(2025, month == 2 ? 2 : 3 + month, random.Next(1, 28), 3, 0, 0, DateTimeKind.Utc);
                await province.ExecuteAsync("INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ($t, $s, 'payment.created', 'x', '{}', '{}', $a)",
                    ("$t", terminalId), ("$s", p), ("$a", created.ToString("O", CultureInfo.InvariantCulture)));
                await province.ExecuteAsync(
                    """
                    INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, reversed)
                    VALUES ($id, $t, $s, $i, $c, $m, $a, $at, $at, $st, $rc, $rv)
                    """,
                    ("$id", $"{terminalId}-{p:D8}"), ("$t", terminalId), ("$s", p), ("$i", id), ("$c", $"P{n:D2}"), ("$m", method), ("$a", amount),
                    ("$at", created.ToString("O", CultureInfo.InvariantCulture)), ("$st", state), ("$rc", received), ("$rv", reversed));

                // The rules, written out here: in the period, not voided; a VietQR payment counts once money arrived,
                // for what arrived up to its amount; what was given back is not kept.
                if (month < 2 && state != "voided")
                {
                    var kept = Math.Max(0, (method == "vietqr" ? Math.Min(received, amount) : amount) - reversed);
                    value += kept;
                    monthValue[month] += kept;
                    if (method != "vietqr" || received > 0)
                    {
                        counted++;
                    }
                }
            }

            institutions.Add((id, type, district, terminal is { Revoked: false }, counted, value, due));
        }

        var report = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal(institutions.Sum(i => i.Due), report.GetProperty("due").GetInt64());
        Assert.Equal(institutions.Sum(i => i.Value), report.GetProperty("cashlessValue").GetInt64());
        Assert.Equal(institutions.Sum(i => i.Counted), report.GetProperty("cashlessPayments").GetInt32());
        Assert.Equal(monthValue, report.GetProperty("months").EnumerateArray().Select(m => m.GetProperty("cashlessValue").GetInt64()));
        Assert.Equal(monthDue, report.GetProperty("months").EnumerateArray().Select(m => m.GetProperty("due").GetInt64()));
        foreach (var group in report.GetProperty("byType").EnumerateArray())
        {
            var members = institutions.Where(i => i.Type == group.GetProperty("type").GetString()).ToList();
            var taking = members.Count(i => i.Active && i.Counted > 0);
            Assert.Equal((members.Count, taking, Math.Round(100.0 * taking / members.Count, 1)),
                (group.GetProperty("institutions").GetInt32(), group.GetProperty("takingCashless").GetInt32(), group.GetProperty("sharePercent").GetDouble()));
        }

        Assert.Equal(institutions.Select(i => i.Type).Distinct().Count(), report.GetProperty("byType").GetArrayLength());
        foreach (var group in report.GetProperty("byDistrict").EnumerateArray())
        {
            var members = institutions.Where(i => i.District == group.GetProperty("district").GetString() && i.Type == group.GetProperty("type").GetString()).ToList();
            Assert.Equal((members.Count, members.Count(i => i.Active && i.Counted > 0)), (group.GetProperty("institutions").GetInt32(), group.GetProperty("takingCashless").GetInt32()));
        }

        Assert.Equal(institutions.Select(i => (i.District, i.Type)).Distinct().Count(), report.GetProperty("byDistrict").GetArrayLength());
        var drill = report.GetProperty("institutions").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        foreach (var expected in institutions)
        {
            var row = drill[expected.Id];
            Assert.Equal((expected.Counted, expected.Value, expected.Due, expected.Active && expected.Counted > 0),
                (row.GetProperty("cashlessPayments").GetInt32(), row.GetProperty("cashlessValue").GetInt64(), row.GetProperty("due").GetInt64(), row.GetProperty("takesCashless").GetBoolean()));
        }

        // The figures are kept as the payments change (the report reads daily sums kept by triggers): a payment
        // voided afterwards leaves the value and the count.
        var voided = drill.Values.First(i => i.GetProperty("cashlessPayments").GetInt32() > 0).GetProperty("id").GetString()!;
        var victim = (string)(await province.ScalarAsync(
            "SELECT id FROM payments WHERE institution_id = $i AND state = 'completed' AND method <> 'vietqr' AND created_at >= '2025-03-01' AND created_at < '2025-05-01' ORDER BY id LIMIT 1",
            ("$i", voided)))!;
        var keptBefore = Convert.ToInt64(await province.ScalarAsync("SELECT amount - reversed FROM payments WHERE id = $p", ("$p", victim)), CultureInfo.InvariantCulture);
        Assert.Equal(1, await province.ExecuteAsync("UPDATE payments SET state = 'voided' WHERE id = $p", ("$p", victim)));
        var after = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal((institutions.Sum(i => i.Value) - keptBefore, institutions.Sum(i => i.Counted) - 1),
            (after.GetProperty("cashlessValue").GetInt64(), after.GetProperty("cashlessPayments").GetInt32()));

        // The registry refuses what the plans do not know.
        using var wrongType = await province.Admin.PutAsJsonAsync("/api/v1/admin/institutions/TG-GEN-99", new { name = "Trường X", type = "kindergarten", district = "Huyện Cái Bè" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        using var renamed = await province.Admin.PutAsJsonAsync("/api/v1/admin/institutions/TG-GEN-00", new { name = "Trường Tiểu học Một", type = "primary", district = "Huyện Cái Bè" });
        Assert.Equal(HttpStatusCode.NoContent, renamed.StatusCode);
    }

    [Fact]
    public async Task Payments_count_on_the_local_day_a_payment_at_0630_on_the_1st_in_that_month()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();

        // 23:30 local on 30 November is 16:30 UTC; 06:30 local on 1 December is still 30 November in UTC.
        var entries = new[]
        {
            (At: new DateTimeOffset(2026, 11, 30, 16, 30, 0, TimeSpan.Zero), Amount: 100_000L),
            (At: new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.Zero), Amount: 250_000L),
        };
        var prevHash = EntryCanonicalForm.GenesisHash;
        var journal = new List<JournalEntryDto>();
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = new JournalEntryDto(i + 1, EntryKinds.PaymentCreated, entries[i].At,
                Payment: new PaymentCreatedDto($"KP-THCS-ND-01-{i + 1:D8}", "HS240001", "04A1B2C3", "card_balance", entries[i].Amount, [new AllocationDto("BT-2611-HS240001", entries[i].Amount)], null));
            var hash = EntryCanonicalForm.ChainHash(prevHash, entry);
            journal.Add(entry with { PrevHash = prevHash, Hash = hash });
            prevHash = hash;
        }

        using (var pushed = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-01", journal), ContractsJsonContext.Default.PushRequest))
        {
            pushed.EnsureSuccessStatusCode();
        }

        async Task<long> MonthValueAsync(string from, string to) =>
            (await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/report/plan?from={from}&to={to}")).GetProperty("cashlessValue").GetInt64();
        Assert.Equal((100_000L, 250_000L), (await MonthValueAsync("2026-11-01", "2026-12-01"), await MonthValueAsync("2026-12-01", "2027-01-01")));

        var days = (await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/reconciliation?from=2026-11-30&to=2026-12-02")).GetProperty("days").EnumerateArray()
            .Where(d => d.GetProperty("institutionId").GetString() == "TG-THCS-NGUYENDU")
            .ToDictionary(d => d.GetProperty("day").GetString()!, d => d.GetProperty("cardBalance").GetInt64());
        Assert.Equal(100_000L, days["2026-11-30"]);
        Assert.Equal(250_000L, days["2026-12-01"]);

        // One day asked for: only what happened on it, local time.
        var first = (await province.Admin.GetFromJsonAsync<JsonElement>("/api/v1/reconciliation?from=2026-12-01&to=2026-12-02")).GetProperty("days").EnumerateArray()
            .Where(d => d.GetProperty("institutionId").GetString() == "TG-THCS-NGUYENDU").ToList();
        Assert.Equal(("2026-12-01", 250_000L), (Assert.Single(first).GetProperty("day").GetString(), first[0].GetProperty("cardBalance").GetInt64()));
    }
}

/// <summary>PlanReport on the embedded SQLite file.</summary>
public sealed class PlanReportSqliteTests() : PlanReportTests(ProvinceEngine.Sqlite);

/// <summary>PlanReport on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class PlanReportPostgresTests() : PlanReportTests(ProvinceEngine.Postgres);
