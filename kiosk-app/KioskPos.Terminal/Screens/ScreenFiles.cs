using System.Security.Cryptography;
using KioskPos.Core.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace KioskPos.Terminal.Screens;

/// <summary>
/// The terminal's screens: the files under <c>wwwroot/</c> (HTML, the one stylesheet, a script per page), embedded in
/// the executable (a manifest, so it works under native AOT and needs nothing on disk), and the message catalogue the
/// scripts read. Every asset comes from the terminal itself, so the screens work with the network down.
/// </summary>
internal static class ScreenFiles
{
    /// <summary>Pages, by the address the kiosk browser and people open.</summary>
    private static readonly (string Path, string File)[] s_pages =
    [
        ("/kiosk", "kiosk.html"),
        ("/counter", "counter.html"),
        ("/display", "display.html"),
        ("/tech", "tech.html"),
    ];

    /// <summary>The catalogue's parts the screens use (the kiosk's statement names each movement as the paper does).</summary>
    private static readonly string[] s_messagePrefixes = ["common.", "kiosk.", "counter.", "display.", "tech.", "terminal.", "imports.cccd.", "dev.", "receipt.statement.kind."];

    private static readonly ManifestEmbeddedFileProvider s_files = new(typeof(ScreenFiles).Assembly, "wwwroot");
    private static readonly Lazy<(byte[] Json, string ETag)> s_messages = new(() =>
    {
        var json = Messages.ToJson(s_messagePrefixes);
        return (json, $"\"{Convert.ToHexStringLower(SHA256.HashData(json).AsSpan(0, 8))}\"");
    });

    /// <summary>The stylesheet and scripts (<c>/css/…</c>, <c>/js/…</c>), before routing.</summary>
    public static IApplicationBuilder UseScreenFiles(this IApplicationBuilder app)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".css"] = "text/css; charset=utf-8";
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        foreach (var folder in new[] { "css", "js" })
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                RequestPath = "/" + folder,
                FileProvider = new ManifestEmbeddedFileProvider(typeof(ScreenFiles).Assembly, "wwwroot/" + folder),
                ContentTypeProvider = types,
                OnPrepareResponse = context => Revalidate(context.Context.Response),
            });
        }

        return app;
    }

    /// <summary>The pages, the state page (<c>/</c>) and the catalogue (<c>GET /api/v1/messages</c>).</summary>
    public static IEndpointRouteBuilder MapScreens(this IEndpointRouteBuilder app)
    {
        // The pages are HTML for people: not in the OpenAPI document.
        foreach (var (path, file) in s_pages)
        {
            app.MapGet(path, (HttpContext http) => SendPageAsync(http, file)).ExcludeFromDescription().Public();
        }

        app.MapGet("/", StatusPage.RenderAsync).ExcludeFromDescription().Public();
        app.MapGet("/api/v1/messages", GetMessages).WithTags("Screens").WithSummary("The message catalogue the screens use: key to Vietnamese and English text")
            .Produces<IReadOnlyDictionary<string, MessageText>>().Produces(StatusCodes.Status304NotModified).Public();
        return app;
    }

    private static Results<FileContentHttpResult, StatusCodeHttpResult> GetMessages(HttpContext http)
    {
        var (json, etag) = s_messages.Value;
        Revalidate(http.Response);
        http.Response.Headers.ETag = etag;
        return http.Request.Headers.IfNoneMatch.Contains(etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(json, "application/json; charset=utf-8");
    }

    /// <summary>The text of a file under <c>wwwroot/</c> (a page template).</summary>
    public static string ReadText(string file)
    {
        using var reader = new StreamReader(s_files.GetFileInfo(file).CreateReadStream());
        return reader.ReadToEnd();
    }

    /// <summary>Sends a page of <c>wwwroot/</c> (revalidated by its ETag).</summary>
    public static async Task SendPageAsync(HttpContext http, string file)
    {
        var info = s_files.GetFileInfo(file);
        var etag = $"\"{info.LastModified.UtcTicks:x}-{info.Length:x}\"";
        Revalidate(http.Response);
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Contains(etag))
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.ContentLength = info.Length;
        await http.Response.SendFileAsync(info, http.RequestAborted).ConfigureAwait(false);
    }

    // Kept by the browser but checked with the terminal before each use (a conditional request answered 304 while
    // unchanged), so a new version shows at the next load; nosniff, so a file is only ever read as its own type.
    private static void Revalidate(HttpResponse response)
    {
        response.Headers.CacheControl = "no-cache";
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
    }
}

/// <summary>One message of the catalogue as <c>GET /api/v1/messages</c> gives it, under its key.</summary>
/// <param name="Vi">Vietnamese.</param>
/// <param name="En">English.</param>
public sealed record MessageText(string Vi, string En);
