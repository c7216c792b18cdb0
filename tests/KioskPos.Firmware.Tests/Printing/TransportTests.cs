using KioskPos.Firmware.Printing;
using KioskPos.Firmware.Transports;
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Tests.Shared;

namespace KioskPos.Firmware.Tests.Printing;

/// <summary>The real driver printing through each transport to the emulator.</summary>
public class TransportTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    private static readonly PrinterTimeouts Quick = new(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));

    // The product's own timeouts (1 s for a status answer) with room to spare: the emulator behind a pty answers in
    // milliseconds, but CI runs this beside browser and database tests on two cores, and once its answer missed a
    // 500 ms wait ("printer not reachable" right after a ready status). What this test checks is the serial path.
    private static readonly PrinterTimeouts Patient = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));

    [Fact]
    public async Task A_serial_printer_on_a_pty_pair_prints_and_reports_paper_out_before_the_job()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-serial-").FullName;
        using var pair = new SocatPair(folder, "ttyUSB0");
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts);
        await using var host = new EmulatorHost(emulator);
        host.ServeDevice(pair.Device);
        var language = new PrinterLanguage(58);
        using var printer = new EscPosPrinter(PrinterTransports.Parse($"serial:{pair.Host}:115200"), new DocumentEncoder(language, fixture.Fonts), Patient);

        // The emulator opens its end of the pair in the background: ask until it answers (a few seconds at most).
        PrinterStatus? status = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); status is null && DateTime.UtcNow < deadline;)
        {
            status = await printer.GetStatusAsync(CancellationToken.None);
        }

        Assert.Equal(PrinterStatus.Ready, status);
        var printed = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);
        Assert.True(printed.Printed, printed.Problem);
        Assert.True(emulator.Pages.Count(p => p.Complete) == 1,
            $"the driver said printed, the emulator has {emulator.Pages.Count} page(s) ({emulator.Pages.Count(p => p.Complete)} complete), backlog {emulator.HasBacklog}, " +
            $"not understood: {string.Join(" ", emulator.NotUnderstood)}");

        emulator.PaperOut = true;
        var refused = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);
        Assert.False(refused.Printed);
        Assert.False(refused.Started, "nothing is sent to a printer without paper");
        Assert.Equal("paper_out", refused.State);
        Assert.False(emulator.HasBacklog);
    }

    [Fact]
    public async Task A_network_printer_that_resets_its_connection_is_reconnected()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var first = new EmulatorHost(emulator);
        var port = first.ListenTcp();
        using var printer = new EscPosPrinter(PrinterTransports.Parse($"tcp:127.0.0.1:{port}"), new DocumentEncoder(new PrinterLanguage(80), fixture.Fonts), Quick);
        Assert.True((await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None)).Printed);

        // The printer goes away (reset): status says unreachable, a job is refused without hanging.
        await first.DisposeAsync();
        Assert.Null(await printer.GetStatusAsync(CancellationToken.None));
        var down = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);
        Assert.Equal("unreachable", down.State);

        // Back on the same port: the driver connects again by itself.
        await using var second = new EmulatorHost(emulator);
        second.ListenTcp(port);
        Assert.True((await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None)).Printed);
        Assert.Equal(2, emulator.Pages.Count(p => p.Complete));
    }

    [Fact]
    public async Task A_missing_USB_device_says_what_to_check()
    {
        using var transport = new DeviceFileTransport("/nonexistent/usb/lp0");
        var error = await Assert.ThrowsAsync<IOException>(() => transport.OpenAsync(CancellationToken.None));
        Assert.Contains("plugged in", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PrinterTransports.Parse("lpt1"));
    }

    [Fact]
    public async Task A_printer_stopping_mid_job_is_not_reported_printed_and_its_buffer_is_cleared()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        await using var host = new EmulatorHost(emulator);
        var port = host.ListenTcp();
        using var printer = new EscPosPrinter(new TcpTransport("127.0.0.1", port), new DocumentEncoder(new PrinterLanguage(80), fixture.Fonts), Quick);
        emulator.RunOutOfPaperAfter(300);
        var outcome = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);
        Assert.False(outcome.Printed);
        Assert.True(outcome.Started);
        Assert.Equal("paper_out", outcome.State);

        // The clear command travels behind the answer: wait for it to arrive, then load paper.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (emulator.HasBacklog && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.False(emulator.HasBacklog, "the driver cleared the printer's buffer");
        emulator.PaperOut = false;
        Assert.DoesNotContain(emulator.Pages, p => p.Complete);
        var again = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);
        Assert.True(again.Printed, $"{again.State}: {again.Problem}; not understood: {string.Join(", ", emulator.NotUnderstood)}");
        Assert.Single(emulator.Pages, p => p.Complete);
    }
}
