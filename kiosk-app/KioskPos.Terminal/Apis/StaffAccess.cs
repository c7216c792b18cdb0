using System.Globalization;
using System.Threading.RateLimiting;
using KioskPos.Shared.Security;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>The staff sessions' and PIN checks' settings (section <c>Staff</c>).</summary>
public sealed class StaffOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Staff";

    /// <summary>A session ends after this long without a request that needed it (the shift limit still applies).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>PIN checks (sign-ins, a supervisor's approvals) one source may make a minute; more answer 429.</summary>
    public int PinChecksPerMinute { get; set; } = 10;

    /// <summary>
    /// How many sources the PIN checks' limit keeps a budget for at once; new sources past them share one budget of
    /// <see cref="PinChecksPerMinute"/>, so a client holding many addresses gains at most one source's checks and the
    /// limiter's memory stays bounded (<see cref="SourceCap"/>). The kiosk's own browser is never among the shared.
    /// Zero or less: the default.
    /// </summary>
    public int PinCheckMaxSources { get; set; } = 1024;
}

/// <summary>
/// Who may call each endpoint of the terminal: every endpoint declares an <see cref="EndpointAccess"/> (with
/// <see cref="RequireStaff"/>, <see cref="AllowKioskOrStaff"/>, <see cref="RequirePaymentAccess"/> or
/// <c>.Public()</c>), and <see cref="UseStaffAccess"/> alone enforces it. An endpoint that declares nothing is refused.
/// </summary>
internal static class StaffAccess
{
    /// <summary>The rate-limiter policy of the endpoints that check a PIN.</summary>
    public const string PinChecks = "pin-checks";

    private const string StaffKey = "kioskpos.staff";

    /// <summary>
    /// Signed-in staff of <paramref name="roles"/> only: 401 without a session, 403 for another role (and for a change
    /// sent from a page of another origin, <see cref="CrossOriginRequests"/>).
    /// </summary>
    public static RouteHandlerBuilder RequireStaff(this RouteHandlerBuilder endpoint, params StaffRole[] roles) =>
        endpoint.ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden).ProducesCrossOriginRefusal()
            .WithAccess(new EndpointAccess(AccessKind.Roles, Names(roles)));

    /// <summary>
    /// The kiosk (no one signed in) or signed-in staff of <paramref name="roles"/>; 403 for another role (and for a change
    /// with the session cookie sent from a page of another origin).
    /// </summary>
    public static RouteHandlerBuilder AllowKioskOrStaff(this RouteHandlerBuilder endpoint, params StaffRole[] roles) =>
        endpoint.ProducesProblems(StatusCodes.Status403Forbidden).ProducesCrossOriginRefusal()
            .WithAccess(new EndpointAccess(AccessKind.RolesOrAnonymous, Names(roles)));

    /// <summary>
    /// A payment's own endpoints: a signed-in cashier or supervisor, or the payment's view token (<c>?t=</c>, from its
    /// answer); anyone else is told the payment does not exist. A change with the session cookie sent from a page of
    /// another origin is a 403 (<see cref="CrossOriginRequests"/>).
    /// </summary>
    public static RouteHandlerBuilder RequirePaymentAccess(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblems(StatusCodes.Status404NotFound).ProducesCrossOriginRefusal()
            .WithAccess(new EndpointAccess(AccessKind.RolesOrViewToken, Names([StaffRole.Cashier, StaffRole.Supervisor])));

    /// <summary>
    /// The endpoint checks a PIN: rate-limited per source (<see cref="SourceAddress"/>: an address, an IPv6 client's
    /// /64), at most <see cref="StaffOptions.PinCheckMaxSources"/> of them with a budget of their own (<see cref="PinCheckLimit"/>).
    /// </summary>
    public static RouteHandlerBuilder ChecksPin(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblems(StatusCodes.Status429TooManyRequests).RequireRateLimiting(PinChecks);

    /// <summary>The staff member the access check let through (endpoints of <see cref="AccessKind.Roles"/>).</summary>
    public static StaffMember Staff(HttpContext http) => (StaffMember)http.Items[StaffKey]!;

    /// <summary>
    /// The staff member signed in on this request's session, or null; read once a request, whoever asks first (the access
    /// check, for every endpoint but the public ones), and kept in the request for the rest (the look-ups' limit, the
    /// handler). Finding a session takes the writer connection and may move its idle expiry: not a second time for the
    /// same request.
    /// </summary>
    public static async Task<StaffMember?> SignedInAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(StaffKey, out var known))
        {
            return known as StaffMember;
        }

        var member = await http.RequestServices.GetRequiredService<StaffStore>().FindSessionAsync(CounterApi.SessionToken(http), http.RequestAborted).ConfigureAwait(false);
        http.Items[StaffKey] = member;
        return member;
    }

    /// <summary>The rate limiter (its answer to PIN checks over the limit), and the staff settings.</summary>
    public static IServiceCollection AddStaffAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StaffOptions>().Bind(configuration.GetSection(StaffOptions.Section));
        services.AddRateLimiter(o => o.AddPolicy<string, PinCheckLimit>(PinChecks));
        return services;
    }

    /// <summary>
    /// Enforces each endpoint's declared access (after routing, before the rate limiter and the endpoint): a request
    /// refused for its role never reaches the PIN checks' limit, so it cannot use up the budget of a supervisor's PIN at
    /// the same counter.
    /// </summary>
    public static IApplicationBuilder UseStaffAccess(this IApplicationBuilder app)
    {
        app.Use(async (http, next) =>
        {
            // Routing's own answers (405, 415) are endpoints without a route: nothing to declare there.
            if (http.GetEndpoint() is not RouteEndpoint endpoint || await RefusalAsync(http, endpoint).ConfigureAwait(false) is not { } refusal)
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            await refusal.ExecuteAsync(http).ConfigureAwait(false);
        });
        app.UseRateLimiter();
        return app;
    }

    private static async Task<IResult?> RefusalAsync(HttpContext http, Endpoint endpoint)
    {
        var access = endpoint.AccessOf();
        if (access is null)
        {
            // Fail closed: an endpoint nobody thought about is nobody's.
            return ApiProblems.Create(StatusCodes.Status403Forbidden, "access_undeclared", $"{endpoint.DisplayName} declares no access; refused.");
        }

        if (access.Kind is AccessKind.Public or AccessKind.Device or AccessKind.BankSignature or AccessKind.OneTimeCode)
        {
            return null;
        }

        var member = await SignedInAsync(http).ConfigureAwait(false);
        var role = member is null ? null : StaffStore.RoleName(member.Role);

        switch (access.Kind)
        {
            case AccessKind.RolesOrViewToken:
                var id = http.Request.RouteValues["id"] as string ?? string.Empty;
                return access.Lets(role) || http.RequestServices.GetRequiredService<PaymentViewTokens>().IsValid(id, http.Request.Query["t"])
                    ? null
                    : ApiProblems.Create(StatusCodes.Status404NotFound, "payment_not_found", $"No payment {id}.", id);
            case AccessKind.Roles when member is null:
                return ApiProblems.Create(StatusCodes.Status401Unauthorized, "not_signed_in", "Sign in with your staff id and PIN.");
            default:
                return access.Lets(role)
                    ? null
                    : ApiProblems.Create(StatusCodes.Status403Forbidden, "role_not_allowed", $"A {role} may not do this.");
        }
    }

    private static string[] Names(StaffRole[] roles) => [.. roles.Select(StaffStore.RoleName)];
}

