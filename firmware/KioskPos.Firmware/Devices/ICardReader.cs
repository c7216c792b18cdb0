namespace KioskPos.Firmware.Devices;

/// <summary>A card held to a reader: its UID as upper-case hex, and when it was read.</summary>
/// <param name="UidHex">The card's UID, upper-case hex without separators.</param>
/// <param name="At">When the read completed.</param>
/// <param name="Reader">Which reader read it.</param>
public sealed record CardRead(string UidHex, DateTimeOffset At, string Reader);

/// <summary>
/// A source of card taps (MFRC522 over SPI, a keyboard-wedge reader, a serial module, the simulator). A card held
/// on the reader is one tap; a new tap needs the card removed first.
/// </summary>
public interface ICardReader
{
    /// <summary>The reader's name for diagnostics.</summary>
    string Name { get; }

    /// <summary>Yields each tap until <paramref name="cancellationToken"/> is cancelled.</summary>
    IAsyncEnumerable<CardRead> ReadAsync(CancellationToken cancellationToken);
}
