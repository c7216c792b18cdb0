using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Core.VietQr;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>The payOS channel the simulator plays: its client id, checksum key and the account its QRs pay into.</summary>
public sealed record PayosAccount(string ClientId, string ChecksumKey, string BankBin, string AccountNumber, string AccountName);

/// <summary>A payment request the simulated payOS holds.</summary>
public sealed record SimulatedPayosRequest(long OrderCode, string PaymentLinkId, long Amount, string Description, string QrCode, string ReturnUrl, string CancelUrl);

/// <summary>
/// payOS's merchant API for payment requests as a local simulator: <c>POST /payos/v2/payment-requests</c> checks
/// <c>x-client-id</c> and <c>x-api-key</c> and the request's signature (HMAC-SHA256 with the checksum key over the
/// five sorted fields) as payOS does, refuses a known order code, and answers a VietQR for the channel's account with
/// the request's description; <c>GET /payos/v2/payment-requests/{orderCode or id}</c> answers its status, amount paid
/// and transactions. <see cref="PayPayos"/> is the payer paying: it books the transaction on the request and returns
/// the webhook payOS would post, signed; a test may post it or drop it.
/// </summary>
public sealed partial class ProviderApiSimulator
{
    private readonly ConcurrentDictionary<long, PayosState> _payos = new();
    private PayosAccount? _payosAccount;
    private long _payosReference = 900_000;

    /// <summary>While true, payOS answers a creation with a server error (the terminal must show its own QR).</summary>
    public bool PayosFailing { get; set; }

    /// <summary>The requests payOS accepted, by order code.</summary>
    public IReadOnlyList<SimulatedPayosRequest> PayosRequests => [.. _payos.Values.Select(s => s.Request).OrderBy(r => r.OrderCode)];

    /// <summary>How many creations payOS refused for a wrong signature.</summary>
    public int PayosBadSignatures => _payosBadSignatures;

    private int _payosBadSignatures;

    /// <summary>
    /// The payer pays request <paramref name="orderCode"/> (<paramref name="amount"/> đồng, all of it when null; the bank
    /// text <paramref name="text"/>, the request's description when null); returns payOS's webhook body for it, signed.
    /// <paramref name="writtenAt"/>: the <c>transactionDateTime</c> payOS writes when it is not <paramref name="at"/> (a broken field).
    /// </summary>
    public string PayPayos(long orderCode, long? amount = null, string? text = null, DateTimeOffset? at = null, string? writtenAt = null)
    {
        var state = _payos[orderCode];
        var paid = new SimulatedPayosTransaction("FT" + Interlocked.Increment(ref _payosReference).ToString(CultureInfo.InvariantCulture), amount ?? state.Request.Amount,
            text ?? state.Request.Description, at ?? DateTimeOffset.UtcNow, writtenAt);
        lock (state)
        {
            state.Transactions.Add(paid);
        }

        var data = PayosWebhook.Data(orderCode, paid.Amount, paid.Text, _payosAccount!.AccountNumber, paid.Reference, paid.WrittenAt ?? Local(paid.At), state.Request.PaymentLinkId);
        return Envelope(data, "00", "success", success: true).ToJsonString();
    }

    private void MapPayos(WebApplication app, PayosAccount account)
    {
        _payosAccount = account;
        app.MapPost("/payos/v2/payment-requests", PayosCreateAsync);
        app.MapGet("/payos/v2/payment-requests/{id}", PayosGet);
    }

    private bool PayosAuthorised(HttpContext http) =>
        http.Request.Headers["x-client-id"].ToString() == _payosAccount!.ClientId && http.Request.Headers["x-api-key"].ToString() == ApiKey;

    private async Task<IResult> PayosCreateAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (!PayosAuthorised(http))
        {
            return Json(new JsonObject { ["code"] = "401", ["desc"] = "Unauthorized", ["data"] = null }, statusCode: 401);
        }

        Calls.AddOrUpdate("payos-create", 1, (_, n) => n + 1);
        if (PayosFailing)
        {
            return Json(new JsonObject { ["code"] = "20", ["desc"] = "Internal Server Error", ["data"] = null }, statusCode: 500);
        }

        using var json = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        var body = json.RootElement;
        if (!BankProviders.TryGetWhole(body, "orderCode", out var orderCode) || orderCode is <= 0 or > 9_007_199_254_740_991
            || !BankProviders.TryGetWhole(body, "amount", out var amount) || amount <= 0
            || SepayWebhook.Text(body, "description") is not { Length: > 0 and <= PayosApi.MaxDescription } description
            || SepayWebhook.Text(body, "returnUrl") is not { Length: > 0 } returnUrl || SepayWebhook.Text(body, "cancelUrl") is not { Length: > 0 } cancelUrl)
        {
            return Json(new JsonObject { ["code"] = "20", ["desc"] = "Thông tin truyền lên không đúng", ["data"] = null });
        }

