using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Firmware.Tests.Printing;

/// <summary>
/// A printer left with automatic status back on (<c>GS a n</c>, by another program or its own settings) sends four
/// bytes on every change, some of them 00: the completion wait took one for the answer to <c>GS r 1</c>, and a job
/// stopped by paper end counted as printed. The driver turns it off once a connection.
/// </summary>
public class AutomaticStatusBackTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    [Fact]
    public async Task Automatic_status_back_left_on_does_not_make_a_job_stopped_by_paper_end_look_printed()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts);
        emulator.Receive(EscPos.AutomaticStatusBack(0xFF));
        using var transport = new BufferedPrinterTransport(emulator);
        using var printer = new EscPosPrinter(transport, new DocumentEncoder(new PrinterLanguage(58), fixture.Fonts),
            new PrinterTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3)));
        emulator.RunOutOfPaperAfter(150);

        var outcome = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);

        Assert.False(outcome.Printed);
        Assert.Equal("paper_out", outcome.State);
        Assert.Equal(1, transport.Writes(EscPos.AutomaticStatusBack(0)));
        emulator.PaperOut = false;
        Assert.True((await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None)).Printed);
        Assert.Equal(1, transport.Writes(EscPos.AutomaticStatusBack(0))); // once a connection, not once a job
    }
}
