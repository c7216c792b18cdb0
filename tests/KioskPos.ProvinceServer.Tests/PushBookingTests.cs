using KioskPos.Core.Domain;
using KioskPos.ProvinceServer.Ledger;
using KioskPos.Shared.Contracts;
using Xunit;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>The booking rules of a push, in memory: no database.</summary>
public sealed class PushBookingTests
{
    private const string Now = "2026-12-04T08:00:00.0000000+00:00";
    private long _version = 100;

    private PushBooking NewBooking() => new(Now, _ => ++_version);

    private static JournalEntryDto CardPayment(long sequence, long amount, params AllocationDto[] allocations) =>
        new(sequence, EntryKinds.PaymentCreated, DateTimeOffset.Parse("2026-12-04T07:59:00Z"),
            new PaymentCreatedDto($"P{sequence}", "HS001", "CARD1", "card_balance", amount, allocations, "op"));

    [Fact]
    public void A_card_payment_debits_the_balance_and_pays_the_bill()
    {
        var booking = NewBooking();
        booking.Accounts["HS001"] = new BookedAccount("HS001", "school", 50_000, 1);
        booking.Bills["B1"] = new BookedBill("B1", "school", "HS001", 0, 30_000, BillCategory.Tuition, 1);

        var result = booking.ApplyPayment("T1", "school", CardPayment(1, 30_000, new AllocationDto("B1", 30_000)));

        Assert.Equal(20_000, result.BalanceAfter);
        Assert.Empty(result.Flags);
        Assert.Equal(30_000, booking.Bills["B1"].Paid);
        Assert.Single(booking.NewPayments);
        Assert.Empty(booking.Alerts);
    }

    [Fact]
    public void An_overdraft_is_booked_flagged_and_denies_the_card_once()
    {
        var booking = NewBooking();
        booking.Accounts["HS001"] = new BookedAccount("HS001", "school", 10_000, 1);
        booking.Cards["CARD1"] = new BookedCard("CARD1", "HS001", denied: false);

        var first = booking.ApplyPayment("T1", "school", CardPayment(1, 15_000));
        var second = booking.ApplyPayment("T1", "school", CardPayment(2, 1_000));

        Assert.Equal(new[] { "overdraft", "card_denied" }, first.Flags);
        Assert.Equal(new[] { "overdraft" }, second.Flags);
        Assert.Equal(-6_000, second.BalanceAfter);
        Assert.Equal(("overdraft", Now), booking.Cards["CARD1"].DeniedHere!.Value);
        Assert.Equal(2, booking.Alerts.Count);
    }

    [Fact]
    public void A_payment_for_another_institutions_account_is_kept_and_flagged()
    {
        var booking = NewBooking();
        booking.Accounts["HS001"] = new BookedAccount("HS001", "hospital", 10_000, 1);

        var result = booking.ApplyPayment("T1", "school", CardPayment(1, 5_000));

        Assert.Equal(new[] { "unknown_account" }, result.Flags);
        Assert.Null(result.BalanceAfter);
        Assert.False(booking.Accounts["HS001"].Changed);
        Assert.Single(booking.NewPayments);
    }

