using System.Globalization;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>The sign-in page, sign-out, the administrator's user list and alerts.</summary>
internal static class SignInApi
{
    /// <summary>The most characters of a person's full name (pages list it, sessions and alerts name it).</summary>
    private const int MaxFullName = 100;

    /// <summary>The command that makes the first administrator, as the log and the sign-in page show it.</summary>
    public const string FirstAdminCommand = "kioskpos-province users add-admin <username> --full-name \"<full name>\"";

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", GetPageAsync).ExcludeFromDescription().Public();
        app.MapPost("/login", SignInFromFormAsync).DisableAntiforgery().SignsInOrOut().ProducesCrossOriginRefusal().RequireRateLimiting(SignInRateLimits.Policy).ExcludeFromDescription().Public();
        app.MapPost("/logout", SignOutAsync).DisableAntiforgery().SignsInOrOut().ProducesCrossOriginRefusal().ExcludeFromDescription().Public();

        var admin = app.MapGroup("/api/v1/admin/users").RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("Users").ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        admin.MapGet(string.Empty, GetUsersAsync).WithSummary("The people who sign in");
        admin.MapPut("/{username}", PutUserAsync).WithSummary("Create or change a person who signs in (their sessions end)")
            .AcceptsJson<ProvinceUserRequest>().ProducesProblems(StatusCodes.Status400BadRequest);

        app.MapGet("/api/v1/admin/alerts", GetAlertsAsync).RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("Users").WithSummary("What an administrator should look at, newest first (e.g. repeated wrong passwords)")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        return app;
    }

    // With no one able to sign in, the page says how to create the first administrator (setup=first-admin).
    private static async Task<IResult> GetPageAsync(HttpContext http, ProvinceUsers users) =>
        http.Request.Query["setup"] != "first-admin" && !await users.AnyAsync(http.RequestAborted).ConfigureAwait(false)
            ? TypedResults.Redirect("/login?setup=first-admin")
            : ProvincePages.Page("login.html");

    /// <summary>
    /// A sign-in form post. Anything but a form is a 400 naming what is wrong. A wrong name or password, or a try
    /// while the name or the address must wait, goes back to the page (<c>error=wrong</c>, <c>error=wait&amp;seconds=N</c>),
    /// with the same answers for a name that exists and one that does not.
    /// </summary>
    private static async Task<Results<RedirectHttpResult, ProblemResult>> SignInFromFormAsync(HttpContext http, ProvinceUsers users, ProvinceSessions sessions)
    {
        var (form, notAForm) = await FormPost.ReadAsync(http,
            "POST /login takes a form (application/x-www-form-urlencoded or multipart/form-data) with username and password", "not_a_form").ConfigureAwait(false);
        if (form is null)
        {
            return notAForm!;
        }

        foreach (var field in (string[])["username", "password"])
        {
            if (!form.ContainsKey(field))
            {
                return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "missing_field", $"{field} is required", null, field);
            }
        }

        var back = SafeReturn(form["return"].ToString());
        // The wrong passwords' source counter is per source as the rate limit's (an IPv6 client's /64): a new address for
        // every guess inside it earns the same wait.
        var source = KioskPos.Shared.Security.SourceAddress.LimitKey(http.Connection.RemoteIpAddress);
        var result = await users.SignInAsync(form["username"].ToString().Trim(), form["password"].ToString(), source, http.RequestAborted).ConfigureAwait(false);
        if (result.User is not { } user)
        {
            var error = result.Outcome == SignInOutcome.Wait
                ? "wait&seconds=" + Math.Ceiling(result.Wait.TotalSeconds).ToString(CultureInfo.InvariantCulture)
                : "wrong";
            return TypedResults.Redirect($"/login?error={error}&return={Uri.EscapeDataString(back)}");
        }

        http.Response.Cookies.Append(ProvinceSessions.Cookie, await sessions.IssueAsync(user.Username, http.RequestAborted).ConfigureAwait(false), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            MaxAge = ProvinceSessions.Lifetime,
            Path = "/",
        });
        return TypedResults.Redirect(back == "/" && !user.IsAdmin ? "/report" : back);
    }

    // The session ends on the server, not only in this browser: a copy of the cookie stops working too.
    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext http, ProvinceSessions sessions)
    {
        await sessions.EndAsync(http.Request.Cookies[ProvinceSessions.Cookie], http.RequestAborted).ConfigureAwait(false);
        http.Response.Cookies.Delete(ProvinceSessions.Cookie, new CookieOptions { Path = "/" });
        return TypedResults.Redirect("/login");
    }

    private static async Task<JsonOk<IReadOnlyList<AlertRow>>> GetAlertsAsync(Alerts alerts, CancellationToken ct) =>
        JsonOk.Of(await alerts.LatestAsync(200, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListAlertRow);

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

        if (request.FullName.Trim().Length > MaxFullName || !KioskPos.Core.Text.PlainText.IsOneLine(request.FullName))
        {
            return $"fullName is at most {MaxFullName} characters, without control or direction-changing characters";
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
