using System.Globalization;
using KioskPos.Shared.Security;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The limit on looking a payer up by what someone types with no one signed in: a payer code
/// (<c>GET /api/v1/payers/{code}</c>, and the <c>payerCode</c> of <c>POST /api/v1/payments</c> and
/// <c>POST /api/v1/top-ups</c>, which answer <c>payer_not_found</c> as the look-up does) or a citizen-ID number
/// (<c>GET /api/v1/payers/by-citizen-id/{number}</c>). All are open to the self-service kiosk, and the look-ups answer
/// a payer's open bills — at a hospital a patient's ward and services — for any code (they are sequential) or any
/// guessed 12-digit number. Per source address, in <see cref="TerminalOptions.PayerLookupWindow"/>:
/// <see cref="TerminalOptions.PayerLookupsPerWindow"/> look-ups, of which <see cref="TerminalOptions.PayerLookupMissesPerWindow"/>
/// may find no one (guessing mostly misses); beyond either, 429 with <c>Retry-After</c> until the oldest look-up (or
/// miss) that fills the limit leaves the window. Not counted: signed-in staff (the counter), and a scan's or a tap's
/// reference (random, good for one scan or tap; a typed card UID is already refused to anyone not signed in). At most
/// <see cref="TerminalOptions.PayerLookupMaxSources"/> sources are tracked; new ones past them share one budget
/// (<see cref="PayerLookupBudget"/>: why, and the kiosk's own place beside them), whose refusals say that many devices
/// are looking up at once rather than "from this address", and are counted (<c>kioskpos_payer_lookup_overflow_refusals_total</c>).
/// A source is an address, an IPv6 client's /64 (<see cref="SourceAddress"/>).
/// </summary>
internal static class PayerLookupLimits
{
    /// <summary>The endpoint looks a payer up by its route value <paramref name="parameter"/>, typed by whoever calls: limited as above.</summary>
    public static RouteHandlerBuilder LimitsTypedLookups(this RouteHandlerBuilder endpoint, string parameter) =>
        endpoint.ProducesProblems(StatusCodes.Status429TooManyRequests)
            .WithMetadata(new TypedLookup(parameter))
            .AddEndpointFilter(LimitAsync);

