using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KioskPos.Core.VietQr;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// The three services as their documentation and client libraries sign, written here independently of the server's
/// adapters: SePay's HMAC-SHA256 over <c>timestamp.body</c> (or its API key header), payOS's HMAC-SHA256 over the
/// sorted <c>key=value&amp;…</c> of <c>data</c> (its node and python libraries), Casso's HMAC-SHA512 over
/// <c>t.</c> and the body's JSON with keys sorted (its documented PHP example).
/// </summary>
internal static class ProviderSenders
{
    public const string SepayKey = "sepay-test-key-0123456789abcdef";
    public const string PayosChecksum = "payos-test-checksum-0123456789abcdef";
    public const string CassoKey = "casso-test-key-0123456789abcdef";

    private static readonly JsonSerializerOptions s_js = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>SePay's documented example body, with this test's id, account, amount, text and direction.</summary>
    public static string SepayBody(long id, string account, long amount, string content, string transferType = "in", DateTimeOffset? at = null, string? subAccount = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = id,
            ["gateway"] = "Vietcombank",
            ["transactionDate"] = (at ?? DateTimeOffset.UtcNow).ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["accountNumber"] = account,
            ["code"] = null,
            ["content"] = content,
            ["transferType"] = transferType,
            ["transferAmount"] = amount,
            ["accumulated"] = 19077000,
            ["subAccount"] = subAccount,
            ["referenceCode"] = "MBVCB.3278907687",
            ["description"] = "",
        }, s_js);

    /// <summary>SePay's HMAC header value: <c>sha256=</c> and HMAC-SHA256(secret, timestamp + "." + body) in hex.</summary>
    public static string SepaySignature(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    public static HttpRequestMessage SepayRequest(Uri server, string connection, string body, string? secret = SepayKey, long? timestamp = null, bool apiKey = false)
    {
        var request = Post(server, "sepay", connection, body);
        if (apiKey)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Apikey " + secret);
        }
        else if (secret is not null)
        {
            var t = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            request.Headers.Add("X-SePay-Timestamp", t.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-SePay-Signature", SepaySignature(secret, t, body));
        }

        return request;
    }

    /// <summary>payOS's documented webhook data, with this test's order, amount, account, text and reference.</summary>
    public static SortedDictionary<string, object?> PayosData(long orderCode, long amount, string account, string description, string reference, string code = "00") =>
        new(StringComparer.Ordinal)
        {
            ["orderCode"] = orderCode,
            ["amount"] = amount,
            ["description"] = description,
            ["accountNumber"] = account,
            ["reference"] = reference,
            ["transactionDateTime"] = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["currency"] = "VND",
            ["paymentLinkId"] = "124c33293c43417ab7879e14c8d9eb18",
            ["code"] = code,
            ["desc"] = code == "00" ? "Thành công" : "Thất bại",
            ["counterAccountBankId"] = "",
            ["counterAccountBankName"] = "",
            ["counterAccountName"] = null,
            ["counterAccountNumber"] = "",
            ["virtualAccountName"] = "",
            ["virtualAccountNumber"] = "",
        };

    /// <summary>payOS's signature as its libraries compute it: keys sorted, <c>key=value</c> joined by <c>&amp;</c>, null as empty, HMAC-SHA256 hex.</summary>
    public static string PayosSignature(string checksumKey, IReadOnlyDictionary<string, object?> data)
    {
        var query = string.Join('&', data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? string.Empty}"));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(checksumKey), Encoding.UTF8.GetBytes(query)));
    }

    public static string PayosBody(IReadOnlyDictionary<string, object?> data, string signature) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["code"] = "00", ["desc"] = "success", ["success"] = true, ["data"] = data, ["signature"] = signature }, s_js);

    /// <summary>Casso's webhook v2 body, its documented example's fields with this test's id, account, amount and text.</summary>
    public static Dictionary<string, object?> CassoTransaction(long id, string account, long amount, string description, string virtualAccount = "") => new()
    {
        ["id"] = id,
        ["reference"] = "FT" + id,
        ["description"] = description,
        ["amount"] = amount,
        ["runningBalance"] = 25000000,
        ["transactionDateTime"] = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        ["accountNumber"] = account,
        ["bankName"] = "Vietcombank",
        ["bankAbbreviation"] = "VCB",
        ["virtualAccountNumber"] = virtualAccount,
        ["virtualAccountName"] = "",
        ["counterAccountName"] = "NGUYEN VAN A",
        ["counterAccountNumber"] = "8888888888",
        ["counterAccountBankId"] = "970415",
        ["counterAccountBankName"] = "VietinBank",
    };

    /// <summary>Casso's header as its documented example verifies it: HMAC-SHA512(key, t + "." + JSON with keys sorted at every depth).</summary>
    public static string CassoSignature(string key, long milliseconds, object body)
    {
        var sorted = JsonSerializer.Serialize(Sort(JsonSerializer.SerializeToElement(body, s_js)), s_js);
        return $"t={milliseconds},v1=" + Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{milliseconds}.{sorted}")));
    }

    public static HttpRequestMessage CassoRequest(Uri server, string connection, object body, string? key = CassoKey, long? milliseconds = null)
    {
        var request = Post(server, "casso", connection, JsonSerializer.Serialize(body, s_js));
        if (key is not null)
        {
            request.Headers.Add("X-Casso-Signature", CassoSignature(key, milliseconds ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), body));
        }

        return request;
    }

    public static HttpRequestMessage Post(Uri server, string provider, string connection, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, $"/api/v1/bank/{provider}/{connection}")) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return request;
    }

    public static async Task<(int Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        using var http = new HttpClient();
        using (request)
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    /// <summary>Creates a connection through the admin API.</summary>
    public static async Task PutConnectionAsync(ProvinceHost province, string id, string provider, string secret, string account = ProvinceHost.SchoolAccount, string? apiKey = null, string? apiBaseUrl = null)
    {
        using var response = await province.Admin.PutAsJsonAsync($"/api/v1/admin/bank/connections/{id}",
            new { provider, institutionId = "TG-THCS-NGUYENDU", accountNumber = account, secret, apiKey, apiBaseUrl });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static object? Sort(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new SortedDictionary<string, object?>(element.EnumerateObject().ToDictionary(p => p.Name, p => Sort(p.Value)), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(Sort).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

/// <summary>A VietQR payment waiting for the bank, as a terminal's pushed entry leaves it in the province's ledger.</summary>
internal static class PendingPayments
{
    private static int s_sequence = Random.Shared.Next(1000, 100_000);

    /// <summary>
    /// Creates one for <paramref name="amount"/> đồng on the demo school's account, for a bill of its own of that total
    /// (the matching engine credits a bill at most what it owes, so tests sharing one bill would pay it off for each
    /// other), or for <paramref name="billId"/> when given; returns its id and transfer code.
    /// </summary>
    public static async Task<(string PaymentId, string TransferCode)> CreateAsync(ProvinceHost province, long amount, string? billId = null)
    {
        var sequence = Interlocked.Increment(ref s_sequence);
        var code = TransferCode.Create(30_000, sequence).Value;
        var id = $"P-TEST-{sequence}";
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await province.ExecuteAsync("INSERT INTO terminals (id, institution_id, name, qr_tag) VALUES ('KP-TEST-QR', 'TG-THCS-NGUYENDU', 'test QR terminal', 30000) ON CONFLICT DO NOTHING");
        await province.ExecuteAsync("INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ('KP-TEST-QR', $s, 'payment', '', '{}', 'ok', $now)",
            ("$s", sequence), ("$now", now));
        await province.ExecuteAsync(
            """
            INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, transfer_code, expires_at)
            VALUES ($id, 'KP-TEST-QR', $s, 'TG-THCS-NGUYENDU', 'HS240001', 'vietqr', $a, $now, $now, 'pending', 0, $c, $exp)
            """,
            ("$id", id), ("$s", sequence), ("$a", amount), ("$now", now), ("$c", code), ("$exp", DateTimeOffset.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture)));
        if (billId is null)
        {
            billId = $"BT-TEST-{sequence}";
            await province.ExecuteAsync(
                "INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($b, 'TG-THCS-NGUYENDU', 'HS240001', 'ban_tru', 'test bill', '2026-11-30', $a, 0, 0)",
                ("$b", billId), ("$a", amount));
        }

        await province.ExecuteAsync("INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($id, $b, $a)", ("$id", id), ("$b", billId), ("$a", amount));
        return (id, code);
    }

    public static async Task<(string State, long Received, long Transfers)> StateAsync(ProvinceHost province, string paymentId)
    {
        var state = (string)(await province.ScalarAsync("SELECT state FROM payments WHERE id = $id", ("$id", paymentId)))!;
        var received = Convert.ToInt64(await province.ScalarAsync("SELECT received FROM payments WHERE id = $id", ("$id", paymentId)), CultureInfo.InvariantCulture);
        var transfers = Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE payment_id = $id", ("$id", paymentId)), CultureInfo.InvariantCulture);
        return (state, received, transfers);
    }

    public static async Task<long> TransfersAsync(ProvinceHost province, string connection) =>
        Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE connection_id = $c", ("$c", connection)), CultureInfo.InvariantCulture);
}
