using System.Globalization;
using KioskPos.ProvinceServer.Banking;

namespace KioskPos.ProvinceServer.Data;

/// <summary>A person's decision on a held statement line: why (required, one line of at most <see cref="BankLedger.MaxHeldLineReason"/> characters).</summary>
public sealed record HeldLineRequest(string? Reason);

/// <summary>
/// A held statement line as a person settled it: <c>credited</c> (what became of it as an imported line: its outcome and
/// payment), or <c>dismissed</c> (outcome <c>duplicate</c>, nothing credited); the reason given, who and when.
/// <paramref name="Repeated"/> is true when the line had been settled so already and nothing changed.
/// </summary>
public sealed record HeldLineDecision(long Id, string ConnectionId, string Decision, string Outcome, string? PaymentId, string Reason, string DecidedBy,
    DateTimeOffset DecidedAt, bool Repeated);

/// <summary>Why a held line was not settled as asked.</summary>
internal enum HeldLineRefusal
{
    /// <summary>No held line of that id on the connection.</summary>
    NotFound,

    /// <summary>The line was settled the other way already (credited and dismissed exclude each other).</summary>
    DecidedOtherwise,
}

/// <summary>A person settles a line the statement import held as a possible duplicate.</summary>
internal sealed partial class BankLedger
{
    /// <summary>The most characters of the reason a held line is credited or dismissed for.</summary>
    public const int MaxHeldLineReason = 200;

    /// <summary>A held line's decision: it was a second transfer after all.</summary>
    public const string Credited = "credited";

    /// <summary>A held line's decision: it was the same transfer as the stored line.</summary>
    public const string Dismissed = "dismissed";

    /// <summary>The outcome of a dismissed held line: the same money as the stored line, nothing credited.</summary>
    public const string DismissedDuplicate = "duplicate";

