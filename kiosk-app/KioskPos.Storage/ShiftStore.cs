using System.Globalization;
using Dapper;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>A shift as its X or Z report prints it: the journalled figures and what the paper adds to them.</summary>
/// <param name="Figures">The figures (journalled by a close).</param>
/// <param name="OpenedAt">When the shift opened: the previous close, or, before the first close, the first entry of the journal.</param>
/// <param name="At">When the figures were taken (the close, for a Z report).</param>
/// <param name="FirstReceipt">The first receipt number issued in the shift, if any.</param>
/// <param name="LastReceipt">The last one.</param>
/// <param name="PendingQr">VietQR payments of the shift still waiting for the bank at <paramref name="At"/>.</param>
public sealed record ShiftSummary(ShiftClosedDto Figures, DateTimeOffset OpenedAt, DateTimeOffset At, string? FirstReceipt, string? LastReceipt, (int Count, Vnd Total) PendingQr);

/// <summary>A shift closed: its journal sequence and its report.</summary>
/// <param name="Sequence">The <c>shift.closed</c> entry.</param>
/// <param name="Summary">What the Z report prints.</param>
public sealed record ShiftClose(long Sequence, ShiftSummary Summary);

/// <summary>
/// The counter's shifts: a shift is the journal entries after the last close, so its figures, its receipt numbers and
/// its opening all come from the same range of sequences (never from the wall clock, which would disagree with the
/// figures before the first close and whenever the clock was set).
/// </summary>
public sealed class ShiftStore(SqliteDatabase database, TimeProvider time, string terminalId)
{
    /// <summary>Closes the open shift: its figures are journalled (the Z report) and a new shift begins with the next entry.</summary>
    public async Task<ShiftClose> CloseAsync(string cashier, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cashier);
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var summary = await SummaryAsync(connection, transaction, sequence - 1, cashier, now, cancellationToken).ConfigureAwait(false);
        var entry = new JournalEntryDto(sequence, EntryKinds.ShiftClosed, now, Shift: summary.Figures);
        await Journal.AppendAsync(connection, transaction, entry, prevHash, null, cancellationToken).ConfigureAwait(false);
        await ReversalStore.RecordShiftAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ShiftClose(sequence, summary);
    }

    /// <summary>The open shift so far (the X report), without closing it.</summary>
    public async Task<ShiftSummary> OpenAsync(string cashier, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var last = Convert.ToInt64(await connection.ScalarAsync("SELECT COALESCE(MAX(sequence), 0) FROM journal", transaction, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return await SummaryAsync(connection, transaction, last, cashier, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ShiftSummary> SummaryAsync(SqliteConnection connection, SqliteTransaction transaction, long last, string cashier, DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var start = await connection.QuerySingleAsync<ShiftOpeningRow>(
            """
            SELECT COALESCE(MAX(number), 0) + 1 AS number, COALESCE(MAX(sequence), 0) + 1 AS first_sequence,
                   (SELECT closed_at FROM shifts ORDER BY number DESC LIMIT 1) AS closed_at
            FROM shifts
            """, transaction: transaction).ConfigureAwait(false);

        // Before the first close the shift holds every entry since the terminal was installed: it opened with the first.
        var openedAt = start.ClosedAt is { } closed ? StoredNames.ToTime(closed)
            : await connection.ScalarAsync("SELECT created_at FROM journal ORDER BY sequence LIMIT 1", transaction, cancellationToken).ConfigureAwait(false) is string first ? StoredNames.ToTime(first)
            : now;
        var figures = await FiguresAsync(connection, transaction, start.Number, start.FirstSequence, last, cashier).ConfigureAwait(false);

        // Receipt numbers are the payments' ids, made from their sequences: those issued in the shift's range (a
        // VietQR payment gets its receipt once the bank paid something, not while it waits or after it expired empty).
        var receipts = await connection.QuerySingleAsync<ReceiptRangeRow>(
            """
            SELECT MIN(sequence) AS first_sequence, MAX(sequence) AS last_sequence FROM payments
            WHERE sequence BETWEEN $f AND $l AND (method <> 'vietqr' OR received > 0)
            """,
            new { f = start.FirstSequence, l = last }, transaction).ConfigureAwait(false);
        var pending = await connection.QuerySingleAsync<PendingTotalRow>(
            "SELECT COUNT(*) AS payments, COALESCE(SUM(amount), 0) AS amount FROM payments WHERE state = $pending AND sequence <= $l",
            new { pending = PaymentState.Pending.ToStored(), l = last }, transaction).ConfigureAwait(false);
        return new ShiftSummary(
            figures, openedAt, now,
            receipts.FirstSequence is { } f ? Payment.MakeId(terminalId, f) : null,
            receipts.LastSequence is { } l ? Payment.MakeId(terminalId, l) : null,
            (checked((int)pending.Payments), new Vnd(pending.Amount)));
    }

    private static async Task<ShiftClosedDto> FiguresAsync(SqliteConnection connection, SqliteTransaction transaction, long number, long first, long last, string cashier)
    {
        // Payments of the shift by method: card payments when taken, transfers when the bank confirmed them. Top-ups
        // (only ever by VietQR) pay no bill: counted apart, when the bank confirmed them.
        var byMethod = (await connection.QueryAsync<MethodTotalRow>(
            """
            SELECT method, COUNT(*) AS payments, SUM(amount) AS amount FROM (
                SELECT p.method, p.amount FROM payments p WHERE p.method <> 'vietqr' AND p.sequence BETWEEN $f AND $l
                UNION ALL
                SELECT p.method, MIN(p.amount, p.received) FROM payments p JOIN confirmations c ON c.payment_id = p.id
                WHERE p.method = 'vietqr' AND p.purpose <> $topUp AND c.sequence BETWEEN $f AND $l AND c.sequence = (SELECT MAX(sequence) FROM confirmations WHERE payment_id = p.id))
            GROUP BY method ORDER BY method
            """,
            new { f = first, l = last, topUp = PaymentPurpose.TopUp.WireName() }, transaction).ConfigureAwait(false))
            .Select(r => new MethodTotalDto(r.Method, checked((int)r.Payments), r.Amount))
            .ToList();
        var topUps = await connection.QuerySingleAsync<TopUpTotalRow>(
            """
            SELECT COUNT(*) AS top_ups, COALESCE(SUM(MIN(p.amount, p.received)), 0) AS amount FROM payments p JOIN confirmations c ON c.payment_id = p.id
            WHERE p.purpose = $topUp AND p.received > 0 AND c.sequence BETWEEN $f AND $l AND c.sequence = (SELECT MAX(sequence) FROM confirmations WHERE payment_id = p.id)
            """,
            new { f = first, l = last, topUp = PaymentPurpose.TopUp.WireName() }, transaction).ConfigureAwait(false);

        int voids = 0, refunds = 0;
        long voided = 0, refunded = 0, byTransfer = 0;
        var reversals = await connection.QueryAsync<ShiftReversalRow>(
            "SELECT kind, destination, COUNT(*) AS reversals, SUM(amount) AS amount FROM reversals WHERE sequence BETWEEN $f AND $l GROUP BY kind, destination",
            new { f = first, l = last }, transaction).ConfigureAwait(false);
        foreach (var r in reversals)
        {
            if (StoredNames.IsVoid(r.Kind))
            {
                (voids, voided) = (voids + checked((int)r.Reversals), voided + r.Amount);
            }
            else
            {
                (refunds, refunded) = (refunds + checked((int)r.Reversals), refunded + r.Amount);
            }

            if (r.Destination == ReversalDestinations.BankTransfer)
            {
                byTransfer += r.Amount;
            }
        }

        // Money taken in: what the bank-card terminal and the bank brought (bills, deposits, top-ups), less what went
        // back out by transfer. A payment from a card's balance brings nothing: that money came in when the balance was
        // credited (a top-up or a deposit, counted then), so counting it again would count a deposit twice. Voids and
        // refunds to a balance move no money either.
        var cardBalance = PaymentMethod.CardBalance.WireName();
        var net = byMethod.Where(m => m.Method != cardBalance).Sum(m => m.Amount) + topUps.Amount - byTransfer;
        return new ShiftClosedDto(number, first, last, cashier, byMethod, voids, voided, refunds, refunded, net,
            checked((int)topUps.TopUps), topUps.Amount, byTransfer);
    }
}

/// <summary>Where the open shift begins: its number, first entry and the previous close.</summary>
internal sealed record ShiftOpeningRow(long Number, long FirstSequence, string? ClosedAt);

/// <summary>The first and last payment of a shift that issued a receipt.</summary>
internal sealed record ReceiptRangeRow(long? FirstSequence, long? LastSequence);

/// <summary>VietQR payments still waiting for the bank.</summary>
internal sealed record PendingTotalRow(long Payments, long Amount);

/// <summary>Voids or refunds of a shift, by where the money went.</summary>
internal sealed record ShiftReversalRow(string Kind, string Destination, long Reversals, long Amount);
