using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Receipts;

/// <summary>One printed line of bills on a receipt.</summary>
/// <param name="Title">The bill's title.</param>
/// <param name="Category">What the bill is for.</param>
/// <param name="Amount">What this payment paid towards it.</param>
/// <param name="RemainingAfter">What is still owed on the bill after this payment.</param>
/// <param name="InsuranceCovered">What health insurance (BHYT) pays of the bill, beside the payer's part; zero at a school.</param>
public sealed record ReceiptItem(string Title, BillCategory Category, Vnd Amount, Vnd RemainingAfter, Vnd InsuranceCovered = default);

/// <summary>
/// What a VietQR payment asked for and what the bank confirmed for it. The receipt's total is what paid the bills,
/// or for a top-up what the province put on the card (never more than asked); when the transfer was more or less,
/// the receipt also says what arrived and what is refunded or (bills only) still due, as the screen did.
/// </summary>
/// <param name="Due">The payment's amount, what the QR asked for.</param>
/// <param name="Received">What the bank confirmed so far.</param>
public sealed record TransferReceived(Vnd Due, Vnd Received)
{
    /// <summary>What arrived above the amount asked: the province refunds it.</summary>
    public Vnd Excess => Received > Due ? Received - Due : Vnd.Zero;

    /// <summary>What the transfer fell short of the amount asked.</summary>
    public Vnd Shortfall => Due > Received ? Due - Received : Vnd.Zero;
}

/// <summary>Everything a payment receipt shows, independent of how it is printed.</summary>
/// <param name="Institution">Who received the money.</param>
/// <param name="TerminalId">The terminal that took it.</param>
/// <param name="PaymentId">The payment's id, also the lookup key for a reprint.</param>
/// <param name="At">When it was taken (local time of the province).</param>
/// <param name="PayerCode">The payer code.</param>
/// <param name="PayerName">The payer's name.</param>
/// <param name="PayerKind">Pupil or patient, which chooses the receipt's title.</param>
/// <param name="Group">Class or ward.</param>
/// <param name="Items">The bills paid.</param>
/// <param name="Total">The total paid.</param>
/// <param name="Method">How it was paid.</param>
/// <param name="CardUid">The card used, printed masked.</param>
/// <param name="BalanceAfter">The card balance left, when paid from the card.</param>
/// <param name="Operator">The cashier, if any.</param>
/// <param name="Qr">For a VietQR payment: its code (the transfer code is printed).</param>
/// <param name="Provisional">A slip while the bank has not confirmed yet: not a receipt, says the receipt follows.</param>
/// <param name="External">A payment on an external bank-card terminal: the card's last 4 digits and the approval code.</param>
/// <param name="TopUpCode">For a top-up: the account's standing top-up code, printed so that the next top-up can come from home.</param>
/// <param name="Transfer">For a VietQR payment or top-up: what it asked for and what the bank confirmed (printed when they differ).</param>
public sealed record Receipt(
    Institution Institution,
    string TerminalId,
    string PaymentId,
    DateTimeOffset At,
    string PayerCode,
    string PayerName,
    PayerKind PayerKind,
    string? Group,
    IReadOnlyList<ReceiptItem> Items,
    Vnd Total,
    PaymentMethod Method,
    string? CardUid,
    Vnd? BalanceAfter,
    string? Operator,
    PaymentQr? Qr = null,
    bool Provisional = false,
    ExternalCard? External = null,
    string? TopUpCode = null,
    TransferReceived? Transfer = null)
{
    /// <summary>True for money put on the card (no bills): its own title, one line, the balance after and the standing code.</summary>
    public bool IsTopUp => TopUpCode is not null;

    /// <summary>The receipt's title: a tuition receipt at a school, a fee receipt at a health facility, a top-up receipt.</summary>
    public string Title => Messages.Vi(Provisional ? "receipt.title.provisional"
        : IsTopUp ? "top_up.receipt.title"
        : Institution.Type.IsSchool() ? "receipt.title.school" : "receipt.title.health");
}
