using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace KioskPos.Shared.Sqlite;

/// <summary>What a <see cref="SqliteWriteLane"/> has counted since the process started.</summary>
/// <param name="Writes">Write connections let through the lane.</param>
/// <param name="Waits">Of those, how many found another writer of this process in the lane and waited their turn (an async wait, no thread asleep).</param>
/// <param name="WaitedMilliseconds">The time spent waiting in the lane, all writes together.</param>
/// <param name="BusySeen">
/// Writes that found the file's write lock held by a connection outside the lane (another process, or a write of
/// this process that did not come through it): the case SQLite answers with <c>SQLITE_BUSY</c> and
/// Microsoft.Data.Sqlite with its 150 ms retry sleep. The lane waits such a lock out without a sleeping thread; the
/// count says it happened. Zero is the goal.
/// </param>
/// <param name="Nested">Writes let through because their flow already held the lane (a second connection of the same writer).</param>
/// <param name="Reclaimed">Turns taken from a writer that had ended its transaction but kept its connection open.</param>
public sealed record SqliteWriteLaneCounters(long Writes, long Waits, double WaitedMilliseconds, long BusySeen, long Nested, long Reclaimed);

/// <summary>
/// The one writer of a SQLite file in this process: every write transaction enters the lane before it begins and
/// leaves it when its connection closes, so two writers of the same process never meet at SQLite's write lock.
/// SQLite allows one writer at a time anyway; without the lane the second writer learns it from <c>SQLITE_BUSY</c>,
/// and Microsoft.Data.Sqlite answers that by sleeping 150 ms and trying again (dotnet/efcore#36658) — a payment
/// beside the sync worker, or a request beside the group commit, could pay that sleep. In the lane it waits its
/// turn on an async lock instead, and is let in the moment the writer before it closes. Readers never enter: in WAL
/// mode they read a snapshot beside the writer.
/// </summary>
/// <remarks>
/// There is one lane per file per process, whatever the number of <see cref="SqliteDatabase"/> objects naming it.
/// A connection enters once: a second write transaction on a connection already in the lane goes straight on, and so
/// does a write the same flow makes on a second connection while it holds the lane (counted as nested). A writer
/// that has written, ended its transaction and keeps its connection open loses its turn to a waiting writer after
/// <see cref="ReclaimAfter"/> (counted as reclaimed); one let in that has not yet written keeps it. A writer that waits longer than <see cref="MaxWait"/> fails
/// with an exception that says so, rather than hang.
/// </remarks>
public sealed class SqliteWriteLane
{
    /// <summary>How long a writer waits for the lane before it fails (the connections' own command timeout).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>How long a writer in the lane may sit with no transaction open before a waiting writer takes its turn.</summary>
    public static readonly TimeSpan ReclaimAfter = TimeSpan.FromMilliseconds(20);

    private const int SqliteBusy = 5;
    private static readonly ConcurrentDictionary<string, SqliteWriteLane> s_lanes = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<FlowClaim?> s_claim = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConditionalWeakTable<SqliteConnection, Lease> _inLane = [];
    private long _writes;
    private long _waits;
    private long _waitedTicks;
    private long _busySeen;
    private long _nested;
    private long _reclaimed;
    private Lease? _holder;

    private SqliteWriteLane(string path) => Path = path;

    /// <summary>The file the lane guards.</summary>
    public string Path { get; }

