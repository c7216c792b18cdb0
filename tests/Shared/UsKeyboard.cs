using System.Buffers.Binary;

namespace KioskPos.Tests.Shared;

/// <summary>Builds the evdev stream of a US-layout keyboard-wedge scanner: MSC_SCAN, the key, SYN_REPORT per key.</summary>
internal sealed class UsKeyboard(int size)
{
    private const string Plain = "1234567890-=\tqwertyuiop[]asdfghjkl;'`\\zxcvbnm,./ ";
    private const string Shifted = "!@#$%^&*()_+\tQWERTYUIOP{}ASDFGHJKL:\"~|ZXCVBNM<>? ";
    private static readonly int[] s_codes = [.. Enumerable.Range(2, 12), .. Enumerable.Range(15, 13), .. Enumerable.Range(30, 12), .. Enumerable.Range(43, 11), 57];
    private readonly List<byte> _bytes = [];
    private TimeSpan _clock = TimeSpan.FromSeconds(1_700_000_000);

    public byte[] Bytes => [.. _bytes];

    public UsKeyboard Type(string text)
    {
        foreach (var c in text)
        {
            var plain = Plain.IndexOf(c, StringComparison.Ordinal);
            if (plain >= 0)
            {
                Key((ushort)s_codes[plain]);
                continue;
            }

            var shifted = Shifted.IndexOf(c, StringComparison.Ordinal);
            if (shifted < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(text), c, "not on a US keyboard");
            }

            Raw(1, 42, 1);
            Key((ushort)s_codes[shifted]);
            Raw(1, 42, 0);
        }

        return this;
    }

    /// <summary>Alt held while the code's digits are typed on the keypad (KP0 82, KP1..KP9 79 80 81 75 76 77 71 72 73).</summary>
    public UsKeyboard AltCode(string digits)
    {
        ushort[] keypad = [82, 79, 80, 81, 75, 76, 77, 71, 72, 73];
        Raw(1, 56, 1);
        foreach (var d in digits)
        {
            Key(keypad[d - '0']);
        }

        return Raw(1, 56, 0);
    }

    public UsKeyboard Enter() => Key(28);

    public UsKeyboard Wait(TimeSpan pause)
    {
        _clock += pause;
        return this;
    }

    private UsKeyboard Key(ushort code)
    {
        Raw(4, 4, 0x70000 + code).Raw(1, code, 1).Raw(0, 0, 0);
        _clock += TimeSpan.FromMilliseconds(2);
        return Raw(1, code, 0).Raw(0, 0, 0);
    }

    private UsKeyboard Raw(ushort type, ushort code, int value)
    {
        _bytes.AddRange(Record(size, _clock, type, code, value));
        _clock += TimeSpan.FromMilliseconds(1);
        return this;
    }

    /// <summary>
    /// One <c>struct input_event</c> of <paramref name="size"/> bytes (24 on a 64-bit kernel, 16 on a 32-bit one): the
    /// time <paramref name="at"/> (seconds and microseconds), then type, code and value, little-endian.
    /// </summary>
    public static byte[] Record(int size, TimeSpan at, ushort type, ushort code, int value)
    {
        var record = new byte[size];
        var seconds = (long)at.TotalSeconds;
        var micros = (long)(at - TimeSpan.FromSeconds(seconds)).TotalMicroseconds;
        if (size == 24)
        {
            BinaryPrimitives.WriteInt64LittleEndian(record, seconds);
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), micros);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(record, (int)seconds);
            BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(4), (int)micros);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(size - 8), type);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(size - 6), code);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(size - 4), value);
        return record;
    }
}
