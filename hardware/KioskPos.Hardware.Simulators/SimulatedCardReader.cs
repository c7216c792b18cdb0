using System.Runtime.CompilerServices;
using System.Threading.Channels;
using KioskPos.Firmware.Devices;

namespace KioskPos.Hardware.Simulators;

/// <summary>A card reader driven by software: <see cref="Present"/> is a tap (from the dev endpoint or the CLI).</summary>
public sealed class SimulatedCardReader(TimeProvider time) : ICardReader
{
    private readonly Channel<CardRead> _taps = Channel.CreateBounded<CardRead>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <inheritdoc />
    public string Name => "simulated";

    /// <summary>Simulates holding a card with <paramref name="uidHex"/> to the reader.</summary>
    public void Present(string uidHex) => _taps.Writer.TryWrite(new CardRead(uidHex, time.GetUtcNow(), Name));

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _taps.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_taps.Reader.TryRead(out var tap))
            {
                yield return tap;
            }
        }
    }
}
