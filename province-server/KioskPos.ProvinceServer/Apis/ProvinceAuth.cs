using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Who is asking: the administrator's bearer token (programs; a province administrator), or a signed-in person; and
/// whether they may: each endpoint declares its roles (<see cref="RequireProvinceRoles"/>, <see cref="RequireProvincePage"/>,
/// or an open <see cref="EndpointAccess"/> kind), enforced by <see cref="UseProvinceAccess"/> alone.
/// Province administrators see and do everything; an institution's accountant sees that institution's report and
/// reconciliation, and imports that institution's bills and bank statements (those endpoints keep them to it).
/// </summary>
internal static class ProvinceAuth
{
    private const string UserItem = "province-user";

    /// <summary>The token holder as a user.</summary>
    public static readonly ProvinceUser TokenHolder = new("admin-token", Messages.Vi("province.user.token_holder"), ProvinceRoles.Admin, null);

    public static async Task<ProvinceUser?> ResolveAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(UserItem, out var known))
        {
            return known as ProvinceUser;
        }

        ProvinceUser? user = null;
        var presented = http.Request.Headers.Authorization.ToString();
        var expected = http.RequestServices.GetRequiredService<IOptions<ProvinceOptions>>().Value.AdminToken;
        if (presented.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            if (!string.IsNullOrEmpty(expected) && CryptographicOperations.FixedTimeEquals(
                    SHA256.HashData(Encoding.UTF8.GetBytes(presented["Bearer ".Length..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
            {
                user = TokenHolder;
            }
        }
        else
        {
            user = await http.RequestServices.GetRequiredService<ProvinceSessions>().ResolveAsync(http.Request.Cookies[ProvinceSessions.Cookie], http.RequestAborted).ConfigureAwait(false);
        }

        http.Items[UserItem] = user;
        return user;
    }

    /// <summary>
    /// The endpoint (or every endpoint of the group) is for people of <paramref name="roles"/> (the administrator's token
    /// counts as <see cref="ProvinceRoles.Admin"/>): 401 for no one, 403 for another role (and for a change with the
    /// session cookie sent from a page of another origin, <see cref="CrossOriginRequests"/>). What an accountant sees is
    /// further limited to their institution by the endpoint.
    /// </summary>
    public static TBuilder RequireProvinceRoles<TBuilder>(this TBuilder builder, params string[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithAccess(EndpointAccess.For(roles)).ProducesCrossOriginRefusal();

    /// <summary>A page for people of <paramref name="roles"/>: no one goes to the sign-in page and back, another role to their report.</summary>
    public static TBuilder RequireProvincePage<TBuilder>(this TBuilder builder, params string[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithAccess(new EndpointAccess(AccessKind.Roles, roles, Page: true)).ProducesCrossOriginRefusal();

    /// <summary>
    /// Enforces each endpoint's declared <see cref="EndpointAccess"/>, the one place the province checks roles. An
    /// endpoint that declares nothing is refused (and fails the role-matrix test).
    /// </summary>
    public static IApplicationBuilder UseProvinceAccess(this IApplicationBuilder app) =>
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

    private static async Task<IResult?> RefusalAsync(HttpContext http, Endpoint endpoint)
    {
        var access = endpoint.AccessOf();
        if (access is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "access_undeclared", $"{endpoint.DisplayName} declares no access; refused.");
        }

        if (access.Kind != AccessKind.Roles)
        {
            return null;
        }

        var user = await ResolveAsync(http).ConfigureAwait(false);
        if (access.Lets(user?.Role))
        {
            return null;
        }

        if (access.Page)
        {
            return user is null
                ? Results.Redirect("/login?return=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString))
                : Results.Redirect("/report");
        }

        if (user is null && access.Roles.Contains(ProvinceRoles.Admin)
            && string.IsNullOrEmpty(http.RequestServices.GetRequiredService<IOptions<ProvinceOptions>>().Value.AdminToken)
            && http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "admin_disabled", "Set Province:AdminToken to enable the admin API.");
        }

        return user is null
            ? ProvinceProblems.Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Send the administrator's bearer token, or sign in at /login.",
                access.Roles.Contains(ProvinceRoles.Accountant) ? "unauthenticated" : "unauthenticated.admin")
            : ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "forbidden", access.Roles.Contains(ProvinceRoles.Accountant)
                ? "Your role may not do this."
                : "A province administrator only; an accountant reads their institution's figures.");
    }
}
