using System.Globalization;
using System.Net;
using KioskPos.Shared.Security;

namespace KioskPos.ProvinceServer.Data;

/// <summary>A minute's refused webhook deliveries from one source for one reason, as the summary keeps them.</summary>
public sealed record RefusedDeliveryRow(string Minute, string Source, string Reason, string? ConnectionId, long Deliveries, long Bytes, DateTimeOffset FirstAt, DateTimeOffset LastAt);

/// <summary>
/// Refused webhook deliveries (unsigned, a bad signature, too large, malformed, over the rate) as a bounded summary:
/// never a body, one row per minute, source and reason with a count and the bytes the senders declared.
/// Counted in memory and written every few seconds (<see cref="IntakeMaintenance"/>), so a flood costs no write a
/// request; the distinct rows a minute are capped, what is beyond is counted under the source <c>*</c>.
/// </summary>
/// <remarks>
/// The source is the one the webhook's rate limit counts (<see cref="SourceAddress.LimitKey"/>): an IPv4 address, an
/// IPv6 sender's /64, not its exact address. A sender holds its whole /64 and may take a new address from it for every
/// delivery; rows per exact address would let it fill the minute's rows with its own and push every other sender
/// (a bank whose signatures started failing) into <c>*</c>, counted there but no longer named. The /64 is also what
/// is refused: it names who to look at, and the bank's connection id beside it names the rest.
/// </remarks>
internal sealed class RefusedDeliveries(ProvinceDatabase database, TimeProvider time)
{
    /// <summary>Distinct (source, reason) rows a minute before the rest are folded into the source <c>*</c>.</summary>
    public const int RowsPerMinute = 200;

    /// <summary>The source under which rows past <see cref="RowsPerMinute"/> are counted.</summary>
    public const string OtherSources = "*";

    private readonly Lock _lock = new();
    private Dictionary<(string Minute, string Source, string Reason), Tally> _pending = [];
    private readonly Dictionary<string, HashSet<(string, string)>> _seen = new(StringComparer.Ordinal);

    /// <summary>Counts one refused delivery; nothing of its body is kept.</summary>
    public void Record(string reason, string? connectionId, IPAddress? source, long? declaredLength)
    {
        var now = time.GetUtcNow();
        var minute = now.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
        var address = SourceAddress.LimitKey(source);
        var connection = connectionId is { Length: > 0 } c ? (c.Length > 64 ? c[..64] : c) : null;
        lock (_lock)
        {
            if (!_seen.TryGetValue(minute, out var rows))
            {
                _seen.Clear(); // a new minute: the cap starts again
                _seen[minute] = rows = [];
            }

            if (!rows.Contains((address, reason)))
            {
                if (rows.Count >= RowsPerMinute)
                {
                    address = OtherSources;
                }

                rows.Add((address, reason));
            }

            var key = (minute, address, reason);
            if (!_pending.TryGetValue(key, out var tally))
            {
                _pending[key] = tally = new Tally(now);
            }

            tally.Count++;
            tally.Bytes += Math.Max(0, declaredLength ?? 0);
            tally.LastAt = now;
            tally.ConnectionId = connection ?? tally.ConnectionId;
        }
    }

    /// <summary>Writes the counts held in memory, one statement per row, in one transaction.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<(string Minute, string Source, string Reason), Tally> pending;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            pending = _pending;
            _pending = [];
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        foreach (var ((minute, source, reason), tally) in pending)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO refused_deliveries (minute, source, reason, connection_id, deliveries, bytes, first_at, last_at) VALUES ($m, $s, $r, $c, $n, $b, $f, $l)
                ON CONFLICT (minute, source, reason) DO UPDATE SET deliveries = refused_deliveries.deliveries + excluded.deliveries, bytes = refused_deliveries.bytes + excluded.bytes,
                    last_at = excluded.last_at, connection_id = COALESCE(excluded.connection_id, refused_deliveries.connection_id)
                """,
                transaction, cancellationToken, ("$m", minute), ("$s", source), ("$r", reason), ("$c", tally.ConnectionId), ("$n", tally.Count), ("$b", tally.Bytes),
                ("$f", Stamp(tally.FirstAt)), ("$l", Stamp(tally.LastAt))).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The summary, newest first (what was counted since the last write included).</summary>
    public async Task<IReadOnlyList<RefusedDeliveryRow>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<Row>(
            "SELECT minute, source, reason, connection_id, deliveries, bytes, first_at, last_at FROM refused_deliveries ORDER BY minute DESC, deliveries DESC LIMIT $n",
            null, cancellationToken, ("$n", Math.Clamp(limit, 1, 1000))).ConfigureAwait(false);
        return rows.ConvertAll(r => new RefusedDeliveryRow(r.Minute, r.Source, r.Reason, r.ConnectionId, r.Deliveries, r.Bytes,
            DateTimeOffset.Parse(r.FirstAt, CultureInfo.InvariantCulture), DateTimeOffset.Parse(r.LastAt, CultureInfo.InvariantCulture)));
    }

    /// <summary>Forgets summaries older than <paramref name="retention"/>; returns how many rows went.</summary>
    public async Task<int> PurgeAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var cut = (time.GetUtcNow() - retention).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("DELETE FROM refused_deliveries WHERE minute < $cut", null, cancellationToken, ("$cut", cut)).ConfigureAwait(false);
    }

    private static string Stamp(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    private sealed class Tally(DateTimeOffset firstAt)
    {
        public DateTimeOffset FirstAt { get; } = firstAt;

        public DateTimeOffset LastAt { get; set; } = firstAt;

        public long Count { get; set; }

        public long Bytes { get; set; }

        public string? ConnectionId { get; set; }
    }

    private sealed record Row
    {
        public required string Minute { get; init; }

        public required string Source { get; init; }

        public required string Reason { get; init; }

        public string? ConnectionId { get; init; }

        public long Deliveries { get; init; }

        public long Bytes { get; init; }

        public required string FirstAt { get; init; }

        public required string LastAt { get; init; }
    }
}
