using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>
/// Viettel S-Invoice v2 ("api-vinvoice"), as Viettel's integration guide ("Tài liệu mô tả webservice hóa đơn điện tử",
/// v2.44) documents it and as Odoo's <c>l10n_vn_edi_viettel</c> and the hospital system HIS
/// (<c>Inventec.Common.ElectronicBillViettel</c>) call it. Operations followed:
/// <list type="bullet">
/// <item><c>POST {origin}/auth/login</c> (at the host's root, not under the API path), JSON <c>{username, password}</c>:
/// <c>{access_token, expires_in, …}</c>. The token goes on every call as the cookie <c>access_token</c> (guide 5.5 "Cách
/// 2" and 7.1). The guide's other way, HTTP Basic, works only once the account has allowed the caller's IP address on
/// Viettel's portal (5.5 "Cách 1"), which this adapter does not assume. Tokens last minutes (Odoo: about 5), so one is
/// kept per account until shortly before its <c>expires_in</c>. An expired token is answered with HTTP 500
/// <c>{"message": "GENERAL"}</c> (guide section 8, line 8: "Token hết hạn") or 401 <c>invalid_token</c>: a call that
/// used a kept token and gets either logs in again once and repeats itself.</item>
/// <item><c>POST {base}/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/createInvoice/{supplierTaxCode}</c>, a
/// JSON body of <c>generalInvoiceInfo</c> (invoiceType, templateCode, invoiceSeries, currencyCode, adjustmentType 1
/// original / 5 adjustment, adjustmentInvoiceType 1 money, originalInvoiceId, originalInvoiceIssueDate,
/// originalTemplateCode, paymentStatus, cusGetInvoiceRight, transactionUuid, invoiceIssuedDate in epoch milliseconds of
/// whole seconds), <c>buyerInfo</c> (buyerName for a person; buyerLegalName, required with buyerTaxCode, for a company,
/// with its buyerAddressLine when given; buyerCode), <c>sellerInfo</c>, <c>payments</c>, <c>itemInfo</c> (taxPercentage -2 "not subject to VAT",
/// isIncreaseItem false on a decreasing adjustment), <c>summarizeInfo</c> and <c>taxBreakdowns</c> (the sign flags
/// isTotalAmountPos, isTotalAmtWithoutTaxPos, isTotalTaxAmountPos, taxableAmountPos, taxAmountPos: null or true
/// positive, false negative, guide 6.7 and 6.8). The answer is <c>{errorCode, description, result: {invoiceNo,
/// reservationCode, …}}</c>; an accepted invoice may come back with <c>invoiceNo</c> empty, numbered later (guide 7.2
/// note 5).</item>
/// <item><c>POST …/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid</c>, form fields supplierTaxCode and
/// transactionUuid: <c>{errorCode, description, result: [{invoiceNo, reservationCode, issueDate, status}]}</c>
/// (guide 7.21). Only errorCode <c>NOT_FOUND_DATA</c> means that no invoice holds the uuid; any other answer may hide
/// one, so it is "not now", never "create".</item>
/// </list>
/// Errors come in two shapes: <c>{errorCode, description}</c> and <c>{code, message, data}</c> (guide 7.2's
/// <c>{"code": 400, "message": "BAD_REQUEST_…", "data": …}</c>; Odoo checks <c>code</c>/<c>error</c> on every v2
/// call), besides Spring's <c>{error, error_description}</c> for a refused token. A business error is a refusal
/// whatever the HTTP status; an answer of no documented shape is "not now" and never throws. Idempotency is the
/// documented <c>transactionUuid</c>: a uuid already used returns the first invoice instead of a second (guide 6.2),
/// and this adapter looks the uuid up before any retry.
/// </summary>
public sealed class ViettelSInvoiceProvider(IHttpClientFactory clients, TimeProvider time) : IEDocumentProvider
{
    /// <summary>The name in an institution's settings.</summary>
    public const string ProviderName = "viettel-sinvoice";

    private const string Api = "services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/";

    // At the host's root whatever the API's path (guide 5.5; Odoo's SINVOICE_AUTH_URL; HIS RequestUriStore.Login).
    private const string LoginPath = "/auth/login";

    // The look-up's only answer that means "no invoice holds this uuid" (the guide's and every client's not-found).
    private const string NotFound = "NOT_FOUND_DATA";

    private const int MaxReason = 300;

    // A kept token is given up this long before Viettel says it expires, so none expires on its way to Viettel.
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_vietnam = TimeSpan.FromHours(7);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => ProviderName;

