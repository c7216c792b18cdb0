using System.Buffers.Binary;
using System.Diagnostics;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers;
using KioskPos.Firmware.Readers.Iso14443;
using KioskPos.Tests.Shared;

namespace KioskPos.Firmware.Tests.Readers;

/// <summary>Keyboard-wedge (evdev) and serial readers, on byte streams as the devices send them.</summary>
public class TypedReaderTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(150);

    [Theory]
    [InlineData(24)]
    [InlineData(16)]
    public void A_wedge_read_is_the_digits_before_enter_in_both_event_layouts(int size)
    {
        var stream = new InputEvents(size).Type("0012345678").Key(28).Bytes;
        Assert.Equal(["0012345678"], new KeyboardWedgeDecoder(size, s_timeout).Feed(stream));
    }

    [Theory]
    [InlineData(24)]
    [InlineData(16)]
    public void A_wedge_stream_read_in_odd_chunks_gives_the_same_reads(int size)
    {
        var stream = new InputEvents(size).Type("0012345678").Key(28).Type("0000000042").Key(96).Bytes;
        var decoder = new KeyboardWedgeDecoder(size, s_timeout);
        var reads = new List<string>();
        for (var offset = 0; offset < stream.Length; offset += 7)
        {
            reads.AddRange(decoder.Feed(stream.AsSpan(offset, Math.Min(7, stream.Length - offset))));
        }

        Assert.Equal(["0012345678", "0000000042"], reads);
    }

    [Fact]
    public void A_pause_longer_than_the_keystroke_timeout_drops_the_partial_read()
    {
        var events = new InputEvents(24).Type("00123").Wait(TimeSpan.FromMilliseconds(400)).Type("45678").Key(28).Type("0012345678").Key(28);
        var decoder = new KeyboardWedgeDecoder(24, s_timeout);
        var reads = decoder.Feed(events.Bytes);

        // The tail after the pause comes out alone and is refused as a card (not 10 digits); the next read is whole.
        Assert.Equal(["45678", "0012345678"], reads);
        Assert.False(CardNumberText.TryToUid(reads[0], CardNumberFormat.DecimalBigEndian, out _));
        Assert.Equal(1, decoder.Dropped);
    }

    [Fact]
    public void Shifted_digits_and_other_keys_spoil_a_read_but_hex_letters_keep_their_case_rule()
    {
        var decoder = new KeyboardWedgeDecoder(24, s_timeout);
        var events = new InputEvents(24)
            .Type("0012").Shift().Type("3").Unshift().Type("45678").Key(28)   // '#': not a card digit
            .Type("04").Key(17).Type("1B2C3").Key(28)                          // 'W': not hex
            .Type("04").Shift().Type("A").Unshift().Type("1").Shift().Type("B").Unshift().Type("2").Shift().Type("C").Unshift().Type("3").Key(28); // capitals: fine
        Assert.Equal(["04A1B2C3"], decoder.Feed(events.Bytes));
        Assert.Equal(2, decoder.Dropped);
    }

    [Fact]
    public void Releases_autorepeat_and_other_event_types_are_ignored()
    {
        var events = new InputEvents(24);
        events.Raw(0, 0, 0).Raw(4, 4, 0x70027).Raw(17, 0, 1); // EV_SYN, EV_MSC scan code, EV_LED
        foreach (var digit in "0012345678")
        {
            events.Type(digit.ToString());
            events.Raw(1, InputEvents.Code(digit), 2); // autorepeat
        }

        Assert.Equal(["0012345678"], new KeyboardWedgeDecoder(24, s_timeout).Feed(events.Key(28).Bytes));
    }

    [Theory]
    [InlineData("0012345678", CardNumberFormat.DecimalBigEndian, "00BC614E")]
    [InlineData("0012345678", CardNumberFormat.DecimalLittleEndian, "4E61BC00")]
    [InlineData("04a1b2c3", CardNumberFormat.Hex, "04A1B2C3")]
    [InlineData("04A1B2C3D4E5F6", CardNumberFormat.Hex, "04A1B2C3D4E5F6")]
    public void Typed_numbers_become_uids_in_the_readers_format(string text, CardNumberFormat format, string uid)
    {
        Assert.True(CardNumberText.TryToUid(text, format, out var parsed));
        Assert.Equal(uid, parsed);
    }

    [Theory]
    [InlineData("12345678", CardNumberFormat.DecimalBigEndian)]
    [InlineData("9999999999", CardNumberFormat.DecimalBigEndian)]
    [InlineData("04A1B2C", CardNumberFormat.Hex)]
    [InlineData("04A1B2CZ", CardNumberFormat.Hex)]
    public void Typed_text_that_is_not_a_card_is_refused(string text, CardNumberFormat format) =>
        Assert.False(CardNumberText.TryToUid(text, format, out _));

    [Fact]
    public async Task The_wedge_reader_reads_taps_from_an_event_file_and_reopens_it_when_the_writer_goes()
    {
        var folder = Directory.CreateTempSubdirectory("wedge-").FullName;
        var fifo = Path.Combine(folder, "event-kbd");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var reader = new KeyboardWedgeReader(fifo, CardNumberFormat.DecimalBigEndian, TimeProvider.System, s_timeout, 24);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var taps = new List<CardRead>();
        var loop = Task.Run(async () =>
        {
            await foreach (var read in reader.ReadAsync(cancel.Token))
            {
                taps.Add(read);
                if (taps.Count == 2)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        foreach (var number in new[] { "0012345678", "0000000042" })
        {
            // Each write opens, writes and closes the FIFO: like a reader unplugged after each tap. A writer that
            // opened just as the reader let go of its end gets a broken pipe and writes again (the write is smaller
            // than PIPE_BUF, so it is whole or nothing).
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                    await writer.WriteAsync(new InputEvents(24).Type("123").Key(28).Type(number).Key(28).Bytes);
                    break;
                }
                catch (IOException) when (attempt < 20)
                {
                    await Task.Delay(50);
                }
            }

            for (var deadline = DateTime.UtcNow.AddSeconds(10); taps.Count(t => t.CardNumber == number) == 0 && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(20);
            }
        }

        await loop;
        Assert.Equal(["00BC614E", "0000002A"], taps.Select(t => t.UidHex));
        Assert.All(taps, t => Assert.Equal(CardType.Typed, t.Type));

        // A FIFO cannot be grabbed (only an evdev device can): the reader says so and goes on.
        Assert.False(reader.Grabbed);
    }

    [Fact]
    public void An_em4100_frame_gives_its_five_bytes_and_a_wrong_checksum_is_refused()
    {
        var decoder = new SerialCardDecoder(SerialFraming.Em4100);
        var good = Em4100Frame("0A00123456");
        var bad = (byte[])good.Clone();
        bad[11] = (byte)(bad[11] == (byte)'0' ? '1' : '0');
        var stream = "noise"u8.ToArray().Concat(good).Concat("\r\n"u8.ToArray()).Concat(bad).Concat(new byte[] { 0x02, (byte)'1', 0x03 }).Concat(good).ToArray();

        var frames = new List<SerialFrame>();
        foreach (var b in stream)
        {
            frames.AddRange(decoder.Feed([b]));
        }

        Assert.Equal(["0A00123456", null, null, "0A00123456"], frames.Select(f => f.Text));
        Assert.Equal("checksum does not match", frames[1].Refused);
        Assert.True(decoder.Discarded >= 7);
    }

    [Fact]
    public void A_line_reader_gives_each_line_and_refuses_unprintable_ones()
    {
        var decoder = new SerialCardDecoder(SerialFraming.Line);
        var frames = decoder.Feed("04A1B2C3\r\n\r\n04A1\u0001B2C3\n0012345678\n"u8);
        Assert.Equal(["04A1B2C3", null, "0012345678"], frames.Select(f => f.Text));
    }

    [Fact]
    public async Task The_serial_reader_reads_em4100_frames_over_a_pty()
    {
        var folder = Directory.CreateTempSubdirectory("serial-reader-").FullName;
        using var pair = new SocatPair(folder, "ttyUSB0");
        var reader = new SerialCardReader(pair.Host, 9600, SerialFraming.Em4100, CardNumberFormat.Hex, TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var taps = new List<CardRead>();
        var loop = Task.Run(async () =>
        {
            await foreach (var read in reader.ReadAsync(cancel.Token))
            {
                taps.Add(read);
                await cancel.CancelAsync();
            }
        });

        await using var module = new FileStream(pair.Device, FileMode.Open, FileAccess.Write);
        var bad = Em4100Frame("0A00123456");
        bad[5] ^= 0x01;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); !loop.IsCompleted && DateTime.UtcNow < deadline;)
        {
            // The reader opens its end in the background: send until it has read one (a module repeats frames too).
            await module.WriteAsync(bad.Concat(Em4100Frame("1B00C0FFEE")).ToArray());
            await module.FlushAsync();
            await Task.Delay(100);
        }

        await loop;
        var tap = Assert.Single(taps);
        Assert.Equal("1B00C0FFEE", tap.UidHex);
        Assert.Equal(CardType.Em4100, tap.Type);
    }

    private static byte[] Em4100Frame(string tenHex)
    {
        var data = Convert.FromHexString(tenHex);
        var checksum = data.Aggregate((byte)0, (x, b) => (byte)(x ^ b));
        return [0x02, .. System.Text.Encoding.ASCII.GetBytes(tenHex + checksum.ToString("X2")), 0x03];
    }

    /// <summary>Builds an evdev stream as a keyboard-wedge reader sends it: MSC_SCAN, the key, SYN_REPORT per key.</summary>
    private sealed class InputEvents(int size)
    {
        private readonly List<byte> _bytes = [];
        private TimeSpan _clock = TimeSpan.FromSeconds(1_700_000_000);

        public byte[] Bytes => [.. _bytes];

        public static ushort Code(char c) => c switch
        {
            '0' => 11,
            >= '1' and <= '9' => (ushort)(c - '1' + 2),
            'A' => 30,
            'B' => 48,
            'C' => 46,
            'D' => 32,
            'E' => 18,
            'F' => 33,
            _ => throw new ArgumentOutOfRangeException(nameof(c)),
        };

        public InputEvents Type(string text)
        {
            foreach (var c in text)
            {
                Key(Code(c));
            }

            return this;
        }

        public InputEvents Key(ushort code)
        {
            Raw(4, 4, 0x70000 + code).Raw(1, code, 1).Raw(0, 0, 0);
            _clock += TimeSpan.FromMilliseconds(4);
            return Raw(1, code, 0).Raw(0, 0, 0);
        }

        public InputEvents Shift() => Raw(1, 42, 1);

        public InputEvents Unshift() => Raw(1, 42, 0);

        public InputEvents Wait(TimeSpan pause)
        {
            _clock += pause;
            return this;
        }

        public InputEvents Raw(ushort type, ushort code, int value)
        {
            _bytes.AddRange(UsKeyboard.Record(size, _clock, type, code, value));
            _clock += TimeSpan.FromMilliseconds(1);
            return this;
        }
    }
}
