namespace KioskPos.Core.VietQr;

/// <summary>CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR), the EMVCo QR checksum.</summary>
public static class Crc16Ccitt
{
    private static readonly ushort[] s_table = BuildTable();

    /// <summary>The CRC of the ASCII bytes of <paramref name="text"/>.</summary>
    public static ushort Compute(ReadOnlySpan<char> text)
    {
        ushort crc = 0xFFFF;
        foreach (var c in text)
        {
            crc = (ushort)((crc << 8) ^ s_table[((crc >> 8) ^ (byte)c) & 0xFF]);
        }

        return crc;
    }

    /// <summary>The CRC as EMVCo writes it: always four upper-case hex digits (<c>007B</c>, never <c>7B</c>).</summary>
    public static string ComputeHex(ReadOnlySpan<char> text) => Compute(text).ToString("X4", System.Globalization.CultureInfo.InvariantCulture);

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
