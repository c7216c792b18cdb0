using System.Globalization;
using Dapper;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.Receipts;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>A request to take a payment.</summary>
/// <param name="ClientRequestId">The caller's idempotency key: the same key returns the same payment, never a second one.</param>
/// <param name="AccountCode">The payer.</param>
/// <param name="CardUid">The card presented (required for a card-balance payment).</param>
/// <param name="Method">How it is paid.</param>
/// <param name="Bills">The bills to pay.</param>
/// <param name="Operator">The cashier, if any.</param>
/// <param name="AuthorisedBalance">The balance the province server reported when it authorised the payment; null offline.</param>
/// <param name="Offline">True when taken within the offline limits, without the server's authorisation.</param>
/// <param name="QrLifetime">For a VietQR payment, how long its QR is offered (default 15 minutes).</param>
/// <param name="External">For a payment on an external bank-card terminal: the approval code and the card's last 4 digits.</param>
/// <param name="Purpose">Bills, or a top-up of the account's balance (a VietQR payment of <paramref name="TopUpAmount"/> without bills).</param>
/// <param name="TopUpAmount">For a top-up: how much to put on the balance.</param>
/// <param name="RequestHash">A hash of the request as the caller made it (<see cref="IdempotentRequest"/>), stored with
/// <paramref name="ClientRequestId"/>: the key again with another request is refused, never answered with this payment.</param>
public sealed record CreatePaymentCommand(
    string? ClientRequestId,
    string AccountCode,
    string? CardUid,
    PaymentMethod Method,
    IReadOnlyList<RequestedAllocation> Bills,
    string? Operator,
    Core.Money.Vnd? AuthorisedBalance = null,
    bool Offline = false,
    TimeSpan QrLifetime = default,
    ExternalCard? External = null,
    string? RequestHash = null,
    PaymentPurpose Purpose = PaymentPurpose.Bills,
    long TopUpAmount = 0);

/// <summary>A confirmation recorded: the payment after it, and whether it was new (not recorded before).</summary>
/// <param name="Payment">The payment after the confirmation.</param>
/// <param name="IsNew">False when this confirmation had been recorded before (a repeated delivery).</param>
public sealed record ConfirmationResult(Payment Payment, bool IsNew);

/// <summary>A payment taken, or found again by its idempotency key.</summary>
/// <param name="Payment">The payment.</param>
/// <param name="Replayed">True when the key had been used before and this is the original payment.</param>
/// <param name="WithdrawnOffers">
/// For a new VietQR payment: the earlier live VietQR offers of this terminal for any of its bills, which it withdrew
/// (ended as cancelled) in its own transaction; null or empty when there were none.
/// </param>
public sealed record PaymentResult(Payment Payment, bool Replayed, IReadOnlyList<string>? WithdrawnOffers = null);

/// <summary>A VietQR offer of this terminal still live: waiting for the bank (pending), its QR not expired.</summary>
/// <param name="PaymentId">The VietQR payment.</param>
/// <param name="Amount">What its QR asks.</param>
/// <param name="ExpiresAt">When its QR expires.</param>
public sealed record LiveQrOffer(string PaymentId, Vnd Amount, DateTimeOffset ExpiresAt);

