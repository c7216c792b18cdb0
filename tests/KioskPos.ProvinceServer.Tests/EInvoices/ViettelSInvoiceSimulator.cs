using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// A local Viettel S-Invoice v2 speaking its web services as Viettel's integration guide (v2.44) documents them, and
/// as Odoo's <c>l10n_vn_edi_viettel</c> and HIS's <c>ElectronicBillViettel</c> call them, nothing more:
/// <list type="bullet">
/// <item><c>POST /auth/login</c> (at the host's root), JSON <c>{username, password}</c>: <c>{access_token, token_type,
/// expires_in, …}</c>; a wrong user or password is 401 <c>{error, error_description}</c>.</item>
/// <item>Every v2 call needs that token as the cookie <c>access_token</c>. HTTP Basic is refused (401), as for an
/// account that has not allowed the caller's IP address on Viettel's portal (guide 5.5 "Cách 1"), and so is a call
/// without a token. A token past its lifetime, or made stale by <see cref="ExpireTokens"/>, is answered as the guide's
/// error list says (section 8, line 8): HTTP 500 <c>{"error": "Internal Server Error", "message": "GENERAL"}</c>, or
/// 401 <c>invalid_token</c> with <see cref="ExpiredAs401"/>.</item>
/// <item><c>POST …/InvoiceAPI/InvoiceWS/createInvoice/{supplierTaxCode}</c> (JSON): <c>{errorCode, description,
/// result: {supplierTaxCode, invoiceNo, transactionID, reservationCode}}</c>; a transactionUuid already used answers
/// the invoice it made (guide 6.2), never a second one. Business refusals as errorCode and description with HTTP 400:
/// <c>TEMPLATE_NOT_FOUND</c> for a template or series the seller has not registered, a buyerTaxCode without the
/// buyerLegalName the guide requires with it (6.4), a buyerTaxCode over 20 characters or a buyerAddressLine over 255
/// (the lengths HIS's model of the guide gives).</item>
/// <item><c>POST …/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid</c> (form supplierTaxCode, transactionUuid):
/// <c>result: [{invoiceNo, reservationCode, issueDate, status}]</c>, issueDate the invoiceIssuedDate sent, or errorCode
/// <c>NOT_FOUND_DATA</c>.</item>
/// </list>
/// <see cref="OnCreate"/> and <see cref="OnSearch"/> let a test answer a call itself (after the token is checked), for
/// the answers of other shapes a real provider may give.
/// </summary>
internal sealed class ViettelSInvoiceSimulator : IAsyncDisposable
{
    public const string User = "0301234567";
    public const string Password = "viettel-api-password-1";
    public const string Template = "1/001";
    public const string Series = "C26TNC";
    public const string ApiPath = "/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private int _number;

    private ViettelSInvoiceSimulator(WebApplication app) => _app = app;

    /// <summary>Invoices by transactionUuid: the whole request body as received.</summary>
    public ConcurrentDictionary<string, (string InvoiceNo, string Reservation, JsonObject Body)> Invoices { get; } = new(StringComparer.Ordinal);

    /// <summary>createInvoice calls received (any outcome, once past the token).</summary>
    public int CreateCalls;

    /// <summary>searchInvoiceByTransactionUuid calls received (any outcome, once past the token).</summary>
    public int SearchCalls;

    /// <summary>Logins answered with a token.</summary>
    public int Logins;

    /// <summary>Calls refused for their token or their Basic authentication.</summary>
    public int Unauthorised;

    /// <summary>Answers 500 to everything, the login too (the provider down).</summary>
    public volatile bool Down;

    /// <summary>Creates the next invoice but answers 504 (the answer lost on the way back).</summary>
    public volatile bool LoseNextAnswer;

    /// <summary>Answer an expired token with 401 <c>invalid_token</c> rather than the guide's 500 "GENERAL".</summary>
    public volatile bool ExpiredAs401;

    /// <summary>The lifetime a login's token gets and states as <c>expires_in</c> (Odoo: about 5 minutes).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A test's own answer to createInvoice (null: the simulator's).</summary>
    public Func<HttpContext, IResult?>? OnCreate { get; set; }

    /// <summary>A test's own answer to searchInvoiceByTransactionUuid (null: the simulator's).</summary>
    public Func<HttpContext, IResult?>? OnSearch { get; set; }

    public Uri BaseUrl => new(_app.Urls.First());

