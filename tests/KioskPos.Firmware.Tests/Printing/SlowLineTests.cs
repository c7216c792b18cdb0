using System.Diagnostics;
using System.Threading.Channels;
using KioskPos.Firmware.Printing;
using KioskPos.Firmware.Transports;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Firmware.Tests.Printing;

/// <summary>
/// Raster receipts are 50-120 kB. A limit on the whole write failed every receipt on the 9600 baud profile (4.8 kB in
/// 5 s), and a printer that stopped part-way had its device closed in the middle of a <c>GS v 0</c> band: the next
/// receipt's bytes became pixels, and pixels became commands. The limit now runs from the last byte taken.
/// </summary>
public class SlowLineTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    [Fact]
    public async Task A_58mm_receipt_goes_through_a_9600_baud_line_scaled_twelve_times()
    {
        // 960 bytes a second with the product's 20 s completion limit, scaled twelve times to keep the test short:
        // 11,520 bytes a second, 20/12 s, and a line of 115200 baud (the transport reckons the line's time from it, as
        // it does at 9600; the pty itself has no speed, the emulator takes the bytes at its rate). The write's stall
        // limit is not scaled (5 s): a pty pair passes bytes on in bursts, not steadily as a UART does, and on a busy
        // test machine the emulator's reader can be held off for seconds (2.5 s once failed a CI run). The 78 kB
        // receipt takes 6.8 s at this rate: no limit on the whole write at or below 5 s could pass.
        var folder = Directory.CreateTempSubdirectory("kioskpos-slow-serial-").FullName;
        using var pair = new SocatPair(folder, "ttyUSB0");
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { BytesPerSecond = 11_520, ReceiveBufferBytes = 4_096 };
        await using var host = new EmulatorHost(emulator);
        host.ServeDevice(pair.Device);
        var encoder = new DocumentEncoder(new PrinterLanguage(58), fixture.Fonts);
        using var printer = new EscPosPrinter(PrinterTransports.Parse($"serial:{pair.Host}:115200"), encoder,
            new PrinterTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20.0 / 12)));
        for (var deadline = DateTime.UtcNow.AddSeconds(10); await printer.GetStatusAsync(CancellationToken.None) is null;)
        {
            Assert.True(DateTime.UtcNow < deadline, "the emulator never answered on its pty");
        }

        var job = encoder.Encode(Samples.TuitionDocument());
        Assert.True(job.Length > 2 * 11_520, $"{job.Length} bytes: a receipt longer than the completion limit at this rate");
        var clock = Stopwatch.StartNew();
        var outcome = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);

        Assert.True(outcome.Printed, $"{outcome.State}: {outcome.Problem} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Single(emulator.Pages, p => p.Complete);
        Assert.Empty(emulator.NotUnderstood);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(job.Length / 11_520.0 * 0.9), "the emulator took the bytes at its rate");
    }

    [Fact]
    public void A_serial_printer_address_carries_its_flow_control_and_the_line_time_follows_the_baud_rate()
    {
        var rtscts = Assert.IsType<SerialTransport>(PrinterTransports.Parse("serial:/dev/ttyUSB0:9600:rtscts"));
        Assert.Equal((9600, SerialFlowControl.RtsCts), (rtscts.BaudRate, rtscts.FlowControl));
        Assert.Equal(TimeSpan.FromSeconds(1), rtscts.TransferTime(960));
        Assert.Contains("rtscts", rtscts.Description, StringComparison.Ordinal);
        var dtrdsr = Assert.IsType<SerialTransport>(PrinterTransports.Parse("serial:/dev/ttyUSB0:dtrdsr"));
        Assert.Equal((19200, SerialFlowControl.DtrDsr), (dtrdsr.BaudRate, dtrdsr.FlowControl));
        Assert.Equal(SerialFlowControl.None, Assert.IsType<SerialTransport>(PrinterTransports.Parse("serial:/dev/serial0:9600")).FlowControl);
        Assert.Contains("xonxoff", Assert.Throws<ArgumentException>(() => PrinterTransports.Parse("serial:/dev/ttyUSB0:9600:cts")).Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, ((IPrinterTransport)new TcpTransport("127.0.0.1", 9100)).TransferTime(100_000));
    }

    [Fact]
    public async Task A_device_file_taking_bytes_slowly_is_written_to_the_end_and_one_taking_none_stalls_without_closing()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-slow-usb-").FullName;
        var fifo = Path.Combine(folder, "lp0");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using var transport = new DeviceFileTransport(fifo);
        await transport.OpenAsync(CancellationToken.None);
        await using var reader = new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, useAsync: false);

        // 256 kB through a 64 kB pipe read at about 128 kB/s: some 1.5 s in all, never 0.5 s without progress.
        var data = new byte[256 * 1024];
        new Random(3).NextBytes(data);
        var received = new MemoryStream();
        var draining = Task.Run(() =>
        {
            var chunk = new byte[4096];
            while (received.Length < data.Length)
            {
                var read = reader.Read(chunk);
                received.Write(chunk, 0, read);
                Thread.Sleep(30);
            }
        });
        await transport.WriteAsync(data, TimeSpan.FromSeconds(0.5), CancellationToken.None);
        await draining.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(data, received.ToArray());

        // Nobody reading: the pipe fills, the write stalls, says how far it got, and the file stays open.
        var stall = await Assert.ThrowsAsync<PrinterStallException>(() => transport.WriteAsync(data, TimeSpan.FromSeconds(0.3), CancellationToken.None));
        Assert.InRange(stall.Written, 1, data.Length - 1);
        Assert.True(transport.IsOpen);
    }

    [Fact]
    public async Task Paper_out_while_a_job_is_written_gives_paper_out_and_a_clean_reprint_without_a_drawer_pulse()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fixture.Fonts) { ReceiveBufferBytes = 4_096 };
        using var transport = new BufferedPrinterTransport(emulator);
        var language = new PrinterLanguage(58) { CashDrawerPin = 2 };
        using var printer = new EscPosPrinter(transport, new DocumentEncoder(language, fixture.Fonts),
            new PrinterTimeouts(TimeSpan.FromSeconds(0.3), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2)));
        emulator.RunOutOfPaperAfter(200);

        var stopped = await printer.PrintAsync(Samples.TuitionDocument(), CancellationToken.None);
        Assert.False(stopped.Printed);
        Assert.True(stopped.Started);
        Assert.Equal("paper_out", stopped.State);
        Assert.True(transport.Stalls > 0, "the job stopped going in: the printer held it back");
        Assert.False(emulator.HasBacklog, "the stopped job was cleared");

        emulator.PaperOut = false;
        var again = await printer.PrintAsync(Samples.TuitionDocument(), openDrawer: false, CancellationToken.None);
        Assert.True(again.Printed, $"{again.State}: {again.Problem}");
        Assert.Single(emulator.Pages, p => p.Complete);
        Assert.Empty(emulator.NotUnderstood);
        Assert.Equal(0, emulator.DrawerPulses);
    }
}

