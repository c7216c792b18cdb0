using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The province server's pages are files under <c>wwwroot/</c> (an HTML file and a script each, one stylesheet, the
/// shared <c>js/i18n.js</c> and <c>js/page.js</c>), embedded in the assembly. A page's address is an endpoint here, so
/// it keeps its auth rule (a redirect to sign-in, or to the report for an accountant); the page then reads the JSON
/// API, whose endpoints enforce the same roles. Only <c>/css/</c> and <c>/js/</c> are served as plain files.
/// </summary>
internal static class ProvincePages
{
    private static readonly IFileProvider s_files = new ManifestEmbeddedFileProvider(typeof(ProvincePages).Assembly, "wwwroot");
    private static readonly Lazy<byte[]> s_messages = new(() => Messages.ToJson("province."));

    /// <summary>Serves <c>/css/*</c> and <c>/js/*</c> from the embedded <c>wwwroot/</c>.</summary>
    public static IApplicationBuilder UseProvinceAssets(this IApplicationBuilder app)
    {
        foreach (var folder in new[] { "css", "js" })
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new ManifestEmbeddedFileProvider(typeof(ProvincePages).Assembly, "wwwroot/" + folder),
                RequestPath = "/" + folder,
            });
        }

        return app;
    }

    /// <summary>The catalogue's <c>province.</c> texts for the pages, and who is signed in.</summary>
    public static IEndpointRouteBuilder MapProvincePages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/province").WithTags("Province").Public();
        group.MapGet("/messages", GetMessages).WithSummary("The catalogue's texts for the pages")
            .Produces<IReadOnlyDictionary<string, CatalogueText>>(StatusCodes.Status200OK, "application/json");

        // Anyone may ask: no one signed in is an answer too (the sign-in page reads how many tries lock a login).
        group.MapGet("/session", (Delegate)GetSessionAsync).WithSummary("Who is signed in");
        return app;
    }

    // Written once from the catalogue (key: vi and en), not serialised per request.
    private static FileContentHttpResult GetMessages() => TypedResults.Bytes(s_messages.Value, "application/json");

    // Cast where mapped: a method taking only an HttpContext and returning a Task would otherwise bind as a RequestDelegate, its answer dropped.
    private static async Task<JsonOk<SessionInfo>> GetSessionAsync(HttpContext http)
    {
        var user = await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false);
        return JsonOk.Of(
            new SessionInfo(user is not null, user?.Username, user?.FullName, user?.Role, user?.InstitutionId, user?.IsAdmin ?? false, user?.IsAdmin ?? false, ProvinceUsers.MaxFailures),
            ProvinceJsonContext.Default.SessionInfo);
    }

    /// <summary>The page <paramref name="file"/> (under <c>wwwroot/</c>) with <paramref name="status"/>.</summary>
    public static IResult Page(string file, int status = StatusCodes.Status200OK) => new PageResult(s_files.GetFileInfo(file), status);

    /// <summary>
    /// The page <paramref name="file"/> that a printed or shown link opens (a receipt, a statement, a pay link), with the
    /// status its check gave, the same as its JSON's: 400 not such a link, 404 no such thing or a key that does not
    /// match it, 410 a genuine link past its expiry, 200 found. The page's script reads the JSON and says which.
    /// </summary>
    public static IResult LinkPage(string file, LinkCheck check) => Page(file, check switch
    {
        LinkCheck.Malformed => StatusCodes.Status400BadRequest,
        LinkCheck.NotFound => StatusCodes.Status404NotFound,
        LinkCheck.Expired => StatusCodes.Status410Gone,
        _ => StatusCodes.Status200OK,
    });

    private sealed class PageResult(IFileInfo file, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            if (!file.Exists)
            {
                throw new InvalidOperationException($"The page {file.Name} is not embedded.");
            }

            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            httpContext.Response.ContentLength = file.Length;
            httpContext.Response.Headers.CacheControl = "no-cache";
            await using var stream = file.CreateReadStream();
            await stream.CopyToAsync(httpContext.Response.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}

/// <summary>What the check of a link (a receipt's, a statement's, a pay link's) found.</summary>
internal enum LinkCheck
{
    /// <summary>Not such a link: a key or signature missing or of the wrong form.</summary>
    Malformed,

    /// <summary>No such thing, or a key or signature that does not match it: one answer, without detail.</summary>
    NotFound,

    /// <summary>A genuine link past its expiry.</summary>
    Expired,

    /// <summary>Found.</summary>
    Found,
}

/// <summary>A text of the catalogue in both languages (<c>/api/v1/province/messages</c> maps each key to one).</summary>
/// <param name="Vi">Vietnamese.</param>
/// <param name="En">English.</param>
public sealed record CatalogueText(string Vi, string En);

/// <summary>Who is signed in, as the pages show it.</summary>
/// <param name="SignedIn">Whether anyone is.</param>
/// <param name="Username">Their login.</param>
/// <param name="FullName">Their name.</param>
/// <param name="Role"><c>province_admin</c> or <c>accountant</c>.</param>
/// <param name="InstitutionId">An accountant's institution.</param>
/// <param name="IsAdmin">A province administrator: sees every institution and the overview.</param>
/// <param name="CanResolve">May resolve reconciliation items (an administrator).</param>
/// <param name="LockAfter">How many wrong passwords in a row lock a login.</param>
public sealed record SessionInfo(bool SignedIn, string? Username, string? FullName, string? Role, string? InstitutionId, bool IsAdmin, bool CanResolve, int LockAfter);
