using System.Buffers.Binary;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Readers;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>
/// What the fuzzer found in the reader decoders (tests/KioskPos.Fuzz, targets evdev and serial-reader), each kept
/// as the smallest input that showed it; the raw findings are in the fuzz corpus as finding-*.
/// </summary>
public class ReaderFuzzFindingTests
{
    [Theory]
    [InlineData(24)]
    [InlineData(16)]
    public void An_input_event_with_a_timestamp_out_of_range_is_read_not_thrown(int size)
    {
        // Found by the evdev target: a timeval of long.MaxValue seconds overflowed TimeSpan and the exception ended
        // the reader's loop. The clock is clamped now; the keys after it still make a card.
        var decoder = new KeyboardWedgeDecoder(size, TimeSpan.FromMilliseconds(150));
        var stream = new List<byte>();
        stream.AddRange(Event(size, long.MaxValue, long.MinValue, code: 11));
        stream.AddRange(Event(size, long.MinValue, long.MaxValue, code: 2));
        foreach (var code in new ushort[] { 11, 11, 2, 3, 4, 5, 6, 7, 28 })
        {
            stream.AddRange(Event(size, 1_700_000_000, 1000, code));
        }

        var cards = decoder.Feed(stream.ToArray());

        Assert.Equal(["00123456"], cards);
        Assert.Equal(1, decoder.Dropped); // the two keys with the absurd times, dropped by the pause before the next
    }

    [Fact]
    public void A_line_of_spaces_from_a_serial_reader_is_no_card()
    {
        // Found by the serial-reader target: "  \n" came out as a card whose text was empty.
        var decoder = new SerialCardDecoder(SerialFraming.Line);

        var frames = decoder.Feed("  \n 04A1B2C3 \r\n\t\n"u8);

        Assert.Equal(["04A1B2C3", null], frames.Select(f => f.Text));
        Assert.Equal("line too long or not printable", frames[1].Refused);
    }

    private static byte[] Event(int size, long seconds, long micros, ushort code)
    {
        var record = new byte[size];
        if (size == 24)
        {
            BinaryPrimitives.WriteInt64LittleEndian(record, seconds);
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), micros);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(record, (int)Math.Clamp(seconds, int.MinValue, int.MaxValue));
            BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(4), (int)Math.Clamp(micros, int.MinValue, int.MaxValue));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(size - 8), 1); // EV_KEY
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(size - 6), code);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(size - 4), 1);  // press
        return record;
    }
}
