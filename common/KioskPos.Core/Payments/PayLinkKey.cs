using System.Security.Cryptography;
using System.Text;

namespace KioskPos.Core.Payments;

/// <summary>
/// The key of a VietQR payment's link for a relative (issue 24): <c>{province}/p/{payment}?k={key}</c> opens, on any
/// phone, the province's page with the same QR. The key is derived from the full hash of the payment's journal entry,
/// which the terminal has the moment it journals the payment (offline too) and the province once the entry is pushed;
/// nobody else has it. It is not the receipt's lookup token (the first 12 hex digits of that same hash): the link is
/// shown on the kiosk's screen, where others may see it, and must not open the receipt that only the payer holds.
/// </summary>
public static class PayLinkKey
{
    /// <summary>How many hex digits the key has: 48 bits, for a link that lives as long as its QR (minutes).</summary>
    public const int Length = 12;

    private static readonly byte[] s_purpose = Encoding.ASCII.GetBytes("kioskpos pay link for a relative v1");

    /// <summary>The key of the payment whose journal entry has the hash <paramref name="entryHash"/> (hex, any case).</summary>
    public static string Derive(string entryHash)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entryHash);
        var mac = HMACSHA256.HashData(Encoding.ASCII.GetBytes(entryHash.Trim().ToLowerInvariant()), s_purpose);
        return Convert.ToHexStringLower(mac)[..Length];
    }

    /// <summary>True when <paramref name="key"/> is a key's shape: 12 lower-case hex digits.</summary>
    public static bool IsWellFormed(string? key) => key is { Length: Length } && key.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// Whether <paramref name="key"/> is the key of the entry hashed <paramref name="entryHash"/>, compared in fixed
    /// time so that the answer's timing tells nothing of how much of a guess was right.
    /// </summary>
    public static bool Matches(string? entryHash, string key) =>
        entryHash is { Length: > 0 } && IsWellFormed(key) &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Derive(entryHash)), Encoding.ASCII.GetBytes(key));
}