    /// <summary>The endpoint may refuse a typed payer code in its body as a look-up over the limit.</summary>
    public static RouteHandlerBuilder LimitsTypedPayerCodes(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblems(StatusCodes.Status429TooManyRequests);

    /// <summary>The sources' counts of look-ups and misses.</summary>
    public static IServiceCollection AddPayerLookupLimits(this IServiceCollection services)
    {
        services.AddSingleton<PayerLookupBudget>();
        return services;
    }

    /// <summary>
    /// A payer code typed into a payment or top-up (<paramref name="payerCode"/>, with no card's reference beside it),
    /// about to be looked up for <paramref name="signedIn"/> (null: no one): not counted for staff, nor when there is no
    /// code or a card is given; otherwise counted as a look-up, or the 429 that refuses it. After the answer, a
    /// <c>payer_not_found</c> goes to <see cref="CountMiss"/> when this said it counted.
    /// </summary>
    public static ProblemResult? TakeTypedPayerCode(HttpContext http, StaffMember? signedIn, string? payerCode, string? cardUid, out bool counted)
    {
        counted = signedIn is null && cardUid is null && !string.IsNullOrWhiteSpace(payerCode);
        return counted ? Take(http) : null;
    }

    /// <summary>A counted look-up from this request's source found no one.</summary>
    public static void CountMiss(HttpContext http) => http.RequestServices.GetRequiredService<PayerLookupBudget>().CountMiss(Source(http));

    /// <summary>
    /// The source a limit is kept for, from the connection's address (no forwarded header is believed), as
    /// <see cref="SourceAddress.LimitKey"/> makes it: every kiosk browser is one (127.0.0.1), a program on the network
    /// another, an IPv6 client its /64. An IPv4 address on a dual-stack socket is written as IPv4, so that a kiosk browser
    /// reaching <c>[::]</c> is still the kiosk's 127.0.0.1, and <c>::1</c> stays itself, the kiosk's too.
    /// </summary>
    internal static string Source(HttpContext http) => SourceAddress.LimitKey(http.Connection.RemoteIpAddress);

    // A typed value (not a reference) from someone not signed in is counted before the look-up; one that found no one
    // (404) is a miss, counted after the answer, since only then is it known.
    private static async ValueTask<object?> LimitAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var counted = http.GetEndpoint()?.Metadata.GetMetadata<TypedLookup>() is { } lookup
            && http.Request.RouteValues[lookup.Parameter] is string typed
            && !CitizenIdScans.IsReference(typed) && !CardPresence.IsReference(typed)
            && await StaffAccess.SignedInAsync(http).ConfigureAwait(false) is null;
        if (counted && Take(http) is { } refused)
        {
            return refused;
        }

        var result = await next(context).ConfigureAwait(false);
        if (counted && (result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult { StatusCode: StatusCodes.Status404NotFound })
        {
            CountMiss(http);
        }

        return result;
    }

    private static ProblemResult? Take(HttpContext http)
    {
        if (http.RequestServices.GetRequiredService<PayerLookupBudget>().TryTake(Source(http)) is not { } refusal)
        {
            return null;
        }

        var seconds = (int)Math.Ceiling(refusal.RetryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (refusal.Overflow)
        {
            // The shared budget of the sources past the cap was used up, not necessarily by this one: its title and detail
            // say so (terminal.problem.<code>.overflow), not "from this address".
            var shared = refusal.Code == PayerLookupBudget.TooManyMisses
                ? $"Too many devices are looking up by payer code or citizen-ID number at once, and their look-ups found no one; try again in {seconds} s."
                : $"Too many devices are looking up by payer code or citizen-ID number at once; try again in {seconds} s.";
            return ApiProblems.Variant(StatusCodes.Status429TooManyRequests, refusal.Code, "overflow", shared, seconds);
        }

        var detail = refusal.Code == PayerLookupBudget.TooManyMisses
            ? $"Too many look-ups by payer code or citizen-ID number from this address found no one; try again in {seconds} s."
            : $"Too many look-ups by payer code or citizen-ID number from this address; try again in {seconds} s.";
        return ApiProblems.Create(StatusCodes.Status429TooManyRequests, refusal.Code, detail, seconds);
    }
}

/// <summary>Endpoint metadata: the route value a payer is looked up by, typed by the caller (<see cref="PayerLookupLimits"/>).</summary>
/// <param name="Parameter">The route value's name.</param>
internal sealed record TypedLookup(string Parameter);

/// <summary>
/// Each source's look-ups and misses of the last window, as the times they were made (a sliding log, not fixed windows):
/// a source over a limit is told exactly when the oldest entry that fills it leaves the window, and may look up again
/// then. A refusal is not counted. Each log holds at most its limits' entries, and a source with nothing left in the
/// window is forgotten.
/// </summary>
/// <remarks>
/// <para>
/// The number of sources is bounded too: a client on the LAN that changes its address for every few guesses would
/// otherwise add a source, and a fresh budget, with each (an IPv6 client's addresses inside its /64 are one source
/// already, <see cref="SourceAddress"/>; but it may hold more than one /64, and IPv4 clients may take other addresses). At most
/// <see cref="TerminalOptions.PayerLookupMaxSources"/> sources are tracked; past them, every new source shares one
/// overflow budget with the same limits, until a tracked source is forgotten and frees its place. So a window's look-ups
/// from any number of addresses are at most (cap + 1) × the limit, and the memory is the cap's logs and the overflow's.
/// Sharing was chosen over refusing new sources outright while full: a flood's addresses meet the same 429s, with a
/// <c>Retry-After</c> read from the overflow's own entries as any source's is, while a newcomer on the LAN during the
/// flood still gets through when the overflow has room (a refusal outright would refuse every newcomer until some
/// tracked source is forgotten, and its <c>Retry-After</c> would be a guess at when). A rotating client gets at most one
/// source's look-ups more than with a refusal outright.
/// </para>
/// <para>
/// The kiosk's own browser (<see cref="IsKiosk"/>: 127.0.0.1, ::1) is tracked beside the cap and never sent to the
/// overflow: a flood from the network fills the places and uses the overflow up, and must not refuse the person at
/// the keypad with it. Nothing from the network comes from those addresses.
/// </para>
/// <para>
/// Sources are kept in the order of their newest entry, so the least recently counted is first: when its newest entry
/// has left the window, so has every entry of it, and it is forgotten (before every count: each source is forgotten
/// once, so this costs nothing per request on average, and no expired source holds a place a new one could use).
/// </para>
/// </remarks>
internal sealed class PayerLookupBudget
{
    /// <summary>The refusal's code when the look-ups are used up.</summary>
    public const string TooManyLookups = "too_many_lookups";

    /// <summary>The refusal's code when the misses are used up.</summary>
    public const string TooManyMisses = "too_many_failed_lookups";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Log> _sources = new(StringComparer.Ordinal);
    private readonly LinkedList<Log> _byNewest = []; // the least recently counted first
    private readonly Log _overflow = new(string.Empty);
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly int _lookups;
    private readonly int _misses;
    private readonly int _maxSources;
    private readonly TimeSpan _window;
    private int _networkSources; // of _sources, those not the kiosk's (the ones the cap counts)
    private long _overflowRefusals;

    public PayerLookupBudget(IOptions<TerminalOptions> options, TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp(); // monotonic: a clock set by the province's Date header moves no entry
        _lookups = Math.Max(1, options.Value.PayerLookupsPerWindow);
        _misses = Math.Max(1, options.Value.PayerLookupMissesPerWindow);
        // A setting of zero or less is taken as the default, as for the window.
        _maxSources = options.Value.PayerLookupMaxSources > 0 ? options.Value.PayerLookupMaxSources : new TerminalOptions().PayerLookupMaxSources;
        _window = options.Value.PayerLookupWindow > TimeSpan.Zero ? options.Value.PayerLookupWindow : new TerminalOptions().PayerLookupWindow;
    }

    /// <summary>How many sources have a log of their own now (the overflow is not one): at most the cap, and the kiosk's.</summary>
    public int TrackedSources
    {
        get
        {
            lock (_lock)
            {
                return _sources.Count;
            }
        }
    }

    /// <summary>Look-ups refused because the overflow's budget was used up, since start (<c>kioskpos_payer_lookup_overflow_refusals_total</c>).</summary>
    public long OverflowRefusals => Interlocked.Read(ref _overflowRefusals);

    /// <summary>The kiosk's own browser, on the terminal itself: never sent to the overflow.</summary>
    public static bool IsKiosk(string source) => SourceCap.IsLoopback(source);

    /// <summary>
    /// Counts a look-up from <paramref name="source"/>, or refuses it (counting nothing): which limit, how long until
    /// the source is under it again (at least a second, whole seconds), and whether it was the overflow's (the source
    /// shares it). A new source past the cap counts in the overflow.
    /// </summary>
    public (string Code, TimeSpan RetryAfter, bool Overflow)? TryTake(string source)
    {
        lock (_lock)
        {
            var now = Now();
            Forget(now);
            var log = LogOf(source, now, create: true);
            var overflow = log == _overflow;
            if (log.Misses.Count >= _misses)
            {
                return Refused(TooManyMisses, RetryAfter(log.Misses, _misses, now), overflow);
            }

            if (log.Lookups.Count >= _lookups)
            {
                return Refused(TooManyLookups, RetryAfter(log.Lookups, _lookups, now), overflow);
            }

            log.Lookups.Add(now);
            Counted(log, now);
            return null;
        }
    }

    /// <summary>
    /// A look-up from <paramref name="source"/> found no one: counted where the look-up was, the source's log or (a
    /// source not tracked) the overflow; it never adds a source.
    /// </summary>
    public void CountMiss(string source)
    {
        lock (_lock)
        {
            var now = Now();
            Forget(now);
            var log = LogOf(source, now, create: false);
            log.Misses.Add(now);
            Counted(log, now);
        }
    }

    private TimeSpan Now() => _time.GetElapsedTime(_origin);

    private (string Code, TimeSpan RetryAfter, bool Overflow) Refused(string code, TimeSpan retryAfter, bool overflow)
    {
        if (overflow)
        {
            Interlocked.Increment(ref _overflowRefusals);
        }

        return (code, retryAfter, overflow);
    }

    // Forgets, least recently counted first, every source whose newest entry has left the window.
    private void Forget(TimeSpan now)
    {
        while (_byNewest.First is { } first && first.Value.Newest <= now - _window)
        {
            _byNewest.RemoveFirst();
            _sources.Remove(first.Value.Source);
            _networkSources -= IsKiosk(first.Value.Source) ? 0 : 1;
        }
    }

    // The source's log with what left the window dropped: its own; or, for a new source, a new one while there is room
    // (always for the kiosk) and the overflow past the cap; a source not tracked when not creating, the overflow.
    private Log LogOf(string source, TimeSpan now, bool create)
    {
        if (!_sources.TryGetValue(source, out var log))
        {
            if (create && (IsKiosk(source) || _networkSources < _maxSources))
            {
                log = _sources[source] = new Log(source);
                log.Node = _byNewest.AddLast(log); // its first entry comes next: it is the newest
                _networkSources += IsKiosk(source) ? 0 : 1;
            }
            else
            {
                log = _overflow;
            }
        }

        log.Drop(now - _window);
        return log;
    }

    // An entry was added to the log at now: a tracked source moves to the end of the order.
    private void Counted(Log log, TimeSpan now)
    {
        log.Newest = now;
        if (log.Node is { } node && node != _byNewest.Last)
        {
            _byNewest.Remove(node);
            _byNewest.AddLast(node);
        }
    }

    // Misses are counted after their answers, so concurrent ones may pass the limit: the source is under it again when
    // all but limit − 1 of its entries have left, the first of those being the oldest when it is exactly at the limit.
    private TimeSpan RetryAfter(List<TimeSpan> entries, int limit, TimeSpan now)
    {
        var leaves = entries[entries.Count - limit] + _window - now;
        return TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(leaves.TotalSeconds)));
    }

    private sealed class Log(string source)
    {
        public string Source { get; } = source;

        // The log's place in the order of newest entries; null for the overflow, which has none.
        public LinkedListNode<Log>? Node { get; set; }

        public TimeSpan Newest { get; set; }

        public List<TimeSpan> Lookups { get; } = [];

        public List<TimeSpan> Misses { get; } = [];

        // Drops the entries made at or before since (out of the window).
        public void Drop(TimeSpan since)
        {
            Lookups.RemoveAll(t => t <= since);
            Misses.RemoveAll(t => t <= since);
        }
    }
}
