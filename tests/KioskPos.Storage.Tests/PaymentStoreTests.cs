using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage.Tests;

public class PaymentStoreTests
{
    private static CreatePaymentCommand Pay(string account, string card, string? key, string billId, long? amount) =>
        new(key, account, card, PaymentMethod.CardBalance, [new RequestedAllocation(billId, amount)], null);

    [Fact]
    public async Task A_payment_commits_its_journal_entry_payment_row_and_outbox_row_together()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var result = await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", null, "B1", null));

        Assert.Equal("KP-T-01-00000001", result.Payment.Id);
        Assert.Equal(1, result.Payment.Sequence);
        Assert.Equal(150_000, result.Payment.Amount.Value);
        Assert.False(result.Replayed);

        // Read back through a new connection: what was acknowledged is on disk.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var stored = await temp.Payments.GetAsync(result.Payment.Id);
        Assert.NotNull(stored);
        Assert.Equal(SyncState.Queued, stored.Sync);
        Assert.Equal([new PaymentAllocation("B1", new Core.Money.Vnd(150_000))], stored.Allocations);
        var pending = await temp.Outbox.GetPendingAsync(10, 100_000);
        var entry = Assert.Single(pending);
        Assert.Equal(EntryKinds.PaymentCreated, entry.Kind);
        Assert.Equal(result.Payment.Id, entry.Payment!.PaymentId);

        // What the terminal may still spend and what is still owed account for the unsynced payment.
        Assert.Equal(350_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
        Assert.False((await temp.Catalogue.GetBillsAsync("HS1")).Single(b => b.Id == "B1").IsOpen);
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_original_payment_and_writes_nothing()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var first = await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", "req-1", "B1", null));
        var second = await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", "req-1", "B1", null));
        Assert.True(second.Replayed);
        Assert.Equal(first.Payment.Id, second.Payment.Id);
        Assert.Single(await temp.Outbox.GetPendingAsync(10, 100_000));
        Assert.Equal(350_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
    }

    [Fact]
    public async Task A_payment_above_the_available_balance_is_refused_and_nothing_is_written()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", null, "B1", null));

        // 500.000 - 150.000 unsynced = 350.000 left; the boarding bill is 600.000.
        var e = await Assert.ThrowsAsync<PaymentRefusedException>(() => temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", null, "B2", null)));
        Assert.Equal("insufficient_balance", e.Refusal.Code);
        Assert.Contains("350.000 ₫", e.Refusal.Vietnamese);
        Assert.Single(await temp.Outbox.GetPendingAsync(10, 100_000));
        Assert.Single(await temp.Payments.ListRecentAsync(10));
    }

    [Fact]
    public async Task A_card_of_another_payer_is_refused()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var e = await Assert.ThrowsAsync<PaymentRefusedException>(() => temp.Payments.CreateAsync(Pay("HS1", "04D4E5F6", null, "B1", null)));
        Assert.Equal("card_not_recognised", e.Refusal.Code);
    }

