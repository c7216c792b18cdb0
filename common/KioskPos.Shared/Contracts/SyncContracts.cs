namespace KioskPos.Shared.Contracts;

/// <summary>The HTTP paths and headers of the sync protocol, version 1.</summary>
public static class SyncProtocol
{
    /// <summary>GET: bills, accounts and the institution changed since a cursor.</summary>
    public const string PullPath = "/api/v1/sync/pull";

    /// <summary>POST: a batch of journal entries from a terminal.</summary>
    public const string PushPath = "/api/v1/sync/push";

    /// <summary>POST: a card payment authorised against the server's balance before the terminal commits it.</summary>
    public const string AuthorisePath = "/api/v1/sync/authorise";

    /// <summary>
    /// POST: a VietQR payment just created at the terminal; where the institution's bank connection is payOS the
    /// province creates a payOS payment request for it and answers with payOS's QR (see <see cref="PaymentRequestDto"/>).
    /// </summary>
    public const string PaymentRequestsPath = "/api/v1/sync/payment-requests";

    /// <summary>POST: a supervisor at a terminal's counter closes an account; the province refunds the remainder by a recorded transfer (see <see cref="AccountClosureRequestDto"/>).</summary>
    public const string AccountClosuresPath = "/api/v1/sync/account-closures";

    /// <summary>POST: a terminal reports its state (version, queue, printer) for the province's inventory.</summary>
    public const string ReportPath = "/api/v1/sync/report";

    /// <summary>POST: a terminal enrols with a one-time code and its public key.</summary>
    public const string EnrolPath = "/api/v1/enrol";

    /// <summary>GET (long poll): bank confirmations of this terminal's VietQR payments after a cursor.</summary>
    public const string ConfirmationsPath = "/api/v1/sync/confirmations";

    /// <summary>POST: the bank-notification service reports an incoming transfer (HMAC-signed, see <see cref="BankSignature"/>).</summary>
    public const string BankNotificationsPath = "/api/v1/bank/notifications";

    /// <summary>The most entries one push may carry.</summary>
    public const int MaxEntriesPerPush = 500;

    /// <summary>
    /// The highest journal sequence a push may carry: 2^53 − 1, the largest integer every JSON reader keeps exact, and
    /// far from the end of a 64-bit integer, so that the server's ranges around a push (a sequence either side) never
    /// overflow.
    /// </summary>
    public const long MaxSequence = 9_007_199_254_740_991;

    /// <summary>The most changed rows one pull returns.</summary>
    public const int MaxRowsPerPull = 1000;
}

/// <summary>Journal entry kinds that travel in a push.</summary>
public static class EntryKinds
{
    /// <summary>A payment was taken; the server applies it to the ledger.</summary>
    public const string PaymentCreated = "payment.created";

    /// <summary>A receipt was printed, or printing failed; recorded, no ledger effect.</summary>
    public const string ReceiptPrinted = "receipt.printed";

    /// <summary>The bank confirmed money for a VietQR payment (in full, in part, or too much); recorded, the server applied it already.</summary>
    public const string PaymentConfirmed = "payment.confirmed";

    /// <summary>A VietQR payment's QR expired or the payer cancelled it; money that still arrives is credited and flagged late.</summary>
    public const string PaymentExpired = "payment.expired";

    /// <summary>A card payment undone in its shift with a supervisor's approval: the card is credited and the bills reopened.</summary>
    public const string PaymentVoided = "payment.voided";

    /// <summary>Money given back, in whole or in part, with a supervisor's approval: to the card's balance or by a recorded bank transfer; the bills reopened by as much.</summary>
    public const string PaymentRefunded = "payment.refunded";

    /// <summary>A cashier closed the shift: its totals (the Z report), from the entry after the last close to the one before this.</summary>
    public const string ShiftClosed = "shift.closed";

    /// <summary>A card issued to an account, reported lost, or replaced by a new one (which carries the account, so its balance); the server applies it once and terminals learn it at their pull.</summary>
    public const string CardChanged = "card.changed";
}

/// <summary>What a <see cref="EntryKinds.CardChanged"/> entry did to a card.</summary>
public static class CardActions
{
    /// <summary>A new card now pays from the account.</summary>
    public const string Issued = "issued";

