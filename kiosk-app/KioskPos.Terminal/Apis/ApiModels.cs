using System.Text.Json;
using System.Text.Json.Serialization;
using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;

namespace KioskPos.Terminal.Apis;

/// <summary>A bill line as the screens show it.</summary>
public sealed record BillLineView(string Description, int Quantity, long UnitPrice, long Amount, long InsuranceCovered, long PayerPart);

/// <summary>A bill as the screens show it.</summary>
public sealed record BillView(string Id, string Category, string CategoryName, string Title, DateOnly? DueDate, long Total, long Outstanding, string OutstandingText, IReadOnlyList<BillLineView> Lines);

/// <summary>A payer and what they owe, as the screens show it.</summary>
public sealed record PayerView(string Code, string Kind, string Name, string MaskedName, string? Group, bool Blocked, long AvailableBalance, string AvailableBalanceText, IReadOnlyList<BillView> OpenBills,
    TopUpInfoView? TopUp = null);

/// <summary>What the kiosk offers for a top-up of this payer's card.</summary>
/// <param name="Code">The account's standing top-up code, for transfers from home.</param>
/// <param name="MinAmount">The smallest top-up.</param>
/// <param name="MaxAmount">The most this top-up may be now (the room under both limits; 0: none now).</param>
/// <param name="MaxAmountText">The same, as people read it.</param>
/// <param name="MaxBalance">The province's maximum balance for this institution's type.</param>
/// <param name="MaxPerDay">The province's maximum top-up a day.</param>
/// <param name="ToppedUpToday">What this terminal put on the account today (waiting or confirmed).</param>
/// <param name="Presets">The one-touch amounts.</param>
public sealed record TopUpInfoView(string Code, long MinAmount, long MaxAmount, string MaxAmountText, long MaxBalance, long MaxPerDay, long ToppedUpToday, IReadOnlyList<long> Presets);

/// <summary>The body of <c>POST /api/v1/top-ups</c>.</summary>
/// <param name="ClientRequestId">Idempotency key (or the Idempotency-Key header).</param>
/// <param name="CardUid">The card (the tap's reference at the kiosk).</param>
/// <param name="PayerCode">The payer code, when no card is given.</param>
/// <param name="Amount">What to put on the balance, whole đồng.</param>
public sealed record CreateTopUpRequest(string? ClientRequestId, string? CardUid, string? PayerCode, long? Amount);

/// <summary>The body of <c>POST /api/v1/payments</c>.</summary>
/// <remarks>An <c>operator</c> in the body is ignored: the cashier is whoever is signed in.</remarks>
public sealed record CreatePaymentRequest(string? ClientRequestId, string? CardUid, string? PayerCode, string? Method, IReadOnlyList<RequestedAllocation>? Bills, string? Operator,
    string? ApprovalCode = null, string? CardLast4 = null, string? Pin = null);

/// <summary>A bill's share of a payment.</summary>
public sealed record AllocationView(string BillId, long Amount);

/// <summary>A receipt's state.</summary>
public sealed record ReceiptView(string State, string? Detail);

/// <summary>
/// A payment as the API returns it. The card UID is masked. <c>refundable</c> is what a refund may still give back
/// (what was paid less what was given back; 0 for a top-up, which is never refunded).
/// </summary>
public sealed record PaymentView(string Id, long Sequence, string Method, long Amount, string AmountText, string PayerCode, string? Card, string State, string Sync, DateTimeOffset CreatedAt, string? Operator, IReadOnlyList<AllocationView> Allocations, ReceiptView? Receipt, bool Replayed, IReadOnlyList<string> ServerFlags, bool Offline,
    QrView? Qr = null, long? Received = null, long? Remaining = null, bool? ProvisionalSlipPrinted = null, ExternalCardView? ExternalCard = null, string? ViewToken = null,
    FollowOnView? Rest = null, string? Purpose = null, long? BalanceAfter = null, string? BalanceAfterText = null, long Refundable = 0);

/// <summary>
/// The new VietQR payment the terminal offered for the rest of an underpaid one, with its view token: given only to
/// whoever opens the underpaid payment (the kiosk that took it, with its token), never on a screen's event stream.
/// </summary>
public sealed record FollowOnView(string Id, string ViewToken);

/// <summary>A payment on the counter's bank-card terminal: the approval code and the card's last four digits.</summary>
public sealed record ExternalCardView(string ApprovalCode, string Last4);

