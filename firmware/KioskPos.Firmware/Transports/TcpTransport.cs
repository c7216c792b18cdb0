using System.Net.Sockets;

namespace KioskPos.Firmware.Transports;

/// <summary>A network printer's raw port (9100); status answers come back on the same socket.</summary>
public sealed class TcpTransport(string host, int port) : IPrinterTransport
{
    private const int Piece = 4096;
    private readonly byte[] _scratch = new byte[256];
    private TcpClient? _client;
    private Task<int>? _pending;

    /// <inheritdoc />
    public string Description => $"TCP {host}:{port}";

    /// <inheritdoc />
    public bool IsOpen => _client?.Connected == true;

    /// <inheritdoc />
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (IsOpen)
        {
            return;
        }

        Close();
        var client = new TcpClient { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new IOException($"No printer answers at {host}:{port} ({e.Message}): is it on, on the network, with that address?", e);
        }

        _client = client;
    }

    /// <inheritdoc />
    /// <remarks>
    /// In pieces of 4 kB, each with the whole time limit: a printer that prints as the bytes come is never cut short, one
    /// that takes nothing for the limit is stalled. A socket write cut short cannot be resumed in step (the bytes it
    /// sent are unknown), so a stalled connection is closed; the printer answers real-time requests on a new one.
    /// </remarks>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stream = Stream();
        var written = 0;
        try
        {
            while (written < data.Length)
            {
                var count = Math.Min(Piece, data.Length - written);
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(timeout);
                await stream.WriteAsync(data.Slice(written, count), limit.Token).ConfigureAwait(false);
                written += count;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Close();
            throw new PrinterStallException($"{host}:{port} took no data for {timeout.TotalSeconds:0.#} s after {written} of {data.Length} bytes", written);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close();
            throw new IOException($"The connection to {host}:{port} broke: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async Task<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stream = Stream();

        // A read that timed out stays pending and delivers its bytes to the next call: a socket read cannot be
        // cancelled without losing its place, and a late answer must not be lost.
        _pending ??= stream.ReadAsync(_scratch, 0, _scratch.Length);
        if (!_pending.IsCompleted)
        {
            await Task.WhenAny(_pending, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (!_pending.IsCompleted)
            {
                return 0;
            }
        }

        var pending = _pending;
        _pending = null;
        int read;
        try
        {
            read = await pending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close();
            throw new IOException($"The connection to {host}:{port} broke: {e.Message}", e);
        }

        if (read == 0)
        {
            Close();
            throw new IOException($"{host}:{port} closed the connection");
        }

        var count = Math.Min(read, buffer.Length);
        _scratch.AsSpan(0, count).CopyTo(buffer.Span);
        if (count < read)
        {
            // Keep what did not fit for the next call.
            var rest = _scratch[count..read];
            _pending = Task.FromResult(rest.Length);
            rest.CopyTo(_scratch, 0);
        }

        return count;
    }

    /// <inheritdoc />
    public async Task DiscardInputAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        while (_client is { Connected: true } && (_pending is { IsCompleted: true } || _client.Available > 0))
        {
            _ = await ReadAsync(buffer, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Close()
    {
        Interlocked.Exchange(ref _client, null)?.Dispose();
        _pending = null;
    }

    /// <inheritdoc />
    public void Dispose() => Close();

    private NetworkStream Stream() => _client is { Connected: true } client ? client.GetStream() : throw new IOException($"{host}:{port} is not connected");
}
