using System.Net;
using System.Text.Json;
using KioskPos.ProvinceServer;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The province server describes its API in the OpenAPI document it generates (<c>/openapi/v1.json</c>, no sign-in):
/// every endpoint the running app maps is there, with its tag, its JSON request body and its response types,
/// except the pages and forms, the health check and the document itself, which say so in their metadata.
/// </summary>
public sealed class ProvinceOpenApiTests
{
    // Pages (HTML), the forms they post (answered by redirects), the health check, the document itself.
    private static readonly HashSet<string> s_undocumented =
    [
        "GET /", "GET /login", "POST /login", "POST /logout", "GET /report", "GET /reconciliation", "POST /reconciliation/resolve",
        "GET /r/{receipt}", "GET /bank-sim", "POST /bank-sim/send", "GET /health", "GET /openapi/{documentName}.json",
    ];

    [Fact]
    public async Task Every_mapped_endpoint_is_in_the_document_with_its_types()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var anyone = new HttpClient { BaseAddress = province.BaseUrl };
        using var response = await anyone.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var endpoints = province.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
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
                operationIds.Add(operation.GetProperty("operationId").GetString()!);
                CheckResponses(name, endpoint, operation, schemas);
                CheckRequestBody(name, endpoint, operation, schemas);
            }
        }

        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
        Assert.True(operationIds.Count >= 40, $"only {operationIds.Count} operations");
        Assert.Equal(s_undocumented.Order(StringComparer.Ordinal), excluded.Order(StringComparer.Ordinal)); // no API endpoint left out by mistake
    }

    // Every declared response is there; a typed JSON one has a schema that resolves.
    private static void CheckResponses(string name, RouteEndpoint endpoint, JsonElement operation, JsonElement schemas)
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
                AssertSourceGenerated(name, produces.Type, contentType);
                JsonElement content = default, media = default, schema = default;
                Assert.True(response.TryGetProperty("content", out content) && content.TryGetProperty(contentType, out media) && media.TryGetProperty("schema", out schema),
                    $"{name}: the {status} {contentType} answer has no schema");
                AssertResolves(name, schema, schemas);
            }
        }
    }

    // A JSON body the handler reads (declared with AcceptsJson or Accepts) is described with its schema.
    private static void CheckRequestBody(string name, RouteEndpoint endpoint, JsonElement operation, JsonElement schemas)
    {
        if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not { RequestType: { } } accepts)
        {
            return;
        }

        var contentType = accepts.ContentTypes.Count > 0 ? accepts.ContentTypes[0] : "application/json";
        AssertSourceGenerated(name, accepts.RequestType, contentType);
        JsonElement body = default, media = default, schema = default;
        Assert.True(operation.TryGetProperty("requestBody", out body) && body.GetProperty("content").TryGetProperty(contentType, out media) && media.TryGetProperty("schema", out schema),
            $"{name}: its {contentType} body has no schema");
        AssertResolves(name, schema, schemas);
    }

    // JSON goes through the source-generated contexts (as the handlers write and read it), never reflection.
    private static void AssertSourceGenerated(string name, Type type, string contentType)
    {
        if (contentType.EndsWith("json", StringComparison.Ordinal))
        {
            Assert.True(ProvinceJsonContext.Default.GetTypeInfo(type) is not null || ContractsJsonContext.Default.GetTypeInfo(type) is not null,
                $"{name}: {type.Name} is in neither ProvinceJsonContext nor ContractsJsonContext");
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

    // /api/v1/admin/bank/deliveries/{id:long}/replay as the document writes it: /api/v1/admin/bank/deliveries/{id}/replay.
    private static string DocumentPath(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => throw new InvalidOperationException($"unexpected route part {part}"),
        }))));
}
