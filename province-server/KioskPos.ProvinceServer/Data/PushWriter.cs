using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// Writes the terminals' pushes: each exactly once, in the order they arrive, several in one transaction.
/// </summary>
/// <remarks>
/// One institution's writers take turns (its change counter must commit in order), so a province's worth of
/// terminals pushing at once queue here, in memory, not on the database's locks with a pooled connection each. Pushes
/// are grouped by institution: while one institution's group is written the next of that institution gathers; it is
/// then written as one: one lock, one read of what its entries touch, one batch of writes, one commit. On PostgreSQL
/// groups of different institutions are written side by side (each holds its institution's lock,
/// <see cref="ProvinceDatabase.BeginWriteAsync(DbConnection, IReadOnlyCollection{string}, CancellationToken)"/>), a
/// few at a time; on SQLite, which has one writer, one group at a time carries the pushes of any institutions. A push
/// answers only after the commit that holds it. A group that fails as a whole (the database refused a write) is
/// written again a push at a time, so that one bad push cannot fail the others. One terminal's pushes are never in
/// the same group, nor in two groups at once: each sees what the one before it stored. The queue holds at most
/// <c>limit</c> pushes waiting (each up to a bounded body): one more is refused with
/// <see cref="PushQueueFullException"/>, which the API answers 503 with <c>Retry-After</c>, so a flood costs bounded
/// memory and the terminals come back later.
/// </remarks>
internal sealed class PushWriter(ProvinceDatabase database, TimeProvider time, ConfirmationSignal confirmations, ILogger logger, int limit)
{
    /// <summary>About how many entries one transaction carries (a push is never split).</summary>
    private const int GroupEntries = 2_000;

    /// <summary>
    /// How many groups are written at once on PostgreSQL, each of another institution (a connection each); SQLite
    /// has one writer, so one group at a time there, its pushes of any institutions.
    /// </summary>
    private readonly int _writers = database.Engine == ProvinceEngine.Postgres ? Math.Max(4, 2 * Environment.ProcessorCount) : 1;

    private readonly Lock _lock = new();
    private readonly List<Push> _queue = [];

    // The institutions whose group is being written (PostgreSQL), and how many groups are.
    private readonly HashSet<string> _writing = new(StringComparer.Ordinal);
    private int _running;

