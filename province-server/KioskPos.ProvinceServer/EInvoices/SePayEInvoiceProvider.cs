using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>
/// SePay's e-invoice API v1 (developer documentation "eInvoice API"). Operations followed:
/// <list type="bullet">
/// <item><c>POST {base}/v1/token</c> with HTTP Basic client_id:client_secret and an empty body:
/// <c>{success, data: {access_token, token_type, expires_in}}</c> (86,400 s); 401 for wrong credentials.</item>
/// <item><c>POST /v1/invoices/create</c> with <c>Authorization: Bearer</c>: reference_code (unique per unit: the
/// idempotency key), template_code, invoice_series, issued_date (<c>yyyy-MM-dd HH:mm:ss</c>, not after now),
/// currency, provider_account_id, payment_method (TM, CK, TM/CK, KHAC), buyer {name, tax_code, …}, items
/// [{line_number, line_type 1, item_code, item_name, unit, quantity, unit_price, tax_rate -2 "not subject to
/// tax"}], notes, is_draft false: <c>{success, data: {tracking_code, tracking_url, message}}</c>; 400 for missing
/// or invalid fields, 401 for a bad token, 500 when signing or submitting failed.</item>
/// <item><c>GET /v1/invoices/create/check/{tracking_code}</c>: <c>data.status</c> Pending, Success (with
/// <c>data.invoice</c>: reference_code, invoice_number, issued_date, status) or Failed (with <c>data.message</c>).</item>
/// <item><c>GET /v1/invoices/{reference_code}</c>: the invoice (200) or 404: the look-up before any retry.</item>
/// </list>
/// Errors are <c>{success: false, error: {code, message}}</c>. SePay's documented API has no adjusting document, so an
/// adjustment through SePay is refused here with that reason (the institution issues it on its provider's portal).
/// </summary>
public sealed class SePayEInvoiceProvider(IHttpClientFactory clients, TimeProvider time) : IEDocumentProvider
{
    /// <summary>The name in an institution's settings.</summary>
    public const string ProviderName = "sepay";

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => ProviderName;

    /// <inheritdoc/>
    public async Task<IssueOutcome> IssueAsync(EDocument document, ProviderAccount account, bool retry, CancellationToken cancellationToken)
    {
        if (document.Purpose == EDocumentPurpose.Adjustment)
        {
            return new IssueOutcome.Refused("SePay's e-invoice API documents no adjusting invoice: issue the adjustment on the provider's portal");
        }

        using var http = clients.CreateClient(EDocumentServices.HttpClientName);
        try
        {
            if (await TokenAsync(http, account, cancellationToken).ConfigureAwait(false) is not { } token)
            {
                return new IssueOutcome.Refused("HTTP 401: the provider refused client_id or client_secret");
            }

            if (retry && await FindAsync(http, account.BaseUrl, token, document.IdempotencyKey, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }

            using var create = new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, "v1/invoices/create"))
            {
                Content = new StringContent(Body(document, account).ToJsonString(), Encoding.UTF8, "application/json"),
            };
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(create, cancellationToken).ConfigureAwait(false);
            if (Transient(response.StatusCode) is { } later)
            {
                return later;
            }

            var answer = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                _tokens.TryRemove(Key(account), out _);
                return new IssueOutcome.Later("HTTP 401: the token was refused; a new one next time");
            }

            if (!response.IsSuccessStatusCode || answer?["success"]?.GetValue<bool>() != true)
            {
                return new IssueOutcome.Refused(Error(answer, response.StatusCode));
            }

            var tracking = Text(answer["data"]?["tracking_code"]);
            return tracking is null
                ? new IssueOutcome.Later("an answer without data.tracking_code")
                : await CheckAsync(http, account.BaseUrl, token, tracking, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return new IssueOutcome.Later("unreachable: " + e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new IssueOutcome.Later("no answer in time");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return new IssueOutcome.Later("an answer not as documented");
        }
    }

