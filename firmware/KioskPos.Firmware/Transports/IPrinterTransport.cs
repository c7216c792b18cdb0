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

    /// <summary>
    /// Writes all of <paramref name="data"/>, however long that takes while the device keeps taking bytes:
    /// <paramref name="timeout"/> is the longest it may go without taking any (a printer out of paper with a full
    /// buffer), not a limit on the whole write; a serial line adds the time its baud rate needs for the bytes.
    /// </summary>
    /// <exception cref="PrinterStallException">The device took nothing for <paramref name="timeout"/>; says how many bytes
    /// it took. The transport stays open when it can still carry a real-time request (a device file, a serial port).</exception>
    /// <exception cref="IOException">The device went away (closed after).</exception>
    Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The least time the link needs to carry <paramref name="bytes"/> (a serial line at its baud rate); zero for
    /// USB and the network, whose speed is never what limits a receipt.</summary>
    TimeSpan TransferTime(int bytes) => TimeSpan.Zero;

    /// <summary>Reads what has arrived, waiting up to <paramref name="timeout"/> for the first byte; 0 when nothing came.</summary>
    /// <exception cref="IOException">The device went away (closed after).</exception>
    Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Drops bytes that arrived unasked (a late answer), so that the next read is the next answer.</summary>
    Task DiscardInputAsync(CancellationToken cancellationToken);

    /// <summary>Closes it; the next use opens it again.</summary>
    void Close();
}

/// <summary>
/// The device stopped taking bytes part-way through a write (a printer out of paper whose buffer is full, a flow
/// control that never released): <see cref="Written"/> bytes of the write went through.
/// </summary>
public sealed class PrinterStallException(string message, int written) : TimeoutException(message)
{
    /// <summary>The bytes of the write the device took before it stopped.</summary>
    public int Written { get; } = written;
}

/// <summary>
/// Makes the transport a printer profile names: <c>usb:/dev/usb/lp0</c>, <c>serial:/dev/ttyUSB0:19200</c> (with the
/// printer's flow control after the baud rate when it has one: <c>serial:/dev/ttyUSB0:9600:rtscts</c>),
/// <c>tcp:10.0.0.5:9100</c>.
/// </summary>
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
                return Serial(address, rest);
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

        throw new ArgumentException($"Printer address '{address}' is not usb:/dev/usb/lp0, serial:/dev/ttyUSB0[:baud][:none|xonxoff|rtscts|dtrdsr] or tcp:host[:port].", nameof(address));
    }

    // serial:PATH[:baud][:flow]: the path itself has no colon (/dev/ttyUSB0, /dev/serial0).
    private static SerialTransport Serial(string address, string rest)
    {
        var parts = rest.Split(':');
        var baud = 19200;
        var flow = SerialFlowControl.None;
        foreach (var part in parts.Skip(1))
        {
            if (int.TryParse(part, out var number) && number > 0)
            {
                baud = number;
            }
            else if (SerialFlowControls.TryParse(part, out var parsed))
            {
                flow = parsed;
            }
            else
            {
                throw new ArgumentException($"Printer address '{address}': '{part}' is neither a baud rate nor a flow control (none, xonxoff, rtscts, dtrdsr).", nameof(address));
            }
        }

        return new SerialTransport(parts[0], baud, flow);
    }
}
