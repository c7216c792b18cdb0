using System.Globalization;
using Dapper;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>Who asks for a reversal: the cashier, and the supervisor whose PIN approved it (checked by the caller).</summary>
/// <param name="Operator">The cashier.</param>
/// <param name="Supervisor">The supervisor.</param>
/// <param name="Reason">Why, for the journal and the slip.</param>
public sealed record ReversalApproval(string Operator, string Supervisor, string Reason);

/// <summary>A void or refund written: its journal sequence and what it gave back.</summary>
/// <param name="Sequence">The journal entry.</param>
/// <param name="Reversal">The entry's body.</param>
/// <param name="StateAfter">The payment's state once the reversal was written (null only where it was not read).</param>
/// <param name="Replayed">True when the request's key had been used before and this is the reversal written then.</param>
public sealed record ReversalResult(long Sequence, PaymentReversalDto Reversal, PaymentState? StateAfter = null, bool Replayed = false);

/// <summary>
/// The key a void or refund was asked with (the screen's Idempotency-Key or clientRequestId) and a hash of what it
/// asked: a retry with the key gets the reversal already written, never a second one.
/// </summary>
/// <param name="Key">The key, 1 to <see cref="MaxKeyLength"/> characters.</param>
/// <param name="Hash">SHA-256 (hex) of the request's canonical form (<see cref="Of"/>).</param>
public sealed record ReversalRequest(string Key, string Hash)
{
    /// <summary>The longest key taken (as for payments).</summary>
    public const int MaxKeyLength = 64;

    /// <summary>The request under <paramref name="key"/>: what is reversed, how much and where to.</summary>
    public static ReversalRequest Of(string key, string kind, string paymentId, long amount, string? destination, string? bankReference)
    {
        var canonical = $"kind={kind}\npayment={paymentId}\namount={amount.ToString(CultureInfo.InvariantCulture)}\ndestination={destination}\nreference={bankReference?.Trim()}";
        return new ReversalRequest(key, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical))));
    }
}