/// <summary>Takes payments: the checks, the journal entry, the payment row and the outbox row in one transaction.</summary>
public sealed class PaymentStore(SqliteDatabase database, string terminalId, TimeProvider time)
{
    /// <summary>
    /// Takes a payment. When this returns, the payment is committed with <c>synchronous=FULL</c> and may be
    /// acknowledged to the payer; when it throws, nothing was written.
    /// </summary>
    /// <exception cref="PaymentRefusedException">The payment must not be taken; the refusal says why.</exception>
    public async Task<PaymentResult> CreateAsync(CreatePaymentCommand command, CancellationToken cancellationToken = default)
    {
        if (command.Method is PaymentMethod.ExternalCardTerminal && (command.External is null || command.Operator is null))
        {
            // Only a cashier at a counter takes a payment on the bank-card terminal beside it.
            throw new PaymentRefusedException(PaymentRefusal.MethodNotAvailable(command.Method.WireName()));
        }

        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE: the balance check and the write happen under one write lock, so two payments on the
        // same card cannot both pass the check.
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (command.ClientRequestId is { } key &&
            await FindKeyAsync(connection, transaction, key, command.RequestHash, cancellationToken).ConfigureAwait(false) is { } existingId)
        {
            var existing = await ReadPaymentAsync(connection, transaction, existingId, cancellationToken).ConfigureAwait(false);
            return new PaymentResult(existing!, Replayed: true);
        }

        // The upgrade helper holds the lock from its check that no payment is open until the new version is healthy
        // (UpgradeStore): a payment is never half-way when the upgrade starts.
        if (await UpgradeStore.IsLockedAsync(connection, transaction, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new PaymentRefusedException(PaymentRefusal.Upgrading());
        }

        var account = await CatalogueStore.FindAccountAsync(connection, transaction, null, command.AccountCode, cancellationToken).ConfigureAwait(false)
            ?? throw new PaymentRefusedException(PaymentRefusal.PayerNotFound(command.AccountCode));
        if (command.Method == PaymentMethod.VietQr)
        {
            return await CreateVietQrAsync(connection, transaction, command, account, cancellationToken).ConfigureAwait(false);
        }

        if (command.Method == PaymentMethod.ExternalCardTerminal)
        {
            return await CreateExternalCardAsync(connection, transaction, command, account, cancellationToken).ConfigureAwait(false);
        }

        if (command.CardUid is null)
        {
            throw new PaymentRefusedException(PaymentRefusal.CardNotPresented());
        }

        if (!account.CardUids.Contains(command.CardUid, StringComparer.Ordinal))
        {
            throw new PaymentRefusedException(PaymentRefusal.CardNotRecognised(KioskPos.Core.Text.PersonalData.MaskCardUid(command.CardUid)));
        }

        if (account.Refuses(command.CardUid))
        {
            throw new PaymentRefusedException(PaymentRefusal.CardBlocked());
        }

        var bills = await CatalogueStore.ReadBillsAsync(connection, transaction, account.Code, cancellationToken).ConfigureAwait(false);
        // Online, the server's balance is the truth (the cache may be behind a top-up or another terminal's debit);
        // offline, the cached one. Either way less what this terminal took that the server does not have yet.
        var available = (command.AuthorisedBalance ?? account.Balance) - await CatalogueStore.UnsyncedDebitsAsync(connection, transaction, account.Code, cancellationToken).ConfigureAwait(false);
        var allocations = PaymentPlanner.PlanCardBalancePayment(account, bills, command.Bills, available);
        var amount = Vnd.Sum(allocations.Select(a => a.Amount));
        var now = time.GetUtcNow();
        await RefuseOverLiveQrAsync(connection, transaction, account.Code, allocations, now, cancellationToken).ConfigureAwait(false);

        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var id = Payment.MakeId(terminalId, sequence);
        var entry = new JournalEntryDto(
            sequence,
            EntryKinds.PaymentCreated,
            now,
            Payment: new PaymentCreatedDto(id, account.Code, command.CardUid, command.Method.WireName(), amount.Value,
                allocations.Select(a => new AllocationDto(a.BillId, a.Amount.Value)).ToList(), command.Operator, command.Offline, command.ClientRequestId));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, id, cancellationToken).ConfigureAwait(false);
        await InsertPaymentAsync(connection, transaction, entry, PaymentState.Completed, cancellationToken).ConfigureAwait(false);
        await StoreRequestHashAsync(connection, transaction, id, command.RequestHash, cancellationToken).ConfigureAwait(false);

        // The receipt's print job is part of the payment: a crash right after the commit still prints it.
        await PrintQueueStore.EnqueueAsync(connection, transaction, PrintJobKinds.Receipt, id, null, reprint: false, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PaymentResult(
            new Payment(id, terminalId, sequence, command.Method, amount, account.Code, command.CardUid, allocations, PaymentState.Completed, SyncState.Queued, now, command.Operator, [], command.Offline),
            Replayed: false);
    }

    /// <summary>
    /// A VietQR payment: the bills are planned as for any payment, but nothing is owed less until the bank confirms.
    /// The QR is made here from the institution's receiving account and this terminal's tag, so that it works with
    /// the network down: the payer can still pay, and the server matches the money when the entry arrives.
    /// </summary>
    private async Task<PaymentResult> CreateVietQrAsync(SqliteConnection connection, SqliteTransaction transaction, CreatePaymentCommand command, PayerAccount account, CancellationToken cancellationToken)
    {
        var institution = await CatalogueStore.ReadInstitutionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var tagText = await SettingsStore.GetAsync(connection, transaction, CatalogueStore.QrTagKey, cancellationToken).ConfigureAwait(false);
        if (institution?.Account is not { } bank || !int.TryParse(tagText, NumberStyles.None, CultureInfo.InvariantCulture, out var tag))
        {
            throw new PaymentRefusedException(PaymentRefusal.VietQrUnavailable());
        }

        // A top-up pays no bill: its amount is what the payer chose, within the limits the service checked.
        IReadOnlyList<PaymentAllocation> allocations = command.Purpose == PaymentPurpose.TopUp
            ? []
            : PaymentPlanner.Allocate(account, await CatalogueStore.ReadBillsAsync(connection, transaction, account.Code, cancellationToken).ConfigureAwait(false), command.Bills);
        var amount = command.Purpose == PaymentPurpose.TopUp ? new Vnd(command.TopUpAmount) : Vnd.Sum(allocations.Select(a => a.Amount));
        var now = time.GetUtcNow();

        // Only one QR for a bill is live at this terminal: a new offer withdraws the earlier live ones for any of its
        // bills, in this transaction, before its own entry. The parent who pressed Back and chose QR again, the cashier
        // who offers a QR for another amount, would otherwise leave two codes that both pay the same bills (the second
        // transfer only flagged for refund at the province). The kiosk cancels its QR when the parent leaves it, but not
        // when its page is reloaded or its cancel is lost, and the counter offers no cancel of the QR on the customer
        // display: the rule is kept here, where every offer passes.
        var withdrawn = new List<string>();
        foreach (var offer in await LiveQrOffersAsync(connection, transaction, account.Code, allocations.Select(a => a.BillId), now, cancellationToken).ConfigureAwait(false))
        {
            await EndOfferAsync(connection, transaction, offer.PaymentId, WithdrawnReason, now, cancellationToken).ConfigureAwait(false);
            withdrawn.Add(offer.PaymentId);
        }

        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var id = Payment.MakeId(terminalId, sequence);
        var code = TransferCode.Create(tag, sequence).Value;
        var payload = VietQrBuilder.Build(new VietQrPayload(
            Dynamic: true,
            bank.BankBin,
            bank.AccountNumber,
            Amount: amount.Value,
            MerchantName: TrimTo(AsciiText.Fold(bank.AccountName), 25),
            Additional: new VietQrAdditionalData(BillNumber: TrimTo(account.Code, 25), TerminalLabel: TrimTo(terminalId, 25), Purpose: code)));
        var qr = new PaymentQr(code, payload, now + (command.QrLifetime > TimeSpan.Zero ? command.QrLifetime : DefaultQrLifetime));
        var entry = new JournalEntryDto(
            sequence,
            EntryKinds.PaymentCreated,
            now,
            Payment: new PaymentCreatedDto(id, account.Code, command.CardUid, command.Method.WireName(), amount.Value,
                allocations.Select(a => new AllocationDto(a.BillId, a.Amount.Value)).ToList(), command.Operator, false, command.ClientRequestId,
                new VietQrDto(qr.TransferCode, qr.Payload, qr.ExpiresAt), Purpose: command.Purpose == PaymentPurpose.TopUp ? command.Purpose.WireName() : null));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, id, cancellationToken).ConfigureAwait(false);
        await InsertPaymentAsync(connection, transaction, entry, PaymentState.Pending, cancellationToken).ConfigureAwait(false);
        await StoreRequestHashAsync(connection, transaction, id, command.RequestHash, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PaymentResult(
            new Payment(id, terminalId, sequence, PaymentMethod.VietQr, amount, account.Code, command.CardUid, allocations, PaymentState.Pending, SyncState.Queued, now,
                command.Operator, [], false, "pending", null, qr, Vnd.Zero, Purpose: command.Purpose),
            Replayed: false, withdrawn);
    }

    /// <summary>
    /// A payment the cashier took on the bank-card terminal beside the counter: the bank approved it there, so it is
    /// complete at once; the bills are paid, no balance moves, and only the approval code and last 4 digits are kept.
    /// </summary>
    private async Task<PaymentResult> CreateExternalCardAsync(SqliteConnection connection, SqliteTransaction transaction, CreatePaymentCommand command, PayerAccount account, CancellationToken cancellationToken)
    {
        var bills = await CatalogueStore.ReadBillsAsync(connection, transaction, account.Code, cancellationToken).ConfigureAwait(false);
        var allocations = PaymentPlanner.Allocate(account, bills, command.Bills);
        var amount = Vnd.Sum(allocations.Select(a => a.Amount));
        var now = time.GetUtcNow();
        await RefuseOverLiveQrAsync(connection, transaction, account.Code, allocations, now, cancellationToken).ConfigureAwait(false);
        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var id = Payment.MakeId(terminalId, sequence);
        var external = command.External!;
        var entry = new JournalEntryDto(
            sequence,
            EntryKinds.PaymentCreated,
            now,
            Payment: new PaymentCreatedDto(id, account.Code, null, command.Method.WireName(), amount.Value,
                allocations.Select(a => new AllocationDto(a.BillId, a.Amount.Value)).ToList(), command.Operator, false, command.ClientRequestId,
                External: new ExternalCardDto(external.ApprovalCode, external.Last4)));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, id, cancellationToken).ConfigureAwait(false);
        await InsertPaymentAsync(connection, transaction, entry, PaymentState.Completed, cancellationToken).ConfigureAwait(false);
        await StoreRequestHashAsync(connection, transaction, id, command.RequestHash, cancellationToken).ConfigureAwait(false);
        await PrintQueueStore.EnqueueAsync(connection, transaction, PrintJobKinds.Receipt, id, null, reprint: false, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PaymentResult(
            new Payment(id, terminalId, sequence, command.Method, amount, account.Code, null, allocations, PaymentState.Completed, SyncState.Queued, now, command.Operator,
                [], false, External: external),
            Replayed: false);
    }

    /// <summary>How long a QR is offered unless configured otherwise.</summary>
    public static readonly TimeSpan DefaultQrLifetime = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Records a bank confirmation from the province server as a journal entry and on the payment, once: a
    /// confirmation recorded before (the same server id) changes nothing.
    /// </summary>
    /// <returns>Null when the payment is not this terminal's (a database replaced since).</returns>
    public async Task<ConfirmationResult?> RecordConfirmationAsync(ConfirmationDto confirmation, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var payment = await ReadPaymentAsync(connection, transaction, confirmation.PaymentId, cancellationToken).ConfigureAwait(false);
        if (payment is null || payment.Method != PaymentMethod.VietQr)
        {
            return null;
        }

        if (await connection.ScalarAsync("SELECT 1 FROM confirmations WHERE id = $id", transaction, cancellationToken, ("$id", confirmation.Id)).ConfigureAwait(false) is not null)
        {
            return new ConfirmationResult(payment, IsNew: false);
        }

        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var body = new PaymentConfirmedDto(payment.Id, confirmation.Id, confirmation.Outcome, confirmation.Amount, confirmation.TotalReceived, confirmation.Remaining, confirmation.BankTransactionId,
            payment.Purpose == PaymentPurpose.TopUp ? confirmation.BalanceAfter : null);
        var entry = new JournalEntryDto(sequence, EntryKinds.PaymentConfirmed, time.GetUtcNow(), Confirmation: body);
        await Journal.AppendAsync(connection, transaction, entry, prevHash, payment.Id, cancellationToken).ConfigureAwait(false);
        await ApplyConfirmationAsync(connection, transaction, body, sequence, cancellationToken).ConfigureAwait(false);
        var after = (await ReadPaymentAsync(connection, transaction, payment.Id, cancellationToken).ConfigureAwait(false))!;
        if (confirmation.Outcome != TransferOutcomes.PaidTwice)
        {
            // Money received: its receipt is queued with the confirmation (paid twice: the payer has one already).
            await PrintQueueStore.EnqueueAsync(connection, transaction, PrintJobKinds.Receipt, payment.Id, null, reprint: false, entry.CreatedAt, cancellationToken).ConfigureAwait(false);
            await RecordCreditsAsync(connection, transaction, payment, after, sequence, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ConfirmationResult(after, IsNew: true);
    }

    // What this confirmation credited each bill, as the province credits it: what the bank has paid of the payment
    // spread over its bills in allocation order (PaymentRules.SpreadInOrder), less the spread before it. The bills the
    // terminal reads count it at once (CatalogueStore.ReadBillsAsync, never more than a bill still owes there) until a
    // pull asked after this entry brings the province's bill, which holds it (CatalogueStore.ApplyPullAsync). Only
    // here, not in ApplyConfirmationAsync: a journal rebuild must not count old confirmations again.
    private static async Task RecordCreditsAsync(SqliteConnection connection, SqliteTransaction transaction, Payment before, Payment after, long sequence, CancellationToken cancellationToken)
    {
        var was = PaymentRules.SpreadInOrder(before.Allocations, PaymentRules.Paid(before.Method, before.State, before.Amount, before.Received));
        var now = PaymentRules.SpreadInOrder(after.Allocations, PaymentRules.Paid(after.Method, after.State, after.Amount, after.Received));
        for (var i = 0; i < after.Allocations.Count; i++)
        {
            var credit = now[i] - was[i];
            if (credit.IsPositive)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO confirmed_credits (sequence, bill_id, amount) VALUES ($s, $b, $a)",
                    transaction, cancellationToken, ("$s", sequence), ("$b", after.Allocations[i].BillId), ("$a", credit.Value)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Ends the offer of a pending VietQR payment (its QR expired, or the payer cancelled); a payment with money
    /// confirmed, or already ended, is left as it is. Returns the payment, or null for an unknown one.
    /// </summary>
    public async Task<Payment?> ExpireAsync(string paymentId, string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var payment = await ReadPaymentAsync(connection, transaction, paymentId, cancellationToken).ConfigureAwait(false);
        if (payment is null || payment.State != PaymentState.Pending)
        {
            return payment;
        }

        await EndOfferAsync(connection, transaction, paymentId, reason, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var after = await ReadPaymentAsync(connection, transaction, paymentId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return after;
    }

    /// <summary>
    /// The reason journalled for an offer a newer one for the same bills withdrew: the payer's cancel, to the province
    /// (which knows the reasons <c>expired</c> and <c>cancelled</c>), as the terminal withdrew it for them.
    /// </summary>
    private const string WithdrawnReason = "cancelled";

    // Ends a pending VietQR payment's offer inside the caller's transaction: its payment.expired entry and its state.
    private static async Task EndOfferAsync(SqliteConnection connection, SqliteTransaction transaction, string paymentId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var entry = new JournalEntryDto(sequence, EntryKinds.PaymentExpired, now, Expiry: new PaymentExpiredDto(paymentId, reason));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, paymentId, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE payments SET state = $s WHERE id = $id", transaction, cancellationToken, ("$s", PaymentState.Expired.ToStored()), ("$id", paymentId)).ConfigureAwait(false);
    }

    /// <summary>
    /// The newest live VietQR offer of this terminal for any of <paramref name="billIds"/> of <paramref name="accountCode"/>,
    /// or null. A read ahead of the payment, so that a card payment is refused before the province's authorisation and
    /// the card's PIN rather than after them; the check that counts is the payment's own, in its transaction.
    /// </summary>
    public async Task<LiveQrOffer?> FindLiveQrOfferAsync(string accountCode, IEnumerable<string> billIds, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await LiveQrOffersAsync(connection, null, accountCode, billIds, time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    // A card-balance or bank-card payment for bills a live VietQR offer here covers is refused, nothing written: the
    // payer could still pay the QR, and the money would count twice as cashless until the province refunded the
    // transfer (paid_elsewhere_refund_due). Any bill in common is enough, whatever the amounts: the screens offer to
    // withdraw the offer (its cancel) and pay again; a part paid by card first and the rest by QR after it goes through.
    private static async Task RefuseOverLiveQrAsync(SqliteConnection connection, SqliteTransaction transaction, string accountCode, IReadOnlyList<PaymentAllocation> allocations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if ((await LiveQrOffersAsync(connection, transaction, accountCode, allocations.Select(a => a.BillId), now, cancellationToken).ConfigureAwait(false)).FirstOrDefault() is { } offer)
        {
            throw new PaymentRefusedException(PaymentRefusal.QrOfferPending(offer.PaymentId, offer.Amount.ToString()));
        }
    }

    // The live VietQR offers of this terminal for any of billIds, newest first. Pending is not enough: an offer past its
    // expiry that the expiry worker has not ended yet offers nothing any more (the screens' countdown is over).
    private static async Task<IReadOnlyList<LiveQrOffer>> LiveQrOffersAsync(SqliteConnection connection, SqliteTransaction? transaction, string accountCode, IEnumerable<string> billIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var wanted = billIds.ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync<LiveQrRow>(
            """
            SELECT p.id, p.amount, p.expires_at, pa.bill_id FROM payments p JOIN payment_allocations pa ON pa.payment_id = p.id
            WHERE p.account_code = $a AND p.state = $pending AND p.method = $vietqr AND p.expires_at IS NOT NULL
            ORDER BY p.sequence DESC
            """,
            new { a = accountCode, pending = PaymentState.Pending.ToStored(), vietqr = PaymentMethod.VietQr.ToStored() }, transaction).ConfigureAwait(false);
        return rows.Where(r => wanted.Contains(r.BillId) && StoredNames.ToTime(r.ExpiresAt) > now)
            .DistinctBy(r => r.Id)
            .Select(r => new LiveQrOffer(r.Id, new Vnd(r.Amount), StoredNames.ToTime(r.ExpiresAt)))
            .ToList();
    }

    /// <summary>The pending VietQR payments, soonest expiry first.</summary>
    public async Task<IReadOnlyList<(string PaymentId, DateTimeOffset ExpiresAt)>> PendingQrAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PendingQrRow>(
            "SELECT id, expires_at FROM payments WHERE state = 'pending' AND expires_at IS NOT NULL ORDER BY expires_at LIMIT 100").ConfigureAwait(false);
        return rows.Select(r => (r.Id, StoredNames.ToTime(r.ExpiresAt))).ToList();
    }

    /// <summary>Writes a payment row (and its allocations) for a <see cref="EntryKinds.PaymentCreated"/> entry; also used by the projection.</summary>
    internal static async Task InsertPaymentAsync(SqliteConnection connection, SqliteTransaction transaction, JournalEntryDto entry, PaymentState state, CancellationToken cancellationToken)
    {
        var p = entry.Payment!;
        await connection.ExecuteAsync(
            """
            INSERT INTO payments (id, sequence, client_request_id, account_code, card_uid, method, amount, state, operator, created_at, offline, transfer_code, qr_payload, expires_at,
                                  approval_code, card_last4, purpose)
            VALUES ($id, $s, $k, $a, $c, $m, $amt, $st, $op, $t, $off, $code, $qr, $exp, $appr, $last4, $purpose)
            """,
            transaction, cancellationToken, ("$id", p.PaymentId), ("$s", entry.Sequence), ("$k", p.ClientRequestId), ("$a", p.AccountCode), ("$c", p.CardUid),
            ("$m", p.Method), ("$amt", p.Amount), ("$st", state.WireName()), ("$op", p.Operator),
            ("$t", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture)), ("$off", p.Offline ? 1 : 0),
            ("$code", p.Qr?.TransferCode), ("$qr", p.Qr?.Payload), ("$exp", p.Qr?.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)),
            ("$appr", p.External?.ApprovalCode), ("$last4", p.External?.Last4), ("$purpose", p.Purpose ?? PaymentPurpose.Bills.WireName())).ConfigureAwait(false);
        foreach (var allocation in p.Allocations)
        {
            await connection.ExecuteAsync(
                "INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($p, $b, $a)",
                transaction, cancellationToken, ("$p", p.PaymentId), ("$b", allocation.BillId), ("$a", allocation.Amount)).ConfigureAwait(false);
        }
    }

    /// <summary>Applies a confirmation entry to the payment row; also used by the projection.</summary>
    internal static async Task ApplyConfirmationAsync(SqliteConnection connection, SqliteTransaction transaction, PaymentConfirmedDto confirmation, long sequence, CancellationToken cancellationToken)
    {
        // Paid twice changes nothing owed: the payment was paid in full before (the excess is the province's to refund).
        var state = confirmation.Outcome switch
        {
            TransferOutcomes.Underpaid => PaymentState.Underpaid.WireName(),
            TransferOutcomes.Paid or TransferOutcomes.Overpaid => PaymentState.Completed.WireName(),
            _ => null,
        };
        await connection.ExecuteAsync(
            "UPDATE payments SET received = MAX(received, $r), state = COALESCE($s, state), balance_after = COALESCE($b, balance_after) WHERE id = $id",
            transaction, cancellationToken, ("$r", confirmation.TotalReceived), ("$s", state), ("$b", confirmation.BalanceAfter), ("$id", confirmation.PaymentId)).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO confirmations (id, payment_id, sequence) VALUES ($id, $p, $s)",
            transaction, cancellationToken, ("$id", confirmation.ConfirmationId), ("$p", confirmation.PaymentId), ("$s", sequence)).ConfigureAwait(false);
    }

    private static string TrimTo(string text, int max) => text.Length <= max ? text : text[..max].TrimEnd();

    /// <summary>
    /// What this terminal has at stake offline: what <paramref name="cardUid"/> paid offline since
    /// <paramref name="dayStart"/>, and all offline payments the server does not have yet.
    /// </summary>
    public async Task<(Vnd CardToday, Vnd UnsyncedTotal)> GetOfflineExposureAsync(string cardUid, DateTimeOffset dayStart, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var card = Convert.ToInt64(await connection.ScalarAsync(
            "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE offline = 1 AND card_uid = $c AND created_at >= $d",
            null, cancellationToken, ("$c", cardUid), ("$d", dayStart.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var unsynced = Convert.ToInt64(await connection.ScalarAsync(
            $"SELECT COALESCE(SUM(p.amount), 0) FROM outbox o CROSS JOIN payments p ON p.sequence = o.sequence WHERE o.state IN {OutboxStore.UnsentStates} AND p.offline = 1",
            null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return (new Vnd(card), new Vnd(unsynced));
    }

    /// <summary>
    /// What this terminal has put on <paramref name="accountCode"/>'s balance since <paramref name="dayStart"/>: top-ups
    /// still waiting for the bank at their amount, confirmed ones at what arrived (expired ones not at all).
    /// </summary>
    public async Task<Vnd> TopUpsSinceAsync(string accountCode, DateTimeOffset dayStart, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return new Vnd(Convert.ToInt64(await connection.ScalarAsync(
            """
            SELECT COALESCE(SUM(CASE WHEN state = $pending THEN amount ELSE MIN(received, amount) END), 0) FROM payments
            WHERE purpose = $topUp AND account_code = $a AND created_at >= $d AND state IN ($pending, $completed, $underpaid)
            """,
            null, cancellationToken, ("$pending", PaymentState.Pending.ToStored()), ("$completed", PaymentState.Completed.ToStored()), ("$underpaid", PaymentState.Underpaid.ToStored()),
            ("$topUp", PaymentPurpose.TopUp.WireName()), ("$a", accountCode), ("$d", dayStart.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The payment taken earlier under an idempotency key, or null. With <paramref name="requestHash"/>, the key must
    /// have been used for the same request (Stripe's rule): another one is refused.
    /// </summary>
    /// <exception cref="IdempotencyKeyReusedException">The key was used before with another request.</exception>
    public async Task<Payment?> FindByClientRequestIdAsync(string clientRequestId, CancellationToken cancellationToken = default, string? requestHash = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var id = await FindKeyAsync(connection, null, clientRequestId, requestHash, cancellationToken).ConfigureAwait(false);
        return id is null ? null : await ReadPaymentAsync(connection, null, id, cancellationToken).ConfigureAwait(false);
    }

    // The payment under a key; a key whose stored request differs from this one is refused. A payment taken before
    // hashes were kept (or by the terminal itself, the rest of an underpaid QR) has none and matches any request.
    private static async Task<string?> FindKeyAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, string? requestHash, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var row = await connection.QueryFirstOrDefaultAsync<KeyRow>(
            "SELECT id, request_hash FROM payments WHERE client_request_id = $k", new { k = key }, transaction).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        if (requestHash is not null && row.RequestHash is not null && !string.Equals(row.RequestHash, requestHash, StringComparison.Ordinal))
        {
            throw new IdempotencyKeyReusedException(key);
        }

        return row.Id;
    }

    private static Task StoreRequestHashAsync(SqliteConnection connection, SqliteTransaction transaction, string paymentId, string? requestHash, CancellationToken cancellationToken) =>
        requestHash is null
            ? Task.CompletedTask
            : connection.ExecuteAsync("UPDATE payments SET request_hash = $h WHERE id = $id", transaction, cancellationToken, ("$h", requestHash), ("$id", paymentId));


    /// <summary>The latest payment the terminal offered for the rest of underpaid payment <paramref name="paymentId"/>, or null.</summary>
    public async Task<string?> FindRestAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (string?)await connection.ScalarAsync(
            "SELECT p.id FROM payments p JOIN confirmations c ON p.client_request_id = 'rest-' || c.id WHERE c.payment_id = $id ORDER BY p.sequence DESC LIMIT 1",
            null, cancellationToken, ("$id", paymentId)).ConfigureAwait(false);
    }

    /// <summary>The payment with <paramref name="id"/>, or null.</summary>
    public async Task<Payment?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadPaymentAsync(connection, null, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The most recent payments, newest first.</summary>
    public async Task<IReadOnlyList<Payment>> ListRecentAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = (await connection.QueryAsync<string>("SELECT id FROM payments ORDER BY sequence DESC LIMIT $n", new { n = Math.Clamp(limit, 1, 500) }).ConfigureAwait(false)).ToList();
        var payments = new List<Payment>(ids.Count);
        foreach (var id in ids)
        {
            payments.Add((await ReadPaymentAsync(connection, null, id, cancellationToken).ConfigureAwait(false))!);
        }

        return payments;
    }

    /// <summary>
    /// The token a receipt's lookup QR carries: the first 12 hex digits of the hash of the payment's journal entry,
    /// which the province server holds too. Without the receipt in hand nobody can guess it, so a receipt number
    /// alone does not open anyone's payment.
    /// </summary>
    public async Task<string?> LookupTokenAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var hash = (string?)await connection.ScalarAsync(
            "SELECT j.hash FROM payments p JOIN journal j ON j.sequence = p.sequence WHERE p.id = $id", null, cancellationToken, ("$id", paymentId)).ConfigureAwait(false);
        return hash is { Length: >= 12 } ? hash[..12].ToLowerInvariant() : null;
    }

    /// <summary>
    /// The key of a VietQR payment's link for a relative (<see cref="KioskPos.Core.Payments.PayLinkKey"/>), from the
    /// full hash of its journal entry, offline too; null for an unknown payment or one without a QR.
    /// </summary>
    public async Task<string?> PayLinkKeyAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var hash = (string?)await connection.ScalarAsync(
            "SELECT j.hash FROM payments p JOIN journal j ON j.sequence = p.sequence WHERE p.id = $id AND p.qr_payload IS NOT NULL", null, cancellationToken, ("$id", paymentId)).ConfigureAwait(false);
        return hash is { Length: > 0 } ? KioskPos.Core.Payments.PayLinkKey.Derive(hash) : null;
    }

    /// <summary>The voids and refunds of a payment, oldest first: whether a void, the amount and the journal entry (the slip's number).</summary>
    public async Task<IReadOnlyList<(bool Voided, Vnd Amount, long Sequence)>> ReversalsOfAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PaymentReversalRow>(
            "SELECT sequence, kind, amount FROM reversals WHERE payment_id = $id ORDER BY sequence", new { id = paymentId }).ConfigureAwait(false);
        return [.. rows.Select(r => (StoredNames.IsVoid(r.Kind), new Vnd(r.Amount), r.Sequence))];
    }

    /// <summary>Records a print outcome as a journal entry and on the payment, in one transaction.</summary>
    public async Task RecordReceiptAsync(string paymentId, bool printed, string? detail, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (!await RecordReceiptAsync(connection, transaction, paymentId, printed, detail, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new KeyNotFoundException($"No payment {paymentId}.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the receipt's outcome inside the caller's transaction (the print job's own state change).</summary>
    /// <returns>False when there is no such payment.</returns>
    internal static async Task<bool> RecordReceiptAsync(SqliteConnection connection, SqliteTransaction transaction, string paymentId, bool printed, string? detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var outcome = StoredNames.ReceiptOutcome(printed);
        var changed = await connection.ExecuteAsync(
            "UPDATE payments SET receipt_state = $s, receipt_detail = $d WHERE id = $id",
            transaction, cancellationToken, ("$s", outcome), ("$d", detail), ("$id", paymentId)).ConfigureAwait(false);
        if (changed == 0)
        {
            return false;
        }

        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var entry = new JournalEntryDto(sequence, EntryKinds.ReceiptPrinted, now, Receipt: new ReceiptPrintedDto(paymentId, outcome, detail));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, paymentId, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Everything the receipt of <paramref name="paymentId"/> shows, read from the database (also for reprints).</summary>
    public Task<Receipt?> BuildReceiptAsync(string paymentId, TimeZoneInfo localZone, CancellationToken cancellationToken = default) =>
        BuildReceiptAsync(paymentId, localZone, provisional: false, cancellationToken);

    /// <summary>
    /// The receipt of <paramref name="paymentId"/>; <paramref name="provisional"/> gives the slip of a VietQR payment
    /// the bank has not confirmed yet (the amount to transfer and the transfer code; not a receipt). A VietQR
    /// receipt shows what the bank confirmed, split over the bills in allocation order as the server credits it.
    /// </summary>
    public async Task<Receipt?> BuildReceiptAsync(string paymentId, TimeZoneInfo localZone, bool provisional, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var payment = await ReadPaymentAsync(connection, null, paymentId, cancellationToken).ConfigureAwait(false);
        var institution = await CatalogueStore.ReadInstitutionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (payment is null || institution is null)
        {
            return null;
        }

        var account = await CatalogueStore.FindAccountAsync(connection, null, null, payment.AccountCode, cancellationToken).ConfigureAwait(false);
        var bills = (await CatalogueStore.ReadBillsAsync(connection, null, payment.AccountCode, cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Id);
        var byBank = payment.Method == PaymentMethod.VietQr && !provisional;
        var credit = byBank ? PaymentRules.Paid(payment.Method, payment.State, payment.Amount, payment.Received) : payment.Amount;
        var shares = byBank ? PaymentRules.SpreadInOrder(payment.Allocations, credit) : payment.Allocations.Select(a => a.Amount).ToList();
        var items = new List<ReceiptItem>(payment.Allocations.Count);
        foreach (var (a, share) in payment.Allocations.Zip(shares))
        {
            var bill = bills.GetValueOrDefault(a.BillId);
            var owed = byBank ? a.Amount - share : bill?.Outstanding ?? Vnd.Zero;
            var insured = bill?.Lines.Aggregate(Vnd.Zero, (sum, line) => sum + line.InsuranceCovered) ?? Vnd.Zero;
            items.Add(new ReceiptItem(bill?.Title ?? a.BillId, bill?.Category ?? BillCategory.Other, share, owed, insured));
        }

        Vnd? balanceAfter = null;
        if (payment.Method == PaymentMethod.CardBalance && account is not null)
        {
            balanceAfter = account.Balance - await CatalogueStore.UnsyncedDebitsAsync(connection, null, account.Code, cancellationToken).ConfigureAwait(false);
        }

        // A top-up's receipt prints what the bank paid (all of it went on the balance, up to the amount asked) and
        // the balance the province reported after it.
        var topUp = payment.Purpose == PaymentPurpose.TopUp;
        if (topUp)
        {
            balanceAfter = provisional ? null : payment.BalanceAfter;
        }

        // What the QR asked for and what the bank confirmed, when they differ: the receipt says what arrived and what is
        // refunded or still due. From the row its total was read from, so the two always agree.
        var transfer = byBank && payment.Received.IsPositive && payment.Received != payment.Amount
            ? new TransferReceived(payment.Amount, payment.Received)
            : null;
        return new Receipt(
            institution, payment.TerminalId, payment.Id, TimeZoneInfo.ConvertTime(payment.CreatedAt, localZone),
            payment.AccountCode, account?.FullName ?? payment.AccountCode, account?.Kind ?? PayerKind.Pupil, account?.Group,
            items, credit, payment.Method, payment.CardUid, balanceAfter, payment.Operator, payment.Qr, provisional, payment.External,
            topUp ? StandingTransferCode.For(payment.AccountCode).Value : null, transfer);
    }

    private async Task<Payment?> ReadPaymentAsync(SqliteConnection connection, SqliteTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var row = await connection.QuerySingleOrDefaultAsync<PaymentRow>(
            """
            SELECT p.id, p.sequence, p.method, p.amount, p.account_code, p.card_uid, p.state, o.state AS outbox_state, p.created_at, p.operator, o.server_flags, p.offline,
                   p.receipt_state, p.receipt_detail, p.transfer_code, p.qr_payload, p.expires_at, p.received, p.approval_code, p.card_last4, p.purpose, p.balance_after, p.reversed
            FROM payments p JOIN outbox o ON o.sequence = p.sequence WHERE p.id = $id
            """,
            new { id }, transaction).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var allocations = await connection.QueryAsync<AllocationRow>(
            "SELECT bill_id, amount, reversed FROM payment_allocations WHERE payment_id = $id ORDER BY rowid", new { id }, transaction).ConfigureAwait(false);
        return row.ToPayment(terminalId, allocations.Select(a => new PaymentAllocation(a.BillId, new Vnd(a.Amount))).ToList());
    }
}

/// <summary>A <c>payments</c> row with its outbox state, as stored.</summary>
internal sealed record PaymentRow(
    string Id, long Sequence, string Method, long Amount, string AccountCode, string? CardUid, string State, string OutboxState, string CreatedAt,
    string? Operator, string ServerFlags, long Offline, string ReceiptState, string? ReceiptDetail, string? TransferCode, string? QrPayload, string? ExpiresAt,
    long Received, string? ApprovalCode, string? CardLast4, string Purpose, long? BalanceAfter, long Reversed)
{
    /// <summary>The payment this row holds.</summary>
    public Payment ToPayment(string terminalId, IReadOnlyList<PaymentAllocation> allocations) => new(
        Id, terminalId, Sequence, StoredNames.ToPaymentMethod(Method), new Vnd(Amount), AccountCode, CardUid,
        allocations, StoredNames.ToPaymentState(State), StoredNames.ToSyncState(OutboxState), StoredNames.ToTime(CreatedAt), Operator,
        ServerFlags.Split(' ', StringSplitOptions.RemoveEmptyEntries), Offline != 0,
        ReceiptState, ReceiptDetail,
        TransferCode is { } code ? new PaymentQr(code, QrPayload!, StoredNames.ToTime(ExpiresAt!)) : null,
        new Vnd(Received),
        ApprovalCode is { } approval ? new ExternalCard(approval, CardLast4!) : null,
        StoredNames.ToPaymentPurpose(Purpose),
        BalanceAfter is { } balance ? new Vnd(balance) : null,
        new Vnd(Reversed));
}

/// <summary>A <c>payment_allocations</c> row.</summary>
internal sealed record AllocationRow(string BillId, long Amount, long Reversed);

/// <summary>A void or refund of one payment.</summary>
internal sealed record PaymentReversalRow(long Sequence, string Kind, long Amount);

/// <summary>A pending VietQR payment and when its QR expires.</summary>
internal sealed record PendingQrRow(string Id, string ExpiresAt);

/// <summary>A pending VietQR payment of an account, one row per bill it allocates.</summary>
internal sealed record LiveQrRow(string Id, long Amount, string ExpiresAt, string BillId);

/// <summary>The payment under an idempotency key and the hash of the request it was first used for.</summary>
internal sealed record KeyRow(string Id, string? RequestHash);

/// <summary>An idempotency key used again with another request: Stripe's rule is to refuse it, never to answer the first payment.</summary>
/// <param name="key">The key.</param>
public sealed class IdempotencyKeyReusedException(string key) : Exception($"The idempotency key '{key}' was used before with another request.")
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;
}

/// <summary>
/// The request a payment's idempotency key stands for, as a hash: what is paid, by whom, how, from which bills; not
/// who asked (a retry may come after the cashier signed in again) nor the card PIN (never stored, even hashed).
/// </summary>
public static class IdempotentRequest
{
    /// <summary>The hash (SHA-256, hex) of the request's canonical form.</summary>
    public static string Hash(PaymentMethod method, string accountCode, string? cardUid, IReadOnlyList<RequestedAllocation> bills, ExternalCard? external)
    {
        var canonical = new System.Text.StringBuilder()
            .Append("method=").Append(method.WireName()).Append('\n')
            .Append("account=").Append(accountCode).Append('\n')
            .Append("card=").Append(cardUid).Append('\n');
        foreach (var bill in bills)
        {
            canonical.Append("bill=").Append(bill.BillId).Append(':').Append(bill.Amount is { } amount ? amount.ToString(CultureInfo.InvariantCulture) : "outstanding").Append('\n');
        }

        canonical.Append("external=").Append(external?.ApprovalCode).Append('/').Append(external?.Last4);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical.ToString())));
    }
}
