using Microsoft.AspNetCore.Http.Metadata;

namespace KioskPos.Web;

/// <summary>
/// Declares the JSON body an endpoint reads itself (to answer a 400 that names the wrong field) for its description.
/// Unlike <c>Accepts&lt;T&gt;("application/json")</c> it lists no content types, because routing answers 415 to a
/// request whose <c>Content-Type</c> is not listed, and these endpoints have always read the body whatever its type.
/// </summary>
/// <param name="RequestType">The body's type, resolvable by the source-generated JSON contexts.</param>
public sealed record JsonBodyMetadata(Type RequestType) : IAcceptsMetadata
{
    IReadOnlyList<string> IAcceptsMetadata.ContentTypes => [];

    Type? IAcceptsMetadata.RequestType => RequestType;

    bool IAcceptsMetadata.IsOptional => false;
}

/// <summary>Adds <see cref="JsonBodyMetadata"/>.</summary>
public static class JsonBodyMetadataExtensions
{
    /// <summary>The endpoint reads a JSON <typeparamref name="T"/> from its body.</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new JsonBodyMetadata(typeof(T)));
}
