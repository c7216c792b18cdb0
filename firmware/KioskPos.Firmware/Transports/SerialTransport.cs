using System.IO.Ports;

namespace KioskPos.Firmware.Transports;

/// <summary>A serial printer (<c>/dev/ttyUSB0</c>, <c>/dev/serial0</c>), 8N1 with RTS/CTS off, through System.IO.Ports.</summary>
public sealed class SerialTransport(string portName, int baudRate) : IPrinterTransport
{
    private SerialPort? _port;

    /// <inheritdoc />
    public string Description => $"serial {portName} at {baudRate} baud";

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
        var port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One) { Handshake = Handshake.None };
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
        port.WriteTimeout = Milliseconds(timeout);
        try
        {
            await Task.Run(() => port.Write(data.ToArray(), 0, data.Length), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            Close();
            throw e is TimeoutException ? e : new IOException($"{portName} went away while writing: {e.Message}", e);
        }
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
