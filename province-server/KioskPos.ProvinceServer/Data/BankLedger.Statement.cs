using System.Data.Common;
using System.Globalization;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Banking;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>What became of one statement line: <c>recorded</c> (no notification had brought it: matched now),
/// <c>reported</c> (a webhook or the pull had: nothing changes), <c>already_imported</c> (an earlier import had).</summary>
public sealed record StatementLineResult(int Row, string? Reference, long Amount, string Status, string Outcome, string? PaymentId);

/// <summary>An import's account: the layout read, the lines of money in and what became of each, the lines of money out passed over.</summary>
public sealed record StatementImportResult(string Layout, string Bank, int Lines, int Recorded, int AlreadyReported, int AlreadyImported, int OutgoingIgnored,
    IReadOnlyList<StatementLineResult> Results);

/// <summary>A statement line that no notification reported (a gap in the webhooks and the pull), with what its own record became.</summary>
public sealed record StatementGapRow(string BookedOn, long Amount, string Description, string? Reference, string Layout, string Outcome, string? PaymentId, DateTimeOffset ImportedAt);

/// <summary>
/// The bank statement, the last resort: each line of money in is the same money as at most one transfer a notification
/// brought, and becomes a transfer of its own, matched by the one engine, only when none did.
/// </summary>
internal sealed partial class BankLedger
{
    private const int StatementBatch = 500;

