using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Domain;

/// <summary>How a payment is made.</summary>
public enum PaymentMethod
{
    /// <summary>From the stored value of the payer's card, held by the province server.</summary>
    CardBalance,

    /// <summary>A VietQR bank transfer: the payer scans a dynamic QR; the province server matches the bank's notification.</summary>
    VietQr,

    /// <summary>An external bank-card terminal (its own issue; the seam is here).</summary>
    ExternalCardTerminal,
}

/// <summary>Where a payment stands.</summary>
public enum PaymentState
{
    /// <summary>Waiting for the money to be confirmed (a bank transfer).</summary>
    Pending,

    /// <summary>Taken: committed on the terminal and acknowledged to the payer.</summary>
    Completed,

    /// <summary>Less than due arrived by transfer: credited, the rest still owed.</summary>
    Underpaid,

    /// <summary>The QR expired or the payer cancelled before any money arrived (money that still comes is credited, flagged late).</summary>
    Expired,

    /// <summary>Cancelled by a supervisor in the same shift.</summary>
    Voided,

    /// <summary>Given back to the payer.</summary>
    Refunded,
}

/// <summary>What a payment is for: bills, or money put on the account's balance (a top-up).</summary>
public enum PaymentPurpose
{
    /// <summary>The payer's bills, by its allocations.</summary>
    Bills,

    /// <summary>
    /// Money paid in advance onto the account's balance (nạp tiền vào thẻ): a VietQR payment without bills, which the
    /// bank's money credits to the balance, spendable only on that institution's bills.
    /// </summary>
    TopUp,
}

/// <summary>Whether the province server has the payment yet.</summary>
public enum SyncState
{
    /// <summary>Committed on the terminal, not yet acknowledged by the server.</summary>
    Queued,

    /// <summary>Acknowledged by the server.</summary>
    Synced,

    /// <summary>Refused by the server for good; needs a person.</summary>
    Rejected,
}

/// <summary>Wire names of the payment enums, shared by the API, the journal and the sync protocol.</summary>
public static class PaymentWireNames
{
    /// <summary>The wire name of a method.</summary>
    public static string WireName(this PaymentMethod method) => method switch
    {
        PaymentMethod.CardBalance => "card_balance",
        PaymentMethod.VietQr => "vietqr",
        PaymentMethod.ExternalCardTerminal => "external_card",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>Reads a method's wire name.</summary>
    public static bool TryParseMethod(string? name, out PaymentMethod method) => WireNames.TryParse(name, WireName, out method);

    /// <summary>The Vietnamese label of a method, as printed on receipts.</summary>
    public static string VietnameseName(this PaymentMethod method) => method switch
    {
        PaymentMethod.CardBalance => Messages.Vi("domain.method.card_balance"),
        PaymentMethod.VietQr => Messages.Vi("domain.method.vietqr"),
        PaymentMethod.ExternalCardTerminal => Messages.Vi("domain.method.external_card"),
        _ => method.ToString(),
    };

    /// <summary>Reads a method's wire name that was checked when it came in (a stored row); anything else is a defect.</summary>
    public static PaymentMethod ParseMethod(string name) =>
        TryParseMethod(name, out var method) ? method : throw new FormatException($"'{name}' is not a payment method's wire name.");

    /// <summary>The wire name of a state.</summary>
    public static string WireName(this PaymentState state) => state.ToString().ToLowerInvariant();

    /// <summary>Reads a state's wire name.</summary>
    public static bool TryParseState(string? name, out PaymentState state) => WireNames.TryParse(name, WireName, out state);

    /// <summary>Reads a state's wire name from a stored row; anything else is a defect.</summary>
    public static PaymentState ParseState(string name) =>
        TryParseState(name, out var state) ? state : throw new FormatException($"'{name}' is not a payment state's wire name.");

    /// <summary>The wire name of a purpose (<c>bills</c>, <c>top_up</c>).</summary>
    public static string WireName(this PaymentPurpose purpose) => purpose switch
    {
        PaymentPurpose.Bills => "bills",
        PaymentPurpose.TopUp => "top_up",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null),
    };

    /// <summary>Reads a purpose's wire name; null (entries from before purposes existed) is <see cref="PaymentPurpose.Bills"/>.</summary>
    public static bool TryParsePurpose(string? name, out PaymentPurpose purpose)
    {
        if (name is null)
        {
            purpose = PaymentPurpose.Bills;
            return true;
        }

        return WireNames.TryParse(name, WireName, out purpose);
    }

