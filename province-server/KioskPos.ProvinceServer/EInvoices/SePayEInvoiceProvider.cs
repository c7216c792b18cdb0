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
/// currency, provider_account_id, payment_method (TM, CK, TM/CK, KHAC), buyer {type, name, legal_name, tax_code,
/// address, buyer_code, national_id, …}, items
/// [{line_number, line_type 1, item_code, item_name, unit, quantity, unit_price, tax_rate -2 "not subject to
/// tax"}], notes, is_draft false: <c>{success, data: {tracking_code, tracking_url, message}}</c>; 400 for missing
/// or invalid fields, 401 for a bad token, 500 when signing or submitting failed.</item>
/// <item><c>GET /v1/invoices/create/check/{tracking_code}</c>: <c>data.status</c> Pending, Success (with
/// <c>data.invoice</c>: reference_code, invoice_number, issued_date, status) or Failed (with <c>data.message</c>).</item>
/// <item><c>GET /v1/invoices/{reference_code}</c>: the invoice (200; status draft, issued or cancelled, and the
/// e-invoice provider's provider_status) or 404 "Invoice not found", also while the job that makes it is still running:
/// the look-up before a retry of a create whose answer was lost.</item>
/// </list>
/// Errors are <c>{success: false, error: {code, message}}</c>. SePay's developer documentation now describes an adjusting
/// invoice too ("API xuất hóa đơn điều chỉnh": <c>adjustment_type</c> increase, decrease, combined or info, the original
/// named by its <c>original_invoice_reference_code</c>), which this adapter does not send yet: its endpoint and its lines'
/// form were not verified here. An adjustment through SePay is refused with that reason (the institution issues it
/// on its provider's portal).
/// <para>
/// The create is asynchronous: the invoice is not found under its reference_code until SePay's job is done, so a
/// create it accepted is answered <see cref="IssueOutcome.Accepted"/> with the tracking code, and every later attempt
/// polls that job; it never creates again (a second create would be refused as a duplicate, or make a second
/// invoice). A create whose own answer was lost leaves no tracking code: the next attempt looks the reference_code up,
/// creates again while it is not found, and takes a refusal of that create (the reference_code already taken by the
/// running job) as "later", never as a refusal. Any answer not of the documented shape (not an object, fields of other types) is "later" with the
/// reason, never an exception; a 401 on any call drops the cached token, so the next attempt takes a new one.
/// </para>
/// </summary>
public sealed class SePayEInvoiceProvider(IHttpClientFactory clients, TimeProvider time) : IEDocumentProvider
{
    /// <summary>The name in an institution's settings.</summary>
    public const string ProviderName = "sepay";

    private const string NotAsDocumented = "an answer not as documented";

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => ProviderName;

    /// <inheritdoc/>
    public async Task<IssueOutcome> IssueAsync(EDocument document, ProviderAccount account, IssueAttempt attempt, CancellationToken cancellationToken)
    {
        if (document.Purpose == EDocumentPurpose.Adjustment)
        {
            return new IssueOutcome.Refused("This adapter does not send SePay adjusting invoices yet: issue the adjustment on the provider's portal");
        }

        using var http = clients.CreateClient(EDocumentServices.HttpClientName);
        try
        {
            var (token, failed) = await TokenAsync(http, account, cancellationToken).ConfigureAwait(false);
            if (token is null)
            {
                return failed!;
            }

            if (attempt.Tracking is { } accepted)
            {
                return await CheckAsync(http, account, token, accepted, document.IdempotencyKey, cancellationToken).ConfigureAwait(false);
            }

            if (attempt.Retry && await FindAsync(http, account, token, document.IdempotencyKey, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }

            using var create = new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, "v1/invoices/create"))
            {
                Content = new StringContent(Body(document, account).ToJsonString(), Encoding.UTF8, "application/json"),
            };
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(create, cancellationToken).ConfigureAwait(false);
            if (Unauthorised(response, account) is { } refusedToken)
            {
                return refusedToken;
            }

            if (Transient(response.StatusCode) is { } later)
            {
                return later;
            }

            var answer = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || (answer is not null && Bool(answer["success"]) == false))
            {
                // reference_code is unique, and a create whose answer was lost may have been taken: its job runs, the
                // look-up above answers 404 until the job is done, and this create is refused as a duplicate with the
                // same 400 BAD_REQUEST as any invalid field. After an attempt that may have reached SePay the two cannot
                // be told apart, so the document waits and the next attempt looks its reference_code up again. Refused
                // here, an invoice SePay issues would stay unrecorded and invite a second one by hand.
                var error = Error(answer, response.StatusCode);
                return attempt.Retry
                    ? new IssueOutcome.Later("create refused after an attempt that may have reached SePay (its reference_code taken while the job runs?), looked up again next time: " + error)
                    : new IssueOutcome.Refused(error);
            }