    /// <summary>
    /// Records the statement's lines for <paramref name="connection"/>: a line imported before changes nothing; a line
    /// whose money a webhook or the pull already brought (same connection, same amount, booked within a day, the same
    /// transfer code, or the same text when there is none, and not yet paired with another line) is paired with that
    /// transfer and changes nothing; any other line is recorded as a transfer (source <c>statement</c>) and matched.
    /// </summary>
    public async Task<StatementImportResult> ImportStatementAsync(BankConnection connection, StatementRead read, CancellationToken cancellationToken)
    {
        var results = new List<StatementLineResult>(read.Lines.Count);
        foreach (var batch in read.Lines.Chunk(StatementBatch))
        {
            var woken = new HashSet<string>(StringComparer.Ordinal);
            await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await database.BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
            foreach (var line in batch)
            {
                results.Add(await RecordLineAsync(db, transaction, connection, read.Layout.Id, line, woken, cancellationToken).ConfigureAwait(false));
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (woken.Count > 0)
            {
                signal.Notify([.. woken]);
            }
        }

        return new StatementImportResult(read.Layout.Id, read.Layout.Bank, read.Lines.Count, results.Count(r => r.Status == "recorded"),
            results.Count(r => r.Status == "reported"), results.Count(r => r.Status == "already_imported"), read.Outgoing, results);
    }

    /// <summary>The connection's statement lines no notification reported, newest first.</summary>
    public async Task<IReadOnlyList<StatementGapRow>> StatementGapsAsync(string connectionId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.ReadAllAsync<GapRow>(
            """
            SELECT s.booked_on, s.amount, s.description, s.reference, s.layout, t.outcome, t.payment_id, s.imported_at
            FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id
            WHERE s.connection_id = $c AND s.reported_by IS NULL ORDER BY s.booked_on DESC, s.id DESC LIMIT $n
            """,
            null, cancellationToken, ("$c", connectionId), ("$n", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
        return rows.ConvertAll(g => new StatementGapRow(g.BookedOn, g.Amount, g.Description, g.Reference, g.Layout, g.Outcome, g.PaymentId,
            DateTimeOffset.Parse(g.ImportedAt, CultureInfo.InvariantCulture)));
    }

    private async Task<StatementLineResult> RecordLineAsync(DbConnection db, DbTransaction transaction, BankConnection connection, string layout, StatementLine line,
        HashSet<string> woken, CancellationToken cancellationToken)
    {
        var seen = await db.ReadFirstAsync<LineOutcomeRow>(
            "SELECT t.outcome, t.payment_id FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id WHERE s.connection_id = $c AND s.line_key = $k",
            transaction, cancellationToken, ("$c", connection.Id), ("$k", line.Key)).ConfigureAwait(false);
        if (seen is not null)
        {
            return new StatementLineResult(line.Row, line.Reference, line.Amount, "already_imported", seen.Outcome, seen.PaymentId);
        }

        var now = Now();
        if (await FindNotifiedAsync(db, transaction, connection.Id, line, cancellationToken).ConfigureAwait(false) is { } notified)
        {
            await InsertLineAsync(db, transaction, connection.Id, layout, line, notified.Id, notified.Source, now, cancellationToken).ConfigureAwait(false);
            return new StatementLineResult(line.Row, line.Reference, line.Amount, "reported", notified.Outcome, notified.PaymentId);
        }

        var transferId = await InsertTransferAsync(db, transaction, connection.Id,
            new BankNotification("statement:" + line.Key, connection.AccountNumber, line.Amount, line.Description, line.BookedAt), null, TransferSources.Statement, now, cancellationToken)
            .ConfigureAwait(false);
        var outcome = await TransferMatching.MatchAsync(db, transaction, transferId, now, cancellationToken).ConfigureAwait(false);
        await InsertLineAsync(db, transaction, connection.Id, layout, line, transferId, null, now, cancellationToken).ConfigureAwait(false);
        if (outcome.TerminalId is { } terminal)
        {
            woken.Add(terminal);
        }

        return new StatementLineResult(line.Row, line.Reference, line.Amount, "recorded", outcome.Name, outcome.PaymentId);
    }

    // The notification of the same money: the bank books a transfer on the day it arrives, or the next working day
    // for one late in the evening, so a day either side; the stored times carry their own offset, hence the window
    // on the date text. The texts need not be equal (the statement often prefixes the bank's own reference).
    private static async Task<NotifiedRow?> FindNotifiedAsync(DbConnection db, DbTransaction transaction, string connectionId, StatementLine line, CancellationToken cancellationToken)
    {
        var day = line.BookedAt.Date;
        var candidates = await db.ReadAllAsync<NotifiedRow>(
            """
            SELECT t.id, t.description, t.outcome, t.payment_id, t.source FROM bank_transfers t
            WHERE t.connection_id = $c AND t.amount = $a AND t.source <> 'statement' AND substr(t.transaction_time, 1, 10) BETWEEN $d0 AND $d1
              AND NOT EXISTS (SELECT 1 FROM bank_statement_lines s WHERE s.transfer_id = t.id)
            ORDER BY t.id
            """,
            transaction, cancellationToken, ("$c", connectionId), ("$a", line.Amount),
            ("$d0", day.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$d1", day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return null;
        }

        var codes = TransferCode.FindIn(line.Description).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return candidates.Find(c => SameText(codes, line.Description, c.Description));
    }

    // A notification that comes after the statement recorded its money (the same rule as FindNotifiedAsync, the other
    // way round): the line is paired with the notification's id, and the money is not recorded a second time.
    private static async Task<LineOutcomeRow?> ClaimStatementLineAsync(DbConnection db, DbTransaction transaction, string connectionId, BankNotification notification,
        string source, CancellationToken cancellationToken)
    {
        var day = notification.TransactionTime.ToOffset(BankProviders.VietnamOffset).Date;
        var lines = await db.ReadAllAsync<StatedRow>(
            """
            SELECT s.id, s.description, t.outcome, t.payment_id FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id
            WHERE s.connection_id = $c AND s.reported_by IS NULL AND s.amount = $a AND s.booked_on BETWEEN $d0 AND $d1 ORDER BY s.id
            """,
            transaction, cancellationToken, ("$c", connectionId), ("$a", notification.Amount),
            ("$d0", day.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$d1", day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        if (lines.Count == 0)
        {
            return null;
        }

        var codes = TransferCode.FindIn(notification.Description).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (lines.Find(l => SameText(codes, notification.Description, l.Description)) is not { } line)
        {
            return null;
        }

        await db.ExecuteAsync("UPDATE bank_statement_lines SET reported_by = $by, notified_txn_id = $x WHERE id = $id", transaction, cancellationToken,
            ("$by", source), ("$x", notification.TransactionId), ("$id", line.Id)).ConfigureAwait(false);
        return new LineOutcomeRow { Outcome = line.Outcome, PaymentId = line.PaymentId };
    }

    private static bool SameText(HashSet<string> lineCodes, string lineText, string notifiedText)
    {
        var codes = TransferCode.FindIn(notifiedText);
        if (lineCodes.Count > 0 || codes.Count > 0)
        {
            return codes.Any(c => lineCodes.Contains(c.Value));
        }

        static string Letters(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        var (a, b) = (Letters(lineText), Letters(notifiedText));
        return a.Length > 0 && b.Length > 0 && (a.Contains(b, StringComparison.Ordinal) || b.Contains(a, StringComparison.Ordinal));
    }

    private static Task<int> InsertLineAsync(DbConnection db, DbTransaction transaction, string connectionId, string layout, StatementLine line, long transferId, string? reportedBy,
        string now, CancellationToken cancellationToken) =>
        db.ExecuteAsync(
            """
            INSERT INTO bank_statement_lines (connection_id, line_key, booked_on, amount, description, reference, layout, transfer_id, reported_by, imported_at)
            VALUES ($c, $k, $d, $a, $t, $r, $l, $x, $by, $now)
            """,
            transaction, cancellationToken, ("$c", connectionId), ("$k", line.Key), ("$d", line.BookedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$a", line.Amount),
            ("$t", line.Description), ("$r", line.Reference), ("$l", layout), ("$x", transferId), ("$by", reportedBy), ("$now", now));

    private sealed record LineOutcomeRow
    {
        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }
    }

    private sealed record NotifiedRow
    {
        public long Id { get; init; }

        public required string Description { get; init; }

        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }

        public required string Source { get; init; }
    }

    private sealed record StatedRow
    {
        public long Id { get; init; }

        public required string Description { get; init; }

        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }
    }

    private sealed record GapRow
    {
        public required string BookedOn { get; init; }

        public long Amount { get; init; }

        public required string Description { get; init; }

        public string? Reference { get; init; }

        public required string Layout { get; init; }

        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }

        public required string ImportedAt { get; init; }
    }
}