    /// <summary>The wire name of a sync state.</summary>
    public static string WireName(this SyncState state) => state.ToString().ToLowerInvariant();
}

/// <summary>The part of a payment that goes to one bill.</summary>
/// <param name="BillId">The bill paid.</param>
/// <param name="Amount">How much of the payment goes to it.</param>
public sealed record PaymentAllocation(string BillId, Vnd Amount);

/// <summary>A payment taken at a terminal.</summary>
/// <param name="Id">Terminal-scoped identifier: the terminal id and the journal sequence, e.g. <c>KP-01-00000042</c>.</param>
/// <param name="TerminalId">The terminal that took it.</param>
/// <param name="Sequence">The terminal's journal sequence number of the entry that created it.</param>
/// <param name="Method">How it was paid.</param>
/// <param name="Amount">The total, equal to the sum of <paramref name="Allocations"/>.</param>
/// <param name="AccountCode">The payer.</param>
/// <param name="CardUid">The card presented, if any.</param>
/// <param name="Allocations">The bills covered.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Sync">Whether the province server has it.</param>
/// <param name="CreatedAt">When it was committed on the terminal.</param>
/// <param name="Operator">The cashier who took it; null at a self-service kiosk.</param>
/// <param name="ServerFlags">What the province server noticed when it received it (e.g. <c>overdraft</c>).</param>
/// <param name="Offline">True when taken within the offline limits, without the server's authorisation.</param>
/// <param name="ReceiptState"><c>pending</c>, <c>printed</c> or <c>failed</c>.</param>
/// <param name="ReceiptDetail">What the printer said when the receipt failed.</param>
/// <param name="Qr">For a VietQR payment: the code the payer scans.</param>
/// <param name="Received">For a VietQR payment: what the bank confirmed so far.</param>
/// <param name="External">For a payment on an external bank-card terminal: its approval and the card's last 4 digits.</param>
/// <param name="Purpose">Bills, or a top-up of the account's balance (no allocations).</param>
/// <param name="BalanceAfter">For a top-up the bank confirmed: the account's balance after it, as the province server reported.</param>
/// <param name="Reversed">What voids and refunds gave back of it so far.</param>
public sealed record Payment(
    string Id,
    string TerminalId,
    long Sequence,
    PaymentMethod Method,
    Vnd Amount,
    string AccountCode,
    string? CardUid,
    IReadOnlyList<PaymentAllocation> Allocations,
    PaymentState State,
    SyncState Sync,
    DateTimeOffset CreatedAt,
    string? Operator,
    IReadOnlyList<string>? ServerFlags = null,
    bool Offline = false,
    string ReceiptState = "pending",
    string? ReceiptDetail = null,
    PaymentQr? Qr = null,
    Vnd Received = default,
    ExternalCard? External = null,
    PaymentPurpose Purpose = PaymentPurpose.Bills,
    Vnd? BalanceAfter = null,
    Vnd Reversed = default)
{
    /// <summary>What is still owed on it (for a VietQR payment, the amount less what the bank confirmed).</summary>
    public Vnd Remaining => Method == PaymentMethod.VietQr && Amount > Received ? Amount - Received : Vnd.Zero;

    /// <summary>What a refund may still give back of it (<see cref="PaymentRules.Refundable"/>): nothing for a top-up.</summary>
    public Vnd Refundable => PaymentRules.Refundable(new ReversiblePayment(Method, State, Amount, Received, Reversed, Sequence, [], Purpose));

    /// <summary>The terminal-scoped payment id for a journal sequence.</summary>
    public static string MakeId(string terminalId, long sequence) => $"{terminalId}-{sequence:D8}";
}

/// <summary>A payment made on a separate bank-card terminal, as the terminal keeps it: the approval and the card's last 4 digits only.</summary>
/// <param name="ApprovalCode">The bank's approval code.</param>
/// <param name="Last4">The card's last four digits.</param>
public sealed record ExternalCard(string ApprovalCode, string Last4);

/// <summary>The dynamic VietQR of one payment.</summary>
/// <param name="TransferCode">The code in the transfer text.</param>
/// <param name="Payload">The payload shown and printed.</param>
/// <param name="ExpiresAt">When it stops being offered.</param>
public sealed record PaymentQr(string TransferCode, string Payload, DateTimeOffset ExpiresAt);
