using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// A local SePay e-invoice API v1 as its developer documentation describes it: <c>POST /v1/token</c> (Basic
/// client_id:client_secret, empty body → <c>{success, data: {access_token, token_type, expires_in: 86400}}</c>, 401),
/// <c>POST /v1/invoices/create</c> (Bearer; the documented required fields; reference_code unique; answers
/// <c>{success, data: {tracking_code, tracking_url, message}}</c>; 400 missing or invalid fields, 401 bad token, 500
/// signing/submitting failed), <c>GET /v1/invoices/create/check/{tracking_code}</c> (status Pending, Success with
/// <c>invoice</c>, or Failed with <c>message</c>; 404 unknown) and <c>GET /v1/invoices/{reference_code}</c> (the invoice;
/// 404; <c>status</c> draft, issued or cancelled, and the e-invoice provider's <c>provider_status</c>, 1 to 9). Errors are
/// <c>{success: false, error: {code, message}}</c>.
/// <para>
/// The buyer is kept as documented: <c>type</c> personal or company (another is a 400), <c>name</c> required, and only
/// the documented fields (legal_name, tax_code, address, email, phone, buyer_code, national_id); any other is not a
/// SePay field and is not kept, so a pupil code sent under another name is lost as it would be at SePay.
/// </para>
/// <para>
/// The create is asynchronous, as documented: SePay makes the invoice in a job that takes <see cref="JobTime"/> on
/// <see cref="Clock"/>. Until it is done the check answers Pending and <c>GET /v1/invoices/{reference_code}</c>
/// answers 404 "Invoice not found" (the reference_code is taken all the same: a second create is refused); after
/// it, the check answers Success with the invoice, which is found under its reference_code.
/// </para>
/// </summary>
internal sealed class SePayEInvoiceSimulator : IAsyncDisposable
{
    public const string ClientId = "sepay-client-1";
    public const string ClientSecret = "sepay-secret-0123456789";
    public const string AccountId = "0aea3134-da40-11f0-aef4-52c7e9b4f41b";
    public const string Template = "2";
    public const string Series = "C26TYY";

    private static readonly string[] s_required = ["template_code", "invoice_series", "issued_date", "currency", "provider_account_id", "buyer", "items"];
    private static readonly string[] s_buyerFields = ["type", "name", "legal_name", "tax_code", "address", "email", "phone", "buyer_code", "national_id"];
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tracking = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _doneAt = new(StringComparer.Ordinal);
    private int _number;

    private SePayEInvoiceSimulator(WebApplication app) => _app = app;

    /// <summary>Invoices by reference_code: the create body, and the number given.</summary>
    public ConcurrentDictionary<string, (string Number, JsonObject Body)> Invoices { get; } = new(StringComparer.Ordinal);

    public int CreateCalls;

    public volatile bool Down;

    public volatile bool LoseNextAnswer;

    /// <summary>The status every invoice is answered with: issued, or draft or cancelled (cancelled at SePay's portal, say).</summary>
    public string InvoiceStatus { get; set; } = "issued";

    /// <summary>The e-invoice provider's status every invoice is answered with: 4 (code granted), or 2 (signing error), 6 (not eligible for a code), …</summary>
    public string ProviderStatus { get; set; } = "4";

    /// <summary>How long a job takes after its create was accepted (none: done at once).</summary>
    public TimeSpan JobTime { get; set; }

    /// <summary>The clock jobs are timed on: the test's fake clock, so that a job can outlast a retry's backoff.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>
    /// An answer in place of the documented one, by operation (<c>token</c>, <c>create</c>, <c>check</c>, <c>get</c>):
    /// a garbled or oversized answer of a provider; null answers as documented.
    /// </summary>
    public Func<string, IResult?>? Override { get; set; }

    /// <summary>Creates made and answered successfully (not overridden, not refused).</summary>
    public int Accepted;

    /// <summary>A token the simulator accepts, for an <see cref="Override"/> of <c>token</c> that answers one.</summary>
    public string IssueToken()
    {
        var token = "tok-" + Guid.NewGuid().ToString("N");
        _tokens[token] = true;
        return token;
    }

    /// <summary>Revokes every token issued, as a secret rotated on SePay's side does: their next call answers 401.</summary>
    public void RevokeTokens() => _tokens.Clear();

    public Uri BaseUrl => new(_app.Urls.First());

