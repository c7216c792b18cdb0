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

    /// <summary>Signed-in staff of <paramref name="roles"/> only: 401 without a session, 403 for another role.</summary>
    public static RouteHandlerBuilder RequireStaff(this RouteHandlerBuilder endpoint, params StaffRole[] roles) =>
        endpoint.ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .WithAccess(new EndpointAccess(AccessKind.Roles, Names(roles)));

    /// <summary>The kiosk (no one signed in) or signed-in staff of <paramref name="roles"/>; 403 for another role.</summary>
    public static RouteHandlerBuilder AllowKioskOrStaff(this RouteHandlerBuilder endpoint, params StaffRole[] roles) =>
        endpoint.ProducesProblems(StatusCodes.Status403Forbidden)
            .WithAccess(new EndpointAccess(AccessKind.RolesOrAnonymous, Names(roles)));

    /// <summary>
    /// A payment's own endpoints: a signed-in cashier or supervisor, or the payment's view token (<c>?t=</c>, from its
    /// answer); anyone else is told the payment does not exist.
    /// </summary>
    public static RouteHandlerBuilder RequirePaymentAccess(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblems(StatusCodes.Status404NotFound)
            .WithAccess(new EndpointAccess(AccessKind.RolesOrViewToken, Names([StaffRole.Cashier, StaffRole.Supervisor])));

    /// <summary>The endpoint checks a PIN: rate-limited per source (<see cref="SourceAddress"/>: an address, an IPv6 client's /64).</summary>
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
        var limit = configuration.GetSection(StaffOptions.Section).GetValue<int?>(nameof(StaffOptions.PinChecksPerMinute)) ?? new StaffOptions().PinChecksPerMinute;
        services.AddRateLimiter(o =>
        {
            // Per source: the kiosk browser is one (127.0.0.1), a program on the network another, an IPv6 client its /64
            // (rotating addresses inside it gains no PIN checks), an IPv4-mapped address its IPv4 address.
            o.AddPolicy(PinChecks, http => RateLimitPartition.GetFixedWindowLimiter(
                SourceAddress.LimitKey(http.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, limit), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ApiProblems.Create(StatusCodes.Status429TooManyRequests, "too_many_pin_checks", $"Too many PIN checks from this address; try again in {(int)Math.Ceiling(retry.TotalSeconds)} s.")
                    .ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            };
        });
        return services;
    }

    /// <summary>Enforces each endpoint's declared access (after routing, before the rate limiter and the endpoint).</summary>
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
