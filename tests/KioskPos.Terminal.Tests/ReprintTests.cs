using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Reprinted receipts on real parts (review #9): a copy says when the payment was voided or refunded, shows what the
/// original showed (not today's balance and debts), and a payment that issued no receipt yet is not reprinted.
/// </summary>
public sealed class ReprintTests
{
    private static object Approval(string reason) => new { reason, supervisorId = "gs01", supervisorPin = "975319" };

    [Fact]
    public async Task A_voided_payments_reprint_says_it_was_voided_and_shows_the_figures_of_the_original()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);
        var (id, original) = await PayAsync(terminal, 100_000);
        long slip;
        using (var voided = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/void", Approval("Thu nham")))
        {
            Assert.Equal(HttpStatusCode.OK, voided.StatusCode);
            slip = (await voided.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sequence").GetInt64();
        }

        var copy = await ReprintAsync(terminal, cashier, id);
        Assert.Contains("BẢN SAO - IN LẠI", copy, StringComparison.Ordinal);
        Assert.Matches(@"ĐÃ HỦY:?\s+100\.000 ₫", copy);
        Assert.Contains($"KP-THCS-ND-01-{slip:D8}", copy, StringComparison.Ordinal);

        // The void gave the 100.000 back to the bill and the balance: the copy still shows them as the payment left them.
        Assert.Equal(Line(original, "Còn nợ:"), Line(copy, "Còn nợ:"));
        Assert.Equal(Line(original, "Số dư còn lại:"), Line(copy, "Số dư còn lại:"));
    }

    [Fact]
    public async Task A_partly_refunded_payments_reprint_says_how_much_was_refunded()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);
        var (id, _) = await PayAsync(terminal, 100_000);
        using (var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/refund",
            new { amount = 40_000, destination = "card_balance", reason = "Thu thua", supervisorId = "gs01", supervisorPin = "975319" }))
        {
            Assert.Equal(HttpStatusCode.OK, refunded.StatusCode);
        }

        var copy = await ReprintAsync(terminal, cashier, id);
        Assert.Matches(@"ĐÃ HOÀN TIỀN:?\s+40\.000 ₫", copy);
        Assert.DoesNotContain("ĐÃ HỦY", copy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_VietQR_payment_still_waiting_for_the_bank_is_not_reprinted_as_a_receipt()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "online");
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        string id;
        using (var qr = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240007", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240007" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, qr.StatusCode);
            id = (await qr.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        using var reprint = await cashier.PostAsync($"/api/v1/payments/{id}/reprint", null);
        Assert.Equal(HttpStatusCode.Conflict, reprint.StatusCode);
        var problem = (await reprint.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
        Assert.Equal("no_receipt_yet", problem.Code);
        Assert.Contains("chưa", problem.Title, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(terminal.ReceiptsFolder, id + ".txt")));
        Assert.NotEqual("printed", (await terminal.PaymentAsync(id)).GetProperty("receipt").GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_printed_receipts_entry_wakes_the_sync_and_is_pushed_before_the_next_round()
    {
        // Rounds an hour apart: only a wake pushes anything within the test.
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--ProvinceServer:Interval=01:00:00"]);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        var (id, _) = await PayAsync(terminal, 50_000);

        // Everything so far pushed (the payment woke the sync; its receipt's entry may have gone in that round or not).
        await terminal.ReceiptSettledAsync(id);
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        var outbox = terminal.App.Services.GetRequiredService<OutboxStore>();
        Assert.Equal(0, (await outbox.GetStatusAsync()).Queued);
        var entries = Convert.ToInt64(await province.ScalarAsync($"SELECT COUNT(*) FROM journal_entries WHERE kind = '{EntryKinds.ReceiptPrinted}'"));

        // A reprint appends a receipt.printed entry and nothing else: it reaches the province at once.
        await ReprintAsync(terminal, cashier, id);
        await Wait.UntilAsync(async () => (await outbox.GetStatusAsync()).Queued == 0, TimeSpan.FromSeconds(15), "the reprint's entry pushed");
        Assert.Equal(entries + 1, Convert.ToInt64(await province.ScalarAsync($"SELECT COUNT(*) FROM journal_entries WHERE kind = '{EntryKinds.ReceiptPrinted}'")));
    }

    private static async Task<(string Id, string Receipt)> PayAsync(TerminalHost terminal, long amount)
    {
        await terminal.TapAsync("04A1B2C3");
        string id;
        using (var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var file = Path.Combine(terminal.ReceiptsFolder, id + ".txt");
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(file)), TimeSpan.FromSeconds(20), "the receipt");
        return (id, await File.ReadAllTextAsync(file));
    }

    private static async Task<string> ReprintAsync(TerminalHost terminal, HttpClient cashier, string id)
    {
        var before = Directory.GetFiles(terminal.ReceiptsFolder, "*.txt").ToHashSet();
        using (var reprint = await cashier.PostAsync($"/api/v1/payments/{id}/reprint", null))
        {
            Assert.Equal(HttpStatusCode.OK, reprint.StatusCode);
        }

        string? file = null;
        // The void or refund slip prints too: the reprint is the new file with the copy's mark.
        await Wait.UntilAsync(() => Task.FromResult((file = Directory.GetFiles(terminal.ReceiptsFolder, "*.txt")
                .FirstOrDefault(f => !before.Contains(f) && File.ReadAllText(f).Contains("BẢN SAO - IN LẠI", StringComparison.Ordinal))) is not null),
            TimeSpan.FromSeconds(20), "the reprint");
        return await File.ReadAllTextAsync(file!);
    }

    private static string Line(string text, string label) =>
        text.Split('\n').Single(l => l.Contains(label, StringComparison.Ordinal)).Replace(label, string.Empty, StringComparison.Ordinal).Trim();
}
