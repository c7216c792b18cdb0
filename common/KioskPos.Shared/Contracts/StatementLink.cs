using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// The phone link of a card's month statement (issue 27), printed as a QR on the kiosk's statement slip and shown on
/// its screen: <c>{province}/s/{account}/{yyyy-MM}?t={terminal}&amp;e={expires}&amp;k={signature}</c>. The terminal signs
/// account, month, expiry and its own id with its device key (ECDSA P-256, the key it signs its requests with); the
/// province verifies with the public key it enrolled, so the link works from a slip printed offline, names one account
/// and one month, cannot be made for another account without the key, and stops working at its expiry. The signed
/// text begins with its own label, so a link's signature is never a request's (whose base begins <c>"@method"</c>).
/// </summary>
public static class StatementLink
{
    /// <summary>The path segment of the page (<c>/s/…</c>).</summary>
    public const string PathPrefix = "/s/";

    /// <summary>The longest validity the province accepts (a link of the 1st works 92 days at most), so a link cannot be made to work for years.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(93);

    private const string Label = "kioskpos-statement-link-v1";

    /// <summary>The text the terminal signs.</summary>
    public static byte[] Message(string terminalId, string accountCode, string month, long expiresUnix) =>
        Encoding.UTF8.GetBytes(string.Join('\n', Label, terminalId, accountCode, month, expiresUnix.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The link's signature (base64url, no padding: 86 characters).</summary>
    public static string Sign(ECDsa key, string terminalId, string accountCode, string month, long expiresUnix) =>
        Convert.ToBase64String(key.SignData(Message(terminalId, accountCode, month, expiresUnix), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="signature"/> is the terminal's over the rest (false for anything malformed).</summary>
    public static bool Verify(ECDsa publicKey, string terminalId, string accountCode, string month, long expiresUnix, string signature)
    {
        if (signature.Length != 86)
        {
            return false;
        }

        var bytes = new byte[64];
        var padded = signature.Replace('-', '+').Replace('_', '/') + "==";
        return Convert.TryFromBase64String(padded, bytes, out var written) && written == 64 &&
            publicKey.VerifyData(Message(terminalId, accountCode, month, expiresUnix), bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>
    /// When a link made at <paramref name="localTime"/> stops working: the start of the third month after its own,
    /// local time (a December slip's link works through February). The same all month, so the screen's link and
    /// the slip's name the same expiry.
    /// </summary>
    public static DateTimeOffset ExpiresFor(DateTimeOffset localTime) => new DateTimeOffset(localTime.Year, localTime.Month, 1, 0, 0, 0, localTime.Offset).AddMonths(3);

    /// <summary>The month (<c>yyyy-MM</c>) <paramref name="localTime"/> falls in.</summary>
    public static string MonthOf(DateTimeOffset localTime) => localTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="month"/> is <c>yyyy-MM</c> (2000 to 2999).</summary>
    public static bool IsMonth(string? month) =>
        month is { Length: 7 } && month[4] == '-' && month.StartsWith('2') &&
        DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>The whole link under <paramref name="provinceBase"/>.</summary>
    public static string Url(string provinceBase, string terminalId, string accountCode, string month, long expiresUnix, string signature) =>
        $"{provinceBase.TrimEnd('/')}{PathPrefix}{Uri.EscapeDataString(accountCode)}/{month}?t={Uri.EscapeDataString(terminalId)}&e={expiresUnix.ToString(CultureInfo.InvariantCulture)}&k={signature}";
}
