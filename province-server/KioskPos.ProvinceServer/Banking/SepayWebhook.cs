using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// SePay: one POST per transaction, <c>{id, gateway, transactionDate, accountNumber, code, content, transferType,
/// transferAmount, accumulated, subAccount, referenceCode, description}</c>. Authenticated either by
/// <c>Authorization: Apikey &lt;key&gt;</c> or by HMAC-SHA256 over <c>timestamp + "." + body</c> in
/// <c>X-SePay-Signature: sha256=&lt;hex&gt;</c> with the Unix seconds in <c>X-SePay-Timestamp</c>, at most 5 minutes
/// off. Answered <c>200 {"success": true}</c>, or SePay retries (7 times over about half an hour). De-duplicated by
/// <c>id</c>; <c>transferType: out</c> is acknowledged and ignored.
/// </summary>
internal sealed class SepayWebhook : IBankWebhook
{
    public const string SignatureHeader = "X-SePay-Signature";
    public const string TimestampHeader = "X-SePay-Timestamp";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public string Provider => BankProviders.Sepay;

    /// <summary>The signature header's value for <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public BankRefusal? CheckHeaders(IHeaderDictionary headers, BankConnection connection, DateTimeOffset now)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Apikey ", StringComparison.OrdinalIgnoreCase))
        {
            return SecretsEqual(authorization[7..].Trim(), connection.Secret) ? null : BankRefusal.BadSignature("The API key does not match.");
        }

        var signature = headers[SignatureHeader].ToString().Trim();
        if (signature.Length == 0)
        {
            return BankRefusal.BadSignature($"Send Authorization: Apikey <key>, or {SignatureHeader} and {TimestampHeader}.", "unsigned");
        }

        if (!long.TryParse(headers[TimestampHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return new BankRefusal(StatusCodes.Status401Unauthorized, "missing_timestamp", $"Send {TimestampHeader} as Unix seconds.");
        }

        var skew = BankRefusal.Skew(timestamp, false, now);
        return skew > Tolerance ? BankRefusal.Stale(skew, Tolerance) : null;
    }

    public ProviderRead Read(byte[] body, IHeaderDictionary headers, BankConnection connection)
    {
        var signature = headers[SignatureHeader].ToString().Trim();
        if (signature.Length > 0 && !headers.Authorization.ToString().StartsWith("Apikey ", StringComparison.OrdinalIgnoreCase))
        {
            var timestamp = long.Parse(headers[TimestampHeader].ToString(), CultureInfo.InvariantCulture);
            if (!SecretsEqual(signature.ToLowerInvariant(), Sign(connection.Secret, timestamp, body)))
            {
                return ProviderRead.Refused(BankRefusal.BadSignature("The HMAC-SHA256 over timestamp '.' body does not match."));
            }
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (BankWebhooks.Unreadable(root) is { } unreadable)
            {
                return ProviderRead.Refused(BankRefusal.Invalid(BankWebhooks.UnreadableProblem(unreadable)));
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var id) || id.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
            {
                return ProviderRead.Refused(BankRefusal.Invalid("id is required"));
            }

            if (!BankProviders.TryGetWhole(root, "transferAmount", out var value))
            {
                return ProviderRead.Refused(BankRefusal.Invalid("transferAmount must be a whole number of đồng"));
            }

            var outgoing = Text(root, "transferType").Equals("out", StringComparison.OrdinalIgnoreCase);
            var booked = BankProviders.ParseTime(Text(root, "transactionDate"));
            if (booked is null)
            {
                return ProviderRead.Refused(BankRefusal.Invalid(BankProviders.TimeProblem("transactionDate")));
            }

            // The code SePay extracted (its configured prefix) goes with the text, so either carries the transfer code.
            var description = string.Join(' ', new[] { Text(root, "content"), Text(root, "code") }.Where(t => t.Length > 0));
            // subAccount: the VA the payer transferred to, or a memo VA's code (ReceivingAccounts decides which).
            var transfer = new IncomingTransfer(id.ValueKind == JsonValueKind.Number ? id.GetRawText() : id.GetString()!, Text(root, "accountNumber"), value, description, booked.Value, outgoing,
                SubAccount: Text(root, "subAccount"));
            return transfer.Problem() is { } problem && !outgoing ? ProviderRead.Refused(BankRefusal.Invalid(problem)) : ProviderRead.Of(transfer);
        }
        catch (JsonException e)
        {
            return ProviderRead.Refused(BankRefusal.Invalid($"not JSON ({e.Message})"));
        }
    }

    public IResult Answer(IReadOnlyList<TransferResult> results) => Results.Json(new SuccessAnswer(true), ProvinceJsonContext.Default.SuccessAnswer, statusCode: StatusCodes.Status200OK);

    internal static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => string.Empty,
        } : string.Empty;

    internal static bool SecretsEqual(string given, string expected) =>
        expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}

/// <summary>SePay's expected answer.</summary>
public sealed record SuccessAnswer(bool Success);
