using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

public abstract class OfflinePolicyTests(ProvinceEngine engine)
{
    private static async Task<string> CardOfAsync(TerminalHost terminal, string account)
    {
        await using var connection = await terminal.App.Services.GetRequiredService<SqliteDatabase>().OpenAsync();
        return (string)(await connection.ScalarAsync("SELECT uid FROM account_cards WHERE account_code = $a", null, default, ("$a", account)))!;
    }

    [Fact]
    public async Task During_an_outage_card_payments_continue_within_the_limits_are_refused_beyond_them_and_drain_after()
    {
        using var kept = new KeptProvince(engine);
        var province = await kept.StartAsync();
        var policy = new OfflinePolicyDto(MaxPerPayment: 200_000, MaxPerCardPerDay: 300_000, MaxUnsyncedTotal: 400_000, MaxMinutesSinceSync: 60, MaxDenyListAgeMinutes: 60);
        (await province.Admin.PutAsJsonAsync("/api/v1/admin/terminals/KP-THCS-ND-01/offline-policy", policy, ContractsJsonContext.Default.OfflinePolicyDto)).EnsureSuccessStatusCode();
        await using var terminal = await TerminalHost.StartAsync(province);
        var hs4 = await CardOfAsync(terminal, "HS240004");
        var hs5 = await CardOfAsync(terminal, "HS240005");

        // Online first: authorised by the server, not marked offline.
        using (var online = await terminal.TapAndPayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, online.StatusCode);
            Assert.False((await online.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offline").GetBoolean());
        }

        await Wait.UntilAsync(async () => (await province.PaymentsAsync()).Length == 1, TimeSpan.FromSeconds(15), "the online payment at the server");
        await province.StopAsync();

        using (var first = await terminal.TapAndPayAsync("04A1B2C3", "BT-2611-HS240001", 150_000))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            Assert.True((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offline").GetBoolean());
        }

        using (var tooBig = await terminal.TapAndPayAsync("04A1B2C3", "BT-2611-HS240001", 250_000))
        {
            var problem = await tooBig.ProblemAsync();
            Assert.Equal("offline_payment_limit", problem.Code);
            Assert.Contains("200.000 ₫", problem.Title);
        }

        using (var cardDay = await terminal.TapAndPayAsync("04A1B2C3", "BT-2611-HS240001", 200_000))
        {
            Assert.Equal("offline_card_daily_limit", (await cardDay.ProblemAsync()).Code);
        }

        using (var other = await terminal.TapAndPayAsync(hs4, "HP-2611-HS240004"))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        using (var terminalLimit = await terminal.TapAndPayAsync(hs5, "HP-2611-HS240005"))
        {
            var problem = await terminalLimit.ProblemAsync();
            Assert.Equal("offline_terminal_limit", problem.Code);
            Assert.Contains("300.000 ₫", problem.Title);
        }

        // The server returns: the backlog drains and the ledger holds the three payments once each.
        await using var back = await kept.StartAsync();
        await Wait.UntilAsync(async () => (await back.PaymentsAsync()).Length == 3, TimeSpan.FromSeconds(20), "the backlog to drain");
        Assert.Equal(2_000_000 - 150_000 - 150_000, await back.BalanceAsync("HS240001"));
        // The province commits the payments before it answers the push, so the terminal's queue empties a moment
        // after they show there (once it has read the answer): waited for, not read once.
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("sync").GetProperty("queued").GetInt32() == 0,
            TimeSpan.FromSeconds(20), "the terminal's queue to empty");
    }

    [Fact]
    public async Task Offline_payments_stop_once_the_last_sync_is_too_old()
    {
        var province = await ProvinceHost.StartAsync(engine: engine);
        try
        {
            var policy = OfflinePolicyDto.Default with { MaxMinutesSinceSync = 0 };
            (await province.Admin.PutAsJsonAsync("/api/v1/admin/terminals/KP-THCS-ND-01/offline-policy", policy, ContractsJsonContext.Default.OfflinePolicyDto)).EnsureSuccessStatusCode();
            await using var terminal = await TerminalHost.StartAsync(province);
            await province.StopAsync();
            await Task.Delay(1100); // the last sync is now older than zero minutes

            using var response = await terminal.TapAndPayAsync("04A1B2C3", "HP-2611-HS240001");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await response.ProblemAsync();
            Assert.Equal("offline_too_long", problem.Code);
            Assert.Contains("mất kết nối", problem.Title);
        }
        finally
        {
            await province.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_overdraft_deny_lists_the_card_until_an_operator_clears_it_and_terminals_learn_both()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        await using var terminal = await TerminalHost.StartAsync(province);

        // Another terminal of the school took 600.000 offline from HS240002's card, which holds 150.000.
        using var other = await province.SignedClientAsync("KP-THCS-ND-09");
        var entry = new JournalEntryDto(1, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
            Payment: new PaymentCreatedDto("KP-THCS-ND-09-00000001", "HS240002", "04D4E5F6", "card_balance", 600_000, [new AllocationDto("BT-2611-HS240002", 600_000)], null, Offline: true));
        var chained = entry with { PrevHash = EntryCanonicalForm.GenesisHash, Hash = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, entry) };
        var pushed = (await (await other.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [chained]), ContractsJsonContext.Default.PushRequest))
            .Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
        Assert.Contains("overdraft", pushed.Results[0].Flags);
        Assert.Contains("card_denied", pushed.Results[0].Flags);
        Assert.Equal(-450_000, await province.BalanceAsync("HS240002"));

        // This terminal learns it at its next pull, and refuses the card.
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.True((await (await terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04D4E5F6")).GetProperty("blocked").GetBoolean());
        using (var refused = await terminal.TapAndPayAsync("04D4E5F6", "HP-2611-HS240002", 1_000))
        {
            Assert.Equal("card_blocked", (await refused.ProblemAsync()).Code);
        }

        (await province.Admin.PostAsync("/api/v1/admin/cards/04D4E5F6/allow", null)).EnsureSuccessStatusCode();
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.False((await (await terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04D4E5F6")).GetProperty("blocked").GetBoolean());
    }

    [Fact]
    public async Task A_lost_card_is_refused_everywhere_once_deny_listed_online_and_offline()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        await using var terminal = await TerminalHost.StartAsync(province);
        (await province.Admin.PostAsync("/api/v1/admin/cards/04A1B2C3/deny?reason=lost", null)).EnsureSuccessStatusCode();

        // Before the terminal's next pull, the server's authorisation refuses it.
        using (var online = await terminal.TapAndPayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal("card_blocked", (await online.ProblemAsync()).Code);
        }

        // After the pull, the terminal refuses it on its own, with the server gone.
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        await province.StopAsync();
        using (var offline = await terminal.TapAndPayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal("card_blocked", (await offline.ProblemAsync()).Code);
        }

        Assert.Empty((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }
}

/// <summary>OfflinePolicy on the embedded SQLite file.</summary>
public sealed class OfflinePolicySqliteTests() : OfflinePolicyTests(ProvinceEngine.Sqlite);

/// <summary>OfflinePolicy on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class OfflinePolicyPostgresTests() : OfflinePolicyTests(ProvinceEngine.Postgres);
