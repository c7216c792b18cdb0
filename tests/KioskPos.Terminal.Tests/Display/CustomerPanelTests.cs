using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Firmware.Display;
using KioskPos.Firmware.Imaging;
using KioskPos.Firmware.Printing;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace KioskPos.Terminal.Tests.Display;

/// <summary>
/// The terminal driving an emulated ST7789 240×320 panel (<c>Hardware:Display=spi:st7789:simulated:…</c>) through a
/// VietQR payment: the panel's glass, fetched from <c>/dev/panel.png</c>, decoded by zbar and compared region by region.
/// </summary>
public sealed class CustomerPanelTests : TerminalTest
{
    private const string Display = "--Hardware:Display=spi:st7789:simulated:dc=24:rst=25:bl=18:size=240x320";

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province, extraArgs: [Display]);

    private CustomerPanel Panel => Terminal.App.Services.GetRequiredService<CustomerPanel>();

    [Fact]
    public async Task A_VietQR_payment_shows_its_QR_amount_and_holder_on_the_panel_ticks_by_partial_writes_and_ends_paid()
    {
        await Wait.UntilAsync(async () => (await Terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(), TimeSpan.FromSeconds(20), "the confirmations long poll");
        await Wait.UntilAsync(() => Task.FromResult(Panel.State is { State: "ready", Showing: "idle" }), TimeSpan.FromSeconds(10), "the panel's welcome");

        using var created = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240005", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240005" }, new { billId = "BT-2611-HS240005" } } });
        var payment = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.StatusCode == HttpStatusCode.Created, payment.ToString());
        var payload = payment.GetProperty("qr").GetProperty("payload").GetString()!;
        var code = payment.GetProperty("qr").GetProperty("transferCode").GetString()!;
        await Wait.UntilAsync(() => Task.FromResult(Panel.State.Showing == "awaiting"), TimeSpan.FromSeconds(10), "the QR on the panel");

        // The QR as the payer's phone would read it: from the glass, by zbar.
        var png = await Terminal.Http.GetByteArrayAsync("/dev/panel.png");
        var file = Path.Combine(Terminal.Folder, "panel-awaiting.png");
        await File.WriteAllBytesAsync(file, png);
        Assert.Equal(payload, ZbarImg.Decode(file));

        // The panel's PNG is read back by SkiaSharp's decoder (libpng's reading, not ours).
        // The amount and the holder drawn on the glass are the payment's: equal, pixel for pixel, to those regions drawn
        // from the display's own state (the countdown aside, nothing on this screen depends on the time).
        var display = await Terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display");
        Assert.Equal(750_000, display.GetProperty("amountValue").GetInt64());
        var holder = display.GetProperty("accountName").GetString()!;
        var layout = PanelScreens.LayoutPayment(240, 320, payload);
        using var fonts = ReceiptFonts.Load();
        var expected = new PanelScreens(fonts).Render(new PanelContent("awaiting", null, 750_000, payload, holder, DateTimeOffset.UtcNow.AddMinutes(5)), 240, 320, DateTimeOffset.UtcNow);
        using var glass = SKBitmap.Decode(png);
        AssertRegionEqual(expected, glass, layout.Amount, "amount");
        AssertRegionEqual(expected, glass, layout.Holder, "holder");
        AssertRegionEqual(expected, glass, layout.Qr, "QR");

        // The countdown: over two seconds, the panel is written only inside the countdown's line.
        var emulator = Panel.Emulator!;
        emulator.ResetCounters();
        await Wait.UntilAsync(() => Task.FromResult(emulator.Writes.Count >= 2), TimeSpan.FromSeconds(5), "two ticks of the countdown");
        Assert.All(emulator.Writes, w => Assert.True(
            w.Columns.First >= layout.Countdown.X && w.Columns.Last < layout.Countdown.X + layout.Countdown.Width
            && w.Rows.First >= layout.Countdown.Y && w.Rows.Last < layout.Countdown.Y + layout.Countdown.Height, $"{w} outside {layout.Countdown}"));
        Assert.True(emulator.BytesWritten < 240 * 320 * 2 / 20, $"{emulator.BytesWritten} bytes for two ticks");

        // The bank's money arrives: the panel shows "paid" with the amount, the same pixels as that screen drawn here.
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using var notified = await Province.NotifyAsync(750_000, "chuyen khoan " + code, "FT-PANEL-1");
        Assert.Equal(HttpStatusCode.OK, notified.StatusCode);
        await Wait.UntilAsync(() => Task.FromResult(Panel.State.Showing == "confirmed"), TimeSpan.FromSeconds(20), "the paid screen on the panel");
        using var paid = SKBitmap.Decode(await Terminal.Http.GetByteArrayAsync("/dev/panel.png"));
        var paidExpected = new PanelScreens(fonts).Render(new PanelContent("confirmed", null, 750_000), 240, 320, DateTimeOffset.UtcNow);
        AssertRegionEqual(paidExpected, paid, new PanelRect(0, 0, 240, 320), "paid screen");
    }

    [Fact]
    public async Task The_self_test_draws_the_test_pattern_and_tech_shows_the_panel()
    {
        await Wait.UntilAsync(() => Task.FromResult(Panel.State.State == "ready"), TimeSpan.FromSeconds(10), "the panel");
        var technician = await Terminal.StaffAsync(StaffRole.Technician);
        using var response = await technician.PostAsync("/api/v1/tech/selftest", null);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        var check = result.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "customer_panel");
        Assert.True(check.GetProperty("ok").GetBoolean(), check.ToString());
        Assert.Contains("đỏ", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("test", Panel.State.Showing);
        using (var glass = SKBitmap.Decode(await Terminal.Http.GetByteArrayAsync("/dev/panel.png")))
        {
            Assert.Equal(SKColors.Red, glass.GetPixel(24, 100));
            Assert.Equal(SKColors.Blue, glass.GetPixel(120, 100));
        }

        var state = await technician.GetFromJsonAsync<JsonElement>("/api/v1/tech/state");
        var rows = state.GetProperty("hardware").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("value").GetString());
        Assert.StartsWith("spi:st7789:simulated:dc=24", rows["Display"], StringComparison.Ordinal);
        Assert.Contains("St7789 240×320 on simulated", rows["DisplayPanel"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_a_panel_there_is_no_panel_image()
    {
        await using var plain = await TerminalHost.StartAsync(Province, syncFirst: false);
        using var response = await plain.Http.GetAsync("/dev/panel.png");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("none", plain.App.Services.GetRequiredService<CustomerPanel>().State.State);
    }

    private static void AssertRegionEqual(RgbPicture expected, SKBitmap glass, PanelRect region, string what)
    {
        var differing = 0;
        for (var y = region.Y; y < region.Y + region.Height; y++)
        {
            for (var x = region.X; x < region.X + region.Width; x++)
            {
                var c = expected[x, y];
                var (r, g, b) = Rgb565.ToRgb(Rgb565.From(c.R, c.G, c.B));
                if (glass.GetPixel(x, y) != new SKColor(r, g, b))
                {
                    differing++;
                }
            }
        }

        Assert.True(differing == 0, $"{differing} pixels of the {what} differ");
    }
}
