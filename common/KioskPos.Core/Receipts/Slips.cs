using KioskPos.Core.Domain;
using KioskPos.Core.Money;

namespace KioskPos.Core.Receipts;

/// <summary>Whether a slip is being printed for the first time or again.</summary>
public enum PrintCopy
{
    /// <summary>The first print of the receipt.</summary>
    Original,

    /// <summary>Any later print: marked BẢN SAO / IN LẠI, so that no receipt exists twice unmarked.</summary>
    Reprint,
}

/// <summary>A void (same shift) or a refund, as its slip shows it.</summary>
/// <param name="Institution">Who took the original payment.</param>
/// <param name="TerminalId">Where the slip is printed.</param>
/// <param name="SlipNumber">The void's or refund's own number.</param>
/// <param name="OriginalReceipt">The receipt it cancels or refunds.</param>
/// <param name="At">When.</param>
/// <param name="PayerCode">The payer's code.</param>
/// <param name="PayerName">The payer's name.</param>
/// <param name="Amount">The amount voided or refunded.</param>
/// <param name="Reason">Why, as the cashier entered it.</param>
/// <param name="RefundTo">For a refund: to the card balance, or the bank transfer recorded (null for a void).</param>
/// <param name="Cashier">The cashier.</param>
/// <param name="Supervisor">The supervisor who approved it.</param>
public sealed record ReversalSlip(
    Institution Institution,
    string TerminalId,
    string SlipNumber,
    string OriginalReceipt,
    DateTimeOffset At,
    string PayerCode,
    string PayerName,
    Vnd Amount,
    string Reason,
    string? RefundTo,
    string Cashier,
    string Supervisor)
{
    /// <summary>True for a refund; false for a void.</summary>
    public bool IsRefund => RefundTo is not null;
}

/// <summary>A void or refund of a payment, as a reprint of its receipt states it.</summary>
/// <param name="Voided">True for a void; false for a refund.</param>
/// <param name="Amount">What it gave back.</param>
/// <param name="SlipNumber">The number of its slip.</param>
public sealed record ReceiptReversal(bool Voided, Vnd Amount, string SlipNumber);

/// <summary>The totals of one payment method in a shift report.</summary>
/// <param name="Method">The method.</param>
/// <param name="Count">How many payments.</param>
/// <param name="Total">Their total.</param>
public sealed record MethodTotal(PaymentMethod Method, int Count, Vnd Total);

/// <summary>An X report (any time, the shift stays open) or a Z report (the shift closes).</summary>
/// <param name="Institution">The institution.</param>
/// <param name="TerminalId">The terminal.</param>
/// <param name="ShiftNumber">The shift's number.</param>
/// <param name="Cashier">Who holds the shift.</param>
/// <param name="OpenedAt">When the shift opened.</param>
/// <param name="At">When the report was made (the close, for a Z report).</param>
/// <param name="Closing">True for the Z report.</param>
/// <param name="ByMethod">Payments by method.</param>
/// <param name="Voids">Count and total voided.</param>
/// <param name="Refunds">Count and total refunded.</param>
/// <param name="FirstReceipt">The first receipt number of the shift, if any.</param>
/// <param name="LastReceipt">The last receipt number of the shift, if any.</param>
/// <param name="PendingQr">VietQR payments the bank has not confirmed yet (count and amount).</param>
/// <param name="TopUps">Top-ups of card balances the bank confirmed in the shift (count and amount): paying no bill, so on their own line.</param>
/// <param name="Net">
/// Money taken in (THỰC THU), as the shift's figures give it: what the bank-card terminal and the bank brought, less
/// refunds by transfer; payments from a balance are not in it (<c>ShiftClosedDto.Net</c>).
/// </param>
/// <param name="RefundedByTransfer">Of the refunds, what went back by bank transfer.</param>
public sealed record ShiftReport(
    Institution Institution,
    string TerminalId,
    string ShiftNumber,
    string Cashier,
    DateTimeOffset OpenedAt,
    DateTimeOffset At,
    bool Closing,
    IReadOnlyList<MethodTotal> ByMethod,
    (int Count, Vnd Total) Voids,
    (int Count, Vnd Total) Refunds,
    string? FirstReceipt,
    string? LastReceipt,
    (int Count, Vnd Total) PendingQr,
    (int Count, Vnd Total) TopUps,
    Vnd Net,
    Vnd RefundedByTransfer);

/// <summary>What a technician's test page shows.</summary>
/// <param name="TerminalId">The terminal's id (or "chưa đăng ký" before enrolment).</param>
/// <param name="Profile">The hardware profile's name.</param>
/// <param name="Printer">The printer: transport, paper width, text mode.</param>
/// <param name="Addresses">The terminal's IP addresses.</param>
/// <param name="Enrolment">Enrolment state in words.</param>
/// <param name="ProvinceServer">The province server it syncs to.</param>
/// <param name="Version">The software version.</param>
/// <param name="At">When printed.</param>
public sealed record TestPageInfo(
    string TerminalId,
    string Profile,
    string Printer,
    IReadOnlyList<string> Addresses,
    string Enrolment,
    string? ProvinceServer,
    string Version,
    DateTimeOffset At);
