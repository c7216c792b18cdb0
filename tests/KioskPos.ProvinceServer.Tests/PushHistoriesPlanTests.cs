using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Before a group of pushes is booked, the server reads what it already holds around each push (its range of
/// sequences and the neighbours). That read must follow the journal's key: a province's journal grows by millions of
/// entries, and a plan that scans it all costs every group more as it grows (30 ms a group at 200,000 entries in the
/// load test, with PostgreSQL hashing the ranges and reading the whole table).
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PushHistoriesPlanTests
{
    [Fact]
    public async Task On_postgresql_the_histories_of_forty_pushes_are_read_by_the_journals_key_not_by_scanning_the_journal()
    {
        await using var province = await ProvinceHost.StartAsync(engine: ProvinceEngine.Postgres);

        // A journal of 40 terminals × 1,000 entries, and the statistics the planner has on a live server.
        var terminals = Enumerable.Range(1, 40).Select(t => $"KP-KE-HOACH-{t:D2}").ToList();
        await province.ExecuteAsync(
            "INSERT INTO terminals (id, institution_id, name) SELECT 'KP-KE-HOACH-' || lpad(CAST(t AS text), 2, '0'), 'TG-THCS-NGUYENDU', 'Kế hoạch' FROM generate_series(1, 40) AS t");
        await province.ExecuteAsync(
            "INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at, prev_hash, hash) " +
            "SELECT 'KP-KE-HOACH-' || lpad(CAST(t AS text), 2, '0'), s, 'payment_created', md5(CAST(s AS text)), '{}', '{}', '2026-12-06T00:00:00Z', md5(CAST(s - 1 AS text)), md5(CAST(s AS text)) " +
            "FROM generate_series(1, 40) AS t, generate_series(1, 1000) AS s");
        await province.ExecuteAsync("ANALYZE journal_entries");

        // Each terminal pushes 50 entries from 951 on: the range read is 950 to 1,001.
        await using var connection = await province.Database.OpenAsync();
        var (ranges, parameters) = connection.Rows("r", [("t", false), ("a", true), ("b", true)], [.. terminals.Select(t => new object?[] { t, 950L, 1_001L })]);
        var sql = PushWriter.HistoriesSql(postgres: true, ranges);

        var held = 0;
        await using (var read = connection.Command(sql, null, parameters))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                held++;
            }
        }

        Assert.Equal(40 * 51, held); // 950 to 1,000 of each: what the range holds, nothing cut

        var plan = new List<string>();
        await using (var explain = connection.Command("EXPLAIN " + sql, null, parameters))
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join('\n', plan);
        Assert.DoesNotContain("Seq Scan on journal_entries", text);
        Assert.Contains("Index Scan using journal_entries_pkey", text);
    }
}
