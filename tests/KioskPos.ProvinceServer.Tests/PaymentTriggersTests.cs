using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// What the database keeps by itself when payments are written: the daily sums the plan report reads
/// (<c>payment_daily</c>) and the e-document outbox (<c>edocuments</c>). A push writes its group's payments with one
/// INSERT, so several payments of several days, institutions, methods and states arrive in one statement; the sums
/// must come out as the rebuild from the payments themselves computes them, and the outbox must hold one original
/// for each payment that was completed when it was written — on PostgreSQL (a trigger per statement, migration 0030)
/// as on SQLite (a trigger per row).
/// </summary>
public abstract class PaymentTriggersTests(ProvinceEngine engine)
{
    private const string Terminal = "KP-THCS-ND-01";
    private const string School = "TG-THCS-NGUYENDU";
    private const string Hospital = "TG-TTYT-CHAUTHANH";

    // The sums as migration 0014 rebuilds them from the payments, for the days this test writes (January 2025).
    private const string Rebuilt =
        "SELECT p.institution_id, date(p.created_at, '+7 hours') AS day, " +
        "SUM(CASE WHEN p.state <> 'voided' AND (p.method <> 'vietqr' OR p.received > 0) THEN 1 ELSE 0 END) AS counted, " +
        "SUM(CASE WHEN p.state = 'voided' THEN 0 ELSE MAX(0, (CASE WHEN p.method = 'vietqr' THEN MIN(p.received, p.amount) ELSE p.amount END) - p.reversed) END) AS kept " +
        "FROM payments p WHERE p.created_at LIKE '2025-01-%' GROUP BY p.institution_id, date(p.created_at, '+7 hours') ORDER BY 1, 2";

    private const string Kept = "SELECT institution_id, day, counted, kept FROM payment_daily WHERE day LIKE '2025-01-%' ORDER BY 1, 2";

    private const string Originals = "SELECT id FROM edocuments WHERE purpose = 'original' AND id LIKE 'KP-THCS-ND-01-9%' ORDER BY id";

