using KioskPos.Firmware.Readers.Iso14443;

namespace KioskPos.Firmware.Devices;

/// <summary>Why a reader saw a card but could not give a tap.</summary>
public enum CardProblem
{
    /// <summary>Two or more cards were in the field: "one card at a time".</summary>
    MultipleCards,

    /// <summary>The card was taken away (or the read failed its checks) before it was read completely.</summary>
    ReadFailed,
}

/// <summary>
/// One event of a reader: a card tapped (its UID as upper-case hex, and the card number when the reader or the
/// card gives one), or a problem the person at the reader should hear about.
/// </summary>
/// <param name="UidHex">The card's UID, upper-case hex without separators; empty with a <see cref="Problem"/>.</param>
/// <param name="At">When the read completed.</param>
/// <param name="Reader">Which reader read it.</param>
public sealed record CardRead(string UidHex, DateTimeOffset At, string Reader)
{
    /// <summary>The card family, when the reader can tell.</summary>
    public CardType Type { get; init; } = CardType.Unknown;

    /// <summary>A number stored on the card (a MIFARE sector, an Ultralight page) or typed by a wedge reader.</summary>
    public string? CardNumber { get; init; }

    /// <summary>Set when this is not a tap but a problem.</summary>
    public CardProblem? Problem { get; init; }
}

/// <summary>Whether a reader can read taps.</summary>
public enum ReaderState
{
    /// <summary>Not opened yet (the terminal is starting).</summary>
    Opening,

    /// <summary>Open and polling.</summary>
    Ready,

    /// <summary>It could not be opened or stopped answering; it is opened again every few seconds.</summary>
    Unavailable,
}

/// <summary>What a reader says of itself, for the status, the self-test and the technician's page.</summary>
/// <param name="State">Whether it reads taps now.</param>
/// <param name="Since">When it came to this state.</param>
/// <param name="Problem">Why it is unavailable (the device's own error); null otherwise.</param>
public sealed record ReaderHealth(ReaderState State, DateTimeOffset Since, string? Problem = null)
{
    /// <summary>How many times the chip was found reset (a brown-out, a reset pulse) and was set up again.</summary>
    public int Recoveries { get; init; }

    /// <summary>When it was last set up again.</summary>
    public DateTimeOffset? LastRecoveryAt { get; init; }

    /// <summary>What was found then (the registers that had lost their values).</summary>
    public string? LastRecoveryFound { get; init; }
}

/// <summary>
/// A source of card taps (MFRC522 over SPI, a keyboard-wedge reader, a serial module, the simulator). A card held
/// on the reader is one tap; a new tap needs the card removed first.
/// </summary>
public interface ICardReader
{
    /// <summary>The reader's name for diagnostics.</summary>
    string Name { get; }

    /// <summary>The reader's health, or null when it does not tell (its log does).</summary>
    ReaderHealth? Health => null;

    /// <summary>Yields each tap until <paramref name="cancellationToken"/> is cancelled.</summary>
    IAsyncEnumerable<CardRead> ReadAsync(CancellationToken cancellationToken);
}
