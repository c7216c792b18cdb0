using System.IO.Ports;

namespace KioskPos.Firmware.Transports;

/// <summary>
/// A serial printer (<c>/dev/ttyUSB0</c>, <c>/dev/serial0</c>), 8N1 with the printer's flow control, through
/// System.IO.Ports. A write goes in pieces of about a tenth of a second of the line, each with the caller's stall
/// limit plus twice its time at the baud rate: a 50 kB raster receipt takes 52 s at 9600 baud and is never cut short
/// while the bytes keep going, and a line that stops (flow control held, cable out) is found within the stall limit.
/// </summary>
public sealed class SerialTransport(string portName, int baudRate, SerialFlowControl flowControl = SerialFlowControl.None) : IPrinterTransport
{
    private SerialPort? _port;

    /// <inheritdoc />
    public string Description => $"serial {portName} at {baudRate} baud{(flowControl == SerialFlowControl.None ? string.Empty : ", " + flowControl.Name())}";

    /// <summary>The printer's flow control.</summary>
    public SerialFlowControl FlowControl => flowControl;

    /// <summary>The line's speed.</summary>
    public int BaudRate => baudRate;

    // About 0.1 s of the line a piece: 96 bytes at 9600 baud, 1152 at 115200.
    private int PieceBytes => Math.Max(16, baudRate / 100);

    /// <inheritdoc />
    /// <remarks>8N1: ten bits a byte.</remarks>
    public TimeSpan TransferTime(int bytes) => TimeSpan.FromSeconds(bytes * 10.0 / baudRate);

    /// <inheritdoc />
    public bool IsOpen => _port?.IsOpen == true;

    /// <inheritdoc />
    public Task OpenAsync(CancellationToken cancellationToken)
    {
        if (IsOpen)
        {
            return Task.CompletedTask;
        }

        Close();
        var port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = flowControl switch
            {
                SerialFlowControl.XonXoff => Handshake.XOnXOff,
                SerialFlowControl.RtsCts => Handshake.RequestToSend,
                _ => Handshake.None,
            },
            DtrEnable = flowControl == SerialFlowControl.DtrDsr,
        };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new IOException(File.Exists(portName)
                ? $"{portName} cannot be opened ({e.Message}); the kioskpos user needs the dialout group"
                : $"{portName} does not exist: is the serial printer's cable in? (USB-serial adapters appear as /dev/ttyUSB0)", e);
        }

        _port = port;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var port = Port();
        var written = 0;
        try
        {
            await Task.Run(() =>
            {
                var piece = new byte[PieceBytes];
                while (written < data.Length)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var count = Math.Min(piece.Length, data.Length - written);
                    if (flowControl == SerialFlowControl.DtrDsr && !WaitForDsr(port, timeout, cancellationToken))
                    {
                        throw new TimeoutException("DSR stayed low (printer busy)");
                    }

                    data.Span.Slice(written, count).CopyTo(piece);
                    port.WriteTimeout = Milliseconds(timeout + (2 * TransferTime(count)));
                    port.Write(piece, 0, count);
                    written += count;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            // The port stays open: a real-time request may still reach the printer, and closing would drop the bytes
            // the kernel still holds for it (the printer would be left in the middle of a command).
            throw new PrinterStallException($"{portName} took no data for {timeout.TotalSeconds:0.#} s after {written} of {data.Length} bytes ({e.Message})", written);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Close();
            throw new IOException($"{portName} went away while writing: {e.Message}", e);
        }
    }

    // DTR/DSR by hand (Linux has no such flow control): the printer holds DSR low while its buffer is nearly full.
    private static bool WaitForDsr(SerialPort port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!port.DsrHolding)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            cancellationToken.WaitHandle.WaitOne(10);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return true;
    }

    /// <inheritdoc />
    public async Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var port = Port();
        try
        {
            return await SerialReads.ReadAvailableAsync(port, buffer, DateTime.UtcNow + timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Close();
            throw new IOException($"{portName} went away while reading: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public Task DiscardInputAsync(CancellationToken cancellationToken)
    {
        Port().DiscardInBuffer();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Close()
    {
        var port = Interlocked.Exchange(ref _port, null);
        try
        {
            port?.Close();
        }
        catch (IOException)
        {
            // The device is already gone; nothing to flush.
        }

        port?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => Close();

    private static int Milliseconds(TimeSpan timeout) => (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);

    private SerialPort Port() => _port is { IsOpen: true } port ? port : throw new IOException($"{portName} is not open");
}
