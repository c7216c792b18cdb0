using System.Net;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Terminal.Apis;
using KioskPos.Tests.Shared;
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
        "GET /", "GET /kiosk", "GET /counter", "GET /display", "GET /tech", "GET /dev",
        "GET /api/v1/kiosk/events", "GET /api/v1/display/events", "GET /receipts/{file}",
        "GET /health", "GET /metrics", "GET /openapi/{documentName}.json",
    ];

    [Fact]
    public async Task Every_mapped_endpoint_is_in_the_document_with_its_types()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var devOperations = 0;
        var (excluded, operationIds) = await OpenApiDocumentChecks.CheckEveryEndpointAsync(terminal.Http, terminal.App.Services, IsSourceGenerated, (path, tags) =>
        {
            if (path.StartsWith("/dev/", StringComparison.Ordinal))
            {
                Assert.Equal("dev", tags[0].GetString());
                devOperations++;
            }
        });

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

    [Fact]
    public async Task The_cross_origin_refusal_is_described_on_sign_in_sign_out_and_a_sessions_changes()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        using var document = JsonDocument.Parse(await terminal.Http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/v1/sessions", "post"), ("/api/v1/sessions/current", "delete"), ("/api/v1/payments/{id}/void", "post"), ("/api/v1/shifts/current/close", "post") })
        {
            Assert.True(paths.GetProperty(path).GetProperty(method).GetProperty("responses").TryGetProperty("403", out var forbidden), $"{method} {path} has no 403");
            Assert.True(forbidden.GetProperty("description").GetString()!.Contains(KioskPos.Web.CrossOriginRequests.Code, StringComparison.Ordinal), $"{method} {path}: 403 is '{forbidden.GetProperty("description")}'");
            Assert.True(forbidden.GetProperty("content").TryGetProperty(ApiProblems.ContentType, out _), $"{method} {path}: 403 is not a problem");
        }

        // Reading is never refused as cross-origin: who is signed in keeps its role refusal only.
        var read = paths.GetProperty("/api/v1/sessions/current").GetProperty("get").GetProperty("responses").GetProperty("403");
        Assert.DoesNotContain(KioskPos.Web.CrossOriginRequests.Code, read.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static bool IsSourceGenerated(Type type) =>
        TerminalJsonContext.Default.GetTypeInfo(type) is not null || ContractsJsonContext.Default.GetTypeInfo(type) is not null;
}