    /// <summary>The card was reported lost: deny-listed at once, everywhere.</summary>
    public const string Lost = "lost";

    /// <summary>The old card is deny-listed and the new one pays from the same account (the balance lives on the account).</summary>
    public const string Replaced = "replaced";

    /// <summary>True for one of the actions above.</summary>
    public static bool IsKnown(string? action) => action is Issued or Lost or Replaced;
}

/// <summary>Where a reversal's money goes.</summary>
public static class ReversalDestinations
{
    /// <summary>Back to the payer's card balance.</summary>
    public const string CardBalance = "card_balance";

    /// <summary>A bank transfer made by the institution, recorded by its reference.</summary>
    public const string BankTransfer = "bank_transfer";
}

/// <summary>Outcomes of matching a bank transfer to a VietQR payment.</summary>
public static class TransferOutcomes
{
    /// <summary>The payment is paid in full, exactly.</summary>
    public const string Paid = "paid";

    /// <summary>Less than due arrived: credited; the remainder is still due (a new QR for the rest).</summary>
    public const string Underpaid = "underpaid";

    /// <summary>More than due arrived: the payment is paid, the excess flagged for refund.</summary>
    public const string Overpaid = "overpaid";

    /// <summary>Money for a payment already paid in full: all of it flagged for refund.</summary>
    public const string PaidTwice = "paid_twice";

    /// <summary>No payment found for the transfer text: kept in the review list.</summary>
    public const string Unmatched = "unmatched";

    /// <summary>The code names a terminal's payment the server has not received yet (the terminal is offline): matched when it arrives.</summary>
    public const string Held = "held";

    /// <summary>A transfer from home with an account's standing top-up code: all of it went on that account's balance.</summary>
    public const string ToppedUp = "topped_up";
}

/// <summary>The institution a terminal serves.</summary>
/// <param name="Id">Province identifier.</param>
/// <param name="Name">Name as printed.</param>
/// <param name="Type">Plan type, wire name (e.g. <c>lower_secondary</c>).</param>
/// <param name="District">District.</param>
/// <param name="BankBin">The receiving bank's BIN for VietQR, e.g. <c>970436</c>; null when the institution takes no transfers yet.</param>
/// <param name="BankAccount">The receiving account number.</param>
/// <param name="BankAccountName">The account holder as the bank knows it (ASCII, at most 25), shown to payers.</param>
/// <param name="BankName">The bank's short name, e.g. <c>Vietcombank</c>.</param>
public sealed record InstitutionDto(string Id, string Name, string Type, string District, string? BankBin = null, string? BankAccount = null, string? BankAccountName = null, string? BankName = null);

/// <summary>A payer account as the server holds it.</summary>
/// <param name="Code">Payer code.</param>
/// <param name="Kind"><c>pupil</c> or <c>patient</c>.</param>
/// <param name="FullName">Full name.</param>
/// <param name="Group">Class or ward.</param>
/// <param name="Balance">Card balance in đồng; the server's is the truth.</param>
/// <param name="Blocked">Cards of this account must not be accepted.</param>
/// <param name="CardUids">Normalised card UIDs.</param>
/// <param name="Version">The server's change version of this row.</param>
/// <param name="DeniedCardUids">Those of <paramref name="CardUids"/> on the deny list (lost, stolen, overdrawn): refused.</param>
/// <param name="CitizenIdHash">The keyed hash of the patient's citizen-ID number (HMAC under <see cref="PullResponse.CitizenIdKey"/>), never the number.</param>
public sealed record AccountDto(string Code, string Kind, string FullName, string? Group, long Balance, bool Blocked, IReadOnlyList<string> CardUids, long Version, IReadOnlyList<string>? DeniedCardUids = null,
    string? CitizenIdHash = null);

/// <summary>A bill line.</summary>
/// <param name="Description">What is charged.</param>
/// <param name="Quantity">Units.</param>
/// <param name="UnitPrice">Price of one unit in đồng.</param>
/// <param name="Amount">Quantity × unit price.</param>
/// <param name="InsuranceCovered">The part health insurance (BHYT) pays; the payer owes <paramref name="Amount"/> minus it.</param>
public sealed record BillLineDto(string Description, int Quantity, long UnitPrice, long Amount, long InsuranceCovered = 0);

