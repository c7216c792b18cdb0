using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage.Tests;

/// <summary>
/// The bills a confirmed VietQR payment paid read as paid on this terminal at once, before the pull that brings the
/// province's bills, and are counted once when it comes; an older snapshot does not make them owed again.
/// </summary>
public class ConfirmedVietQrBillTests
{
    private static readonly InstitutionDto s_institution = new("I1", "Trường THCS Nguyễn Du", "lower_secondary", "Mỹ Tho", "970436", "1023456789", "TRUONG THCS NGUYEN DU", "Vietcombank");

    [Fact]
    public async Task A_confirmed_qr_payments_bills_read_paid_at_once_also_after_a_restart_and_a_card_payment_for_them_is_refused()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var qr = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;
        await temp.Payments.RecordConfirmationAsync(Confirmation(41, qr, TransferOutcomes.Paid, 750_000, 750_000));

        Assert.Equal([0L, 0L], (await temp.Catalogue.GetBillsAsync("HS1")).Select(b => b.Outstanding.Value));

        // The state is in the database: a terminal started again reads the same.
        var reopened = TerminalSchema.Open(Path.Combine(temp.Folder, "terminal.db"));
        Assert.Equal([0L, 0L], (await new CatalogueStore(reopened).GetBillsAsync("HS1")).Select(b => b.Outstanding.Value));