    [Fact]
    public async Task Payments_inserted_together_are_summed_per_institution_and_local_day_and_each_completed_one_gets_its_original()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);

        // One statement, as a push writes them: (sequence, institution, method, amount, created at UTC, state, received, reversed).
        await InsertAsync(province,
            (90001, School, "card_balance", 100_000, "2025-01-05T16:59:00Z", "completed", 0, 0),   // 23:59 in Vietnam: the 5th
            (90002, School, "card_balance", 50_000, "2025-01-05T17:00:00Z", "completed", 0, 0),    // 00:00 in Vietnam: the 6th
            (90003, School, "vietqr", 200_000, "2025-01-05T18:00:00Z", "pending", 0, 0),           // nothing received yet: not counted
            (90004, School, "vietqr", 300_000, "2025-01-05T19:00:00Z", "completed", 350_000, 0),   // more received than owed: the amount kept
            (90005, School, "card_balance", 70_000, "2025-01-05T20:00:00Z", "voided", 0, 0),
            (90006, School, "card_balance", 80_000, "2025-01-05T21:00:00Z", "refunded", 0, 20_000), // 60.000 kept
            (90007, Hospital, "card_balance", 40_000, "2025-01-05T22:00:00Z", "completed", 0, 0));

        Assert.Equal(
            $"{School}|2025-01-05|1|100000|\n{School}|2025-01-06|3|410000|\n{Hospital}|2025-01-06|1|40000|\n",
            await province.RowsAsync(Kept));
        Assert.Equal(await province.RowsAsync(Rebuilt), await province.RowsAsync(Kept));
        Assert.Equal("KP-THCS-ND-01-90001|\nKP-THCS-ND-01-90002|\nKP-THCS-ND-01-90004|\nKP-THCS-ND-01-90007|\n", await province.RowsAsync(Originals));

        // A second statement onto the same days adds to their sums.
        await InsertAsync(province,
            (90008, School, "card_balance", 5_000, "2025-01-06T01:00:00Z", "completed", 0, 0),
            (90009, Hospital, "card_balance", 7_000, "2025-01-06T02:00:00Z", "completed", 0, 0));
        Assert.Equal(
            $"{School}|2025-01-05|1|100000|\n{School}|2025-01-06|4|415000|\n{Hospital}|2025-01-06|2|47000|\n",
            await province.RowsAsync(Kept));

        // The money of the pending transfer arrives (an update), and a payment is deleted: the row triggers follow.
        await province.ExecuteAsync($"UPDATE payments SET state = 'completed', received = 200000 WHERE id = '{Terminal}-90003'");
        await province.ExecuteAsync($"DELETE FROM payment_allocations WHERE payment_id = '{Terminal}-90009'");
        await province.ExecuteAsync($"DELETE FROM edocuments WHERE payment_id = '{Terminal}-90009'");
        await province.ExecuteAsync($"DELETE FROM payments WHERE id = '{Terminal}-90009'");
        Assert.Equal(
            $"{School}|2025-01-05|1|100000|\n{School}|2025-01-06|5|615000|\n{Hospital}|2025-01-06|1|40000|\n",
            await province.RowsAsync(Kept));
        Assert.Equal(await province.RowsAsync(Rebuilt), await province.RowsAsync(Kept));
        Assert.Equal(
            "KP-THCS-ND-01-90001|\nKP-THCS-ND-01-90002|\nKP-THCS-ND-01-90003|\nKP-THCS-ND-01-90004|\nKP-THCS-ND-01-90007|\nKP-THCS-ND-01-90008|\n",
            await province.RowsAsync(Originals));
    }

    [Fact]
    public async Task A_payment_whose_original_is_already_queued_is_inserted_and_the_queued_row_is_left_as_it_is()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);

        // A row for the payment's id already in the outbox (left by hand: payments are never deleted): the insert of
        // payments neither fails nor queues a second original (ON CONFLICT DO NOTHING before migration 0040, a NOT
        // EXISTS on PostgreSQL since), and the payment beside it gets its own.
        await province.ExecuteAsync(
            "INSERT INTO edocuments (id, payment_id, institution_id, purpose, amount, day, state, created_at, updated_at) " +
            $"VALUES ('{Terminal}-90021', '{Terminal}-90021', '{School}', 'original', 1, '2025-01-01', 'issued', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')");
        await InsertAsync(province,
            (90021, School, "card_balance", 100_000, "2025-01-07T01:00:00Z", "completed", 0, 0),
            (90022, School, "card_balance", 60_000, "2025-01-07T02:00:00Z", "completed", 0, 0));

        Assert.Equal(
            $"{Terminal}-90021|1|2025-01-01|issued|\n{Terminal}-90022|60000|2025-01-07|waiting|\n",
            await province.RowsAsync($"SELECT id, amount, day, state FROM edocuments WHERE payment_id IN ('{Terminal}-90021', '{Terminal}-90022') ORDER BY id"));
    }

    // Journal rows first (payments reference them), then the payments, each with one multi-row INSERT.
    private static async Task InsertAsync(ProvinceHost province, params (long Sequence, string Institution, string Method, long Amount, string At, string State, long Received, long Reversed)[] payments)
    {
        var journal = string.Join(", ", payments.Select(p =>
            $"('{Terminal}', {p.Sequence}, 'payment_created', 'd{p.Sequence}', '{{}}', '{{}}', '{p.At}', NULL, NULL)"));
        await province.ExecuteAsync($"INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at, prev_hash, hash) VALUES {journal}");
        var rows = string.Join(", ", payments.Select(p =>
            $"('{Terminal}-{p.Sequence}', '{Terminal}', {p.Sequence}, '{p.Institution}', 'HS240001', '{p.Method}', {p.Amount}, '{p.At}', '{p.At}', '{p.State}', {p.Received}, {p.Reversed})"));
        Assert.Equal(payments.Length, await province.ExecuteAsync(
            $"INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, reversed) VALUES {rows}"));
    }
}

/// <summary>The triggers on the embedded SQLite file.</summary>
public sealed class PaymentTriggersSqliteTests() : PaymentTriggersTests(ProvinceEngine.Sqlite);

/// <summary>The triggers on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class PaymentTriggersPostgresTests() : PaymentTriggersTests(ProvinceEngine.Postgres);