/// <summary>A bill as the server holds it.</summary>
/// <param name="Id">Bill id.</param>
/// <param name="AccountCode">Payer.</param>
/// <param name="Category">Wire category, e.g. <c>hoc_phi</c>.</param>
/// <param name="Title">Title.</param>
/// <param name="DueDate">Due date, if any.</param>
/// <param name="Total">Total in đồng.</param>
/// <param name="Paid">Paid so far in đồng.</param>
/// <param name="Lines">Lines.</param>
/// <param name="Version">The server's change version of this row.</param>
public sealed record BillDto(string Id, string AccountCode, string Category, string Title, DateOnly? DueDate, long Total, long Paid, IReadOnlyList<BillLineDto> Lines, long Version);

/// <summary>The answer to a pull.</summary>
/// <param name="Cursor">Opaque; send it with the next pull.</param>
/// <param name="Full">True when this is a full resync: the terminal replaces its cache rather than merging.</param>
/// <param name="HasMore">True when more changes wait: pull again at once with <paramref name="Cursor"/>.</param>
/// <param name="Institution">The terminal's institution.</param>
/// <param name="Accounts">Changed accounts.</param>
/// <param name="Bills">Changed bills.</param>
/// <param name="ServerTime">The server's clock.</param>
/// <param name="OfflinePolicy">The limits within which this terminal may take card payments while offline.</param>
/// <param name="QrTag">The terminal's province-wide tag, the part of its transfer codes that names it.</param>
/// <param name="HardwareProfile">The hardware profile the province wants this terminal to run from its next start (the JSON of hardware/profiles), or null for its own.</param>
/// <param name="LargeTransferAbove">Above this amount (đồng) the kiosk tells the payer, before the QR, that the bank app will ask for the face (State Bank decision 2345); null: the terminal's default, 10.000.000 ₫.</param>
/// <param name="CitizenIdKey">The province's key for citizen-ID hashes (64 hex digits): a scanned card's number is hashed with it to find the patient.</param>
/// <param name="PaymentService">The payment service whose QR the terminal asks the province for with each VietQR payment
/// (<c>payos</c>), or null: the institution has none, and the terminal shows its own QR without asking.</param>
/// <param name="TopUpLimits">The province's top-up limits for the institution's type.</param>
/// <param name="Upgrade">The version the province wants this terminal on (its channel's) and the window in which it may upgrade; null: none assigned.</param>
public sealed record PullResponse(string Cursor, bool Full, bool HasMore, InstitutionDto Institution, IReadOnlyList<AccountDto> Accounts, IReadOnlyList<BillDto> Bills, DateTimeOffset ServerTime, OfflinePolicyDto? OfflinePolicy = null, int? QrTag = null,
    System.Text.Json.JsonElement? HardwareProfile = null, long? LargeTransferAbove = null, string? CitizenIdKey = null, TopUpLimitsDto? TopUpLimits = null,
    string? PaymentService = null, UpgradeTargetDto? Upgrade = null);

/// <summary>The province's top-up limits for the terminal's institution type (Core's <c>TopUpLimits</c>).</summary>
/// <param name="MaxBalance">The most an account's balance may be after a top-up, đồng.</param>
/// <param name="MaxPerDay">The most that may be put on one account in a local day, đồng.</param>
public sealed record TopUpLimitsDto(long MaxBalance, long MaxPerDay);

/// <summary>The version a terminal should run and when it may upgrade to it (fleet updates).</summary>
/// <param name="Version">The package version, x.y.z.</param>
/// <param name="Channel">The channel the terminal is on, e.g. pilot or all.</param>
/// <param name="WindowStart">Start of the maintenance window, HH:mm in Vietnam's time (UTC+7).</param>
/// <param name="WindowEnd">End of the window, HH:mm; before the start: the window spans midnight; equal: any time.</param>
public sealed record UpgradeTargetDto(string Version, string Channel, string WindowStart, string WindowEnd);

