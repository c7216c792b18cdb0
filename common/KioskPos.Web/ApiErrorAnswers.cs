using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace KioskPos.Web;

/// <summary>Writes one problem answer in the server's own format (its catalogue's title, its JSON context).</summary>
/// <param name="http">The request being answered.</param>
/// <param name="status">The HTTP status.</param>
/// <param name="code">The stable machine code.</param>
/// <param name="detail">For programs, in English, naming the parameter where one is at fault.</param>
public delegate Task ProblemWriter(HttpContext http, int status, string code, string? detail);

/// <summary>
/// The 4xx answers ASP.NET Core gives an API itself, with an empty body, made the server's problem answers (the
/// hostile-input sweep found <c>?limit=abc</c> answered by a bare 400 and <c>/print-jobs/abc</c> by a bare 404). The
/// code is the status's reason phrase (<c>bad_request</c>, <c>not_found</c>, <c>method_not_allowed</c>), and the server
/// titles it by <see cref="TitleKey"/>; the detail names the parameter at fault where there is one: a query or route
/// value that does not parse as the endpoint's parameter (in ASP.NET Core's own words,
/// <c>Failed to bind parameter "int? limit" from "abc".</c>), or a path value a route constraint refuses; a 405's
/// names the methods of its <c>Allow</c> header, which routing set and the answer keeps. Answers with a body, and
/// pages outside the API's path, are left as they are.
/// </summary>
/// <remarks>
/// Found from the endpoint's <see cref="IParameterBindingMetadata"/> rather than by
/// <see cref="RouteHandlerOptions.ThrowOnBadRequest"/>: the request delegate generator (the terminal's endpoints)
/// neither throws nor logs when a nullable route-or-query parameter fails to parse; it only sets 400.
/// </remarks>
public static class ApiErrorAnswers
{
    /// <summary>Gives every 4xx under <paramref name="apiPrefix"/> that nothing wrote a body for a problem, written by <paramref name="write"/>.</summary>
    public static IApplicationBuilder UseApiErrorAnswers(this IApplicationBuilder app, PathString apiPrefix, ProblemWriter write)
    {
        var constrained = new ConstrainedRoutes(app.ApplicationServices);
        return app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            if (status is < 400 or >= 500 || !http.Request.Path.StartsWithSegments(apiPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return Task.CompletedTask;
            }

            var detail = status switch
            {
                StatusCodes.Status400BadRequest => ParameterNotBound(http) ?? "A parameter or the body is not what this endpoint takes; see the API's OpenAPI document.",
                StatusCodes.Status404NotFound when http.GetEndpoint() is null => constrained.NotMet(http) ?? $"No {http.Request.Method} {http.Request.Path} in this API.",
                StatusCodes.Status405MethodNotAllowed => http.Response.Headers.Allow is { Count: > 0 } allow
                    ? $"{http.Request.Path} does not take {http.Request.Method}; it takes {string.Join(", ", allow.ToArray())}."
                    : $"{http.Request.Path} does not take {http.Request.Method}.",
                _ => null,
            };
            return write(http, status, Code(status), detail);
        });
    }

    /// <summary>
    /// The last part of the catalogue key that titles the answer to <paramref name="status"/>: <c>not_found</c> for 404,
    /// <c>method_not_allowed</c> for 405, <c>bad_request</c> for every other 4xx (each server's catalogue has the three).
    /// </summary>
    public static string TitleKey(int status) => status switch
    {
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        _ => "bad_request",
    };

    /// <summary>The status's reason phrase as a code: 400 <c>bad_request</c>, 404 <c>not_found</c>, 405 <c>method_not_allowed</c>.</summary>
    public static string Code(int status) =>
        ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase
            ? phrase.ToLowerInvariant().Replace(' ', '_').Replace('-', '_')
            : "client_error";

    // The endpoint's first query, route or header parameter whose value does not parse as its type.
    private static string? ParameterNotBound(HttpContext http)
    {
        foreach (var parameter in http.GetEndpoint()?.Metadata.GetOrderedMetadata<IParameterBindingMetadata>() ?? [])
        {
            if (!parameter.HasTryParse || parameter.HasBindAsync)
            {
                continue;
            }

            var attributes = parameter.ParameterInfo.GetCustomAttributes(false);
            var name = attributes.OfType<IFromQueryMetadata>().FirstOrDefault()?.Name ?? attributes.OfType<IFromRouteMetadata>().FirstOrDefault()?.Name
                ?? attributes.OfType<IFromHeaderMetadata>().FirstOrDefault()?.Name ?? parameter.Name;
            var values = http.Request.RouteValues.TryGetValue(name, out var route) && route is not null ? new StringValues(Convert.ToString(route, CultureInfo.InvariantCulture))
                : http.Request.Query.TryGetValue(name, out var query) ? query
                : attributes.OfType<IFromHeaderMetadata>().Any() && http.Request.Headers.TryGetValue(name, out var header) ? header
                : default;
            var type = parameter.ParameterInfo.ParameterType;
            var element = type.IsArray ? type.GetElementType()! : type;
            foreach (var value in values)
            {
                if (value is { Length: > 0 } && Parses(Nullable.GetUnderlyingType(element) ?? element, value) == false)
                {
                    return $"Failed to bind parameter \"{TypeName(type)} {parameter.Name}\" from \"{value}\".";
                }
            }
        }

        return null;
    }

    // As the generated binding parses (invariant culture); null for a type this does not know.
    private static bool? Parses(Type type, string value)
    {
        var c = CultureInfo.InvariantCulture;
        return type.IsEnum ? null : Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => bool.TryParse(value, out _),
            TypeCode.Byte => byte.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.SByte => sbyte.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.Int16 => short.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.UInt16 => ushort.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.Int32 => int.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.UInt32 => uint.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.Int64 => long.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.UInt64 => ulong.TryParse(value, NumberStyles.Integer, c, out _),
            TypeCode.Single => float.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, c, out _),
            TypeCode.Double => double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, c, out _),
            TypeCode.Decimal => decimal.TryParse(value, NumberStyles.Number, c, out _),
            TypeCode.DateTime => DateTime.TryParse(value, c, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces, out _),
            _ when type == typeof(DateOnly) => DateOnly.TryParse(value, c, out _),
            _ when type == typeof(TimeOnly) => TimeOnly.TryParse(value, c, out _),
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, c, DateTimeStyles.AllowWhiteSpaces, out _),
            _ when type == typeof(TimeSpan) => TimeSpan.TryParse(value, c, out _),
            _ when type == typeof(Guid) => Guid.TryParse(value, out _),
            _ => null,
        };
    }

    private static string TypeName(Type type) =>
        Nullable.GetUnderlyingType(type) is { } inner ? TypeName(inner) + "?"
        : type.IsArray ? TypeName(type.GetElementType()!) + "[]"
        : type.IsEnum ? type.Name : Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "bool",
            TypeCode.Int32 => "int",
            TypeCode.Int64 => "long",
            TypeCode.Decimal => "decimal",
            TypeCode.Double => "double",
            TypeCode.String => "string",
            _ => type.Name,
        };
}
