using System.Collections.Concurrent;
using System.Globalization;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>What <see cref="RequestNonces.TryAccept"/> decided about a request's nonce.</summary>
internal enum NonceVerdict
{
    /// <summary>Not seen within its window: remembered, the request goes on.</summary>
    Accepted,

    /// <summary>Seen before within its window: the request is a replay.</summary>
    Replayed,

    /// <summary>The terminal has more requests in the window than <see cref="RequestNonces.MaxPerTerminal"/>: refused, nothing forgotten.</summary>
    Full,
}

/// <summary>
/// The nonces of signed requests, held in memory for as long as a replay of the request could still pass the clock
/// check (its signature's created time plus <see cref="RequestSignature.MaxClockDifference"/>), bounded per
/// terminal, and written to <c>request_nonces</c> with each terminal's last-seen time by <see cref="FlushAsync"/>:
/// a group commit once a second (<see cref="RequestNonceWriter"/>) and on shutdown, never a write per request. After
/// a restart the nonces still within their window are read back before the first request is checked, so a request
/// replayed after a restart within the window is refused as before.
/// </summary>
/// <remarks>
/// What a kill (power cut, SIGKILL) can lose is the last second's nonces: a request accepted in that second could be
/// replayed once after the restart, within its 5 minutes. The signed requests are idempotent where they have effects
/// (a push by terminal and sequence; an authorisation reads, and a wrong PIN it counts costs the replayer a try), so
/// such a replay changes nothing; the nonce is the first line, not the only one.
/// </remarks>
internal sealed class RequestNonces(ProvinceDatabase database, TimeProvider time, ILogger<RequestNonces> logger)
{
    /// <summary>
    /// Requests one terminal may make within one window (5 minutes) before it is refused: about 55 a second, sustained
    /// (a busy counter's card payments each sign an authorisation beside its pushes and pulls; at 2,048 a terminal
    /// catching up after an outage was refused with 429 and its queue stopped draining). At most a few MB per terminal.
    /// </summary>
    public const int MaxPerTerminal = 16_384;

    /// <summary>How long a nonce read back after a restart is kept: its seen time plus twice the clock tolerance (its created time is not stored).</summary>
    private static readonly TimeSpan s_storedWindow = RequestSignature.MaxClockDifference * 2;