/// <summary>How a terminal's last upgrade attempt ended, as its upgrade helper recorded it.</summary>
/// <param name="Result">upgraded, rolled_back, refused, or stopped (not rolled back: the database was written after the upgrade; the terminal takes no payment until a technician acts).</param>
/// <param name="Version">The version it tried.</param>
/// <param name="Detail">What happened, for the administrator (machine-facing, English).</param>
/// <param name="At">When the attempt ended.</param>
public sealed record UpgradeResultDto(string Result, string Version, string Detail, DateTimeOffset At);

/// <summary>
/// How far a terminal may go on its own when the province server cannot be reached (the province carries the
/// risk of offline acceptance, so it sets the limits per terminal).
/// </summary>
/// <param name="MaxPerPayment">The most one offline card payment may be, in đồng.</param>
/// <param name="MaxPerCardPerDay">The most one card may pay offline in a day at this terminal.</param>
/// <param name="MaxUnsyncedTotal">The most this terminal may hold in offline payments not yet at the server.</param>
/// <param name="MaxMinutesSinceSync">No offline payment once the last successful sync is older than this.</param>
/// <param name="MaxDenyListAgeMinutes">No offline payment once the blocked-card list is older than this.</param>
/// <param name="ReceiptRetentionDays">How long the terminal keeps its receipts' images and text (payers' names): older
/// ones are purged; the payments and the journal stay.</param>
/// <param name="PayerRetentionDays">How long the terminal keeps its cache of payers without a full refresh: after it the
/// next pull is a full one, and payers the province no longer sends are dropped.</param>
public sealed record OfflinePolicyDto(long MaxPerPayment, long MaxPerCardPerDay, long MaxUnsyncedTotal, int MaxMinutesSinceSync, int MaxDenyListAgeMinutes,
    int ReceiptRetentionDays = OfflinePolicyDto.DefaultRetentionDays, int PayerRetentionDays = OfflinePolicyDto.DefaultRetentionDays)
{
    /// <summary>The retention of receipts and of the payers' cache when the province sets none: 30 days.</summary>
    public const int DefaultRetentionDays = 30;

    /// <summary>The province's default: 500.000 ₫ a payment, 1.000.000 ₫ a card a day, 10.000.000 ₫ in all, 72 h since sync, deny list 24 h.</summary>
    public static OfflinePolicyDto Default { get; } = new(500_000, 1_000_000, 10_000_000, 72 * 60, 24 * 60);
}

/// <summary>A terminal asks the server to authorise a card payment against the balance it holds.</summary>
/// <param name="AccountCode">The payer.</param>
/// <param name="CardUid">The card presented.</param>
/// <param name="Amount">The amount in đồng.</param>
/// <param name="Pin">The card holder's PIN, when the terminal asks for one (self-service above its PIN amount); checked
/// by the server only, never stored or logged by the terminal.</param>
public sealed record AuthoriseRequest(string AccountCode, string CardUid, long Amount, string? Pin = null);

/// <summary>A VietQR payment the terminal offers, for the province to request from the institution's payment service.</summary>
/// <param name="PaymentId">Terminal-scoped payment id.</param>
/// <param name="TransferCode">The payment's transfer code (its tag must be the asking terminal's).</param>
/// <param name="Amount">Đồng still to pay.</param>
/// <param name="ExpiresAt">When the terminal's QR expires; the request expires with it.</param>
public sealed record PaymentRequestDto(string PaymentId, string TransferCode, long Amount, DateTimeOffset ExpiresAt);

/// <summary>The province's answer: the provider's QR, or none (the terminal shows its own) and why.</summary>
/// <param name="Provider">The provider that holds the request (<c>payos</c>), or null.</param>
/// <param name="QrCode">The provider's VietQR payload (EMV text), or null.</param>
/// <param name="CheckoutUrl">The provider's checkout page for the request, or null.</param>
/// <param name="PaymentLinkId">The provider's id of the request, or null.</param>
/// <param name="OrderCode">The request's order code, or null.</param>
/// <param name="Reason">Why there is no provider QR: <c>no_provider</c> (the institution's connection takes no requests), <c>provider_failed</c>.</param>
public sealed record PaymentRequestAnswer(string? Provider, string? QrCode, string? CheckoutUrl, string? PaymentLinkId, long? OrderCode, string? Reason);

