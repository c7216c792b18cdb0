using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Core.VietQr;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// One incoming transfer as each provider posts it to <c>/api/v1/bank/{provider}/{connection}</c>, signed with the
/// connection's secret the provider's way: SePay's body with <c>X-SePay-Timestamp</c> and the HMAC-SHA256 of
/// <c>timestamp.body</c>; payOS's <c>{code, desc, success, data, signature}</c> with the HMAC-SHA256 of data's sorted
/// keys (the order code of the payment's payOS request, derived from the transfer code in the text); Casso's webhook
/// v2 <c>{error, data: [...]}</c> with <c>X-Casso-Signature: t=…,v1=…</c>, the HMAC-SHA512 of <c>t.</c> and the
/// sorted JSON. For the demo's bank simulator only (<see cref="Apis.BankSimulator"/>): the tests sign independently.
/// </summary>
internal static class ProviderPosts
{
    /// <summary>The request that posts the transfer to <paramref name="server"/> as <paramref name="connection"/>'s provider would.</summary>
    public static HttpRequestMessage Create(Uri server, BankConnection connection, string transactionId, string account, long amount, string text, DateTimeOffset now)
    {
        var local = now.ToOffset(BankProviders.VietnamOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, $"/api/v1/bank/{connection.Provider}/{Uri.EscapeDataString(connection.Id)}"));
        string body;
        switch (connection.Provider)
        {
            case BankProviders.Sepay:
                body = new JsonObject
                {
                    ["id"] = NumericId(transactionId),
                    ["gateway"] = "Vietcombank",
                    ["transactionDate"] = local,
                    ["accountNumber"] = account,
                    ["code"] = null,
                    ["content"] = text,
                    ["transferType"] = "in",
                    ["transferAmount"] = amount,
                    ["accumulated"] = 0,
                    ["subAccount"] = null,
                    ["referenceCode"] = transactionId,
                    ["description"] = text,
                }.ToJsonString();
                var seconds = now.ToUnixTimeSeconds();
                request.Headers.Add(SepayWebhook.TimestampHeader, seconds.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(SepayWebhook.SignatureHeader, SepayWebhook.Sign(connection.Secret, seconds, Encoding.UTF8.GetBytes(body)));
                break;
            case BankProviders.Payos:
                var codes = TransferCode.FindIn(text);
                var data = PayosWebhook.Data(codes.Count > 0 ? PayosRequests.OrderCodeOf(codes[0]) : 0, amount, text, account, transactionId, local,
                    Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(transactionId)))[..32]);
                using (var signed = JsonDocument.Parse(data.ToJsonString()))
                {
                    body = new JsonObject { ["code"] = "00", ["desc"] = "success", ["success"] = true, ["data"] = data, ["signature"] = PayosWebhook.Sign(connection.Secret, signed.RootElement) }.ToJsonString();
                }

                break;
            case BankProviders.Casso:
                body = new JsonObject
                {
                    ["error"] = 0,
                    ["data"] = new JsonArray(new JsonObject
                    {
                        ["id"] = NumericId(transactionId),
                        ["reference"] = transactionId,
                        ["description"] = text,
                        ["amount"] = amount,
                        ["runningBalance"] = 0,
                        ["transactionDateTime"] = local,
                        ["accountNumber"] = account,
                        ["bankName"] = "Vietcombank",
                        ["bankAbbreviation"] = "VCB",
                        ["virtualAccountNumber"] = "",
                        ["virtualAccountName"] = "",
                        ["counterAccountName"] = "",
                        ["counterAccountNumber"] = "",
                        ["counterAccountBankId"] = "",
                        ["counterAccountBankName"] = "",
                    }),
                }.ToJsonString();
                using (var signed = JsonDocument.Parse(body))
                {
                    request.Headers.Add(CassoWebhook.SignatureHeader, CassoWebhook.Sign(connection.Secret, now.ToUnixTimeMilliseconds(), signed.RootElement));
                }

                break;
            default:
                throw new ArgumentException($"no sender for provider '{connection.Provider}'", nameof(connection));
        }

        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    // SePay and Casso number their transactions; a bank-style id (FT…) becomes a stable number, so a resend is a retry.
    private static long NumericId(string transactionId) =>
        long.TryParse(transactionId, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : (long)(BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(transactionId)), 0) % 1_000_000_000_000UL);
}
