using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using KioskPos.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Voids, refunds and shift closes travel in the journal like payments: the province server credits the card,
/// reopens the bills, records the reversal once, and the terminal's cache follows the server's answer.
/// </summary>
public abstract class ReversalSyncTests(ProvinceEngine engine)
{
    private static readonly ReversalApproval s_approval = new("thu-ngan-01", "giam-sat-01", "Thu nhầm");

    [Fact]
    public async Task A_void_and_refunds_reach_the_province_ledger_once_and_the_shift_close_with_them()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        await using var terminal = await TerminalHost.StartAsync(province);
        var reversals = terminal.App.Services.GetRequiredService<ReversalStore>();
        Assert.Equal(2_000_000, await province.BalanceAsync("HS240001"));

        var tuition = await PayAsync(terminal, "HP-2611-HS240001");
        var boarding = await PayAsync(terminal, "BT-2611-HS240001");
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal(2_000_000 - 150_000 - 600_000, await province.BalanceAsync("HS240001"));

        await reversals.VoidAsync(tuition, s_approval);
        await reversals.RefundAsync(boarding, 100_000, ReversalDestinations.CardBalance, null, s_approval);
        await reversals.RefundAsync(boarding, 50_000, ReversalDestinations.BankTransfer, "FT26112300042", s_approval);
        var shift = (await terminal.App.Services.GetRequiredService<ShiftStore>().CloseAsync("thu-ngan-01")).Summary.Figures;

        // Paid from the card's balance, these payments brought no money in; the refund by transfer took 50,000 out.
        Assert.Equal((150_000L, 150_000L, 50_000L, -50_000L), (shift.Voided, shift.Refunded, shift.RefundedByTransfer, shift.Net));

        // Pushed by this round or by the terminal's own sync loop running beside it (CI once saw the loop first).
        var round = await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Null(round.Error);
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        await terminal.Sync.RunRoundAsync(CancellationToken.None); // a repeat changes nothing

        // The ledger: the card got back the void and the card refund, not the transfer refund.
        Assert.Equal(2_000_000 - 750_000 + 150_000 + 100_000, await province.BalanceAsync("HS240001"));
        var payments = await province.PaymentsAsync("HS240001");
        Assert.Equal("voided", payments.Single(p => p.GetProperty("id").GetString() == tuition).GetProperty("state").GetString());
        Assert.Equal(0L, await ScalarAsync(province, "SELECT paid FROM bills WHERE id = 'HP-2611-HS240001'"));
        Assert.Equal(450_000L, await ScalarAsync(province, "SELECT paid FROM bills WHERE id = 'BT-2611-HS240001'"));
        Assert.Equal(150_000L, await ScalarAsync(province, "SELECT reversed FROM payments WHERE id = $id", boarding));
        Assert.Equal(3L, await ScalarAsync(province, "SELECT COUNT(*) FROM reversals WHERE terminal_id = 'KP-THCS-ND-01'"));
        Assert.Equal("FT26112300042", (string)(await province.ScalarAsync("SELECT bank_reference FROM reversals WHERE destination = 'bank_transfer'"))!);
        Assert.Equal(1L, await ScalarAsync(province, "SELECT COUNT(*) FROM journal_entries WHERE kind = 'shift.closed'"));
        Assert.Equal(0L, await ScalarAsync(province, "SELECT COUNT(*) FROM alerts"));

        // The province's figures count money kept: the voided payment is none, the refunded one what is left of it.
        var school = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/institutions"))!.Single(i => i.GetProperty("id").GetString() == "TG-THCS-NGUYENDU");
        Assert.Equal((1, 450_000L), (school.GetProperty("payments").GetInt32(), school.GetProperty("value").GetInt64()));