/// <summary>The server's answer.</summary>
/// <param name="Approved">True when the balance covers it and the card is not blocked.</param>
/// <param name="Balance">The server's balance of the account.</param>
/// <param name="Reason">Why not: <c>insufficient_balance</c>, <c>card_blocked</c>, <c>card_not_recognised</c>,
/// <c>pin_wrong</c>, <c>pin_locked</c> (too many wrong PINs: the school office clears it), <c>pin_not_set</c>.</param>
/// <param name="PinTriesLeft">After a wrong PIN, how many tries are left.</param>
public sealed record AuthoriseResponse(bool Approved, long Balance, string? Reason, int? PinTriesLeft = null);

/// <summary>The part of a payment that goes to one bill.</summary>
/// <param name="BillId">Bill.</param>
/// <param name="Amount">Đồng.</param>
public sealed record AllocationDto(string BillId, long Amount);

/// <summary>The body of a <see cref="EntryKinds.PaymentCreated"/> entry.</summary>
/// <param name="PaymentId">Terminal-scoped payment id.</param>
/// <param name="AccountCode">Payer.</param>
/// <param name="CardUid">Card presented, if any.</param>
/// <param name="Method">Wire method, e.g. <c>card_balance</c>.</param>
/// <param name="Amount">Total in đồng.</param>
/// <param name="Allocations">Bills covered.</param>
/// <param name="Operator">Cashier, if any.</param>
/// <param name="Offline">True when the terminal took it within its offline limits, without the server's authorisation.</param>
/// <param name="ClientRequestId">The screen's idempotency key, kept so that the terminal's state can be rebuilt from its journal.</param>
/// <param name="Qr">For a VietQR payment: the code the payer scans.</param>
/// <param name="External">For a payment on an external bank-card terminal: its approval code and the card's last 4 digits (never more).</param>
/// <param name="Purpose">What it is for (<c>top_up</c>: money onto the account's balance, no allocations); null for bills.</param>
public sealed record PaymentCreatedDto(string PaymentId, string AccountCode, string? CardUid, string Method, long Amount, IReadOnlyList<AllocationDto> Allocations, string? Operator, bool Offline = false, string? ClientRequestId = null, VietQrDto? Qr = null,
    ExternalCardDto? External = null, string? Purpose = null);

/// <summary>What the terminal keeps of a payment made on a separate bank-card terminal: never the card number.</summary>
/// <param name="ApprovalCode">The bank's approval code printed on the card terminal's slip.</param>
/// <param name="Last4">The card's last four digits.</param>
public sealed record ExternalCardDto(string ApprovalCode, string Last4)
{
    /// <summary>True for 4 to 12 letters or digits and exactly 4 digits.</summary>
    public bool IsValid => ApprovalCode is { Length: >= 4 and <= 12 } && ApprovalCode.All(char.IsAsciiLetterOrDigit)
        && Last4 is { Length: 4 } && Last4.All(char.IsAsciiDigit);
}

/// <summary>The dynamic QR of one VietQR payment.</summary>
/// <param name="TransferCode">The code in the transfer text that matches the money to the payment.</param>
/// <param name="Payload">The VietQR payload shown and printed.</param>
/// <param name="ExpiresAt">After this the QR is not offered any more; money that still arrives is credited and flagged late.</param>
public sealed record VietQrDto(string TransferCode, string Payload, DateTimeOffset ExpiresAt);

/// <summary>The body of a <see cref="EntryKinds.PaymentConfirmed"/> entry: the terminal records what the server matched.</summary>
/// <param name="PaymentId">The payment.</param>
/// <param name="ConfirmationId">The server's confirmation id (its cursor), so a confirmation is recorded once.</param>
/// <param name="Outcome">One of <see cref="TransferOutcomes"/>.</param>
/// <param name="Amount">What this transfer brought, in đồng.</param>
/// <param name="TotalReceived">All received for the payment so far.</param>
/// <param name="Remaining">Still due.</param>
/// <param name="BankTransactionId">The bank's id of the transfer.</param>
/// <param name="BalanceAfter">For a top-up: the account's balance after the credit, as the province server holds it.</param>
public sealed record PaymentConfirmedDto(string PaymentId, long ConfirmationId, string Outcome, long Amount, long TotalReceived, long Remaining, string BankTransactionId, long? BalanceAfter = null);

