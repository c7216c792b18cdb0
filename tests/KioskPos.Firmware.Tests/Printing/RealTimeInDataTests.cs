using KioskPos.Core.VietQr;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Firmware.Tests.Printing;

/// <summary>
/// Printers obey real-time commands wherever they find them in what they receive, graphics data included (Epson's,
/// Citizen's and NCR's manuals say so). A raster receipt's pixel bytes can spell one: <c>10 04 n</c> makes the
/// printer answer a status byte nobody asked for, which the driver read as its printer stopping; <c>10 14 01 m t</c>
/// pulses the cash drawer.
/// </summary>
public class RealTimeInDataTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    // 58 mm, 48 rows; row 5 holds 10 04 04 (near end, the printer's answer 0x1E has bit 2 set: "stopped" to the old
    // completion wait), row 20 holds 10 14 01 00 05 (a drawer pulse on pin 2), row 30 holds 10 04 02.
    private static MonoBitmap Picture()
    {
        var rows = new byte[48 * 48];
        rows[(48 * 5) + 10] = 0xFF;
        byte[] status = [0x10, 0x04, 0x04];
        status.CopyTo(rows, (48 * 5) + 20);
        byte[] pulse = [0x10, 0x14, 0x01, 0x00, 0x05];
        pulse.CopyTo(rows, (48 * 20) + 7);
        byte[] offline = [0x10, 0x04, 0x02];
        offline.CopyTo(rows, (48 * 30) + 40);
        return new MonoBitmap(384, 48, rows);
    }

    [Fact]
    public void The_emulator_obeys_real_time_commands_inside_raster_data_even_split_across_arrivals_unless_GS_paren_D_turned_the_pulse_off()
    {
        var answers = new List<byte>();
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { PaperNearEnd = true };
        emulator.Connect(answers.AddRange);
        var job = new DocumentEncoder(new PrinterLanguage(58), fixture.Fonts).EncodeImage(Picture()).Bytes;
        var split = EncodeIndexOf(job, [0x10, 0x14, 0x01]) + 2; // the pulse arrives in two pieces
        emulator.Receive(job.AsSpan(0, split));
        emulator.Receive(job.AsSpan(split));
        Assert.Equal([0x1E, 0x12], answers); // DLE EOT 4 (near end) and DLE EOT 2, unasked
        Assert.Equal(1, emulator.DrawerPulses);
        Assert.Single(emulator.Pages, p => p.Complete);
        Assert.Empty(emulator.NotUnderstood);

        var guarded = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts);
        guarded.Receive(EscPos.DisableRealTimePulseAndPowerOff());
        guarded.Receive(job);
        Assert.Equal(0, guarded.DrawerPulses);
        Assert.Empty(guarded.NotUnderstood);
    }

    [Fact]
    public async Task A_bitmap_holding_status_and_drawer_bytes_prints_once_without_a_reprint_or_a_drawer_pulse()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { PaperNearEnd = true };
        using var transport = new BufferedPrinterTransport(emulator);
        var encoder = new DocumentEncoder(new PrinterLanguage(58) { DisableRealTimePulse = true }, fixture.Fonts);
        using var printer = new EscPosPrinter(transport, encoder, new PrinterTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3)));

        var outcome = await printer.PrintAsync(encoder.EncodeImage(Picture()), CancellationToken.None);

        Assert.True(outcome.Printed, $"{outcome.State}: {outcome.Problem}");
        Assert.False(outcome.Uncertain);
        Assert.Single(emulator.Pages, p => p.Complete);
        Assert.Equal(0, emulator.DrawerPulses);
        Assert.Empty(emulator.NotUnderstood);
        Assert.Equal("1D 28 44 05 00 14 01 00 02 00", EscPosCommandTests.Hex(EscPos.DisableRealTimePulseAndPowerOff()));

        // And the printer is asked as usual afterwards: the unasked answers left nothing out of step.
        Assert.Equal("ready", (await printer.GetStatusAsync(CancellationToken.None))?.Code);
    }

    private static int EncodeIndexOf(byte[] haystack, byte[] needle) => EscPosCommandTests.IndexOf(haystack, needle);
}
