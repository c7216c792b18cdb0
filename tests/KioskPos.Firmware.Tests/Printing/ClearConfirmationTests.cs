using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Firmware.Tests.Printing;

/// <summary>
/// A job stopped by paper end has the printer's buffers cleared (<c>DLE DC4 8</c>). Epson's printers answer a clear
/// with <c>37 25 00</c>; many clones ignore it and print the rest of the stopped job when paper is loaded. The driver
/// used to send the clear and never wait: the queue then printed the job again as an original, and with the clone's
/// rest there were two originals.
/// </summary>
public class ClearConfirmationTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    [Fact]
    public void The_emulator_answers_a_clear_with_37_25_00_unless_it_plays_a_clone_that_ignores_it()
    {
        var answers = new List<byte>();
        var bytes = new DocumentEncoder(new PrinterLanguage(58), fixture.Fonts).Encode(Samples.TuitionDocument());
        var epson = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { PaperOut = true };
        epson.Connect(answers.AddRange);
        epson.Receive(bytes);
        epson.Receive(EscPosPrinter.ClearBuffers);
        Assert.Equal([0x37, 0x25, 0x00], answers);
        Assert.False(epson.HasBacklog);

        answers.Clear();
        var clone = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { PaperOut = true, IgnoresClear = true };
        clone.Connect(answers.AddRange);
        clone.Receive(bytes);
        clone.Receive(EscPosPrinter.ClearBuffers);
        Assert.Empty(answers);
        clone.PaperOut = false;
        Assert.Single(clone.Pages, p => p.Complete); // the stopped job printed after all
        Assert.Empty(clone.NotUnderstood);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_job_stopped_by_paper_end_is_uncertain_only_when_the_printer_does_not_confirm_the_clear(bool clone)
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { IgnoresClear = clone };
        using var transport = new BufferedPrinterTransport(emulator);
        using var printer = new EscPosPrinter(transport, new DocumentEncoder(new PrinterLanguage(58) { CashDrawerPin = 2 }, fixture.Fonts),
            new PrinterTimeouts(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3)) { Clear = TimeSpan.FromSeconds(0.5) });
        emulator.RunOutOfPaperAfter(150);

        var stopped = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);
        Assert.Equal("paper_out", stopped.State);
        Assert.True(stopped.Started);
        Assert.Equal(clone, stopped.Uncertain);
        Assert.Equal(clone, stopped.Problem!.Contains("BẢN SAO", StringComparison.Ordinal));

        // Paper loaded: Epson's printer prints nothing by itself; the clone prints the rest, its drawer pulse too.
        emulator.PaperOut = false;
        Assert.Equal(clone ? 1 : 0, emulator.Pages.Count(p => p.Complete));
        Assert.Equal(clone ? 1 : 0, emulator.DrawerPulses);

        // The queue's retry (openDrawer false after a started attempt) prints clean and pulses nothing more.
        var again = await printer.PrintAsync(Samples.TuitionDocument(), openDrawer: false, CancellationToken.None);
        Assert.True(again.Printed, $"{again.State}: {again.Problem}");
        Assert.Equal(clone ? 2 : 1, emulator.Pages.Count(p => p.Complete));
        Assert.Equal(clone ? 1 : 0, emulator.DrawerPulses);
        Assert.Empty(emulator.NotUnderstood);
    }
}
