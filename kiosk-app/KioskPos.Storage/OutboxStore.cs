using System.Globalization;
using System.Text.Json;
using Dapper;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage;

/// <summary>What the sync screens and the API show about the queue to the province server.</summary>
/// <param name="Queued">Entries not yet acknowledged.</param>
/// <param name="Rejected">Entries refused for good, waiting for a person.</param>
/// <param name="OldestQueuedAt">When the oldest queued entry was committed.</param>
/// <param name="LastSuccessAt">When a sync last succeeded.</param>
/// <param name="LastError">The last sync error, if the last attempt failed.</param>
public sealed record SyncStatus(int Queued, int Rejected, DateTimeOffset? OldestQueuedAt, DateTimeOffset? LastSuccessAt, string? LastError);

/// <summary>The outbox: journal entries waiting for the province server, and what became of them.</summary>
public sealed class OutboxStore(SqliteDatabase database, TimeProvider time)
{
    /// <summary>
    /// The states of an outbox row the province does not have yet, as SQL for <c>state IN …</c>: pending, or rejected
    /// (kept to be sent again once mended). Every sum of what the terminal took and the province has not had (a card's
    /// unsynced debits, a bill's unsynced part, the offline exposure, the upgrade gate) reads this one list.
    /// </summary>
    internal const string UnsentStates = "('pending', 'rejected')";

    private const string LastSuccessKey = "sync.last_success";
    private const string LastErrorKey = "sync.last_error";

    /// <summary>
    /// The oldest pending entries, in sequence order, at most <paramref name="maxCount"/> of them and about
    /// <paramref name="maxBytes"/> of JSON (always at least one entry when any is pending).
    /// </summary>
    public async Task<IReadOnlyList<JournalEntryDto>> GetPendingAsync(int maxCount, int maxBytes, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var entries = new List<JournalEntryDto>();
        var bytes = 0;
        await foreach (var row in connection.QueryUnbufferedAsync<StoredEntryRow>(
            "SELECT j.body, j.prev_hash, j.hash FROM outbox o JOIN journal j ON j.sequence = o.sequence WHERE o.state = 'pending' ORDER BY o.sequence LIMIT $n",
            new { n = maxCount }).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var body = row.Body;
            bytes += body.Length;
            if (entries.Count > 0 && bytes > maxBytes)
            {
                break;
            }

            var entry = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.JournalEntryDto)
                ?? throw new InvalidDataException("A journal entry's body is empty.");

            // The chain travels with the entry, so that the server can anchor it.
            entries.Add(entry with { PrevHash = row.PrevHash, Hash = row.Hash });
        }

        return entries;
    }

    /// <summary>
    /// Records the server's answer in one transaction: acknowledged entries leave the queue, and the balances and
    /// bills the server reported replace the cached ones unless the cache already holds a newer version.
    /// </summary>
    public async Task MarkSentAsync(PushResponse response, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var result in response.Results)
        {
            await connection.ExecuteAsync(
                "UPDATE outbox SET state = 'sent', sent_at = $t, attempts = attempts + 1, last_attempt_at = $t, last_error = NULL, server_flags = $f WHERE sequence = $s AND state = 'pending'",
                transaction, cancellationToken, ("$t", now), ("$s", result.Sequence), ("$f", string.Join(' ', result.Flags))).ConfigureAwait(false);
            if (result is { AccountCode: { } code, BalanceAfter: { } balance, AccountVersion: { } version })
            {
                await connection.ExecuteAsync(
                    "UPDATE accounts SET balance = $b, version = $v WHERE code = $c AND version < $v",
                    transaction, cancellationToken, ("$b", balance), ("$v", version), ("$c", code)).ConfigureAwait(false);
            }

            foreach (var bill in result.Bills)
            {
                await connection.ExecuteAsync(
                    "UPDATE bills SET paid = $p, version = $v WHERE id = $id AND version < $v",
                    transaction, cancellationToken, ("$p", bill.Paid), ("$v", bill.Version), ("$id", bill.BillId)).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks one entry as refused for good by the server; it stays in the journal and is shown to people.</summary>
    public async Task MarkRejectedAsync(long sequence, string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = $e, last_attempt_at = $t WHERE sequence = $s",
            null, cancellationToken, ("$e", reason), ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), ("$s", sequence)).ConfigureAwait(false);
    }

    /// <summary>Counts a failed attempt on the pending entries it carried.</summary>
    public async Task RecordAttemptFailedAsync(IEnumerable<long> sequences, string error, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var sequence in sequences)
        {
            await connection.ExecuteAsync(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $e, last_attempt_at = $t WHERE sequence = $s AND state = 'pending'",
                transaction, cancellationToken, ("$e", error), ("$t", now), ("$s", sequence)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the outcome of a whole sync round for the status screens.</summary>
    public async Task RecordRoundAsync(string? error, CancellationToken cancellationToken = default)
    {
        var settings = new SettingsStore(database);
        if (error is null)
        {
            await settings.SetAsync(LastSuccessKey, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }

        await settings.SetAsync(LastErrorKey, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The queue's state for the API and the screens.</summary>
    public async Task<SyncStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var queued = Convert.ToInt32(await connection.ScalarAsync("SELECT COUNT(*) FROM outbox WHERE state = 'pending'", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var rejected = Convert.ToInt32(await connection.ScalarAsync("SELECT COUNT(*) FROM outbox WHERE state = 'rejected'", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var oldest = (string?)await connection.ScalarAsync(
            "SELECT j.created_at FROM outbox o JOIN journal j ON j.sequence = o.sequence WHERE o.state = 'pending' ORDER BY o.sequence LIMIT 1",
            null, cancellationToken).ConfigureAwait(false);
        var lastSuccess = (string?)await connection.ScalarAsync("SELECT value FROM settings WHERE key = $k", null, cancellationToken, ("$k", LastSuccessKey)).ConfigureAwait(false);
        var lastError = (string?)await connection.ScalarAsync("SELECT value FROM settings WHERE key = $k", null, cancellationToken, ("$k", LastErrorKey)).ConfigureAwait(false);
        return new SyncStatus(queued, rejected, ParseTime(oldest), ParseTime(lastSuccess), lastError);
    }

    private static DateTimeOffset? ParseTime(string? text) => StoredNames.ToTimeOrNull(text);
}

/// <summary>A journal entry's stored body and its place in the chain.</summary>
internal sealed record StoredEntryRow(string Body, string PrevHash, string Hash);
