using System.Buffers.Binary;
using System.Globalization;

namespace KioskPos.Firmware.Readers;

/// <summary>
/// How a reader that types or sends text writes a card's UID. Cheap readers differ by model (and often by a DIP
/// switch): the technician picks the one that shows a known card's UID in the self-test.
/// </summary>
public enum CardNumberFormat
{
    /// <summary>The UID in hex (8, 10, 14 or 20 digits).</summary>
    Hex,

    /// <summary>The 4-byte UID as a 10-digit zero-padded decimal, first UID byte most significant ("10 digit dec").</summary>
    DecimalBigEndian,

    /// <summary>The 4-byte UID as a 10-digit zero-padded decimal, first UID byte least significant.</summary>
    DecimalLittleEndian,
}

/// <summary>Turns the text a reader sent into a UID.</summary>
public static class CardNumberText
{
    /// <summary>Parses <paramref name="text"/> in <paramref name="format"/>; false when it is not a card.</summary>
    public static bool TryToUid(string text, CardNumberFormat format, out string uidHex)
    {
        uidHex = string.Empty;
        if (string.IsNullOrEmpty(text) || text.Length > 20)
        {
            return false;
        }

        switch (format)
        {
            case CardNumberFormat.Hex:
                if (text.Length is not (8 or 10 or 14 or 20) || !text.All(char.IsAsciiHexDigit))
                {
                    return false;
                }

                uidHex = text.ToUpperInvariant();
                return true;
            default:
                // Always 10 digits, zero-padded: a shorter run is the tail of a read cut by a pause, not a card.
                if (text.Length != 10 || !text.All(char.IsAsciiDigit) || !uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    return false;
                }

                Span<byte> bytes = stackalloc byte[4];
                if (format == CardNumberFormat.DecimalBigEndian)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(bytes, number);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes, number);
                }

                uidHex = Convert.ToHexString(bytes);
                return true;
        }
    }

    /// <summary>Parses the profile's name of a format: <c>hex</c>, <c>decimal-be</c>, <c>decimal-le</c>.</summary>
    public static CardNumberFormat ParseFormat(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "decimal-be" => CardNumberFormat.DecimalBigEndian,
        "decimal-le" => CardNumberFormat.DecimalLittleEndian,
        "hex" => CardNumberFormat.Hex,
        _ => throw new FormatException($"Card number format '{name}' is not hex, decimal-be or decimal-le."),
    };
}
