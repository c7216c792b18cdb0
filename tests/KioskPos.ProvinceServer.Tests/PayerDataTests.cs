using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// A payer's data on request: the administrator exports what the province holds on a payer as JSON, and erases it —
/// the name replaced by a pseudonym, the class, the PIN and the bank's texts gone — while the ledger (payments,
/// balances, the terminals' journal entries and their hash chains) stays exactly as it was, and terminals learn the
/// pseudonym at their next pull.
/// </summary>
public sealed class PayerDataTests
{
    private const string Payer = "HS240001";
    private const string Name = "Nguyễn Minh Anh";

    [Fact]
    public async Task Export_holds_what_the_province_keeps_and_erase_keeps_the_ledger_verifying()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);

        // A card payment, and a VietQR payment the bank confirmed with a text naming the sender.
        await terminal.TapAsync("04A1B2C3");
        (await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001")).EnsureSuccessStatusCode();
        using var qr = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = Payer, method = "vietqr", bills = new[] { new { billId = "BT-2611-HS240001" } } });
        qr.EnsureSuccessStatusCode();
        var qrPayment = await qr.Content.ReadFromJsonAsync<JsonElement>();
        var transferCode = qrPayment.GetProperty("qr").GetProperty("transferCode").GetString()!;
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await province.NotifyAsync(qrPayment.GetProperty("amount").GetInt64(), $"NGUYEN MINH ANH chuyen tien {transferCode}"))
        {
            notified.EnsureSuccessStatusCode();
        }

        // A transfer from home with the account's standing code (a top-up, issue 27): the bank's text names the sender
        // too, and it belongs to no payment.
        using (var fromHome = await province.NotifyAsync(50_000, $"NGUYEN MINH ANH nap the {KioskPos.Core.VietQr.StandingTransferCode.For(Payer).Value}"))
        {
            fromHome.EnsureSuccessStatusCode();
        }

        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM top_ups WHERE account_code = $c AND source = 'home'", ("$c", Payer))));
        var balanceBefore = await province.BalanceAsync(Payer);
        var paymentsBefore = JsonSerializer.Serialize(await province.PaymentsAsync(Payer));

        var export = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/payers/{Payer}/export");
        Assert.Equal(Name, export.GetProperty("fullName").GetString());
        Assert.False(export.GetProperty("erased").GetBoolean());
        Assert.Contains(export.GetProperty("cards").EnumerateArray(), c => c.GetProperty("uid").GetString() == "04A1B2C3");
        Assert.Equal(2, export.GetProperty("payments").GetArrayLength());
        Assert.Equal(2, export.GetProperty("bankTransfers").GetArrayLength());
        Assert.All(export.GetProperty("bankTransfers").EnumerateArray(), t => Assert.Contains("NGUYEN MINH ANH", t.GetProperty("description").GetString(), StringComparison.Ordinal));
        Assert.DoesNotContain("pin_hash", export.GetRawText(), StringComparison.OrdinalIgnoreCase);

        using (var erase = await province.Admin.PostAsync($"/api/v1/admin/payers/{Payer}/erase", null))
        {
            Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        }

        var after = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/payers/{Payer}/export");
        var pseudonym = after.GetProperty("fullName").GetString()!;
        Assert.StartsWith("Đã xoá ", pseudonym, StringComparison.Ordinal);
        Assert.True(after.GetProperty("erased").GetBoolean());
        Assert.True(!after.TryGetProperty("group", out var group) || group.ValueKind == JsonValueKind.Null, "the class is still there");
        Assert.DoesNotContain("NGUYEN MINH ANH", after.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Name, after.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_deliveries WHERE body LIKE '%NGUYEN MINH ANH%'")));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE description LIKE '%NGUYEN MINH ANH%'")));
        Assert.Equal(2, after.GetProperty("bankTransfers").GetArrayLength());
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM accounts WHERE full_name = $n", ("$n", Name))));

        // The ledger is untouched: the same payments and balance, and every terminal's chain still links.
        Assert.Equal(balanceBefore, await province.BalanceAsync(Payer));
        Assert.Equal(paymentsBefore, JsonSerializer.Serialize(await province.PaymentsAsync(Payer)));
        await AssertChainsVerifyAsync(province);

        // The terminal learns the pseudonym at its next pull; its own journal verifies too.
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        var cashier = await terminal.StaffAsync(KioskPos.Storage.StaffRole.Cashier);
        Assert.Equal(pseudonym, (await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payers/{Payer}")).GetProperty("name").GetString());
        Assert.True((await cashier.GetFromJsonAsync<JsonElement>("/api/v1/journal/verify")).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Export_and_erase_are_for_the_administrator_only_and_an_unknown_payer_is_404()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = province.BaseUrl };
        using (var export = await anonymous.GetAsync($"/api/v1/admin/payers/{Payer}/export"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, export.StatusCode);
        }

        using (var erase = await anonymous.PostAsync($"/api/v1/admin/payers/{Payer}/erase", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, erase.StatusCode);
        }

        using var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.GetAsync($"/api/v1/admin/payers/{Payer}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await accountant.PostAsync($"/api/v1/admin/payers/{Payer}/erase", null)).StatusCode);
        Assert.Equal(Name, (await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/payers/{Payer}/export")).GetProperty("fullName").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await province.Admin.GetAsync("/api/v1/admin/payers/HS999999/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await province.Admin.PostAsync("/api/v1/admin/payers/HS999999/erase", null)).StatusCode);
    }

    // Each terminal's entries, in order, chain from the genesis hash: each one's hash is SHA-256 of the previous hash
    // and its canonical form, recomputed here from the stored body.
    private static async Task AssertChainsVerifyAsync(ProvinceHost province)
    {
        await using var connection = await province.Database.OpenAsync();
        var rows = await KioskPos.ProvinceServer.Data.DbCommands.ReadAllAsync<ChainRow>(connection,
            "SELECT terminal_id, sequence, body, prev_hash, hash FROM journal_entries ORDER BY terminal_id, sequence", null, CancellationToken.None);
        Assert.NotEmpty(rows);
        foreach (var chain in rows.GroupBy(r => r.TerminalId))
        {
            var previous = EntryCanonicalForm.GenesisHash;
            foreach (var row in chain)
            {
                var entry = JsonSerializer.Deserialize(row.Body, ContractsJsonContext.Default.JournalEntryDto)!;
                Assert.Equal(previous, row.PrevHash);
                Assert.Equal(row.Hash, EntryCanonicalForm.ChainHash(previous, entry));
                previous = row.Hash!;
            }
        }
    }

    private sealed record ChainRow
    {
        public required string TerminalId { get; init; }

        public long Sequence { get; init; }

        public required string Body { get; init; }

        public string? PrevHash { get; init; }

        public string? Hash { get; init; }
    }
}
