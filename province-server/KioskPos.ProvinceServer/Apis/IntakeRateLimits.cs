using System.Globalization;
using System.Threading.RateLimiting;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Security;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Intake's services and rate limits: the options, the refused-delivery summary and its periodic job, and fixed
/// windows per source (<see cref="SourceAddress"/>: an address, an IPv6 sender's /64) on the bank webhook and on
/// enrolment, whose codes can be guessed. A refusal is <c>429</c> with <c>Retry-After</c>, given before the body is read.
/// Each limit keeps a budget of its own for at most <see cref="IntakeOptions.MaxSources"/> sources; new ones past them
/// share one (<see cref="SourceCap"/>), whose refusals say that many addresses are sending rather than "from one address".
/// </summary>
internal static class IntakeRateLimits
{
    /// <summary>The bank webhook's policy.</summary>
    public const string WebhookPolicy = "intake-webhook";

    /// <summary>Enrolment's policy.</summary>
    public const string EnrolmentPolicy = "intake-enrolment";

    /// <summary>Registers intake: <see cref="IntakeOptions"/>, the refusal summary, its job, and the rate limits.</summary>
    public static IServiceCollection AddIntake(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IntakeOptions>().Bind(configuration.GetSection(IntakeOptions.Section));
        services.AddSingleton<RefusedDeliveries>();
        services.AddSingleton<IntakeMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<IntakeMaintenance>());
        return services.AddIntakeRateLimits();
    }

    /// <summary>The webhook's and enrolment's limits per source address (their own rejection answer each).</summary>
    public static IServiceCollection AddIntakeRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.AddPolicy<string, WebhookLimit>(WebhookPolicy);
            o.AddPolicy<string, EnrolmentLimit>(EnrolmentPolicy);
        });

    /// <summary>Bank deliveries a minute from one address; a delivery over it is counted in the refusal summary.</summary>
    private sealed class WebhookLimit(IOptions<IntakeOptions> options, RefusedDeliveries refusals) : PerSourceLimit(options.Value.WebhookPerMinute, options.Value.WebhookMaxBytes, options.Value.MaxSources)
    {
        protected override void Rejected(HttpContext http) =>
            refusals.Record("rate_limited", http.Request.Headers[KioskPos.Shared.Contracts.BankSignature.ConnectionHeader].ToString(), http.Connection.RemoteIpAddress, http.Request.ContentLength);
    }

    /// <summary>Enrolment attempts a minute from one address.</summary>
    private sealed class EnrolmentLimit(IOptions<IntakeOptions> options) : PerSourceLimit(options.Value.EnrolPerMinute, options.Value.EnrolMaxBytes, options.Value.MaxSources);

    /// <summary>
    /// A fixed window of a minute per source address, at most <c>maxSources</c> of them with their own (the rest share
    /// one); no limit when the option is 0. A refused body over <c>maxBody</c> is not drained.
    /// </summary>
    private abstract class PerSourceLimit(int perMinute, int maxBody, int maxSources) : IRateLimiterPolicy<string>
    {
        private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);

        private readonly SourceCap _sources = new(maxSources > 0 ? maxSources : new IntakeOptions().MaxSources, s_window);

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            if (perMinute <= 0)
            {
                return RateLimitPartition.GetNoLimiter(string.Empty); // one partition for all: nothing is counted
            }

            var key = _sources.KeyFor(httpContext.Connection.RemoteIpAddress);
            return SourceWindows.FixedWindow(httpContext, key, key == SourceCap.Overflow, perMinute, s_window);
        }

        protected virtual void Rejected(HttpContext http)
        {
        }

        private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
        {
            var http = context.HttpContext;
            var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            BoundedBody.Limit(http, maxBody); // the body is not read, nor drained past the bound
            BoundedBody.CloseAfterAnswer(http);
            Rejected(http);
            var problem = SourceWindows.CountedInOverflow(http)
                ? ProvinceProblems.Problem(StatusCodes.Status429TooManyRequests, "too_many_requests",
                    $"Too many addresses at once: past the first {_sources.MaxSources}, they share at most {perMinute} a minute; try again in {seconds} s.", "too_many_requests.intake.overflow")
                : ProvinceProblems.Problem(StatusCodes.Status429TooManyRequests, "too_many_requests",
                    $"At most {perMinute} a minute from one address; try again in {seconds} s.", "too_many_requests.intake");
            await problem.ExecuteAsync(http).ConfigureAwait(false);
        }
    }
}
