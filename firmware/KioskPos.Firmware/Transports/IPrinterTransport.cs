namespace KioskPos.Firmware.Transports;

/// <summary>
/// A byte pipe to a device (a receipt printer): USB line printer file, serial port or TCP socket. Every read and
/// write has a time limit; a transport that fails closes itself and is opened again on the next use, so a printer
/// unplugged and plugged back (or a reset connection) never leaves its caller stuck.
/// </summary>
public interface IPrinterTransport : IDisposable
{
    /// <summary>What it connects to, for people ("USB /dev/usb/lp0").</summary>
    string Description { get; }

    /// <summary>True while open.</summary>
    bool IsOpen { get; }

    /// <summary>Opens it when closed.</summary>
    /// <exception cref="IOException">The device is absent or refuses (the message says which and how to fix it).</exception>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="data"/> within <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">The device did not take it in time (closed after).</exception>
    /// <exception cref="IOException">The device went away (closed after).</exception>
    Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Reads what has arrived, waiting up to <paramref name="timeout"/> for the first byte; 0 when nothing came.</summary>
    /// <exception cref="IOException">The device went away (closed after).</exception>
    Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Drops bytes that arrived unasked (a late answer), so that the next read is the next answer.</summary>
    Task DiscardInputAsync(CancellationToken cancellationToken);

    /// <summary>Closes it; the next use opens it again.</summary>
    void Close();
}

/// <summary>Makes the transport a printer profile names: <c>usb:/dev/usb/lp0</c>, <c>serial:/dev/ttyUSB0:19200</c>, <c>tcp:10.0.0.5:9100</c>.</summary>
public static class PrinterTransports
{
    /// <summary>The transport for <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentException">The address is not one of the forms above.</exception>
    public static IPrinterTransport Parse(string address)
    {
        var colon = address.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? address : address[..colon];
        var rest = colon < 0 ? string.Empty : address[(colon + 1)..];
        switch (scheme)
        {
            case "usb" or "file" when rest.Length > 0:
                return new DeviceFileTransport(rest);
            case "serial" when rest.Length > 0:
                var at = rest.LastIndexOf(':');
                return at > 0 && int.TryParse(rest[(at + 1)..], out var baud)
                    ? new SerialTransport(rest[..at], baud)
                    : new SerialTransport(rest, 19200);
            case "tcp":
                var portAt = rest.LastIndexOf(':');
                if (portAt > 0 && int.TryParse(rest[(portAt + 1)..], out var port) && port is > 0 and < 65536)
                {
                    return new TcpTransport(rest[..portAt], port);
                }

                if (rest.Length > 0 && !rest.Contains(':', StringComparison.Ordinal))
                {
                    return new TcpTransport(rest, 9100);
                }

                break;
        }

        throw new ArgumentException($"Printer address '{address}' is not usb:/dev/usb/lp0, serial:/dev/ttyUSB0[:baud] or tcp:host[:port].", nameof(address));
    }
}
