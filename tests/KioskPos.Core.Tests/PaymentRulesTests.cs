using KioskPos.Core.Domain;
using KioskPos.Core.Money;

namespace KioskPos.Core.Tests;

public class PaymentRulesTests
{
    private static ReversiblePayment Card(PaymentState state = PaymentState.Completed, long amount = 300_000, long reversed = 0, long sequence = 10) =>
        new(PaymentMethod.CardBalance, state, new Vnd(amount), Vnd.Zero, new Vnd(reversed), sequence,
            [new ReversibleAllocation("B1", new Vnd(100_000), Vnd.Zero), new ReversibleAllocation("B2", new Vnd(200_000), new Vnd(reversed))]);

    [Theory]
    [InlineData(PaymentMethod.VietQr, PaymentState.Pending)]
    [InlineData(PaymentMethod.CardBalance, PaymentState.Completed)]
    [InlineData(PaymentMethod.ExternalCardTerminal, PaymentState.Completed)]
    public void A_transfer_starts_pending_the_others_completed(PaymentMethod method, PaymentState expected) =>
        Assert.Equal(expected, PaymentRules.InitialState(method));

    [Theory]
    [InlineData(PaymentState.Completed, 0, true)]
    [InlineData(PaymentState.Pending, 50_000, false)]
    [InlineData(PaymentState.Underpaid, 50_000, true)]
    [InlineData(PaymentState.Expired, 0, false)]
    [InlineData(PaymentState.Expired, 10_000, true)]
    public void A_period_counts_completed_payments_and_any_that_brought_money_but_pending_ones(PaymentState state, long taken, bool counts) =>
        Assert.Equal(counts, PaymentRules.CountsAsTaken(state, new Vnd(taken)));

    [Fact]
    public void A_transfer_pays_what_the_bank_confirmed_up_to_its_amount_a_card_its_amount_once_completed()
    {
        Assert.Equal(new Vnd(80_000), PaymentRules.Paid(PaymentMethod.VietQr, PaymentState.Underpaid, new Vnd(100_000), new Vnd(80_000)));
        Assert.Equal(new Vnd(100_000), PaymentRules.Paid(PaymentMethod.VietQr, PaymentState.Completed, new Vnd(100_000), new Vnd(150_000)));
        Assert.Equal(new Vnd(100_000), PaymentRules.Paid(PaymentMethod.CardBalance, PaymentState.Completed, new Vnd(100_000), Vnd.Zero));
        Assert.Equal(Vnd.Zero, PaymentRules.Paid(PaymentMethod.CardBalance, PaymentState.Pending, new Vnd(100_000), Vnd.Zero));
    }

    [Fact]
    public void A_refund_reopens_the_bill_paid_last_first()
    {
        var reopened = PaymentRules.ReopenedBills(
            [new ReversibleAllocation("B1", new Vnd(100_000), Vnd.Zero), new ReversibleAllocation("B2", new Vnd(200_000), new Vnd(150_000))],
            new Vnd(120_000));
        Assert.Equal([new PaymentAllocation("B2", new Vnd(50_000)), new PaymentAllocation("B1", new Vnd(70_000))], reopened);
    }

    [Fact]
    public void A_refund_of_an_underpaid_transfer_reopens_the_bills_the_bank_credited_last_credited_first()
    {
        // HP 150.000 + BT 600.000 by VietQR, 150.000 paid: the bank's money credited HP only (allocation order).
        var underpaid = new ReversiblePayment(PaymentMethod.VietQr, PaymentState.Underpaid, new Vnd(750_000), new Vnd(150_000), Vnd.Zero, 10,
            [new ReversibleAllocation("HP", new Vnd(150_000), Vnd.Zero), new ReversibleAllocation("BT", new Vnd(600_000), Vnd.Zero)]);
        Assert.Equal([new PaymentAllocation("HP", new Vnd(150_000))], PaymentRules.ReopenedBills(PaymentRules.Credited(underpaid), new Vnd(150_000)));

        // 450.000 paid: HP 150.000 then BT 300.000; 350.000 back takes BT's 300.000, then 50.000 of HP.
        var partly = underpaid with { Received = new Vnd(450_000) };
        Assert.Equal([new PaymentAllocation("BT", new Vnd(300_000)), new PaymentAllocation("HP", new Vnd(50_000))],
            PaymentRules.ReopenedBills(PaymentRules.Credited(partly), new Vnd(350_000)));
    }

    [Fact]
    public void A_top_up_is_neither_refunded_nor_voided_and_has_nothing_refundable()
    {
        var topUp = new ReversiblePayment(PaymentMethod.VietQr, PaymentState.Completed, new Vnd(300_000), new Vnd(300_000), Vnd.Zero, 10, [], PaymentPurpose.TopUp);
        Assert.Equal(Vnd.Zero, PaymentRules.Refundable(topUp));
        Assert.Equal("top_up_not_refundable", PaymentRules.CheckRefund(topUp, new Vnd(300_000))?.Code);
        Assert.Equal("top_up_not_refundable", PaymentRules.CheckVoid(topUp with { Method = PaymentMethod.CardBalance }, 0)?.Code);
        Assert.Contains("Đóng tài khoản", PaymentRules.TopUpRefused().Vietnamese, StringComparison.Ordinal);
    }

    [Fact]
    public void What_is_left_to_refund_is_what_was_paid_less_what_was_given_back_and_nothing_once_voided()
    {
        Assert.Equal(new Vnd(250_000), PaymentRules.Refundable(Card(reversed: 50_000)));
        Assert.Equal(Vnd.Zero, PaymentRules.Refundable(Card(PaymentState.Voided)));
        Assert.Equal("nothing_to_refund", PaymentRules.CheckRefund(Card(reversed: 300_000), new Vnd(1))?.Code);
        Assert.Equal("invalid_request", PaymentRules.CheckRefund(Card(reversed: 50_000), new Vnd(250_001))?.Code);
        Assert.Equal("invalid_request", PaymentRules.CheckRefund(Card(), Vnd.Zero)?.Code);
        Assert.Null(PaymentRules.CheckRefund(Card(reversed: 50_000), new Vnd(250_000)));
    }

    [Fact]
    public void Only_a_completed_unreversed_card_payment_of_the_open_shift_is_voided()
    {
        Assert.Null(PaymentRules.CheckVoid(Card(), lastClosedSequence: 9));
        Assert.Equal("shift_closed", PaymentRules.CheckVoid(Card(), lastClosedSequence: 10)?.Code);
        Assert.Equal("already_reversed", PaymentRules.CheckVoid(Card(reversed: 1), 0)?.Code);
        Assert.Equal("already_reversed", PaymentRules.CheckVoid(Card(PaymentState.Refunded), 0)?.Code);
        Assert.Equal("invalid_request", PaymentRules.CheckVoid(Card() with { Method = PaymentMethod.VietQr }, 0)?.Code);
    }

    [Fact]
    public void A_deposit_is_not_refunded_to_the_card()
    {
        Assert.False(PaymentRules.MayRefundToCard(BillCategory.Deposit));
        Assert.True(PaymentRules.MayRefundToCard(BillCategory.Tuition));
    }

    [Fact]
    public void A_bank_credit_spreads_over_the_bills_in_allocation_order()
    {
        var shares = PaymentRules.SpreadInOrder([new PaymentAllocation("B1", new Vnd(100_000)), new PaymentAllocation("B2", new Vnd(200_000))], new Vnd(150_000));
        Assert.Equal([new Vnd(100_000), new Vnd(50_000)], shares);
    }
}