/// <summary>
/// Voids, refunds and shift closes: each is one journal entry written in one transaction with its effect on the
/// payment, so the state is derived from the journal like every other change. Who may do them (a supervisor's PIN)
/// is the caller's check; what may be done is checked here.
/// </summary>
public sealed class ReversalStore(SqliteDatabase database, TimeProvider time)
{
    /// <summary>The longest reason a void or refund takes.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>
    /// Voids a card payment of the open shift: the whole amount goes back to the card and the bills reopen.
    /// </summary>
    /// <exception cref="PaymentRefusedException">Unknown payment, not a card payment, already reversed, or from a closed shift.</exception>
    /// <exception cref="IdempotencyKeyReusedException">The request's key was used before for another request; nothing was written.</exception>
    public async Task<ReversalResult> VoidAsync(string paymentId, ReversalApproval approval, CancellationToken cancellationToken = default, ReversalRequest? request = null)
    {
        Require(approval);
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (await ReplayAsync(connection, transaction, request, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return earlier;
        }

        var payment = await ReadAsync(connection, transaction, paymentId, cancellationToken).ConfigureAwait(false);
        if (PaymentRules.CheckVoid(payment, await LastClosedSequenceAsync(connection, transaction, cancellationToken).ConfigureAwait(false)) is { } refusal)
        {
            throw new PaymentRefusedException(refusal);
        }

        var body = new PaymentReversalDto(paymentId, payment.Amount.Value, payment.Allocations.Select(a => new AllocationDto(a.BillId, a.Amount.Value)).ToList(),
            ReversalDestinations.CardBalance, null, approval.Reason, approval.Operator, approval.Supervisor);
        var result = await AppendAsync(connection, transaction, EntryKinds.PaymentVoided, body, request, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Gives back <paramref name="amount"/> of a paid payment (up to what is left of it) to the card balance or by a
    /// bank transfer recorded with <paramref name="bankReference"/>; the bills reopen by as much, in the reverse of the
    /// order they were credited. A deposit (tạm ứng) goes back only by transfer and only up to what is left of it on the
    /// account's balance.
    /// </summary>
    /// <exception cref="PaymentRefusedException">Unknown payment, a top-up, nothing paid, more than is left, a deposit
    /// already spent, or a destination that does not fit.</exception>
    /// <exception cref="IdempotencyKeyReusedException">The request's key was used before for another request; nothing was written.</exception>
    public async Task<ReversalResult> RefundAsync(string paymentId, long amount, string destination, string? bankReference, ReversalApproval approval, CancellationToken cancellationToken = default,
        ReversalRequest? request = null)
    {
        Require(approval);
        if (destination is not (ReversalDestinations.CardBalance or ReversalDestinations.BankTransfer))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.reversal.destination"));
        }

        if (destination == ReversalDestinations.BankTransfer && string.IsNullOrWhiteSpace(bankReference))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.reversal.bank_reference"));
        }

        if (bankReference is not null && (BankReference.Normalise(bankReference) is null || !PlainText.IsOneLine(bankReference)))
        {
            // As a bank writes a transfer's reference (FT26120500001), and as the counter's account closure takes it.
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("card.invalid_field", "bankReference", "the refund transfer's reference, 4 to 64 characters on one line"));
        }

        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (await ReplayAsync(connection, transaction, request, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return earlier;
        }

        var payment = await ReadAsync(connection, transaction, paymentId, cancellationToken).ConfigureAwait(false);
        if (PaymentRules.CheckRefund(payment, new Vnd(amount)) is { } refusal)
        {
            throw new PaymentRefusedException(refusal);
        }

        // The bills reopen by what this payment credited them (for VietQR, what the bank paid, spread in allocation
        // order), last credited first: the province books the same rule from its own figures (PushBooking).
        var allocations = PaymentRules.ReopenedBills(PaymentRules.Credited(payment), new Vnd(amount)).Select(a => new AllocationDto(a.BillId, a.Amount.Value)).ToList();

        var deposit = 0L;
        foreach (var allocation in allocations)
        {
            if (await connection.ScalarAsync("SELECT category FROM bills WHERE id = $b", transaction, cancellationToken, ("$b", allocation.BillId)).ConfigureAwait(false) is not string stored)
            {
                continue;
            }

            var category = BillCategories.FromWireName(stored);
            if (destination == ReversalDestinations.CardBalance && !PaymentRules.MayRefundToCard(category))
            {
                // The deposit already sits on the account balance; what is left of it goes back by transfer.
                throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.reversal.deposit_by_transfer"));
            }

            deposit += category == BillCategory.Deposit ? allocation.Amount : 0;
        }

        if (deposit > 0)
        {
            // A deposit is held on the account and spent from there: only what is still on it goes back, or the
            // province books the transfer already made and the account goes below zero (its deposit_spent flag).
            var account = (string)(await connection.ScalarAsync("SELECT account_code FROM payments WHERE id = $id", transaction, cancellationToken, ("$id", paymentId)).ConfigureAwait(false))!;
            var left = await DepositRoomAsync(connection, transaction, account, cancellationToken).ConfigureAwait(false);
            if (deposit > left.Value)
            {
                var shown = left.IsPositive ? left : Vnd.Zero;
                throw new PaymentRefusedException(PaymentRefusal.Of("deposit_spent", "payment.reversal.deposit_spent", RefusalKind.Refused,
                    shown.ToString(), new Vnd(deposit).ToString(), shown.Value, deposit));
            }
        }

        var body = new PaymentReversalDto(paymentId, amount, allocations, destination, bankReference?.Trim(), approval.Reason, approval.Operator, approval.Supervisor);
        var result = await AppendAsync(connection, transaction, EntryKinds.PaymentRefunded, body, request, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Applies a void or refund entry to the payment rows (also used when the journal is replayed).</summary>
    internal static async Task ApplyReversalAsync(SqliteConnection connection, SqliteTransaction transaction, JournalEntryDto entry, CancellationToken cancellationToken)
    {
        var body = entry.Reversal!;
        var voided = entry.Kind == EntryKinds.PaymentVoided;
        var account = (string)(await connection.ScalarAsync(
            """
            UPDATE payments SET reversed = reversed + $a,
                   state = CASE WHEN $void THEN $voided WHEN reversed + $a >= amount THEN $refunded ELSE state END
            WHERE id = $id RETURNING account_code
            """,
            transaction, cancellationToken, ("$a", body.Amount), ("$void", voided), ("$voided", PaymentState.Voided.ToStored()), ("$refunded", PaymentState.Refunded.ToStored()),
            ("$id", body.PaymentId)).ConfigureAwait(false))!;
        await connection.ExecuteAsync(
            "INSERT INTO reversals (sequence, payment_id, kind, amount, destination, account_code) VALUES ($s, $p, $k, $a, $d, $c)",
            transaction, cancellationToken, ("$s", entry.Sequence), ("$p", body.PaymentId), ("$k", StoredNames.ReversalKind(voided)), ("$a", body.Amount),
            ("$d", body.Destination), ("$c", account)).ConfigureAwait(false);
        foreach (var allocation in body.Allocations)
        {
            await connection.ExecuteAsync(
                "UPDATE payment_allocations SET reversed = reversed + $a WHERE payment_id = $p AND bill_id = $b",
                transaction, cancellationToken, ("$a", allocation.Amount), ("$p", body.PaymentId), ("$b", allocation.BillId)).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "INSERT INTO reversal_allocations (sequence, bill_id, amount) VALUES ($s, $b, $a)",
                transaction, cancellationToken, ("$s", entry.Sequence), ("$b", allocation.BillId), ("$a", allocation.Amount)).ConfigureAwait(false);
        }
    }

    /// <summary>Records a shift close (also used when the journal is replayed).</summary>
    internal static Task RecordShiftAsync(SqliteConnection connection, SqliteTransaction transaction, JournalEntryDto entry, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO shifts (number, sequence, last_sequence, closed_at, operator) VALUES ($n, $s, $l, $t, $o)",
            transaction, cancellationToken, ("$n", entry.Shift!.Number), ("$s", entry.Sequence), ("$l", entry.Shift.LastSequence),
            ("$t", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture)), ("$o", entry.Shift.Operator));

    private async Task<ReversalResult> AppendAsync(SqliteConnection connection, SqliteTransaction transaction, string kind, PaymentReversalDto body, ReversalRequest? request, CancellationToken cancellationToken)
    {
        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var entry = new JournalEntryDto(sequence, kind, time.GetUtcNow(), Reversal: body);
        await Journal.AppendAsync(connection, transaction, entry, prevHash, body.PaymentId, cancellationToken).ConfigureAwait(false);
        await ApplyReversalAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
        if (request is not null)
        {
            await connection.ExecuteAsync("INSERT INTO reversal_requests (client_request_id, request_hash, sequence) VALUES ($k, $h, $s)",
                transaction, cancellationToken, ("$k", request.Key), ("$h", request.Hash), ("$s", sequence)).ConfigureAwait(false);
        }

        return new ReversalResult(sequence, body, await StateAsync(connection, transaction, body.PaymentId, cancellationToken).ConfigureAwait(false));
    }

    // The reversal already written under the request's key, or null; the key with another request is refused. Read
    // in the writer's transaction, so a retry racing its first attempt waits for it and then finds it.
    private static async Task<ReversalResult?> ReplayAsync(SqliteConnection connection, SqliteTransaction transaction, ReversalRequest? request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return null;
        }

        var row = await connection.QueryFirstOrDefaultAsync<ReversalRequestRow>(
            "SELECT r.request_hash, r.sequence, j.body FROM reversal_requests r JOIN journal j ON j.sequence = r.sequence WHERE r.client_request_id = $k",
            new { k = request.Key }, transaction).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        if (!string.Equals(row.RequestHash, request.Hash, StringComparison.Ordinal))
        {
            throw new IdempotencyKeyReusedException(request.Key);
        }

        var reversal = System.Text.Json.JsonSerializer.Deserialize(row.Body, ContractsJsonContext.Default.JournalEntryDto)!.Reversal!;
        return new ReversalResult(row.Sequence, reversal, await StateAsync(connection, transaction, reversal.PaymentId, cancellationToken).ConfigureAwait(false), Replayed: true);
    }

