using KioskPos.Core.VietQr;
using KioskPos.Firmware.Display;
using KioskPos.Firmware.Printing;
using KioskPos.Tests.Shared;
using KioskPos.Firmware.Imaging;

namespace KioskPos.Firmware.Tests.Display;

public sealed class PanelFonts : IDisposable
{
    public ReceiptFonts Fonts { get; } = ReceiptFonts.Load();

    public void Dispose() => Fonts.Dispose();
}

/// <summary>
/// The screens sent through the driver to the emulated controller, read back from its glass: the QR decoded by zbar
/// (a decoder nobody here wrote) equal to the payload, the amount and holder drawn where the layout puts them, the
/// countdown updated by partial writes only.
/// </summary>
public sealed class PanelScreenTests(PanelFonts fonts) : IClassFixture<PanelFonts>
{
    // A documented dynamic VietQR (NAPAS's example: 180,000 đồng to account 0011012345678 at Vietcombank).
    private const string Payload = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E";
    private static readonly DateTimeOffset s_now = new(2026, 12, 5, 8, 0, 0, TimeSpan.FromHours(7));

    private PanelContent Awaiting(long amount = 180_000, string holder = "TRUONG THCS NGUYEN DU") =>
        new("awaiting", "Trường THCS Nguyễn Du", amount, Payload, holder, s_now.AddMinutes(5));