    /// <summary>True while the queue holds as many pushes as it may.</summary>
    public bool Full
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count >= limit;
            }
        }
    }

    /// <summary>
    /// Queues a validated push and answers once it is committed; <paramref name="prepared"/> holds each entry's
    /// digest and stored body, worked out by the caller outside the turn.
    /// </summary>
    /// <exception cref="PushQueueFullException">The queue holds as many pushes as it may; nothing was queued.</exception>
    public async Task<PushResponse> WriteAsync(TerminalRecord terminal, IReadOnlyList<JournalEntryDto> entries, IReadOnlyList<(string Digest, string Body)> prepared, CancellationToken cancellationToken)
    {
        var push = new Push(terminal, entries, prepared);
        lock (_lock)
        {
            if (_queue.Count >= limit)
            {
                throw new PushQueueFullException();
            }

            _queue.Add(push);
            StartWriters();
        }

        try
        {
            return await push.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Gone before its turn: nothing of it is written. Taken already: it is written, and the terminal's next
            // push of the same entries gets their results back as duplicates.
            lock (_lock)
            {
                _queue.Remove(push);
            }

            throw;
        }
    }

    // The key a group is formed by: the institution on PostgreSQL (a writer each), one key on SQLite (one writer).
    private string GroupKey(Push push) => _writers > 1 ? push.Terminal.InstitutionId : string.Empty;

    /// <summary>Starts a writer for each group that may be written now (called holding <see cref="_lock"/>).</summary>
    private void StartWriters()
    {
        while (_running < _writers && TakeGroup() is { } group)
        {
            _running++;
            _ = Task.Run(() => WriteQueuedAsync(group), CancellationToken.None);
        }
    }

    /// <summary>
    /// The oldest waiting push whose institution no writer holds, with the pushes of that institution behind it (one
    /// per terminal, about <see cref="GroupEntries"/> entries); null when there is none (called holding the lock).
    /// </summary>
    private (string Key, List<Push> Pushes)? TakeGroup()
    {
        string? key = null;
        List<Push> group = [];
        var entries = 0;
        var terminals = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < _queue.Count; i++)
        {
            var push = _queue[i];
            var pushKey = GroupKey(push);
            if (key is null ? _writing.Contains(pushKey) : pushKey != key)
            {
                continue;
            }

            if ((group.Count == 0 || entries + push.Entries.Count <= GroupEntries) && terminals.Add(push.Terminal.Id))
            {
                key = pushKey;
                group.Add(push);
                entries += push.Entries.Count;
                _queue.RemoveAt(i--);
            }
        }

        if (key is null)
        {
            return null;
        }

        _writing.Add(key);
        return (key, group);
    }

    private async Task WriteQueuedAsync((string Key, List<Push> Pushes) taken)
    {
        var group = taken.Pushes;
        try
        {
            await WriteGroupAsync(group).ConfigureAwait(false);
        }
        catch (Exception failure) when (group.Count > 1)
        {
            logger.LogWarning(failure, "A group of {Pushes} pushes failed as a whole; writing them one at a time", group.Count);
            foreach (var push in group)
            {
                try
                {
                    await WriteGroupAsync([push]).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    push.Done.TrySetException(e);
                }
            }
        }
        catch (Exception e)
        {
            group[0].Done.TrySetException(e);
        }
        finally
        {
            lock (_lock)
            {
                _writing.Remove(taken.Key);
                _running--;
                StartWriters();
            }
        }
    }

    private async Task WriteGroupAsync(IReadOnlyList<Push> group)
    {
        // The group runs to its commit whoever stops waiting for it; the database's command timeout bounds it.
        var cancellationToken = CancellationToken.None;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var institutions = group.Select(p => p.Terminal.InstitutionId).Distinct(StringComparer.Ordinal).ToList();
        await using var transaction = await database.BeginWriteAsync(connection, institutions, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var woken = new List<string>();

        // What the server already holds around each push (each entry, its neighbours) and how far each terminal is
        // acknowledged: two queries for the group, not three per entry.
        var histories = await ReadHistoriesAsync(connection, transaction, group, cancellationToken).ConfigureAwait(false);
        await ChangeVersions.StartClockAsync(connection, transaction, institutions, cancellationToken).ConfigureAwait(false);
        var ledger = await PushLedger.OpenAsync(connection, transaction, now, [.. group.Select(p => (p.Terminal, p.Entries))], cancellationToken).ConfigureAwait(false);
        foreach (var push in group)
        {
            var held = histories[push.Terminal.Id].Held;
            for (var i = 0; i < push.Entries.Count && push.Refusal is null; i++)
            {
                var entry = push.Entries[i];
                var (digest, body) = push.Prepared[i];
                if (held.TryGetValue(entry.Sequence, out var existing))
                {
                    if (existing.Digest != digest)
                    {
                        push.Refuse(entry.Sequence, "sequence_conflict",
                            $"Sequence {entry.Sequence} was already received with different content (digest {digest}); the entry is refused and an alert raised.");
                    }
                    else
                    {
                        push.Results.Add(JsonSerializer.Deserialize(existing.Result, ContractsJsonContext.Default.PushEntryResult)! with { Status = "duplicate" });
                    }

                    continue;
                }

                if (ChainBreak(held, entry) is { } chainBreak)
                {
                    push.Refuse(entry.Sequence, "chain_diverged", chainBreak);
                    continue;
                }

                var result = entry.Kind switch
                {
                    EntryKinds.PaymentCreated => ledger.Booking.ApplyPayment(push.Terminal.Id, push.Terminal.InstitutionId, entry),
                    EntryKinds.PaymentVoided or EntryKinds.PaymentRefunded => ledger.Booking.ApplyReversal(push.Terminal.Id, push.Terminal.InstitutionId, entry),
                    EntryKinds.CardChanged => ledger.Booking.ApplyCardChange(push.Terminal.Id, push.Terminal.InstitutionId, entry),
                    _ => new PushEntryResult(entry.Sequence, "accepted", null, null, null, [], []),
                };
                if (entry is { Kind: EntryKinds.PaymentExpired, Expiry: { } expiry })
                {
                    // Recorded so that money still arriving is flagged late; a payment already (partly) paid keeps its state.
                    ledger.Booking.Expire(push.Terminal.Id, expiry.PaymentId);
                }

                // The entry's row carries the result a repeated push will get back, and is written with its effect.
                var stored = ledger.AddEntry(push.Terminal, entry, digest, body, result);
                if (entry is { Kind: EntryKinds.PaymentCreated, Payment.Qr: { } qr } && ledger.Booking.HeldTransferCodes.Contains(qr.TransferCode))
                {
                    // Money that arrived while the terminal was offline waits for this entry.
                    await ledger.SyncAsync(async () => woken.AddRange(await TransferMatching.MatchHeldAsync(connection, transaction, qr.TransferCode, now, cancellationToken).ConfigureAwait(false)),
                        cancellationToken).ConfigureAwait(false);
                }

                held[entry.Sequence] = new HeldEntry(digest, stored, entry.PrevHash, entry.Hash);
                push.Results.Add(result);
            }

            if (push.Refusal is { } refusal)
            {
                ledger.Booking.Alert(push.Terminal.Id, refusal.Code, refusal.Message);
            }
        }

        // Each terminal's acknowledgement walks forward from where it stood while the next entry is held.
        // In the order of the terminals' ids: every writer of several terminals' rows locks them in that order
        // (RequestNonces), so writers running side by side never wait for each other in a circle.
        var acknowledgements = new List<Statement>();
        var walkOn = new List<Push>();
        foreach (var push in group.OrderBy(p => p.Terminal.Id, StringComparer.Ordinal))
        {
            var history = histories[push.Terminal.Id];
            push.Acked = history.Acked;
            while (history.Held.ContainsKey(push.Acked + 1))
            {
                push.Acked++;
            }

            if (push.Acked >= push.Entries[^1].Sequence + 1)
            {
                walkOn.Add(push); // held beyond what was read: the database walks on
            }
            else if (push.Acked != history.Acked)
            {
                acknowledgements.Add(new Statement("UPDATE terminals SET acked_through = $a, anchor_hash = $h WHERE id = $t",
                    ("$a", push.Acked), ("$h", history.Held[push.Acked].Hash), ("$t", push.Terminal.Id)));
            }
        }

        await ledger.FlushAsync([.. acknowledgements, .. ChangeVersions.ClockStatements(transaction)], cancellationToken).ConfigureAwait(false);
        foreach (var push in walkOn)
        {
            push.Acked = await AdvanceAckAsync(connection, transaction, push.Terminal.Id, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        confirmations.Notify(woken);
        foreach (var push in group)
        {
            var response = new PushResponse(push.Acked, push.Results);
            if (push.Refusal is { } refusal)
            {
                push.Done.TrySetException(new SequenceConflictException(refusal.Sequence, refusal.Code, refusal.Message, response));
            }
            else
            {
                push.Done.TrySetResult(response);
            }
        }
    }

    private static async Task<Dictionary<string, History>> ReadHistoriesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<Push> group, CancellationToken cancellationToken)
    {
        var histories = group.ToDictionary(p => p.Terminal.Id, _ => new History(), StringComparer.Ordinal);
        var (ranges, parameters) = connection.Rows("r", [("t", false), ("a", true), ("b", true)],
            [.. group.Select(p => new object?[] { p.Terminal.Id, p.Entries[0].Sequence - 1, p.Entries[^1].Sequence + 1 })]);
        foreach (var held in await connection.ReadAllAsync<HeldRow>(HistoriesSql(connection is Npgsql.NpgsqlConnection, ranges), transaction, cancellationToken, parameters).ConfigureAwait(false))
        {
            histories[held.TerminalId].Held[held.Sequence] = new HeldEntry(held.Digest, held.Result, held.PrevHash, held.Hash);
        }

        foreach (var terminal in await connection.ReadAllAsync<AckedRow>($"SELECT id, acked_through FROM terminals WHERE id IN (SELECT t FROM {ranges})", transaction, cancellationToken, parameters).ConfigureAwait(false))
        {
            histories[terminal.Id].Acked = terminal.AckedThrough;
        }

        return histories;
    }

    /// <summary>
    /// The entries held in each push's range (<paramref name="ranges"/>: terminal <c>t</c>, sequences <c>a</c> to
    /// <c>b</c>), read through the journal's key: a few rows a push, however long the journal.
    /// </summary>
    /// <remarks>
    /// A plain join lets PostgreSQL's planner, which cannot know how many sequences a range holds, hash the ranges and
    /// scan the whole journal for every group — 30 ms a group at 200,000 entries in the load test, growing with the
    /// journal. A lateral subquery with a limit (the range's length, so it cuts nothing) is planned per range, as an
    /// index range scan. SQLite has no LATERAL and always joins by looking up the key.
    /// </remarks>
    internal static string HistoriesSql(bool postgres, string ranges) => postgres
        ? $"SELECT j.terminal_id, j.sequence, j.digest, j.result, j.prev_hash, j.hash FROM {ranges} CROSS JOIN LATERAL " +
          "(SELECT terminal_id, sequence, digest, result, prev_hash, hash FROM journal_entries WHERE terminal_id = r.t AND sequence >= r.a AND sequence <= r.b ORDER BY sequence LIMIT r.b - r.a + 1) j"
        : $"SELECT j.terminal_id, j.sequence, j.digest, j.result, j.prev_hash, j.hash FROM {ranges} JOIN journal_entries j ON j.terminal_id = r.t AND j.sequence >= r.a AND j.sequence <= r.b";

    private static async Task<long> AdvanceAckAsync(DbConnection connection, DbTransaction transaction, string terminalId, CancellationToken cancellationToken)
    {
        // Walk forward from the last acknowledged sequence while the next one is held, in the database: one
        // statement, not one round trip per entry.
        var acked = Convert.ToInt64(await connection.ScalarAsync(
            """
            WITH RECURSIVE run (s) AS (
                SELECT acked_through FROM terminals WHERE id = $t
                UNION ALL
                SELECT s + 1 FROM run WHERE EXISTS (SELECT 1 FROM journal_entries WHERE terminal_id = $t AND sequence = s + 1))
            SELECT MAX(s) FROM run
            """,
            transaction, cancellationToken, ("$t", terminalId)).ConfigureAwait(false), CultureInfo.InvariantCulture);

        await connection.ExecuteAsync(
            "UPDATE terminals SET acked_through = $a, anchor_hash = (SELECT hash FROM journal_entries WHERE terminal_id = $t AND sequence = $a) WHERE id = $t",
            transaction, cancellationToken, ("$a", acked), ("$t", terminalId)).ConfigureAwait(false);
        return acked;
    }

    /// <summary>Why <paramref name="entry"/> does not continue the chain the server holds for the terminal, or null.</summary>
    private static string? ChainBreak(Dictionary<long, HeldEntry> held, JournalEntryDto entry)
    {
        if (entry.Sequence == 1 && entry.PrevHash != EntryCanonicalForm.GenesisHash)
        {
            return "Entry 1 must start the chain from the genesis hash.";
        }

        if (held.TryGetValue(entry.Sequence - 1, out var before) && before.Hash is not null && before.Hash != entry.PrevHash)
        {
            return $"Entry {entry.Sequence} does not follow entry {entry.Sequence - 1} held by the server: the terminal's history diverges from what it sent before.";
        }

        return held.TryGetValue(entry.Sequence + 1, out var after) && after.PrevHash is not null && after.PrevHash != entry.Hash
            ? $"Entry {entry.Sequence} does not lead to entry {entry.Sequence + 1} held by the server: the terminal's history diverges."
            : null;
    }

    private sealed record HeldEntry(string Digest, string Result, string? PrevHash, string? Hash);

    private sealed record HeldRow
    {
        public required string TerminalId { get; init; }

        public long Sequence { get; init; }

        public required string Digest { get; init; }

        public required string Result { get; init; }

        public string? PrevHash { get; init; }

        public string? Hash { get; init; }
    }

    private sealed record AckedRow
    {
        public required string Id { get; init; }

        public long AckedThrough { get; init; }
    }

    /// <summary>A terminal's entries held around its push, and how far it was acknowledged when the group began.</summary>
    private sealed class History
    {
        public Dictionary<long, HeldEntry> Held { get; } = [];

        public long Acked { get; set; }
    }

    private sealed record Refusal(long Sequence, string Code, string Message);

    private sealed class Push(TerminalRecord terminal, IReadOnlyList<JournalEntryDto> entries, IReadOnlyList<(string Digest, string Body)> prepared)
    {
        public TerminalRecord Terminal { get; } = terminal;

        public IReadOnlyList<JournalEntryDto> Entries { get; } = entries;

        public IReadOnlyList<(string Digest, string Body)> Prepared { get; } = prepared;

        public TaskCompletionSource<PushResponse> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<PushEntryResult> Results { get; } = [];

        /// <summary>Set when an entry contradicts what is held: the entries before it are kept, the rest not looked at.</summary>
        public Refusal? Refusal { get; private set; }

        public long Acked { get; set; }

        public void Refuse(long sequence, string code, string message) => Refusal = new Refusal(sequence, code, message);
    }
}

/// <summary>The push queue holds as many pushes as it may: nothing was queued; the terminal tries again later.</summary>
internal sealed class PushQueueFullException() : Exception("The push queue is full.");
