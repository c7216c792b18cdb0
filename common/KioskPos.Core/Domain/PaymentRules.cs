using KioskPos.Core.Money;
using KioskPos.Core.Payments;

namespace KioskPos.Core.Domain;

/// <summary>An allocation as a void or refund sees it: what went to a bill and what of it was given back so far.</summary>
/// <param name="BillId">The bill.</param>
/// <param name="Amount">What the payment put on it.</param>
/// <param name="Reversed">What voids and refunds gave back of it.</param>
public sealed record ReversibleAllocation(string BillId, Vnd Amount, Vnd Reversed);

/// <summary>A payment as a void or refund sees it.</summary>
/// <param name="Method">How it was paid.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Amount">Its total.</param>
/// <param name="Received">For a VietQR payment, what the bank confirmed so far.</param>
/// <param name="Reversed">What voids and refunds gave back so far.</param>
/// <param name="Sequence">The journal entry that created it.</param>
/// <param name="Allocations">Its bills, in allocation order.</param>
/// <param name="Purpose">Bills, or a top-up of the account's balance (which no void or refund gives back).</param>
public sealed record ReversiblePayment(PaymentMethod Method, PaymentState State, Vnd Amount, Vnd Received, Vnd Reversed, long Sequence, IReadOnlyList<ReversibleAllocation> Allocations,
    PaymentPurpose Purpose = PaymentPurpose.Bills);

/// <summary>
/// What a payment's state means for money: what counts as taken, what may be voided or refunded, which bills reopen
/// and how a bank's credit spreads over the bills. Pure functions; the stores call them.
/// </summary>
public static class PaymentRules
{
    /// <summary>The state a payment starts in: a VietQR payment waits for the bank, the others are taken at once.</summary>
    public static PaymentState InitialState(PaymentMethod method) => method == PaymentMethod.VietQr ? PaymentState.Pending : PaymentState.Completed;

    /// <summary>
    /// Whether payments in <paramref name="state"/> count as money taken in a period report, given what was
    /// <paramref name="taken"/> of them (for VietQR, what the bank confirmed): completed ones, and any other but a
    /// pending one that brought money in (underpaid, expired with a late transfer, refunded or voided after).
    /// </summary>
    public static bool CountsAsTaken(PaymentState state, Vnd taken) =>
        state == PaymentState.Completed || (state != PaymentState.Pending && taken > Vnd.Zero);

    /// <summary>What of a payment was paid: for VietQR what the bank confirmed (up to the amount), otherwise the amount once completed.</summary>
    public static Vnd Paid(PaymentMethod method, PaymentState state, Vnd amount, Vnd received) =>
        method == PaymentMethod.VietQr ? Vnd.Min(received, amount) : state == PaymentState.Completed ? amount : Vnd.Zero;

    /// <summary>
    /// What is left to refund of a payment: nothing once voided or for a top-up (see <see cref="TopUpRefused"/>),
    /// otherwise what was paid less what was given back.
    /// </summary>
    public static Vnd Refundable(ReversiblePayment payment)
    {
        ArgumentNullException.ThrowIfNull(payment);
        if (payment.State == PaymentState.Voided || payment.Purpose == PaymentPurpose.TopUp)
        {
            return Vnd.Zero;
        }

        var left = Paid(payment.Method, payment.State, payment.Amount, payment.Received) - payment.Reversed;
        return left.IsPositive ? left : Vnd.Zero;
    }

    /// <summary>
    /// Why <paramref name="payment"/> cannot be voided, or null when it can: only a completed card-balance payment
    /// not reversed yet, of the open shift (after <paramref name="lastClosedSequence"/>).
    /// </summary>
    public static PaymentRefusal? CheckVoid(ReversiblePayment payment, long lastClosedSequence)
    {
        ArgumentNullException.ThrowIfNull(payment);
        if (payment.Purpose == PaymentPurpose.TopUp)
        {
            return TopUpRefused();
        }

        if (payment.Method != PaymentMethod.CardBalance)
        {
            return PaymentRefusal.InvalidRequest("payment.reversal.void_card_only");
        }

        if (payment.State != PaymentState.Completed || payment.Reversed > Vnd.Zero)
        {
            return PaymentRefusal.Of("already_reversed", "payment.already_reversed", RefusalKind.Refused);
        }

        return payment.Sequence <= lastClosedSequence
            ? PaymentRefusal.Of("shift_closed", "payment.shift_closed", RefusalKind.Refused)
            : null;
    }

