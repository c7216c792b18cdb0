using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>A bank transfer as the review list shows it.</summary>
public sealed record BankTransferRow(long Id, string ConnectionId, string BankTransactionId, string AccountNumber, long Amount, string Description,
    DateTimeOffset TransactionTime, DateTimeOffset ReceivedAt, string Outcome, string? TransferCode, string? PaymentId, string Flags, long RefundDue, long? DeliveryId);

/// <summary>A VietQR payment as the bank simulator lists it.</summary>
public sealed record QrPaymentRow(string PaymentId, string TransferCode, long Amount, long Received, string State, string? BankBin, string? BankAccount);

/// <summary>A webhook delivery as the delivery log shows it.</summary>
public sealed record BankDeliveryRow(long Id, DateTimeOffset ReceivedAt, string? ConnectionId, bool Authentic, int HttpStatus, string Result, string Body);

/// <summary>How a transfer reached the ledger (<c>bank_transfers.source</c>).</summary>
internal static class TransferSources
{
    public const string Webhook = "webhook";
    public const string Pull = "pull";
    public const string Statement = "statement";
}

/// <summary>
/// The bank side of the ledger: every webhook delivery logged, every bank transaction recorded once, matched to
/// the payment its text names, and the confirmation queued for the terminal, in one transaction.
/// </summary>
internal sealed partial class BankLedger(ProvinceDatabase database, TimeProvider time, ConfirmationSignal signal)
{
    /// <summary>
    /// Logs an authentic delivery as it arrived, body and all (what a replay runs again); the result is filled in
    /// when it has been processed. Refused deliveries are not logged here: <see cref="RefusedDeliveries"/> counts them.
    /// </summary>
    public async Task<long> LogDeliveryAsync(string connectionId, string body, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(await connection.ScalarAsync(
            "INSERT INTO bank_deliveries (received_at, connection_id, authentic, http_status, result, body) VALUES ($t, $c, 1, 200, 'received', $b) RETURNING id",
            null, cancellationToken, ("$t", Now()), ("$c", connectionId), ("$b", body)).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Empties the raw bodies of deliveries older than <paramref name="retention"/> (they hold payers' names and
    /// texts); the delivery's row, its transfer and its match stay. Returns how many bodies went.
    /// </summary>
    public async Task<int> PurgeBodiesAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("UPDATE bank_deliveries SET body = '' WHERE received_at < $cut AND body <> ''", null, cancellationToken,
            ("$cut", (time.GetUtcNow() - retention).ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
    }

    /// <summary>Records and matches a notification; a transaction id seen before gives back its original outcome.</summary>
    public Task<BankNotificationResult> RecordAsync(string connectionId, BankNotification notification, long deliveryId, CancellationToken cancellationToken) =>
        RecordAsync(connectionId, notification, deliveryId, TransferSources.Webhook, unknownAccount: false, cancellationToken);

    /// <summary>
    /// Records and matches a transfer however it came (<paramref name="source"/>: a webhook, the pull, a statement);
    /// one for an account the connection does not receive on (<paramref name="unknownAccount"/>) is kept unmatched for
    /// review and pays nothing. A transaction id seen before on the connection gives back its original outcome.
    /// </summary>
    public async Task<BankNotificationResult> RecordAsync(string connectionId, BankNotification notification, long? deliveryId, string source, bool unknownAccount, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var now = Now();
        BankNotificationResult result;
        string? woken = null;

        // A delivery of money recorded before, as an erased payer's (its text blanked), names them again: its body goes.
        var erased = false;
        if (await ReadOutcomeAsync(connection, transaction, connectionId, notification.TransactionId, cancellationToken).ConfigureAwait(false) is { } seen)
        {
            result = new BankNotificationResult("duplicate", seen.Outcome, seen.PaymentId);
            erased = seen.Erased;
        }
        else if (!unknownAccount && source != TransferSources.Statement
            && await ClaimStatementLineAsync(connection, transaction, connectionId, notification, source, cancellationToken).ConfigureAwait(false) is { } stated)
        {
            result = new BankNotificationResult("duplicate", stated.Outcome, stated.PaymentId); // the statement brought this money first
            erased = stated.Erased;
        }
        else
        {
            var transferId = await InsertTransferAsync(connection, transaction, connectionId, notification, deliveryId, source, now, cancellationToken).ConfigureAwait(false);
            if (unknownAccount)
            {
                result = await TransferMatching.SetAsideAsync(connection, transaction, transferId, "unknown_account", now, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var outcome = await TransferMatching.MatchAsync(connection, transaction, transferId, now, cancellationToken).ConfigureAwait(false);
                result = new BankNotificationResult("accepted", outcome.Name, outcome.PaymentId);
                woken = outcome.TerminalId;
            }
        }

        if (deliveryId is { } delivery)
        {
            await connection.ExecuteAsync(
                """
                UPDATE bank_deliveries SET result = trim(CASE WHEN result = 'received' THEN '' ELSE result || '; ' END || $r), body = CASE WHEN $erased = 1 THEN $e ELSE body END
                WHERE id = $id
                """,
                transaction, cancellationToken, ("$r", $"{result.Status} {result.Outcome} {result.PaymentId}".TrimEnd()), ("$erased", erased ? 1 : 0),
                ("$e", Erasure.DeliveryBody), ("$id", delivery)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (woken is not null)
        {
            signal.Notify([woken]);
        }

        return result;
    }

    /// <summary>
    /// Runs an authentic delivery again: a transfer never recorded (processing failed) is recorded now; one held or
    /// unmatched is matched again (after its payment arrived or was fixed); one already matched stays as it is.
    /// </summary>
    public async Task<BankNotificationResult?> ReplayAsync(long deliveryId, CancellationToken cancellationToken)
    {
        DeliveryBodyRow? delivery;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            delivery = await connection.ReadFirstAsync<DeliveryBodyRow>(
                "SELECT connection_id, body FROM bank_deliveries WHERE id = $id AND authentic = 1", null, cancellationToken, ("$id", deliveryId)).ConfigureAwait(false);
        }

        if (delivery is null || delivery.Body.Length == 0)
        {
            return null; // refused, or its body purged after the retention
        }

        var connectionId = delivery.ConnectionId;
        BankNotification? notification;
        try
        {
            notification = JsonSerializer.Deserialize(delivery.Body, ContractsJsonContext.Default.BankNotification);
        }
        catch (JsonException)
        {
            return null; // a provider's own format: its transfers were recorded from it when it came
        }

        if (connectionId is null || notification?.TransactionId is null || notification.Description is null)
        {
            return null;
        }

        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var transferId = await connection.ScalarAsync(
                "SELECT id FROM bank_transfers WHERE connection_id = $c AND bank_txn_id = $x AND outcome IN ('held', 'unmatched')",
                transaction, cancellationToken, ("$c", connectionId), ("$x", notification.TransactionId)).ConfigureAwait(false);
            if (transferId is not null)
            {
                var outcome = await TransferMatching.MatchAsync(connection, transaction, Convert.ToInt64(transferId, CultureInfo.InvariantCulture), Now(), cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (outcome.TerminalId is { } terminal)
                {
                    signal.Notify([terminal]);
                }

                return new BankNotificationResult("replayed", outcome.Name, outcome.PaymentId);
            }
        }

        return await RecordAsync(connectionId, notification, deliveryId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The terminal's confirmations after <paramref name="after"/>, waiting up to <paramref name="wait"/> for one to
    /// come. <paramref name="stopWaiting"/> (the server stopping) ends the wait with what there is: a long poll held
    /// open would keep a stopping server waiting for it until the host's shutdown limit, and the terminal asks again.
    /// </summary>
    public async Task<ConfirmationsResponse> WaitForConfirmationsAsync(string terminalId, long after, TimeSpan wait, CancellationToken stopWaiting, CancellationToken cancellationToken)
    {
        var next = signal.NextAsync(terminalId);
        var found = await ReadConfirmationsAsync(terminalId, after, cancellationToken).ConfigureAwait(false);
        if (found.Confirmations.Count > 0 || wait <= TimeSpan.Zero || stopWaiting.IsCancellationRequested)
        {
            return found;
        }

        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stopWaiting, cancellationToken);
            await next.WaitAsync(wait, time, either.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return found;
        }
        catch (OperationCanceledException) when (stopWaiting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return found;
        }

        return await ReadConfirmationsAsync(terminalId, after, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Transfers for the review list: by outcome (e.g. <c>unmatched</c>, <c>held</c>), or those flagged for refund.</summary>
    public async Task<IReadOnlyList<BankTransferRow>> TransfersAsync(string? outcome, bool refundDue, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<TransferRow>(
            """
            SELECT id, connection_id, bank_txn_id, account_number, amount, description, transaction_time, received_at, outcome, transfer_code, payment_id, flags, refund_due, delivery_id
            FROM bank_transfers WHERE (CAST($o AS TEXT) IS NULL OR outcome = $o) AND ($r = 0 OR refund_due > 0) ORDER BY id DESC LIMIT $n
            """,
            null, cancellationToken, ("$o", outcome), ("$r", refundDue ? 1 : 0), ("$n", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
        return rows.ConvertAll(t => new BankTransferRow(t.Id, t.ConnectionId, t.BankTxnId, t.AccountNumber, t.Amount, t.Description,
            DateTimeOffset.Parse(t.TransactionTime, CultureInfo.InvariantCulture), DateTimeOffset.Parse(t.ReceivedAt, CultureInfo.InvariantCulture),
            t.Outcome, t.TransferCode, t.PaymentId, t.Flags, t.RefundDue, t.DeliveryId));
    }

    /// <summary>The delivery log, newest first.</summary>
    public async Task<IReadOnlyList<BankDeliveryRow>> DeliveriesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<DeliveryRow>(
            "SELECT id, received_at, connection_id, authentic, http_status, result, body FROM bank_deliveries ORDER BY id DESC LIMIT $n", null, cancellationToken, ("$n", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
        return rows.ConvertAll(d => new BankDeliveryRow(d.Id, DateTimeOffset.Parse(d.ReceivedAt, CultureInfo.InvariantCulture), d.ConnectionId,
            d.Authentic != 0, (int)d.HttpStatus, d.Result, d.Body));
    }

    /// <summary>The latest VietQR payments with their institution's receiving account, newest first.</summary>
    public async Task<IReadOnlyList<QrPaymentRow>> RecentQrPaymentsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<QrRow>(
            """
            SELECT p.id AS payment_id, p.transfer_code, p.amount, p.received, p.state, i.bank_bin, i.bank_account FROM payments p JOIN institutions i ON i.id = p.institution_id
            WHERE p.method = 'vietqr' ORDER BY p.received_at DESC LIMIT $n
            """,
            null, cancellationToken, ("$n", limit)).ConfigureAwait(false);
        return rows.ConvertAll(q => new QrPaymentRow(q.PaymentId, q.TransferCode, q.Amount, q.Received, q.State, q.BankBin, q.BankAccount));
    }

    /// <summary>
    /// Whether <paramref name="account"/> is the receiving account of <paramref name="institutionId"/> (of any
    /// institution when null): the account its VietQR codes carry.
    /// </summary>
    public async Task<bool> IsReceivingAccountAsync(string account, string? institutionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ScalarAsync("SELECT 1 FROM institutions WHERE bank_account = $a AND (CAST($i AS TEXT) IS NULL OR id = $i) LIMIT 1", null, cancellationToken,
            ("$a", account), ("$i", institutionId)).ConfigureAwait(false) is not null;
    }

    /// <summary>Writes what became of an authentic delivery that recorded no transfer (a provider's test, money out).</summary>
    public async Task NoteDeliveryAsync(long deliveryId, string result, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE bank_deliveries SET result = $r WHERE id = $id AND result = 'received'", null, cancellationToken,
            ("$r", result), ("$id", deliveryId)).ConfigureAwait(false);
    }

    /// <summary>Sets an institution's receiving account; terminals get it at their next pull. False for an unknown institution.</summary>
    public async Task<bool> SetReceivingAccountAsync(string institutionId, string bankBin, string account, string accountName, string? bankName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            "UPDATE institutions SET bank_bin = $b, bank_account = $a, bank_account_name = $n, bank_name = $bn WHERE id = $id",
            null, cancellationToken, ("$b", bankBin), ("$a", account), ("$n", accountName), ("$bn", bankName), ("$id", institutionId)).ConfigureAwait(false) == 1;
    }

    private async Task<ConfirmationsResponse> ReadConfirmationsAsync(string terminalId, long after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<ConfirmationRow>(
            "SELECT id, body FROM confirmations WHERE terminal_id = $t AND id > $a ORDER BY id LIMIT 100", null, cancellationToken, ("$t", terminalId), ("$a", after)).ConfigureAwait(false);
        var list = new List<ConfirmationDto>(rows.Count);
        var cursor = after;
        foreach (var row in rows)
        {
            cursor = row.Id;
            list.Add(JsonSerializer.Deserialize(row.Body, ContractsJsonContext.Default.ConfirmationDto)!);
        }

        return new ConfirmationsResponse(cursor, list);
    }

    private static async Task<long> InsertTransferAsync(DbConnection connection, DbTransaction transaction, string connectionId, BankNotification notification, long? deliveryId,
        string source, string now, CancellationToken cancellationToken) =>
        Convert.ToInt64(await connection.ScalarAsync(
            """
            INSERT INTO bank_transfers (connection_id, bank_txn_id, bank_bin, account_number, amount, description, transaction_time, received_at, delivery_id, outcome, source)
            VALUES ($c, $x, $bin, $acc, $amt, $d, $tt, $now, $dl, 'unmatched', $src) RETURNING id
            """,
            transaction, cancellationToken, ("$c", connectionId), ("$x", notification.TransactionId), ("$bin", notification.BankBin), ("$acc", notification.AccountNumber),
            ("$amt", notification.Amount), ("$d", notification.Description), ("$tt", notification.TransactionTime.ToString("O", CultureInfo.InvariantCulture)),
            ("$now", now), ("$dl", deliveryId), ("$src", source)).ConfigureAwait(false), CultureInfo.InvariantCulture);

    private static async Task<(string Outcome, string? PaymentId, bool Erased)?> ReadOutcomeAsync(DbConnection connection, DbTransaction transaction, string connectionId, string transactionId,
        CancellationToken cancellationToken)
    {
        var row = await connection.ReadFirstAsync<OutcomeRow>(
            """
            SELECT outcome, payment_id, description FROM bank_transfers WHERE connection_id = $c AND bank_txn_id = $x
            UNION ALL
            SELECT t.outcome, t.payment_id, t.description FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id WHERE s.connection_id = $c AND s.notified_txn_id = $x
            LIMIT 1
            """, transaction, cancellationToken, ("$c", connectionId), ("$x", transactionId)).ConfigureAwait(false);
        return row is null ? null : (row.Outcome, row.PaymentId, Erasure.IsErased(row.Description));
    }

    private string Now() => time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private sealed record DeliveryBodyRow
    {
        public string? ConnectionId { get; init; }

        public required string Body { get; init; }
    }

    private sealed record TransferRow
    {
        public long Id { get; init; }

        public required string ConnectionId { get; init; }

        public required string BankTxnId { get; init; }

        public required string AccountNumber { get; init; }

        public long Amount { get; init; }

        public required string Description { get; init; }

        public required string TransactionTime { get; init; }

        public required string ReceivedAt { get; init; }

        public required string Outcome { get; init; }

        public string? TransferCode { get; init; }

        public string? PaymentId { get; init; }

        public required string Flags { get; init; }

        public long RefundDue { get; init; }

        public long? DeliveryId { get; init; }
    }

    private sealed record DeliveryRow
    {
        public long Id { get; init; }

        public required string ReceivedAt { get; init; }

        public string? ConnectionId { get; init; }

        public long Authentic { get; init; }

        public long HttpStatus { get; init; }

        public required string Result { get; init; }

        public required string Body { get; init; }
    }

    private sealed record QrRow
    {
        public required string PaymentId { get; init; }

        public required string TransferCode { get; init; }

        public long Amount { get; init; }

        public long Received { get; init; }

        public required string State { get; init; }

        public string? BankBin { get; init; }

        public string? BankAccount { get; init; }
    }

    private sealed record ConfirmationRow
    {
        public long Id { get; init; }

        public required string Body { get; init; }
    }

    private sealed record OutcomeRow
    {
        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }

        public required string Description { get; init; }
    }
}