            return Bool(answer?["success"]) != true ? new IssueOutcome.Later(NotAsDocumented)
                : Text(Object(answer!["data"])?["tracking_code"]) is not { } tracking ? new IssueOutcome.Later("an answer without data.tracking_code")
                : await CheckAsync(http, account, token, tracking, document.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // Unreachable, or an answer longer than the client reads (EDocumentServices.MaxAnswerBytes).
            return new IssueOutcome.Later("no answer read: " + e.Message);
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

    /// <summary>A token, cached per account until shortly before it expires; or, without one, what to answer.</summary>
    private async Task<(string? Token, IssueOutcome? Failed)> TokenAsync(HttpClient http, ProviderAccount account, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(Key(account), out var cached) && cached.Until > now)
        {
            return (cached.Token, null);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, "v1/token"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Username}:{account.Secret}")));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return (null, new IssueOutcome.Refused("HTTP 401: the provider refused client_id or client_secret"));
        }

        if (!response.IsSuccessStatusCode)
        {
            return (null, new IssueOutcome.Later($"token: HTTP {(int)response.StatusCode}"));
        }

        var data = Object((await ReadAsync(response, cancellationToken).ConfigureAwait(false))?["data"]);
        if (Text(data?["access_token"]) is not { } token)
        {
            return (null, new IssueOutcome.Later("token: " + NotAsDocumented));
        }

