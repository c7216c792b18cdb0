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
/// per-account and per-source waits (<see cref="Data.SignInThrottle"/>) bound the guesses.
/// </summary>
internal static class SignInRateLimits
{
    /// <summary>The policy <c>POST /login</c> requires.</summary>
    public const string Policy = "sign-in";

    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddSignInRateLimits(this IServiceCollection services) => services.AddRateLimiter(limiter =>
    {
        limiter.AddPolicy(Policy, http =>
        {
            var perMinute = http.RequestServices.GetRequiredService<IOptions<ProvinceOptions>>().Value.SignIn.RequestsPerMinute;
            return RateLimitPartition.GetFixedWindowLimiter(SourceAddress.LimitKey(http.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, perMinute),
                Window = s_window,
                QueueLimit = 0,
            });
        });
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : s_window;
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await ProvinceProblems.Problem(StatusCodes.Status429TooManyRequests, "too_many_sign_ins", "too many sign-in posts from this address; see Retry-After")
                .ExecuteAsync(context.HttpContext).ConfigureAwait(false);
        };
    });
}