/// <summary>The body of a <see cref="EntryKinds.PaymentExpired"/> entry.</summary>
/// <param name="PaymentId">The payment.</param>
/// <param name="Reason"><c>expired</c> or <c>cancelled</c>.</param>
public sealed record PaymentExpiredDto(string PaymentId, string Reason);

/// <summary>The body of a <see cref="EntryKinds.PaymentVoided"/> or <see cref="EntryKinds.PaymentRefunded"/> entry.</summary>
/// <param name="PaymentId">The payment reversed.</param>
/// <param name="Amount">What is given back, in đồng (all of it for a void).</param>
/// <param name="Allocations">The bills reopened and by how much (summing to <paramref name="Amount"/>).</param>
/// <param name="Destination">One of <see cref="ReversalDestinations"/>.</param>
/// <param name="BankReference">For a bank transfer: its reference.</param>
/// <param name="Reason">Why, as the cashier typed it.</param>
/// <param name="Operator">The cashier.</param>
/// <param name="Supervisor">The supervisor who approved it with their PIN.</param>
public sealed record PaymentReversalDto(string PaymentId, long Amount, IReadOnlyList<AllocationDto> Allocations, string Destination, string? BankReference, string Reason, string Operator, string Supervisor);

/// <summary>The body of a <see cref="EntryKinds.CardChanged"/> entry.</summary>
/// <param name="Action">One of <see cref="CardActions"/>.</param>
/// <param name="AccountCode">The account the card pays from.</param>
/// <param name="CardUid">The card issued, lost, or (for a replacement) the new card; normalised UID.</param>
/// <param name="ReplacedUid">For a replacement: the old card, refused from now on.</param>
/// <param name="Operator">The member of staff who did it.</param>
public sealed record CardChangeDto(string Action, string AccountCode, string CardUid, string? ReplacedUid, string Operator);

/// <summary>Count and value of one payment method in a shift.</summary>
/// <param name="Method">Wire method.</param>
/// <param name="Count">Payments.</param>
/// <param name="Amount">Đồng.</param>
public sealed record MethodTotalDto(string Method, int Count, long Amount);

/// <summary>The body of a <see cref="EntryKinds.ShiftClosed"/> entry: the Z report's figures.</summary>
/// <param name="Number">The shift's number on this terminal, from 1.</param>
/// <param name="FirstSequence">The first journal entry of the shift.</param>
/// <param name="LastSequence">The last journal entry of the shift (the one before the close).</param>
/// <param name="Operator">The cashier who closed it.</param>
/// <param name="ByMethod">Money taken, per method (payments taken in the shift; VietQR: money confirmed).</param>
/// <param name="Voids">Payments voided in the shift.</param>
/// <param name="Voided">Their value.</param>
/// <param name="Refunds">Refunds made in the shift.</param>
/// <param name="Refunded">Their value.</param>
/// <param name="Net">
/// Money taken in (THỰC THU): the payments on the bank-card terminal and the transfers the bank confirmed (bills,
/// deposits) and the top-ups, less the refunds paid out by transfer. Payments from a card's balance are not in it:
/// that money came in when the balance was credited (a deposit or top-up), so counting both would count it twice.
/// </param>
/// <param name="TopUps">Top-ups of a card's balance the bank confirmed in the shift: paying no bill, so on their own line (and in <paramref name="Net"/>).</param>
/// <param name="ToppedUp">Their value (what the bank paid, up to each amount asked).</param>
/// <param name="RefundedByTransfer">Of <paramref name="Refunded"/>, what went back by bank transfer (the only reversals that take money out).</param>
public sealed record ShiftClosedDto(long Number, long FirstSequence, long LastSequence, string Operator, IReadOnlyList<MethodTotalDto> ByMethod, int Voids, long Voided, int Refunds, long Refunded, long Net,
    int TopUps = 0, long ToppedUp = 0, long RefundedByTransfer = 0);