    private static async Task<PaymentState> StateAsync(SqliteConnection connection, SqliteTransaction transaction, string paymentId, CancellationToken cancellationToken) =>
        StoredNames.ToPaymentState((string)(await connection.ScalarAsync("SELECT state FROM payments WHERE id = $id", transaction, cancellationToken, ("$id", paymentId)).ConfigureAwait(false))!);

    private static async Task<long> LastClosedSequenceAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        Convert.ToInt64(await connection.ScalarAsync("SELECT COALESCE(MAX(sequence), 0) FROM shifts", transaction, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

    private static void Require(ReversalApproval approval)
    {
        if (string.IsNullOrWhiteSpace(approval.Operator) || string.IsNullOrWhiteSpace(approval.Supervisor) || string.IsNullOrWhiteSpace(approval.Reason))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.reversal.approval_needed"));
        }

        if (string.Equals(approval.Operator.Trim(), approval.Supervisor.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("payment.reversal.self_approval"));
        }

        // The reason is journalled, sent to the province and printed on the slip the payer signs: one short line.
        if (approval.Reason.Trim().Length > MaxReasonLength || !PlainText.IsOneLine(approval.Reason))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("card.invalid_field", "reason", $"one line of at most {MaxReasonLength} characters"));
        }
    }

    private static async Task<ReversiblePayment> ReadAsync(SqliteConnection connection, SqliteTransaction transaction, string paymentId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var row = await connection.QuerySingleOrDefaultAsync<ReversiblePaymentRow>(
            "SELECT sequence, method, amount, received, reversed, state, purpose FROM payments WHERE id = $id", new { id = paymentId }, transaction).ConfigureAwait(false)
            ?? throw new PaymentRefusedException(PaymentRefusal.Of("payment_not_found", "payment.payment_not_found", RefusalKind.NotFound, paymentId));
        var allocations = (await connection.QueryAsync<AllocationRow>(
            "SELECT bill_id, amount, reversed FROM payment_allocations WHERE payment_id = $id ORDER BY rowid", new { id = paymentId }, transaction).ConfigureAwait(false)).ToList();
        return new ReversiblePayment(StoredNames.ToPaymentMethod(row.Method), StoredNames.ToPaymentState(row.State), new Vnd(row.Amount), new Vnd(row.Received), new Vnd(row.Reversed),
            row.Sequence, allocations.Select(a => new ReversibleAllocation(a.BillId, new Vnd(a.Amount), new Vnd(a.Reversed))).ToList(), StoredNames.ToPaymentPurpose(row.Purpose));
    }

    // What of the account's balance a deposit refund may give back: the balance this terminal may spend (the
    // province's, pulled, less what it has not pushed yet) plus the deposits taken here that the province does not
    // hold yet (a deposit refunded straight after it was taken, or offline). Rejected entries were never booked.
    private static async Task<Vnd> DepositRoomAsync(SqliteConnection connection, SqliteTransaction transaction, string accountCode, CancellationToken cancellationToken)
    {
        var balance = await connection.ScalarAsync("SELECT balance FROM accounts WHERE code = $c", transaction, cancellationToken, ("$c", accountCode)).ConfigureAwait(false);
        var unpushed = await connection.ScalarAsync(
            """
            SELECT COALESCE(SUM(a.amount), 0) FROM outbox o CROSS JOIN payments p ON p.sequence = o.sequence
                JOIN payment_allocations a ON a.payment_id = p.id JOIN bills b ON b.id = a.bill_id
            WHERE o.state = 'pending' AND p.account_code = $c AND p.method <> 'vietqr' AND b.category = $deposit
            """,
            transaction, cancellationToken, ("$c", accountCode), ("$deposit", BillCategory.Deposit.WireName())).ConfigureAwait(false);
        return new Vnd(Convert.ToInt64(balance ?? 0L, CultureInfo.InvariantCulture) + Convert.ToInt64(unpushed, CultureInfo.InvariantCulture))
            - await CatalogueStore.UnsyncedDebitsAsync(connection, transaction, accountCode, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What a void or refund reads of a <c>payments</c> row.</summary>
internal sealed record ReversiblePaymentRow(long Sequence, string Method, long Amount, long Received, long Reversed, string State, string Purpose);

/// <summary>A void or refund's key, with the journal entry it wrote.</summary>
internal sealed record ReversalRequestRow(string RequestHash, long Sequence, string Body);

/// <summary>Money taken in a shift by one method.</summary>
internal sealed record MethodTotalRow(string Method, long Payments, long Amount);

/// <summary>Top-ups the bank confirmed in a shift.</summary>
internal sealed record TopUpTotalRow(long TopUps, long Amount);