    [Fact]
    public void A_push_pays_no_bill_and_moves_no_account_of_another_institution_and_takes_only_its_own_versions()
    {
        // Each institution's counter is its own (the writer holds only its institution's lock): a push must not
        // version another institution's rows, so their bills are flagged, not paid, and a reversal leaves them alone.
        var taken = new List<string>();
        var booking = new PushBooking(Now, institution =>
        {
            taken.Add(institution);
            return ++_version;
        });
        booking.Accounts["HS001"] = new BookedAccount("HS001", "hospital", 10_000, 1);
        booking.Bills["B1"] = new BookedBill("B1", "hospital", "HS001", 0, 30_000, BillCategory.Tuition, 1);

        var paid = booking.ApplyPayment("T1", "school", CardPayment(1, 5_000, new AllocationDto("B1", 5_000)));
        Assert.Equal(new[] { "unknown_account", "unknown_bill:B1" }, paid.Flags);
        Assert.False(booking.Bills["B1"].Changed);

        booking.Payments["P9"] = new BookedPayment("P9", "T1", "HS001", PaymentMethod.ExternalCardTerminal, 5_000, 5_000, 0, PaymentState.Completed);
        var refund = new JournalEntryDto(2, EntryKinds.PaymentRefunded, DateTimeOffset.UnixEpoch,
            Reversal: new PaymentReversalDto("P9", 5_000, [new AllocationDto("B1", 5_000)], ReversalDestinations.CardBalance, null, "x", "op", "boss"));
        Assert.Equal(new[] { "unknown_bill:B1" }, booking.ApplyReversal("T1", "school", refund).Flags);
        Assert.False(booking.Accounts["HS001"].Changed);
        Assert.False(booking.Bills["B1"].Changed);
        Assert.Empty(taken);

        // Its own institution's rows take its own counter.
        booking.Accounts["HS002"] = new BookedAccount("HS002", "school", 10_000, 1);
        booking.Bills["B2"] = new BookedBill("B2", "school", "HS002", 0, 30_000, BillCategory.Tuition, 1);
        var own = booking.ApplyPayment("T1", "school", new JournalEntryDto(3, EntryKinds.PaymentCreated, DateTimeOffset.UnixEpoch,
            new PaymentCreatedDto("P3", "HS002", null, "card_balance", 5_000, [new AllocationDto("B2", 5_000)], "op")));
        Assert.Empty(own.Flags);
        Assert.Equal(new[] { "school", "school" }, taken);
    }

    [Fact]
    public void A_deposit_is_held_on_the_account_and_given_back_by_a_refund()
    {
        var booking = NewBooking();
        booking.Accounts["HS001"] = new BookedAccount("HS001", "hospital", 0, 1);
        booking.Bills["D1"] = new BookedBill("D1", "hospital", "HS001", 0, 500_000, BillCategory.Deposit, 1);
        var cash = new JournalEntryDto(1, EntryKinds.PaymentCreated, DateTimeOffset.UnixEpoch,
            new PaymentCreatedDto("P1", "HS001", null, "external_card", 500_000, [new AllocationDto("D1", 500_000)], "op"));

        Assert.Equal(500_000, booking.ApplyPayment("T1", "hospital", cash).BalanceAfter);

        var refund = new JournalEntryDto(2, EntryKinds.PaymentRefunded, DateTimeOffset.UnixEpoch,
            Reversal: new PaymentReversalDto("P1", 500_000, [new AllocationDto("D1", 500_000)], ReversalDestinations.BankTransfer, "REF1", "discharge", "op", "boss"));
        var result = booking.ApplyReversal("T1", "hospital", refund);

        Assert.Equal(0, result.BalanceAfter);
        Assert.Empty(result.Flags);
        Assert.Equal(0, booking.Bills["D1"].Paid);
        Assert.Equal(PaymentState.Refunded, booking.Payments["P1"].State);
        Assert.Single(booking.Reversals);
    }

    // A VietQR payment for HP (150.000) and BT (600.000) of which the bank paid 150.000: credited to HP, in allocation order.
    private static PushBooking UnderpaidTransfer(PushBooking booking)
    {
        booking.Accounts["HS001"] = new BookedAccount("HS001", "school", 0, 1);
        booking.Bills["HP"] = new BookedBill("HP", "school", "HS001", 150_000, 150_000, BillCategory.Tuition, 1);
        booking.Bills["BT"] = new BookedBill("BT", "school", "HS001", 0, 600_000, BillCategory.Boarding, 1);
        booking.Payments["P1"] = new BookedPayment("P1", "T1", "HS001", PaymentMethod.VietQr, 750_000, 150_000, 0, PaymentState.Underpaid);
        booking.Allocated(new BookedAllocation("P1", "HP", 150_000, 150_000));
        booking.Allocated(new BookedAllocation("P1", "BT", 600_000, 0));
        return booking;
    }

    private static JournalEntryDto Refund(long amount, params AllocationDto[] allocations) =>
        new(5, EntryKinds.PaymentRefunded, DateTimeOffset.UnixEpoch,
            Reversal: new PaymentReversalDto("P1", amount, allocations, ReversalDestinations.BankTransfer, "FT26112399010", "x", "op", "boss"));

