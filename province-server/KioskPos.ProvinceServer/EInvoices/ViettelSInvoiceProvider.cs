using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>
/// Viettel S-Invoice through its web services (InvoiceAPI, "Tài liệu tích hợp" v2), as documented and as the public
/// integrations of it call it. Operations followed:
/// <list type="bullet">
/// <item><c>POST {origin}/auth/login</c> (at the host's root, not under the API path), JSON <c>{username, password}</c>:
/// <c>{access_token, expires_in, …}</c>. The token goes on every call as the cookie <c>access_token</c> (Viettel's guide
/// "Tài liệu mô tả webservice hóa đơn điện tử" v2.44, 5.5 "Cách 2" and 7.1; Odoo's <c>l10n_vn_edi_viettel</c>; HIS's
/// <c>ElectronicBillViettel</c>). The guide's other way, HTTP Basic, works only once the account has allowed the
/// caller's IP address on Viettel's portal (5.5 "Cách 1"), which this adapter does not assume. Tokens last minutes
/// (Odoo: about 5), so one is kept per account until shortly before its <c>expires_in</c>. An expired token is answered
/// with HTTP 500 <c>{"message": "GENERAL"}</c> (guide section 8, line 8: "Token hết hạn") or 401 <c>invalid_token</c>:
/// a call that used a kept token and gets either logs in again once and repeats itself.</item>
/// <item><c>POST {base}/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/createInvoice/{supplierTaxCode}</c>, a JSON body of <c>generalInvoiceInfo</c> (invoiceType, templateCode,
/// invoiceSeries, currencyCode, adjustmentType 1 original / 5 adjustment, adjustmentInvoiceType 1 money,
/// originalInvoiceId, originalInvoiceIssueDate, originalTemplateCode, paymentStatus, cusGetInvoiceRight,
/// transactionUuid, invoiceIssuedDate in epoch milliseconds), <c>buyerInfo</c> (buyerName, buyerCode, buyerTaxCode),
/// <c>sellerInfo</c> (sellerLegalName, sellerTaxCode), <c>payments</c> (paymentMethodName), <c>itemInfo</c> (lineNumber,
/// selection 1, itemName, unitPrice, quantity, itemTotalAmountWithoutTax, taxPercentage -2 for "not subject to VAT",
/// taxAmount, isIncreaseItem false on an adjustment's decrease), <c>summarizeInfo</c> (totalAmountWithoutTax,
/// totalTaxAmount, totalAmountWithTax, totalAmountWithTaxInWords) and <c>taxBreakdowns</c>. The answer is
/// <c>{errorCode, description, result: {supplierTaxCode, invoiceNo, transactionID, reservationCode}}</c>, errorCode null
/// on success.</item>
/// <item><c>POST …/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid</c>, form fields supplierTaxCode and
/// transactionUuid: <c>{errorCode, description, result: [{invoiceNo, reservationCode, issueDate, status}]}</c>, errorCode
/// <c>NOT_FOUND_DATA</c> when no invoice holds that uuid.</item>
/// </list>
/// Idempotency is the documented <c>transactionUuid</c>: a uuid already used answers <c>TRANSACTION_UUID_INVALID</c>
/// instead of a second invoice, and this adapter then (and before any retry) looks the uuid up. A wrong user or
/// password is refused at the login; Viettel's own failures are HTTP 5xx.
/// </summary>
public sealed class ViettelSInvoiceProvider(IHttpClientFactory clients, TimeProvider time) : IEDocumentProvider
{
    /// <summary>The name in an institution's settings.</summary>
    public const string ProviderName = "viettel-sinvoice";

    private const string Api = "services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/";

    // At the host's root whatever the API's path (guide 5.5; Odoo's SINVOICE_AUTH_URL; HIS RequestUriStore.Login).
    private const string LoginPath = "/auth/login";

    // A kept token is given up this long before Viettel says it expires, so none expires on its way to Viettel.
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => ProviderName;

    /// <inheritdoc/>
    public async Task<IssueOutcome> IssueAsync(EDocument document, ProviderAccount account, bool retry, CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(EDocumentServices.HttpClientName);
        try
        {
            if (retry && await SearchAsync(http, document, account, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }

            var (sent, stop) = await CallAsync(
                http, account,
                () => new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, Api + "createInvoice/" + Uri.EscapeDataString(document.Seller.TaxCode)))
                {
                    Content = new StringContent(Body(document).ToJsonString(), Encoding.UTF8, "application/json"),
                },
                cancellationToken).ConfigureAwait(false);
            if (stop is not null)
            {
                return stop;
            }

            using var response = sent!;
            if (Transient(response.StatusCode) is { } later)
            {
                return later;
            }

            var answer = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
            var code = Text(answer?["errorCode"]);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                return new IssueOutcome.Refused("HTTP 401: the provider refused a fresh token of the API user (is the user allowed the API?)");
            }