    /// <summary>Why refunding <paramref name="amount"/> of <paramref name="payment"/> is refused, or null when it may be refunded.</summary>
    public static PaymentRefusal? CheckRefund(ReversiblePayment payment, Vnd amount)
    {
        ArgumentNullException.ThrowIfNull(payment);
        if (payment.Purpose == PaymentPurpose.TopUp)
        {
            return TopUpRefused();
        }

        var left = Refundable(payment);
        if (!left.IsPositive)
        {
            return PaymentRefusal.Of("nothing_to_refund", "payment.nothing_to_refund", RefusalKind.Refused);
        }

        return !amount.IsPositive || amount > left
            ? PaymentRefusal.InvalidRequest("payment.reversal.refund_range", left.ToString(), left.Value)
            : null;
    }

    /// <summary>
    /// Why a top-up is never voided or refunded: its money went onto the account's balance, paying no bill, so a
    /// reversal has no bill to reopen and the province refuses it (a reversal's amount is the sum of its bills). The
    /// balance goes back to a leaving payer by closing the account ("Đóng tài khoản"), which debits it.
    /// </summary>
    public static PaymentRefusal TopUpRefused() => PaymentRefusal.Of("top_up_not_refundable", "payment.reversal.top_up", RefusalKind.Refused);

    /// <summary>
    /// What the payment credited each of its bills, less what was given back of it, in allocation order: a VietQR
    /// payment credits its bills in allocation order up to what the bank paid (<see cref="SpreadInOrder"/>, as the
    /// province does), any other payment each bill its allocation.
    /// </summary>
    public static IReadOnlyList<ReversibleAllocation> Credited(ReversiblePayment payment)
    {
        ArgumentNullException.ThrowIfNull(payment);
        if (payment.Method != PaymentMethod.VietQr)
        {
            return payment.Allocations;
        }

        var shares = SpreadInOrder(payment.Allocations.Select(a => new PaymentAllocation(a.BillId, a.Amount)).ToList(), Paid(payment.Method, payment.State, payment.Amount, payment.Received));
        return payment.Allocations.Select((a, i) => a with { Amount = shares[i] }).ToList();
    }

    /// <summary>
    /// The bills a refund of <paramref name="amount"/> reopens, and by how much: in the reverse of the order they were
    /// credited (a partial refund gives back the part paid last), each by at most what was credited to it less what
    /// was given back. <paramref name="credited"/> is what the payment credited each bill (<see cref="Credited"/>),
    /// in allocation order; the province reopens by the same rule from its own figures.
    /// </summary>
    public static IReadOnlyList<PaymentAllocation> ReopenedBills(IReadOnlyList<ReversibleAllocation> credited, Vnd amount)
    {
        ArgumentNullException.ThrowIfNull(credited);
        var reopened = new List<PaymentAllocation>();
        var rest = amount;
        for (var i = credited.Count - 1; i >= 0; i--)
        {
            var allocation = credited[i];
            var share = Vnd.Min(rest, allocation.Amount - allocation.Reversed);
            if (share.IsPositive)
            {
                reopened.Add(new PaymentAllocation(allocation.BillId, share));
                rest -= share;
            }
        }

        return reopened;
    }

    /// <summary>Whether a refund to the card balance may reopen a bill of <paramref name="category"/>: not a deposit, which already sits on the balance.</summary>
    public static bool MayRefundToCard(BillCategory category) => category != BillCategory.Deposit;

    /// <summary>
    /// How a <paramref name="credit"/> spreads over a payment's bills, in allocation order (as the province server
    /// credits a bank transfer): each bill gets up to its allocation until the credit runs out.
    /// </summary>
    public static IReadOnlyList<Vnd> SpreadInOrder(IReadOnlyList<PaymentAllocation> allocations, Vnd credit)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        var shares = new List<Vnd>(allocations.Count);
        var left = credit;
        foreach (var allocation in allocations)
        {
            var share = Vnd.Min(allocation.Amount, left);
            left -= share;
            shares.Add(share);
        }

        return shares;
    }
}