    public static async Task<SePayEInvoiceSimulator> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new SePayEInvoiceSimulator(app);
        app.MapPost("/v1/token", simulator.Token);
        app.MapPost("/v1/invoices/create", new Func<HttpContext, Task<IResult>>(simulator.CreateAsync));
        app.MapGet("/v1/invoices/create/check/{tracking}", simulator.Check);
        app.MapGet("/v1/invoices/{reference}", simulator.Get);
        await app.StartAsync();
        return simulator;
    }

    private IResult Token(HttpContext http)
    {
        if (Override?.Invoke("token") is { } instead)
        {
            return instead;
        }

        if (Down)
        {
            return Error(500, "INTERNAL_ERROR", "Lỗi hệ thống.");
        }

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        if (http.Request.Headers.Authorization != expected)
        {
            return Error(401, "UNAUTHORIZED", "Sai client_id hoặc client_secret.");
        }

        return Results.Json(new JsonObject { ["success"] = true, ["data"] = new JsonObject { ["access_token"] = IssueToken(), ["token_type"] = "Bearer", ["expires_in"] = 86400 } });
    }

    private async Task<IResult> CreateAsync(HttpContext http)
    {
        Interlocked.Increment(ref CreateCalls);
        if (Override?.Invoke("create") is { } instead)
        {
            return instead;
        }

        if (Refusal(http) is { } refused)
        {
            return refused;
        }

        var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync())!.AsObject();
        if ((s_required.FirstOrDefault(f => body[f] is null) ?? (body["is_draft"] is null ? "is_draft" : null)) is { } missing)
        {
            return Error(400, "BAD_REQUEST", $"Thiếu trường bắt buộc: {missing}.");
        }

        if ((string?)body["template_code"] != Template || (string?)body["invoice_series"] != Series || (string?)body["provider_account_id"] != AccountId)
        {
            return Error(400, "BAD_REQUEST", "Mẫu số, ký hiệu hoặc tài khoản nhà cung cấp không hợp lệ.");
        }

        if (body["buyer"] is not JsonObject buyer || buyer["name"] is not JsonValue name || !name.TryGetValue<string>(out var named) || named.Length == 0)
        {
            return Error(400, "BAD_REQUEST", "Thiếu trường bắt buộc: buyer.name.");
        }

        if (buyer["type"] is { } type && (type is not JsonValue value || !value.TryGetValue<string>(out var kind) || kind is not ("personal" or "company")))
        {
            return Error(400, "BAD_REQUEST", "buyer.type không hợp lệ (personal, company).");
        }

        var kept = new JsonObject();
        foreach (var field in s_buyerFields)
        {
            if (buyer[field] is { } v)
            {
                kept[field] = v.DeepClone();
            }
        }

        body["buyer"] = kept;
        var reference = (string?)body["reference_code"] ?? Guid.NewGuid().ToString();
        lock (Invoices)
        {
            if (Invoices.ContainsKey(reference))
            {
                return Error(400, "BAD_REQUEST", "reference_code đã tồn tại.");
            }

            Invoices[reference] = ((++_number).ToString(System.Globalization.CultureInfo.InvariantCulture), body);
        }

        var tracking = Guid.NewGuid().ToString();
        _tracking[tracking] = reference;
        _doneAt[reference] = Clock.GetUtcNow() + JobTime;
        Interlocked.Increment(ref Accepted);
        if (LoseNextAnswer)
        {
            LoseNextAnswer = false;
            return Results.StatusCode(502);
        }

        return Results.Json(new JsonObject
        {
            ["success"] = true,
            ["data"] = new JsonObject { ["tracking_code"] = tracking, ["tracking_url"] = $"{BaseUrl}v1/invoices/create/check/{tracking}", ["message"] = "Đã tạo yêu cầu xuất bán hóa đơn điện tử" },
        });
    }

    private IResult Check(string tracking, HttpContext http)
    {
        if ((Override?.Invoke("check") ?? Refusal(http)) is { } refused)
        {
            return refused;
        }

        if (!_tracking.TryGetValue(tracking, out var reference))
        {
            return Error(404, "NOT_FOUND", "Không tìm thấy yêu cầu.");
        }

        if (!Done(reference))
        {
            return Results.Json(new JsonObject { ["success"] = true, ["data"] = new JsonObject { ["reference_code"] = reference, ["status"] = "Pending", ["message"] = "Đang xử lý" } });
        }

        return Results.Json(new JsonObject
        {
            ["success"] = true,
            ["data"] = new JsonObject { ["reference_code"] = reference, ["status"] = "Success", ["message"] = "Xuất bán hóa đơn điện tử thành công", ["invoice"] = Invoice(reference) },
        });
    }

    private IResult Get(string reference, HttpContext http) =>
        Override?.Invoke("get") ?? Refusal(http) ?? (Invoices.ContainsKey(reference) && Done(reference)
            ? Results.Json(new JsonObject { ["success"] = true, ["data"] = Invoice(reference) })
            : Error(404, "NOT_FOUND", "Không tìm thấy hóa đơn."));

    private bool Done(string reference) => _doneAt.TryGetValue(reference, out var at) && Clock.GetUtcNow() >= at;

    private JsonObject Invoice(string reference)
    {
        var (number, body) = Invoices[reference];
        var total = body["items"]!.AsArray().Sum(i => (long)i!["unit_price"]! * (long)i["quantity"]!);
        return new JsonObject
        {
            ["reference_code"] = reference,
            ["invoice_number"] = number,
            ["issued_date"] = ((string)body["issued_date"]!)[..10],
            ["pdf_url"] = $"{BaseUrl}files/{reference}.pdf",
            ["xml_url"] = null,
            ["status"] = InvoiceStatus,
            ["provider_status"] = ProviderStatus,
            ["buyer"] = body["buyer"]!.DeepClone(),
            ["total_before_tax"] = total,
            ["tax_amount"] = 0,
            ["total_amount"] = total,
        };
    }

    private IResult? Refusal(HttpContext http)
    {
        if (Down)
        {
            return Error(500, "INTERNAL_ERROR", "Lỗi hệ thống khi ký/gửi.");
        }

        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.ContainsKey(header[7..]) ? null : Error(401, "UNAUTHORIZED", "Token không hợp lệ.");
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new JsonObject { ["success"] = false, ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