        // The card path refuses the bill as it refuses any bill already paid, and writes nothing.
        var refused = await Assert.ThrowsAsync<PaymentRefusedException>(() =>
            new PaymentStore(reopened, "KP-T-01", temp.Time).CreateAsync(new CreatePaymentCommand(null, "HS1", "04A1B2C3", PaymentMethod.CardBalance, [new("B1", null)], null)));
        Assert.Equal("bill_not_payable", refused.Refusal.Code);
        Assert.Single(await temp.Payments.ListRecentAsync(10));
    }

    [Fact]
    public async Task An_underpaid_transfer_counts_what_the_province_credits_in_allocation_order_and_a_pull_after_it_counts_it_once()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var qr = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;
        await temp.Payments.RecordConfirmationAsync(Confirmation(41, qr, TransferOutcomes.Underpaid, 500_000, 500_000));
        Assert.Equal(new long[] { 0, 250_000 }, await OutstandingAsync(temp));

        // The province credited 150.000 to B1 and 350.000 to B2; the pull asked after the confirmation brings that.
        var mark = await temp.Catalogue.PullMarkAsync();
        await temp.Catalogue.ApplyPullAsync(Pull("e.20", hasMore: false, Bill("B1", 150_000, 150_000, 20), Bill("B2", 600_000, 350_000, 21)), mark);
        Assert.Equal(new long[] { 0, 250_000 }, await OutstandingAsync(temp));

        // The rest arrives: counted at once, and once after the next pull.
        await temp.Payments.RecordConfirmationAsync(Confirmation(42, qr, TransferOutcomes.Paid, 250_000, 750_000));
        Assert.Equal(new long[] { 0, 0 }, await OutstandingAsync(temp));
        mark = await temp.Catalogue.PullMarkAsync();
        await temp.Catalogue.ApplyPullAsync(Pull("e.30", hasMore: false, Bill("B2", 600_000, 600_000, 30)), mark);
        Assert.Equal(new long[] { 0, 0 }, await OutstandingAsync(temp));
        Assert.Equal(600_000, (await temp.Catalogue.GetBillsAsync("HS1"))[1].Paid.Value);
    }

    [Fact]
    public async Task A_pull_that_predates_the_confirmation_does_not_make_its_bills_owed_again()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var qr = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;

        // Asked before the confirmation, answered after it: a newer version of B2 (its title changed at the province)
        // read before the bank's money was credited.
        var mark = await temp.Catalogue.PullMarkAsync();
        await temp.Payments.RecordConfirmationAsync(Confirmation(41, qr, TransferOutcomes.Paid, 750_000, 750_000));
        await temp.Catalogue.ApplyPullAsync(Pull("e.20", hasMore: false, Bill("B1", 150_000, 0, 20), Bill("B2", 600_000, 0, 21)), mark);
        Assert.Equal(new long[] { 0, 0 }, await OutstandingAsync(temp));

        // A page of a pull asked after it forgets the credits of the bills it brings only; the last page, all of them.
        var first = await temp.Catalogue.PullMarkAsync();
        await temp.Catalogue.ApplyPullAsync(Pull("e.30", hasMore: true, Bill("B1", 150_000, 150_000, 30)), first);
        Assert.Equal(new long[] { 0, 0 }, await OutstandingAsync(temp));
        var last = await temp.Catalogue.PullMarkAsync();
        await temp.Catalogue.ApplyPullAsync(Pull("e.31", hasMore: false, Bill("B2", 600_000, 600_000, 31)), last);
        Assert.Equal(new long[] { 0, 0 }, await OutstandingAsync(temp));
        Assert.Equal([150_000L, 600_000L], (await temp.Catalogue.GetBillsAsync("HS1")).Select(b => b.Paid.Value));

        // And the credits are gone: the province reopening B2 (a refund) shows at its next pull.
        await temp.Catalogue.ApplyPullAsync(Pull("e.40", hasMore: false, Bill("B2", 600_000, 100_000, 40)), await temp.Catalogue.PullMarkAsync());
        Assert.Equal(new long[] { 0, 500_000 }, await OutstandingAsync(temp));
    }

    [Fact]
    public async Task A_credit_never_counts_more_than_the_bill_still_owes_nor_an_overpayment_more_than_the_allocation()
    {
        await using var temp = await new TempDatabase().SeedAsync();
        var qr = (await temp.Payments.CreateAsync(new CreatePaymentCommand(null, "HS1", null, PaymentMethod.VietQr, [new("B1", null), new("B2", null)], null))).Payment;
        var mark = await temp.Catalogue.PullMarkAsync();
        await temp.Payments.RecordConfirmationAsync(Confirmation(41, qr, TransferOutcomes.Overpaid, 800_000, 800_000));
        Assert.Equal([150_000L, 600_000L], (await temp.Catalogue.GetBillsAsync("HS1")).Select(b => b.Paid.Value));

        // B1 paid at another terminal meanwhile, in a snapshot older than the confirmation: paid once, not twice.
        await temp.Catalogue.ApplyPullAsync(Pull("e.20", hasMore: false, Bill("B1", 150_000, 150_000, 20)), mark);
        Assert.Equal([150_000L, 600_000L], (await temp.Catalogue.GetBillsAsync("HS1")).Select(b => b.Paid.Value));

        // Paid twice credits nothing; a repeated delivery nothing again.
        await temp.Payments.RecordConfirmationAsync(Confirmation(41, qr, TransferOutcomes.Overpaid, 800_000, 800_000));
        await temp.Payments.RecordConfirmationAsync(Confirmation(42, qr, TransferOutcomes.PaidTwice, 750_000, 1_550_000));
        await using var connection = await temp.Database.OpenAsync();
        Assert.Equal(2L, (long)(await connection.ScalarAsync("SELECT COUNT(*) FROM confirmed_credits", null, default))!);
    }

    private static ConfirmationDto Confirmation(long id, Payment payment, string outcome, long amount, long totalReceived) =>
        new(id, payment.Id, payment.Qr!.TransferCode, outcome, amount, totalReceived, payment.Amount.Value, Math.Max(0, payment.Amount.Value - totalReceived), "FT" + id, DateTimeOffset.UnixEpoch, []);

    private static BillDto Bill(string id, long total, long paid, long version) =>
        new(id, "HS1", id == "B1" ? "hoc_phi" : "ban_tru", id == "B1" ? "Học phí tháng 11/2026" : "Bán trú tháng 11/2026", new DateOnly(2026, 11, 30), total, paid, [], version);

    private static PullResponse Pull(string cursor, bool hasMore, params BillDto[] bills) =>
        new(cursor, Full: false, hasMore, s_institution, [], bills, DateTimeOffset.UnixEpoch, QrTag: 7);

    private static async Task<long[]> OutstandingAsync(TempDatabase temp) =>
        [.. (await temp.Catalogue.GetBillsAsync("HS1")).Select(b => b.Outstanding.Value)];
}