    /// <inheritdoc/>
    public async Task<IssueOutcome> IssueAsync(EDocument document, ProviderAccount account, IssueAttempt attempt, CancellationToken cancellationToken)
    {
        if (document.Adjusts is { } adjusted && OriginalIssueDate(adjusted) is null)
        {
            // An adjustment must name the day its original was issued; guessing one would adjust nothing, or another invoice.
            return new IssueOutcome.Refused(Clip($"the adjusted document {adjusted.Number} has no readable issue date ('{adjusted.IssuedOn}')"));
        }

        using var http = clients.CreateClient(EDocumentServices.HttpClientName);
        try
        {
            if (attempt.Retry && await SearchAsync(http, document, account, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }

            var reply = await CallAsync(
                http, account,
                () => new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, Api + "createInvoice/" + Uri.EscapeDataString(document.Seller.TaxCode)))
                {
                    Content = new StringContent(Body(document).ToJsonString(), Encoding.UTF8, "application/json"),
                },
                cancellationToken).ConfigureAwait(false);
            if (reply.Stop is { } stop)
            {
                return stop;
            }

            if (Transient(reply.Status) is { } later)
            {
                return later;
            }

            if (reply.Status == HttpStatusCode.Unauthorized)
            {
                return new IssueOutcome.Refused("HTTP 401: the provider refused a fresh token of the API user (is the user allowed the API?)");
            }

            if (Text(reply.Body?["errorCode"]) == "TRANSACTION_UUID_INVALID")
            {
                // Used already: an earlier attempt issued it (its answer lost). Never a second document; find the first.
                return await SearchAsync(http, document, account, cancellationToken).ConfigureAwait(false)
                    ?? new IssueOutcome.Later("TRANSACTION_UUID_INVALID and the uuid not found yet");
            }

            if (ErrorOf(reply.Body) is { } error)
            {
                return ServerFault(reply.Body) ? new IssueOutcome.Later(error) : new IssueOutcome.Refused(error);
            }

            if (!Succeeded(reply.Status))
            {
                return new IssueOutcome.Refused($"HTTP {(int)reply.Status}");
            }

            if (reply.Body?["result"] is not JsonObject result)
            {
                return new IssueOutcome.Later("an answer not as documented: no result object");
            }

            return Text(result["invoiceNo"]) is { } number
                ? new IssueOutcome.Issued(number, Text(result["reservationCode"]) ?? string.Empty, LocalDay(time.GetUtcNow()))
                : new IssueOutcome.Later("accepted without result.invoiceNo: looked up by its transactionUuid next time");
        }
        catch (HttpRequestException e)
        {
            return new IssueOutcome.Later(Clip("unreachable: " + e.Message));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new IssueOutcome.Later("no answer in time");
        }
    }

    /// <summary>The document of the key, when the provider holds one; null only when it answers the documented not-found.</summary>
    private async Task<IssueOutcome?> SearchAsync(HttpClient http, EDocument document, ProviderAccount account, CancellationToken cancellationToken)
    {
        var reply = await CallAsync(
            http, account,
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, Api + "searchInvoiceByTransactionUuid"))
            {
                Content = new FormUrlEncodedContent([new("supplierTaxCode", document.Seller.TaxCode), new("transactionUuid", document.IdempotencyKey)]),
            },
            cancellationToken).ConfigureAwait(false);
        if (reply.Stop is { } stop)
        {
            return stop;
        }

        if (Transient(reply.Status) is { } later)
        {
            return new IssueOutcome.Later("look-up: " + later.Reason);
        }

        if (Text(reply.Body?["errorCode"]) == NotFound)
        {
            return null; // never issued under this uuid, so issuing now is the first time
        }

        // Anything else (an error, a refused token, a shape not documented) may hide an issued invoice: issuing again
        // could make a second one, so the document waits for a look-up that answers.
        if (ErrorOf(reply.Body) is { } error)
        {
            return new IssueOutcome.Later(Clip("look-up: " + error));
        }

        if (!Succeeded(reply.Status) || reply.Body?["result"] is not JsonArray { Count: > 0 } results || results[0] is not JsonObject first
            || Text(first["invoiceNo"]) is not { } number)
        {
            return new IssueOutcome.Later($"look-up: HTTP {(int)reply.Status}, an answer without result[0].invoiceNo");
        }

        return IssuedOn(first["issueDate"]) is { } day
            ? new IssueOutcome.Issued(number, Text(first["reservationCode"]) ?? string.Empty, day)
            : new IssueOutcome.Later(Clip($"look-up found {number} but not its issueDate as documented: recorded once it reads"));
    }

    /// <summary>
    /// One call with the account's token: a kept one, or a new one from the login. A kept token answered by 401 or by
    /// 500 (Viettel's expired token) is given up, and the call is made once more with a fresh one.
    /// </summary>
    private async Task<Reply> CallAsync(HttpClient http, ProviderAccount account, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        var key = KeyOf(account);
        var fresh = false;
        if (!_tokens.TryGetValue(key, out var held) || held.Until <= time.GetUtcNow())
        {
            var login = await LoginAsync(http, account, key, cancellationToken).ConfigureAwait(false);
            if (login.Stop is { } stop)
            {
                return new Reply(default, null, stop);
            }

            held = login.Held;
            fresh = true;
        }

        while (true)
        {
            using var request = build();
            request.Headers.TryAddWithoutValidation("Cookie", "access_token=" + held.Token);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!fresh && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.InternalServerError)
            {
                // Only this token: another call may have kept a newer one meanwhile.
                _tokens.TryRemove(KeyValuePair.Create(key, held));
                var login = await LoginAsync(http, account, key, cancellationToken).ConfigureAwait(false);
                if (login.Stop is { } stop)
                {
                    return new Reply(default, null, stop);
                }

                held = login.Held;
                fresh = true;
                continue;
            }

            return new Reply(response.StatusCode, await ReadAsync(response, cancellationToken).ConfigureAwait(false));
        }
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

        var body = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (!Succeeded(response.StatusCode) || ErrorOf(body) is not null)
        {
            var why = ErrorOf(body) ?? (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest
                ? "the provider refused the user or password"
                : "not the provider's login");
            return (new IssueOutcome.Refused(Clip($"HTTP {(int)response.StatusCode} at login: {why}")), default);
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

    private static bool Succeeded(HttpStatusCode status) => (int)status is >= 200 and <= 299;

    /// <summary>The body as a JSON object, or null (empty, not JSON, or JSON of another kind); never throws.</summary>
    private static async Task<JsonObject?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Bytes, not text: a charset the platform does not know must not throw (the guide says UTF-8 throughout, 5.2).
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var utf8 = bytes.AsSpan();
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (utf8.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(utf8) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The error an answer states in any of Viettel's shapes ("code: words"), or null when it states none.</summary>
    internal static string? ErrorOf(JsonObject? answer)
    {
        if (answer is null)
        {
            return null;
        }

        if (Text(answer["errorCode"]) is { } errorCode)
        {
            return Words(errorCode, Text(answer["description"]));
        }

        if (answer["code"] is JsonValue code && StatusIn(code) is not (null or 0 or (>= 200 and <= 299)))
        {
            return Words(Text(answer["message"]) ?? Text(code) ?? code.ToJsonString(), Text(answer["data"]));
        }

        return Text(answer["error"]) is { } error ? Words(error, Text(answer["error_description"]) ?? Text(answer["message"])) : null;
    }

    // An error of the {code, message, data} shape whose code is a server's fault: worth another attempt, not a refusal.
    private static bool ServerFault(JsonObject? answer) => answer?["code"] is JsonValue code && StatusIn(code) >= 500;

    // A code as a number: numbers and numeric strings as they are, other text as an error (-1), an empty one as none.
    private static long? StatusIn(JsonValue code) =>
        code.TryGetValue<long>(out var n) ? n
        : code.TryGetValue<double>(out var d) ? (long)d
        : code.TryGetValue<bool>(out var b) ? (b ? -1 : null)
        : Text(code) is not { } s ? null
        : long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : -1;

    private static long? Seconds(JsonNode? node) =>
        node is JsonValue v && (v.TryGetValue<long>(out var n) || (Text(v) is { } s && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out n)))
            && n is > 0 and < 366L * 24 * 3600
            ? n
            : null;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static string Words(string code, string? words) => Clip(words is null || words == code ? code : code + ": " + words);

    // What a provider says goes into the worklist and the log: one line, bounded.
    private static string Clip(string text)
    {
        var line = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        return line.Length <= MaxReason ? line : line[..(char.IsHighSurrogate(line[MaxReason - 1]) ? MaxReason - 1 : MaxReason)] + "…";
    }

    private static string LocalDay(DateTimeOffset at) => at.ToOffset(s_vietnam).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The day of a look-up's <c>issueDate</c>: epoch milliseconds as documented (guide 5.1), or a date-time text (which
    /// without an offset is Viettel's GMT+7, guide 6.2); null for anything else, which is then never recorded.
    /// </summary>
    internal static string? IssuedOn(JsonNode? issueDate)
    {
        if (issueDate is not JsonValue value)
        {
            return null;
        }

        long? ms = value.TryGetValue<long>(out var n) ? n
            : value.TryGetValue<double>(out var d) && d is >= 1 and < 1e15 ? (long)d
            : Text(value) is { } digits && digits.All(char.IsAsciiDigit) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out n) ? n
            : null;
        if (ms is { } epoch)
        {
            return epoch is > 946_684_800_000 and < 32_503_680_000_000 ? LocalDay(DateTimeOffset.FromUnixTimeMilliseconds(epoch)) : null; // 2000 to 3000
        }

        if (Text(value) is not { } text)
        {
            return null;
        }

        if (HasOffset(text))
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stated) && stated.Year is >= 2000 and < 3000 ? LocalDay(stated) : null;
        }

        // No offset: Viettel's own clock, GMT+7 (guide 6.2).
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) && local.Year is >= 2000 and < 3000
            ? LocalDay(new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), s_vietnam))
            : null;
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    // The original's day as it was recorded (yyyy-MM-dd), as epoch milliseconds of that day's start (UTC, as ever sent).
    private static long? OriginalIssueDate(EDocumentReference original) =>
        DateOnly.TryParseExact(original.IssuedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds()
            : null;

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

            // Whole seconds: Viettel records no milliseconds (guide 5.1; Odoo sends int(timestamp) * 1000).
            ["invoiceIssuedDate"] = document.IssuedAt.ToUnixTimeSeconds() * 1000,
        };
        if (document.Adjusts is { } original)
        {
            general["adjustmentInvoiceType"] = "1";
            general["originalInvoiceId"] = original.Number; // as createInvoice answered it (series and number)
            general["originalInvoiceIssueDate"] = OriginalIssueDate(original);
            general["originalTemplateCode"] = original.TemplateCode;
            general["additionalReferenceDesc"] = "Hoàn/hủy thanh toán " + document.PaymentId;
            general["additionalReferenceDate"] = document.IssuedAt.ToUnixTimeSeconds() * 1000;
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

        // A void or refund decreases: every total and the tax breakdown say so, or the pre-tax total and the
        // breakdown would read as an increase (guide 6.7 and 6.8: null/true positive, false negative; Odoo sends
        // taxableAmountPos/taxAmountPos false on every adjustment).
        var positive = !adjustment;
        return new JsonObject
        {
            ["generalInvoiceInfo"] = general,
            ["buyerInfo"] = Buyer(document.Buyer),
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
                ["isTotalAmountPos"] = positive,
                ["isTotalAmtWithoutTaxPos"] = positive,
                ["isTotalTaxAmountPos"] = positive,
            },
            ["taxBreakdowns"] = new JsonArray(new JsonObject
            {
                ["taxPercentage"] = -2, ["taxableAmount"] = document.Total, ["taxAmount"] = 0, ["taxableAmountPos"] = positive, ["taxAmountPos"] = positive,
            }),
        };
    }

    // buyerName is a person's name; a company's registered name is buyerLegalName, which buyerTaxCode requires
    // (guide 6.4; Odoo sends the company as buyerLegalName). buyerTaxCode takes a Vietnamese or a foreign tax code of up
    // to 20 characters (HIS's model of the guide), so a person's 12-digit number goes as it is, with the name given for it.
    // buyerAddressLine is the buyer's invoicing address (at most 255 characters in HIS's model), sent when given.
    private static JsonObject Buyer(EDocumentBuyer buyer)
    {
        if (buyer.TaxCode is not { Length: > 0 } taxCode)
        {
            return new JsonObject { ["buyerName"] = buyer.Name, ["buyerCode"] = buyer.Code };
        }

        var company = new JsonObject { ["buyerLegalName"] = buyer.Name, ["buyerTaxCode"] = taxCode, ["buyerCode"] = buyer.Code };
        if (buyer.Address is { Length: > 0 } address)
        {
            company["buyerAddressLine"] = address;
        }

        return company;
    }

    // Viettel's documented payment method names: TM (cash), CK (transfer), TM/CK; a stored-value card is "other".
    private static string MethodName(string method) => method switch
    {
        "vietqr" => "CK",
        "external_card" => "CK",
        _ => "KHAC",
    };

    /// <summary>What one call answered (its status and its body when that is a JSON object), or why none was made.</summary>
    private readonly record struct Reply(HttpStatusCode Status, JsonObject? Body, IssueOutcome? Stop = null);
}
