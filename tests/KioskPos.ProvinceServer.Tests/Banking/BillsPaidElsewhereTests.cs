using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KioskPos.Core.Payments;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Review of the bank intake, finding 2: two payments can name the same bill, and the bank's money for the second
/// used to be credited to the bill again with no refund flagged (the bill showed 1,200,000 paid of 600,000). A bill
/// is credited at most what it still owes; whatever the bills do not owe is flagged for refund.
/// </summary>
public sealed class BillsPaidElsewhereTests(ProviderWebhookFixture fixture) : IClassFixture<ProviderWebhookFixture>
{
    private static int s_bill;

    private ProvinceHost Province => fixture.Province;

    [Fact]
    public async Task An_expired_QRs_money_arriving_after_the_bill_was_paid_by_a_new_QR_is_refunded_not_credited_again()
    {
        // The reviewer's probe: P1's QR expired, the payer paid the same bill with a new QR (P2), then P1's transfer arrived late.
        var bill = await BillAsync(600_000);
        var (p1, code1) = await PendingPayments.CreateAsync(Province, 600_000, bill);
        await Province.ExecuteAsync("UPDATE payments SET state = 'expired' WHERE id = $id", ("$id", p1));
        var (p2, code2) = await PendingPayments.CreateAsync(Province, 600_000, bill);

        var second = await SendAsync(600_000, code2);
        Assert.Equal(("paid", "", 0L), await TransferAsync(second));
        var late = await SendAsync(600_000, code1);

        Assert.Equal(600_000L, await PaidAsync(bill));
        Assert.Equal(("paid_twice", "late bills_paid_elsewhere refund_due", 600_000L), await TransferAsync(late));
        Assert.Equal("expired", (await PendingPayments.StateAsync(Province, p1)).State); // nothing of it went to a bill
        Assert.Equal("completed", (await PendingPayments.StateAsync(Province, p2)).State);
        Assert.Contains("paid_twice", (string)(await Province.ScalarAsync("SELECT flags FROM payments WHERE id = $id", ("$id", p1)))!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_QRs_money_for_a_bill_partly_paid_meanwhile_credits_what_the_bill_owes_and_flags_the_rest()
    {
        // Between the QR and the money, 400,000 of the bill was paid another way (at the counter, by card).
        var bill = await BillAsync(600_000);
        var (payment, code) = await PendingPayments.CreateAsync(Province, 600_000, bill);
        await Province.ExecuteAsync("UPDATE bills SET paid = 400000 WHERE id = $b", ("$b", bill));

        var transfer = await SendAsync(600_000, code);

        Assert.Equal(600_000L, await PaidAsync(bill));
        Assert.Equal(("overpaid", "bills_paid_elsewhere refund_due", 400_000L), await TransferAsync(transfer));
        Assert.Equal(200_000L, Convert.ToInt64(await Province.ScalarAsync("SELECT credited FROM payment_allocations WHERE payment_id = $p", ("$p", payment)), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_underpaid_payment_its_remainder_QR_overpaid_and_its_own_code_used_again_never_credit_the_bill_beyond_its_total()
    {
        // P1 for the whole bill is underpaid (400,000 of 600,000); the terminal offers a QR for the rest (P2, 200,000,
        // same bill) and the payer overpays it (250,000); then "repeat last transfer" sends P1's 400,000 again.
        var bill = await BillAsync(600_000);
        var (p1, code1) = await PendingPayments.CreateAsync(Province, 600_000, bill);
        var first = await SendAsync(400_000, code1);
        Assert.Equal(("underpaid", "", 0L), await TransferAsync(first));
        var (_, code2) = await PendingPayments.CreateAsync(Province, 200_000, bill);

        var remainder = await SendAsync(250_000, code2);
        Assert.Equal(("overpaid", "refund_due", 50_000L), await TransferAsync(remainder));
        Assert.Equal(600_000L, await PaidAsync(bill));

        var repeated = await SendAsync(400_000, code1);
        Assert.Equal(600_000L, await PaidAsync(bill));
        Assert.Equal(("paid_twice", "bills_paid_elsewhere refund_due", 400_000L), await TransferAsync(repeated));
        Assert.Equal("underpaid", (await PendingPayments.StateAsync(Province, p1)).State);

        // Every đồng beyond the bill's total is to be refunded: 1,050,000 arrived for a bill of 600,000.
        Assert.Equal(450_000L, Convert.ToInt64(await Province.ScalarAsync(
            "SELECT SUM(refund_due) FROM bank_transfers WHERE connection_id = 'sepay-1' AND bank_txn_id IN ($a, $b, $c)",
            ("$a", first), ("$b", remainder), ("$c", repeated)), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_underpaid_payments_own_code_used_again_before_its_remainder_QR_leaves_the_remainder_QRs_money_to_refund()
    {
        // The same payer, the other order: P1's code pays the rest first, then the remainder QR's money arrives.
        var bill = await BillAsync(600_000);
        var (p1, code1) = await PendingPayments.CreateAsync(Province, 600_000, bill);
        await SendAsync(400_000, code1);
        var (p2, code2) = await PendingPayments.CreateAsync(Province, 200_000, bill);

        var repeated = await SendAsync(400_000, code1);
        Assert.Equal(("overpaid", "refund_due", 200_000L), await TransferAsync(repeated));
        var remainder = await SendAsync(250_000, code2);

        Assert.Equal(600_000L, await PaidAsync(bill));
        Assert.Equal(("paid_twice", "bills_paid_elsewhere refund_due", 250_000L), await TransferAsync(remainder));
        Assert.Equal("completed", (await PendingPayments.StateAsync(Province, p1)).State);
        Assert.Equal("pending", (await PendingPayments.StateAsync(Province, p2)).State);
    }

    [Fact]
    public async Task An_underpaid_payment_whose_bill_was_paid_elsewhere_tells_its_terminal_that_nothing_is_left_to_pay()
    {
        // A plain short transfer: the rest of the bill is still owed, and the confirmation says so (the terminal's QR for the rest).
        var open = await BillAsync(600_000);
        var (short1, shortCode) = await PendingPayments.CreateAsync(Province, 600_000, open);
        Assert.Equal(("underpaid", "", 0L), await TransferAsync(await SendAsync(400_000, shortCode)));
        Assert.Equal((TransferOutcomes.Underpaid, 400_000L, 200_000L), await ConfirmationAsync(short1));

        // 400,000 of the bill was paid at the counter meanwhile; the payer sends 300,000 of the 600,000 the QR asked.
        // 200,000 reaches the bill, 100,000 is to be refunded, and the payment's own amount is not met. The
        // confirmation said 300,000 still due, and the terminal offered a QR for it whose money could only be refunded.
        var bill = await BillAsync(600_000);
        var (payment, code) = await PendingPayments.CreateAsync(Province, 600_000, bill);
        await Province.ExecuteAsync("UPDATE bills SET paid = 400000 WHERE id = $b", ("$b", bill));

        Assert.Equal(("underpaid", "bills_paid_elsewhere refund_due", 100_000L), await TransferAsync(await SendAsync(300_000, code)));
        Assert.Equal(600_000L, await PaidAsync(bill));
        Assert.Equal((TransferOutcomes.Underpaid, 300_000L, 0L), await ConfirmationAsync(payment));
    }

    [Fact]
    public async Task The_relatives_page_stops_offering_a_QR_whose_bills_were_paid_another_way()
    {
        // P1 for the whole bill is underpaid (400,000 of 600,000); the kiosk offers a QR for the rest (P2, 200,000,
        // same bill), which the page for a relative (/p/{payment}) shows too. The payer then pays the rest by P1's
        // code again: P2's bill owes nothing, and money sent to P2 can only be refunded, yet its page still showed the QR.
        var bill = await BillAsync(600_000);
        var (p1, code1) = await PendingPayments.CreateAsync(Province, 600_000, bill);
        var link1 = await PayLinkAsync(p1, code1, 600_000, bill);
        await SendAsync(400_000, code1);
        Assert.Equal(("underpaid", null), await PayLinkStateAsync(link1));
        var (p2, code2) = await PendingPayments.CreateAsync(Province, 200_000, bill);
        var link2 = await PayLinkAsync(p2, code2, 200_000, bill);
        var (state, payload) = await PayLinkStateAsync(link2);
        Assert.Equal("open", state);
        Assert.NotNull(payload);

        await SendAsync(200_000, code1);
        Assert.Equal(("paid", null), await PayLinkStateAsync(link1));
        Assert.Equal(("settled", null), await PayLinkStateAsync(link2));

        // An underpaid payment whose bill was paid at the counter meanwhile: nothing more to send for it either.
        var counter = await BillAsync(600_000);
        var (p3, code3) = await PendingPayments.CreateAsync(Province, 600_000, counter);
        var link3 = await PayLinkAsync(p3, code3, 600_000, counter);
        await Province.ExecuteAsync("UPDATE bills SET paid = 400000 WHERE id = $b", ("$b", counter));
        await SendAsync(300_000, code3);
        Assert.Equal("underpaid", (await PendingPayments.StateAsync(Province, p3)).State);
        Assert.Equal(("settled", null), await PayLinkStateAsync(link3));
    }

    // The payment's entry as its terminal pushed it (the QR in its body, its hash), so that its link for a relative opens.
    private async Task<string> PayLinkAsync(string paymentId, string code, long amount, string bill)
    {
        var sequence = Convert.ToInt64(await Province.ScalarAsync("SELECT sequence FROM payments WHERE id = $p", ("$p", paymentId)), CultureInfo.InvariantCulture);
        var payload = VietQrBuilder.Build(new VietQrPayload(true, "970436", ProvinceHost.SchoolAccount, Amount: amount, Additional: new VietQrAdditionalData(Purpose: code)));
        var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow, Payment: new PaymentCreatedDto(paymentId, "HS240001", null, "vietqr", amount,
            [new AllocationDto(bill, amount)], null, Qr: new VietQrDto(code, payload, DateTimeOffset.UtcNow.AddHours(1))));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(paymentId)));
        await Province.ExecuteAsync("UPDATE journal_entries SET body = $b, hash = $h WHERE terminal_id = 'KP-TEST-QR' AND sequence = $s",
            ("$b", JsonSerializer.Serialize(entry, ContractsJsonContext.Default.JournalEntryDto)), ("$h", hash), ("$s", sequence));
        return $"/api/v1/pay-links/{paymentId}?k={PayLinkKey.Derive(hash)}";
    }

    private async Task<(string State, string? Payload)> PayLinkStateAsync(string link)
    {
        using var http = new HttpClient { BaseAddress = Province.BaseUrl };
        var view = await http.GetFromJsonAsync<JsonElement>(link);
        return (view.GetProperty("state").GetString()!, view.TryGetProperty("payload", out var payload) ? payload.GetString() : null);
    }

    // The last confirmation queued for the payment's terminal, as its long poll hands it over.
    private async Task<(string Outcome, long TotalReceived, long Remaining)> ConfirmationAsync(string paymentId)
    {
        var body = (string)(await Province.ScalarAsync("SELECT body FROM confirmations WHERE payment_id = $p ORDER BY id DESC LIMIT 1", ("$p", paymentId)))!;
        var confirmation = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.ConfirmationDto)!;
        return (confirmation.Outcome, confirmation.TotalReceived, confirmation.Remaining);
    }

    private async Task<string> BillAsync(long total)
    {
        var id = $"BT-ELSEWHERE-{Interlocked.Increment(ref s_bill)}-{Guid.NewGuid():N}"[..40];
        await Province.ExecuteAsync(
            "INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($b, 'TG-THCS-NGUYENDU', 'HS240001', 'ban_tru', 'Bán trú', '2026-11-30', $t, 0, 0)",
            ("$b", id), ("$t", total));
        return id;
    }

    /// <summary>Posts one SePay transfer of <paramref name="amount"/> naming <paramref name="code"/>; returns its transaction id.</summary>
    private async Task<string> SendAsync(long amount, string code)
    {
        var id = ProviderPost.NextId();
        var (status, _) = await ProviderSenders.SendAsync(ProviderPost.Transfer(Province.BaseUrl, "sepay", id, amount, code));
        Assert.Equal(200, status);
        return id.ToString(CultureInfo.InvariantCulture);
    }

    private async Task<long> PaidAsync(string bill) =>
        Convert.ToInt64(await Province.ScalarAsync("SELECT paid FROM bills WHERE id = $b", ("$b", bill)), CultureInfo.InvariantCulture);

    private async Task<(string Outcome, string Flags, long RefundDue)> TransferAsync(string transactionId)
    {
        const string where = "FROM bank_transfers WHERE connection_id = 'sepay-1' AND bank_txn_id = $x";
        return ((string)(await Province.ScalarAsync($"SELECT outcome {where}", ("$x", transactionId)))!,
            (string)(await Province.ScalarAsync($"SELECT flags {where}", ("$x", transactionId)))!,
            Convert.ToInt64(await Province.ScalarAsync($"SELECT refund_due {where}", ("$x", transactionId)), CultureInfo.InvariantCulture));
    }
}