    private async Task<string?> TokenAsync(HttpClient http, ProviderAccount account, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(Key(account), out var cached) && cached.Until > now)
        {
            return cached.Token;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, "v1/token"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Username}:{account.Secret}")));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"token: HTTP {(int)response.StatusCode}");
        }

        var data = (await ReadAsync(response, cancellationToken).ConfigureAwait(false))?["data"];
        var token = Text(data?["access_token"]) ?? throw new JsonException("no access_token");
        var seconds = data?["expires_in"]?.GetValue<long>() ?? 3600;
        _tokens[Key(account)] = (token, now.AddSeconds(Math.Max(60, seconds - 300)));
        return token;
    }

    private async Task<IssueOutcome> CheckAsync(HttpClient http, Uri baseUrl, string token, string tracking, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "v1/invoices/create/check/" + Uri.EscapeDataString(tracking)));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (Transient(response.StatusCode) is { } later)
        {
            return later;
        }

        var data = (await ReadAsync(response, cancellationToken).ConfigureAwait(false))?["data"];
        return Text(data?["status"]) switch
        {
            "Success" when Issued(data?["invoice"]) is { } issued => issued,
            "Failed" => new IssueOutcome.Refused("Failed: " + (Text(data?["message"]) ?? "no message")),
            _ => new IssueOutcome.Later("the provider is still processing it (Pending)"),
        };
    }

    private static IssueOutcome? Issued(JsonNode? invoice) =>
        Text(invoice?["invoice_number"]) is { } number && Text(invoice?["status"]) is null or "issued"
            ? new IssueOutcome.Issued(number, Text(invoice?["reference_code"]) ?? string.Empty, Text(invoice?["issued_date"]) ?? string.Empty)
            : null;

    private async Task<IssueOutcome?> FindAsync(HttpClient http, Uri baseUrl, string token, string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "v1/invoices/" + Uri.EscapeDataString(reference)));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null; // never created: creating now is the first time
        }

        if (Transient(response.StatusCode) is { } later)
        {
            return later;
        }

        var data = (await ReadAsync(response, cancellationToken).ConfigureAwait(false))?["data"];
        return Issued(data) ?? new IssueOutcome.Later("created, not issued yet");
    }

    private static IssueOutcome? Transient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            ? new IssueOutcome.Later($"HTTP {(int)status}")
            : null;

    private static string Error(JsonNode? answer, HttpStatusCode status) =>
        $"{Text(answer?["error"]?["code"]) ?? "HTTP " + (int)status}: {Text(answer?["error"]?["message"]) ?? string.Empty}".TrimEnd(' ', ':');

    private static string Key(ProviderAccount account) => account.BaseUrl + "|" + account.Username;

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    /// <summary>The create body of <paramref name="document"/>.</summary>
    internal static JsonObject Body(EDocument document, ProviderAccount account)
    {
        var items = new JsonArray();
        var line = 0;
        foreach (var l in document.Lines)
        {
            items.Add(new JsonObject
            {
                ["line_number"] = ++line,
                ["line_type"] = 1,
                ["item_code"] = document.PaymentId + "-" + line.ToString(CultureInfo.InvariantCulture),
                ["item_name"] = l.Title,
                ["unit"] = "Lần",
                ["quantity"] = 1,
                ["unit_price"] = l.Amount,
                ["tax_rate"] = -2,
            });
        }

        return new JsonObject
        {
            ["reference_code"] = document.IdempotencyKey,
            ["template_code"] = document.TemplateCode,
            ["invoice_series"] = document.Series,
            ["issued_date"] = document.IssuedAt.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["currency"] = "VND",
            ["provider_account_id"] = account.AccountId,
            ["payment_method"] = document.PaymentMethod is "vietqr" or "external_card" ? "CK" : "KHAC",
            ["buyer"] = new JsonObject { ["name"] = document.Buyer.Name, ["tax_code"] = document.Buyer.TaxCode, ["code"] = document.Buyer.Code },
            ["items"] = items,
            ["notes"] = $"Thanh toán {document.PaymentId}. Bằng chữ: {document.AmountInWords}",
            ["is_draft"] = false,
        };
    }
}