/// <summary>
/// The emulator in memory behind a transport that honours back-pressure as a USB line printer file does: a write
/// takes bytes as the emulator's buffer has room, and stalls (saying how far it got) when none went in for its limit.
/// A real-time request written on its own goes through whatever the buffer holds.
/// </summary>
internal sealed class BufferedPrinterTransport : IPrinterTransport
{
    private readonly EscPosEmulator _emulator;
    private readonly Channel<byte> _answers = Channel.CreateUnbounded<byte>();
    private readonly List<byte[]> _writes = [];

    public BufferedPrinterTransport(EscPosEmulator emulator)
    {
        _emulator = emulator;
        emulator.Connect(answer =>
        {
            foreach (var b in answer)
            {
                _answers.Writer.TryWrite(b);
            }
        });
    }

    /// <summary>Writes that stalled.</summary>
    public int Stalls { get; private set; }

    public string Description => "memory, buffered";

    public bool IsOpen => true;

    public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>How many writes were exactly <paramref name="command"/>.</summary>
    public int Writes(byte[] command) => _writes.Count(w => w.AsSpan().SequenceEqual(command));

    public async Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (data.Length <= 16)
        {
            _writes.Add(data.ToArray());
        }

        var written = 0;
        while (written < data.Length)
        {
            var piece = data.Slice(written, Math.Min(512, data.Length - written));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            var taken = await _emulator.ReceiveAsync(piece, limit.Token);
            written += taken;
            if (taken < piece.Length)
            {
                Stalls++;
                throw new PrinterStallException($"no byte taken for {timeout.TotalSeconds} s", written);
            }
        }
    }

    public async Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            var answer = await _answers.Reader.ReadAsync(wait.Token);
            buffer.Span[0] = answer;
            return 1;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    public Task DiscardInputAsync(CancellationToken cancellationToken)
    {
        while (_answers.Reader.TryRead(out _))
        {
        }

        return Task.CompletedTask;
    }

    public void Close()
    {
    }

    public void Dispose()
    {
    }
}