    [Fact]
    public void A_refund_of_an_underpaid_transfer_reopens_the_bill_the_bank_credited_as_the_terminal_names_it()
    {
        var booking = UnderpaidTransfer(NewBooking());
        var credited = booking.AllocationOrder["P1"].Select(a => new ReversibleAllocation(a.BillId, new KioskPos.Core.Money.Vnd(a.Credited), KioskPos.Core.Money.Vnd.Zero)).ToList();
        var asTheTerminalDoes = PaymentRules.ReopenedBills(credited, new KioskPos.Core.Money.Vnd(150_000)).Select(a => new AllocationDto(a.BillId, a.Amount.Value)).ToArray();

        var result = booking.ApplyReversal("T1", "school", Refund(150_000, asTheTerminalDoes));

        Assert.Equal([new AllocationDto("HP", 150_000)], asTheTerminalDoes);
        Assert.Empty(result.Flags);
        Assert.Equal(0, booking.Bills["HP"].Paid);
        Assert.Equal(0, booking.Bills["BT"].Paid);
        Assert.Equal(0, booking.Allocations[("P1", "HP")].Credited);
    }

    [Fact]
    public void A_refund_of_an_underpaid_transfer_naming_a_bill_the_bank_never_credited_reopens_the_credited_one_and_is_flagged()
    {
        // An older terminal reopened the last allocation by its amount: BT, which the bank's money never reached.
        var booking = UnderpaidTransfer(NewBooking());

        var result = booking.ApplyReversal("T1", "school", Refund(150_000, new AllocationDto("BT", 150_000)));

        Assert.Equal(["reopened_as_credited"], result.Flags);
        Assert.Equal(0, booking.Bills["HP"].Paid); // the school refunded it: the bill is owed again
        Assert.Equal(0, booking.Bills["BT"].Paid);
        Assert.Equal([new BillStateDto("HP", 0, result.Bills[0].Version)], result.Bills);
    }

    [Fact]
    public void Reversing_more_than_was_paid_or_an_unknown_payment_is_flagged()
    {
        var booking = NewBooking();
        booking.Payments["P1"] = new BookedPayment("P1", "T1", "HS001", PaymentMethod.ExternalCardTerminal, 10_000, 10_000, 0, PaymentState.Completed);
        var tooMuch = new JournalEntryDto(5, EntryKinds.PaymentRefunded, DateTimeOffset.UnixEpoch,
            Reversal: new PaymentReversalDto("P1", 20_000, [], ReversalDestinations.BankTransfer, "REF", "x", "op", "boss"));
        var unknown = tooMuch with { Sequence = 6, Reversal = tooMuch.Reversal! with { PaymentId = "P9" } };

        Assert.Equal(new[] { "reversed_more_than_paid" }, booking.ApplyReversal("T1", "hospital", tooMuch).Flags);
        Assert.Equal(new[] { "unknown_payment" }, booking.ApplyReversal("T1", "hospital", unknown).Flags);
        Assert.Equal(new[] { "unknown_payment" }, booking.ApplyReversal("T2", "hospital", tooMuch with { Sequence = 7 }).Flags);
    }

    [Fact]
    public void Only_a_pending_payment_of_the_same_terminal_expires()
    {
        var booking = NewBooking();
        booking.Payments["Q1"] = new BookedPayment("Q1", "T1", "HS001", PaymentMethod.VietQr, 10_000, 0, 0, PaymentState.Pending);
        booking.Payments["Q2"] = new BookedPayment("Q2", "T1", "HS001", PaymentMethod.VietQr, 10_000, 10_000, 0, PaymentState.Completed);

        booking.Expire("T2", "Q1");
        Assert.Equal(PaymentState.Pending, booking.Payments["Q1"].State);
        booking.Expire("T1", "Q1");
        booking.Expire("T1", "Q2");

        Assert.Equal(PaymentState.Expired, booking.Payments["Q1"].State);
        Assert.Equal(PaymentState.Completed, booking.Payments["Q2"].State);
    }
}
