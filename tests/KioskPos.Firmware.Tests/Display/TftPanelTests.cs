using KioskPos.Firmware.Display;
using KioskPos.Hardware.Simulators.Display;
using KioskPos.Firmware.Imaging;

namespace KioskPos.Firmware.Tests.Display;

/// <summary>The driver on the controller emulator: the init sequence and its registers, rotations on both modules, windows, partial updates.</summary>
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
    public void Ili9341_start_up_puts_the_Linux_drivers_registers_on_the_bus_before_sleep_out()
    {
        // torvalds/linux drivers/gpu/drm/tiny/ili9341.c (read at 0b11904), yx240qv29_enable: its writes between
        // DISPOFF and EXIT_SLEEP_MODE, transcribed from that file in its order. Its COLMOD (MIPI_DCS_PIXEL_FMT_16BIT,
        // 0x05) is the one write not copied: this driver keeps COLMOD 0x55 after sleep out.
        string[] linux =
        [
            "CF 00 C1 30",
            "ED 64 03 12 81",
            "E8 85 00 78",
            "CB 39 2C 00 34 02",
            "F7 20",
            "EA 00 00",
            "C0 23",
            "C1 10",
            "C5 3E 28",
            "C7 86",
            "3A 05",
            "B1 00 1B",
            "F2 00",
            "26 01",
            "E0 0F 31 2B 0C 0E 08 4E F1 37 07 10 03 0E 09 00",
            "E1 00 0E 14 03 11 07 31 C1 48 08 0F 0C 31 36 0F",
            "B7 07",
            "B6 08 82 27 00",
        ];
        using var bench = new PanelBench(PanelModel.Ili9341Tall);
        string[] expected =
        [
            "wait 1 ms", "wait 120 ms", // RESX low, then high
            "01", "wait 150 ms", // SWRESET
            .. linux.Where(line => !line.StartsWith("3A", StringComparison.Ordinal)),
            "11", "wait 120 ms", // SLPOUT
            "3A 55", "36 48", "20", "13", // COLMOD, MADCTL MX|BGR, INVOFF, NORON
            "2A 00 00 00 EF", "2B 00 00 01 3F", $"2C +{240 * 320 * 2} bytes", // the picture, black
            "29", "wait 10 ms", // DISPON
        ];
        Assert.Equal(expected, bench.Bus.Lines());
        Assert.Empty(bench.Emulator.NotUnderstood);
    }

    [Theory]
    [InlineData("st7789-240x240")]
    [InlineData("st7789-240x320")]
    public void St7789_start_up_puts_fbtfts_registers_on_the_bus_before_sleep_out(string module)
    {
        // torvalds/linux drivers/staging/fbtft/fb_st7789v.c as it stands (read at intel-lab-lkp/linux 395431b and
        // raspberrypi/linux 6780239): init_display's writes after its COLMOD with HSD20_IPS set, then HSD20_IPS_GAMMA as
        // set_gamma sends it, transcribed in that order. fbtft sends them after sleep out and the gammas after its
        // first frame; this driver sends them before sleep out, as the Linux ILI9341 driver does its own.
        string[] fbtft =
        [
            "B2 05 05 00 33 33",
            "B7 75",
            "C2 01 FF",
            "C3 13",
            "C4 20",
            "BB 22",
            "C5 20",
            "D0 A4 A1",
            "E0 D0 05 0A 09 08 05 2E 44 45 0F 17 16 2B 33",
            "E1 D0 05 0A 09 08 05 2E 43 45 0F 16 16 2B 33",
        ];
        var model = Model(module);
        using var bench = new PanelBench(model);
        string[] expected =
        [
            "wait 1 ms", "wait 120 ms",
            "01", "wait 150 ms",
            .. fbtft,
            "11", "wait 120 ms",
            "3A 55", "36 00", "21", "13", // COLMOD, MADCTL 0, INVON (IPS glass), NORON
            "2A 00 00 00 EF", model.Height == 240 ? "2B 00 00 00 EF" : "2B 00 00 01 3F", $"2C +{model.Width * model.Height * 2} bytes",
            "29", "wait 10 ms",
        ];
        Assert.Equal(expected, bench.Bus.Lines());
        Assert.Empty(bench.Emulator.NotUnderstood);
    }

    [Fact]
    public void The_emulated_ili9341_holds_the_VCOM_and_gamma_the_start_up_wrote()
    {
        using var bench = new PanelBench(PanelModel.Ili9341Tall);
        var chip = bench.Emulator;
        Assert.Equal("3E 28", Hex(chip.Register((byte)Ili9341Command.VcomControl1)));
        Assert.Equal("86", Hex(chip.Register((byte)Ili9341Command.VcomControl2)));
        Assert.Equal("23", Hex(chip.Register((byte)Ili9341Command.PowerControl1)));
        Assert.Equal("01", Hex(chip.Register((byte)PanelCommand.GammaSet)));
        Assert.Equal(15, chip.Register((byte)Ili9341Command.PositiveGamma)!.Length);
        Assert.Equal(0x0F, chip.Register((byte)Ili9341Command.NegativeGamma)![^1]);
        Assert.Equal(0x55, chip.PixelFormatValue);

        // RESX takes the chip back to its reset values, which the emulator shows as nothing written.
        bench.Gpio.Write(PanelBench.Rst, System.Device.Gpio.PinValue.Low);
        bench.Gpio.Write(PanelBench.Rst, System.Device.Gpio.PinValue.High);
        Send(bench, false, (byte)PanelCommand.Nop); // the emulator reads RESX when the bus moves
        Assert.Null(chip.Register((byte)Ili9341Command.VcomControl1));
    }

    [Theory]
    [InlineData("st7789-240x240")]
    [InlineData("st7789-240x320")]
    public void The_emulated_st7789_holds_the_VCOM_and_gamma_the_start_up_wrote(string module)
    {
        using var bench = new PanelBench(Model(module));
        var chip = bench.Emulator;
        Assert.Equal("22", Hex(chip.Register((byte)St7789Command.VcomSetting)));
        Assert.Equal("13", Hex(chip.Register((byte)St7789Command.VrhSet)));
        Assert.Equal("01 FF", Hex(chip.Register((byte)St7789Command.VdvVrhEnable)));
        Assert.Equal(14, chip.Register((byte)St7789Command.PositiveGamma)!.Length);
        Assert.Equal(0x43, chip.Register((byte)St7789Command.NegativeGamma)![7]);
        Assert.Null(chip.Register((byte)St7789Command.LcmControl)); // left at its reset value
        Assert.Empty(chip.NotUnderstood);
    }

    [Fact]
    public void A_short_gamma_table_is_refused_and_the_curve_before_it_kept()
    {
        using var bench = new PanelBench(PanelModel.Ili9341Tall);
        var chip = bench.Emulator;
        var before = chip.Register((byte)Ili9341Command.PositiveGamma);
        var at = chip.BytesWritten;
        Send(bench, false, 0xE0);
        Send(bench, true, 0x0F, 0x31, 0x2B, 0x0C, 0x0E, 0x08, 0x4E, 0xF1, 0x37, 0x07, 0x10, 0x03, 0x0E, 0x09); // 14 of 15
        Send(bench, false, (byte)PanelCommand.Nop);
        Assert.Equal([$"0xE0 (PGAMCTRL) at byte {at} with 14 parameters, not 15: refused"], chip.NotUnderstood);
        Assert.Equal(before, chip.Register((byte)Ili9341Command.PositiveGamma));
    }

    [Fact]
    public void An_ili9341_gamma_table_on_an_st7789_is_one_byte_too_long_and_refused()
    {
        using var bench = new PanelBench(PanelModel.St7789Square);
        var chip = bench.Emulator;
        var before = chip.Register((byte)St7789Command.PositiveGamma);
        var at = chip.BytesWritten;
        Send(bench, false, 0xE0);
        Send(bench, true, 0x0F, 0x31, 0x2B, 0x0C, 0x0E, 0x08, 0x4E, 0xF1, 0x37, 0x07, 0x10, 0x03, 0x0E, 0x09, 0x00);
        Send(bench, false, (byte)PanelCommand.Nop);
        Assert.Equal([$"0xE0 (PVGAMCTRL) at byte {at} with more than 14 parameters: refused"], chip.NotUnderstood);
        Assert.Equal(before, chip.Register((byte)St7789Command.PositiveGamma));
    }

    [Fact]
    public void A_register_of_the_other_controller_is_listed_as_not_understood()
    {
        using var bench = new PanelBench(PanelModel.St7789Tall);
        var at = bench.Emulator.BytesWritten;
        Send(bench, false, (byte)Ili9341Command.PowerControlB);
        Send(bench, true, 0x00, 0xC1, 0x30);
        Assert.Equal([$"0xCF at byte {at}"], bench.Emulator.NotUnderstood);
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
        Send(bench, false, 0x11);
        Send(bench, false, 0x36);
        Send(bench, true, 0x48);
        Send(bench, false, 0x2A);
        Send(bench, true, 0, 0, 0, 0);
        Send(bench, false, 0x2B);
        Send(bench, true, 0, 0, 0, 0);
        Send(bench, false, 0x2C);
        Send(bench, true, 0xFC, 0x00, 0xFC); // magenta
        Send(bench, false, 0x29);
        bench.Gpio.Write(PanelBench.Bl, System.Device.Gpio.PinValue.High);
        var glass = bench.Emulator.Glass();
        Assert.Equal(new Rgb(0xFC, 0, 0xFC), glass[0, 0]);
    }

    private static string? Hex(byte[]? bytes) => bytes is null ? null : string.Join(' ', bytes.Select(b => b.ToString("X2")));

    private static void Send(PanelBench bench, bool data, params byte[] bytes)
    {
        bench.Gpio.Write(PanelBench.Dc, data ? System.Device.Gpio.PinValue.High : System.Device.Gpio.PinValue.Low);
        bench.Emulator.Write(bytes);
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
