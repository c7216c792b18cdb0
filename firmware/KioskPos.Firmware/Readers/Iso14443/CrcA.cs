namespace KioskPos.Firmware.Readers.Iso14443;

/// <summary>
/// CRC_A of ISO/IEC 14443-3 (annex B): CRC-16/CCITT reflected (polynomial 0x8408), initial value 0x6363, no final
/// XOR, sent low byte first. <c>00 00</c> → <c>A0 1E</c>; <c>50 00</c> (HLTA) → <c>57 CD</c>.
/// </summary>
public static class CrcA
{
    /// <summary>The preset of ISO/IEC 14443-3 type A.</summary>
    public const ushort Preset = 0x6363;

    /// <summary>The CRC of <paramref name="data"/>; another <paramref name="preset"/> gives the MFRC522's other
    /// CalcCRC settings (ModeReg CRCPreset 0000, A671, FFFF).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, ushort preset = Preset)
    {
        int crc = preset;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x8408 : crc >> 1;
            }
        }

        return (ushort)crc;
    }

    /// <summary><paramref name="data"/> followed by its CRC, low byte first.</summary>
    public static byte[] Append(ReadOnlySpan<byte> data)
    {
        var frame = new byte[data.Length + 2];
        data.CopyTo(frame);
        var crc = Compute(data);
        frame[^2] = (byte)crc;
        frame[^1] = (byte)(crc >> 8);
        return frame;
    }

    /// <summary>True when the last two bytes of <paramref name="frame"/> are the CRC of the bytes before them.</summary>
    public static bool Check(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 3)
        {
            return false;
        }

        var crc = Compute(frame[..^2]);
        return frame[^2] == (byte)crc && frame[^1] == (byte)(crc >> 8);
    }
}