    public static async Task<ViettelSInvoiceSimulator> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new ViettelSInvoiceSimulator(app);
        app.MapPost("/auth/login", new Func<HttpContext, Task<IResult>>(simulator.LoginAsync));
        app.MapPost(ApiPath + "/createInvoice/{supplierTaxCode}", simulator.CreateAsync);
        app.MapPost(ApiPath + "/searchInvoiceByTransactionUuid", new Func<HttpContext, Task<IResult>>(simulator.SearchAsync));
        await app.StartAsync();
        return simulator;
    }

    /// <summary>Makes every token handed out so far stale, as Viettel's own expiry does.</summary>
    public void ExpireTokens() => _tokens.Clear();

    private async Task<IResult> LoginAsync(HttpContext http)
    {
        if (Down)
        {
            return Results.Json(new JsonObject { ["message"] = "GENERAL" }, statusCode: 500);
        }

        var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject;
        if ((string?)body?["username"] != User || (string?)body?["password"] != Password)
        {
            return Results.Json(new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Bad credentials" }, statusCode: 401);
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = DateTimeOffset.UtcNow + TokenLifetime;
        Interlocked.Increment(ref Logins);
        return Results.Json(new JsonObject
        {
            ["access_token"] = token, ["token_type"] = "bearer", ["refresh_token"] = "r" + token, ["expires_in"] = (long)TokenLifetime.TotalSeconds,
            ["scope"] = "openid", ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["invoice_cluster"] = "cluster10", ["type"] = 1, ["jti"] = Guid.NewGuid().ToString(),
        });
    }

    private async Task<IResult> CreateAsync(string supplierTaxCode, HttpContext http)
    {
        if (Refusal(http) is { } refused)
        {
            return refused;
        }

        Interlocked.Increment(ref CreateCalls);
        if (OnCreate?.Invoke(http) is { } scripted)
        {
            return scripted;
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

        if ((string?)body["buyerInfo"]?["buyerTaxCode"] is { Length: > 0 } && (string?)body["buyerInfo"]?["buyerLegalName"] is not { Length: > 0 })
        {
            return Error(400, "BUYER_LEGAL_NAME_REQUIRED", "Tên đơn vị là bắt buộc khi có mã số thuế người mua.");
        }

        // buyerTaxCode is a Vietnamese or a foreign tax code of at most 20 characters (HIS's model of the guide), so a
        // person's 12-digit number passes; buyerAddressLine is at most 255.
        if ((string?)body["buyerInfo"]?["buyerTaxCode"] is { Length: > 20 } || (string?)body["buyerInfo"]?["buyerAddressLine"] is { Length: > 255 })
        {
            return Error(400, "BUYER_INFO_INVALID", "Thông tin người mua vượt quá độ dài cho phép.");
        }

        if ((string?)general["adjustmentType"] == "5" && !Invoices.Values.Any(i => i.InvoiceNo == (string?)general["originalInvoiceId"]))
        {
            return Error(400, "ORIGINAL_INVOICE_NOT_FOUND", "Không tìm thấy hóa đơn gốc.");
        }

        if (uuid is null)
        {
            return Error(400, "TRANSACTION_UUID_INVALID", "transactionUuid không hợp lệ.");
        }

        lock (Invoices)
        {
            if (!Invoices.ContainsKey(uuid))
            {
                var number = Interlocked.Increment(ref _number);
                Invoices[uuid] = (Series + number.ToString("D7"), "RSV" + number.ToString("D5"), body);
            }
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

        Interlocked.Increment(ref SearchCalls);
        if (OnSearch?.Invoke(http) is { } scripted)
        {
            return scripted;
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
                ["issueDate"] = (long?)invoice.Body["generalInvoiceInfo"]?["invoiceIssuedDate"] ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                ["status"] = (string?)invoice.Body["generalInvoiceInfo"]?["adjustmentType"] == "5" ? "Hóa đơn điều chỉnh tiền" : "Hóa đơn gốc",
            }),
        });
    }

    private IResult? Refusal(HttpContext http)
    {
        if (Down)
        {
            return Results.Json(new JsonObject { ["message"] = "GENERAL" }, statusCode: 500);
        }

        if (http.Request.Headers.Authorization.Count > 0 || !http.Request.Cookies.TryGetValue("access_token", out var token) || string.IsNullOrEmpty(token))
        {
            Interlocked.Increment(ref Unauthorised);
            return Results.Json(new JsonObject { ["error"] = "unauthorized", ["error_description"] = "Full authentication is required to access this resource" }, statusCode: 401);
        }

        if (_tokens.TryGetValue(token, out var until) && until > DateTimeOffset.UtcNow)
        {
            return null;
        }

        Interlocked.Increment(ref Unauthorised);
        return ExpiredAs401
            ? Results.Json(new JsonObject { ["error"] = "invalid_token", ["error_description"] = "Access token expired: " + token[..8] }, statusCode: 401)
            : Results.Json(new JsonObject { ["error"] = "Internal Server Error", ["message"] = "GENERAL" }, statusCode: 500);
    }

    private static IResult Error(int status, string code, string description) =>
        Results.Json(new JsonObject { ["errorCode"] = code, ["description"] = description, ["result"] = null }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
