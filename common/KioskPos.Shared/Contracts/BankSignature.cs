using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// How a bank-notification connection signs its webhooks: HMAC-SHA256 with the connection's secret over
/// <c>timestamp + "." + body</c> (the exact bytes sent), hex in <see cref="SignatureHeader"/> as <c>sha256=...</c>,
/// the Unix timestamp in <see cref="TimestampHeader"/>, the connection in <see cref="ConnectionHeader"/>. The
/// timestamp in the MAC stops a captured delivery from being replayed later; the tolerance bounds clock skew.
/// </summary>
public static class BankSignature
{
    /// <summary>Which connection (and so which secret) signed the request.</summary>
    public const string ConnectionHeader = "X-Bank-Connection";

    /// <summary>Unix seconds when the service signed it.</summary>
    public const string TimestampHeader = "X-Bank-Timestamp";

    /// <summary><c>sha256=</c> and 64 hex digits.</summary>
    public const string SignatureHeader = "X-Bank-Signature";

    /// <summary>How far the timestamp may be from the server's clock.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>The signature header's value for <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>True when <paramref name="signature"/> is the right one (compared in constant time).</summary>
    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string? signature)
    {
        if (signature is null)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        var given = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>Signs and sends <paramref name="body"/> as the service would: the request to post to the webhook.</summary>
    public static HttpRequestMessage CreateRequest(Uri webhook, string connectionId, string secret, byte[] body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(ConnectionHeader, connectionId);
        request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        return request;
    }
}
