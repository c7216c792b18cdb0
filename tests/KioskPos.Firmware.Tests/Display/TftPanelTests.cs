using KioskPos.Firmware.Display;
using KioskPos.Hardware.Simulators.Display;
using KioskPos.Firmware.Imaging;

namespace KioskPos.Firmware.Tests.Display;

/// <summary>The driver on the controller emulator: the init sequence, rotations on both modules, windows, partial updates.</summary>
public sealed class TftPanelTests
{
    public static TheoryData<string, int> Modules() => new()
    {
        { "st7789-240x240", 0 }, { "st7789-240x240", 90 }, { "st7789-240x240", 180 }, { "st7789-240x240", 270 },
        { "st7789-240x320", 0 }, { "st7789-240x320", 90 }, { "st7789-240x320", 180 }, { "st7789-240x320", 270 },
        { "ili9341-240x320", 0 }, { "ili9341-240x320", 90 }, { "ili9341-240x320", 180 }, { "ili9341-240x320", 270 },
    };

    internal static PanelModel Model(string name) => name switch
    {
        "st7789-240x240" => PanelModel.St7789Square,
        "st7789-240x320" => PanelModel.St7789Tall,
        _ => PanelModel.Ili9341Tall,
    };

    [Fact]
    public void Initialise_wakes_the_chip_in_16_bit_colour_and_lights_the_panel()
    {
        using var bench = new PanelBench(PanelModel.St7789Square, initialise: false);
        Assert.True(bench.Emulator.Sleeping);
        bench.Panel.Initialise();
        var chip = bench.Emulator;
        Assert.False(chip.Sleeping);
        Assert.True(chip.DisplayOn);
        Assert.True(chip.Inverted); // IPS glass: INVON
        Assert.Equal(0x55, chip.PixelFormatValue);
        Assert.Equal(MemoryAccess.None, chip.Access);
        Assert.True(chip.BacklightOn);
        Assert.Equal(3, chip.Resets); // power-on, RESX low, SWRESET
        Assert.Empty(chip.NotUnderstood);
        // The whole picture written black once, before DISPON, so no garbage shows.
        var first = Assert.Single(chip.Writes);
        Assert.Equal(240 * 240, first.Pixels);
        var glass = chip.Glass();
        Assert.Equal(Rgb.Black, glass[120, 120]);
    }

    [Fact]
    public void Ili9341_is_set_up_with_mx_and_bgr_and_no_inversion()
    {
        using var bench = new PanelBench(PanelModel.Ili9341Tall);
        Assert.Equal(MemoryAccess.ColumnAddressOrder | MemoryAccess.Bgr, bench.Emulator.Access);
        Assert.False(bench.Emulator.Inverted);
    }