    private readonly ConcurrentDictionary<string, Bucket> _terminals = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Terminal, string Nonce, DateTimeOffset SeenAt)> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly Lock _loadLock = new();
    private Task? _loaded;
    private long _flushes;

    /// <summary>Nonces accepted and not yet written.</summary>
    public int Pending => _pending.Count;

    /// <summary>Group commits made so far.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Nonces held now for <paramref name="terminalId"/>.</summary>
    public int HeldFor(string terminalId) => _terminals.TryGetValue(terminalId, out var bucket) ? bucket.Count : 0;

    /// <summary>Reads back, once, the nonces still within their window (a restart); every check waits for it.</summary>
    public Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        lock (_loadLock)
        {
            if (_loaded is null || _loaded.IsFaulted || _loaded.IsCanceled)
            {
                _loaded = LoadAsync(cancellationToken);
            }

            return _loaded;
        }
    }

    /// <summary>Remembers <paramref name="nonce"/> of <paramref name="terminalId"/>, signed at <paramref name="created"/>, unless it is a replay or the terminal is over its bound.</summary>
    public NonceVerdict TryAccept(string terminalId, string nonce, DateTimeOffset created)
    {
        var now = time.GetUtcNow();
        var bucket = _terminals.GetOrAdd(terminalId, _ => new Bucket());
        var verdict = bucket.TryAdd(nonce, created + RequestSignature.MaxClockDifference + TimeSpan.FromSeconds(1), now);
        if (verdict == NonceVerdict.Accepted)
        {
            _pending.Enqueue((terminalId, nonce, now));
        }

        return verdict;
    }

    /// <summary>
    /// Writes the nonces accepted since the last time, and each of their terminals' last-seen time, in one write
    /// transaction; forgets stored nonces past their window. Nothing to write, nothing done.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        var batch = new List<(string Terminal, string Nonce, DateTimeOffset SeenAt)>();
        try
        {
            while (_pending.TryDequeue(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                return;
            }

            var now = time.GetUtcNow();
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            // No writer's lock: nothing here is versioned, so groups of pushes neither wait for this nor it for them.
            await using var transaction = await database.BeginUnversionedWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var (rows, parameters) = connection.Rows("n", [("terminal_id", false), ("nonce", false), ("seen_at", false)],
                batch.Select(b => new object?[] { b.Terminal, b.Nonce, Stamp(b.SeenAt) }).ToList());
            await connection.ExecuteAsync(
                $"INSERT INTO request_nonces (terminal_id, nonce, seen_at) SELECT terminal_id, nonce, seen_at FROM {rows} WHERE true ON CONFLICT (terminal_id, nonce) DO NOTHING",
                transaction, cancellationToken, parameters).ConfigureAwait(false);
            var lastSeen = batch.GroupBy(b => b.Terminal).Select(g => new object?[] { g.Key, Stamp(g.Max(b => b.SeenAt)) }).ToList();
            var (seen, seenParameters) = connection.Rows("s", [("terminal_id", false), ("seen_at", false)], lastSeen);
            if (database.Engine == ProvinceEngine.Postgres)
            {
                // The terminals' rows locked in the order of their ids, as a group of pushes locks them for its
                // acknowledgements (PushWriter): two writers locking in one order never wait for each other in a circle.
                await connection.ExecuteAsync($"SELECT id FROM terminals WHERE id IN (SELECT terminal_id FROM {seen}) ORDER BY id COLLATE \"C\" FOR UPDATE",
                    transaction, cancellationToken, seenParameters).ConfigureAwait(false);
            }

            await connection.ExecuteAsync(
                $"UPDATE terminals SET last_seen_at = s.seen_at FROM {seen} WHERE terminals.id = s.terminal_id",
                transaction, cancellationToken, seenParameters).ConfigureAwait(false);
            await connection.ExecuteAsync("DELETE FROM request_nonces WHERE seen_at < $old", transaction, cancellationToken,
                ("$old", Stamp(now - s_storedWindow))).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _flushes);
            batch.Clear();
        }
        finally
        {
            // Not written (the database failed, or the server is stopping): kept for the next flush.
            foreach (var item in batch)
            {
                _pending.Enqueue(item);
            }

            _flushing.Release();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<StoredNonce>("SELECT terminal_id, nonce, seen_at FROM request_nonces WHERE seen_at >= $old", null, cancellationToken,
            ("$old", Stamp(now - s_storedWindow))).ConfigureAwait(false);
        foreach (var row in rows)
        {
            var expires = DateTimeOffset.Parse(row.SeenAt, CultureInfo.InvariantCulture) + s_storedWindow;
            _terminals.GetOrAdd(row.TerminalId, _ => new Bucket()).Restore(row.Nonce, expires);
        }

        if (rows.Count > 0)
        {
            logger.LogInformation("{Count} request nonces still within their window read back", rows.Count);
        }
    }

    private static string Stamp(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>One terminal's nonces: a set to ask and a queue in arrival order to forget the expired from.</summary>
    private sealed class Bucket
    {
        private readonly Dictionary<string, DateTimeOffset> _expires = new(StringComparer.Ordinal);
        private readonly Queue<(string Nonce, DateTimeOffset Expires)> _order = new();
        private readonly Lock _lock = new();

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _expires.Count;
                }
            }
        }

        public NonceVerdict TryAdd(string nonce, DateTimeOffset expires, DateTimeOffset now)
        {
            lock (_lock)
            {
                Forget(now);
                if (_expires.ContainsKey(nonce))
                {
                    return NonceVerdict.Replayed;
                }

                if (_expires.Count >= MaxPerTerminal)
                {
                    return NonceVerdict.Full;
                }

                _expires[nonce] = expires;
                _order.Enqueue((nonce, expires));
                return NonceVerdict.Accepted;
            }
        }

        public void Restore(string nonce, DateTimeOffset expires)
        {
            lock (_lock)
            {
                if (_expires.TryAdd(nonce, expires))
                {
                    _order.Enqueue((nonce, expires));
                }
            }
        }

        // Arrival order is nearly expiry order (created times differ by seconds); an entry behind one that expires
        // later is kept a little longer, never forgotten early.
        private void Forget(DateTimeOffset now)
        {
            while (_order.TryPeek(out var head) && head.Expires < now)
            {
                _order.Dequeue();
                _expires.Remove(head.Nonce);
            }
        }
    }

    private sealed record StoredNonce
    {
        public required string TerminalId { get; init; }

        public required string Nonce { get; init; }

        public required string SeenAt { get; init; }
    }
}

/// <summary>Writes the accepted nonces once a second, and a last time when the server stops.</summary>
internal sealed class RequestNonceWriter(RequestNonces nonces, ILogger<RequestNonceWriter> logger) : BackgroundService
{
    /// <summary>How often the accepted nonces are written.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await nonces.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogError(e, "The last request nonces could not be written at shutdown: {Error}", e.Message);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await nonces.FlushAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (System.Data.Common.DbException e)
                {
                    logger.LogError(e, "Request nonces not written this time (kept for the next): {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes what is left.
        }
    }
}
