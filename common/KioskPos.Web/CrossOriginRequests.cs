using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace KioskPos.Web;

/// <summary>
/// Endpoint metadata: the endpoint signs a person in or out. <see cref="CrossOriginRequests"/> checks such a request
/// whether or not it carries a session cookie (signing in has none yet: a page of another site posting the attacker's
/// own name and password would sign the victim's browser in as the attacker).
/// </summary>
public sealed class SignsInOrOutMetadata
{
    /// <summary>The one instance.</summary>
    public static SignsInOrOutMetadata Instance { get; } = new();

    private SignsInOrOutMetadata()
    {
    }
}

/// <summary>
/// Refuses a request that changes something on a person's session, or signs in or out, when a browser says it comes
/// from a page of another origin: defence in depth behind the session cookie's <c>SameSite=Strict</c>, which still
/// lets a page of the same site (another port, or a sibling host under the same registrable domain) send the cookie,
/// and does nothing for signing in. As OWASP's cross-site request forgery cheat sheet recommends, Fetch Metadata
/// first, then the <c>Origin</c> header:
/// <list type="bullet">
/// <item>Only requests that change something (every method but GET, HEAD, OPTIONS and TRACE), and of those only the
/// ones that carry the server's session cookie or reach an endpoint marked <see cref="SignsInOrOut{TBuilder}"/>.
/// Terminals' signed sync and enrolment, the bank's signed notifications and programs with a bearer token carry no
/// cookie and are never looked at.</item>
/// <item><c>Sec-Fetch-Site</c>, when the browser sends it, must be <c>same-origin</c> (or <c>none</c>: the person
/// typed the address or opened a bookmark); <c>same-site</c> and <c>cross-site</c> are refused.</item>
/// <item>Without it (an older browser, or no browser), an <c>Origin</c> header must name this server (the request's
/// own scheme, host and port, or the configured public address); with neither header (a program) the request goes
/// on.</item>
/// </list>
/// The refusal is a 403 <c>cross_origin_request</c> whose detail names the header and its value. The check reads
/// headers only, and runs before anything reads the body or looks up the session.
/// </summary>
public static class CrossOriginRequests
{
    /// <summary>The problem code of a refusal.</summary>
    public const string Code = "cross_origin_request";

    /// <summary>The endpoint (or every endpoint of the group) signs a person in or out: checked with or without a session cookie.</summary>
    public static TBuilder SignsInOrOut<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(SignsInOrOutMetadata.Instance);

    /// <summary>
    /// What the OpenAPI document says of the 403 of a change on the endpoints the check guards: a status has one
    /// description, so it also points, in general terms, to the endpoint's own 403s (a role refused), told apart by the
    /// problem's code.
    /// </summary>
    public const string RefusalDescription =
        "Forbidden. cross_origin_request: a browser sent it from a page of another origin (Sec-Fetch-Site other than same-origin or none, or an Origin not this server's); the problem's code names any other reason.";

    /// <summary>
    /// Declares, for the OpenAPI document, the 403 <see cref="Code"/> answered as <paramref name="problemType"/> in
    /// <paramref name="contentType"/>, on the endpoint (or every endpoint of the group) whose method changes something:
    /// the servers call it where a session reaches an endpoint or the endpoint signs in or out, the requests the check
    /// looks at. Safe methods are left alone; the check never refuses them. Applied when the endpoint is built, so a
    /// group's endpoints are told apart by their own methods.
    /// </summary>
    public static TBuilder ProducesRefusal<TBuilder>(TBuilder builder, Type problemType, string contentType)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            if (ChangesSomething(endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, problemType, [contentType]) { Description = RefusalDescription });
            }
        });

        // The document takes a declared response's status and type, not its description: the operation is told here.
        return builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            if (context.Description.HttpMethod is { } method && !IsSafe(method)
                && operation.Responses?.TryGetValue("403", out var forbidden) == true && forbidden is OpenApiResponse response)
            {
                response.Description = RefusalDescription;
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Refuses, with a 403 written by <paramref name="write"/>, the requests described on <see cref="CrossOriginRequests"/>.
    /// Goes after routing (it reads the endpoint's <see cref="SignsInOrOutMetadata"/>) and before the session is looked up.
    /// The province puts the rate limiter before it, so that a sign-in it refuses still counts against the per-source
    /// limit of sign-ins (a page of another site cannot make browsers try passwords unseen by the limit); the terminal
    /// keeps its limiter after its access check (see docs/security.md).
    /// </summary>
    /// <param name="app">The application.</param>
    /// <param name="sessionCookie">The name of the server's session cookie.</param>
    /// <param name="write">Writes the server's problem answer.</param>
    /// <param name="publicOrigin">
    /// The server's public address, when it has one (behind a reverse proxy the request's own host may not be the one
    /// the browser named); an <c>Origin</c> of it is this server too.
    /// </param>
    public static IApplicationBuilder UseCrossOriginRequestCheck(this IApplicationBuilder app, string sessionCookie, ProblemWriter write, Uri? publicOrigin = null) =>
        app.Use(async (http, next) =>
        {
            if (!Applies(http, sessionCookie) || Refusal(http.Request, publicOrigin) is not { } detail)
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            await write(http, StatusCodes.Status403Forbidden, Code, detail).ConfigureAwait(false);
        });

    /// <summary>Whether the check applies: a request that changes something, with the session cookie or to sign in or out.</summary>
    public static bool Applies(HttpContext http, string sessionCookie) =>
        !IsSafe(http.Request.Method)
        && (http.Request.Cookies.ContainsKey(sessionCookie) || http.GetEndpoint()?.Metadata.GetMetadata<SignsInOrOutMetadata>() is not null);

    /// <summary>
    /// Why the request is refused as coming from another origin (for programs, naming the header and its value), or
    /// null when its headers say it comes from this server's own pages or from no browser at all.
    /// </summary>
    public static string? Refusal(HttpRequest request, Uri? publicOrigin = null)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return string.Equals(site, "same-origin", StringComparison.OrdinalIgnoreCase) || string.Equals(site, "none", StringComparison.OrdinalIgnoreCase)
                ? null
                : $"Sec-Fetch-Site is '{site}': this request must come from this server's own pages (same-origin).";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        return SameOrigin(origin, $"{request.Scheme}://{request.Host.Value}") || (publicOrigin is not null && SameOrigin(origin, publicOrigin.GetLeftPart(UriPartial.Authority)))
            ? null
            : $"Origin is '{origin}', not this server ({request.Scheme}://{request.Host.Value}): this request must come from this server's own pages.";
    }

    // No method metadata: the endpoint answers every method, unsafe ones among them.
    private static bool ChangesSomething(IReadOnlyList<string>? methods) => methods is null || methods.Count == 0 || methods.Any(m => !IsSafe(m));

    // GET, HEAD, OPTIONS and TRACE change nothing; every other method, known or not, is checked.
    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    // Scheme, host and port alike (an omitted port is the scheme's own); "null", a path, or anything unparsable is not.
    private static bool SameOrigin(string origin, string own) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var a) && Uri.TryCreate(own, UriKind.Absolute, out var b)
        && a.AbsolutePath == "/" && a.Query.Length == 0 && a.Fragment.Length == 0 && a.UserInfo.Length == 0
        && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
