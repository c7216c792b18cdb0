using System.Buffers.Binary;
using System.Diagnostics;
using KioskPos.Firmware.Audio;

namespace KioskPos.Firmware.Tests.Audio;

/// <summary>
/// Issue 24, speech switched on by headphones: the jack's evdev switch events (EV_SW, SW_HEADPHONE_INSERT, value 1
/// plugged and 0 pulled out, each followed by SYN_REPORT) decoded in both record sizes and in any chunks; the jack
/// found by its capability in the kernel's device list; and read from an event file through a FIFO, as the terminal
/// reads the device.
/// </summary>
public class HeadphoneJackTests
{
    // /proc/bus/input/devices of a Pi 4 with a USB sound card that detects its jack (the format of
    // drivers/input/input.c): a keyboard, the card's jack (SW bits 0x14: headphone and line-out insert) and the HDMI
    // audio's jack, which reports only line-out (bit 6).
    private const string Devices = """
        I: Bus=0003 Vendor=046d Product=c31c Version=0110
        N: Name="Logitech USB Keyboard"
        P: Phys=usb-0000:01:00.0-1.3/input0
        S: Sysfs=/devices/platform/scb/fd500000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0/usb1/1-1/1-1.3/1-1.3:1.0/0003:046D:C31C.0001/input/input0
        U: Uniq=
        H: Handlers=sysrq kbd leds event0
        B: PROP=0
        B: EV=120013
        B: KEY=1000000000007 ff9f207ac14057ff febeffdfffefffff fffffffffffffffe
        B: MSC=10
        B: LED=7

        I: Bus=0000 Vendor=0000 Product=0000 Version=0000
        N: Name="vc4-hdmi-0 HDMI Jack"
        P: Phys=ALSA
        S: Sysfs=/devices/platform/soc/fef00700.hdmi/sound/card1/input2
        U: Uniq=
        H: Handlers=event2
        B: PROP=0
        B: EV=21
        B: SW=40

        I: Bus=0003 Vendor=0d8c Product=0014 Version=0100
        N: Name="USB Audio Device Headphone Jack"
        P: Phys=ALSA
        S: Sysfs=/devices/platform/scb/fd500000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0/usb1/1-1/1-1.2/1-1.2:1.0/sound/card2/input3
        U: Uniq=
        H: Handlers=event3
        B: PROP=0
        B: EV=21
        B: SW=14

        """;

    [Theory]
    [InlineData(24)]
    [InlineData(16)]
    public void Plugging_and_pulling_the_headphones_are_the_switch_events_value_and_nothing_else_counts(int size)
    {
        var bytes = Record(size, 0x05, 0x02, 1).Concat(Record(size, 0, 0, 0)) // SW_HEADPHONE_INSERT 1, SYN_REPORT
            .Concat(Record(size, 0x05, 0x06, 1)).Concat(Record(size, 0, 0, 0)) // SW_LINEOUT_INSERT: not headphones
            .Concat(Record(size, 0x01, 0x02, 1)) // EV_KEY with the same code: a key, not the jack
            .Concat(Record(size, 0x05, 0x02, 0)).Concat(Record(size, 0, 0, 0)).ToArray();
        Assert.Equal([true, false], new SwitchEventDecoder(size).Feed(bytes));

        // The same bytes in awkward chunks: records split across reads are joined.
        var decoder = new SwitchEventDecoder(size);
        var states = new List<bool>();
        for (var at = 0; at < bytes.Length; at += 7)
        {
            states.AddRange(decoder.Feed(bytes.AsSpan(at, Math.Min(7, bytes.Length - at))));
        }

        Assert.Equal([true, false], states);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SwitchEventDecoder(20));
    }

    [Fact]
    public void The_jack_is_found_by_its_headphone_switch_not_by_a_line_out_or_a_keyboard()
    {
        Assert.Equal("/dev/input/event3", HeadphoneJack.Find(Devices));
        Assert.Null(HeadphoneJack.Find(Devices.Replace("B: SW=14", "B: SW=10", StringComparison.Ordinal))); // line-out only
        // A jack whose name does not say so is still found by its capability.
        Assert.Equal("/dev/input/event3", HeadphoneJack.Find(Devices.Replace("USB Audio Device Headphone Jack", "USB Audio Device Jack", StringComparison.Ordinal)));
        Assert.Null(HeadphoneJack.Find(string.Empty));
    }

    [Fact]
    public void A_profiles_missing_jack_says_where_to_look_and_auto_or_none_need_no_device()
    {
        Devices.HardwareProfile Profile(string? jack) => new() { Name = "counter", CardReader = "simulated", Printer = "emulator", HeadphoneJack = jack };
        var problem = Assert.Single(Profile("/dev/input/by-path/platform-usb-jack-event").Validate(_ => false));
        Assert.Contains("/proc/bus/input/devices", problem, StringComparison.Ordinal);
        Assert.Empty(Profile("auto").Validate(_ => false));
        Assert.Empty(Profile("none").Validate(_ => false));
        Assert.Empty(Profile(null).Validate(_ => false));
        Assert.Empty(Profile("/dev/input/event3").Validate(path => path == "/dev/input/event3"));
    }

    [Fact]
    public async Task The_jack_is_read_from_its_event_file_and_reopened_when_the_writer_goes()
    {
        var folder = Directory.CreateTempSubdirectory("jack-").FullName;
        var fifo = Path.Combine(folder, "event3");
        using (var mkfifo = Process.Start("mkfifo", [fifo])!)
        {
            await mkfifo.WaitForExitAsync();
        }

        var jack = new HeadphoneJack(fifo, TimeProvider.System, 24);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<bool>();
        var loop = Task.Run(async () =>
        {
            await foreach (var plugged in jack.ReadAsync(cancel.Token))
            {
                lock (seen)
                {
                    seen.Add(plugged);
                }
            }
        });

        foreach (var (value, count) in new[] { (1, 1), (0, 2), (1, 3) })
        {
            // Each write opens, writes and closes the FIFO; one that lands while the reader reopens is written again.
            var bytes = Record(24, 0x05, 0x02, value).Concat(Record(24, 0, 0, 0)).ToArray();
            for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline && Count() < count;)
            {
                await using (var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write))
                {
                    await writer.WriteAsync(bytes);
                }

                for (var again = DateTime.UtcNow.AddSeconds(2); DateTime.UtcNow < again && Count() < count;)
                {
                    await Task.Delay(20);
                }
            }
        }

        await cancel.CancelAsync();
        await loop;
        Assert.Equal([true, false, true], seen);

        int Count()
        {
            lock (seen)
            {
                return seen.Count;
            }
        }
    }

    // One input_event: a timeval (two longs on 64-bit, two ints on 32-bit ARM), then type, code and value.
    internal static byte[] Record(int size, ushort type, ushort code, int value)
    {
        var record = new byte[size];
        var header = size - 8;
        BinaryPrimitives.WriteInt32LittleEndian(record, 1_764_900_000);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(header), type);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(header + 2), code);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(header + 4), value);
        return record;
    }
}
