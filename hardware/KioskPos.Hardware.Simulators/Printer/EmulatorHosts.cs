using System.Net;
using System.Net.Sockets;
using KioskPos.Firmware.Transports;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>
/// Puts an <see cref="EscPosEmulator"/> behind the transports a real printer has: a raw TCP port (like port 9100),
/// or a character device such as one end of a <c>socat</c> pty pair (standing in for <c>/dev/usb/lp0</c> or a serial
/// port). Pages cut are written as PNG files to a folder when one is given.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private TcpListener? _listener;
    private int _disposed;

    /// <summary>Hosts <paramref name="emulator"/>; pages go to <paramref name="outputFolder"/> as <c>page-0001.png</c> when set.</summary>
    public EmulatorHost(EscPosEmulator emulator, string? outputFolder = null)
    {
        Emulator = emulator;
        OutputFolder = outputFolder is null ? null : Path.GetFullPath(outputFolder);
        if (OutputFolder is not null)
        {
            Directory.CreateDirectory(OutputFolder);
            emulator.PagePrinted += Save;
        }
    }

    /// <summary>The printer.</summary>
    public EscPosEmulator Emulator { get; }

    // What one read takes from the line: 64 kB, or for an emulator with a rate or a bounded buffer a twentieth of a
    // second of its rate and no more than its buffer, so that the line drains steadily as a UART's does instead of in
    // bursts that leave the sender blocked for seconds.
    private int ReadSize => Math.Max(64, Math.Min(64 * 1024, Math.Min(Emulator.BytesPerSecond is { } rate ? rate / 20 : int.MaxValue, Emulator.ReceiveBufferBytes ?? int.MaxValue)));

    /// <summary>Where page images are written.</summary>
    public string? OutputFolder { get; }

    /// <summary>The TCP port listened on, once <see cref="ListenTcp"/> ran.</summary>
    public int Port { get; private set; }

    /// <summary>The file a page was saved to, by page number.</summary>
    public static string PageFileName(int number) => $"page-{number:D4}.png";

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: any free port); one connection at a time, as a printer.</summary>
    public int ListenTcp(int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loops.Add(Task.Run(() => AcceptAsync(_listener, _stop.Token)));
        return Port;
    }

    /// <summary>Serves a character device (a pty end) until stopped; the device may vanish and come back.</summary>
    public void ServeDevice(string path) => _loops.Add(Task.Run(() => DeviceAsync(path, _stop.Token)));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Emulator.PagePrinted -= Save;
        _stop.Dispose();
    }

    private void Save(PrintedPage page)
    {
        var target = Path.Combine(OutputFolder!, PageFileName(page.Number));
        File.WriteAllBytes(target + ".tmp", page.ToPng());
        File.Move(target + ".tmp", target, overwrite: true);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                Emulator.Connect(answer =>
                {
                    try
                    {
                        stream.Write(answer);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException)
                    {
                        // The driver hung up; it asks again after reconnecting.
                    }
                });
                var buffer = new byte[ReadSize];
                try
                {
                    int read;
                    while ((read = await stream.ReadAsync(buffer, stop).ConfigureAwait(false)) > 0)
                    {
                        // Waits while the emulator's buffer is full (when it has a size): the socket then fills and
                        // holds the driver back, as a real printer does.
                        await Emulator.ReceiveAsync(buffer.AsMemory(0, read), stop).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                }
                finally
                {
                    Emulator.Connect(null);
                }
            }
        }
    }

    private async Task DeviceAsync(string path, CancellationToken stop)
    {
        using var device = new DeviceFileTransport(path);
        var buffer = new byte[ReadSize];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!device.IsOpen)
                {
                    await device.OpenAsync(stop).ConfigureAwait(false);
                    Emulator.Connect(answer =>
                    {
                        try
                        {
                            device.WriteAsync(answer, TimeSpan.FromSeconds(1), CancellationToken.None).GetAwaiter().GetResult();
                        }
                        catch (Exception e) when (e is IOException or TimeoutException)
                        {
                        }
                    });
                }

                var read = await device.ReadAsync(buffer, TimeSpan.FromMilliseconds(200), stop).ConfigureAwait(false);
                if (read > 0)
                {
                    await Emulator.ReceiveAsync(buffer.AsMemory(0, read), stop).ConfigureAwait(false);
                }
            }
            catch (IOException)
            {
                // The device is gone (socat restarted, cable out): try again shortly.
                Emulator.Connect(null);
                try
                {
                    await Task.Delay(100, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
