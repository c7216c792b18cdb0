using System.Runtime.CompilerServices;
using System.Threading.Channels;
using KioskPos.Firmware.Devices;

namespace KioskPos.Firmware.Readers;

/// <summary>Several readers seen as one stream, as the application wants: every tap, whichever reader read it.</summary>
/// <param name="readers">The readers; each runs until the stream is cancelled.</param>
public sealed class MergedCardReader(IReadOnlyList<ICardReader> readers) : ICardReader
{
    /// <summary>The readers merged.</summary>
    public IReadOnlyList<ICardReader> Readers => readers;

    /// <inheritdoc />
    public string Name => string.Join(", ", readers.Select(r => r.Name));

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<CardRead>(new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropOldest });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = readers.Select(reader => PumpAsync(reader, channel.Writer, stop.Token)).ToList();
        try
        {
            await foreach (var read in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return read;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pumps).ConfigureAwait(false);
        }
    }

    private static async Task PumpAsync(ICardReader reader, ChannelWriter<CardRead> writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var read in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(read, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
