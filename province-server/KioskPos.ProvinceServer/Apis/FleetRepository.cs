using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>The province's apt repository of terminal packages, when served (section <c>FleetRepository</c>).</summary>
public sealed class FleetRepositoryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "FleetRepository";

    /// <summary>
    /// The folder <c>make repo</c> wrote (<c>scripts/repo.sh</c>: <c>InRelease</c>, <c>Packages</c>, the
    /// <c>.deb</c> files). Null (the default): the province serves no repository and <c>/repo/</c> does not exist.
    /// </summary>
    public string? Directory { get; set; }
}

/// <summary>
/// Serves the signed repository under <c>/repo/</c> to the terminals' apt, read-only: only the files of a flat
/// repository (the signed indexes and <c>kioskpos_x.y.z_arch.deb</c>) by exact name, never a listing or any other
/// file of the folder. Anyone may read it, as apt reads a Debian mirror: what makes a package trusted is the
/// province's signature apt checks with the key the terminal's package installed, not who could download it.
/// </summary>
internal static partial class FleetRepository
{
    /// <summary>Where the repository is served: a terminal's <c>KIOSKPOS_REPO_URL</c> is this under the province's address.</summary>
    public const string Path = "/repo/";

    public static IEndpointRouteBuilder MapFleetRepository(this IEndpointRouteBuilder app)
    {
        var folder = app.ServiceProvider.GetRequiredService<IConfiguration>()[$"{FleetRepositoryOptions.Section}:{nameof(FleetRepositoryOptions.Directory)}"];
        if (string.IsNullOrWhiteSpace(folder))
        {
            return app;
        }

        var root = System.IO.Path.GetFullPath(folder);
        app.MapMethods(Path + "{file}", [HttpMethods.Get, HttpMethods.Head], (string file) => Serve(root, file))
            .ExcludeFromDescription().Public();
        return app;
    }

    private static IResult Serve(string root, string file)
    {
        // The name is matched whole, so no path, no dot-dot and no other file of the folder can be asked for.
        if (!RepositoryFile().IsMatch(file))
        {
            return TypedResults.NotFound();
        }

        var info = new FileInfo(System.IO.Path.Combine(root, file));
        if (!info.Exists)
        {
            return TypedResults.NotFound();
        }

        var type = file.EndsWith(".deb", StringComparison.Ordinal) ? "application/vnd.debian.binary-package"
            : file.EndsWith(".gz", StringComparison.Ordinal) ? "application/gzip"
            : file.EndsWith(".xz", StringComparison.Ordinal) ? "application/x-xz"
            : "text/plain; charset=utf-8";
        return TypedResults.PhysicalFile(info.FullName, type, lastModified: info.LastWriteTimeUtc,
            entityTag: new EntityTagHeaderValue($"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\""), enableRangeProcessing: true);
    }

    [GeneratedRegex(@"^(InRelease|Release|Release\.gpg|Packages|Packages\.gz|Packages\.xz|kioskpos_[0-9]+\.[0-9]+\.[0-9]+_(arm64|amd64|all)\.deb)$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryFile();
}
