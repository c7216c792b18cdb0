using System.Net;
using System.Text.Json;
using KioskPos.ProvinceServer;
using KioskPos.Shared.Contracts;
using KioskPos.Tests.Shared;
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
        "GET /r/{receipt}", "GET /p/{payment}", "GET /bank-sim", "POST /bank-sim/send", "GET /health", "GET /openapi/{documentName}.json",
        "GET /r", "GET /e-documents", // pages: the receipt lookup form, the office's e-documents of a day
        "GET /s/{account}/{month}", // the page of a card's month statement (the statement slip's QR)
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
            var path = OpenApiDocumentChecks.DocumentPath(endpoint.RoutePattern);
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
                OpenApiDocumentChecks.CheckResponses(name, endpoint, operation, schemas, IsSourceGenerated);
                OpenApiDocumentChecks.CheckRequestBody(name, endpoint, operation, schemas, IsSourceGenerated);
            }
        }

        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
        Assert.True(operationIds.Count >= 40, $"only {operationIds.Count} operations");
        Assert.Equal(s_undocumented.Order(StringComparer.Ordinal), excluded.Order(StringComparer.Ordinal)); // no API endpoint left out by mistake
    }

    private static bool IsSourceGenerated(Type type) =>
        ProvinceJsonContext.Default.GetTypeInfo(type) is not null || ContractsJsonContext.Default.GetTypeInfo(type) is not null
        || KioskPos.ProvinceServer.EInvoices.EDocumentJsonContext.Default.GetTypeInfo(type) is not null;
}
