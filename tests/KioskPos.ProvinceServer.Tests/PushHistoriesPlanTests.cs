using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Before a group of pushes is booked, the server reads what it already holds around each push (its range of
/// sequences and the neighbours). That read must follow the journal's key: a province's journal grows by millions of
/// entries, and a plan that scans it all costs every group more as it grows (30 ms a group at 200,000 entries in the
/// load test, with PostgreSQL hashing the ranges and reading the whole table).
/// </summary>
public abstract class PushHistoriesPlanTests(ProvinceEngine engine)
{
    [Fact]
    public async Task The_histories_of_forty_pushes_are_read_by_the_journals_key_not_by_scanning_the_journal()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);

        // A journal of 40 terminals × 1,000 entries, stored as a province receives them (the terminals' pushes
        // interleaved: every terminal's first entries, then their next), and the statistics the planner has on a live
        // server. Stored terminal by terminal instead, the table would follow its key and any plan would read it cheaply.
        const string Series = "WITH RECURSIVE t(n) AS (SELECT 10 UNION ALL SELECT n + 1 FROM t WHERE n < 49), s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 1000) ";
        await province.ExecuteAsync(Series + "INSERT INTO terminals (id, institution_id, name) SELECT 'KP-KE-HOACH-' || n, 'TG-THCS-NGUYENDU', 'Kế hoạch' FROM t");
        await province.ExecuteAsync(Series +
            "INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at, prev_hash, hash) " +
            "SELECT 'KP-KE-HOACH-' || n, g, 'payment_created', 'd' || g, '{}', '{}', '2026-12-06T00:00:00Z', 'h' || (g - 1), 'h' || g FROM t, s ORDER BY g, n");
        await province.ExecuteAsync("ANALYZE journal_entries");

        // Each terminal pushes 50 entries from 951 on: the range read is 950 to 1,001.
        await using var connection = await province.Database.OpenAsync();
        var terminals = Enumerable.Range(10, 40).Select(n => $"KP-KE-HOACH-{n}").ToList();
        var (ranges, parameters) = connection.Rows("r", [("t", false), ("a", true), ("b", true)], [.. terminals.Select(t => new object?[] { t, 950L, 1_001L })]);
        var sql = PushWriter.HistoriesSql(engine == ProvinceEngine.Postgres, ranges);

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

        var plan = await QueryPlan.ReadAsync(connection, engine, sql, parameters);
        var text = string.Join('\n', plan);
        if (engine == ProvinceEngine.Postgres)
        {
            Assert.DoesNotContain("Seq Scan on journal_entries", text);
            Assert.Contains("Index Scan using journal_entries_pkey", text);
        }
        else
        {
            Assert.DoesNotContain(plan, line => line == "SCAN j" || line.StartsWith("SCAN j ", StringComparison.Ordinal));
            Assert.Contains("SEARCH j USING INDEX", text);
        }
    }
}

/// <summary>The read on the embedded SQLite file, which joins by looking the key up.</summary>
public sealed class PushHistoriesPlanSqliteTests() : PushHistoriesPlanTests(ProvinceEngine.Sqlite);

/// <summary>The read on PostgreSQL, a lateral index range scan per push.</summary>
[Trait("Category", "Postgres")]
public sealed class PushHistoriesPlanPostgresTests() : PushHistoriesPlanTests(ProvinceEngine.Postgres);
