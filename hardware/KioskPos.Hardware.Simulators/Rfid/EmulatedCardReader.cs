using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers.Mfrc522;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace KioskPos.Hardware.Simulators.Rfid;

/// <summary>
/// The simulated card reader of <c>make run</c> and the tests: the real MFRC522 driver and polling reader on the
/// chip emulator. A simulated tap places a virtual card in the emulator's field and, once the reader has read it,
/// takes it away after a moment, as a hand would; the driver sees it poll after poll and reports it once.
/// </summary>
public sealed class EmulatedCardReader : ICardReader
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly Mfrc522CardReader _reader;
    private readonly Lock _gate = new();

    // The card of the last tap and what completes once the reader has reported it (the hand may go then).
    private (string Uid, TaskCompletionSource Read)? _awaitingRead;

    /// <param name="time">Clock for polling and for taking cards away.</param>
    /// <param name="pollInterval">Time between polls.</param>
    /// <param name="logger">Diagnostics.</param>
    /// <param name="number">Where cards hold a card number, as on the real reader (none by default).</param>
    public EmulatedCardReader(TimeProvider time, TimeSpan pollInterval, ILogger? logger = null, CardNumberLocation? number = null)
    {
        _time = time;
        _pollInterval = pollInterval;
        Emulator = new Mfrc522Emulator();

        // Opened at the first poll, as a real reader is: an emulator disconnected at start is a reader unavailable
        // until it is connected.
        _reader = new Mfrc522CardReader(Mfrc522.BusNameOf(Emulator.ConnectionSettings), () => new Mfrc522(Emulator), pollInterval, time, number, logger: logger);
    }

    /// <summary>The chip emulator (cards are placed in its field).</summary>
    public Mfrc522Emulator Emulator { get; }

    /// <inheritdoc />
    public string Name => "mfrc522 emulator";

    /// <inheritdoc />
    public ReaderHealth Health => _reader.Health;

    /// <summary>How long a card is held for the reader to read it before the hand gives up and takes it away.</summary>
    public static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Holds a card with <paramref name="uidHex"/> (4, 7 or 10 bytes) to the reader until the reader has read it, then
    /// for <paramref name="holdFor"/> more (zero: lifted as soon as it is read, as a quick tap; never read: taken away
    /// after <see cref="ReadWait"/>). A new tap needs the last card gone: whatever is on the reader is taken away first,
    /// and the card is placed once the reader has seen the field empty.
    /// </summary>
    /// <exception cref="ArgumentException">The UID is not a 13.56 MHz type A UID.</exception>
    public async Task<VirtualCard> TapAsync(string uidHex, TimeSpan holdFor, CancellationToken cancellationToken)
    {
        var uid = Convert.FromHexString(uidHex);
        VirtualCard card = uid.Length switch
        {
            4 or 7 => new MifareClassicCard(uid),
            10 => new Iso14443Part4Card(uid),
            _ => throw new ArgumentException("The emulated reader is 13.56 MHz: a UID of 4, 7 or 10 bytes.", nameof(uidHex)),
        };
        // Looked at once per poll of the reader (no sooner can it have seen the field empty), for at most 2 s.
        Emulator.Clear();
        var step = _pollInterval > TimeSpan.Zero ? _pollInterval : TimeSpan.FromMilliseconds(10);
        for (var waited = TimeSpan.Zero; _reader.Present is not null && waited < TimeSpan.FromSeconds(2); waited += step)
        {
            await Task.Delay(step, _time, cancellationToken).ConfigureAwait(false);
        }

        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _awaitingRead = (Convert.ToHexString(uid), read);
        }

        Emulator.Place(card);
        _ = RemoveLaterAsync(card, read.Task, holdFor);
        return card;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var read in _reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            lock (_gate)
            {
                if (_awaitingRead is { } awaiting && string.Equals(awaiting.Uid, read.UidHex, StringComparison.OrdinalIgnoreCase))
                {
                    awaiting.Read.TrySetResult();
                    _awaitingRead = null;
                }
            }

            yield return read;
        }
    }

    // The hand stays until the reader has read the card (a loaded machine may poll late), then holdFor more.
    private async Task RemoveLaterAsync(VirtualCard card, Task read, TimeSpan holdFor)
    {
        try
        {
            await read.WaitAsync(ReadWait, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Never read (the reader is not listening): the hand gives up.
        }

        if (holdFor > TimeSpan.Zero)
        {
            await Task.Delay(holdFor, _time).ConfigureAwait(false);
        }

        Emulator.Remove(card);
    }
}
