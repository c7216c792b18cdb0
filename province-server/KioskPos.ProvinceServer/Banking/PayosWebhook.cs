using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// payOS: one POST per transaction paid into a payment request, <c>{code, desc, success, data: {orderCode, amount, description,
/// accountNumber, reference, transactionDateTime, currency, paymentLinkId, code, desc, counterAccount…,
/// virtualAccount…}, signature}</c>. The signature is inside the body: HMAC-SHA256 with the checksum key over
/// <c>data</c>'s keys sorted, <c>key=value</c> joined by <c>&amp;</c> (<see cref="CanonicalJson.PayosQuery"/>), hex.
/// So the body is read (bounded) before it is verified, and nothing is stored before. There is no timestamp in what
/// payOS signs: a replayed delivery is harmless only because the transaction is recorded once. Any 2xx answer stops
/// payOS; a <c>data.code</c> other than <c>00</c> is authentic but pays nothing. De-duplicated by the bank's
/// <c>reference</c>. The request's description is the payment's transfer code, so the one engine finds it in the text;
/// and <c>data.orderCode</c> names the province's own request (<see cref="PayosRequests"/>), whose transfer code is
/// added to the text before matching, for a bank that passed on payOS's words instead. <c>data.amount</c> is what this
/// transaction brought, not the request's amount: a short one is booked as underpaid like any provider's, and the
/// request is closed as paid only once its payment has received the request's amount
/// (<see cref="PayosRequests.CloseIfCoveredAsync"/>).
/// </summary>
internal sealed class PayosWebhook : IBankWebhook
{
    public string Provider => BankProviders.Payos;

    /// <summary>payOS's signature of <paramref name="data"/> with <paramref name="checksumKey"/>.</summary>
    public static string Sign(string checksumKey, JsonElement data) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(checksumKey), Encoding.UTF8.GetBytes(CanonicalJson.PayosQuery(data))));

    /// <summary>
    /// The <c>data</c> of payOS's webhook for a paid request, every field payOS sends, in its order (its documented
    /// example), for the simulators that post as payOS.
    /// </summary>
    public static JsonObject Data(long orderCode, long amount, string description, string accountNumber, string reference, string transactionDateTime, string paymentLinkId) => new()
    {
        ["orderCode"] = orderCode,
        ["amount"] = amount,
        ["description"] = description,
        ["accountNumber"] = accountNumber,
        ["reference"] = reference,
        ["transactionDateTime"] = transactionDateTime,
        ["currency"] = "VND",
        ["paymentLinkId"] = paymentLinkId,
        ["code"] = "00",
        ["desc"] = "success",
        ["counterAccountBankId"] = "",
        ["counterAccountBankName"] = "",
        ["counterAccountName"] = null,
        ["counterAccountNumber"] = "",
        ["virtualAccountName"] = "",
        ["virtualAccountNumber"] = "",
    };

    public BankRefusal? CheckHeaders(IHeaderDictionary headers, BankConnection connection, DateTimeOffset now) => null;

    public ProviderRead Read(byte[] body, IHeaderDictionary headers, BankConnection connection)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                return ProviderRead.Refused(BankRefusal.BadSignature("payOS signs data: the body has none.", "unsigned"));
            }

            // Text that is no text cannot be signed the way payOS signs (key=value over data's strings): unverifiable.
            if (BankWebhooks.Unreadable(root) is { } unreadable)
            {
                return ProviderRead.Refused(BankRefusal.BadSignature($"The signature cannot be checked: {BankWebhooks.UnreadableProblem(unreadable)}."));
            }

            var signature = SepayWebhook.Text(root, "signature").Trim().ToLowerInvariant();
            if (signature.Length == 0)
            {
                return ProviderRead.Refused(BankRefusal.BadSignature("signature is required.", "unsigned"));
            }

            if (!SepayWebhook.SecretsEqual(signature, Sign(connection.Secret, data)))
            {
                return ProviderRead.Refused(BankRefusal.BadSignature("The HMAC-SHA256 over data's sorted keys does not match."));
            }

            if (SepayWebhook.Text(data, "code") != "00")
            {
                return ProviderRead.Of(); // authentic, but not a payment
            }

            if (!BankProviders.TryGetWhole(data, "amount", out var value))
            {
                return ProviderRead.Refused(BankRefusal.Invalid("data.amount must be a whole number of đồng"));
            }

            var booked = BankProviders.ParseTime(SepayWebhook.Text(data, "transactionDateTime"));
            if (booked is null)
            {
                return ProviderRead.Refused(BankRefusal.Invalid(BankProviders.TimeProblem("data.transactionDateTime")));
            }

            var orderCode = SepayWebhook.Text(data, "orderCode");
            var reference = SepayWebhook.Text(data, "reference");
            var id = reference.Length > 0 ? reference : $"{orderCode}:{SepayWebhook.Text(data, "paymentLinkId")}";
            var description = SepayWebhook.Text(data, "description");
            var transfer = new IncomingTransfer(id, SepayWebhook.Text(data, "accountNumber"), value, description, booked.Value, Outgoing: false,
                OrderCode: BankProviders.TryGetWhole(data, "orderCode", out var order) ? order : null, Test: IsTest(data, reference));
            return transfer.Problem() is { } problem ? ProviderRead.Refused(BankRefusal.Invalid(problem)) : ProviderRead.Of(transfer);
        }
        catch (JsonException e)
        {
            return ProviderRead.Refused(BankRefusal.Invalid($"not JSON ({e.Message})"));
        }
    }

    public IResult Answer(IReadOnlyList<TransferResult> results) => Results.Json(new SuccessAnswer(true), ProvinceJsonContext.Default.SuccessAnswer);

    /// <summary>
    /// payOS's test delivery: when a webhook URL is confirmed, payOS posts its documented sample signed with the
    /// channel's checksum key (payos.vn/docs/du-lieu-tra-ve/webhook: orderCode 123, 3,000 đồng, "VQRIO123", reference
    /// TF230204212323, account 12345678). payOS's own WooCommerce plugin also takes reference MA_GIAO_DICH_THU_NGHIEM
    /// (Casso's test reference) as a test. Both are placeholders no bank issues as a reference.
    /// </summary>
    private static bool IsTest(JsonElement data, string reference) =>
        reference == "MA_GIAO_DICH_THU_NGHIEM"
        || (reference == "TF230204212323" && SepayWebhook.Text(data, "orderCode") == "123" && SepayWebhook.Text(data, "description") == "VQRIO123");
}
