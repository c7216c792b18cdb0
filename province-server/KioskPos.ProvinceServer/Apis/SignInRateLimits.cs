using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// ASP.NET Core's rate limiter on sign-in posts: a fixed window of <see cref="SignInOptions.RequestsPerMinute"/> per
/// source address, refused beyond it with 429 and <c>Retry-After</c> before any password is hashed. It bounds the
/// cost an attacker can make the server pay; the per-account and per-source waits (<see cref="Data.SignInThrottle"/>)
/// bound the guesses.
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
            var address = http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";
            return RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
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
