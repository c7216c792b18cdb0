using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage.Tests;

public class VietQrPaymentTests
{
    [Fact]
    public async Task A_vietqr_payment_is_pending_with_a_dynamic_qr_naming_this_terminal_and_entry()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var result = await temp.Payments.CreateAsync(new CreatePaymentCommand("k1", "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null, QrLifetime: TimeSpan.FromMinutes(10)));
        var payment = result.Payment;
        Assert.Equal((PaymentState.Pending, 750_000L), (payment.State, payment.Amount.Value));
        Assert.True(TransferCode.TryParse(payment.Qr!.TransferCode, out var code));
        Assert.Equal((7, payment.Sequence), (code.Value.TerminalTag, code.Value.Sequence));
        Assert.Equal(temp.Time.GetUtcNow().AddMinutes(10), payment.Qr.ExpiresAt);
        var qr = VietQrParser.Parse(payment.Qr.Payload);
        Assert.Equal((true, "970436", "1023456789", 750_000L, payment.Qr.TransferCode, "TRUONG THCS NGUYEN DU"),
            (qr.Dynamic, qr.BankBin, qr.AccountNumber, qr.Amount!.Value, qr.Purpose, qr.MerchantName));

        // Nothing is owed less until the bank confirms.
        var bills = await temp.Catalogue.GetBillsAsync("HS1");
        Assert.Equal(750_000, bills.Sum(b => b.Outstanding.Value));
    }

    [Fact]
    public async Task A_confirmation_is_recorded_once_and_the_state_is_derived_again_from_the_journal()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var payment = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;
        var under = new ConfirmationDto(41, payment.Id, payment.Qr!.TransferCode, TransferOutcomes.Underpaid, 500_000, 500_000, 750_000, 250_000, "FT1", temp.Time.GetUtcNow(), []);
        var first = await temp.Payments.RecordConfirmationAsync(under);
        var again = await temp.Payments.RecordConfirmationAsync(under);
        Assert.True(first!.IsNew);
        Assert.False(again!.IsNew);
        Assert.Equal((PaymentState.Underpaid, 500_000L, 250_000L), (first.Payment.State, first.Payment.Received.Value, first.Payment.Remaining.Value));

        // The receipt shows what arrived, split over the bills in allocation order, as the server credits it.
        var receipt = (await temp.Payments.BuildReceiptAsync(payment.Id, TimeZoneInfo.Utc))!;
        Assert.Equal(500_000, receipt.Total.Value);
        Assert.Equal([150_000L, 350_000L], receipt.Items.Select(i => i.Amount.Value));
        Assert.Equal(250_000, receipt.Items[1].RemainingAfter.Value);

        var full = under with { Id = 42, Outcome = TransferOutcomes.Paid, Amount = 250_000, TotalReceived = 750_000, Remaining = 0, BankTransactionId = "FT2" };
        Assert.Equal(PaymentState.Completed, (await temp.Payments.RecordConfirmationAsync(full))!.Payment.State);

        // Rebuilt from the journal alone, the payment is the same.
        var before = await temp.Payments.GetAsync(payment.Id);
        Assert.Equal(1, await JournalProjection.RebuildAsync(temp.Database));
        var after = await temp.Payments.GetAsync(payment.Id);
        Assert.Equal((before!.State, before.Received, before.Qr), (after!.State, after.Received, after.Qr));
        Assert.True((await new JournalVerifier(temp.Database).VerifyAsync()).Ok);
    }

    [Fact]
    public async Task A_qr_receipt_carries_what_the_bank_confirmed_when_it_is_not_what_was_asked()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var payment = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;
        Assert.Null((await temp.Payments.BuildReceiptAsync(payment.Id, TimeZoneInfo.Utc, provisional: true))!.Transfer);

        var under = new ConfirmationDto(41, payment.Id, payment.Qr!.TransferCode, TransferOutcomes.Underpaid, 500_000, 500_000, 750_000, 250_000, "FT1", temp.Time.GetUtcNow(), []);
        await temp.Payments.RecordConfirmationAsync(under);
        var receipt = (await temp.Payments.BuildReceiptAsync(payment.Id, TimeZoneInfo.Utc))!;
        Assert.Equal((500_000L, 750_000L, 500_000L, 250_000L), (receipt.Total.Value, receipt.Transfer!.Due.Value, receipt.Transfer.Received.Value, receipt.Transfer.Shortfall.Value));