/// <summary>A VietQR payment's code as the screens show it.</summary>
/// <param name="TransferCode">The transfer text.</param>
/// <param name="Payload">The VietQR payload.</param>
/// <param name="ExpiresAt">When it expires.</param>
/// <param name="SvgUrl">The QR as SVG.</param>
/// <param name="Provider">The payment service whose QR this is (<c>payos</c>: its payment request), or null for the terminal's own.</param>
/// <param name="CheckoutUrl">That service's checkout page for the payment, or null.</param>
public sealed record QrView(string TransferCode, string Payload, DateTimeOffset ExpiresAt, string SvgUrl, string? Provider = null, string? CheckoutUrl = null);

/// <summary>The body of <c>POST /api/v1/sessions</c>.</summary>
public sealed record SignInRequest(string? StaffId, string? Pin);

/// <summary>Who is signed in.</summary>
/// <param name="Id">Staff id.</param>
/// <param name="Name">Their name.</param>
/// <param name="Role">cashier, supervisor or technician.</param>
/// <param name="ExpiresAt">When the session ends at the latest (on sign-in).</param>
/// <param name="IdleSeconds">The session ends after this many seconds without a request (the counter page signs out before).</param>
public sealed record StaffView(string Id, string Name, string Role, DateTimeOffset? ExpiresAt, int? IdleSeconds = null);

/// <summary>The body of <c>POST /api/v1/payments/{id}/void</c>; <c>clientRequestId</c> (or the Idempotency-Key header) makes a retry safe.</summary>
public sealed record VoidRequest(string? Reason, string? SupervisorId, string? SupervisorPin, string? ClientRequestId = null);

/// <summary>
/// The body of <c>POST /api/v1/payments/{id}/refund</c>: <c>destination</c> is card_balance or bank_transfer (with its
/// <c>bankReference</c>); <c>clientRequestId</c> (or the Idempotency-Key header) makes a retry safe.
/// </summary>
public sealed record RefundRequest(long? Amount, string? Destination, string? BankReference, string? Reason, string? SupervisorId, string? SupervisorPin, string? ClientRequestId = null);

/// <summary>A void or refund done.</summary>
/// <param name="Sequence">Its journal entry.</param>
/// <param name="PaymentId">The payment.</param>
/// <param name="PaymentState">The payment's state after it.</param>
/// <param name="Amount">Given back, in đồng.</param>
/// <param name="AmountText">The same for people.</param>
/// <param name="Destination">card_balance or bank_transfer.</param>
/// <param name="ApprovedBy">The supervisor.</param>
/// <param name="Replayed">True when the request's key had been used before: this is the reversal written then.</param>
/// <param name="Warning">What went wrong after the reversal was committed (its slip not queued), for people; null when nothing.</param>
public sealed record ReversalView(long Sequence, string PaymentId, string PaymentState, long Amount, string AmountText, string Destination, string ApprovedBy,
    bool Replayed = false, string? Warning = null);

/// <summary>A payer found by name at the counter.</summary>
public sealed record PayerMatchView(string Code, string Name, string? Group);

/// <summary>Where a payer can see the receipt when the printer could not print it: the lookup URL and its QR.</summary>
public sealed record ReceiptLookupView(string Url, string Svg);

/// <summary>
/// A VietQR payment's link for a relative (issue 24): the province's page that shows the same QR on any phone. The QR
/// here is of the link, not a paying QR.
/// </summary>
/// <param name="Url"><c>{province}/p/{payment}?k={key}</c>.</param>
/// <param name="Svg">The link as a QR code (SVG).</param>
/// <param name="ExpiresAt">When the payment's QR, and so the link, stops working.</param>
/// <param name="Reachable">The province holds the payment (its entry is acknowledged), so the link opens its page; until then the kiosk does not offer it.</param>
public sealed record PayLinkView(string Url, string Svg, DateTimeOffset ExpiresAt, bool Reachable);

/// <summary>The body of <c>POST /dev/card-taps</c>.</summary>
/// <param name="Uid">The card's UID in hex (4, 7 or 10 bytes).</param>
/// <param name="HoldMs">How long the card stays on the reader after the terminal has read it: 0 to 10,000 ms, 600 when absent; 0 is a quick tap, lifted as soon as it is read.</param>
public sealed record SimulatedTapRequest(string? Uid, int? HoldMs = null);

/// <summary>The body of <c>POST /dev/scans</c>: the text a 2D scanner types, as from a citizen-ID card's QR.</summary>
public sealed record SimulatedScanRequest(string? Text);

