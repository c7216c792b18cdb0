using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// A JSON answer written with a source-generated <see cref="JsonTypeInfo{T}"/>, so with its context's own options
/// (the terminal writes its answers with TerminalJsonContext.Readable: nulls written, Vietnamese unescaped), that also tells the endpoint's description
/// (OpenAPI) its type. ASP.NET's <c>Ok&lt;T&gt;</c> would write with the app-wide options instead, and
/// <c>JsonHttpResult&lt;T&gt;</c> describes nothing.
/// </summary>
/// <typeparam name="T">What is written.</typeparam>
internal sealed class JsonOk<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    public T Value => value;

    public int StatusCode => statusCode;

    int? IStatusCodeHttpResult.StatusCode => statusCode;

    object? IValueHttpResult.Value => value;

    public Task ExecuteAsync(HttpContext httpContext) =>
        TypedResults.Json(value, typeInfo, statusCode: statusCode).ExecuteAsync(httpContext);

    /// <summary>Declares a 200 answer of <typeparamref name="T"/> as JSON; other statuses are declared where they are mapped.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>Makes <see cref="JsonOk{T}"/> answers.</summary>
internal static class JsonOk
{
    public static JsonOk<T> Of<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) => new(value, typeInfo, statusCode);
}
