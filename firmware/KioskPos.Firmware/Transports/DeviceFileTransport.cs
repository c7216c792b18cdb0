using System.Runtime.InteropServices;
using KioskPos.Firmware.Interop;

namespace KioskPos.Firmware.Transports;

/// <summary>
/// A character device opened read-write: the USB line printer file the <c>usblp</c> driver makes
/// (<c>/dev/usb/lp0</c>), whose status answers come back on read, or any tty. Non-blocking I/O with <c>poll(2)</c>
/// gives every read and write a time limit (a blocking read on a printer that never answers would hang a thread).
/// </summary>
public sealed class DeviceFileTransport(string path) : IPrinterTransport
{
    private readonly Lock _gate = new();
    private int _fd = -1;

    /// <summary>The device file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public string Description => $"USB/device file {Path}";

    /// <inheritdoc />
    public bool IsOpen => Volatile.Read(ref _fd) >= 0;

    /// <inheritdoc />
    public Task OpenAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_fd >= 0)
            {
                return Task.CompletedTask;
            }

            var fd = Libc.Open(Path, Libc.ORdWr | Libc.ONoCtty | Libc.ONonBlock | Libc.OCloExec);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException(errno switch
                {
                    2 => $"{Path} does not exist: is the printer plugged in and switched on? (USB printers appear as /dev/usb/lp0 with the usblp driver)",
                    13 => $"{Path}: permission denied; the kioskpos user needs the lp group (the package's udev rule gives it)",
                    16 => $"{Path} is busy: another program (CUPS?) holds the printer",
                    _ => $"{Path} cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}",
                });
            }

            // A tty (a serial line, a pty) is put in raw mode: no echo, no line editing, no newline translation,
            // whatever state the last user left it in; a USB line printer file is not a tty and is left as it is.
            if (Libc.IsATty(fd) == 1)
            {
                var termios = new byte[256];
                if (Libc.TcGetAttr(fd, termios) == 0)
                {
                    Libc.CfMakeRaw(termios);
                    _ = Libc.TcSetAttr(fd, 0, termios);
                }
            }

            _fd = fd;
            return Task.CompletedTask;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The time limit runs from the last byte the device took, not from the start: a 100 kB raster receipt goes into
    /// a printer as fast as it prints, and only a device that takes nothing at all for <paramref name="timeout"/> is
    /// stalled. The file stays open then, so that the caller can ask the printer why (a real-time status request).
    /// </remarks>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var offset = 0;
        var deadline = DateTime.UtcNow + timeout;
        while (offset < data.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fd = Fd();
            if (!await WaitAsync(fd, Libc.PollOut, deadline, cancellationToken).ConfigureAwait(false))
            {
                throw new PrinterStallException($"{Path} took no data for {timeout.TotalSeconds:0.#} s after {offset} of {data.Length} bytes (printer out of paper, off or jammed?)", offset);
            }

            var written = Libc.Write(fd, data.Span[offset..]);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EAgain or Libc.EIntr)
                {
                    continue;
                }

                Close();
                throw new IOException($"{Path} went away while writing: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            if (written > 0)
            {
                offset += written;
                deadline = DateTime.UtcNow + timeout;
            }
        }
    }

    /// <inheritdoc />
    public async Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var fd = Fd();
        if (!await WaitAsync(fd, Libc.PollIn, DateTime.UtcNow + timeout, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        var read = Libc.Read(fd, buffer.Span);
        if (read > 0)
        {
            return read;
        }

        var errno = read < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (read < 0 && errno is Libc.EAgain or Libc.EIntr)
        {
            return 0;
        }

        Close();
        throw new IOException($"{Path} went away while reading{(read < 0 ? ": " + Marshal.GetPInvokeErrorMessage(errno) : " (end of file)")}");
    }

    /// <inheritdoc />
    public async Task DiscardInputAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        while (await ReadAsync(buffer, TimeSpan.Zero, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <inheritdoc />
    public void Close()
    {
        lock (_gate)
        {
            if (_fd >= 0)
            {
                _ = Libc.Close(_fd);
                _fd = -1;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Close();

    private int Fd()
    {
        var fd = Volatile.Read(ref _fd);
        return fd >= 0 ? fd : throw new IOException($"{Path} is not open");
    }

    // A hang-up or error on the descriptor is the device gone.
    private async Task<bool> WaitAsync(int fd, short events, DateTime deadline, CancellationToken cancellationToken)
    {
        Libc.Readiness readiness;
        try
        {
            readiness = await Libc.WaitAsync(fd, events, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            Close();
            throw new IOException($"{Path}: {e.Message}", e);
        }

        if (readiness == Libc.Readiness.Gone)
        {
            Close();
            throw new IOException($"{Path} went away (unplugged?)");
        }

        return readiness == Libc.Readiness.Ready;
    }
}