        await temp.Payments.RecordConfirmationAsync(under with { Id = 42, Outcome = TransferOutcomes.Overpaid, Amount = 300_000, TotalReceived = 800_000, Remaining = 0, BankTransactionId = "FT2" });
        receipt = (await temp.Payments.BuildReceiptAsync(payment.Id, TimeZoneInfo.Utc))!;
        Assert.Equal((750_000L, 800_000L, 50_000L), (receipt.Total.Value, receipt.Transfer!.Received.Value, receipt.Transfer.Excess.Value));

        // Exactly what was asked: nothing to say beside the total.
        var exact = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS2", null, PaymentMethod.VietQr, [new("B3", null)], null))).Payment;
        await temp.Payments.RecordConfirmationAsync(new ConfirmationDto(43, exact.Id, exact.Qr!.TransferCode, TransferOutcomes.Paid, 150_000, 150_000, 150_000, 0, "FT3", temp.Time.GetUtcNow(), []));
        Assert.Null((await temp.Payments.BuildReceiptAsync(exact.Id, TimeZoneInfo.Utc))!.Transfer);
    }

    [Fact]
    public async Task Expiry_ends_only_a_payment_still_waiting_for_the_bank()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var payment = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null)], null))).Payment;
        Assert.Single(await temp.Payments.PendingQrAsync());
        Assert.Equal(PaymentState.Expired, (await temp.Payments.ExpireAsync(payment.Id, "expired"))!.State);
        Assert.Empty(await temp.Payments.PendingQrAsync());

        // Money that still comes is a fact: the payment is paid.
        var late = new ConfirmationDto(9, payment.Id, payment.Qr!.TransferCode, TransferOutcomes.Paid, 150_000, 150_000, 150_000, 0, "FT9", temp.Time.GetUtcNow(), ["late"]);
        Assert.Equal(PaymentState.Completed, (await temp.Payments.RecordConfirmationAsync(late))!.Payment.State);
        Assert.Equal(PaymentState.Completed, (await temp.Payments.ExpireAsync(payment.Id, "expired"))!.State);
        await JournalProjection.RebuildAsync(temp.Database);
        Assert.Equal(PaymentState.Completed, (await temp.Payments.GetAsync(payment.Id))!.State);
    }

    [Fact]
    public async Task A_card_or_bank_card_payment_for_bills_a_live_qr_offer_covers_is_refused_and_nothing_is_written()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var qr = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;
        var entries = await JournalCountAsync(temp);

        // Any bill in common, any amount: the QR could still be paid, and the bills twice.
        var card = await Assert.ThrowsAsync<PaymentRefusedException>(() =>
            temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new("B1", 50_000)], null)));
        Assert.Equal(("qr_offer_pending", RefusalKind.Conflict, qr.Id), (card.Refusal.Code, card.Refusal.Kind, card.Refusal.PaymentId));
        Assert.Contains(qr.Id, card.Refusal.Vietnamese, StringComparison.Ordinal);
        Assert.Contains("750.000 ₫", card.Refusal.Vietnamese, StringComparison.Ordinal);
        Assert.Contains(qr.Id, card.Refusal.English, StringComparison.Ordinal);

        var external = await Assert.ThrowsAsync<PaymentRefusedException>(() =>
            temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.ExternalCardTerminal, [new("B2", null)], "tn01", External: new ExternalCard("A1B2C3", "4242"))));
        Assert.Equal(("qr_offer_pending", qr.Id), (external.Refusal.Code, external.Refusal.PaymentId));

        Assert.Equal(entries, await JournalCountAsync(temp));
        Assert.Equal([qr.Id], (await temp.Payments.ListRecentAsync(10)).Select(p => p.Id));
        Assert.Equal(500_000, (await temp.Catalogue.GetAvailableBalanceAsync("HS1")).Value);
        Assert.Equal(PaymentState.Pending, (await temp.Payments.GetAsync(qr.Id))!.State);
        Assert.Equal(qr.Id, (await temp.Payments.FindLiveQrOfferAsync("HS1", ["B2"]))!.PaymentId);

        // Another payer's bills are not its business.
        Assert.False((await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS2", "04D4E5F6", PaymentMethod.CardBalance, [new("B3", 50_000)], null))).Replayed);
    }

    [Fact]
    public async Task A_withdrawn_or_expired_qr_offer_no_longer_blocks_a_card_payment()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var withdrawn = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null)], null))).Payment;
        await Assert.ThrowsAsync<PaymentRefusedException>(() => temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new("B1", null)], null)));
        Assert.Equal(PaymentState.Expired, (await temp.Payments.ExpireAsync(withdrawn.Id, "cancelled"))!.State);
        var card = await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new("B1", null)], null));
        Assert.Equal((PaymentState.Completed, 150_000L), (card.Payment.State, card.Payment.Amount.Value));

        // Past its expiry an offer blocks nothing, though the expiry worker has not ended it yet.
        var lapsed = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B2", null)], null, QrLifetime: TimeSpan.FromMinutes(10)))).Payment;
        temp.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Equal(PaymentState.Pending, (await temp.Payments.GetAsync(lapsed.Id))!.State);
        Assert.Null(await temp.Payments.FindLiveQrOfferAsync("HS1", ["B2"]));
        var external = await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.ExternalCardTerminal, [new("B2", null)], "tn01", External: new ExternalCard("A1B2C3", "4242")));
        Assert.Equal(600_000, external.Payment.Amount.Value);
        Assert.True((await new JournalVerifier(temp.Database).VerifyAsync()).Ok);
    }

    [Fact]
    public async Task A_new_qr_for_the_same_bills_withdraws_the_earlier_live_offer_in_its_transaction()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var first = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;
        var other = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS2", null, PaymentMethod.VietQr, [new("B3", null)], null))).Payment;

        // Back, and QR again for the meals alone: the first code, which pays both bills, is withdrawn; one QR is live.
        var again = await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B2", null)], null));
        Assert.Equal([first.Id], again.WithdrawnOffers);
        Assert.Equal(PaymentState.Expired, (await temp.Payments.GetAsync(first.Id))!.State);
        Assert.Equal(PaymentState.Pending, again.Payment.State);
        Assert.Equal(PaymentState.Pending, (await temp.Payments.GetAsync(other.Id))!.State);
        Assert.Equal(again.Payment.Id, (await temp.Payments.FindLiveQrOfferAsync("HS1", ["B1", "B2"]))!.PaymentId);

        // The withdrawal is journalled as the payer's cancel, just before the new offer, and reaches the province as one.
        var pending = await temp.Outbox.GetPendingAsync(10, 100_000);
        var expiry = Assert.Single(pending, e => e.Kind == EntryKinds.PaymentExpired);
        Assert.Equal((first.Id, "cancelled", again.Payment.Sequence - 1), (expiry.Expiry!.PaymentId, expiry.Expiry.Reason, expiry.Sequence));

        // A top-up pays no bill and withdraws nothing; the same request again is answered with the payment, withdrawing nothing more.
        var topUp = await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [], null, Purpose: PaymentPurpose.TopUp, TopUpAmount: 100_000));
        Assert.Empty(topUp.WithdrawnOffers ?? []);
        Assert.Equal(PaymentState.Pending, (await temp.Payments.GetAsync(again.Payment.Id))!.State);

        // Rebuilt from the journal alone, the states are the same.
        Assert.Equal(4, await JournalProjection.RebuildAsync(temp.Database));
        Assert.Equal(PaymentState.Expired, (await temp.Payments.GetAsync(first.Id))!.State);
        Assert.Equal(PaymentState.Pending, (await temp.Payments.GetAsync(again.Payment.Id))!.State);
        Assert.True((await new JournalVerifier(temp.Database).VerifyAsync()).Ok);
    }

    private static async Task<long> JournalCountAsync(TempDatabase temp)
    {
        await using var connection = await temp.Database.OpenAsync();
        return (long)(await connection.ScalarAsync("SELECT COUNT(*) FROM journal", null, default))!;
    }

    [Fact]
    public async Task Without_a_receiving_account_vietqr_is_refused_with_a_clear_reason()
    {
        await using var temp = new TempDatabase();
        await temp.Database.MigrateAsync();
        await temp.Catalogue.ApplyPullAsync(new PullResponse("e.1", true, false, new InstitutionDto("I1", "Trường", "lower_secondary", "Mỹ Tho"),
            [new AccountDto("HS1", "pupil", "A", null, 0, false, [], 1)],
            [new BillDto("B1", "HS1", "hoc_phi", "Học phí", null, 150_000, 0, [], 2)], DateTimeOffset.UnixEpoch));
        var refused = await Assert.ThrowsAsync<PaymentRefusedException>(() =>
            temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null)], null)));
        Assert.Equal("vietqr_unavailable", refused.Refusal.Code);
    }
}
