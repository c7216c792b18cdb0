using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>A payOS payment request as payOS created it.</summary>
internal sealed record PayosCreated(string PaymentLinkId, string CheckoutUrl, string QrCode);

/// <summary>
/// A payOS payment request's status, the transactions that paid into it, and those it could not read (the reference
/// and why, never recorded), as a list pull's page has them.
/// </summary>
internal sealed record PayosStatus(string Status, long AmountPaid, IReadOnlyList<IncomingTransfer> Transactions, IReadOnlyList<string> Refused);

/// <summary>payOS refused a call (its <c>code</c> other than <c>00</c>), or answered something unreadable.</summary>
internal sealed class PayosException(string message) : Exception(message);

/// <summary>
/// payOS's merchant API for payment requests, as its public documentation and client libraries describe it:
/// <c>POST {base}/v2/payment-requests</c> with <c>orderCode</c> (a positive integer), <c>amount</c>,
/// <c>description</c> (at most 25 characters; 9 where the account is not linked), <c>returnUrl</c>,
/// <c>cancelUrl</c>, <c>expiredAt</c> (Unix seconds) and <c>signature</c> = lower-case hex HMAC-SHA256 with the
/// checksum key over <c>amount=…&amp;cancelUrl=…&amp;description=…&amp;orderCode=…&amp;returnUrl=…</c> (the five keys
/// in alphabetical order, values as written); <c>GET {base}/v2/payment-requests/{orderCode or id}</c> for its status
/// (PENDING, PROCESSING, UNDERPAID, PAID, EXPIRED, CANCELLED, FAILED), <c>amountPaid</c> and its <c>transactions</c>.
/// Both carry the headers <c>x-client-id</c> and <c>x-api-key</c>; both answer <c>{code, desc, data, signature}</c>,
/// <c>code</c> <c>00</c> meaning success.
/// </summary>
internal static class PayosApi
{
    /// <summary>payOS's limit on a request's description.</summary>
    public const int MaxDescription = 25;

    /// <summary>The signature of a payment request's five signed fields.</summary>
    public static string SignRequest(string checksumKey, long amount, string cancelUrl, string description, long orderCode, string returnUrl)
    {
        var data = string.Create(CultureInfo.InvariantCulture, $"amount={amount}&cancelUrl={cancelUrl}&description={description}&orderCode={orderCode}&returnUrl={returnUrl}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(checksumKey), Encoding.UTF8.GetBytes(data)));
    }

    /// <summary>Creates payment request <paramref name="orderCode"/>.</summary>
    /// <exception cref="PayosException">payOS refused it or answered something unreadable.</exception>
    /// <exception cref="HttpRequestException">payOS could not be reached.</exception>
    public static async Task<PayosCreated> CreateAsync(HttpClient http, BankConnection connection, long orderCode, long amount, string description,
        string returnUrl, string cancelUrl, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["orderCode"] = orderCode,
            ["amount"] = amount,
            ["description"] = description,
            ["returnUrl"] = returnUrl,
            ["cancelUrl"] = cancelUrl,
            ["expiredAt"] = expiresAt.ToUnixTimeSeconds(),
            ["signature"] = SignRequest(connection.Secret, amount, cancelUrl, description, orderCode, returnUrl),
        };
        using var request = Request(HttpMethod.Post, connection, "/v2/payment-requests");
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        var data = await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        var link = SepayWebhook.Text(data, "paymentLinkId");
        var qr = SepayWebhook.Text(data, "qrCode");
        var checkout = SepayWebhook.Text(data, "checkoutUrl");
        return link.Length is 0 or > 100 || qr.Length is 0 or > 512 || checkout.Length > 500
            ? throw new PayosException("payOS's answer lacks paymentLinkId or qrCode")
            : new PayosCreated(link, checkout, qr);
    }

    /// <summary>Request <paramref name="orderCode"/>'s status and the transactions paid into it.</summary>
    public static async Task<PayosStatus> GetAsync(HttpClient http, BankConnection connection, long orderCode, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, connection, "/v2/payment-requests/" + orderCode.ToString(CultureInfo.InvariantCulture));
        var data = await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        var transfers = new List<IncomingTransfer>();
        var refused = new List<string>();
        if (data.TryGetProperty("transactions", out var transactions) && transactions.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in transactions.EnumerateArray())
            {
                // One transaction payOS wrote in a way this reader does not take is refused with its reason, as a list
                // pull's record is; it used to throw, failing the pull of every request after it, round after round.
                var reference = SepayWebhook.Text(t, "reference");
                var id = reference.Length > 0 ? reference : $"{orderCode}:{SepayWebhook.Text(data, "id")}";
                if (!BankProviders.TryGetWhole(t, "amount", out var amount))
                {
                    refused.Add($"{id}: amount must be a whole number of đồng");
                }
                else if (BankProviders.ParseTime(SepayWebhook.Text(t, "transactionDateTime")) is not { } booked)
                {
                    refused.Add($"{id}: {BankProviders.TimeProblem("transactionDateTime")}");
                }
                else
                {
                    transfers.Add(new IncomingTransfer(id, SepayWebhook.Text(t, "accountNumber"), amount, SepayWebhook.Text(t, "description"), booked, Outgoing: false, OrderCode: orderCode));
                }
            }
        }

        return new PayosStatus(SepayWebhook.Text(data, "status"), BankProviders.TryGetWhole(data, "amountPaid", out var paid) ? paid : 0, transfers, refused);
    }

    private static HttpRequestMessage Request(HttpMethod method, BankConnection connection, string path)
    {
        var request = new HttpRequestMessage(method, connection.ApiBaseUrl!.TrimEnd('/') + path);
        request.Headers.Add("x-client-id", connection.ClientId);
        request.Headers.Add("x-api-key", connection.ApiKey);
        return request;
    }

    // The envelope {code, desc, data}: data when code is 00, else the refusal in payOS's words.
    private static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        JsonElement root;
        try
        {
            root = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false)).Clone();
        }
        catch (JsonException)
        {
            throw new PayosException($"payOS answered {(int)response.StatusCode} without JSON");
        }

        if (root.ValueKind != JsonValueKind.Object || SepayWebhook.Text(root, "code") != "00" || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            var desc = root.ValueKind == JsonValueKind.Object ? SepayWebhook.Text(root, "desc") : string.Empty;
            throw new PayosException($"payOS answered {(int)response.StatusCode} code {(root.ValueKind == JsonValueKind.Object ? SepayWebhook.Text(root, "code") : "?")} {desc[..Math.Min(desc.Length, 200)]}".TrimEnd());
        }

        return data;
    }
}
