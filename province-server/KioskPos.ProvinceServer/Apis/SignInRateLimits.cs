using System.Globalization;
using System.Threading.RateLimiting;
using KioskPos.Shared.Security;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// ASP.NET Core's rate limiter on sign-in posts: a fixed window of <see cref="SignInOptions.RequestsPerMinute"/> per
/// source (<see cref="SourceAddress"/>: an address, an IPv6 client's /64), refused beyond it with 429 and
/// <c>Retry-After</c> before any password is hashed. It bounds the cost an attacker can make the server pay; the
/// per-account and per-source waits (<see cref="Data.SignInThrottle"/>) bound the guesses. At most
/// <see cref="SignInOptions.MaxSources"/> sources have a budget of their own; new ones past them share one
/// (<see cref="SourceCap"/>), whose refusals say that many addresses are signing in rather than "from this address".
/// </summary>
internal static class SignInRateLimits
{
    /// <summary>The policy <c>POST /login</c> requires.</summary>
    public const string Policy = "sign-in";

    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddSignInRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter => limiter.AddPolicy<string, SignInLimit>(Policy));

    /// <summary>The fixed window per source, its sources capped (one cap for the policy's life), and its refusal.</summary>
    private sealed class SignInLimit(IOptions<ProvinceOptions> options) : IRateLimiterPolicy<string>
    {
        private readonly SourceCap _sources = new(
            options.Value.SignIn.MaxSources > 0 ? options.Value.SignIn.MaxSources : new SignInOptions().MaxSources, s_window);

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            var key = _sources.KeyFor(httpContext.Connection.RemoteIpAddress);
            return SourceWindows.FixedWindow(httpContext, key, key == SourceCap.Overflow, options.Value.SignIn.RequestsPerMinute, s_window);
        }

        private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
        {
            var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : s_window;
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var problem = SourceWindows.CountedInOverflow(context.HttpContext)
                ? ProvinceProblems.Problem(StatusCodes.Status429TooManyRequests, "too_many_sign_ins",
                    "too many sign-in posts from many addresses at once, which share one limit with this one; see Retry-After", "too_many_sign_ins.overflow")
                : ProvinceProblems.Problem(StatusCodes.Status429TooManyRequests, "too_many_sign_ins", "too many sign-in posts from this address; see Retry-After");
            await problem.ExecuteAsync(context.HttpContext).ConfigureAwait(false);
        }
    }
}
