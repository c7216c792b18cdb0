using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Xunit;

namespace KioskPos.Tests.Shared;

/// <summary>
/// The checks both servers' OpenAPI tests make of one operation of the document against the endpoint the running
/// app mapped: its declared responses and JSON body are described, their types come from a source-generated JSON
/// context, and every schema reference resolves.
/// </summary>
internal static class OpenApiDocumentChecks
{
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