        // The terminal's cache took the server's figures: what it may spend and what is owed match the server.
        var payer = await (await terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04A1B2C3");
        Assert.Equal(1_500_000, payer.GetProperty("availableBalance").GetInt64());
        var bills = payer.GetProperty("openBills").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!, b => b.GetProperty("outstanding").GetInt64());
        Assert.Equal(150_000, bills["HP-2611-HS240001"]);
        Assert.Equal(150_000, bills["BT-2611-HS240001"]);
        var (verifyExit, verifyOutput, _) = await Processes.RunTerminalCliAsync("journal", "verify", "--data", terminal.Folder);
        Assert.True(verifyExit == 0, verifyOutput);
    }

    [Fact]
    public async Task The_server_refuses_a_void_to_a_bank_transfer_and_a_reversal_approved_by_its_own_cashier()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var at = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var payment = new JournalEntryDto(1, EntryKinds.PaymentCreated, at,
            Payment: new PaymentCreatedDto("KP-THCS-ND-01-00000001", "HS240001", "04A1B2C3", "card_balance", 150_000, [new AllocationDto("HP-2611-HS240001", 150_000)], null));
        var reversal = new PaymentReversalDto("KP-THCS-ND-01-00000001", 150_000, [new AllocationDto("HP-2611-HS240001", 150_000)], ReversalDestinations.BankTransfer, "FT1", "x", "thu-ngan-01", "giam-sat-01");
        foreach (var bad in new[]
        {
            new JournalEntryDto(2, EntryKinds.PaymentVoided, at, Reversal: reversal),
            new JournalEntryDto(2, EntryKinds.PaymentRefunded, at, Reversal: reversal with { Supervisor = "thu-ngan-01" }),
            new JournalEntryDto(2, EntryKinds.PaymentRefunded, at, Reversal: reversal with { Amount = 1 }),
            new JournalEntryDto(2, EntryKinds.ShiftClosed, at, Shift: new ShiftClosedDto(1, 1, 5, "thu-ngan-01", [], 0, 0, 0, 0, 0)),
        })
        {
            var first = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, payment);
            var entries = new[] { payment with { PrevHash = EntryCanonicalForm.GenesisHash, Hash = first }, bad with { PrevHash = first, Hash = EntryCanonicalForm.ChainHash(first, bad) } };
            using var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-01", entries), ContractsJsonContext.Default.PushRequest);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
            Assert.Equal(("invalid_entry", 2L), (problem.Code, problem.Sequence));
        }

        Assert.Empty(await province.PaymentsAsync());
        Assert.Equal(2_000_000, await province.BalanceAsync("HS240001"));
    }

    [Fact]
    public async Task The_server_refuses_a_bank_card_payment_without_its_approval_or_with_more_than_4_digits()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var client = await province.SignedClientAsync();
        var at = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        var payment = new PaymentCreatedDto("KP-THCS-ND-01-00000001", "HS240001", null, "external_card", 150_000, [new AllocationDto("HP-2611-HS240001", 150_000)], "tn01");
        foreach (var bad in new[] { payment, payment with { External = new ExternalCardDto("A1B2C3", "411111111111") }, payment with { Method = "card_balance", External = new ExternalCardDto("A1B2C3", "4242") } })
        {
            var entry = new JournalEntryDto(1, EntryKinds.PaymentCreated, at, Payment: bad);
            var chained = entry with { PrevHash = EntryCanonicalForm.GenesisHash, Hash = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, entry) };
            using var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-01", [chained]), ContractsJsonContext.Default.PushRequest);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
            Assert.Equal(("invalid_entry", (long?)1), (problem.Code, problem.Sequence));
        }

        Assert.Empty(await province.PaymentsAsync());

        var good = new JournalEntryDto(1, EntryKinds.PaymentCreated, at, Payment: payment with { External = new ExternalCardDto("A1B2C3", "4242") });
        var ok = good with { PrevHash = EntryCanonicalForm.GenesisHash, Hash = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, good) };
        using (var accepted = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-01", [ok]), ContractsJsonContext.Default.PushRequest))
        {
            accepted.EnsureSuccessStatusCode();
        }

        Assert.Equal(2_000_000, await province.BalanceAsync("HS240001"));
    }

    private static async Task<string> PayAsync(TerminalHost terminal, string bill)
    {
        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", bill);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<long> ScalarAsync(ProvinceHost province, string sql, string? id = null) =>
        Convert.ToInt64(id is null ? await province.ScalarAsync(sql) : await province.ScalarAsync(sql, ("$id", id)), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>ReversalSync on the embedded SQLite file.</summary>
public sealed class ReversalSyncSqliteTests() : ReversalSyncTests(ProvinceEngine.Sqlite);

/// <summary>ReversalSync on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class ReversalSyncPostgresTests() : ReversalSyncTests(ProvinceEngine.Postgres);
