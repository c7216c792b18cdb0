using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Banking;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>What became of one statement line: <c>recorded</c> (no notification had brought it: matched now),
/// <c>reported</c> (a webhook or the pull had: nothing changes), <c>already_imported</c> (an earlier import had),
/// <c>held</c> (an earlier import stored a line of the same day, amount and text under another key, as when one export
/// has the bank's reference and another not: kept for a person to look at, not credited; outcome
/// <c>possible_duplicate</c>, or <c>duplicate</c> once a person dismissed it; one they credited is <c>already_imported</c>).</summary>
public sealed record StatementLineResult(int Row, string? Reference, long Amount, string Status, string Outcome, string? PaymentId);

/// <summary>An import's account: the layout read, the account the section read is of (null where the export prints
/// none), the lines of money in and what became of each, the lines of money out passed over.</summary>
public sealed record StatementImportResult(string Layout, string Bank, string? Account, int Lines, int Recorded, int AlreadyReported, int AlreadyImported, int Held,
    int OutgoingIgnored, IReadOnlyList<StatementLineResult> Results);

/// <summary>
/// A statement line to look at: one no notification reported (<c>recorded</c>: a gap in the webhooks and the pull,
/// with what its own record became), or one held as a possible duplicate of the stored line <paramref name="DuplicateOf"/>
/// (its key; <c>held</c>, outcome <c>possible_duplicate</c>, nothing credited; <paramref name="HeldId"/> the id to
/// credit or dismiss it by); who imported it and the file's SHA-256. A held line a person settled shows their
/// decision as its status (<c>credited</c>, with what its record became, or <c>dismissed</c>, outcome <c>duplicate</c>),
/// with the reason, who and when.
/// </summary>
public sealed record StatementGapRow(string BookedOn, long Amount, string Description, string? Reference, string Layout, string Outcome, string? PaymentId, DateTimeOffset ImportedAt,
    string Status, string? ImportedBy, string? FileSha256, string? DuplicateOf, long? HeldId = null, string? Reason = null, string? DecidedBy = null, DateTimeOffset? DecidedAt = null);

