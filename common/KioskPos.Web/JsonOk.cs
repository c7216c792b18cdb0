using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace KioskPos.Web;

/// <summary>
/// A JSON answer written with a source-generated <see cref="JsonTypeInfo{T}"/>, so with its context's own options
/// (each server passes its own source-generated context, so its answers keep their shape), that also tells the endpoint's description
/// (OpenAPI) its type. ASP.NET's <c>Ok&lt;T&gt;</c> would write with the app-wide options instead, and
/// <c>JsonHttpResult&lt;T&gt;</c> describes nothing.
/// </summary>
/// <typeparam name="T">What is written.</typeparam>
public sealed class JsonOk<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IEndpointMetadataProvider
{
    /// <summary>The answer.</summary>
    public T Value => value;

    /// <summary>The HTTP status, 200 unless said otherwise.</summary>
    public int StatusCode => statusCode;

    int? IStatusCodeHttpResult.StatusCode => statusCode;

    object? IValueHttpResult.Value => value;

    /// <summary>Writes the answer with the source-generated type information it was given.</summary>
    public Task ExecuteAsync(HttpContext httpContext) =>
        TypedResults.Json(value, typeInfo, statusCode: statusCode).ExecuteAsync(httpContext);

    /// <summary>Declares a 200 answer of <typeparamref name="T"/> as JSON; other statuses are declared where they are mapped.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>Makes <see cref="JsonOk{T}"/> answers.</summary>
public static class JsonOk
{
    /// <summary>An answer of <paramref name="value"/>, written with <paramref name="typeInfo"/>.</summary>
    public static JsonOk<T> Of<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK) => new(value, typeInfo, statusCode);
}
