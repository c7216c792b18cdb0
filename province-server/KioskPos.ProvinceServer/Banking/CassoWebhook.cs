using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// Casso. Webhook v2 posts <c>{error, data: {id, reference, description, amount, runningBalance,
/// transactionDateTime, accountNumber, bankName, …}}</c> signed in <c>X-Casso-Signature: t=&lt;ms&gt;,v1=&lt;hex&gt;</c>:
/// HMAC-SHA512 with the connection's key over <c>t + "." + </c> the whole body as JSON with every object's keys sorted
/// (<see cref="CanonicalJson.Sorted"/>; the documented example verifies so). The older webhook posts <c>{error, data:
/// [{id, tid, description, amount, when, bank_sub_acc_id, …}, …]}</c> with the key in a <c>secure-token</c> header.
/// Both are checked before the body is read where they can be (token, timestamp); a batch's transactions are each
/// de-duplicated on their own id; a negative amount is money out, acknowledged and ignored. Answered 200. A virtual
/// account the payer transferred to comes in v2's <c>virtualAccountNumber</c> beside the main account.
/// </summary>
internal sealed class CassoWebhook : IBankWebhook
{
    public const string SignatureHeader = "X-Casso-Signature";
    public const string TokenHeader = "secure-token";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public string Provider => BankProviders.Casso;

    /// <summary>The signature header's value for <paramref name="body"/> signed at <paramref name="milliseconds"/>.</summary>
    public static string Sign(string key, long milliseconds, JsonElement body) =>
        $"t={milliseconds.ToString(CultureInfo.InvariantCulture)},v1=" + Digest(key, milliseconds, body);

    private static string Digest(string key, long milliseconds, JsonElement body) =>
        Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(key),
            Encoding.UTF8.GetBytes(milliseconds.ToString(CultureInfo.InvariantCulture) + "." + CanonicalJson.Sorted(body))));

    public BankRefusal? CheckHeaders(IHeaderDictionary headers, BankConnection connection, DateTimeOffset now)
    {
        var signature = headers[SignatureHeader].ToString();
        if (signature.Length == 0)
        {
            var token = headers[TokenHeader].ToString();
            return token.Length == 0 ? BankRefusal.BadSignature($"Send {SignatureHeader} (t=…,v1=…) or {TokenHeader}.", "unsigned")
                : SepayWebhook.SecretsEqual(token, connection.Secret) ? null : BankRefusal.BadSignature("The secure token does not match.");
        }

        if (ParseSignature(signature) is not { } parsed)
        {
            return BankRefusal.BadSignature($"Send {SignatureHeader} as t=<milliseconds>,v1=<128 hex digits>.", "unsigned");
        }

        var skew = BankRefusal.Skew(parsed.Milliseconds, true, now);
        return skew > Tolerance ? BankRefusal.Stale(skew, Tolerance) : null;
    }

    public ProviderRead Read(byte[] body, IHeaderDictionary headers, BankConnection connection)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var signed = ParseSignature(headers[SignatureHeader].ToString());
            if (BankWebhooks.Unreadable(root) is { } unreadable)
            {
                // Under v2's signature the sorted JSON cannot be written, so the body is unverified (401); under the
                // secure token it is authentic but broken (400).
                return ProviderRead.Refused(signed is null ? BankRefusal.Invalid(BankWebhooks.UnreadableProblem(unreadable))
                    : BankRefusal.BadSignature($"The signature cannot be checked: {BankWebhooks.UnreadableProblem(unreadable)}."));
            }

            if (signed is { } parsed
                && !SepayWebhook.SecretsEqual(parsed.Hex, Digest(connection.Secret, parsed.Milliseconds, root)))
            {
                return ProviderRead.Refused(BankRefusal.BadSignature("The HMAC-SHA512 over t '.' sorted JSON does not match."));
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data))
            {
                return ProviderRead.Refused(BankRefusal.Invalid("data is required"));
            }

            var items = data.ValueKind switch
            {
                JsonValueKind.Object => [data],
                JsonValueKind.Array => data.EnumerateArray().ToList(),
                _ => null,
            };
            if (items is null || items.Count > 500)
            {
                return ProviderRead.Refused(BankRefusal.Invalid("data must be a transaction or a list of at most 500"));
            }

            var transfers = new List<IncomingTransfer>(items.Count);
            foreach (var item in items)
            {
                if (item.ValueKind != JsonValueKind.Object || !BankProviders.TryGetWhole(item, "amount", out var value))
                {
                    return ProviderRead.Refused(BankRefusal.Invalid("each transaction needs amount, a whole number of đồng"));
                }

                var id = SepayWebhook.Text(item, "id");
                var booked = BankProviders.ParseTime(First(item, "transactionDateTime", "when"));
                if (id.Length == 0)
                {
                    return ProviderRead.Refused(BankRefusal.Invalid("each transaction needs id"));
                }

                if (booked is null)
                {
                    return ProviderRead.Refused(BankRefusal.Invalid(BankProviders.TimeProblem("transactionDateTime (or when)")));
                }

                // Casso writes money out as a negative amount (ignored, never matched); no amount is a malformed one.
                var outgoing = value < 0;
                // The virtual account beside the main one: v2's documented virtualAccountNumber; the classic webhook's
                // deliveries kept in public repositories name it virtualAccount. ReceivingAccounts decides which is paid.
                var transfer = new IncomingTransfer(id, First(item, "accountNumber", "bank_sub_acc_id"), outgoing ? (value == long.MinValue ? long.MaxValue : -value) : value,
                    SepayWebhook.Text(item, "description"), booked.Value, outgoing, SubAccount: First(item, "virtualAccountNumber", "virtualAccount"), Test: IsTest(item, id));
                if (transfer.Problem() is { } problem && !outgoing)
                {
                    return ProviderRead.Refused(BankRefusal.Invalid(problem));
                }

                transfers.Add(transfer);
            }

            return new ProviderRead(null, transfers);
        }
        catch (JsonException e)
        {
            return ProviderRead.Refused(BankRefusal.Invalid($"not JSON ({e.Message})"));
        }
    }

    public IResult Answer(IReadOnlyList<TransferResult> results) => Results.Json(new SuccessAnswer(true), ProvinceJsonContext.Default.SuccessAnswer);

    /// <summary>
    /// Casso's test call ("Gọi thử" when a webhook is set up) posts its documented sample: id 0, reference (classic:
    /// tid) MA_GIAO_DICH_THU_NGHIEM, "giao dich thu nghiem", 599,000 đồng to 88888888 (developer.casso.vn, webhook
    /// v2's example). The reference is a placeholder no bank issues, and with id 0 it names no real transaction.
    /// </summary>
    private static bool IsTest(JsonElement item, string id) => id == "0" && First(item, "reference", "tid") == "MA_GIAO_DICH_THU_NGHIEM";

    private static string First(JsonElement item, string name, string fallback) =>
        SepayWebhook.Text(item, name) is { Length: > 0 } text ? text : SepayWebhook.Text(item, fallback);

    private static (long Milliseconds, string Hex)? ParseSignature(string header)
    {
        long? t = null;
        string? v1 = null;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(part.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                t = ms;
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal))
            {
                v1 = part[3..].ToLowerInvariant();
            }
        }

        return t is { } time && v1 is { Length: 128 } hex && hex.All(char.IsAsciiHexDigit) ? (time, hex) : null;
    }
}