/// <summary>Who uploaded a statement (the signed-in user's name) and the SHA-256 of the file, kept with each line it brought.</summary>
internal sealed record StatementUpload(string ImportedBy, string FileSha256);

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
    /// A batch of lines at a time, in one write transaction: what the batch's lines were before (imported, or brought
    /// by a notification) is read in two queries for the whole batch, the new lines' transfers are written in one
    /// statement and then each goes through the one matching engine in the statement's order, and the batch's lines
    /// are written in one statement (issue 19: 10,000 lines under 5 s).
    /// </summary>
    /// <remarks>
    /// A line's key is the bank's reference, or its date, amount, text and position where there is none; the same bank
    /// line can come under another key (one export with the reference and one without, a text wrapped differently, a
    /// reference Excel turned into a number). So before a new line is paired or credited, the stored lines of its day
    /// and amount whose key this file does not hold are looked at: one of the same text (whitespace and case aside,
    /// compared by <see cref="SameTextDigest"/>, which outlasts a payer's erasure of the text) is the same money, and
    /// the new line is held (<c>bank_statement_held_lines</c>) for a person to look at, not credited; a standing top-up
    /// code's line would otherwise put the money on the card twice. Each such stored line holds one new line, so a
    /// second real transfer of the same text that day is still credited.
    /// </remarks>
    public async Task<StatementImportResult> ImportStatementAsync(BankConnection connection, StatementRead read, StatementUpload upload, CancellationToken cancellationToken)
    {
        var results = new List<StatementLineResult>(read.Lines.Count);
        var earlier = new Dictionary<string, LineOutcomeRow>(StringComparer.Ordinal); // this import's own lines, should a key come twice
        var fileKeys = read.Lines.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var batch in read.Lines.Chunk(StatementBatch))
        {
            var woken = new HashSet<string>(StringComparer.Ordinal);
            await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await database.BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
            var seen = await SeenAsync(db, transaction, connection.Id, batch, cancellationToken).ConfigureAwait(false);
            var notified = await NotifiedAsync(db, transaction, connection.Id, batch, cancellationToken).ConfigureAwait(false);
            var sameText = await StoredElsewhereAsync(db, transaction, connection.Id, batch, fileKeys, cancellationToken).ConfigureAwait(false);
            var stored = new List<object?[]>(batch.Length);
            var held = new List<object?[]>();
            var now = Now();

            // What each line was before; the lines no notification brought are recorded as transfers together.
            var outcomes = new StatementLineResult?[batch.Length];
            var fresh = new List<int>();
            for (var i = 0; i < batch.Length; i++)
            {
                var line = batch[i];
                if (seen.TryGetValue(line.Key, out var before) || earlier.TryGetValue(line.Key, out before))
                {
                    outcomes[i] = new StatementLineResult(line.Row, line.Reference, line.Amount, before.Held ? "held" : "already_imported", before.Outcome, before.PaymentId);
                }
                else if (TakeStored(sameText, line) is { } original)
                {
                    // The same text as a line whose payer's data was erased names that payer: it is held erased too.
                    var text = Erasure.IsErased(original.Description) ? original.Description : line.Description;
                    held.Add([connection.Id, line.Key, Day(line), line.Amount, text, line.Reference, read.Layout.Id, original.Id, upload.ImportedBy, upload.FileSha256, now,
                        SameTextDigest(line.Description)]);
                    outcomes[i] = new StatementLineResult(line.Row, line.Reference, line.Amount, "held", PossibleDuplicate, null);
                    earlier[line.Key] = new LineOutcomeRow { Outcome = PossibleDuplicate, Held = true };
                }
                else if (TakeNotified(notified, line) is { } reported)
                {
                    // The money of an erased payer (the notification's text blanked): the line is stored erased too.
                    stored.Add(LineRow(connection.Id, read.Layout.Id, line, reported.Id, reported.Source, upload, now, text: ErasedOrNull(reported.Description)));
                    outcomes[i] = new StatementLineResult(line.Row, line.Reference, line.Amount, "reported", reported.Outcome, reported.PaymentId);
                    earlier[line.Key] = new LineOutcomeRow { Outcome = reported.Outcome, PaymentId = reported.PaymentId };
                }
                else
                {
                    fresh.Add(i);
                    earlier[line.Key] = new LineOutcomeRow { Outcome = TransferOutcomes.Unmatched }; // a key twice in one file: the second is the first's (its outcome set below)
                }
            }

            // Each recorded transfer through the one matching engine, in the statement's order.
            var transferIds = await InsertStatementTransfersAsync(db, transaction, connection, [.. fresh.Select(i => batch[i])], now, cancellationToken).ConfigureAwait(false);
            foreach (var i in fresh)
            {
                var line = batch[i];
                var transferId = transferIds["statement:" + line.Key];
                var outcome = await TransferMatching.MatchAsync(db, transaction, transferId, now, cancellationToken).ConfigureAwait(false);
                stored.Add(LineRow(connection.Id, read.Layout.Id, line, transferId, null, upload, now, text: outcome.PayerErased ? Erasure.Text(outcome.TransferCode) : null));
                if (outcome.TerminalId is { } terminal)
                {
                    woken.Add(terminal);
                }

                outcomes[i] = new StatementLineResult(line.Row, line.Reference, line.Amount, "recorded", outcome.Name, outcome.PaymentId);
                earlier[line.Key] = new LineOutcomeRow { Outcome = outcome.Name, PaymentId = outcome.PaymentId };
            }

            for (var i = 0; i < batch.Length; i++)
            {
                var result = outcomes[i]!;
                if (result.Status == "already_imported" && earlier.TryGetValue(batch[i].Key, out var first) && !seen.ContainsKey(batch[i].Key))
                {
                    result = result with { Status = first.Held ? "held" : result.Status, Outcome = first.Outcome, PaymentId = first.PaymentId };
                }

                results.Add(result);
            }

            if (stored.Count > 0)
            {
                var names = string.Join(", ", s_lineColumns.Select(c => c.Column));
                var (source, parameters) = db.Rows("r", s_lineColumns, stored);
                await db.ExecuteAsync($"INSERT INTO bank_statement_lines ({names}) SELECT {names} FROM {source} ORDER BY ord", transaction, cancellationToken, parameters)
                    .ConfigureAwait(false);
            }

            if (held.Count > 0)
            {
                var names = string.Join(", ", s_heldColumns.Select(c => c.Column));
                var (source, parameters) = db.Rows("h", s_heldColumns, held);
                await db.ExecuteAsync($"INSERT INTO bank_statement_held_lines ({names}) SELECT {names} FROM {source} ORDER BY ord", transaction, cancellationToken, parameters)
                    .ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (woken.Count > 0)
            {
                signal.Notify([.. woken]);
            }
        }

        return new StatementImportResult(read.Layout.Id, read.Layout.Bank, read.Account, read.Lines.Count, results.Count(r => r.Status == "recorded"),
            results.Count(r => r.Status == "reported"), results.Count(r => r.Status == "already_imported"), results.Count(r => r.Status == "held"), read.Outgoing, results);
    }

    /// <summary>The outcome of a line held as a possible duplicate: nothing credited.</summary>
    public const string PossibleDuplicate = "possible_duplicate";

    /// <summary>The connection's statement lines no notification reported, and those held as possible duplicates, newest first.</summary>
    public async Task<IReadOnlyList<StatementGapRow>> StatementGapsAsync(string connectionId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.ReadAllAsync<GapRow>(
            $"""
            SELECT booked_on, amount, description, reference, layout, outcome, payment_id, imported_at, status, imported_by, file_sha256, duplicate_of,
                   held_id, reason, decided_by, decided_at FROM (
              SELECT s.booked_on, s.amount, s.description, s.reference, s.layout, t.outcome, t.payment_id, s.imported_at, 'recorded' AS status, s.imported_by,
                     s.file_sha256, CAST(NULL AS TEXT) AS duplicate_of, CAST(NULL AS BIGINT) AS held_id, CAST(NULL AS TEXT) AS reason,
                     CAST(NULL AS TEXT) AS decided_by, CAST(NULL AS TEXT) AS decided_at
              FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id
              WHERE s.connection_id = $c AND s.reported_by IS NULL
                AND NOT EXISTS (SELECT 1 FROM bank_statement_held_lines c WHERE c.statement_line_id = s.id)
              UNION ALL
              SELECT h.booked_on, h.amount, h.description, h.reference, h.layout,
                     CASE WHEN h.decision IS NULL THEN '{PossibleDuplicate}' WHEN h.decision = '{Dismissed}' THEN '{DismissedDuplicate}' ELSE t.outcome END,
                     t.payment_id, h.imported_at, COALESCE(h.decision, 'held'), h.imported_by, h.file_sha256, o.line_key, h.id, h.decision_reason, h.decided_by, h.decided_at
              FROM bank_statement_held_lines h JOIN bank_statement_lines o ON o.id = h.duplicate_of
                LEFT JOIN bank_statement_lines s ON s.id = h.statement_line_id LEFT JOIN bank_transfers t ON t.id = s.transfer_id
              WHERE h.connection_id = $c) g
            ORDER BY booked_on DESC, imported_at DESC LIMIT $n
            """,
            null, cancellationToken, ("$c", connectionId), ("$n", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
        return rows.ConvertAll(g => new StatementGapRow(g.BookedOn, g.Amount, g.Description, g.Reference, g.Layout, g.Outcome, g.PaymentId,
            DateTimeOffset.Parse(g.ImportedAt, CultureInfo.InvariantCulture), g.Status, g.ImportedBy, g.FileSha256, g.DuplicateOf, g.HeldId, g.Reason, g.DecidedBy,
            g.DecidedAt is null ? null : DateTimeOffset.Parse(g.DecidedAt, CultureInfo.InvariantCulture)));
    }

    private static readonly (string Column, bool Integer)[] s_transferColumns =
    [
        ("connection_id", false), ("bank_txn_id", false), ("account_number", false), ("amount", true), ("description", false), ("transaction_time", false),
        ("received_at", false), ("outcome", false), ("source", false),
    ];

    // The batch's new lines as transfers of source 'statement' (as the webhooks' insert writes one: unmatched until
    // matched), in one statement; their ids by transaction id ('statement:' and the line's key, unique per connection).
    private static async Task<Dictionary<string, long>> InsertStatementTransfersAsync(DbConnection db, DbTransaction transaction, BankConnection connection,
        StatementLine[] lines, string now, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        if (lines.Length == 0)
        {
            return ids;
        }

        var rows = lines.DistinctBy(l => l.Key).Select(l => new object?[]
        {
            connection.Id, "statement:" + l.Key, connection.AccountNumber, l.Amount, l.Description, l.BookedAt.ToString("O", CultureInfo.InvariantCulture), now,
            TransferOutcomes.Unmatched, TransferSources.Statement,
        }).ToList();
        var names = string.Join(", ", s_transferColumns.Select(c => c.Column));
        var (source, parameters) = db.Rows("r", s_transferColumns, rows);
        await db.ExecuteAsync($"INSERT INTO bank_transfers ({names}) SELECT {names} FROM {source} ORDER BY ord", transaction, cancellationToken, parameters).ConfigureAwait(false);
        var (keys, keyParameters) = db.Rows("k", [("bank_txn_id", false)], [.. rows.Select(r => new[] { r[1] })]);
        foreach (var row in await db.ReadAllAsync<InsertedRow>($"SELECT id, bank_txn_id FROM bank_transfers WHERE connection_id = $c AND bank_txn_id IN (SELECT bank_txn_id FROM {keys})",
            transaction, cancellationToken, [("$c", connection.Id), .. keyParameters]).ConfigureAwait(false))
        {
            ids[row.BankTxnId] = row.Id;
        }

        return ids;
    }

    private static readonly (string Column, bool Integer)[] s_lineColumns =
    [
        ("connection_id", false), ("line_key", false), ("booked_on", false), ("amount", true), ("description", false), ("reference", false), ("layout", false),
        ("transfer_id", true), ("reported_by", false), ("imported_by", false), ("file_sha256", false), ("imported_at", false), ("text_digest", false),
    ];

    private static readonly (string Column, bool Integer)[] s_heldColumns =
    [
        ("connection_id", false), ("line_key", false), ("booked_on", false), ("amount", true), ("description", false), ("reference", false), ("layout", false),
        ("duplicate_of", true), ("imported_by", false), ("file_sha256", false), ("imported_at", false), ("text_digest", false),
    ];

    // A held line a person credits brings the digest it was stored with: its text may have been erased since. A line
    // of an erased payer's money is stored with the erased text (its transfer's) and the digest of the text the bank wrote.
    private static object?[] LineRow(string connectionId, string layout, StatementLine line, long transferId, string? reportedBy, StatementUpload upload, string now,
        string? textDigest = null, string? text = null) =>
        [connectionId, line.Key, Day(line), line.Amount, text ?? line.Description, line.Reference, layout, transferId, reportedBy, upload.ImportedBy, upload.FileSha256, now,
         textDigest ?? SameTextDigest(line.Description)];

    // A notification's text when an erasure blanked it (what a line of the same money is stored as), else null.
    private static string? ErasedOrNull(string text) => Erasure.IsErased(text) ? text : null;

    private static string Day(StatementLine line) => line.BookedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // A line's text as the duplicate check compares it: without whitespace (a description wrapped onto more rows, or
    // at another place, in another export) and case.
    private static string SameTextKey(string description) => new([.. description.Where(c => !char.IsWhiteSpace(c)).Select(char.ToUpperInvariant)]);

    /// <summary>
    /// What the duplicate check compares of a line's text: SHA-256, lower-case hex, of the text without whitespace and
    /// in upper case. Stored beside each stored and held line (<c>text_digest</c>, migration 0038), so that a payer's
    /// erasure may blank the text, which names the sender, and the same bank line in another export is still held.
    /// </summary>
    internal static string SameTextDigest(string description) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SameTextKey(description))));

    // The stored lines of the batch's days and amounts whose key this file does not hold, by day, amount and text
    // digest: each may be a line of the file under another key. One query. A line stored before migration 0038 has no
    // digest: its text is compared, whole until an erasure, which stores the digest before it blanks the text.
    private static async Task<Dictionary<(string Day, long Amount, string Digest), Queue<StoredLine>>> StoredElsewhereAsync(DbConnection db, DbTransaction transaction,
        string connectionId, StatementLine[] batch, HashSet<string> fileKeys, CancellationToken cancellationToken)
    {
        var (first, last) = (batch.Min(l => l.BookedAt.Date).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), batch.Max(l => l.BookedAt.Date).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var (source, parameters) = db.Rows("a", [("amount", true)], [.. batch.Select(l => l.Amount).Distinct().Select(a => new object?[] { a })]);
        var rows = await db.ReadAllAsync<StoredLineRow>(
            $"""
            SELECT s.id, s.line_key, s.booked_on, s.amount, s.description, s.text_digest FROM bank_statement_lines s
            WHERE s.connection_id = $c AND s.amount IN (SELECT amount FROM {source}) AND s.booked_on BETWEEN $d0 AND $d1
            ORDER BY s.id
            """,
            transaction, cancellationToken, [("$c", connectionId), ("$d0", first), ("$d1", last), .. parameters]).ConfigureAwait(false);
        var byDigest = new Dictionary<(string, long, string), Queue<StoredLine>>();
        foreach (var row in rows.Where(r => !fileKeys.Contains(r.LineKey)))
        {
            var key = (row.BookedOn, row.Amount, row.TextDigest ?? SameTextDigest(row.Description));
            (byDigest.TryGetValue(key, out var queue) ? queue : byDigest[key] = new Queue<StoredLine>()).Enqueue(new StoredLine(row.Id, row.Description));
        }

        return byDigest;
    }

    // The stored line the new line may be (of its day, amount and text, under another key), taken so that it holds no other.
    private static StoredLine? TakeStored(Dictionary<(string Day, long Amount, string Digest), Queue<StoredLine>> stored, StatementLine line) =>
        stored.TryGetValue((Day(line), line.Amount, SameTextDigest(line.Description)), out var queue) && queue.TryDequeue(out var taken) ? taken : null;

    // The batch's lines an earlier import recorded, by key: one query.
    private static async Task<Dictionary<string, LineOutcomeRow>> SeenAsync(DbConnection db, DbTransaction transaction, string connectionId, StatementLine[] batch,
        CancellationToken cancellationToken)
    {
        var (source, parameters) = db.Rows("k", [("line_key", false)], [.. batch.Select(l => new object?[] { l.Key })]);
        var rows = await db.ReadAllAsync<SeenRow>(
            $"""
            SELECT s.line_key, t.outcome, t.payment_id FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id
            WHERE s.connection_id = $c AND s.line_key IN (SELECT line_key FROM {source})
            """,
            transaction, cancellationToken, [("$c", connectionId), .. parameters]).ConfigureAwait(false);
        var seen = new Dictionary<string, LineOutcomeRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            seen[row.LineKey] = new LineOutcomeRow { Outcome = row.Outcome, PaymentId = row.PaymentId };
        }

        // A line held by an earlier import is held still: importing the file again credits it no more than the first time.
        // One a person dismissed says so; one credited is a stored line now, found above.
        var (heldSource, heldParameters) = db.Rows("k", [("line_key", false)], [.. batch.Select(l => new object?[] { l.Key })]);
        foreach (var row in await db.ReadAllAsync<HeldKeyRow>(
            $"SELECT line_key, decision FROM bank_statement_held_lines WHERE connection_id = $c AND line_key IN (SELECT line_key FROM {heldSource})",
            transaction, cancellationToken, [("$c", connectionId), .. heldParameters]).ConfigureAwait(false))
        {
            seen.TryAdd(row.LineKey, new LineOutcomeRow { Outcome = row.Decision == Dismissed ? DismissedDuplicate : PossibleDuplicate, Held = true });
        }

        return seen;
    }

    // The notifications (webhook or pull) that may be the same money as one of the batch's lines: the connection's, of
    // one of the batch's amounts, booked within a day of the batch's dates, not yet paired with a line; one query, in
    // id order, by amount. The bank books a transfer on the day it arrives, or the next working day for one late in
    // the evening, so a day either side; the stored times carry their own offset, hence the window on the date text.
    private static async Task<Dictionary<long, List<NotifiedRow>>> NotifiedAsync(DbConnection db, DbTransaction transaction, string connectionId, StatementLine[] batch,
        CancellationToken cancellationToken)
    {
        var (first, last) = (batch.Min(l => l.BookedAt.Date), batch.Max(l => l.BookedAt.Date));
        var (source, parameters) = db.Rows("a", [("amount", true)], [.. batch.Select(l => l.Amount).Distinct().Select(a => new object?[] { a })]);
        var rows = await db.ReadAllAsync<NotifiedRow>(
            $"""
            SELECT t.id, t.amount, substr(t.transaction_time, 1, 10) AS booked_on, t.description, t.outcome, t.payment_id, t.source FROM bank_transfers t
            WHERE t.connection_id = $c AND t.amount IN (SELECT amount FROM {source}) AND t.source <> 'statement' AND substr(t.transaction_time, 1, 10) BETWEEN $d0 AND $d1
              AND NOT EXISTS (SELECT 1 FROM bank_statement_lines s WHERE s.transfer_id = t.id)
            ORDER BY t.id
            """,
            transaction, cancellationToken,
            [("$c", connectionId), ("$d0", first.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$d1", last.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
             .. parameters]).ConfigureAwait(false);
        var byAmount = new Dictionary<long, List<NotifiedRow>>();
        foreach (var row in rows)
        {
            (byAmount.TryGetValue(row.Amount, out var list) ? list : byAmount[row.Amount] = []).Add(row);
        }

        return byAmount;
    }

    // The notification of the same money as the line (the first by id within a day of it whose text names the same
    // transfer code, or the same text when there is none), taken so that no other line pairs with it.
    private static NotifiedRow? TakeNotified(Dictionary<long, List<NotifiedRow>> notified, StatementLine line)
    {
        if (!notified.TryGetValue(line.Amount, out var candidates))
        {
            return null;
        }

        var day = line.BookedAt.Date;
        var (d0, d1) = (day.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var codes = TransferCode.FindIn(line.Description).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var index = candidates.FindIndex(c => string.CompareOrdinal(c.BookedOn, d0) >= 0 && string.CompareOrdinal(c.BookedOn, d1) <= 0 && SameText(codes, line.Description, c.Description));
        if (index < 0)
        {
            return null;
        }

        var taken = candidates[index];
        candidates.RemoveAt(index);
        return taken;
    }

    // A notification that comes after the statement recorded its money (the same rule as FindNotifiedAsync, the other
    // way round): the line is paired with the notification's id, and the money is not recorded a second time.
    private static async Task<LineOutcomeRow?> ClaimStatementLineAsync(DbConnection db, DbTransaction transaction, string connectionId, BankNotification notification,
        string source, CancellationToken cancellationToken)
    {
        var day = notification.TransactionTime.ToOffset(BankProviders.VietnamOffset).Date;
        var lines = await db.ReadAllAsync<StatedRow>(
            """
            SELECT s.id, s.description, t.outcome, t.payment_id, t.description AS transfer_text FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id
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
        return new LineOutcomeRow { Outcome = line.Outcome, PaymentId = line.PaymentId, Erased = Erasure.IsErased(line.TransferText) };
    }

    private static bool SameText(HashSet<string> lineCodes, string lineText, string notifiedText)
    {
        var codes = TransferCode.FindIn(notifiedText);
        if (lineCodes.Count > 0 || codes.Count > 0)
        {
            return codes.Any(c => lineCodes.Contains(c.Value));
        }

        static string Letters(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

        // A text a payer's erasure blanked keeps only the code that matched it (a standing top-up code here: a payment's
        // code is read above): the other text is the same money when it holds that code.
        if ((Erasure.KeptCode(lineText), Erasure.KeptCode(notifiedText)) is var (lineKept, notifiedKept) && (lineKept ?? notifiedKept) is { } kept)
        {
            var other = lineKept is null ? lineText : notifiedText;
            return Letters(kept) is { Length: > 0 } code && Letters(other).Contains(code, StringComparison.Ordinal);
        }
        var (a, b) = (Letters(lineText), Letters(notifiedText));
        return a.Length > 0 && b.Length > 0 && (a.Contains(b, StringComparison.Ordinal) || b.Contains(a, StringComparison.Ordinal));
    }

    private sealed record LineOutcomeRow
    {
        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }

        public bool Held { get; init; }

        /// <summary>The money is an erased payer's: its texts were blanked.</summary>
        public bool Erased { get; init; }
    }

    private sealed record HeldKeyRow
    {
        public required string LineKey { get; init; }

        public string? Decision { get; init; }
    }

    // A stored line the duplicate check may take, with its text (to hold a line of an erased payer's text erased too).
    private sealed record StoredLine(long Id, string Description);

    private sealed record StoredLineRow
    {
        public long Id { get; init; }

        public required string LineKey { get; init; }

        public required string BookedOn { get; init; }

        public long Amount { get; init; }

        public required string Description { get; init; }

        public string? TextDigest { get; init; }
    }

    private sealed record InsertedRow
    {
        public long Id { get; init; }

        public required string BankTxnId { get; init; }
    }

    private sealed record SeenRow
    {
        public required string LineKey { get; init; }

        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }
    }

    private sealed record NotifiedRow
    {
        public long Id { get; init; }

        public long Amount { get; init; }

        public required string BookedOn { get; init; }

        public required string Description { get; init; }

        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }

        public required string Source { get; init; }
    }

    private sealed record StatedRow
    {
        public long Id { get; init; }

        public required string Description { get; init; }

        public required string TransferText { get; init; }

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

        public required string Status { get; init; }

        public string? ImportedBy { get; init; }

        public string? FileSha256 { get; init; }

        public string? DuplicateOf { get; init; }

        public long? HeldId { get; init; }

        public string? Reason { get; init; }

        public string? DecidedBy { get; init; }

        public string? DecidedAt { get; init; }
    }
}