/// <summary>
/// The PIN checks' limit: a fixed window of <see cref="StaffOptions.PinChecksPerMinute"/> a minute per source. The kiosk
/// browser is one source (127.0.0.1), a program on the network another, an IPv6 client its /64 (rotating addresses
/// inside it gains no PIN checks), an IPv4-mapped address its IPv4 address. At most
/// <see cref="StaffOptions.PinCheckMaxSources"/> sources have a budget of their own, the kiosk's beside them; new ones
/// past them share one (<see cref="SourceCap"/>), whose refusals say that many devices are checking PINs rather than
/// "from this address". A refusal is 429 <c>too_many_pin_checks</c> with <c>Retry-After</c>.
/// </summary>
internal sealed class PinCheckLimit(IOptions<StaffOptions> options) : IRateLimiterPolicy<string>
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);

    private readonly SourceCap _sources = new(
        options.Value.PinCheckMaxSources > 0 ? options.Value.PinCheckMaxSources : new StaffOptions().PinCheckMaxSources, s_window);

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var key = _sources.KeyFor(httpContext.Connection.RemoteIpAddress);
        return SourceWindows.FixedWindow(httpContext, key, key == SourceCap.Overflow, options.Value.PinChecksPerMinute, s_window);
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : s_window;
        var seconds = (int)Math.Ceiling(retry.TotalSeconds);
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = SourceWindows.CountedInOverflow(context.HttpContext)
            ? ApiProblems.Variant(StatusCodes.Status429TooManyRequests, "too_many_pin_checks", "overflow",
                $"Too many PIN checks from many addresses at once, which share one limit with this one; try again in {seconds} s.")
            : ApiProblems.Create(StatusCodes.Status429TooManyRequests, "too_many_pin_checks", $"Too many PIN checks from this address; try again in {seconds} s.");
        await problem.ExecuteAsync(context.HttpContext).ConfigureAwait(false);
    }
}
