using System.Globalization;
using Dapper;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>The kinds of print job.</summary>
public static class PrintJobKinds
{
    /// <summary>A payment's receipt (made from the payment when printed).</summary>
    public const string Receipt = "receipt";

    /// <summary>The provisional slip of a VietQR payment awaiting the bank.</summary>
    public const string Provisional = "provisional";

    /// <summary>An X or Z report.</summary>
    public const string Report = "report";

    /// <summary>A void or refund slip.</summary>
    public const string Slip = "slip";

    /// <summary>The technician's test page.</summary>
    public const string TestPage = "test_page";
}

/// <summary>A print job as the queue keeps it.</summary>
/// <param name="Id">Its number, in queue order.</param>
/// <param name="Kind">One of <see cref="PrintJobKinds"/>.</param>
/// <param name="Subject">The payment it prints, if any.</param>
/// <param name="Reprint">Printed with the copy mark.</param>
/// <param name="Document">The document as JSON, or null for a receipt made from its payment.</param>
/// <param name="State">queued, held, printed or cancelled.</param>
/// <param name="Attempts">Attempts so far.</param>
/// <param name="Problem">Why it is held.</param>
/// <param name="MaybeOnPaper">An attempt may have put (part of) it on paper.</param>
/// <param name="CreatedAt">When queued.</param>
/// <param name="PrintedAt">When the printer confirmed it.</param>
/// <param name="Preview">What was printed, as plain text.</param>
public sealed record PrintJobRecord(
    long Id, string Kind, string? Subject, bool Reprint, string? Document, string State, int Attempts, string? Problem, bool MaybeOnPaper,
    DateTimeOffset CreatedAt, DateTimeOffset? PrintedAt, string? Preview);

/// <summary>
/// The print queue in the terminal's database: jobs survive a restart, and a job is done only when the printer said
/// it printed it. A receipt printed (or possibly put on paper) once is queued again only as a reprint, which carries
/// the copy mark: no receipt is ever printed twice unmarked.
/// </summary>
public sealed class PrintQueueStore(SqliteDatabase database, TimeProvider time)
{
    private const string Columns = "id, kind, subject, reprint, document, state, attempts, problem, maybe_on_paper, created_at, printed_at, preview";

    /// <summary>
    /// Queues a job. For a receipt or slip of a payment already printed (or possibly on paper), the job is a
    /// reprint whatever <paramref name="reprint"/> says; asking for the original of one already waiting returns
    /// the waiting job instead of a second.
    /// </summary>
    public async Task<long> EnqueueAsync(string kind, string? subject, string? document, bool reprint = false, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var id = await EnqueueAsync(connection, transaction, kind, subject, document, reprint, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Queues a job inside the caller's transaction (a receipt with its payment).</summary>
    internal static async Task<long> EnqueueAsync(SqliteConnection connection, SqliteTransaction transaction, string kind, string? subject, string? document, bool reprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (subject is not null)
        {
            var onPaper = Convert.ToInt64(await connection.ScalarAsync(
                "SELECT count(*) FROM print_jobs WHERE kind = $k AND subject = $s AND (state = 'printed' OR maybe_on_paper = 1)",
                transaction, cancellationToken, ("$k", kind), ("$s", subject)).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
            reprint |= onPaper;
            if (await connection.ScalarAsync(
                    "SELECT id FROM print_jobs WHERE kind = $k AND subject = $s AND state IN ('queued', 'held') AND reprint = $r ORDER BY id LIMIT 1",
                    transaction, cancellationToken, ("$k", kind), ("$s", subject), ("$r", reprint ? 1 : 0)).ConfigureAwait(false) is long waiting)
            {
                return waiting;
            }
        }

        return (long)(await connection.ScalarAsync(
            "INSERT INTO print_jobs (kind, subject, reprint, document, created_at) VALUES ($k, $s, $r, $d, $t) RETURNING id",
            transaction, cancellationToken, ("$k", kind), ("$s", subject), ("$r", reprint ? 1 : 0), ("$d", document), ("$t", now.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false))!;
    }

    /// <summary>The first job waiting (queued or held), or null.</summary>
    public async Task<PrintJobRecord?> NextAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<PrintJobRow>($"SELECT {Columns} FROM print_jobs WHERE state IN ('queued', 'held') ORDER BY id LIMIT 1").ConfigureAwait(false))?.ToRecord();
    }

    /// <summary>One job, or null.</summary>
    public async Task<PrintJobRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<PrintJobRow>($"SELECT {Columns} FROM print_jobs WHERE id = $id", new { id }).ConfigureAwait(false))?.ToRecord();
    }

