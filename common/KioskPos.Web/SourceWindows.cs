using System.Threading.RateLimiting;

namespace KioskPos.Web;

/// <summary>
/// The partition a per-source rate-limiter policy gives a request: a fixed window for the request's source key (the
/// source itself, or the overflow key every source past the policy's cap shares), and a mark on the request when it
/// is counted in that shared overflow, so the policy's refusal can say so rather than "from this address".
/// </summary>
/// <remarks>The source keys and their cap are <c>SourceAddress</c> and <c>SourceCap</c> in <c>KioskPos.Shared</c>.</remarks>
public static class SourceWindows
{
    // The request's item: it was counted in the budget the sources past the cap share.
    private static readonly object s_overflow = new();

    /// <summary>
    /// A fixed window of <paramref name="permitLimit"/> (at least one) requests a <paramref name="window"/> for
    /// <paramref name="key"/>, refused beyond it with no queue; <paramref name="overflow"/> marks the request as counted
    /// in the shared budget (<see cref="CountedInOverflow"/>).
    /// </summary>
    public static RateLimitPartition<string> FixedWindow(HttpContext http, string key, bool overflow, int permitLimit, TimeSpan window)
    {
        if (overflow)
        {
            http.Items[s_overflow] = true;
        }

        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permitLimit),
            Window = window,
            QueueLimit = 0,
        });
    }

    /// <summary>True when the request was counted in the budget the sources past the cap share.</summary>
    public static bool CountedInOverflow(HttpContext http) => http.Items.ContainsKey(s_overflow);
}