    /// <summary>
    /// Settles held line <paramref name="heldId"/> of <paramref name="connection"/> once, in one write transaction.
    /// Credited, it goes the way an imported statement line goes (<see cref="ImportStatementAsync"/>): paired with a
    /// notification that brought the same money and no line yet claims, or else recorded as a transfer of source
    /// <c>statement</c> and matched by the one engine; either way a <c>bank_statement_lines</c> row, kept with who
    /// uploaded the file and its SHA-256, so a later notification of it or an import of it again credits nothing.
    /// Dismissed, nothing is credited. Asked again the same way it answers the first decision and changes nothing;
    /// asked the other way it is refused.
    /// </summary>
    public async Task<(HeldLineDecision? Decision, HeldLineRefusal? Refusal)> SettleHeldLineAsync(BankConnection connection, long heldId, bool credit, string reason,
        string decidedBy, CancellationToken cancellationToken)
    {
        var woken = new HashSet<string>(StringComparer.Ordinal);
        HeldLineDecision decision;
        await using (var db = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var transaction = await database.BeginWriteAsync(db, cancellationToken).ConfigureAwait(false);
            var held = await db.ReadFirstAsync<HeldLineRow>(
                """
                SELECT h.id, h.line_key, h.booked_on, h.amount, h.description, h.reference, h.layout, h.imported_by, h.file_sha256, h.decision, h.decision_reason,
                       h.decided_by, h.decided_at, h.text_digest, t.outcome, t.payment_id
                FROM bank_statement_held_lines h LEFT JOIN bank_statement_lines s ON s.id = h.statement_line_id LEFT JOIN bank_transfers t ON t.id = s.transfer_id
                WHERE h.id = $id AND h.connection_id = $c
                """,
                transaction, cancellationToken, ("$id", heldId), ("$c", connection.Id)).ConfigureAwait(false);
            if (held is null)
            {
                return (null, HeldLineRefusal.NotFound);
            }

            var wanted = credit ? Credited : Dismissed;
            if (held.Decision is { } decided)
            {
                var before = new HeldLineDecision(held.Id, connection.Id, decided, held.Outcome ?? DismissedDuplicate, held.PaymentId, held.DecisionReason ?? string.Empty,
                    held.DecidedBy ?? string.Empty, DateTimeOffset.Parse(held.DecidedAt!, CultureInfo.InvariantCulture), Repeated: true);
                return decided == wanted ? (before, null) : (before, HeldLineRefusal.DecidedOtherwise);
            }

            var now = Now();
            long? lineId = null;
            string? erasedText = null;
            var (outcome, paymentId) = (DismissedDuplicate, (string?)null);
            if (credit)
            {
                // The line as the import read it; a held line keeps its day only, so it is booked at that day's start.
                var day = DateTime.ParseExact(held.BookedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                var line = new StatementLine(0, held.LineKey, new DateTimeOffset(day, BankProviders.VietnamOffset), held.Amount, held.Description, held.Reference);
                var upload = new StatementUpload(held.ImportedBy, held.FileSha256);
                var notified = await NotifiedAsync(db, transaction, connection.Id, [line], cancellationToken).ConfigureAwait(false);
                object?[] row;
                if (TakeNotified(notified, line) is { } reported)
                {
                    erasedText = ErasedOrNull(reported.Description);
                    row = LineRow(connection.Id, held.Layout, line, reported.Id, reported.Source, upload, now, held.TextDigest, erasedText);
                    (outcome, paymentId) = (reported.Outcome, reported.PaymentId);
                }
                else
                {
                    var transferId = (await InsertStatementTransfersAsync(db, transaction, connection, [line], now, cancellationToken).ConfigureAwait(false))["statement:" + line.Key];
                    var matched = await TransferMatching.MatchAsync(db, transaction, transferId, now, cancellationToken).ConfigureAwait(false);
                    if (matched.TerminalId is { } terminal)
                    {
                        woken.Add(terminal);
                    }

                    erasedText = matched.PayerErased ? Erasure.Text(matched.TransferCode) : null;
                    row = LineRow(connection.Id, held.Layout, line, transferId, null, upload, now, held.TextDigest, erasedText);
                    (outcome, paymentId) = (matched.Name, matched.PaymentId);
                }

                var names = string.Join(", ", s_lineColumns.Select(c => c.Column));
                var values = string.Join(", ", s_lineColumns.Select((_, i) => "$v" + i.ToString(CultureInfo.InvariantCulture)));
                lineId = Convert.ToInt64(await db.ScalarAsync($"INSERT INTO bank_statement_lines ({names}) VALUES ({values}) RETURNING id", transaction, cancellationToken,
                    [.. row.Select((v, i) => ("$v" + i.ToString(CultureInfo.InvariantCulture), v))]).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            // Credited as an erased payer's money, the held line's text goes as the stored line's did, its digest kept.
            await db.ExecuteAsync(
                """
                UPDATE bank_statement_held_lines SET decision = $d, decision_reason = $r, decided_by = $by, decided_at = $at, statement_line_id = $l,
                    description = COALESCE(CAST($t AS TEXT), description), text_digest = COALESCE(text_digest, $g)
                WHERE id = $id AND decision IS NULL
                """,
                transaction, cancellationToken, ("$d", wanted), ("$r", reason), ("$by", decidedBy), ("$at", now), ("$l", lineId), ("$t", erasedText),
                ("$g", SameTextDigest(held.Description)), ("$id", held.Id)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            decision = new HeldLineDecision(held.Id, connection.Id, wanted, outcome, paymentId, reason, decidedBy, DateTimeOffset.Parse(now, CultureInfo.InvariantCulture), Repeated: false);
        }

        if (woken.Count > 0)
        {
            signal.Notify([.. woken]);
        }

        return (decision, null);
    }

    private sealed record HeldLineRow
    {
        public long Id { get; init; }

        public required string LineKey { get; init; }

        public required string BookedOn { get; init; }

        public long Amount { get; init; }

        public required string Description { get; init; }

        public string? Reference { get; init; }

        public required string Layout { get; init; }

        public required string ImportedBy { get; init; }

        public required string FileSha256 { get; init; }

        public string? Decision { get; init; }

        public string? DecisionReason { get; init; }

        public string? DecidedBy { get; init; }

        public string? DecidedAt { get; init; }

        public string? TextDigest { get; init; }

        public string? Outcome { get; init; }

        public string? PaymentId { get; init; }
    }
}
