using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Issue 18's input attacks on the terminal: an idempotency key reused with another body, bodies that are not what
/// the endpoint reads (every operation of the OpenAPI document, generated), amounts beyond any real fee, and what an
/// unauthenticated screen (status, the kiosk's events, the customer display) gives away about cards and payments.
/// </summary>
public sealed class InputAttackTests
{
    private const string Card = "04A1B2C3";
    private const string Bill = "HP-2611-HS240001";
    private const string OtherBill = "BT-2611-HS240001";

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("reuse a payment's idempotency key with another body (another bill)", "409 idempotency_key_reused; the same key with the same body still answers the first payment")]
    public async Task An_idempotency_key_reused_with_another_body_is_409_and_takes_nothing()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        using var first = await PayWithKeyAsync(terminal, "screen-1", Bill);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var paid = await first.Content.ReadFromJsonAsync<JsonElement>();

        await terminal.TapAsync(Card);
        using var other = await PayWithKeyAsync(terminal, "screen-1", OtherBill);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        var problem = await ProblemAsync(other);
        Assert.Equal("idempotency_key_reused", problem.Code);
        Assert.DoesNotContain(paid.GetProperty("id").GetString()!, await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The same key and body again: the first answer, as before.
        using var again = await PayWithKeyAsync(terminal, "screen-1", Bill);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replay = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(paid.GetProperty("id").GetString(), replay.GetProperty("id").GetString());

        // The key in the body (clientRequestId) is held to the same rule.
        await terminal.TapAsync(Card);
        using var inBody = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = "screen-1", cardUid = Card, bills = new[] { new { billId = OtherBill, amount = 1000 } } });
        Assert.Equal(HttpStatusCode.Conflict, inBody.StatusCode);
        Assert.Single((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("POST /api/v1/payments with {\"bills\":[null]}", "400 problem naming bills, no 500")]
    public async Task A_null_bill_is_400_naming_bills()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        foreach (var body in new[] { "{\"bills\":[null]}", $"{{\"cardUid\":\"{Card}\",\"bills\":[null]}}", $"{{\"cardUid\":\"{Card}\",\"bills\":[{{\"billId\":\"{Bill}\"}},null]}}" })
        {
            using var response = await terminal.Http.PostAsync("/api/v1/payments", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await ProblemAsync(response);
            Assert.Contains("bills", problem.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("pay a bill with an amount of 10^13 đồng (and 10^15, long.MaxValue)", "400 problem naming amount; nothing reaches the database")]
    public async Task An_amount_beyond_the_bound_is_400_naming_amount()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        foreach (var amount in new[] { 10_000_000_000_000L, 1_000_000_000_000_000L, long.MaxValue })
        {
            foreach (var method in new[] { "card_balance", "vietqr" })
            {
                using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method, bills = new[] { new { billId = Bill, amount } } });
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                var problem = await ProblemAsync(response);
                Assert.Contains("amount", problem.Detail, StringComparison.Ordinal);
            }
        }

        Assert.Empty((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("send every terminal operation with a JSON body malformed bodies (not JSON, null, [], each property null / wrong type / 10^15 / 10,000 chars, arrays of null), signed in", "never 500: each refused with a 4xx problem")]
    public async Task Malformed_bodies_on_every_operation_of_the_document_never_answer_500()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        using var paid = await terminal.PayAsync(Card, Bill);
        var paymentId = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var supervisor = await terminal.StaffAsync(StaffRole.Supervisor);
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        using var document = JsonDocument.Parse(await terminal.Http.GetStringAsync("/openapi/v1.json"));

        var (failures, requests) = await MalformedBodies.SweepAsync(document, async (operation, body) =>
        {
            var path = operation.Path.Replace("{id}", Uri.EscapeDataString(paymentId), StringComparison.Ordinal).Replace("{code}", "HS240001", StringComparison.Ordinal);
            var response = await supervisor.SendAsync(MalformedBodies.Request(operation.Method, path, body));
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                response = await technician.SendAsync(MalformedBodies.Request(operation.Method, path, body));
            }

            return response;
        }, operation => operation.Path switch
        {
            // Plausible bodies, so that each property under attack is read past the first refusal.
            "/api/v1/payments" => JsonNode.Parse($$"""{"payerCode":"HS240001","method":"vietqr","bills":[{"billId":"{{Bill}}","amount":1000}],"cardUid":null,"operator":null,"approvalCode":null,"cardLast4":null,"pin":null}""")!.AsObject(),
            "/api/v1/payments/{id}/refund" => JsonNode.Parse("""{"amount":1000,"destination":"card_balance","bankReference":null,"reason":"test","supervisorId":"gs01","supervisorPin":"97531"}""")!.AsObject(),
            "/api/v1/payments/{id}/void" => JsonNode.Parse("""{"reason":"test","supervisorId":"gs01","supervisorPin":"97531"}""")!.AsObject(),
            "/dev/card-taps" => JsonNode.Parse("""{"uid":"04A1B2C3"}""")!.AsObject(),
            _ => null,
        });

        AttackReport.Measured(this, $"{requests} malformed requests, {failures.Count} answered wrongly");
        Assert.True(requests > 200, $"only {requests} requests: the document lists too few JSON bodies");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(40)));
    }

    private static Task<HttpResponseMessage> PayWithKeyAsync(TerminalHost terminal, string key, string bill)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments")
        {
            Content = JsonContent.Create(new { cardUid = Card, bills = new[] { new { billId = bill } } }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return terminal.Http.SendAsync(request);
    }

    private static async Task<ProblemDto> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
    }
}
