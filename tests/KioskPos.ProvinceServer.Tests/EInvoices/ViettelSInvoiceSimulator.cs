using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// A local Viettel S-Invoice speaking its web services as documented (Viettel's integration guide for InvoiceAPI,
/// v2; the operations and fields the adapter's comment lists), nothing more:
/// <c>POST …/InvoiceAPI/InvoiceWS/createInvoice/{supplierTaxCode}</c> (JSON; HTTP Basic; answers
/// <c>{errorCode, description, result: {supplierTaxCode, invoiceNo, transactionID, reservationCode}}</c>) and
/// <c>POST …/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid</c> (form supplierTaxCode, transactionUuid; answers
/// <c>result: [{invoiceNo, reservationCode, issueDate, status}]</c> or errorCode <c>NOT_FOUND_DATA</c>). Errors as
/// documented: 401 for a wrong user or password, <c>TRANSACTION_UUID_INVALID</c> for a transactionUuid already used
/// (no second invoice), a business refusal as errorCode and description with HTTP 400 (the simulator's
/// <c>TEMPLATE_NOT_FOUND</c> for a template the seller has not registered), HTTP 500 while "down".
/// </summary>
internal sealed class ViettelSInvoiceSimulator : IAsyncDisposable
{
    public const string User = "0301234567";
    public const string Password = "viettel-api-password-1";
    public const string Template = "1/001";
    public const string Series = "C26TNC";

    private readonly WebApplication _app;
    private int _number;

    private ViettelSInvoiceSimulator(WebApplication app) => _app = app;

    /// <summary>Invoices by transactionUuid: the whole request body as received.</summary>
    public ConcurrentDictionary<string, (string InvoiceNo, string Reservation, JsonObject Body)> Invoices { get; } = new(StringComparer.Ordinal);

    /// <summary>createInvoice calls received (any outcome).</summary>
    public int CreateCalls;

    /// <summary>Answers 500 to everything (the provider down).</summary>
    public volatile bool Down;

    /// <summary>Creates the next invoice but answers 504 (the answer lost on the way back).</summary>
    public volatile bool LoseNextAnswer;

    public Uri BaseUrl => new(_app.Urls.First());

    public static async Task<ViettelSInvoiceSimulator> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new ViettelSInvoiceSimulator(app);
        const string api = "/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS";
        app.MapPost(api + "/createInvoice/{supplierTaxCode}", simulator.CreateAsync);
        app.MapPost(api + "/searchInvoiceByTransactionUuid", new Func<HttpContext, Task<IResult>>(simulator.SearchAsync));
        await app.StartAsync();
        return simulator;
    }

    private async Task<IResult> CreateAsync(string supplierTaxCode, HttpContext http)
    {
        Interlocked.Increment(ref CreateCalls);
        if (Refusal(http) is { } refused)
        {
            return refused;
        }

        var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync())!.AsObject();
        var general = body["generalInvoiceInfo"]!;
        var uuid = (string?)general["transactionUuid"];
        if (supplierTaxCode != (string?)body["sellerInfo"]?["sellerTaxCode"])
        {
            return Error(400, "SUPPLIER_TAX_CODE_INVALID", "Mã số thuế người bán không khớp.");
        }

        if ((string?)general["templateCode"] != Template || (string?)general["invoiceSeries"] != Series)
        {
            return Error(400, "TEMPLATE_NOT_FOUND", "Mẫu hóa đơn hoặc ký hiệu không tồn tại.");
        }

        if ((string?)general["adjustmentType"] == "5" && !Invoices.Values.Any(i => i.InvoiceNo == (string?)general["originalInvoiceId"]))
        {
            return Error(400, "ORIGINAL_INVOICE_NOT_FOUND", "Không tìm thấy hóa đơn gốc.");
        }

        lock (Invoices)
        {
            if (uuid is null || Invoices.ContainsKey(uuid))
            {
                return Error(400, "TRANSACTION_UUID_INVALID", "transactionUuid đã được sử dụng.");
            }

            var number = Interlocked.Increment(ref _number);
            Invoices[uuid] = (Series + number.ToString("D7"), "RSV" + number.ToString("D5"), body);
        }

        var (invoiceNo, reservation, _) = Invoices[uuid];
        if (LoseNextAnswer)
        {
            LoseNextAnswer = false;
            return Results.StatusCode(504);
        }

        return Results.Json(new JsonObject
        {
            ["errorCode"] = null,
            ["description"] = null,
            ["result"] = new JsonObject { ["supplierTaxCode"] = supplierTaxCode, ["invoiceNo"] = invoiceNo, ["transactionID"] = "TX" + invoiceNo, ["reservationCode"] = reservation },
        });
    }

    private async Task<IResult> SearchAsync(HttpContext http)
    {
        if (Refusal(http) is { } refused)
        {
            return refused;
        }

        var form = await http.Request.ReadFormAsync();
        if (form["supplierTaxCode"] != User || !Invoices.TryGetValue(form["transactionUuid"].ToString(), out var invoice))
        {
            return Results.Json(new JsonObject { ["errorCode"] = "NOT_FOUND_DATA", ["description"] = "Không tìm thấy dữ liệu.", ["result"] = null });
        }

        return Results.Json(new JsonObject
        {
            ["transactionUuid"] = form["transactionUuid"].ToString(),
            ["errorCode"] = null,
            ["description"] = null,
            ["result"] = new JsonArray(new JsonObject
            {
                ["supplierTaxCode"] = User, ["invoiceNo"] = invoice.InvoiceNo, ["reservationCode"] = invoice.Reservation,
                ["issueDate"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ["status"] = "Đã phát hành",
            }),
        });
    }

    private IResult? Refusal(HttpContext http)
    {
        if (Down)
        {
            return Results.Json(new JsonObject { ["message"] = "GENERAL" }, statusCode: 500);
        }

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        return AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization, out var auth) && auth.ToString() == expected
            ? null
            : Results.StatusCode(401);
    }

    private static IResult Error(int status, string code, string description) =>
        Results.Json(new JsonObject { ["errorCode"] = code, ["description"] = description, ["result"] = null }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
