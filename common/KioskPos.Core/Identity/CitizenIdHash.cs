using System.Security.Cryptography;
using System.Text;

namespace KioskPos.Core.Identity;

/// <summary>
/// What the province and its terminals keep of a citizen-ID number: HMAC-SHA256 under the province's key, as 64
/// lower-case hex digits. Without the key the hash cannot be tested against guessed numbers (the number space is
/// small and structured, so a plain hash could be reversed by trying them all); with it, a terminal finds the
/// patient a scanned card belongs to. The number itself is never stored.
/// </summary>
public static class CitizenIdHash
{
    /// <summary>The key's size in bytes.</summary>
    public const int KeyBytes = 32;

    // Domain separation: the same key must never give the same value for another kind of input.
    private static readonly byte[] s_label = Encoding.ASCII.GetBytes("kioskpos/cccd/v1:");

    /// <summary>The keyed hash of a valid number.</summary>
    /// <exception cref="ArgumentException">The number is not 12 digits, or the key is not <see cref="KeyBytes"/> bytes.</exception>
    public static string Compute(ReadOnlySpan<byte> key, string number)
    {
        if (!CitizenIdNumber.IsValid(number))
        {
            throw new ArgumentException("a citizen-ID number is 12 digits", nameof(number));
        }

        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"the key is {KeyBytes} bytes", nameof(key));
        }

        Span<byte> input = stackalloc byte[s_label.Length + 12];
        s_label.CopyTo(input);
        Encoding.ASCII.GetBytes(number, input[s_label.Length..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, input, mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>The key from its hex form (64 digits), or null when it is not one.</summary>
    public static byte[]? ParseKey(string? hex)
    {
        if (hex is not { Length: KeyBytes * 2 } || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return Convert.FromHexString(hex);
    }
}
