using System.Runtime.CompilerServices;
using System.Threading.Channels;
using KioskPos.Firmware.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KioskPos.Firmware.Readers;

/// <summary>Several readers seen as one stream, as the application wants: every tap, whichever reader read it.</summary>
/// <param name="readers">The readers; each runs until the stream is cancelled, and one that fails is read again after <paramref name="retry"/>.</param>
/// <param name="retry">How long a failed reader rests before it is read (so opened) again; 2 s by default.</param>
/// <param name="logger">Where a failed reader is reported.</param>
public sealed class MergedCardReader(IReadOnlyList<ICardReader> readers, TimeSpan? retry = null, ILogger? logger = null) : ICardReader
{
    private readonly TimeSpan _retry = retry ?? TimeSpan.FromSeconds(2);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The readers merged.</summary>
    public IReadOnlyList<ICardReader> Readers => readers;

    /// <inheritdoc />
    public string Name => string.Join(", ", readers.Select(r => r.Name));

    /// <inheritdoc />
    /// <remarks>The worst of the readers that tell: one unavailable makes the whole unavailable, naming it.</remarks>
    public ReaderHealth? Health => readers.Select(r => r.Health).OfType<ReaderHealth>().OrderByDescending(h => h.State switch
    {
        ReaderState.Unavailable => 2,
        ReaderState.Opening => 1,
        _ => 0,
    }).FirstOrDefault();

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

    // One reader's taps into the stream. A reader that fails (an MFRC522 not answering, a device file gone) is read
    // again after a rest, as the tap listener does with a single reader; the others go on meanwhile.
    private async Task PumpAsync(ICardReader reader, ChannelWriter<CardRead> writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        string? lastError = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var read in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    lastError = null;
                    await writer.WriteAsync(read, cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // stopping
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or UnauthorizedAccessException)
            {
                // The same failure again is noise in the log: said once, then at Debug.
                _logger.Log(e.Message == lastError ? LogLevel.Debug : LogLevel.Error, e, "Card reader {Reader} failed ({Error}); reading it again in {Retry} s", reader.Name, e.Message, _retry.TotalSeconds);
                lastError = e.Message;
                try
                {
                    await Task.Delay(_retry, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