/// <summary>A tap: what the terminal made of the card.</summary>
/// <param name="Uid">The card's UID: in full to signed-in staff (and the simulator's caller, who gave it), else masked (<c>••••B2C3</c>).</param>
/// <param name="At">When it was read.</param>
/// <param name="Recognised">The card belongs to a payer.</param>
/// <param name="PayerCode">Whose.</param>
/// <param name="Blocked">Refused (deny list).</param>
/// <param name="Tap">To an unauthenticated screen (the kiosk), the tap's reference: what it sends as <c>cardUid</c> to look the payer up and pay, good for this tap only.</param>
public sealed record TapView(string Uid, DateTimeOffset At, bool Recognised, string? PayerCode, bool Blocked = false, string? Tap = null);

/// <summary>The last problem a card reader reported, for people: Vietnamese first.</summary>
public sealed record ReaderProblemView(string Problem, string Message, string MessageEnglish, DateTimeOffset At);

/// <summary>Whether the card reader reads taps now, for people (Vietnamese first) and programs.</summary>
/// <param name="State">opening, ready or unavailable.</param>
/// <param name="Since">When it came to this state.</param>
/// <param name="Message">What it means, Vietnamese.</param>
/// <param name="MessageEnglish">The same in English.</param>
/// <param name="Problem">Why it is unavailable: the device's own error (machine-facing, English).</param>
/// <param name="Recoveries">Times its chip was found reset (a brown-out) and was set up again since start.</param>
/// <param name="LastRecoveryAt">The last of those.</param>
/// <param name="LastRecoveryFound">What the chip's registers read then.</param>
public sealed record ReaderHealthView(string State, DateTimeOffset Since, string Message, string MessageEnglish, string? Problem = null, int Recoveries = 0, DateTimeOffset? LastRecoveryAt = null, string? LastRecoveryFound = null);

/// <summary>The light, the buzzer and the help button.</summary>
/// <param name="Gpio">simulated, chip or none.</param>
/// <param name="Light">off, ready, busy or error.</param>
/// <param name="Beeps">Beep patterns played since start.</param>
/// <param name="HelpRequestedAt">The help button's last press.</param>
/// <param name="HelpRequests">Presses since start.</param>
public sealed record IndicatorsView(string Gpio, string Light, long Beeps, DateTimeOffset? HelpRequestedAt, long HelpRequests);

/// <summary>The simulated GPIO chip's pins, as <c>GET /dev/gpio</c> shows them.</summary>
/// <param name="Light">The light's pattern.</param>
/// <param name="LightOn">The light's pin is high now.</param>
/// <param name="LightChanges">Times the light's pin changed.</param>
/// <param name="BuzzerBeeps">Single beeps sounded (the buzzer pin's rising edges).</param>
/// <param name="HelpButtonPressed">The help button's pin is low now.</param>
public sealed record SimulatedGpioView(string Light, bool LightOn, int LightChanges, long BuzzerBeeps, bool HelpButtonPressed);

/// <summary>The body of <c>POST /dev/printer</c>.</summary>
public sealed record SimulatedPrinterRequest(bool? PaperOut = null, bool? PaperNearEnd = null, bool? CoverOpen = null, bool? Offline = null, int? RunOutAfterRows = null);

/// <summary>The emulated printer's paper: pages cut off (complete ones end with a cut), data waiting, bytes not understood.</summary>
public sealed record EmulatorView(int Pages, int CompletePages, bool Backlog, IReadOnlyList<string> NotUnderstood);

/// <summary>A print job as the API shows it.</summary>
public sealed record PrintJobView(long Id, string Kind, string? Subject, bool Reprint, string State, int Attempts, string? Problem, DateTimeOffset CreatedAt, DateTimeOffset? PrintedAt, string? Preview, string? Image);

/// <summary>The printer and its queue.</summary>
public sealed record PrinterView(string Name, string State, string Description, bool PaperNearEnd, int Waiting, long? HeldJob, DateTimeOffset? HeldSince, DateTimeOffset CheckedAt, IReadOnlyList<PrintJobView> Recent);

/// <summary>The answer to a print request.</summary>
public sealed record PrintRequestView(long JobId, string State, string? Problem);

/// <summary>The sync queue's state.</summary>
public sealed record SyncView(int Queued, int Rejected, DateTimeOffset? OldestQueuedAt, DateTimeOffset? LastSuccessAt, string? LastError, double? ClockSkewSeconds, string? ProvinceAlert = null);

