using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Signed session cookies for people: the username and an expiry under an HMAC whose key lives only in this
/// process (a restart signs everyone out). The session is checked against the stored user on every request, so
/// a changed role or a locked login takes effect at once.
/// </summary>
internal sealed class ProvinceSessions(TimeProvider time)
{
    public const string Cookie = "kp_province";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue(string username)
    {
        var body = $"{username}|{time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(body));
        return $"{payload}.{Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)))}";
    }

    public string? Read(string? cookie)
    {
        if (cookie?.Split('.') is not [var payload, var mac] ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(mac), Encoding.UTF8.GetBytes(Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload))))))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(payload)).Split('|');
            return parts is [var username, var expires] && long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at > time.GetUtcNow().ToUnixTimeSeconds()
                ? username
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

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
        else if (http.RequestServices.GetRequiredService<ProvinceSessions>().Read(http.Request.Cookies[ProvinceSessions.Cookie]) is { } username)
        {
            user = await http.RequestServices.GetRequiredService<ProvinceUsers>().FindAsync(username, http.RequestAborted).ConfigureAwait(false);
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

/// <summary>The sign-in page, sign-out, and the administrator's user list.</summary>
internal static class SignInApi
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", GetPage).ExcludeFromDescription();
        app.MapPost("/login", SignInFromFormAsync).DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", SignOut).DisableAntiforgery().ExcludeFromDescription();

        var admin = app.MapGroup("/api/v1/admin/users").AddEndpointFilter(ProvinceAuth.RequireAdmin)
            .WithTags("Users").ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        admin.MapGet(string.Empty, GetUsersAsync).WithSummary("The people who sign in");
        admin.MapPut("/{username}", PutUserAsync).WithSummary("Create or change a person who signs in")
            .AcceptsJson<ProvinceUserRequest>().ProducesProblems(StatusCodes.Status400BadRequest);
        return app;
    }

    private static IResult GetPage() => ProvincePages.Page("login.html");

    private static async Task<RedirectHttpResult> SignInFromFormAsync(HttpContext http, ProvinceUsers users, ProvinceSessions sessions)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var back = SafeReturn(form["return"].ToString());
        var (user, failure) = await users.SignInAsync(form["username"].ToString().Trim(), form["password"].ToString(), http.RequestAborted).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.Redirect($"/login?error={(failure == SignInFailure.Locked ? "locked" : "wrong")}&return={Uri.EscapeDataString(back)}");
        }

        http.Response.Cookies.Append(ProvinceSessions.Cookie, sessions.Issue(user.Username), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            MaxAge = ProvinceSessions.Lifetime,
            Path = "/",
        });
        return TypedResults.Redirect(back == "/" && !user.IsAdmin ? "/report" : back);
    }

    private static RedirectHttpResult SignOut(HttpContext http)
    {
        http.Response.Cookies.Delete(ProvinceSessions.Cookie, new CookieOptions { Path = "/" });
        return TypedResults.Redirect("/login");
    }

    private static async Task<JsonOk<IReadOnlyList<ProvinceUserRow>>> GetUsersAsync(ProvinceUsers users, CancellationToken ct) =>
        JsonOk.Of(await users.ListAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListProvinceUserRow);

    private static async Task<Results<NoContent, ProblemResult>> PutUserAsync(string username, HttpContext http, ProvinceUsers users)
    {
        var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.ProvinceUserRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body is required.", "malformed_json.body");
        }

        if (await UserProblemAsync(username, request, users, http.RequestAborted).ConfigureAwait(false) is { } problem)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_user", problem);
        }

        await users.SaveAsync(username, request.FullName!.Trim(), request.Role!, request.InstitutionId, request.Password!, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    // The first thing wrong with the request, in the order people fill the form; null when it can be saved.
    private static async Task<string?> UserProblemAsync(string username, ProvinceUserRequest request, ProvinceUsers users, CancellationToken ct)
    {
        if (username.Length is < 3 or > 64 || !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            return "the username is 3 to 64 letters, digits, '.', '-' or '_'";
        }

        if (string.IsNullOrWhiteSpace(request.FullName))
        {
            return "fullName is required";
        }

        if (request.Role is not (ProvinceRoles.Admin or ProvinceRoles.Accountant))
        {
            return $"role is {ProvinceRoles.Admin} or {ProvinceRoles.Accountant}";
        }

        if ((request.Role == ProvinceRoles.Accountant) != (request.InstitutionId is not null))
        {
            return "an accountant names their institution, and only an accountant does";
        }

        if (request.InstitutionId is { } institution && !await users.InstitutionExistsAsync(institution, ct).ConfigureAwait(false))
        {
            return $"no institution '{institution}'";
        }

        return request.Password is not { Length: >= 10 and <= 128 } ? "the password is 10 to 128 characters" : null;
    }

    /// <summary>Only a path of this site: a sign-in link cannot send anyone elsewhere.</summary>
    private static string SafeReturn(string value) =>
        value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal) && !value.Contains('\\', StringComparison.Ordinal) ? value : "/";
}