        // Documented as 86,400 s; whatever number comes, the token is kept between one minute and a day, ending five minutes early.
        var seconds = Long(data!["expires_in"]) ?? 3600;
        _tokens[Key(account)] = (token, now.AddSeconds(Math.Clamp(seconds - 300, 60, 86_400)));
        return (token, null);
    }

    /// <summary>The job of an accepted create: issued, failed (refused), or still being made (accepted, polled again).</summary>
    private async Task<IssueOutcome> CheckAsync(HttpClient http, ProviderAccount account, string token, string tracking, string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(account.BaseUrl, "v1/invoices/create/check/" + Uri.EscapeDataString(tracking)));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (Unauthorised(response, account) is { } refusedToken)
        {
            return new IssueOutcome.Accepted(tracking, refusedToken.Reason);
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // SePay no longer knows the job: the invoice itself is the answer, and while it is not found, still later.
            return await FindAsync(http, account, token, reference, cancellationToken).ConfigureAwait(false) is { } found and not IssueOutcome.Later
                ? found
                : new IssueOutcome.Accepted(tracking, "the job is not known and the invoice not found under its reference_code yet");
        }

        if (!response.IsSuccessStatusCode)
        {
            return new IssueOutcome.Accepted(tracking, $"check: HTTP {(int)response.StatusCode}");
        }

        var data = Object((await ReadAsync(response, cancellationToken).ConfigureAwait(false))?["data"]);
        return Text(data?["status"]) switch
        {
            "Success" => Issued(data!["invoice"]) is { } issued ? issued : new IssueOutcome.Accepted(tracking, "Success, with an invoice not as documented"),
            "Failed" => new IssueOutcome.Refused("Failed: " + (Text(data!["message"]) ?? "no message")),
            "Pending" => new IssueOutcome.Accepted(tracking, "the provider is still making it (Pending)"),
            _ => new IssueOutcome.Accepted(tracking, "check: " + NotAsDocumented),
        };
    }

    /// <summary>
    /// An invoice as SePay describes it: <c>status</c> draft, issued or cancelled, and the e-invoice provider's own
    /// <c>provider_status</c> (1 draft, 2 signing error, 3 not sent to the tax authority, 4 code granted or received, 5 no
    /// answer from the tax authority yet, 6 not eligible for a code, 7-9 the 04/SS notice). A cancelled invoice, or
    /// one that failed signing or was not granted its code, is no valid document: refused with the reason, for the
    /// accountant to see, never recorded as issued nor waited for. Null when it is not of the documented shape.
    /// </summary>
    private static IssueOutcome? Issued(JsonNode? node)
    {
        if (Object(node) is not { } invoice)
        {
            return null;
        }

        var number = Text(invoice["invoice_number"]) ?? Long(invoice["invoice_number"])?.ToString(CultureInfo.InvariantCulture);
        var status = Text(invoice["status"]);
        if (status == "cancelled")
        {
            return new IssueOutcome.Refused($"cancelled at SePay: the invoice {number ?? "without a number"} under this reference_code is not valid; a replacement is issued on the provider's portal");
        }

        if (number is null)
        {
            return null;
        }

        if (status is not null && status != "issued")
        {
            return new IssueOutcome.Later($"found as '{status}', not issued yet");
        }

        return (Text(invoice["provider_status"]) ?? Long(invoice["provider_status"])?.ToString(CultureInfo.InvariantCulture)) switch
        {
            "2" => new IssueOutcome.Refused($"provider_status 2 (signing error): invoice {number} was not signed by the e-invoice provider; see the provider's portal"),
            "6" => new IssueOutcome.Refused($"provider_status 6 (not eligible for a tax authority code): invoice {number} was not granted its code; see the provider's portal"),
            _ => new IssueOutcome.Issued(number, Text(invoice["reference_code"]) ?? string.Empty, Text(invoice["issued_date"]) ?? string.Empty),
        };
    }

    /// <summary>The invoice under its reference_code: issued, found but not issued (later), or null when there is none (404).</summary>
    private async Task<IssueOutcome?> FindAsync(HttpClient http, ProviderAccount account, string token, string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(account.BaseUrl, "v1/invoices/" + Uri.EscapeDataString(reference)));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (Unauthorised(response, account) is { } refusedToken)
        {
            return refusedToken;
        }

        if (!response.IsSuccessStatusCode)
        {
            return new IssueOutcome.Later($"look-up: HTTP {(int)response.StatusCode}");
        }

        var answer = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return Issued(answer?["data"]) ?? new IssueOutcome.Later("look-up: " + NotAsDocumented);
    }

    /// <summary>A 401 on a call with a token: the token is dropped (revoked, or the secret changed), and the next attempt takes a new one.</summary>
    private IssueOutcome.Later? Unauthorised(HttpResponseMessage response, ProviderAccount account)
    {
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return null;
        }

        _tokens.TryRemove(Key(account), out _);
        return new IssueOutcome.Later("HTTP 401: the token was refused; a new one next time");
    }

    private static IssueOutcome? Transient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            ? new IssueOutcome.Later($"HTTP {(int)status}")
            : null;

    private static string Error(JsonObject? answer, HttpStatusCode status)
    {
        var error = Object(answer?["error"]);
        return $"{Text(error?["code"]) ?? "HTTP " + (int)status}: {Text(error?["message"]) ?? string.Empty}".TrimEnd(' ', ':');
    }

    private static string Key(ProviderAccount account) => account.BaseUrl + "|" + account.Username;

    /// <summary>The answer's JSON object; null when the body is empty or JSON of another kind. Read as UTF-8 bytes, whatever charset it claims.</summary>
    private static async Task<JsonObject?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return bytes.Length == 0 ? null : JsonNode.Parse(bytes) as JsonObject;
    }

    // Readers of the documented shape that answer null for anything else, never throw: an indexer on a node that is not
    // an object, or GetValue of another type, would.
    private static JsonObject? Object(JsonNode? node) => node as JsonObject;

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static bool? Bool(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var b) ? b : null;

    private static long? Long(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var n) ? n : null;

    // The documented buyer: type (personal, company), name, legal_name (a company's), tax_code, address, email, phone,
    // buyer_code (the customer's code: the pupil or patient code) and national_id (a person's citizen-ID number). A
    // tax code of 10 or 10-3 digits is an organisation's: type company, its name as legal_name too. A person's 12-digit
    // personal identification number, their tax code since Circular 86/2024, is sent as national_id. Address when given.
    private static JsonObject Buyer(EDocumentBuyer buyer)
    {
        var json = new JsonObject();
        if (buyer.TaxCode is not { Length: > 0 } tax)
        {
            json["type"] = "personal";
            json["name"] = buyer.Name;
        }
        else if (EDocumentApi.IsPersonalNumber(tax))
        {
            json["type"] = "personal";
            json["name"] = buyer.Name;
            json["national_id"] = tax;
        }
        else
        {
            json["type"] = "company";
            json["name"] = buyer.Name;
            json["legal_name"] = buyer.Name;
            json["tax_code"] = tax;
        }

        json["buyer_code"] = buyer.Code;
        if (buyer.Address is { Length: > 0 } address)
        {
            json["address"] = address;
        }

        return json;
    }

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
            ["buyer"] = Buyer(document.Buyer),
            ["items"] = items,
            ["notes"] = $"Thanh toán {document.PaymentId}. Bằng chữ: {document.AmountInWords}",
            ["is_draft"] = false,
        };
    }
}
