using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace KioskPos.Tests.Shared;

/// <summary>
/// The checks both servers' OpenAPI tests make of one operation of the document against the endpoint the running
/// app mapped: its declared responses and JSON body are described, their types come from a source-generated JSON
/// context, and every schema reference resolves.
/// </summary>
internal static class OpenApiDocumentChecks
{
    /// <summary>
    /// Reads <c>/openapi/v1.json</c> through <paramref name="http"/> (no sign-in) and walks every endpoint the app behind
    /// <paramref name="services"/> maps: one excluded from description is only named in <c>Excluded</c>; any other must be
    /// in the document with a tag, a summary, its responses and its JSON body (<paramref name="also"/> checks more of an
    /// operation, given its path and tags). Answers the excluded endpoints and the operation ids, for the caller's lists.
    /// </summary>
    public static async Task<(HashSet<string> Excluded, List<string> OperationIds)> CheckEveryEndpointAsync(
        HttpClient http, IServiceProvider services, Func<Type, bool> isSourceGenerated, Action<string, JsonElement>? also = null)
    {
        using var response = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var excluded = new HashSet<string>();
        var operationIds = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = DocumentPath(endpoint.RoutePattern);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var name = $"{method} {path}";
                if (endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true })
                {
                    excluded.Add(name);
                    continue;
                }

                Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method.ToLowerInvariant(), out _), $"{name} is mapped but not in the document");
                var operation = item.GetProperty(method.ToLowerInvariant());
                Assert.True(operation.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0, $"{name} has no tag");
                Assert.True(operation.TryGetProperty("summary", out _), $"{name} has no summary");
                also?.Invoke(path, tags);
                operationIds.Add(operation.GetProperty("operationId").GetString()!);
                CheckResponses(name, endpoint, operation, schemas, isSourceGenerated);
                CheckRequestBody(name, endpoint, operation, schemas, isSourceGenerated);
            }
        }

        return (excluded, operationIds);
    }

    // Every declared response is there; a typed JSON one has a schema that resolves.
    public static void CheckResponses(string name, RouteEndpoint endpoint, JsonElement operation, JsonElement schemas, Func<Type, bool> isSourceGenerated)
    {
        var declared = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>();
        Assert.True(declared.Count > 0, $"{name} declares no response");
        var responses = operation.GetProperty("responses");
        foreach (var produces in declared)
        {
            var status = produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(responses.TryGetProperty(status, out var response), $"{name}: no {status} in the document");
            if (produces.Type is null || produces.Type == typeof(void))
            {
                continue;
            }

            foreach (var contentType in produces.ContentTypes)
            {
                AssertSourceGenerated(name, produces.Type, contentType, isSourceGenerated);
                JsonElement content = default, media = default, schema = default;
                Assert.True(response.TryGetProperty("content", out content) && content.TryGetProperty(contentType, out media) && media.TryGetProperty("schema", out schema),
                    $"{name}: the {status} {contentType} answer has no schema");
                AssertResolves(name, schema, schemas);
            }
        }
    }

    // A JSON body the handler reads (declared with AcceptsJson or Accepts) is described with its schema.
    public static void CheckRequestBody(string name, RouteEndpoint endpoint, JsonElement operation, JsonElement schemas, Func<Type, bool> isSourceGenerated)
    {
        if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not { RequestType: { } } accepts)
        {
            return;
        }

        var contentType = accepts.ContentTypes.Count > 0 ? accepts.ContentTypes[0] : "application/json";
        AssertSourceGenerated(name, accepts.RequestType, contentType, isSourceGenerated);
        JsonElement body = default, media = default, schema = default;
        Assert.True(operation.TryGetProperty("requestBody", out body) && body.GetProperty("content").TryGetProperty(contentType, out media) && media.TryGetProperty("schema", out schema),
            $"{name}: its {contentType} body has no schema");
        AssertResolves(name, schema, schemas);
    }

    // JSON goes through the source-generated contexts (as the handlers write and read it), never reflection.
    private static void AssertSourceGenerated(string name, Type type, string contentType, Func<Type, bool> isSourceGenerated)
    {
        if (contentType.EndsWith("json", StringComparison.Ordinal))
        {
            Assert.True(isSourceGenerated(type), $"{name}: {type.Name} is in none of the server's source-generated JSON contexts");
        }
    }

    private static void AssertResolves(string name, JsonElement schema, JsonElement schemas)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var id = reference.GetString()!["#/components/schemas/".Length..];
            Assert.True(schemas.TryGetProperty(id, out _), $"{name}: {id} is not among the document's schemas");
        }
    }

    // A route as the document writes it: /api/v1/print-jobs/{id:long} is /api/v1/print-jobs/{id}.
    public static string DocumentPath(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => throw new InvalidOperationException($"unexpected route part {part}"),
        }))));
}
