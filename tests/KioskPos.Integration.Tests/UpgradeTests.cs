using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Province.Contracts;
using KioskPos.Storage;
using KioskPos.Storage.Sqlite;

namespace KioskPos.Integration.Tests;

public class UpgradeTests
{
    [Fact]
    public async Task Upgrading_a_database_with_unsynced_payments_keeps_them_and_syncs_them_after()
    {
        await using var province = await ProvinceHost.StartAsync();
        var folder = Directory.CreateTempSubdirectory("kioskpos-terminal-").FullName;

        // The previous release: schema version 1 only. It pulled the school's data and took two payments
        // while the server was out of reach.
        var previous = new SqliteDatabase(Path.Combine(folder, "terminal.db"), TerminalSchema.Migrations.Take(1).ToList());
        Assert.Equal(1, await previous.MigrateAsync());
        using (var client = await province.SignedClientAsync())
        {
            var pull = (await client.GetFromJsonAsync(SyncProtocol.PullPath, ContractsJsonContext.Default.PullResponse))!;
            await new CatalogueStore(previous).ApplyPullAsync(pull);
        }

        var payments = new PaymentStore(previous, "KP-THCS-ND-01", TimeProvider.System);
        foreach (var bill in new[] { "HP-2611-HS240001", "BT-2611-HS240001" })
        {
            await payments.CreateAsync(new CreatePaymentCommand(null, "HS240001", "04A1B2C3", PaymentMethod.CardBalance, [new RequestedAllocation(bill, null)], null));
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
        var verification = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
        Assert.True(verification.GetProperty("ok").GetBoolean());
        Assert.Equal(2, verification.GetProperty("entries").GetInt64());
    }
}
