using System.Net;

namespace KioskPos.Shared.Security;

/// <summary>
/// A bound on how many sources (<see cref="SourceAddress.LimitKey"/>) a per-source limiter keeps a budget for: the key
/// the limiter is to use for a source is the source itself while it holds one of <see cref="MaxSources"/> places, and
/// <see cref="Overflow"/>, one budget every other source shares, while the places are full.
/// </summary>
/// <remarks>
/// <para>
/// ASP.NET Core's partitioned rate limiter makes a limiter for every key it is given and drops one only after it has
/// been idle, refilled, for a while; a client holding many addresses (a /48 is 65,536 /64s, a botnet any number of IPv4
/// addresses) would make one per address, without end, and have a fresh budget with each. Through a cap, the partitions
/// are at most <see cref="MaxSources"/>, the overflow's and the loopback's, and a window's requests from any number of
/// addresses at most (cap + 1) × the limit.
/// </para>
/// <para>
/// A source holds its place while it is seen: it is freed <see cref="Hold"/> after the source's last request, the
/// limiter's window and <see cref="IdleAllowance"/> beyond it. That is at least as long as the framework keeps the
/// source's limiter (its fixed window refills at most a window after the last request, and the limiter is dropped
/// after 10 s idle, looked for every 100 ms), so a source whose place is freed has no limiter left, and no key the
/// limiter holds belongs to a source that has lost its place: the cap bounds the limiters, not only the places. A source
/// that comes back after its place was freed starts afresh, as it would without the cap once its limiter was dropped.
/// </para>
/// <para>
/// New sources are not let in by pushing out tracked ones: a flood of new addresses would otherwise push out the
/// sources in the middle of being limited and give each a fresh budget. While the places are full, new sources share
/// the overflow, whose refusals carry a <c>Retry-After</c> as any source's do, and a newcomer still gets through while
/// the overflow has room. A source takes a place again as soon as one is freed. The machine's own loopback
/// (<see cref="IsLoopback"/>: 127.0.0.1, <c>::1</c>) never takes a place nor goes to the overflow: it is one key, and
/// nothing from the network comes from it (on the terminal it is the kiosk's browser, which a flood must not refuse).
/// </para>
/// <para>
/// Places are kept in the order sources were last seen, so the first is the one to free next: every call frees, first
/// to last, those past <see cref="Hold"/>. Each source is freed once for each time it took a place, so a call costs
/// O(1) amortised, under one lock. Times are the <see cref="TimeProvider"/>'s monotonic timestamps (as the limiter's
/// are): a wall clock set back or forward frees nothing early or late.
/// </para>
/// </remarks>
public sealed class SourceCap
{
    /// <summary>The key every source past the cap shares; <see cref="SourceAddress.LimitKey"/> never makes it.</summary>
    public const string Overflow = "*";

    /// <summary>
    /// How long past a limiter's window a place is held: more than ASP.NET Core keeps an idle, refilled limiter (10 s,
    /// looked for every 100 ms).
    /// </summary>
    public static readonly TimeSpan IdleAllowance = TimeSpan.FromSeconds(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Place>> _places = new(StringComparer.Ordinal);
    private readonly LinkedList<Place> _bySeen = []; // the least recently seen first
    private readonly TimeProvider _time;
    private readonly long _origin;

    /// <summary>
    /// A cap of <paramref name="maxSources"/> places (at least one) for a limiter of <paramref name="window"/>, on
    /// <paramref name="time"/>'s clock (the system's unless a test gives its own).
    /// </summary>
    public SourceCap(int maxSources, TimeSpan window, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        MaxSources = Math.Max(1, maxSources);
        Hold = window + IdleAllowance;
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
    }

    /// <summary>How many sources may hold a place at once.</summary>
    public int MaxSources { get; }

    /// <summary>How long after its last request a source holds its place: the limiter's window and <see cref="IdleAllowance"/>.</summary>
    public TimeSpan Hold { get; }

    /// <summary>How many sources hold a place now (places past <see cref="Hold"/> are freed first).</summary>
    public int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                Free(Now());
                return _places.Count;
            }
        }
    }

    /// <summary>The machine's own loopback source (127.0.0.1, <c>::1</c>): kept apart from the cap.</summary>
    public static bool IsLoopback(string source) => source is "127.0.0.1" or "::1";

    /// <summary>
    /// The key the limiter is to use for a request from <paramref name="source"/>, seen now: the source itself when it
    /// holds a place or takes a free one, or is the loopback; otherwise <see cref="Overflow"/>.
    /// </summary>
    public string KeyFor(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (IsLoopback(source))
        {
            return source;
        }

        lock (_lock)
        {
            var now = Now();
            Free(now);
            if (_places.TryGetValue(source, out var node))
            {
                node.Value.Seen = now;
                _bySeen.Remove(node);
                _bySeen.AddLast(node);
                return source;
            }

            if (_places.Count >= MaxSources)
            {
                return Overflow;
            }

            _places[source] = _bySeen.AddLast(new Place(source) { Seen = now });
            return source;
        }
    }

    /// <summary>
    /// The key for a request from <paramref name="remote"/> (a connection's remote address, null when it has none): the
    /// same as <see cref="KeyFor(string)"/> of its <see cref="SourceAddress.LimitKey"/>, so that every capped limiter
    /// counts sources the one way (an IPv6 client by its /64, an IPv4-mapped one by its IPv4 address).
    /// </summary>
    public string KeyFor(IPAddress? remote) => KeyFor(SourceAddress.LimitKey(remote));

    private TimeSpan Now() => _time.GetElapsedTime(_origin);

    // Frees, least recently seen first, every place whose source was last seen Hold or longer ago.
    private void Free(TimeSpan now)
    {
        while (_bySeen.First is { } first && first.Value.Seen <= now - Hold)
        {
            _bySeen.RemoveFirst();
            _places.Remove(first.Value.Source);
        }
    }

    private sealed class Place(string source)
    {
        public string Source { get; } = source;

        public TimeSpan Seen { get; set; }
    }
}
