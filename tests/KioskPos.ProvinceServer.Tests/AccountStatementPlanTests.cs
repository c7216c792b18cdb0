using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// A card's monthly statement is public (<c>/api/v1/statements/{account}/{month}</c>, behind the holder's key) and reads
/// one account's movements of one month. The province keeps every payment for ten years, some 5 million a year: the
/// statement must find the account's payments through an index of the account, never by reading every payment (it did,
/// three times a statement, before migration 0039 gave <c>payments</c> an index by account and time).
/// </summary>
public abstract class AccountStatementPlanTests(ProvinceEngine engine)
{
    [Fact]
    public async Task A_statement_reads_one_accounts_payments_through_its_index_not_by_scanning_every_payment()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);

        // 20,000 card payments of 400 accounts (g % 400) over ten months (g / 400 % 10: five a month each), written as a
        // province receives them: one terminal's journal in order, the accounts interleaved. Then the statistics a live
        // server has.
        const string Series = "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 20000) ";
        await province.ExecuteAsync("INSERT INTO terminals (id, institution_id, name) VALUES ('KP-SAO-KE-01', 'TG-THCS-NGUYENDU', 'Sao ke')");
        await province.ExecuteAsync(Series +
            "INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at, prev_hash, hash) " +
            "SELECT 'KP-SAO-KE-01', g, 'payment_created', 'd' || g, '{}', '{}', '2026-12-06T00:00:00Z', 'h' || (g - 1), 'h' || g FROM s");
        await province.ExecuteAsync(Series +
            "INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, purpose) " +
            "SELECT 'KP-SAO-KE-01-' || g, 'KP-SAO-KE-01', g, 'TG-THCS-NGUYENDU', 'SK' || (1000 + g % 400), 'card_balance', 1000, " +
            "'2026-' || (CASE WHEN g / 400 % 10 < 9 THEN '0' ELSE '' END) || (1 + g / 400 % 10) || '-15T03:00:00Z', '2026-12-06T00:00:00Z', 'completed', 'bills' FROM s");
        await province.ExecuteAsync("ANALYZE");

        // SK1007's payments of March 2026 (Vietnam's month: from 17:00 UTC the day before), counted by the database
        // itself, then read by the statement.
        var expected = Convert.ToInt64(await province.ScalarAsync(
            "SELECT COUNT(*) FROM payments WHERE account_code = 'SK1007' AND created_at >= '2026-02-28T17:00:00Z' AND created_at < '2026-03-31T17:00:00Z'"));
        Assert.Equal(5, expected);

        await using var connection = await province.Database.OpenAsync();
        (string, object?)[] parameters = [("$a", "SK1007"), ("$from", "2026-02-28T17:00:00Z"), ("$to", "2026-03-31T17:00:00Z"), ("$n", 1000)];
        var movements = 0;
        await using (var read = connection.Command(AccountStatements.MovementsSql, null, parameters))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                Assert.Equal("payment", reader.GetString(1));
                Assert.Equal(-1000, reader.GetInt64(2));
                movements++;
            }
        }

        Assert.Equal(expected, movements);

        var plan = await QueryPlan.ReadAsync(connection, engine, AccountStatements.MovementsSql, parameters);
        var text = string.Join('\n', plan);
        if (engine == ProvinceEngine.Postgres)
        {
            Assert.DoesNotContain("Seq Scan on payments", text);
            Assert.Contains("payments_account", text);
        }
        else
        {
            Assert.DoesNotContain(plan, line => line.TrimStart() is "SCAN p" || line.TrimStart().StartsWith("SCAN p ", StringComparison.Ordinal));
            Assert.Contains("payments_account", text);
        }
    }
}

/// <summary>The statement on the embedded SQLite file.</summary>
public sealed class AccountStatementPlanSqliteTests() : AccountStatementPlanTests(ProvinceEngine.Sqlite);

/// <summary>The statement on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class AccountStatementPlanPostgresTests() : AccountStatementPlanTests(ProvinceEngine.Postgres);
