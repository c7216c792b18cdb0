using KioskPos.Core.Domain;
using KioskPos.Core.Money;

namespace KioskPos.Core.Payments;

/// <summary>A requested share of a payment for one bill; a null amount means "what is outstanding".</summary>
/// <param name="BillId">The bill to pay.</param>
/// <param name="Amount">How much to pay towards it, or null for all that is outstanding.</param>
public sealed record RequestedAllocation(string BillId, long? Amount);

/// <summary>
/// Decides whether a payment may be taken and how it is split over the bills: the rules, without I/O, so that
/// the terminal's store applies them inside its write transaction.
/// </summary>
public static class PaymentPlanner
{
    /// <summary>The most bills one payment may cover.</summary>
    public const int MaxBillsPerPayment = 50;

    /// <summary>
    /// Checks a card-balance payment of <paramref name="requested"/> bills of <paramref name="account"/> against
    /// the open bills and the balance available on this terminal.
    /// </summary>
    /// <param name="account">The payer.</param>
    /// <param name="openBills">The payer's bills with what is outstanding as this terminal sees it.</param>
    /// <param name="requested">The bills to pay and how much of each.</param>
    /// <param name="available">The balance available: the server's balance less this terminal's unsynced debits.</param>
    /// <returns>The allocations to record.</returns>
    /// <exception cref="PaymentRefusedException">The payment must not be taken; the refusal says why.</exception>
    public static IReadOnlyList<PaymentAllocation> PlanCardBalancePayment(
        PayerAccount account,
        IReadOnlyCollection<Bill> openBills,
        IReadOnlyList<RequestedAllocation> requested,
        Vnd available)
    {
        var allocations = Allocate(account, openBills, requested);
        var total = Vnd.Sum(allocations.Select(a => a.Amount));
        if (allocations.FirstOrDefault(a => openBills.Any(b => b.Id == a.BillId && b.Category == BillCategory.Deposit)) is { } deposit)
        {
            // A deposit is held on the account balance: paying it from that balance would move money in a circle.
            throw new PaymentRefusedException(PaymentRefusal.BillNotPayable(deposit.BillId, "payment.plan.reason.deposit"));
        }

        if (account.Blocked)
        {
            throw new PaymentRefusedException(PaymentRefusal.CardBlocked());
        }

        if (total > available)
        {
            var shown = available.IsNegative ? Vnd.Zero : available;
            throw new PaymentRefusedException(PaymentRefusal.InsufficientBalance(shown.ToString(), total.ToString()));
        }

        return allocations;
    }

    /// <summary>Splits a payment over the payer's open bills, checking every requested amount.</summary>
    /// <exception cref="PaymentRefusedException">A bill is unknown, closed, repeated, or over-paid.</exception>
    public static IReadOnlyList<PaymentAllocation> Allocate(
        PayerAccount account,
        IReadOnlyCollection<Bill> openBills,
        IReadOnlyList<RequestedAllocation> requested)
    {
        if (requested.Count == 0)
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.plan.no_bill"));
        }

        if (requested.Count > MaxBillsPerPayment)
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.plan.too_many_bills", MaxBillsPerPayment));
        }

        var byId = openBills.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var allocations = new List<PaymentAllocation>(requested.Count);
        foreach (var request in requested)
        {
            if (!seen.Add(request.BillId))
            {
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.plan.bill_twice", request.BillId));
            }

            if (!byId.TryGetValue(request.BillId, out var bill) || bill.AccountCode != account.Code)
            {
                throw new PaymentRefusedException(PaymentRefusal.BillNotPayable(request.BillId, "payment.plan.reason.not_of_payer"));
            }

            if (!bill.IsOpen)
            {
                throw new PaymentRefusedException(PaymentRefusal.BillNotPayable(request.BillId, "payment.plan.reason.paid"));
            }

            var amount = request.Amount is { } value ? new Vnd(value) : bill.Outstanding;
            if (!amount.IsPositive)
            {
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.plan.amount_not_positive", request.BillId));
            }

            if (amount > bill.Outstanding)
            {
                throw new PaymentRefusedException(PaymentRefusal.BillNotPayable(request.BillId, "payment.plan.reason.over_outstanding", amount.ToString(), bill.Outstanding.ToString()));
            }

            allocations.Add(new PaymentAllocation(bill.Id, amount));
        }

        return allocations;
    }
}