    [Theory]
    [InlineData("st7789-240x240", 0)]
    [InlineData("st7789-240x320", 0)]
    [InlineData("ili9341-240x320", 0)]
    [InlineData("ili9341-240x320", 90)]
    [InlineData("st7789-240x240", 180)]
    public void The_payment_screens_QR_decodes_from_the_emulated_glass(string module, int degrees)
    {
        using var bench = new PanelBench(TftPanelTests.Model(module), (PanelRotation)degrees);
        var screens = new PanelScreens(fonts.Fonts);
        var picture = screens.Render(Awaiting(), bench.Panel.Width, bench.Panel.Height, s_now);
        bench.Panel.Present(Rgb565.FromPicture(picture));
        var file = Path.Combine(Path.GetTempPath(), $"panel-{module}-{degrees}-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(file, bench.Emulator.GlassPng());
        try
        {
            var decoded = ZbarImg.Decode(file);
            Assert.Equal(Payload, decoded);
            Assert.Equal(180_000, VietQrParser.Parse(decoded).Amount);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_amount_and_holder_are_drawn_in_their_regions_and_arrive_pixel_for_pixel()
    {
        using var bench = new PanelBench(PanelModel.St7789Tall);
        var screens = new PanelScreens(fonts.Fonts);
        var picture = screens.Render(Awaiting(), 240, 320, s_now);
        bench.Panel.Present(Rgb565.FromPicture(picture));
        var glass = bench.Emulator.Glass();
        var layout = PanelScreens.LayoutPayment(240, 320, Payload);

        // Every pixel on the glass is the picture's, through RGB565.
        for (var y = 0; y < 320; y++)
        {
            for (var x = 0; x < 240; x++)
            {
                var c = picture[x, y];
                var (r, g, b) = Rgb565.ToRgb(Rgb565.From(c.R, c.G, c.B));
                Assert.True(glass[x, y] == new Rgb(r, g, b), $"pixel {x},{y}");
            }
        }

        // Ink in the amount's and the holder's regions, and none of the QR's black outside the QR's region.
        Assert.True(Ink(glass, layout.Amount) > 200, "amount region is blank");
        Assert.True(Ink(glass, layout.Holder) > 50, "holder region is blank");
        Assert.True(Ink(glass, layout.Countdown) > 30, "countdown region is blank");

        // Another amount and another holder change those regions (what is drawn there is the content's).
        var other = screens.Render(Awaiting(1_250_000, "BENH VIEN DA KHOA"), 240, 320, s_now);
        Assert.NotEqual(Region(picture, layout.Amount), Region(other, layout.Amount));
        Assert.NotEqual(Region(picture, layout.Holder), Region(other, layout.Holder));
    }

    [Fact]
    public void The_countdown_ticks_by_partial_writes_inside_its_region_only()
    {
        using var bench = new PanelBench(PanelModel.St7789Tall);
        var screens = new PanelScreens(fonts.Fonts);
        var layout = PanelScreens.LayoutPayment(240, 320, Payload);
        var first = screens.Render(Awaiting(), 240, 320, s_now);
        bench.Panel.Present(Rgb565.FromPicture(first));

        var frameBytes = 240 * 320 * 2;
        for (var second = 1; second <= 3; second++)
        {
            bench.Emulator.ResetCounters();
            var next = screens.Render(Awaiting(), 240, 320, s_now.AddSeconds(second));
            var rects = bench.Panel.Present(Rgb565.FromPicture(next));
            Assert.NotEmpty(rects);
            Assert.All(rects, r => Assert.True(layout.Countdown.Contains(r), $"{r} outside the countdown {layout.Countdown}"));
            Assert.All(bench.Emulator.Writes, w =>
                Assert.True(w.Columns.First >= layout.Countdown.X && w.Columns.Last < layout.Countdown.X + layout.Countdown.Width
                    && w.Rows.First >= layout.Countdown.Y && w.Rows.Last < layout.Countdown.Y + layout.Countdown.Height, $"{w}"));
            Assert.True(bench.Emulator.BytesWritten < frameBytes / 20, $"{bench.Emulator.BytesWritten} bytes for a tick");
            Assert.True(TftPanel.BusTime(bench.Emulator.BytesWritten, 32_000_000) < TimeSpan.FromMilliseconds(5));
        }
    }

    [Theory]
    [InlineData("idle")]
    [InlineData("confirmed")]
    [InlineData("cancelled")]
    [InlineData("expired")]
    [InlineData("underpaid")]
    [InlineData("test")]
    public void Every_screen_draws_something_and_differs_from_the_others(string state)
    {
        var screens = new PanelScreens(fonts.Fonts);
        var content = new PanelContent(state, "Bệnh viện Đa khoa Châu Thành", 250_000, Remaining: 50_000);
        var picture = screens.Render(content, 240, 240, s_now);
        var idle = screens.Render(new PanelContent("idle", "Bệnh viện Đa khoa Châu Thành"), 240, 240, s_now);
        Assert.True(Ink(picture, new PanelRect(0, 0, 240, 240)) > 500);
        if (state != "idle")
        {
            Assert.NotEqual(Region(idle, new PanelRect(0, 0, 240, 240)), Region(picture, new PanelRect(0, 0, 240, 240)));
        }
    }

    [Fact]
    public void The_paid_screen_shows_a_check_mark_though_the_face_has_none()
    {
        Assert.False(fonts.Fonts.Bold.Has('✓')); // Noto Sans: the "missing" box would be drawn instead
        var picture = new PanelScreens(fonts.Fonts).Render(new PanelContent("confirmed", null, 750_000), 240, 320, s_now);
        var (cx, cy, r) = (120f, 320 / 3f, 240 / 5f);
        var green = picture[(int)cx, (int)(cy - (0.75f * r))];
        Assert.True(green.G > 100 && green.R < 50, $"{green}");

        // White along the check's two strokes, the circle's green in its hollow and where the box's sides would be.
        Assert.Equal(Rgb.White, picture[(int)(cx - (0.35f * r)), (int)(cy - (0.05f * r))]);
        Assert.Equal(Rgb.White, picture[(int)(cx + (0.2f * r)), (int)(cy - (0.2f * r))]);
        Assert.Equal(green, picture[(int)cx, (int)(cy - (0.45f * r))]);
        Assert.Equal(green, picture[(int)(cx - (0.3f * r)), (int)(cy + (0.5f * r))]);
    }

    [Fact]
    public void The_countdown_reads_minutes_and_seconds_and_stops_at_zero()
    {
        Assert.Equal("05:00", PanelScreens.Countdown(s_now.AddMinutes(5), s_now));
        Assert.Equal("04:59", PanelScreens.Countdown(s_now.AddMinutes(5), s_now.AddSeconds(1)));
        Assert.Equal("00:00", PanelScreens.Countdown(s_now, s_now.AddSeconds(3)));
    }

    internal static int Ink(Picture bitmap, PanelRect region)
    {
        var count = 0;
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            for (var x = region.X; x < region.X + region.Width; x++)
            {
                var c = bitmap[x, y];
                if (c.R + c.G + c.B < 600)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static string Region(Picture bitmap, PanelRect region)
    {
        var hash = new HashCode();
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            for (var x = region.X; x < region.X + region.Width; x++)
            {
                hash.Add(bitmap[x, y]);
            }
        }

        return hash.ToHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
