using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage.Tests;

/// <summary>Someone with the database file edits, deletes or reorders entries; the verifier must say so.</summary>
public class JournalVerifierTests
{
    private static async Task<TempDatabase> WithFivePaymentsAsync()
    {
        var temp = await new TempDatabase().SeedAsync();
        for (var i = 0; i < 5; i++)
        {
            await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B2", 10_000)], null));
        }

        return temp;
    }

    private static async Task TamperAsync(SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; " + sql, null, default);
    }

    [Fact]
    public async Task An_untouched_journal_verifies()
    {
        await using var temp = await WithFivePaymentsAsync();
        var result = await new JournalVerifier(temp.Database).VerifyAsync();
        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(5, result.Entries);
        Assert.Equal(5, result.LastSequence);
        Assert.Equal(64, result.LastHash.Length);
    }

    [Fact]
    public async Task An_edited_entry_is_found()
    {
        await using var temp = await WithFivePaymentsAsync();
        await TamperAsync(temp.Database, "UPDATE journal SET body = replace(body, '\"amount\":10000', '\"amount\":1000') WHERE sequence = 3;");
        var result = await new JournalVerifier(temp.Database).VerifyAsync();
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Sequence == 3 && p.Kind == "edited");
    }

    [Fact]
    public async Task A_deleted_entry_is_found()
    {
        await using var temp = await WithFivePaymentsAsync();
        await TamperAsync(temp.Database, "PRAGMA foreign_keys = OFF; DELETE FROM journal WHERE sequence = 2;");
        var result = await new JournalVerifier(temp.Database).VerifyAsync();
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Sequence == 2 && p.Kind == "missing");
        Assert.Contains(result.Problems, p => p.Sequence == 3 && p.Kind == "chain_broken");
    }

    [Fact]
    public async Task Reordered_entries_are_found()
    {
        await using var temp = await WithFivePaymentsAsync();

        // Swap entries 2 and 4 whole (body and links): each still matches its own hash, but not its place.
        await TamperAsync(temp.Database, """
            PRAGMA foreign_keys = OFF;
            UPDATE journal SET sequence = 1000 WHERE sequence = 2;
            UPDATE journal SET sequence = 2 WHERE sequence = 4;
            UPDATE journal SET sequence = 4 WHERE sequence = 1000;
            """);
        var result = await new JournalVerifier(temp.Database).VerifyAsync();
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Sequence == 2 && p.Kind is "reordered" or "chain_broken");
    }

    [Fact]
    public async Task A_payment_row_changed_behind_the_journal_is_found()
    {
        await using var temp = await WithFivePaymentsAsync();
        await TamperAsync(temp.Database, "UPDATE payments SET amount = 1 WHERE sequence = 4;");
        var result = await new JournalVerifier(temp.Database).VerifyAsync();
        Assert.Contains(result.Problems, p => p.Sequence == 4 && p.Kind == "projection_differs");
    }
}

/// <summary>The payment rows are derived from the journal: rebuilt from it alone, they are the same.</summary>
public class JournalProjectionTests
{
    [Fact]
    public async Task Rebuilding_from_the_journal_gives_back_the_same_payments_and_receipt_states()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var first = await temp.Payments.CreateAsync(new CreatePaymentCommand("screen-1", "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B1", null)], null));
        await temp.Payments.RecordReceiptAsync(first.Payment.Id, printed: false, "paper out");
        await temp.Payments.RecordReceiptAsync(first.Payment.Id, printed: true, null);
        var second = await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B2", 20_000)], "thu ngân A", Offline: true));
        await temp.Payments.RecordReceiptAsync(second.Payment.Id, printed: false, "paper out");

        async Task<string> SnapshotAsync()
        {
            var rows = new List<string>();
            foreach (var p in (await temp.Payments.ListRecentAsync(100)).OrderBy(p => p.Sequence))
            {
                rows.Add($"{p.Id}|{p.Sequence}|{p.AccountCode}|{p.CardUid}|{p.Amount}|{p.Offline}|{p.Operator}|{p.CreatedAt:O}|{string.Join(",", p.Allocations)}|{p.ReceiptState}|{p.ReceiptDetail}");
            }

            return string.Join("\n", rows);
        }

        var before = await SnapshotAsync();
        await using (var connection = await temp.Database.OpenAsync())
        {
            // Lose the derived rows (a bad repair, a bug): the journal is the record.
            await connection.ExecuteAsync("DELETE FROM payment_allocations; DELETE FROM payments;", null, default);
        }

        Assert.Equal(2, await JournalProjection.RebuildAsync(temp.Database));
        Assert.Equal(before, await SnapshotAsync());
        Assert.True((await new JournalVerifier(temp.Database).VerifyAsync()).Ok);

        // The idempotency key came back with it: a retried request still finds its payment.
        var replay = await temp.Payments.CreateAsync(new CreatePaymentCommand("screen-1", "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation("B1", null)], null));
        Assert.True(replay.Replayed);
    }
}