/// <summary>The terminal's state for <c>/api/v1/status</c> and the home page.</summary>
public sealed record StatusView(string TerminalId, string? Institution, int SchemaVersion, int CachedAccounts, int CachedBills, SyncView Sync, string CardReader, string Printer, TapView? LastTap, long Taps, bool ProvinceOnline = false, PrinterState? PrinterState = null,
    ReaderProblemView? ReaderProblem = null, IndicatorsView? Indicators = null, ReaderHealthView? CardReaderHealth = null);

/// <summary>
/// Source-generated JSON for the terminal's API (no reflection: AOT-ready). Numbers are read only as JSON numbers
/// (the web defaults would take <c>"100"</c> for 100): an amount sent as text is a malformed body, as text sent as a
/// number already is.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PayerView))]
[JsonSerializable(typeof(EnrolFromPageRequest))]
[JsonSerializable(typeof(TechBackupView))]
[JsonSerializable(typeof(CreatePaymentRequest))]
[JsonSerializable(typeof(CreateTopUpRequest))]
[JsonSerializable(typeof(PaymentView))]
[JsonSerializable(typeof(IReadOnlyList<PaymentView>))]
[JsonSerializable(typeof(SimulatedTapRequest))]
[JsonSerializable(typeof(SimulatedScanRequest))]
[JsonSerializable(typeof(SimulatedPrinterRequest))]
[JsonSerializable(typeof(PrinterView))]
[JsonSerializable(typeof(EmulatorView))]
[JsonSerializable(typeof(PrintJobView))]
[JsonSerializable(typeof(PrintRequestView))]
[JsonSerializable(typeof(PrinterState))]
[JsonSerializable(typeof(TapView))]
[JsonSerializable(typeof(KioskPos.Terminal.Services.CitizenIdScan))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(SimulatedGpioView))]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(ReceiptLookupView))]
[JsonSerializable(typeof(PayLinkView))]
[JsonSerializable(typeof(IReadOnlyList<PayerMatchView>))]
[JsonSerializable(typeof(ReaderProblemView))]
[JsonSerializable(typeof(ReaderHealthView))]
[JsonSerializable(typeof(StaffView))]
[JsonSerializable(typeof(VoidRequest))]
[JsonSerializable(typeof(RefundRequest))]
[JsonSerializable(typeof(ReversalView))]
[JsonSerializable(typeof(IssueCardRequest))]
[JsonSerializable(typeof(ReplaceCardRequest))]
[JsonSerializable(typeof(CardChangeView))]
[JsonSerializable(typeof(CardStatementView))]
[JsonSerializable(typeof(CloseAccountRequest))]
[JsonSerializable(typeof(AccountClosedView))]
[JsonSerializable(typeof(ReceiptView))]
[JsonSerializable(typeof(JournalVerification))]
[JsonSerializable(typeof(ProblemDto))]
[JsonSerializable(typeof(DisplayScreen))]
[JsonSerializable(typeof(TechStateView))]
[JsonSerializable(typeof(SelfTestResult))]
[JsonSerializable(typeof(KioskPos.Terminal.Speech.SpeechRequest))]
[JsonSerializable(typeof(KioskPos.Terminal.Speech.SpeechView))]
[JsonSerializable(typeof(KioskPos.Terminal.Speech.AccessSettingsView))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, KioskPos.Terminal.Screens.MessageText>))]
public sealed partial class TerminalJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same contract, writing Vietnamese letters as UTF-8 rather than <c>\uXXXX</c> escapes, so that the API
    /// reads well with curl. Only for JSON answers, never for JSON embedded in HTML. Nulls are written, as on the
    /// sync protocol, so that a problem document has the same shape whichever side sends it.
    /// </summary>
    public static TerminalJsonContext Readable { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>Maps domain objects to API views.</summary>
internal static class Views
{
    public static PayerView Payer(PayerAccount account, IReadOnlyList<Bill> bills, Core.Money.Vnd available, string? cardUid = null) => new(
        account.Code,
        account.Kind == PayerKind.Pupil ? "pupil" : "patient",
        account.FullName,
        PersonalData.MaskName(account.FullName),
        account.Group,
        account.Refuses(cardUid),
        available.Value,
        available.ToString(),
        bills.Where(b => b.IsOpen).Select(b => new BillView(
            b.Id, b.Category.WireName(), b.Category.VietnameseName(), b.Title, b.DueDate, b.Total.Value, b.Outstanding.Value, b.Outstanding.ToString(),
            b.Lines.Select(l => new BillLineView(l.Description, l.Quantity, l.UnitPrice.Value, l.Amount.Value, l.InsuranceCovered.Value, l.PayerPart.Value)).ToList())).ToList());

    public static PaymentView Payment(Payment p, bool replayed, string? viewToken = null, ProviderQr? provider = null) => new(
        p.Id, p.Sequence, p.Method.WireName(), p.Amount.Value, p.Amount.ToString(), p.AccountCode,
        p.CardUid is null ? null : PersonalData.MaskCardUid(p.CardUid), p.State.WireName(), p.Sync.WireName(), p.CreatedAt, p.Operator,
        p.Allocations.Select(a => new AllocationView(a.BillId, a.Amount.Value)).ToList(),
        new ReceiptView(p.ReceiptState, p.ReceiptDetail), replayed, p.ServerFlags ?? [], p.Offline,
        p.Qr is { } qr ? new QrView(qr.TransferCode, provider?.Payload ?? qr.Payload, qr.ExpiresAt, $"/api/v1/payments/{p.Id}/qr.svg{(viewToken is null ? string.Empty : "?t=" + viewToken)}",
            provider?.Provider, provider?.CheckoutUrl) : null,
        p.Method == PaymentMethod.VietQr ? p.Received.Value : null,
        p.Method == PaymentMethod.VietQr ? p.Remaining.Value : null,
        ExternalCard: p.External is { } external ? new ExternalCardView(external.ApprovalCode, external.Last4) : null,
        ViewToken: viewToken,
        Purpose: p.Purpose.WireName(),
        BalanceAfter: p.BalanceAfter?.Value,
        BalanceAfterText: p.BalanceAfter?.ToString(),
        Refundable: p.Refundable.Value);

    /// <summary>A tap as a screen sees it: the full UID only to authenticated staff; the tap's reference only to the screen that pays with it.</summary>
    public static TapView Tap(CardTap tap, bool fullUid, bool withReference = false) =>
        new(fullUid ? tap.Uid : PersonalData.MaskCardUid(tap.Uid), tap.At, tap.AccountCode is not null, tap.AccountCode, tap.Blocked, withReference ? tap.Reference : null);

    public static ReaderProblemView ReaderProblem(KioskPos.Firmware.Devices.CardProblem problem, DateTimeOffset at) => problem switch
    {
        KioskPos.Firmware.Devices.CardProblem.MultipleCards => ReaderProblem("multiple_cards", "terminal.reader.multiple_cards", at),
        _ => ReaderProblem("read_failed", "terminal.reader.read_failed", at),
    };

    private static ReaderProblemView ReaderProblem(string code, string key, DateTimeOffset at) => new(code, Messages.Vi(key), Messages.En(key), at);

    /// <summary>The reader's health as the status shows it; null for a reader that does not tell.</summary>
    public static ReaderHealthView? ReaderHealth(KioskPos.Firmware.Devices.ReaderHealth? health)
    {
        if (health is null)
        {
            return null;
        }

        var (state, key) = health.State switch
        {
            KioskPos.Firmware.Devices.ReaderState.Ready => ("ready", "terminal.reader.state.ready"),
            KioskPos.Firmware.Devices.ReaderState.Unavailable => ("unavailable", "terminal.reader.state.unavailable"),
            _ => ("opening", "terminal.reader.state.opening"),
        };
        return new(state, health.Since, Messages.Vi(key), Messages.En(key), health.Problem, health.Recoveries, health.LastRecoveryAt, health.LastRecoveryFound);
    }

    public static string Name(KioskPos.Firmware.Indicators.LightPattern light) => light.ToString().ToLowerInvariant();

    // An answer from the province's address that did not verify is shown as the sync error while it stands (a day),
    // so the status and tech pages raise it where people already look.
    public static SyncView Sync(SyncStatus s, KioskPos.Sync.SyncedClock clock, KioskPos.Sync.ProvinceTrust? trust = null) =>
        new(s.Queued, s.Rejected, s.OldestQueuedAt, s.LastSuccessAt, trust?.Alert ?? s.LastError, clock.Synchronised ? Math.Round(clock.Offset.TotalSeconds) : null, trust?.Alert);
}

/// <summary>A technician's enrolment from /tech: the server (the configured one when empty) and the one-time code.</summary>
public sealed record EnrolFromPageRequest(string? Server, string? Code);

/// <summary>A backup made from /tech: where, how big, and whether the copy's journal verified.</summary>
public sealed record TechBackupView(string Path, long Bytes, bool JournalOk, long Entries);
