using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;
using KioskPos.Shared.Contracts;
using KioskPos.Sync;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>A payment request as the API receives it, before normalisation.</summary>
/// <param name="ClientRequestId">Idempotency key chosen by the screen; retries with the same key never pay twice.</param>
/// <param name="CardUid">The card tapped.</param>
/// <param name="PayerCode">The payer code, when no card is given.</param>
/// <param name="Method">Wire method name.</param>
/// <param name="Bills">The bills to pay and how much of each (null: all that is outstanding).</param>
/// <param name="Operator">
/// The signed-in cashier or supervisor, if any (never a name the request claims): they may type a card's UID; anyone
/// else names the card on the reader (see <see cref="PaymentService"/>).
/// </param>
/// <param name="ApprovalCode">For a payment on the counter's bank-card terminal: the approval code on its slip.</param>
/// <param name="CardLast4">For the same: the card's last four digits (never the whole number).</param>
/// <param name="Pin">The card holder's PIN, when self-service asks for it (passed to the province server, kept nowhere).</param>
public sealed record PaymentInput(string? ClientRequestId, string? CardUid, string? PayerCode, string? Method, IReadOnlyList<RequestedAllocation>? Bills, string? Operator,
    string? ApprovalCode = null, string? CardLast4 = null, string? Pin = null)
{
    /// <summary>Never the PIN, should the input be logged.</summary>
    public override string ToString() => $"PaymentInput {{ ClientRequestId = {ClientRequestId}, Method = {Method}, PayerCode = {PayerCode}, Operator = {Operator} }}";
}

/// <summary>A top-up request as the API receives it.</summary>
/// <param name="ClientRequestId">Idempotency key chosen by the screen.</param>
/// <param name="CardUid">The card tapped (the tap's reference at the kiosk).</param>
/// <param name="PayerCode">The payer code, when no card is given.</param>
/// <param name="Amount">What to put on the balance, whole đồng.</param>
/// <param name="StaffSignedIn">A cashier or supervisor is signed in (the counter): they may type a card's UID; anyone else names the card on the reader.</param>
public sealed record TopUpInput(string? ClientRequestId, string? CardUid, string? PayerCode, long? Amount, bool StaffSignedIn = false);

/// <summary>A payment taken, with where its receipt stands when the answer goes.</summary>
/// <param name="Result">The committed payment.</param>
/// <param name="ReceiptState">
/// <c>pending</c> (its job was written with the payment and the print queue prints it; the screens follow it to
/// <c>printed</c> or <c>failed</c> through <c>GET /api/v1/payments/{id}</c>, which uses the same words), <c>failed</c>
/// (the printer is known unable to print: paper out, cover open, unplugged — the job is held and prints once it
/// recovers), or <c>printed</c> (a replay of a payment whose receipt printed). A VietQR payment's is <c>pending</c>
/// until the bank's money brings its receipt.
/// </param>
/// <param name="ReceiptProblem">What the payer is told about it, when it is not printed.</param>
/// <param name="ProvisionalSlipPrinted">For a VietQR payment taken while the province server is out of reach: the slip with the transfer code printed.</param>
/// <param name="Timings">Where a new payment's time went in the terminal, for the answer's <c>Server-Timing</c> header.</param>
public sealed record TakenPayment(PaymentResult Result, string ReceiptState, string? ReceiptProblem, bool ProvisionalSlipPrinted = false, PaymentTimings? Timings = null);

/// <summary>
/// Where a payment's time went in the terminal, in milliseconds (issue #26's measurements; <c>make bench</c> reads them
/// from the answer's <c>Server-Timing</c> header): the checks before the lock (the request, its key, the card, the payer, the bills),
/// the wait for the terminal's one-payment-at-a-time lock, the province's authorisation of a card payment (the
/// bills read and the signed round trip), and the durable commit (journal entry, payment, allocations, the receipt's
/// job, the outbox row).
/// </summary>
public sealed record PaymentTimings(double CheckMs, double LockMs, double AuthoriseMs, double CommitMs)
{
    /// <summary>The value of a <c>Server-Timing</c> header (W3C Server Timing).</summary>
    public string ToHeader() => FormattableString.Invariant($"check;dur={CheckMs:0.###}, lock;dur={LockMs:0.###}, authorise;dur={AuthoriseMs:0.###}, commit;dur={CommitMs:0.###}");
}

