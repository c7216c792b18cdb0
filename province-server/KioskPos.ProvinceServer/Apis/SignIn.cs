using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>The sign-in page, sign-out, and the administrator's user list.</summary>
internal static class SignInApi
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", GetPage).ExcludeFromDescription().Public();
        app.MapPost("/login", SignInFromFormAsync).DisableAntiforgery().ExcludeFromDescription().Public();
        app.MapPost("/logout", SignOut).DisableAntiforgery().ExcludeFromDescription().Public();

        var admin = app.MapGroup("/api/v1/admin/users").RequireProvinceRoles(ProvinceRoles.Admin)
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