            if (code == "TRANSACTION_UUID_INVALID")
            {
                // Used already: an earlier attempt issued it (its answer lost). Never a second document; find the first.
                return await SearchAsync(http, document, account, cancellationToken).ConfigureAwait(false)
                    ?? new IssueOutcome.Later("TRANSACTION_UUID_INVALID and the uuid not found yet");
            }

            if (code is not null || !response.IsSuccessStatusCode)
            {
                return new IssueOutcome.Refused($"{code ?? "HTTP " + (int)response.StatusCode}: {Text(answer?["description"]) ?? string.Empty}".TrimEnd(' ', ':'));
            }

            var result = answer?["result"];
            return Text(result?["invoiceNo"]) is { } number
                ? new IssueOutcome.Issued(number, Text(result?["reservationCode"]) ?? string.Empty, LocalDay(time.GetUtcNow()))
                : new IssueOutcome.Later("an answer without result.invoiceNo");
        }
        catch (HttpRequestException e)
        {
            return new IssueOutcome.Later("unreachable: " + e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new IssueOutcome.Later("no answer in time");
        }
        catch (JsonException)
        {
            return new IssueOutcome.Later("an answer that is not JSON");
        }
    }

    private async Task<IssueOutcome?> SearchAsync(HttpClient http, EDocument document, ProviderAccount account, CancellationToken cancellationToken)
    {
        var (sent, stop) = await CallAsync(
            http, account,
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, Api + "searchInvoiceByTransactionUuid"))
            {
                Content = new FormUrlEncodedContent([new("supplierTaxCode", document.Seller.TaxCode), new("transactionUuid", document.IdempotencyKey)]),
            },
            cancellationToken).ConfigureAwait(false);
        if (stop is not null)
        {
            return stop;
        }

        using var response = sent!;
        if (Transient(response.StatusCode) is { } later)
        {
            return later;
        }

        var answer = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (Text(answer?["errorCode"]) is not null || answer?["result"] is not JsonArray { Count: > 0 } results)
        {
            return null; // NOT_FOUND_DATA: never issued, so issuing now is the first time
        }

        var first = results[0];
        var issuedOn = first?["issueDate"] is JsonValue v && v.TryGetValue<long>(out var ms)
            ? LocalDay(DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : string.Empty;
        return Text(first?["invoiceNo"]) is { } number ? new IssueOutcome.Issued(number, Text(first?["reservationCode"]) ?? string.Empty, issuedOn) : null;
    }

    private async Task<(IssueOutcome? Stop, (string Token, DateTimeOffset Until) Held)> LoginAsync(HttpClient http, ProviderAccount account, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, LoginPath))
        {
            Content = new StringContent(new JsonObject { ["username"] = account.Username, ["password"] = account.Secret }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var at = time.GetUtcNow();
        if (Transient(response.StatusCode) is { } later)
        {
            return (new IssueOutcome.Later(later.Reason + " at login"), default);
        }

        var body = await ReadAsync(response, cancellationToken).ConfigureAwait(false) as JsonObject;
        if (!response.IsSuccessStatusCode || Text(body?["error"]) is not null)
        {
            var why = Text(body?["error"]) is { } error
                ? error + (Text(body?["error_description"]) is { } words ? ": " + words : string.Empty)
                : "the provider refused the user or password";
            return (new IssueOutcome.Refused($"HTTP {(int)response.StatusCode} at login: {why}"), default);
        }

        if (Text(body?["access_token"]) is not { } token || !token.All(c => c is > ' ' and < '\u007f' and not ';' and not ','))
        {
            return (new IssueOutcome.Later("login: an answer without a usable access_token"), default);
        }

        // Kept only while Viettel says it lasts; without expires_in it serves this call alone.
        var held = (token, at);
        if (Seconds(body?["expires_in"]) is { } lasts)
        {
            var life = TimeSpan.FromSeconds(lasts);
            held = (token, at + (life > s_renewBefore * 2 ? life - s_renewBefore : life / 2));
            _tokens[key] = held;
        }

        return (null, held);
    }

    // Per account as the settings hold it: another user, password or host is another token. The password is hashed so
    // that the keys do not hold it.
    private static string KeyOf(ProviderAccount account) =>
        $"{account.BaseUrl.GetLeftPart(UriPartial.Authority)}\n{account.Username}\n{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(account.Secret)))}";

    private static IssueOutcome.Later? Transient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            ? new IssueOutcome.Later($"HTTP {(int)status}")
            : null;

    /// <summary>
    /// One call with the account's token: a kept one, or a new one from the login. A kept token answered by 401 or by
    /// 500 (Viettel's expired token) is given up, and the call is made once more with a fresh one.
    /// </summary>
    private async Task<(HttpResponseMessage? Response, IssueOutcome? Stop)> CallAsync(HttpClient http, ProviderAccount account, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        var key = KeyOf(account);
        var fresh = false;
        if (!_tokens.TryGetValue(key, out var held) || held.Until <= time.GetUtcNow())
        {
            var login = await LoginAsync(http, account, key, cancellationToken).ConfigureAwait(false);
            if (login.Stop is { } stop)
            {
                return (null, stop);
            }

            held = login.Held;
            fresh = true;
        }

        while (true)
        {
            using var request = build();
            request.Headers.TryAddWithoutValidation("Cookie", "access_token=" + held.Token);
            var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!fresh && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.InternalServerError)
            {
                response.Dispose();

                // Only this token: another call may have kept a newer one meanwhile.
                _tokens.TryRemove(KeyValuePair.Create(key, held));
                var login = await LoginAsync(http, account, key, cancellationToken).ConfigureAwait(false);
                if (login.Stop is { } stop)
                {
                    return (null, stop);
                }

                held = login.Held;
                fresh = true;
                continue;
            }

            return (response, null);
        }
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static long? Seconds(JsonNode? node) =>
        node is JsonValue v && (v.TryGetValue<long>(out var n) || (Text(v) is { } s && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out n)))
            && n is > 0 and < 366L * 24 * 3600
            ? n
            : null;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static string LocalDay(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The createInvoice body of <paramref name="document"/>.</summary>
    internal static JsonObject Body(EDocument document)
    {
        var adjustment = document.Purpose == EDocumentPurpose.Adjustment;
        var general = new JsonObject
        {
            ["invoiceType"] = document.TemplateCode.Split('/')[0],
            ["templateCode"] = document.TemplateCode,
            ["invoiceSeries"] = document.Series,
            ["currencyCode"] = "VND",
            ["adjustmentType"] = adjustment ? "5" : "1",
            ["paymentStatus"] = true,
            ["cusGetInvoiceRight"] = true,
            ["transactionUuid"] = document.IdempotencyKey,
            ["invoiceIssuedDate"] = document.IssuedAt.ToUnixTimeMilliseconds(),
        };
        if (document.Adjusts is { } original)
        {
            general["adjustmentInvoiceType"] = "1";
            general["originalInvoiceId"] = original.Number; // as createInvoice answered it (series and number)
            general["originalInvoiceIssueDate"] = DateTimeOffset.ParseExact(original.IssuedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
            general["originalTemplateCode"] = original.TemplateCode;
            general["additionalReferenceDesc"] = "Hoàn/hủy thanh toán " + document.PaymentId;
            general["additionalReferenceDate"] = document.IssuedAt.ToUnixTimeMilliseconds();
        }

        var items = new JsonArray();
        var line = 0;
        foreach (var l in document.Lines)
        {
            var item = new JsonObject
            {
                ["lineNumber"] = ++line,
                ["selection"] = 1,
                ["itemName"] = l.Title,
                ["unitName"] = "Lần",
                ["unitPrice"] = l.Amount,
                ["quantity"] = 1,
                ["itemTotalAmountWithoutTax"] = l.Amount,
                ["taxPercentage"] = -2,
                ["taxAmount"] = 0,
            };
            if (adjustment)
            {
                item["isIncreaseItem"] = false;
            }

            items.Add(item);
        }

        return new JsonObject
        {
            ["generalInvoiceInfo"] = general,
            ["buyerInfo"] = new JsonObject
            {
                ["buyerName"] = document.Buyer.Name,
                ["buyerCode"] = document.Buyer.Code,
                ["buyerTaxCode"] = document.Buyer.TaxCode,
            },
            ["sellerInfo"] = new JsonObject { ["sellerLegalName"] = document.Seller.Name, ["sellerTaxCode"] = document.Seller.TaxCode },
            ["payments"] = new JsonArray(new JsonObject { ["paymentMethodName"] = MethodName(document.PaymentMethod) }),
            ["itemInfo"] = items,
            ["summarizeInfo"] = new JsonObject
            {
                ["sumOfTotalLineAmountWithoutTax"] = document.Total,
                ["totalAmountWithoutTax"] = document.Total,
                ["totalTaxAmount"] = 0,
                ["totalAmountWithTax"] = document.Total,
                ["totalAmountWithTaxInWords"] = document.AmountInWords,
                ["isTotalAmountPos"] = !adjustment,
            },
            ["taxBreakdowns"] = new JsonArray(new JsonObject { ["taxPercentage"] = -2, ["taxableAmount"] = document.Total, ["taxAmount"] = 0 }),
        };
    }

    // Viettel's documented payment method names: TM (cash), CK (transfer), TM/CK; a stored-value card is "other".
    private static string MethodName(string method) => method switch
    {
        "vietqr" => "CK",
        "external_card" => "CK",
        _ => "KHAC",
    };
}
