using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Who is asking: the administrator's bearer token (programs; a province administrator), or a signed-in person.
/// Province administrators see and do everything; an institution's accountant sees that institution's report and
/// reconciliation, and changes nothing.
/// </summary>
internal static class ProvinceAuth
{
    private const string UserItem = "province-user";

    /// <summary>The token holder as a user.</summary>
    public static readonly ProvinceUser TokenHolder = new("admin-token", "Quản trị (token)", ProvinceRoles.Admin, null);

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

    /// <summary>API filter: a province administrator (token or session); 401 for no one, 403 for an accountant.</summary>
    public static async ValueTask<object?> RequireAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var user = await ResolveAsync(http).ConfigureAwait(false);
        if (user is null && string.IsNullOrEmpty(http.RequestServices.GetRequiredService<IOptions<ProvinceOptions>>().Value.AdminToken)
            && http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "admin_disabled", "Set Province:AdminToken to enable the admin API.");
        }

        return user switch
        {
            null => ProvinceProblems.Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Send the administrator's bearer token, or sign in at /login.", "unauthenticated.admin"),
            { IsAdmin: false } => ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "forbidden", "A province administrator only; an accountant reads their institution's figures."),
            _ => await next(context).ConfigureAwait(false),
        };
    }

    /// <summary>API filter: anyone signed in (what they see is limited by their role in the endpoint).</summary>
    public static async ValueTask<object?> RequireSignedIn(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await ResolveAsync(context.HttpContext).ConfigureAwait(false) is null
            ? ProvinceProblems.Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Sign in at /login, or send the administrator's bearer token.")
            : await next(context).ConfigureAwait(false);

    /// <summary>Page filter: anyone signed in, else to the sign-in page and back.</summary>
    public static async ValueTask<object?> RequireSignedInPage(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return await ResolveAsync(http).ConfigureAwait(false) is null
            ? Results.Redirect("/login?return=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString))
            : await next(context).ConfigureAwait(false);
    }

    /// <summary>Page filter: a province administrator; an accountant goes to their report.</summary>
    public static async ValueTask<object?> RequireAdminPage(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return await ResolveAsync(http).ConfigureAwait(false) switch
        {
            null => Results.Redirect("/login?return=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString)),
            { IsAdmin: false } => Results.Redirect("/report"),
            _ => await next(context).ConfigureAwait(false),
        };
    }
}
