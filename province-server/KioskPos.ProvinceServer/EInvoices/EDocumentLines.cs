using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>One of a payment's bills as its original document states it: the bill, its title, what the payment put on it.</summary>
/// <param name="BillId">The bill.</param>
/// <param name="Title">Its title (the bill's id when the province does not hold the bill).</param>
/// <param name="Amount">Whole đồng.</param>
internal sealed record BillLine(string BillId, string Title, long Amount);

/// <summary>
/// What a document's lines say, from what the province holds: an original states the payment's bills, an adjustment
/// the bills its void or refund gave back, under the same titles, so that each adjusting line names the line it adjusts
/// (Decree 123/2020 art. 19: the adjustment states what of the original it decreases). The sign is not here: an
/// adjustment's lines are amounts given back, and each provider's adapter marks them decreasing.
/// </summary>
internal static class EDocumentLines
{
    /// <summary>The line of what a payment paid beyond its bills: money put on the card.</summary>
    public const string TopUpTitle = "Nạp tiền vào thẻ / Top-up";

    /// <summary>An original's lines: each bill the payment paid, then what it paid beyond them (a top-up), if anything.</summary>
    public static List<(string Title, long Amount)> Original(IReadOnlyList<BillLine> bills, long paymentAmount)
    {
        var lines = bills.Select(b => (b.Title, b.Amount)).ToList();
        var allocated = lines.Sum(l => l.Amount);
        if (allocated < paymentAmount)
        {
            lines.Add((TopUpTitle, paymentAmount - allocated));
        }

        return lines;
    }

    /// <summary>
    /// An adjustment's lines: each bill <paramref name="reversal"/> gave back (its journal entry's allocations, which sum to
    /// its amount), titled as the original titled it, in the original's order. When the reversal's bills cannot be the
    /// adjustment's lines, one line names the void or refund for its whole amount instead, as every adjustment did
    /// before (<see cref="Fallback"/>): a reversal whose stored journal entry does not hold its bills (an older or
    /// foreign body: no reversal in it, no allocations, not JSON, as the demo province's <c>{}</c>), or whose bills do
    /// not fit the original (a bill the payment did not pay, more back than the payment put on a bill, a sum other than
    /// the amount adjusted). The document states the amount given back in any case, never lines that do not add up to it.
    /// </summary>
    /// <param name="bills">The payment's bills as its original states them (<see cref="Original"/>).</param>
    /// <param name="reversal">The reversal's journal entry as stored, or null.</param>
    /// <param name="paymentId">The payment reversed.</param>
    /// <param name="kind"><c>void</c> or <c>refund</c>.</param>
    /// <param name="amount">The amount the adjustment states: what the reversal gave back.</param>
    /// <remarks>
    /// A VietQR payment's reversal reopens the bills the bank's money credited (<c>PushBooking.AsCredited</c>); a terminal
    /// names those already (<c>PaymentRules.ReopenedBills</c>), and an older one that named others is flagged
    /// <c>reopened_as_credited</c>. The document follows what the reversal names, which is what the payer was told.
    /// </remarks>
    public static List<(string Title, long Amount)> Adjustment(IReadOnlyList<BillLine> bills, PaymentReversalDto? reversal, string paymentId, string? kind, long amount)
    {
        if (reversal is not { Allocations: { Count: > 0 } given } || reversal.PaymentId != paymentId || given.Any(a => a?.BillId is null || a.Amount <= 0))
        {
            return Fallback(paymentId, kind, amount);
        }

        var back = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var a in given)
        {
            back[a.BillId] = back.GetValueOrDefault(a.BillId) + a.Amount;
        }

        var paid = bills.ToDictionary(b => b.BillId, b => b.Amount, StringComparer.Ordinal);
        if (back.Any(b => !paid.TryGetValue(b.Key, out var on) || b.Value > on) || back.Values.Sum() != amount)
        {
            return Fallback(paymentId, kind, amount);
        }

        return [.. bills.Where(b => back.ContainsKey(b.BillId)).Select(b => (b.Title, back[b.BillId]))];
    }

    /// <summary>The one line of an adjustment whose bills are not known: the void or refund of the payment, for its amount.</summary>
    public static List<(string Title, long Amount)> Fallback(string paymentId, string? kind, long amount) =>
        [((kind == "void" ? "Hủy thanh toán " : "Hoàn tiền thanh toán ") + paymentId, amount)];
}