        if (SepayWebhook.Text(body, "signature") != PayosApi.SignRequest(_payosAccount!.ChecksumKey, amount, cancelUrl, description, orderCode, returnUrl))
        {
            Interlocked.Increment(ref _payosBadSignatures);
            return Json(new JsonObject { ["code"] = "201", ["desc"] = "Mã kiểm tra(signature) không hợp lệ", ["data"] = null });
        }

        var link = Guid.NewGuid().ToString("N");
        var qr = VietQrBuilder.Build(new VietQrPayload(true, _payosAccount.BankBin, _payosAccount.AccountNumber, Amount: amount, Additional: new VietQrAdditionalData(Purpose: description)));
        var request = new SimulatedPayosRequest(orderCode, link, amount, description, qr, returnUrl, cancelUrl);
        if (!_payos.TryAdd(orderCode, new PayosState(request)))
        {
            return Json(new JsonObject { ["code"] = "231", ["desc"] = "Đơn thanh toán đã tồn tại", ["data"] = null });
        }

        var expiredAt = BankProviders.TryGetWhole(body, "expiredAt", out var e) ? e : (long?)null;
        return Json(Envelope(new JsonObject
        {
            ["bin"] = _payosAccount.BankBin,
            ["accountNumber"] = _payosAccount.AccountNumber,
            ["accountName"] = _payosAccount.AccountName,
            ["amount"] = amount,
            ["description"] = description,
            ["orderCode"] = orderCode,
            ["currency"] = "VND",
            ["paymentLinkId"] = link,
            ["status"] = "PENDING",
            ["expiredAt"] = expiredAt,
            ["checkoutUrl"] = new Uri(BaseUrl, "/payos/web/" + link).ToString(),
            ["qrCode"] = qr,
        }, "00", "success"));
    }

    private IResult PayosGet(HttpContext http, string id)
    {
        if (!PayosAuthorised(http))
        {
            return Json(new JsonObject { ["code"] = "401", ["desc"] = "Unauthorized", ["data"] = null }, statusCode: 401);
        }

        Calls.AddOrUpdate(BankProviders.Payos, 1, (_, n) => n + 1);
        var state = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var orderCode) && _payos.TryGetValue(orderCode, out var byCode)
            ? byCode
            : _payos.Values.FirstOrDefault(s => s.Request.PaymentLinkId == id);
        if (state is null)
        {
            return Json(new JsonObject { ["code"] = "101", ["desc"] = "Không tìm thấy đơn thanh toán", ["data"] = null });
        }

        List<SimulatedPayosTransaction> paid;
        lock (state)
        {
            paid = [.. state.Transactions];
        }

        var amountPaid = paid.Sum(t => t.Amount);
        return Json(Envelope(new JsonObject
        {
            ["id"] = state.Request.PaymentLinkId,
            ["orderCode"] = state.Request.OrderCode,
            ["amount"] = state.Request.Amount,
            ["amountPaid"] = amountPaid,
            ["amountRemaining"] = Math.Max(0, state.Request.Amount - amountPaid),
            ["status"] = amountPaid >= state.Request.Amount ? "PAID" : amountPaid > 0 ? "UNDERPAID" : "PENDING",
            ["createdAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["transactions"] = new JsonArray(paid.Select(t => new JsonObject
            {
                ["reference"] = t.Reference,
                ["amount"] = t.Amount,
                ["accountNumber"] = _payosAccount!.AccountNumber,
                ["description"] = t.Text,
                ["transactionDateTime"] = t.WrittenAt ?? Local(t.At),
                ["virtualAccountName"] = null,
                ["virtualAccountNumber"] = null,
                ["counterAccountBankId"] = null,
                ["counterAccountBankName"] = null,
                ["counterAccountName"] = null,
                ["counterAccountNumber"] = null,
            }).ToArray<JsonNode?>()),
            ["cancellationReason"] = null,
            ["canceledAt"] = null,
        }, "00", "success"));
    }

    // payOS's envelope: the data signed as its webhooks are (sorted keys, HMAC-SHA256 with the checksum key).
    private JsonObject Envelope(JsonObject data, string code, string desc, bool? success = null)
    {
        using var document = JsonDocument.Parse(data.ToJsonString());
        var envelope = new JsonObject { ["code"] = code, ["desc"] = desc };
        if (success is { } ok)
        {
            envelope["success"] = ok;
        }

        envelope["data"] = data;
        envelope["signature"] = PayosWebhook.Sign(_payosAccount!.ChecksumKey, document.RootElement);
        return envelope;
    }

    private static IResult Json(JsonObject body, int statusCode = 200) => Results.Content(body.ToJsonString(), "application/json", System.Text.Encoding.UTF8, statusCode);

    private sealed record SimulatedPayosTransaction(string Reference, long Amount, string Text, DateTimeOffset At, string? WrittenAt);

    private sealed class PayosState(SimulatedPayosRequest request)
    {
        public SimulatedPayosRequest Request { get; } = request;

        public List<SimulatedPayosTransaction> Transactions { get; } = [];
    }
}