/// <summary>
/// Takes a payment end to end: checks the request and the card on the reader, commits it (the payer may be told
/// only after that), wakes the sync, prints the receipt and records the print outcome. A card is named by its tap's
/// reference (the kiosk) or by its UID; a UID is taken from signed-in staff (typed at the counter), and from anyone
/// else only for the card on the reader now (<see cref="CardPresence.IsPresented"/>), for payments of every method
/// and top-ups alike: a UID is no secret, and the answer names the payer and their bills. A request's idempotency key
/// is looked up before its card, so that a request sent again after its answer was lost is answered with the payment
/// it took, though that payment has used the tap up.
/// </summary>
public sealed class PaymentService(
    PaymentStore payments,
    CatalogueStore catalogue,
    OutboxStore outbox,
    SettingsStore settings,
    ProvinceClient province,
    CardPresence presence,
    PrintQueue printQueue,
    PrintQueueStore printJobs,
    SyncSignal sync,
    CustomerDisplay display,
    ProvinceLink link,
    QrExpirySignal expiry,
    PaymentEvents events,
    ProviderQrs providerQrs,
    Speech.PaymentAnnouncer announcer,
    CardStore cards,
    SyncWorker syncWorker,
    TimeProvider time,
    IOptions<TerminalOptions> options,
    ILogger<PaymentService> logger)
{
    // One payment at a time on a terminal: the tap check, the commit and the tap's use happen together. The tap a
    // request names is checked before the lock too (so that a card not on the reader is refused before it is looked
    // up), but only the check under the lock counts: two requests on one tap both pass the first.
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Takes a payment.</summary>
    /// <exception cref="PaymentRefusedException">Refused; nothing was written.</exception>
    /// <exception cref="IdempotencyKeyReusedException">The idempotency key was used before for another request; nothing was written.</exception>
    public async Task<TakenPayment> TakeAsync(PaymentInput input, CancellationToken cancellationToken)
    {
        try
        {
            return await TakeOrRefuseAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (PaymentRefusedException)
        {
            events.Raise(PaymentEvent.Refused);
            throw;
        }
    }

    private async Task<TakenPayment> TakeOrRefuseAsync(PaymentInput input, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var method = CheckRequest(input);
        if (await ReplayOfAsync(input.ClientRequestId, input.CardUid, input.PayerCode,
                (accountCode, uid) => IdempotentRequest.Hash(method, accountCode, uid, input.Bills!, ExternalCardOf(input, method)), cancellationToken).ConfigureAwait(false) is { } replayed)
        {
            return new TakenPayment(new PaymentResult(replayed, Replayed: true), replayed.ReceiptState, replayed.ReceiptDetail);
        }

        var (command, account, tap) = await NormaliseAsync(input, method, cancellationToken).ConfigureAwait(false);
        var checkMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        PaymentResult result;
        double authoriseMs = 0, commitMs;
        started = System.Diagnostics.Stopwatch.GetTimestamp();
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        var lockMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            if (command.ClientRequestId is { } key && await payments.FindByClientRequestIdAsync(key, cancellationToken, command.RequestHash).ConfigureAwait(false) is { } earlier)
            {
                return new TakenPayment(new PaymentResult(earlier, Replayed: true), earlier.ReceiptState, earlier.ReceiptDetail);
            }

            if (tap is not null && !IsOnReader(tap))
            {
                throw new PaymentRefusedException(PaymentRefusal.CardNotPresented());
            }

            if (command.Method == PaymentMethod.CardBalance &&
                (command.CardUid is null || !presence.IsPresented(command.CardUid, options.Value.CardTapValidity)))
            {
                throw new PaymentRefusedException(PaymentRefusal.CardNotPresented());
            }

            if (command.Method == PaymentMethod.CardBalance)
            {
                // Bills a live VietQR offer here covers are refused before the province's authorisation and the card's
                // PIN, not after them (the payer withdraws the QR and pays again); the check that counts is the
                // payment's own, in its transaction. A card refused anyway is left to that refusal.
                if (!account.Refuses(command.CardUid)
                    && await payments.FindLiveQrOfferAsync(account.Code, command.Bills.Select(b => b.BillId), cancellationToken).ConfigureAwait(false) is { } offer)
                {
                    throw new PaymentRefusedException(PaymentRefusal.QrOfferPending(offer.PaymentId, offer.Amount.ToString()));
                }

                started = System.Diagnostics.Stopwatch.GetTimestamp();
                command = await AuthoriseAsync(command, account, input.Pin, cancellationToken).ConfigureAwait(false);
                authoriseMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            else if (command.Method == PaymentMethod.VietQr)
            {
                command = command with { QrLifetime = options.Value.QrLifetime };
            }

            started = System.Diagnostics.Stopwatch.GetTimestamp();
            result = await payments.CreateAsync(command, cancellationToken).ConfigureAwait(false);
            commitMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (command.CardUid is { } uid)
            {
                presence.Consume(uid);
            }
        }
        finally
        {
            _oneAtATime.Release();
        }

        logger.LogInformation("Payment {Payment} committed: {Amount} by {Method}", result.Payment.Id, result.Payment.Amount, result.Payment.Method.WireName());
        ForgetWithdrawn(result);
        sync.Request();
        if (result.Payment.Method == PaymentMethod.VietQr)
        {
            return await OfferQrAsync(result).ConfigureAwait(false);
        }

        if (!result.Replayed)
        {
            events.Raise(PaymentEvent.Paid);
        }

        // The payment and its receipt's job are durably recorded (one transaction): the answer goes now, without
        // waiting for the paper (issue #26). The print queue prints the job on its own; the kiosk follows the receipt
        // through GET /api/v1/payments/{id} to printed or failed. A printer already known unable to print (paper out,
        // cover open, unplugged) is said in this answer, so the payer is told at once; the job is held and prints,
        // once, when the printer recovers. Nothing here reads or writes the database, so nothing here can fail the answer.
        printQueue.Wake();
        var printer = printQueue.State;
        var timings = new PaymentTimings(checkMs, lockMs, authoriseMs, commitMs);
        return printer.State is "paper_out" or "cover_open" or "cutter_error" or "head_hot" or "error" or "offline" or "unreachable"
            ? new TakenPayment(result, "failed", printer.Description, Timings: timings)
            : new TakenPayment(result, "pending", Messages.Both("terminal.service.receipt_waiting"), Timings: timings);
    }

    /// <summary>
    /// Offers a top-up (nạp tiền vào thẻ): a VietQR payment of <see cref="TopUpInput.Amount"/> without bills, within the
    /// province's limits for the institution's type (the last pulled; the type's defaults before the first pull). The
    /// code names this terminal and the entry, so the QR works offline like any VietQR payment; the bank's money
    /// credits the balance at the province, once, and the confirmation brings the balance after it.
    /// </summary>
    /// <exception cref="PaymentRefusedException">Refused (the reason names the field or the limit); nothing was written.</exception>
    /// <exception cref="IdempotencyKeyReusedException">The idempotency key was used before for another request; nothing was written.</exception>
    public async Task<TakenPayment> TopUpAsync(TopUpInput input, CancellationToken cancellationToken)
    {
        if (input.ClientRequestId is { Length: > 64 })
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("top_up.invalid.request_id"));
        }

        if (input.Amount is not (> 0 and <= Core.Money.Vnd.MaxAmount))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("top_up.invalid.amount"));
        }

        var amount = new Core.Money.Vnd(input.Amount.Value);
        if (await ReplayOfAsync(input.ClientRequestId, input.CardUid, input.PayerCode, (accountCode, uid) => TopUpHash(accountCode, uid, amount), cancellationToken).ConfigureAwait(false) is { } replayed)
        {
            return new TakenPayment(new PaymentResult(replayed, Replayed: true), "pending", null);
        }

        var (account, uid, tap) = await TopUpAccountAsync(input, cancellationToken).ConfigureAwait(false);
        if (account.Refuses(uid))
        {
            throw new PaymentRefusedException(PaymentRefusal.CardBlocked());
        }

        logger.LogDebug("Top-up request for {Payer} with card {Card}", PersonalData.MaskName(account.FullName), uid is null ? "-" : PersonalData.MaskCardUid(uid));

        var hash = input.ClientRequestId is null ? null : TopUpHash(account.Code, uid, amount);
        var command = new CreatePaymentCommand(input.ClientRequestId, account.Code, uid, PaymentMethod.VietQr, [], null, QrLifetime: options.Value.QrLifetime, RequestHash: hash,
            Purpose: PaymentPurpose.TopUp, TopUpAmount: amount.Value);
        PaymentResult result;
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (command.ClientRequestId is { } key && await payments.FindByClientRequestIdAsync(key, cancellationToken, command.RequestHash).ConfigureAwait(false) is { } earlier)
            {
                return new TakenPayment(new PaymentResult(earlier, Replayed: true), "pending", null);
            }

            if (tap is not null && !IsOnReader(tap))
            {
                throw new PaymentRefusedException(PaymentRefusal.CardNotPresented());
            }

            // Checked under the lock, so that two quick top-ups at this terminal cannot both pass the day's limit.
            var limits = await TopUpLimitsAsync(cancellationToken).ConfigureAwait(false);
            var today = await payments.TopUpsSinceAsync(account.Code, LocalDayStart(), cancellationToken).ConfigureAwait(false);
            if (limits.Check(amount, account.Balance, today) is { } refusal)
            {
                throw new PaymentRefusedException(refusal);
            }

            result = await payments.CreateAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (PaymentRefusedException)
        {
            events.Raise(PaymentEvent.Refused);
            throw;
        }
        finally
        {
            _oneAtATime.Release();
        }

        logger.LogInformation("Top-up {Payment} offered: {Amount} onto {Payer}'s balance", result.Payment.Id, result.Payment.Amount, PersonalData.MaskName(account.FullName));
        sync.Request();
        return await OfferQrAsync(result).ConfigureAwait(false);
    }

    private static string TopUpHash(string accountCode, string? cardUid, Core.Money.Vnd amount) =>
        IdempotentRequest.Hash(PaymentMethod.VietQr, accountCode, cardUid, [new RequestedAllocation(PaymentPurpose.TopUp.WireName(), amount.Value)], null);

    /// <summary>The top-up limits the province set for this institution's type (the type's defaults until the first pull brings them).</summary>
    public async Task<TopUpLimits> TopUpLimitsAsync(CancellationToken cancellationToken)
    {
        if (await settings.GetAsync(SyncWorker.TopUpLimitsKey, cancellationToken).ConfigureAwait(false) is { } json
            && System.Text.Json.JsonSerializer.Deserialize(json, ContractsJsonContext.Default.TopUpLimitsDto) is { } pulled)
        {
            return new TopUpLimits(new Core.Money.Vnd(pulled.MaxBalance), new Core.Money.Vnd(pulled.MaxPerDay));
        }

        var type = (await catalogue.GetInstitutionAsync(cancellationToken).ConfigureAwait(false))?.Type ?? InstitutionType.Primary;
        return TopUpLimits.DefaultFor(type);
    }

    /// <summary>What this terminal has put on <paramref name="accountCode"/> today (Vietnam's day), waiting or confirmed.</summary>
    public Task<Core.Money.Vnd> TopUpsTodayAsync(string accountCode, CancellationToken cancellationToken) =>
        payments.TopUpsSinceAsync(accountCode, LocalDayStart(), cancellationToken);

    private DateTimeOffset LocalDayStart()
    {
        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), options.Value.ResolveTimeZone());
        return new DateTimeOffset(local.Date, local.Offset);
    }

    // The account a top-up is for: the card on the reader (by the tap's reference at the kiosk), or a payer code.
    private async Task<(PayerAccount Account, string? CardUid, NamedTap? Tap)> TopUpAccountAsync(TopUpInput input, CancellationToken cancellationToken)
    {
        if (input.CardUid is not null)
        {
            var (uid, tap) = CardOf(input.CardUid, input.StaffSignedIn);
            var account = await catalogue.FindOrRefuseAsync(uid, null, PaymentRefusal.CardNotRecognised(PersonalData.MaskCardUid(uid)), cancellationToken).ConfigureAwait(false);
            return (account, uid, tap);
        }

        if (PayerCode.TryNormalise(input.PayerCode, out var code))
        {
            return (await catalogue.FindOrRefuseAsync(null, code, PaymentRefusal.PayerNotFound(code), cancellationToken).ConfigureAwait(false), null, null);
        }

        throw new PaymentRefusedException(PaymentRefusal.InvalidRequest(string.IsNullOrWhiteSpace(input.PayerCode) ? "top_up.invalid.no_payer" : "payment.invalid_payer_code"));
    }

    /// <summary>
    /// Puts a new VietQR payment on the customer display. With the province server out of reach the payer can
    /// still pay (the bank does not need the terminal), so a slip with the amount, account and transfer code is
    /// printed, saying the receipt follows when the bank confirms.
    /// </summary>
    private async Task<TakenPayment> OfferQrAsync(PaymentResult result)
    {
        var payment = result.Payment;
        expiry.Request();
        var institution = await catalogue.GetInstitutionAsync(CancellationToken.None).ConfigureAwait(false);
        if (result.Replayed || payment.State != PaymentState.Pending || institution?.Account is not { } account)
        {
            return new TakenPayment(result, "pending", null);
        }

        var offline = !link.Online;
        var provider = offline || await settings.GetAsync(CatalogueStore.PaymentServiceKey, CancellationToken.None).ConfigureAwait(false) is null
            ? null : await RequestProviderQrAsync(payment, account).ConfigureAwait(false);
        display.ShowQr(payment, account,
            offline ? Messages.Vi("terminal.service.display.offline_qr") : null,
            offline ? Messages.En("terminal.service.display.offline_qr") : null,
            providerQr: provider);
        if (!offline)
        {
            return new TakenPayment(result, "pending", null);
        }

        var (printed, problem) = await PrintProvisionalAsync(payment.Id, CancellationToken.None).ConfigureAwait(false);
        return new TakenPayment(result, "pending", problem, printed);
    }

    /// <summary>
    /// With the province in reach and a payment service named at the last pull, asks the province for the service's
    /// QR (payOS's payment request, where the institution's connection is payOS). Any failure (the province slow or gone, payOS refusing, a QR for another
    /// account or amount) leaves the terminal's own QR on screen: the offline path is the same as before.
    /// </summary>
    private async Task<ProviderQr?> RequestProviderQrAsync(Payment payment, Core.Domain.ReceivingAccount account)
    {
        var qr = payment.Qr!;
        var due = payment.Amount.Value - payment.Received.Value;
        try
        {
            var answer = await province.RequestPaymentAsync(new PaymentRequestDto(payment.Id, qr.TransferCode, due, qr.ExpiresAt), CancellationToken.None).ConfigureAwait(false);
            if (answer is not { Provider: { } name, QrCode: { } code })
            {
                logger.LogDebug("Payment {Payment}: no payment-service QR ({Reason}); the terminal's own is shown", payment.Id, answer.Reason);
                return null;
            }

            var provider = new ProviderQr(name, code, answer.CheckoutUrl);
            if (providerQrs.Accept(payment.Id, provider, account, due))
            {
                logger.LogInformation("Payment {Payment}: {Provider}'s QR shown (order {Order})", payment.Id, name, answer.OrderCode);
                return provider;
            }

            logger.LogWarning("Payment {Payment}: {Provider}'s QR names another account or amount; the terminal's own is shown", payment.Id, name);
            return null;
        }
        catch (Exception e) when (e is SyncTransientException or SyncRefusedException)
        {
            logger.LogInformation("Payment {Payment}: the payment service's QR could not be had ({Error}); the terminal's own is shown", payment.Id, e.Message);
            return null;
        }
    }

    /// <summary>Prints the provisional slip of a VietQR payment (its transfer code and QR; not a receipt); a second one is marked as a copy.</summary>
    public async Task<(bool Printed, string? Problem)> PrintProvisionalAsync(string paymentId, CancellationToken cancellationToken)
    {
        var slip = await payments.BuildReceiptAsync(paymentId, options.Value.ResolveTimeZone(), provisional: true, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No payment {paymentId}.");
        var outcome = await printQueue.PrintDocumentAsync(PrintJobKinds.Provisional, paymentId, ReceiptLayouts.Payment(slip), options.Value.PrintWait, cancellationToken).ConfigureAwait(false);
        return (outcome.Printed, outcome.Problem);
    }

    /// <summary>
    /// Records a bank confirmation from the province server (once), prints the receipt for money received, shows
    /// the outcome, and for an underpayment offers a new QR for the rest at once.
    /// </summary>
    public async Task ApplyConfirmationAsync(ConfirmationDto confirmation, CancellationToken cancellationToken)
    {
        var recorded = await payments.RecordConfirmationAsync(confirmation, cancellationToken).ConfigureAwait(false);
        if (recorded is null)
        {
            logger.LogWarning("Confirmation {Confirmation} names payment {Payment}, which this terminal does not hold", confirmation.Id, confirmation.PaymentId);
            return;
        }

        // Seen before: its receipt was queued with it and the print queue looks after it.
        if (!recorded.IsNew)
        {
            return;
        }

        var payment = recorded.Payment;
        providerQrs.Forget(payment.Id);
        await announcer.AnnounceAsync(payment, confirmation, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Payment {Payment}: bank reports {Outcome}, {Amount} VND (received {Total} of {Expected})",
            payment.Id, confirmation.Outcome, confirmation.Amount, confirmation.TotalReceived, confirmation.Expected);
        sync.Request();
        expiry.Request();
        if (confirmation.Outcome == TransferOutcomes.PaidTwice)
        {
            // Nothing more is owed; the province refunds. The payer already has the receipt.
            return;
        }

        try
        {
            await WaitForReceiptAsync(payment.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            logger.LogError(e, "Receipt of confirmed payment {Payment}: its state could not be read", payment.Id);
        }

        if (payment.Purpose == PaymentPurpose.TopUp)
        {
            // Money on the card: short or not, what arrived is on the balance; the screen says how much and the balance now.
            events.Raise(PaymentEvent.Paid);
            var added = new Core.Money.Vnd(Math.Min(confirmation.TotalReceived, confirmation.Expected)).ToString();
            var balance = confirmation.BalanceAfter is { } after ? new Core.Money.Vnd(after).ToString() : "-";
            display.ShowOutcome(payment, "confirmed", Messages.Vi("top_up.display.confirmed", added, balance), Messages.En("top_up.display.confirmed", added, balance));
            return;
        }

        if (confirmation.Outcome == TransferOutcomes.Underpaid)
        {
            events.Raise(PaymentEvent.Underpaid);
            await OfferRemainderAsync(payment, confirmation, cancellationToken).ConfigureAwait(false);
            return;
        }

        var late = confirmation.Flags.Contains("late");
        events.Raise(PaymentEvent.Paid);
        var overpaid = confirmation.Outcome == TransferOutcomes.Overpaid;
        var excess = new Core.Money.Vnd(confirmation.TotalReceived - confirmation.Expected).ToString();
        var key = overpaid ? "terminal.service.display.overpaid" : late ? "terminal.service.display.paid_late" : "terminal.service.display.paid";
        display.ShowOutcome(payment, "confirmed", Messages.Vi(key, excess), Messages.En(key, excess));
    }

    // The offers a new VietQR payment withdrew in its transaction (PaymentStore: one live QR for a bill at a time): their
    // payment service's QRs are forgotten; the display shows the new QR, and the journal carries each end to the province.
    private void ForgetWithdrawn(PaymentResult result)
    {
        foreach (var withdrawn in result.WithdrawnOffers ?? [])
        {
            providerQrs.Forget(withdrawn);
            logger.LogInformation("VietQR offer {Withdrawn} withdrawn: {Payment} offers its bills now", withdrawn, result.Payment.Id);
        }
    }

    /// <summary>Ends a pending VietQR payment's offer (expired, or cancelled by the payer).</summary>
    public async Task<Payment?> EndQrAsync(string paymentId, string reason, CancellationToken cancellationToken)
    {
        var before = await payments.GetAsync(paymentId, cancellationToken).ConfigureAwait(false);
        var payment = await payments.ExpireAsync(paymentId, reason, cancellationToken).ConfigureAwait(false);
        providerQrs.Forget(paymentId);
        if (payment is null || before?.State != PaymentState.Pending || payment.State != PaymentState.Expired)
        {
            return payment;
        }

        sync.Request();
        expiry.Request();
        if (reason == "cancelled")
        {
            display.ShowOutcome(payment, "cancelled", Messages.Vi("terminal.service.display.cancelled"), Messages.En("terminal.service.display.cancelled"));
        }
        else
        {
            events.Raise(PaymentEvent.Expired);
            display.ShowOutcome(payment, "expired", Messages.Vi("terminal.service.display.expired"), Messages.En("terminal.service.display.expired"));
        }

        return payment;
    }

    private async Task OfferRemainderAsync(Payment underpaid, ConfirmationDto confirmation, CancellationToken cancellationToken)
    {
        // The province says the payment's bills owe nothing more through it (paid another way meanwhile, such as at the
        // counter): no QR for the rest, whose money could only be refunded; the screen says what arrived and that the
        // excess is refunded. An older province sends the amount less what was received here, never 0 when underpaid.
        if (confirmation.Remaining <= 0)
        {
            logger.LogInformation("No QR for the rest of {Payment}: its bills were paid another way", underpaid.Id);
            display.ShowOutcome(underpaid, "underpaid",
                Messages.Vi("terminal.service.display.underpaid_settled", underpaid.Received.ToString()),
                Messages.En("terminal.service.display.underpaid_settled", underpaid.Received.ToString()));
            return;
        }

        // The server credits in allocation order; what is left of each allocation is the new payment's share.
        var left = confirmation.TotalReceived;
        var rest = new List<RequestedAllocation>();
        foreach (var allocation in underpaid.Allocations)
        {
            var share = Math.Min(allocation.Amount.Value, left);
            left -= share;
            if (allocation.Amount.Value > share)
            {
                rest.Add(new RequestedAllocation(allocation.BillId, allocation.Amount.Value - share));
            }
        }

        try
        {
            var remainder = await payments.CreateAsync(
                new CreatePaymentCommand($"rest-{confirmation.Id}", underpaid.AccountCode, underpaid.CardUid, PaymentMethod.VietQr, rest, underpaid.Operator, QrLifetime: options.Value.QrLifetime),
                cancellationToken).ConfigureAwait(false);
            ForgetWithdrawn(remainder);
            expiry.Request();
            var institution = await catalogue.GetInstitutionAsync(cancellationToken).ConfigureAwait(false);
            if (institution?.Account is { } account)
            {
                display.ShowQr(remainder.Payment, account,
                    Messages.Vi("terminal.service.display.underpaid_rest", underpaid.Received.ToString(), underpaid.Remaining.ToString()),
                    Messages.En("terminal.service.display.underpaid_rest", underpaid.Received.ToString(), underpaid.Remaining.ToString()),
                    underpaid);
            }
        }
        catch (PaymentRefusedException e)
        {
            // The bills changed meanwhile (paid elsewhere): nothing to offer; say what arrived.
            logger.LogWarning("No QR for the rest of {Payment}: {Reason}", underpaid.Id, e.Refusal.English);
            display.ShowOutcome(underpaid, "underpaid",
                Messages.Vi("terminal.service.display.underpaid", underpaid.Received.ToString(), underpaid.Remaining.ToString()),
                Messages.En("terminal.service.display.underpaid", underpaid.Received.ToString(), underpaid.Remaining.ToString()));
        }
    }

    /// <summary>
    /// Prints the receipt of a payment: the original while it has never reached paper, otherwise a copy marked
    /// BẢN SAO - IN LẠI. Waits up to <c>Terminal:PrintWait</c>; a held job prints when the printer recovers.
    /// </summary>
    public async Task<(bool Printed, string? Problem)> PrintAsync(string paymentId, CancellationToken cancellationToken)
    {
        var outcome = await printQueue.PrintReceiptAsync(paymentId, reprint: false, options.Value.PrintWait, cancellationToken).ConfigureAwait(false);
        return (outcome.Printed, outcome.Problem);
    }

    // Waits for the receipt job queued with the payment (or its confirmation) without queuing another.
    private async Task<(bool Printed, string? Problem)> WaitForReceiptAsync(string paymentId, CancellationToken cancellationToken)
    {
        if (await printJobs.LatestAsync(PrintJobKinds.Receipt, paymentId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return (false, Messages.Vi("terminal.service.no_receipt_job") + " / " + Messages.En("terminal.service.no_receipt_job"));
        }

        var outcome = await printQueue.WaitAsync(job.Id, options.Value.PrintWait, cancellationToken).ConfigureAwait(false);
        return (outcome.Printed, outcome.Problem);
    }

    /// <summary>
    /// Online, the province server authorises the payment against the balance it holds (the truth). When it cannot
    /// be reached, the terminal may take the payment on its own within the offline limits the province set.
    /// </summary>
    private async Task<CreatePaymentCommand> AuthoriseAsync(CreatePaymentCommand command, PayerAccount account, string? pin, CancellationToken cancellationToken)
    {
        var bills = await catalogue.GetBillsAsync(account.Code, cancellationToken).ConfigureAwait(false);
        var amount = Core.Money.Vnd.Sum(PaymentPlanner.Allocate(account, bills, command.Bills).Select(a => a.Amount));
        if (account.Refuses(command.CardUid))
        {
            throw new PaymentRefusedException(PaymentRefusal.CardBlocked());
        }

        // Above the PIN amount the holder's PIN, checked by the province server alone, at the kiosk and at the counter
        // alike: a cashier's session does not stand in for the card holder.
        var pinNeeded = amount.Value > options.Value.CardPinAbove;
        if (pinNeeded && pin is null)
        {
            throw new PaymentRefusedException(CardPinRefusals.Required(new Core.Money.Vnd(options.Value.CardPinAbove)));
        }

        if (pinNeeded && !StaffStore.IsValidPin(pin))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.pin.format"));
        }

        // A card issued or replaced here a moment ago pays here at once: this terminal knows it, the province only once
        // the change is pushed, and would answer "card not recognised" to the payer standing at the counter.
        if (await cards.IsIssuedHereUnsentAsync(command.CardUid!, cancellationToken).ConfigureAwait(false)
            && await syncWorker.PushNowAsync(cancellationToken).ConfigureAwait(false) is { } pushError)
        {
            logger.LogWarning("Could not push this terminal's card change before authorising its card ({Error})", pushError);
        }

        try
        {
            var answer = await province.AuthoriseAsync(new AuthoriseRequest(account.Code, command.CardUid!, amount.Value, pinNeeded ? pin : null), cancellationToken).ConfigureAwait(false);
            if (answer.Approved)
            {
                return command with { AuthorisedBalance = new Core.Money.Vnd(answer.Balance) };
            }

            throw new PaymentRefusedException(answer.Reason switch
            {
                "card_blocked" => PaymentRefusal.CardBlocked(),
                "card_not_recognised" => PaymentRefusal.CardNotRecognised(PersonalData.MaskCardUid(command.CardUid!)),
                "pin_wrong" => CardPinRefusals.Wrong(answer.PinTriesLeft ?? 0),
                "pin_locked" => CardPinRefusals.Locked(),
                "pin_not_set" => CardPinRefusals.NotSet(),
                _ => PaymentRefusal.InsufficientBalance(new Core.Money.Vnd(Math.Max(0, answer.Balance)).ToString(), amount.ToString()),
            });
        }
        catch (SyncRefusedException e)
        {
            // Not enrolled, revoked or not trusted: no card payments, online or off.
            logger.LogWarning("Card payment refused: the province server does not accept this terminal ({Code})", e.Problem?.Code);
            throw new PaymentRefusedException(PaymentRefusal.Of("terminal_not_authorised", "payment.terminal_not_authorised", RefusalKind.Refused, e.Problem?.Code));
        }
        catch (SyncTransientException e) when (pinNeeded)
        {
            logger.LogWarning("Province server unreachable for a payment that needs the card PIN ({Error}); refused", e.Message);
            throw new PaymentRefusedException(CardPinRefusals.NeedsNetwork());
        }
        catch (SyncTransientException e)
        {
            logger.LogWarning("Province server unreachable for authorisation ({Error}); applying the offline limits", e.Message);
        }

        var now = time.GetUtcNow();
        var policy = await settings.GetAsync(SyncWorker.OfflinePolicyKey, cancellationToken).ConfigureAwait(false) is { } json
            ? System.Text.Json.JsonSerializer.Deserialize(json, ContractsJsonContext.Default.OfflinePolicyDto)!
            : OfflinePolicyDto.Default;
        var lastSync = (await outbox.GetStatusAsync(cancellationToken).ConfigureAwait(false)).LastSuccessAt;
        var lastPull = await settings.GetAsync(SyncWorker.LastPullKey, cancellationToken).ConfigureAwait(false) is { } pulled
            ? DateTimeOffset.Parse(pulled, System.Globalization.CultureInfo.InvariantCulture)
            : (DateTimeOffset?)null;
        var local = TimeZoneInfo.ConvertTime(now, options.Value.ResolveTimeZone());
        var (cardToday, unsynced) = await payments.GetOfflineExposureAsync(command.CardUid!, new DateTimeOffset(local.Date, local.Offset), cancellationToken).ConfigureAwait(false);
        var refusal = OfflineLimits.Check(
            new OfflinePolicy(new(policy.MaxPerPayment), new(policy.MaxPerCardPerDay), new(policy.MaxUnsyncedTotal), TimeSpan.FromMinutes(policy.MaxMinutesSinceSync), TimeSpan.FromMinutes(policy.MaxDenyListAgeMinutes)),
            new OfflineExposure(amount, cardToday, unsynced, now - lastSync, now - lastPull));
        if (refusal is not null)
        {
            throw new PaymentRefusedException(refusal);
        }

        return command with { Offline = true };
    }

    // The request's own form, before anything is read: its method, its key, its bills.
    private static PaymentMethod CheckRequest(PaymentInput input)
    {
        if (!PaymentWireNames.TryParseMethod(input.Method ?? "card_balance", out var method))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.method", input.Method));
        }

        if (input.ClientRequestId is { Length: > 64 })
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.request_id"));
        }

        if (input.Bills is null || input.Bills.Count == 0)
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.no_bills"));
        }

        // What the JSON reader lets through (a null element, a null billId, any long) is checked here, each refusal
        // naming the field, before anything reads a bill or writes a row.
        for (var i = 0; i < input.Bills.Count; i++)
        {
            var bill = input.Bills[i];
            if (bill is null)
            {
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.null_bill", i));
            }

            if (string.IsNullOrWhiteSpace(bill.BillId))
            {
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.no_bill_id"));
            }

            if (bill.BillId.Length > 64)
            {
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.bill_id", i));
            }

            if (bill.Amount is > Core.Money.Vnd.MaxAmount)
            {
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.amount_too_large", i, new Core.Money.Vnd(Core.Money.Vnd.MaxAmount).ToString()));
            }
        }

        return method;
    }

    private async Task<(CreatePaymentCommand Command, PayerAccount Account, NamedTap? Tap)> NormaliseAsync(PaymentInput input, PaymentMethod method, CancellationToken cancellationToken)
    {
        string? uid = null;
        NamedTap? tap = null;
        PayerAccount? account;
        if (input.CardUid is not null)
        {
            (uid, tap) = CardOf(input.CardUid, input.Operator is not null);
            account = await catalogue.FindOrRefuseAsync(uid, null, PaymentRefusal.CardNotRecognised(PersonalData.MaskCardUid(uid)), cancellationToken).ConfigureAwait(false);
            if (input.PayerCode is not null && !string.Equals(input.PayerCode.Trim(), account.Code, StringComparison.OrdinalIgnoreCase))
            {
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.card_not_of_payer"));
            }
        }
        else if (PayerCode.TryNormalise(input.PayerCode, out var code))
        {
            account = await catalogue.FindOrRefuseAsync(null, code, PaymentRefusal.PayerNotFound(code), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // A payer code that was given but is no payer code is malformed, not missing.
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest(string.IsNullOrWhiteSpace(input.PayerCode) ? "payment.invalid.no_payer" : "payment.invalid_payer_code"));
        }

        if (input.Operator is { Length: > 64 })
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.operator"));
        }

        var external = ExternalCardOf(input, method);
        logger.LogDebug("Payment request for {Payer} with card {Card}", PersonalData.MaskName(account.FullName), uid is null ? "-" : PersonalData.MaskCardUid(uid));
        var bills = input.Bills!;
        var hash = input.ClientRequestId is null ? null : IdempotentRequest.Hash(method, account.Code, uid, bills, external);
        return (new CreatePaymentCommand(input.ClientRequestId, account.Code, uid, method, bills, input.Operator, External: external, RequestHash: hash), account, tap);
    }

    // A request sent again under the key of a payment already taken (its answer lost) is answered with that payment,
    // before its card is checked: that payment has used its tap up since, and the kiosk sends the same reference again.
    // It is the key's request when it names that payment's card (by the card's UID, by a reference that is no longer
    // live, as the one that payment used up, or by the live reference of that card's tap) or, without a card, a payer
    // code, and then its hash must be that payment's (hashOf: the request's hash for an account and a card): the same
    // card with another bill, amount or method is another request under the key, 409. A request that names another card
    // is left to the card check (422 card_not_presented unless that card is on the reader, then 409 under the lock): the
    // key opens nothing for another card.
    private async Task<Payment?> ReplayOfAsync(string? clientRequestId, string? cardUid, string? payerCode, Func<string, string?, string> hashOf, CancellationToken cancellationToken)
    {
        if (clientRequestId is null || await payments.FindByClientRequestIdAsync(clientRequestId, cancellationToken).ConfigureAwait(false) is not { } earlier)
        {
            return null;
        }

        string accountCode;
        string? uid = null;
        if (cardUid is not null)
        {
            uid = CardPresence.IsReference(cardUid) ? presence.Resolve(cardUid) ?? earlier.CardUid : CardPresence.Normalise(cardUid);
            if (uid is null || !string.Equals(uid, earlier.CardUid, StringComparison.Ordinal)
                || (payerCode is not null && !string.Equals(payerCode.Trim(), earlier.AccountCode, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            accountCode = earlier.AccountCode;
        }
        else if (PayerCode.TryNormalise(payerCode, out var code))
        {
            accountCode = code;
        }
        else
        {
            return null;
        }

        return await payments.FindByClientRequestIdAsync(clientRequestId, cancellationToken, hashOf(accountCode, uid)).ConfigureAwait(false);
    }

    // The card a payment or top-up names, checked before anything looks it up. The kiosk names it by the tap's
    // reference, which stands for the card on the reader now and nothing else. A UID is taken from signed-in staff
    // (typed at the counter); from anyone else only while it is the card on the reader (tapped within CardTapValidity,
    // not used up), and otherwise refused as not presented whether or not the card exists, as the by-card look-up
    // refuses it: a UID is no secret, and the answer would name the payer and their bills. The tap it names (null for
    // staff's typed UID) is checked again under the payment lock, where the payment uses it up.
    private (string Uid, NamedTap? Tap) CardOf(string cardUid, bool staffSignedIn)
    {
        if (CardPresence.IsReference(cardUid))
        {
            var referenced = new NamedTap(presence.Resolve(cardUid) ?? throw new PaymentRefusedException(PaymentRefusal.CardNotPresented()), cardUid);
            return (referenced.Uid, referenced);
        }

        var uid = CardPresence.Normalise(cardUid) ?? throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.card_uid"));
        if (staffSignedIn)
        {
            return (uid, null);
        }

        var tapped = new NamedTap(uid, null);
        return IsOnReader(tapped) ? (uid, tapped) : throw new PaymentRefusedException(PaymentRefusal.CardNotPresented());
    }

    // The tap is still the card on the reader, not used up: its reference still the last tap's, or its card tapped last
    // within CardTapValidity.
    private bool IsOnReader(NamedTap tap) => tap.Reference is { } reference
        ? string.Equals(presence.Resolve(reference), tap.Uid, StringComparison.Ordinal)
        : presence.IsPresented(tap.Uid, options.Value.CardTapValidity);

    // A tap a request names: by its reference, or by the card's UID from someone not signed in.
    private sealed record NamedTap(string Uid, string? Reference);

    // A payment on the bank-card terminal beside the counter: only a signed-in cashier records one, with the approval
    // code and the last four digits. Anything that looks like a whole card number is refused and never stored or logged.
    // Any other method takes neither.
    private static ExternalCard? ExternalCardOf(PaymentInput input, PaymentMethod method)
    {
        if (method != PaymentMethod.ExternalCardTerminal)
        {
            return input.ApprovalCode is null && input.CardLast4 is null
                ? null
                : throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.external_fields"));
        }

        if (input.Operator is null)
        {
            throw new PaymentRefusedException(PaymentRefusal.Of("counter_only", "payment.counter_only", RefusalKind.Refused));
        }

        // More than 4 characters where the last 4 digits go, or an approval code made of 12 or more digits, is a
        // card number typed in the wrong place.
        if ((input.CardLast4?.Length ?? 0) > 4 || (input.ApprovalCode ?? string.Empty).Count(char.IsAsciiDigit) >= 12)
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.full_card_number"));
        }

        var external = new ExternalCardDto((input.ApprovalCode ?? string.Empty).Trim().ToUpperInvariant(), (input.CardLast4 ?? string.Empty).Trim());
        if (!external.IsValid)
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.invalid.external_card"));
        }

        return new ExternalCard(external.ApprovalCode, external.Last4);
    }
}

/// <summary>Why a self-service card payment that needs the holder's PIN was not taken.</summary>
internal static class CardPinRefusals
{
    public static PaymentRefusal Required(Core.Money.Vnd above) => PaymentRefusal.Of("pin_required", "payment.pin.required", RefusalKind.Refused, above.ToString());

    public static PaymentRefusal Wrong(int triesLeft) => PaymentRefusal.Of("pin_wrong", "payment.pin.wrong", RefusalKind.Refused, triesLeft);

    public static PaymentRefusal Locked() => PaymentRefusal.Of("pin_locked", "payment.pin.locked", RefusalKind.Refused);

    public static PaymentRefusal NotSet() => PaymentRefusal.Of("pin_not_set", "payment.pin.not_set", RefusalKind.Refused);

    public static PaymentRefusal NeedsNetwork() => PaymentRefusal.Of("pin_needs_network", "payment.pin.needs_network", RefusalKind.Refused);
}