    [Fact]
    public void The_panel_is_dark_while_the_backlight_is_off_and_while_asleep()
    {
        using var bench = new PanelBench(PanelModel.St7789Tall);
        var white = Enumerable.Repeat((ushort)0xFFFF, 240 * 320).ToArray();
        bench.Panel.Present(white);
        var lit = bench.Emulator.Glass();
        Assert.Equal(Rgb.White, lit[5, 5]);

        bench.Panel.SetBacklight(false);
        var dark = bench.Emulator.Glass();
        Assert.Equal(Rgb.Black, dark[5, 5]);

        bench.Panel.Sleep();
        Assert.True(bench.Emulator.Sleeping);
        bench.Panel.Wake();
        var again = bench.Emulator.Glass();
        Assert.Equal(Rgb.White, again[5, 5]);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void A_picture_stands_upright_on_the_glass_in_every_rotation(string module, int degrees)
    {
        var model = Model(module);
        using var bench = new PanelBench(model, (PanelRotation)degrees);
        var panel = bench.Panel;
        // Red in the picture's top-left corner, blue in its top-right: where they land on the glass tells the turn.
        var picture = new ushort[panel.Width * panel.Height];
        Fill(picture, panel.Width, 0, 0, 10, 10, Rgb565.From(255, 0, 0));
        Fill(picture, panel.Width, panel.Width - 10, 0, 10, 10, Rgb565.From(0, 0, 255));
        panel.Present(picture);
        var glass = bench.Emulator.Glass();
        var (w, h) = (model.Width - 1, model.Height - 1);
        var (red, blue) = degrees switch
        {
            0 => ((0, 0), (w, 0)),
            90 => ((w, 0), (w, h)),
            180 => ((w, h), (0, h)),
            _ => ((0, h), (0, 0)),
        };
        Assert.Equal(new Rgb(255, 0, 0), glass[red.Item1, red.Item2]);
        Assert.Equal(new Rgb(0, 0, 255), glass[blue.Item1, blue.Item2]);
        Assert.Equal(Rgb.Black, glass[model.Width / 2, model.Height / 2]);
    }

    [Fact]
    public void Present_writes_only_the_rectangle_that_changed()
    {
        using var bench = new PanelBench(PanelModel.St7789Tall);
        var picture = new ushort[240 * 320];
        bench.Panel.Present(picture);
        bench.Emulator.ResetCounters();
        Assert.Empty(bench.Panel.Present(picture));
        Assert.Equal(0, bench.Emulator.BytesWritten);

        Fill(picture, 240, 100, 200, 20, 8, 0xFFFF);
        picture[(205 * 240) + 130] = 0x1234; // one more pixel in the same rows, further right
        var written = bench.Panel.Present(picture);
        var rect = Assert.Single(written);
        Assert.Equal(new PanelRect(100, 200, 31, 8), rect);
        var write = Assert.Single(bench.Emulator.Writes);
        Assert.Equal((100, 130), write.Columns);
        Assert.Equal((200, 207), write.Rows);
        Assert.Equal(31 * 8, write.Pixels);
        // CASET 5 + RASET 5 + RAMWR 1 + two bytes a pixel.
        Assert.Equal(11 + (31 * 8 * 2), bench.Emulator.BytesWritten);
    }

    [Fact]
    public void Two_separate_changes_are_two_windows()
    {
        using var bench = new PanelBench(PanelModel.Ili9341Tall);
        var picture = new ushort[240 * 320];
        bench.Panel.Present(picture);
        Fill(picture, 240, 0, 0, 4, 4, 0xF800);
        Fill(picture, 240, 200, 300, 4, 4, 0x07E0);
        var written = bench.Panel.Present(picture);
        Assert.Equal([new PanelRect(0, 0, 4, 4), new PanelRect(200, 300, 4, 4)], written);
    }

    [Fact]
    public void Long_writes_go_in_chunks_no_larger_than_spidev_takes()
    {
        var chunks = new List<int>();
        using var bench = new PanelBench(PanelModel.St7789Tall);
        var recorder = new RecordingSpi(bench.Emulator, chunks);
        using var panel = new TftPanel(recorder, bench.Gpio, PanelModel.St7789Tall, PanelBench.Dc + 1, wait: _ => { });
        panel.WriteWindow(new PanelRect(0, 0, 240, 320), new ushort[240 * 320]);
        Assert.True(chunks.Max() <= TftPanel.MaxTransfer);
        Assert.Equal(240 * 320 * 2 + 11, chunks.Sum());
    }

    [Fact]
    public void Rgb666_pixels_are_decoded_as_three_bytes()
    {
        // COLMOD 0x66 (the reset value) as another driver might leave it: the emulator takes three bytes a pixel.
        using var bench = new PanelBench(PanelModel.Ili9341Tall, initialise: false);
        var gpio = bench.Gpio;
        void Send(bool data, params byte[] bytes)
        {
            gpio.Write(PanelBench.Dc, data ? System.Device.Gpio.PinValue.High : System.Device.Gpio.PinValue.Low);
            bench.Emulator.Write(bytes);
        }

        Send(false, 0x11);
        Send(false, 0x36);
        Send(true, 0x48);
        Send(false, 0x2A);
        Send(true, 0, 0, 0, 0);
        Send(false, 0x2B);
        Send(true, 0, 0, 0, 0);
        Send(false, 0x2C);
        Send(true, 0xFC, 0x00, 0xFC); // magenta
        Send(false, 0x29);
        gpio.Write(PanelBench.Bl, System.Device.Gpio.PinValue.High);
        var glass = bench.Emulator.Glass();
        Assert.Equal(new Rgb(0xFC, 0, 0xFC), glass[0, 0]);
    }

    internal static void Fill(ushort[] picture, int width, int x, int y, int w, int h, ushort colour)
    {
        for (var row = y; row < y + h; row++)
        {
            picture.AsSpan((row * width) + x, w).Fill(colour);
        }
    }

    private sealed class RecordingSpi(TftPanelEmulator inner, List<int> chunks) : System.Device.Spi.SpiDevice
    {
        public override System.Device.Spi.SpiConnectionSettings ConnectionSettings => inner.ConnectionSettings;

        public override void Write(ReadOnlySpan<byte> buffer) => chunks.Add(buffer.Length);

        public override void WriteByte(byte value) => chunks.Add(1);

        public override byte ReadByte() => 0;

        public override void Read(Span<byte> buffer) => buffer.Clear();

        public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => chunks.Add(writeBuffer.Length);
    }
}
