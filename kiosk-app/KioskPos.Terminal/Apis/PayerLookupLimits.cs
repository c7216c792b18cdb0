using System.Globalization;
using System.Threading.RateLimiting;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The limit on looking a payer up by what someone types with no one signed in: a payer code
/// (<c>GET /api/v1/payers/{code}</c>) or a citizen-ID number (<c>GET /api/v1/payers/by-citizen-id/{number}</c>). Both
/// are public for the self-service kiosk, and both answer a payer's open bills — at a hospital a patient's ward and
/// services — for any code (they are sequential) or any guessed 12-digit number. Per source address, in
/// <see cref="TerminalOptions.PayerLookupWindow"/>: <see cref="TerminalOptions.PayerLookupsPerWindow"/> look-ups, of which
/// <see cref="TerminalOptions.PayerLookupMissesPerWindow"/> may find no one (guessing mostly misses); beyond either, 429
/// with <c>Retry-After</c> until the window is over. Not counted: signed-in staff (the counter), and a scan's or a tap's
/// reference (random, good for one scan or tap; a typed card UID is already refused to anyone not signed in).
/// </summary>
internal static class PayerLookupLimits
{
    /// <summary>The rate-limiter policy of the typed look-ups.</summary>
    public const string Policy = "payer-lookups";

    /// <summary>The endpoint looks a payer up by its route value <paramref name="parameter"/>, typed by whoever calls: limited as above.</summary>
    public static RouteHandlerBuilder LimitsTypedLookups(this RouteHandlerBuilder endpoint, string parameter) =>
        endpoint.ProducesProblems(StatusCodes.Status429TooManyRequests)
            .WithMetadata(new TypedLookup(parameter))
            .RequireRateLimiting(Policy)
            .AddEndpointFilter(CountMissAsync);

    /// <summary>The policy and the count of misses (the rate limiter itself is added with the PIN checks', <see cref="StaffAccess.AddStaffAccess"/>).</summary>
    public static IServiceCollection AddPayerLookupLimits(this IServiceCollection services)
    {
        services.AddSingleton<PayerLookupMisses>();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy<string, PayerLookupPolicy>(Policy));
        return services;
    }

    /// <summary>
    /// Whether this request counts: a typed value (not a reference) from someone not signed in. <see cref="StaffAccess"/>
    /// has put the signed-in member in the request before the rate limiter runs.
    /// </summary>
    internal static bool IsCounted(HttpContext http) =>
        StaffAccess.SignedIn(http) is null
        && http.GetEndpoint()?.Metadata.GetMetadata<TypedLookup>() is { } lookup
        && http.Request.RouteValues[lookup.Parameter] is string typed
        && !CitizenIdScans.IsReference(typed) && !CardPresence.IsReference(typed);

    /// <summary>The source a limit is kept for: every kiosk browser is one (127.0.0.1), a program on the network another.</summary>
    internal static string Source(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // A look-up that found no one (404) is a miss: counted after the answer, since only then is it known.
    private static async ValueTask<object?> CountMissAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context).ConfigureAwait(false);
        var http = context.HttpContext;
        if ((result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult { StatusCode: StatusCodes.Status404NotFound } && IsCounted(http))
        {
            http.RequestServices.GetRequiredService<PayerLookupMisses>().Count(Source(http));
        }

        return result;
    }
}

/// <summary>Endpoint metadata: the route value a payer is looked up by, typed by the caller (<see cref="PayerLookupLimits"/>).</summary>
/// <param name="Parameter">The route value's name.</param>
internal sealed record TypedLookup(string Parameter);

/// <summary>The misses (look-ups that found no one) per source address, in the look-ups' window.</summary>
internal sealed class PayerLookupMisses : IDisposable
{
    private readonly PartitionedRateLimiter<string> _misses;

    public PayerLookupMisses(IOptions<TerminalOptions> options)
    {
        var limit = Math.Max(1, options.Value.PayerLookupMissesPerWindow);
        var window = PayerLookupPolicy.Window(options.Value);
        _misses = PartitionedRateLimiter.Create<string, string>(source => RateLimitPartition.GetFixedWindowLimiter(source,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 }));
    }

    /// <summary>Whether <paramref name="source"/> has misses left in this window: a lease that says so, and when to come back if not.</summary>
    public RateLimitLease Check(string source) => _misses.AttemptAcquire(source, 0);

    /// <summary>A look-up from <paramref name="source"/> found no one.</summary>
    public void Count(string source) => _misses.AttemptAcquire(source).Dispose();

    public void Dispose() => _misses.Dispose();
}

/// <summary>The rate-limiter policy of <see cref="PayerLookupLimits"/>: its partitions, and its own 429 answer.</summary>
internal sealed class PayerLookupPolicy(IOptions<TerminalOptions> options, PayerLookupMisses misses) : IRateLimiterPolicy<string>
{
    private static readonly MetadataName<string> s_reason = MetadataName.Create<string>("kioskpos.refusal");

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext http)
    {
        if (!PayerLookupLimits.IsCounted(http))
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        return RateLimitPartition.Get(PayerLookupLimits.Source(http), source => new SourceLimiter(
            new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, options.Value.PayerLookupsPerWindow), Window = Window(options.Value), QueueLimit = 0 }),
            misses,
            source));
    }

    /// <summary>The window of both limits (a setting of zero or less is taken as the default minute).</summary>
    internal static TimeSpan Window(TerminalOptions options) => options.PayerLookupWindow > TimeSpan.Zero ? options.PayerLookupWindow : new TerminalOptions().PayerLookupWindow;

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var seconds = (int)Math.Ceiling((context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1)).TotalSeconds);
        var code = context.Lease.TryGetMetadata(s_reason, out var reason) && reason is not null ? reason : "too_many_lookups";
        var detail = code == "too_many_failed_lookups"
            ? $"Too many look-ups by payer code or citizen-ID number from this address found no one; try again in {seconds} s."
            : $"Too many look-ups by payer code or citizen-ID number from this address; try again in {seconds} s.";
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiProblems.Create(StatusCodes.Status429TooManyRequests, code, detail, seconds).ExecuteAsync(context.HttpContext).ConfigureAwait(false);
    }

    /// <summary>One source's limiter: its own look-ups, and the misses it has left (kept apart, as a miss is counted after the answer).</summary>
    private sealed class SourceLimiter(FixedWindowRateLimiter lookups, PayerLookupMisses misses, string source) : RateLimiter
    {
        public override TimeSpan? IdleDuration => lookups.IdleDuration;

        public override RateLimiterStatistics? GetStatistics() => lookups.GetStatistics();

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            var missesLeft = misses.Check(source);
            if (!missesLeft.IsAcquired)
            {
                return new Refused(missesLeft, "too_many_failed_lookups");
            }

            missesLeft.Dispose();
            var lease = lookups.AttemptAcquire(permitCount);
            return lease.IsAcquired ? lease : new Refused(lease, "too_many_lookups");
        }

        // No queue: a look-up over the limit is answered at once.
        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AttemptAcquireCore(permitCount));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                lookups.Dispose();
            }

            base.Dispose(disposing);
        }

        protected override ValueTask DisposeAsyncCore() => lookups.DisposeAsync();
    }

    /// <summary>A refusal, with the limiter's <c>RetryAfter</c> and which limit it was.</summary>
    private sealed class Refused(RateLimitLease inner, string code) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => inner.MetadataNames.Append(s_reason.Name);

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == s_reason.Name)
            {
                metadata = code;
                return true;
            }

            return inner.TryGetMetadata(metadataName, out metadata);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