    /// <summary>What the lane has counted so far.</summary>
    public SqliteWriteLaneCounters Counters => new(
        Interlocked.Read(ref _writes), Interlocked.Read(ref _waits),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitedTicks)).TotalMilliseconds, Interlocked.Read(ref _busySeen), Interlocked.Read(ref _nested), Interlocked.Read(ref _reclaimed));

    /// <summary>The lane of the file at <paramref name="path"/> in this process.</summary>
    public static SqliteWriteLane For(string path) => s_lanes.GetOrAdd(System.IO.Path.GetFullPath(path), p => new SqliteWriteLane(p));

    /// <summary>
    /// Enters the lane with <paramref name="connection"/> (open, on this lane's file): completes once no other writer
    /// of the process is in it and the file's write lock is free. The lane is left when the connection closes.
    /// </summary>
    /// <remarks>
    /// Call it from the method that writes, or from helpers that are not <c>async</c> methods themselves: the lane
    /// remembers the calling flow (an <see cref="AsyncLocal{T}"/> set before the first wait), so that a write the
    /// same flow makes on another connection while it holds the lane goes on beside it (as it did before the lane)
    /// instead of waiting for itself.
    /// </remarks>
    public Task EnterAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_inLane.TryGetValue(connection, out _))
        {
            return Task.CompletedTask; // this connection is the writer already
        }

        return Claim() is { } claim ? EnterCoreAsync(connection, claim, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>
    /// Marks the calling flow as this lane's writer-to-be; null when the flow holds the lane already (a nested write,
    /// let through). Must run before the caller's first await, which is why the methods that call it are not async.
    /// </summary>
    internal FlowClaim? Claim()
    {
        if (s_claim.Value is { Lane: var lane, Lease: { IsActive: true } } && lane == this)
        {
            Interlocked.Increment(ref _nested);
            return null;
        }

        var claim = new FlowClaim(this);
        s_claim.Value = claim;
        return claim;
    }

    /// <summary>Waits for the lane, then for the file's lock, and records the stay with <paramref name="connection"/>.</summary>
    internal async Task EnterCoreAsync(SqliteConnection connection, FlowClaim claim, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!_gate.Wait(0))
        {
            Interlocked.Increment(ref _waits);

            // A writer whose transaction has ended but whose connection is still open (it reads on, or calls a
            // method that writes on a connection of its own) is not writing: after a moment the lane is taken
            // from it rather than waited for until it closes.
            while (!await _gate.WaitAsync(ReclaimAfter, cancellationToken).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _holder) is { } holder && holder.IsIdle(ReclaimAfter) && holder.Revoke())
                {
                    Interlocked.Increment(ref _reclaimed);
                    break; // the turn passes to this writer without the gate being released
                }

                if (Stopwatch.GetElapsedTime(started) > MaxWait)
                {
                    throw new TimeoutException($"No write turn on {Path} within {MaxWait.TotalSeconds:0} s: a writer has held the lane that long.");
                }
            }
        }

        Interlocked.Add(ref _waitedTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _writes);
        var lease = new Lease(this, connection);
        claim.Lease = lease;
        Volatile.Write(ref _holder, lease);
        try
        {
            _inLane.Add(connection, lease);
            connection.StateChange += lease.OnStateChange;
            await WaitForFileLockAsync(connection, started, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lease.Leave();
            throw;
        }
    }

    /// <summary>
    /// Asks SQLite for the write lock without waiting (<c>BEGIN IMMEDIATE</c> with no busy timeout, then rolled
    /// back): free, the writer goes on at once. Held by someone outside the lane, it is counted, and waited out with
    /// short async delays rather than a thread asleep, up to <see cref="MaxWait"/>.
    /// </summary>
    private async Task WaitForFileLockAsync(SqliteConnection connection, long started, CancellationToken cancellationToken)
    {
        var db = connection.Handle!;
        if (raw.sqlite3_get_autocommit(db) == 0)
        {
            return; // a transaction is already open on it: the caller has the lock it asked for
        }

        raw.sqlite3_busy_timeout(db, 0);
        try
        {
            var delay = 1;
            for (var tries = 0; ; tries++)
            {
                var rc = raw.sqlite3_exec(db, "BEGIN IMMEDIATE");
                if (rc == raw.SQLITE_OK)
                {
                    raw.sqlite3_exec(db, "ROLLBACK");
                    return;
                }

                if ((rc & 0xFF) != SqliteBusy)
                {
                    SqliteException.ThrowExceptionForRC(rc, db);
                }

                if (tries == 0)
                {
                    Interlocked.Increment(ref _busySeen);
                }

                if (Stopwatch.GetElapsedTime(started) > MaxWait)
                {
                    SqliteException.ThrowExceptionForRC(rc, db);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 20);
            }
        }
        finally
        {
            raw.sqlite3_busy_timeout(db, SqliteDatabase.BusyTimeoutMilliseconds);
        }
    }

    /// <summary>A flow that has asked for the lane, and its stay once granted.</summary>
    internal sealed class FlowClaim(SqliteWriteLane lane)
    {
        public SqliteWriteLane Lane { get; } = lane;

        public Lease? Lease { get; set; }
    }

    /// <summary>One writer's stay in the lane: over when its connection closes (or its entry failed).</summary>
    internal sealed class Lease(SqliteWriteLane lane, SqliteConnection connection)
    {
        private readonly long _entered = Stopwatch.GetTimestamp();

        // The connection's count of rows changed as the stay starts (a pooled connection has counted before).
        private readonly int _changesAtEntry = connection.Handle is { } handle ? raw.sqlite3_total_changes(handle) : 0;
        private int _left;

        public bool IsActive => Volatile.Read(ref _left) == 0;

        /// <summary>
        /// In the lane longer than <paramref name="after"/>, done writing (its connection has changed rows since it
        /// came in) and with no transaction open on it now.
        /// </summary>
        /// <remarks>
        /// A writer let in but not yet at its <c>BEGIN</c> also has no transaction open; it is not idle, however long
        /// its thread takes to get there (a loaded machine's thread pool can take far longer than
        /// <paramref name="after"/>). Taking its turn then let two writers past the lane at once, the second to meet
        /// the first at SQLite's lock. A writer whose transaction changed nothing keeps its turn until it closes.
        /// The holder's connection is another flow's and may be closing while this looks at it: its handle is released
        /// before the connection says it is closed (and leaves the lane). A released handle is a writer closing, not an
        /// idle one: its turn comes back when it has closed.
        /// </remarks>
        public bool IsIdle(TimeSpan after)
        {
            if (!IsActive || Stopwatch.GetElapsedTime(_entered) <= after || connection.Handle is not { } db)
            {
                return false;
            }

            try
            {
                return raw.sqlite3_get_autocommit(db) != 0 && raw.sqlite3_total_changes(db) != _changesAtEntry;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        /// <summary>Ends the stay without releasing the gate: the caller takes the turn over. False when it had ended already.</summary>
        public bool Revoke()
        {
            if (Interlocked.Exchange(ref _left, 1) != 0)
            {
                return false;
            }

            connection.StateChange -= OnStateChange;
            lane._inLane.Remove(connection);
            Interlocked.CompareExchange(ref lane._holder, null, this);
            return true;
        }

        public void OnStateChange(object? sender, System.Data.StateChangeEventArgs e)
        {
            if (e.CurrentState == System.Data.ConnectionState.Closed)
            {
                Leave();
            }
        }

        public void Leave()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                connection.StateChange -= OnStateChange;
                lane._inLane.Remove(connection);
                Interlocked.CompareExchange(ref lane._holder, null, this);
                lane._gate.Release();
            }
        }
    }
}