/// <summary>A bank confirmation of one of a terminal's VietQR payments.</summary>
/// <param name="Id">Increasing per server; the terminal's cursor.</param>
/// <param name="PaymentId">The payment.</param>
/// <param name="TransferCode">Its transfer code.</param>
/// <param name="Outcome">One of <see cref="TransferOutcomes"/>.</param>
/// <param name="Amount">What this transfer brought.</param>
/// <param name="TotalReceived">All received so far.</param>
/// <param name="Expected">The payment's amount.</param>
/// <param name="Remaining">Still due: the amount less what was received, never more than the payment's bills still owe through it (0 when
/// they were paid another way meanwhile: a QR for the rest would only bring money to refund).</param>
/// <param name="BankTransactionId">The bank's id.</param>
/// <param name="ReceivedAt">When the bank reported it.</param>
/// <param name="Flags">E.g. <c>late</c>, <c>refund_due</c>.</param>
/// <param name="BalanceAfter">For a top-up: the account's balance after the credit.</param>
public sealed record ConfirmationDto(long Id, string PaymentId, string TransferCode, string Outcome, long Amount, long TotalReceived, long Expected, long Remaining, string BankTransactionId, DateTimeOffset ReceivedAt, IReadOnlyList<string> Flags,
    long? BalanceAfter = null);

/// <summary>The answer to a confirmations long poll.</summary>
/// <param name="Cursor">Send it with the next poll.</param>
/// <param name="Confirmations">Confirmations after the cursor, oldest first (empty when the wait ran out).</param>
public sealed record ConfirmationsResponse(long Cursor, IReadOnlyList<ConfirmationDto> Confirmations);

/// <summary>One incoming transfer as the bank-notification service posts it.</summary>
/// <param name="TransactionId">The bank's id; services retry, so it is the de-duplication key.</param>
/// <param name="AccountNumber">The receiving account.</param>
/// <param name="Amount">Whole đồng.</param>
/// <param name="Description">The transfer text as the bank has it (payers' apps and banks add to it).</param>
/// <param name="TransactionTime">When the bank booked it.</param>
/// <param name="BankBin">The receiving bank's BIN, when the service says.</param>
public sealed record BankNotification(string TransactionId, string AccountNumber, long Amount, string Description, DateTimeOffset TransactionTime, string? BankBin = null);

/// <summary>The server's answer to a notification.</summary>
/// <param name="Status"><c>accepted</c>, or <c>duplicate</c> for a transaction id seen before (the original outcome follows).</param>
/// <param name="Outcome">One of <see cref="TransferOutcomes"/>.</param>
/// <param name="PaymentId">The payment matched, if any.</param>
public sealed record BankNotificationResult(string Status, string Outcome, string? PaymentId);

/// <summary>The body of a <see cref="EntryKinds.ReceiptPrinted"/> entry.</summary>
/// <param name="PaymentId">The payment the receipt is for.</param>
/// <param name="Outcome"><c>printed</c> or <c>failed</c>.</param>
/// <param name="Detail">What the printer said, when it failed.</param>
public sealed record ReceiptPrintedDto(string PaymentId, string Outcome, string? Detail);

/// <summary>One entry of a terminal's journal as it travels to the server.</summary>
/// <param name="Sequence">The terminal's sequence number, from 1, without gaps.</param>
/// <param name="Kind">One of <see cref="EntryKinds"/>.</param>
/// <param name="CreatedAt">When the terminal committed it.</param>
/// <param name="Payment">Body of a payment entry.</param>
/// <param name="Receipt">Body of a receipt entry.</param>
/// <param name="Confirmation">Body of a confirmation entry.</param>
/// <param name="Expiry">Body of an expiry entry.</param>
/// <param name="PrevHash">The hash of the entry before (64 zeros for the first); set when the entry travels.</param>
/// <param name="Hash">SHA-256 over <paramref name="PrevHash"/> and the canonical encoding; set when the entry travels.</param>
/// <param name="Reversal">Body of a void or refund entry.</param>
/// <param name="Shift">Body of a shift close.</param>
/// <param name="Card">Body of a card change.</param>
public sealed record JournalEntryDto(long Sequence, string Kind, DateTimeOffset CreatedAt, PaymentCreatedDto? Payment = null, ReceiptPrintedDto? Receipt = null, string? PrevHash = null, string? Hash = null, PaymentConfirmedDto? Confirmation = null, PaymentExpiredDto? Expiry = null,
    PaymentReversalDto? Reversal = null, ShiftClosedDto? Shift = null, CardChangeDto? Card = null);