    /// <summary>The most recent job of <paramref name="kind"/> for <paramref name="subject"/>, or null.</summary>
    public async Task<PrintJobRecord?> LatestAsync(string kind, string subject, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<PrintJobRow>(
            $"SELECT {Columns} FROM print_jobs WHERE kind = $k AND subject = $s ORDER BY id DESC LIMIT 1", new { k = kind, s = subject }).ConfigureAwait(false))?.ToRecord();
    }

    /// <summary>
    /// Keeps the document a job made from its payment when it first printed (a receipt: its balance and debts as they
    /// stood then), for the reprints; retention forgets it with the preview.
    /// </summary>
    public async Task KeepDocumentAsync(long id, string document, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE print_jobs SET document = $d WHERE id = $id AND document IS NULL", null, cancellationToken, ("$d", document), ("$id", id)).ConfigureAwait(false);
    }

    /// <summary>The document of the payment's original receipt (not a reprint) as it was made, or null when none is kept.</summary>
    public async Task<string?> OriginalReceiptAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (string?)await connection.ScalarAsync(
            "SELECT document FROM print_jobs WHERE kind = 'receipt' AND subject = $s AND reprint = 0 AND document IS NOT NULL ORDER BY id LIMIT 1",
            null, cancellationToken, ("$s", paymentId)).ConfigureAwait(false);
    }

    /// <summary>The payment whose receipt was queued last, or null (for "reprint the last receipt").</summary>
    public async Task<string?> LastReceiptSubjectAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (string?)await connection.ScalarAsync("SELECT subject FROM print_jobs WHERE kind = 'receipt' ORDER BY id DESC LIMIT 1", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest jobs, newest first.</summary>
    public async Task<IReadOnlyList<PrintJobRecord>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PrintJobRow>($"SELECT {Columns} FROM print_jobs ORDER BY id DESC LIMIT $n", new { n = Math.Clamp(limit, 1, 500) }).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>
    /// Forgets what finished jobs created before <paramref name="before"/> said (their document and text preview,
    /// which hold payers' names); the jobs stay, as the record that they printed. Returns how many were purged.
    /// </summary>
    public async Task<int> PurgeContentAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            "UPDATE print_jobs SET document = NULL, preview = NULL WHERE state IN ('printed', 'cancelled') AND created_at < $t AND (document IS NOT NULL OR preview IS NOT NULL)",
            null, cancellationToken, ("$t", before.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture))).ConfigureAwait(false);
    }

    /// <summary>How many jobs wait (queued or held).</summary>
    public async Task<int> CountWaitingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(await connection.ScalarAsync("SELECT count(*) FROM print_jobs WHERE state IN ('queued', 'held')", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Records that the printer confirmed the job and, for a receipt (<paramref name="receiptOf"/>), the payment's
    /// receipt state and its journal entry, in one transaction: a crash cannot leave one without the other.
    /// </summary>
    /// <returns>True when a receipt's journal entry was appended (the caller wakes the sync for it).</returns>
    public async Task<bool> MarkPrintedAsync(long id, string preview, string? receiptOf = null, string? receiptDetail = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(
            "UPDATE print_jobs SET state = 'printed', attempts = attempts + 1, problem = NULL, printed_at = $t, preview = $p WHERE id = $id",
            transaction, cancellationToken, ("$t", now.ToString("O", CultureInfo.InvariantCulture)), ("$p", preview), ("$id", id)).ConfigureAwait(false);
        var journalled = receiptOf is not null
            && await PaymentStore.RecordReceiptAsync(connection, transaction, receiptOf, true, receiptDetail, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return journalled;
    }

    /// <summary>
    /// Holds the job after a failed attempt. <paramref name="maybeOnPaper"/> records that part of it may be on paper;
    /// <paramref name="markAsCopy"/> makes the next attempt a reprint (when it is not known whether it printed). The
    /// first problem of a receipt's original (<paramref name="receiptOf"/>) is recorded on its payment, in the same
    /// transaction.
    /// </summary>
    /// <returns>True when a receipt's journal entry was appended (the caller wakes the sync for it).</returns>
    public async Task<bool> MarkHeldAsync(long id, string problem, bool maybeOnPaper, bool markAsCopy, string? receiptOf = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var first = (string?)await connection.ScalarAsync("SELECT state FROM print_jobs WHERE id = $id", transaction, cancellationToken, ("$id", id)).ConfigureAwait(false) == "queued";
        await connection.ExecuteAsync(
            "UPDATE print_jobs SET state = 'held', attempts = attempts + 1, problem = $p, maybe_on_paper = maybe_on_paper | $m, reprint = reprint | $c WHERE id = $id AND state IN ('queued', 'held')",
            transaction, cancellationToken, ("$p", problem), ("$m", maybeOnPaper ? 1 : 0), ("$c", markAsCopy ? 1 : 0), ("$id", id)).ConfigureAwait(false);
        var journalled = first && receiptOf is not null
            && await PaymentStore.RecordReceiptAsync(connection, transaction, receiptOf, false, problem, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return journalled;
    }

    /// <summary>Cancels a waiting job (a technician clearing the queue); a printed one stays printed.</summary>
    public async Task<bool> CancelAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("UPDATE print_jobs SET state = 'cancelled' WHERE id = $id AND state IN ('queued', 'held')", null, cancellationToken, ("$id", id)).ConfigureAwait(false) == 1;
    }

}

/// <summary>A <c>print_jobs</c> row as stored.</summary>
internal sealed record PrintJobRow(
    long Id, string Kind, string? Subject, long Reprint, string? Document, string State, long Attempts, string? Problem, long MaybeOnPaper,
    string CreatedAt, string? PrintedAt, string? Preview)
{
    /// <summary>The job this row holds.</summary>
    public PrintJobRecord ToRecord() => new(
        Id, Kind, Subject, Reprint != 0, Document, State, checked((int)Attempts), Problem, MaybeOnPaper != 0,
        StoredNames.ToTime(CreatedAt), StoredNames.ToTimeOrNull(PrintedAt), Preview);
}
