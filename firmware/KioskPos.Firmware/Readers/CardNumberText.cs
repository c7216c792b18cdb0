using System.Buffers.Binary;
using System.Globalization;
using KioskPos.Core.Hardware;

namespace KioskPos.Firmware.Readers;

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
}
