namespace KioskPos.Core.Domain;

/// <summary>
/// Card UIDs as the terminal stores and compares them: upper-case hex, no separators. ISO 14443A cards have
/// 4, 7 or 10-byte UIDs; the 125 kHz modules read 5 bytes.
/// </summary>
public static class CardUid
{
    /// <summary>Normalises <c>04:a1:b2:c3</c>, <c>04 A1 B2 C3</c> or <c>04a1b2c3</c> to <c>04A1B2C3</c>.</summary>
    /// <returns>False when the text is not 4, 5, 7 or 10 bytes of hex.</returns>
    public static bool TryNormalise(string? text, out string uid)
    {
        uid = string.Empty;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40)
        {
            return false;
        }

        var hex = new string(text.Where(c => c is not (':' or ' ' or '-')).ToArray()).ToUpperInvariant();
        if (hex.Length is not (8 or 10 or 14 or 20) || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        uid = hex;
        return true;
    }

    /// <summary>Formats raw UID bytes as the normalised text.</summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

/// <summary>Payer codes as the terminal stores and compares them.</summary>
public static class PayerCode
{
    /// <summary>Trims and upper-cases a typed payer code; accepts letters, digits and '-', 3 to 32 characters.</summary>
    public static bool TryNormalise(string? text, out string code)
    {
        code = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var candidate = text.Trim().ToUpperInvariant();
        if (candidate.Length is < 3 or > 32 || !candidate.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return false;
        }

        code = candidate;
        return true;
    }
}
