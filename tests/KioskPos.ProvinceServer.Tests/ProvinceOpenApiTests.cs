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
        "GET /imports", // the page that uploads bills files and bank statements and settles held lines
        "GET /s/{account}/{month}", // the page of a card's month statement (the statement slip's QR)
    ];

    [Fact]
    public async Task Every_mapped_endpoint_is_in_the_document_with_its_types()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var anyone = new HttpClient { BaseAddress = province.BaseUrl };
        var (excluded, operationIds) = await OpenApiDocumentChecks.CheckEveryEndpointAsync(anyone, province.App.Services, IsSourceGenerated);

        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
        Assert.True(operationIds.Count >= 40, $"only {operationIds.Count} operations");
        Assert.Equal(s_undocumented.Order(StringComparer.Ordinal), excluded.Order(StringComparer.Ordinal)); // no API endpoint left out by mistake
    }

    [Fact]
    public async Task The_cross_origin_refusal_is_described_where_the_check_applies()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var anyone = new HttpClient { BaseAddress = province.BaseUrl };
        using var document = JsonDocument.Parse(await anyone.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        // A change a signed-in person's session can make: its 403 names the refusal, as a problem.
        foreach (var (path, method) in new[] { ("/api/v1/reconciliation/items/{item}/resolve", "post"), ("/api/v1/admin/users/{username}", "put") })
        {
            var forbidden = paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty("403");
            Assert.True(forbidden.GetProperty("description").GetString()!.Contains(KioskPos.Web.CrossOriginRequests.Code, StringComparison.Ordinal), $"{method} {path}: 403 is '{forbidden.GetProperty("description")}'");
            Assert.True(forbidden.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path}: 403 is not a problem");
        }

        // Reading is never refused as cross-origin.
        var read = paths.GetProperty("/api/v1/reconciliation").GetProperty("get").GetProperty("responses").GetProperty("403");
        Assert.DoesNotContain(KioskPos.Web.CrossOriginRequests.Code, read.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static bool IsSourceGenerated(Type type) =>
        ProvinceJsonContext.Default.GetTypeInfo(type) is not null || ContractsJsonContext.Default.GetTypeInfo(type) is not null
        || KioskPos.ProvinceServer.EInvoices.EDocumentJsonContext.Default.GetTypeInfo(type) is not null;
}