    [Fact]
    public async Task Concurrent_payments_on_one_card_never_overspend()
    {
        await using var temp = await new TempDatabase().SeedAsync();

        // Ten attempts at once from a 500.000 balance: five of 100.000 on the meals bill (600.000 owed), five of
        // 10.000 on tuition (150.000 owed); 550.000 asked. In any order one at a time, the fifth 100.000 is taken only
        // if it comes before every 10.000 (500.000 paid, every 10.000 refused), else refused (450.000 paid). Nothing
        // in between: a store that refused under contention, or let two attempts spend the same money, lands elsewhere.
        var attempts = Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try
            {
                await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", $"k{i}", i % 2 == 0 ? "B2" : "B1", i % 2 == 0 ? 100_000 : 10_000));
                return (string?)null;
            }
            catch (PaymentRefusedException e)
            {
                return e.Refusal.Code;
            }
        })).ToList();
        var outcomes = await Task.WhenAll(attempts);
        var payments = await temp.Payments.ListRecentAsync(100);
        var paid = payments.Sum(p => p.Amount.Value);
        Assert.Contains(paid, new long[] { 450_000, 500_000 });
        Assert.Equal(paid == 500_000 ? 5 : 9, payments.Count);
        Assert.Equal(outcomes.Count(o => o is null), payments.Count);
        Assert.All(outcomes.OfType<string>(), code => Assert.Equal("insufficient_balance", code));
        Assert.Equal(500_000 - paid, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
        var sequences = payments.Select(p => p.Sequence).Order().ToList();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task The_journal_is_hash_chained_and_append_only()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var payment = await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", null, "B1", null));
        await temp.Payments.RecordReceiptAsync(payment.Payment.Id, printed: true, null);

        await using var connection = await temp.Database.OpenAsync();
        var rows = new List<(long Seq, string Prev, string Hash, string Body)>();
        await using (var command = connection.Command("SELECT sequence, prev_hash, hash, body FROM journal ORDER BY sequence"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        Assert.Equal([1L, 2L], rows.Select(r => r.Seq));
        Assert.Equal(Journal.GenesisHash, rows[0].Prev);
        Assert.Equal(rows[0].Hash, rows[1].Prev);
        foreach (var row in rows)
        {
            var entry = System.Text.Json.JsonSerializer.Deserialize(row.Body, ContractsJsonContext.Default.JournalEntryDto)!;
            Assert.Equal(row.Hash, Journal.ChainHash(row.Prev, entry));
        }

        var update = await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync("UPDATE journal SET body = '{}' WHERE sequence = 1", null, default));
        Assert.Contains("append-only", update.Message);
        await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync("DELETE FROM journal WHERE sequence = 2", null, default));
    }

    [Fact]
    public async Task A_server_acknowledgement_moves_the_debit_from_unsynced_to_the_cached_balance()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var payment = await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", null, "B1", null));
        await temp.Outbox.MarkSentAsync(new PushResponse(1, [new PushEntryResult(1, "accepted", "HS1", 350_000, 50, [new BillStateDto("B1", 150_000, 51)], [])]));

        Assert.Empty(await temp.Outbox.GetPendingAsync(10, 100_000));
        Assert.Equal(SyncState.Synced, (await temp.Payments.GetAsync(payment.Payment.Id))!.Sync);
        Assert.Equal(350_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
        Assert.False((await temp.Catalogue.GetBillsAsync("HS1")).Single(b => b.Id == "B1").IsOpen);

        // An older answer (a duplicate of an earlier push) never rolls the cache back.
        await temp.Outbox.MarkSentAsync(new PushResponse(1, [new PushEntryResult(1, "duplicate", "HS1", 999_999, 20, [new BillStateDto("B1", 0, 21)], [])]));
        Assert.Equal(350_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
        Assert.False((await temp.Catalogue.GetBillsAsync("HS1")).Single(b => b.Id == "B1").IsOpen);
    }

    [Fact]
    public async Task Pending_batches_are_bounded_in_count_and_bytes_and_ordered()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        for (var i = 0; i < 6; i++)
        {
            await temp.Payments.CreateAsync(Pay("HS1", "04A1B2C3", null, "B2", 1_000));
        }

        Assert.Equal([1L, 2L, 3L, 4L], (await temp.Outbox.GetPendingAsync(4, 1_000_000)).Select(e => e.Sequence));
        Assert.Single(await temp.Outbox.GetPendingAsync(100, 10));
        var status = await temp.Outbox.GetStatusAsync();
        Assert.Equal(6, status.Queued);
        Assert.NotNull(status.OldestQueuedAt);
    }

    [Fact]
    public async Task A_full_resync_replaces_the_cache_and_a_merge_never_goes_back_a_version()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var institution = new InstitutionDto("I1", "Trường THCS Nguyễn Du", "lower_secondary", "Mỹ Tho");
        await temp.Catalogue.ApplyPullAsync(new PullResponse("e.20", false, false, institution,
            [new AccountDto("HS1", "pupil", "Nguyễn Minh Anh", "6A", 1, false, ["04A1B2C3"], 0)], [], DateTimeOffset.UnixEpoch));
        Assert.Equal(500_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);

        await temp.Catalogue.ApplyPullAsync(new PullResponse("e.30", true, false, institution,
            [new AccountDto("HS9", "pupil", "Lê Hoàng Nam", "7A", 42, false, ["04999999"], 30)], [], DateTimeOffset.UnixEpoch));
        Assert.Null(await temp.Catalogue.FindByCodeAsync("HS1"));
        Assert.Null(await temp.Catalogue.FindByCardAsync("04A1B2C3"));
        Assert.Equal("HS9", (await temp.Catalogue.FindByCardAsync("04999999"))!.Code);
    }
}