/// <summary>A batch of journal entries, in sequence order.</summary>
/// <param name="TerminalId">The terminal; must match the authenticated one.</param>
/// <param name="Entries">The entries.</param>
public sealed record PushRequest(string TerminalId, IReadOnlyList<JournalEntryDto> Entries);

/// <summary>A bill's state after the server applied a payment.</summary>
/// <param name="BillId">Bill.</param>
/// <param name="Paid">Paid so far.</param>
/// <param name="Version">Change version.</param>
public sealed record BillStateDto(string BillId, long Paid, long Version);

/// <summary>What the server did with one entry.</summary>
/// <param name="Sequence">The entry.</param>
/// <param name="Status"><c>accepted</c> (stored now) or <c>duplicate</c> (stored before; this is the original result).</param>
/// <param name="AccountCode">The payer whose balance changed, for a payment.</param>
/// <param name="BalanceAfter">The account's balance after the payment.</param>
/// <param name="AccountVersion">The account's change version after the payment.</param>
/// <param name="Bills">The bills' states after the payment.</param>
/// <param name="Flags">What the server noticed, e.g. <c>overdraft</c>.</param>
public sealed record PushEntryResult(long Sequence, string Status, string? AccountCode, long? BalanceAfter, long? AccountVersion, IReadOnlyList<BillStateDto> Bills, IReadOnlyList<string> Flags);

/// <summary>The answer to a push.</summary>
/// <param name="HighestContiguous">The highest sequence n such that the server holds every entry 1..n of the terminal.</param>
/// <param name="Results">One result per entry, in order.</param>
public sealed record PushResponse(long HighestContiguous, IReadOnlyList<PushEntryResult> Results);

/// <summary>The body of every error answer (RFC 9457 problem details, with a stable code).</summary>
/// <param name="Type">A URI naming the problem type.</param>
/// <param name="Title">The message for people, Vietnamese first.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">More detail, in English.</param>
/// <param name="Code">A stable machine-readable code.</param>
/// <param name="Sequence">For a refused journal entry, its sequence.</param>
/// <param name="PaymentId">
/// For a terminal's refusal that names another payment the caller can act on (<c>qr_offer_pending</c>: the live VietQR
/// offer to withdraw before paying again), its id; left out otherwise.
/// </param>
/// <param name="ViewToken">With <paramref name="PaymentId"/>: that payment's view token, which opens its own endpoints (its cancel) without a session.</param>
public sealed record ProblemDto(string Type, string Title, int Status, string? Detail, string Code, long? Sequence = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? PaymentId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? ViewToken = null);

/// <summary>Builds <see cref="ProblemDto"/> answers the same way on both servers.</summary>
public static class Problems
{
    /// <summary>A problem with a stable <paramref name="code"/>; <paramref name="title"/> is for people.</summary>
    public static ProblemDto Create(int status, string code, string title, string? detail = null, long? sequence = null) =>
        new($"https://kioskpos.invalid/problems/{code}", title, status, detail, code, sequence);
}

/// <summary>What a terminal reports of itself for the province's inventory (no payment data).</summary>
/// <param name="Version">The terminal's software version.</param>
/// <param name="SchemaVersion">Its database's schema version.</param>
/// <param name="Queued">Journal entries waiting to be pushed.</param>
/// <param name="OldestQueuedAt">When the oldest of them was written.</param>
/// <param name="PrinterState">ready, paper_out, cover_open, unreachable...</param>
/// <param name="LastError">The last sync or device error, if any.</param>
/// <param name="Upgrade">How its last upgrade attempt ended, if it made one.</param>
public sealed record TerminalReportDto(string Version, int SchemaVersion, int Queued, DateTimeOffset? OldestQueuedAt, string PrinterState, string? LastError, UpgradeResultDto? Upgrade = null);
