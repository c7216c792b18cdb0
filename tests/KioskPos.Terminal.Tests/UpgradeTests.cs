using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Terminal.Tests;

public class UpgradeTests
{
    [Fact]
    public async Task Upgrading_a_database_with_unsynced_payments_keeps_them_and_syncs_them_after()
    {
        await using var province = await ProvinceHost.StartAsync();
        var folder = Directory.CreateTempSubdirectory("kioskpos-terminal-").FullName;

        // The previous release: schema version 1 only. It took two payments while the server was out of reach.
        // (Its cache does not matter: the new release has no cursor for it and pulls everything again.)
        var previous = new SqliteDatabase(Path.Combine(folder, "terminal.db"), TerminalSchema.Migrations.Take(1).ToList());
        Assert.Equal(1, await previous.MigrateAsync());
        // Written as that release wrote them: journal entry, outbox row, and the payment with the version 1 columns.
        await using (var connection = await previous.OpenAsync())
        {
            foreach (var (bill, amount) in new[] { ("HP-2611-HS240001", 150_000L), ("BT-2611-HS240001", 600_000L) })
            {
                await using var transaction = connection.BeginTransaction(deferred: false);
                var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, default);
                var id = $"KP-THCS-ND-01-{sequence:D8}";
                var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
                    Payment: new PaymentCreatedDto(id, "HS240001", "04A1B2C3", "card_balance", amount, [new AllocationDto(bill, amount)], null));
                await Journal.AppendAsync(connection, transaction, entry, prevHash, id, default);
                await connection.ExecuteAsync(
                    "INSERT INTO payments (id, sequence, account_code, card_uid, method, amount, state, created_at) VALUES ($id, $s, 'HS240001', '04A1B2C3', 'card_balance', $a, 'completed', $t)",
                    transaction, default, ("$id", id), ("$s", sequence), ("$a", amount), ("$t", entry.CreatedAt.ToString("O")));
                await connection.ExecuteAsync("INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($id, $b, $a)", transaction, default, ("$id", id), ("$b", bill), ("$a", amount));
                await transaction.CommitAsync();
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // The new release starts on that file: it migrates, and the queued entries reach the server.
        await using var terminal = await TerminalHost.StartAsync(province, folder: folder);
        Assert.Equal(TerminalSchema.Migrations.Count, await previous.GetSchemaVersionAsync());
        var ledger = await province.PaymentsAsync("HS240001");
        Assert.Equal(2, ledger.Length);
        Assert.Equal(2_000_000 - 750_000, await province.BalanceAsync("HS240001"));
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Equal(0, status.GetProperty("sync").GetProperty("queued").GetInt32());
        var verification = await (await terminal.StaffAsync(StaffRole.Technician)).GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
        Assert.True(verification.GetProperty("ok").GetBoolean());
        Assert.Equal(2, verification.GetProperty("entries").GetInt64());
    }
}
