using System.Net;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Terminal.Apis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal describes its API in the OpenAPI document it generates (<c>/openapi/v1.json</c>, no sign-in): every
/// endpoint the running app maps is there, with its tag, its JSON request body and its response types, except the
/// pages, the server-sent event streams, the emulator's receipt files, <c>/health</c>, <c>/metrics</c> and the
/// document itself, which say so in their metadata. The simulated hardware's <c>/dev</c> endpoints are there under
/// the <c>dev</c> tag (they are mapped only with simulated hardware, as in these tests).
/// </summary>
public sealed class TerminalOpenApiTests
{
    // Pages (HTML), the event streams (text/event-stream), the emulator's paper (PNG and text files), the health
    // check, the Prometheus metrics, the document itself.
    private static readonly HashSet<string> s_undocumented =
    [
        "GET /", "GET /kiosk", "GET /counter", "GET /display", "GET /tech",
        "GET /api/v1/kiosk/events", "GET /api/v1/display/events", "GET /receipts/{file}",
        "GET /health", "GET /metrics", "GET /openapi/{documentName}.json",
    ];

    [Fact]
    public async Task Every_mapped_endpoint_is_in_the_document_with_its_types()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        using var response = await terminal.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var endpoints = terminal.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var excluded = new HashSet<string>();
        var operationIds = new List<string>();
        var devOperations = 0;
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
                if (path.StartsWith("/dev/", StringComparison.Ordinal))
                {
                    Assert.Equal("dev", tags[0].GetString());
                    devOperations++;
                }

                operationIds.Add(operation.GetProperty("operationId").GetString()!);
                CheckResponses(name, endpoint, operation, schemas);
                CheckRequestBody(name, endpoint, operation, schemas);
            }
        }

        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
        Assert.True(operationIds.Count >= 30, $"only {operationIds.Count} operations");
        Assert.True(devOperations > 0, "the simulated hardware's /dev endpoints are not in the document");
        Assert.Equal(s_undocumented.Order(StringComparer.Ordinal), excluded.Order(StringComparer.Ordinal)); // no API endpoint left out by mistake
    }

    [Fact]
    public async Task Problems_are_described_with_their_statuses()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        using var document = JsonDocument.Parse(await terminal.Http.GetStringAsync("/openapi/v1.json"));
        var voidPayment = document.RootElement.GetProperty("paths").GetProperty("/api/v1/payments/{id}/void").GetProperty("post");
        Assert.Equal("Void", voidPayment.GetProperty("operationId").GetString());
        foreach (var status in new[] { "200", "400", "401", "403", "404", "422", "423" })
        {
            Assert.True(voidPayment.GetProperty("responses").TryGetProperty(status, out var answer), $"void has no {status}");
            if (status != "200")
            {
                Assert.True(answer.GetProperty("content").TryGetProperty(ApiProblems.ContentType, out _), $"void's {status} is not a problem");
            }
        }
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
            Assert.True(TerminalJsonContext.Default.GetTypeInfo(type) is not null || ContractsJsonContext.Default.GetTypeInfo(type) is not null,
                $"{name}: {type.Name} is in neither TerminalJsonContext nor ContractsJsonContext");
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

    // /api/v1/print-jobs/{id:long} as the document writes it: /api/v1/print-jobs/{id}.
    private static string DocumentPath(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => throw new InvalidOperationException($"unexpected route part {part}"),
        }))));
}
