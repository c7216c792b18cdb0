using System.Diagnostics;
using System.Net.Http.Headers;
using KioskPos.ProvinceServer;
using Microsoft.Data.Sqlite;

namespace KioskPos.Benchmarks;

/// <summary>
/// The plan report at province scale: 1,200 institutions, a year of 5,000,000 payments and as many bills, in the
/// province server's SQLite file. Times the report over the year through the server (it reads the daily sums the
/// triggers keep) against the same figures summed straight from the payments and bills tables in the same run (what
/// the report did before), and checks both give the same totals. Target (issue #9): under 1 s.
/// </summary>
internal static class ReportBenchmark
{
    private const string AdminToken = "report-bench-admin";

    public static async Task<int> RunAsync(int payments)
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-report-").FullName;
        try
        {
            string[] args = ["--urls=http://127.0.0.1:0", $"--Province:DataDirectory={folder}", $"--Province:AdminToken={AdminToken}", "--Province:SeedDemoData=false", "--Logging:LogLevel:Default=Warning"];
            var province = ProvinceApp.Build(args);
            await province.StartAsync(); // creates and migrates the file
            await province.StopAsync();
            await province.DisposeAsync();
            SqliteConnection.ClearAllPools();

            var database = Path.Combine(folder, "province.db");
            Console.WriteLine($"Generating 1,200 institutions and {payments:N0} payments and bills (the triggers fill the daily sums as they go)…");
            var generate = Stopwatch.StartNew();
            await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
            {
                await connection.OpenAsync();
                await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"); // generated rows only: no journal behind the payments
                await ExecuteAsync(connection, $"""
                    BEGIN;
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1199)
                    INSERT INTO institutions (id, name, type, district)
                    SELECT printf('TG-B-%04d', i), 'Đơn vị ' || i,
                           CASE i % 8 WHEN 0 THEN 'primary' WHEN 1 THEN 'primary' WHEN 2 THEN 'lower_secondary' WHEN 3 THEN 'upper_secondary'
                                      WHEN 4 THEN 'vocational' WHEN 5 THEN 'commune_health_station' WHEN 6 THEN 'district_health_centre' ELSE 'primary' END,
                           'Huyện ' || (i % 11) FROM n;
                    INSERT INTO terminals (id, institution_id, name, last_seen_at)
                    SELECT 'KP-B-' || substr(id, 6), id, 'Máy', '2025-01-01T00:00:00Z' FROM institutions WHERE id LIKE 'TG-B-%' AND (CAST(substr(id, 6) AS INTEGER) % 5) <> 0;
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {payments - 1})
                    INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version)
                    SELECT 'B' || i, printf('TG-B-%04d', i % 1200), 'X', 'hoc_phi', 'Học phí', date('2025-01-01', '+' || (i % 365) || ' days'), 10000 + (i % 50) * 10000, 0, 0 FROM n;
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {payments - 1})
                    INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, reversed)
                    SELECT 'P' || i, printf('KP-B-%04d', i % 1200), i, printf('TG-B-%04d', i % 1200), 'X',
                           CASE i % 3 WHEN 0 THEN 'card_balance' WHEN 1 THEN 'vietqr' ELSE 'external_card' END,
                           10000 + (i % 50) * 10000,
                           strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-01', '+' || (i % 365) || ' days', '+' || (i % 36000) || ' seconds'),
                           strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-01', '+' || (i % 365) || ' days', '+' || (i % 36000) || ' seconds'),
                           CASE WHEN i % 17 = 0 THEN 'voided' WHEN i % 3 = 1 AND i % 11 = 0 THEN 'pending' ELSE 'completed' END,
                           CASE WHEN i % 3 = 1 AND i % 11 = 0 THEN 0 ELSE 10000 + (i % 50) * 10000 END,
                           CASE WHEN i % 23 = 0 THEN 10000 ELSE 0 END
                    FROM n;
                    COMMIT;
                    """);
            }

            Console.WriteLine($"Generated in {generate.Elapsed.TotalSeconds:0} s.");
            province = ProvinceApp.Build(args);
            await province.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(province.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            const string query = "/api/v1/admin/report/plan?from=2025-01-01&to=2026-01-01";
            var report = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(query)).RootElement; // warm-up, and the figures
            var served = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(query);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
                served.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            // Baseline: the same totals summed from the payments and bills themselves.
            var scanned = new List<double>();
            long scanValue = 0, scanCount = 0, scanDue = 0;
            await using (var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False"))
            {
                await connection.OpenAsync();
                for (var i = 0; i < 3; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await using var command = connection.CreateCommand();
                    // The year 2025 in Vietnam (UTC+7), as the report counts it, over times stored in UTC.
                    command.CommandText = """
                        SELECT (SELECT COALESCE(SUM(MAX(0, (CASE WHEN method = 'vietqr' THEN MIN(received, amount) ELSE amount END) - reversed)), 0)
                                    FROM payments WHERE created_at >= '2024-12-31T17:00:00' AND created_at < '2025-12-31T17:00:00' AND state <> 'voided'),
                               (SELECT COUNT(*) FROM payments WHERE created_at >= '2024-12-31T17:00:00' AND created_at < '2025-12-31T17:00:00' AND state <> 'voided' AND (method <> 'vietqr' OR received > 0)),
                               (SELECT COALESCE(SUM(total), 0) FROM bills WHERE due_date >= '2025-01-01' AND due_date < '2026-01-01')
                        """;
                    await using var reader = await command.ExecuteReaderAsync();
                    await reader.ReadAsync();
                    (scanValue, scanCount, scanDue) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                    scanned.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            await province.StopAsync();
            var same = report.GetProperty("cashlessValue").GetInt64() == scanValue && report.GetProperty("cashlessPayments").GetInt64() == scanCount && report.GetProperty("due").GetInt64() == scanDue;
            var (reportMs, scanMs) = (Stats.Percentile(served, 0.5), Stats.Percentile(scanned, 0.5));
            Console.WriteLine();
            Console.WriteLine("| Run | Payments | Median (ms) | Ratio to the scan |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| summed from payments and bills (baseline, totals only) | {payments:N0} | {scanMs:0} | 1.00 |");
            Console.WriteLine($"| the plan report for the year over HTTP (every institution, type, district, month) | {payments:N0} | {reportMs:0} | {reportMs / scanMs:0.000} |");
            Console.WriteLine();
            Console.WriteLine($"Same totals both ways: {(same ? "yes" : "NO")} (value {scanValue:N0} ₫, {scanCount:N0} payments, due {scanDue:N0} ₫). Target: the report under 1,000 ms.");
            return same ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }
}
