using System.Net;
using System.Text;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// Issue 18's malformed-input attack on the province server: every operation of its OpenAPI document that reads a
/// JSON body gets the generated malformed bodies (<see cref="MalformedBodies"/>) with the credentials it asks for (the
/// administrator's token, a terminal's signature, the bank's HMAC), and never answers 500.
/// </summary>
public sealed class ProvinceInputAttackTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("send every province operation with a JSON body malformed bodies (not JSON, null, [], each property null / wrong type / 10^15 / 10,000 chars, arrays of null), with its credentials",
        "never 500: each refused with a 4xx problem that names no .NET type")]
    public async Task Malformed_bodies_on_every_operation_of_the_document_never_answer_500()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var signed = await province.SignedClientAsync();
        using var anonymous = new HttpClient { BaseAddress = province.BaseUrl };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));

        var (failures, requests) = await MalformedBodies.SweepAsync(document, (operation, body) =>
        {
            var path = operation.Path
                .Replace("/terminals/{id}", "/terminals/KP-THCS-ND-01", StringComparison.Ordinal)
                .Replace("{id}", "TG-THCS-NGUYENDU", StringComparison.Ordinal)
                .Replace("{code}", "HS240001", StringComparison.Ordinal)
                .Replace("{username}", "sweep.user", StringComparison.Ordinal)
                .Replace("{item}", "transfer:1", StringComparison.Ordinal);
            if (path == SyncProtocol.BankNotificationsPath)
            {
                var request = BankSignature.CreateRequest(new Uri(province.BaseUrl, path), ProvinceHost.BankConnection, ProvinceHost.BankSecret, Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow);
                return anonymous.SendAsync(request);
            }

            var client = path.StartsWith("/api/v1/sync/", StringComparison.Ordinal) ? signed
                : path.StartsWith("/api/v1/admin/", StringComparison.Ordinal) || path.StartsWith("/api/v1/reconciliation/", StringComparison.Ordinal) ? province.Admin
                : anonymous;
            return client.SendAsync(MalformedBodies.Request(operation.Method, path, body));
        });

        AttackReport.Measured(this, $"{requests} malformed requests, {failures.Count} answered wrongly");
        Assert.True(requests > 300, $"only {requests} requests: the document lists too few JSON bodies");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(40)));
    }
}
