namespace KioskPos.Firmware.Readers.Iso14443;

/// <summary>How one exchange with the cards in the field ended.</summary>
public enum ExchangeStatus
{
    /// <summary>A frame came back.</summary>
    Ok,

    /// <summary>Nothing answered before the reader's timer ran out: no card, or the card left.</summary>
    NoAnswer,

    /// <summary>Two or more cards answered with different bits.</summary>
    Collision,

    /// <summary>The answer's parity bits were wrong.</summary>
    ParityError,

    /// <summary>The answer was not a valid frame (or an authentication got the wrong bytes).</summary>
    ProtocolError,

    /// <summary>The answer did not fit the reader's buffer.</summary>
    BufferOverflow,

    /// <summary>The reader chip itself did not finish the command in time.</summary>
    ReaderTimeout,
}

/// <summary>The outcome of one exchange: its status and how much of the answer is valid.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Length">Bytes received into the answer buffer (the last one possibly partial).</param>
/// <param name="LastBits">Valid bits in the last byte; 0 means all 8.</param>
/// <param name="CollisionBit">With <see cref="ExchangeStatus.Collision"/>: the 1-based position of the first
/// colliding bit, 0 when the reader could not tell.</param>
public readonly record struct Exchange(ExchangeStatus Status, int Length, int LastBits = 0, int CollisionBit = 0)
{
    /// <summary>True when a frame came back.</summary>
    public bool IsOk => Status == ExchangeStatus.Ok;
}

/// <summary>MIFARE Classic key slots (MIFARE Classic EV1 datasheet, 10.1).</summary>
public enum MifareKeyType : byte
{
    /// <summary>Key A, authentication command 0x60.</summary>
    A = 0x60,

    /// <summary>Key B, authentication command 0x61.</summary>
    B = 0x61,
}

/// <summary>
/// A proximity coupling device: what the card protocol needs from a reader chip (ISO/IEC 14443 calls the reader
/// a PCD). <see cref="Iso14443a"/> talks only to this, so the protocol never sees the chip's registers.
/// </summary>
public interface IPcd
{
    /// <summary>Sends <paramref name="frame"/> (its last byte holding <paramref name="lastBits"/> bits, 0 = 8) and
    /// receives the answer into <paramref name="answer"/>. CRC_A is neither added nor checked here.</summary>
    Exchange Transceive(ReadOnlySpan<byte> frame, int lastBits, Span<byte> answer);

    /// <summary>Runs the MIFARE Classic three-pass authentication for <paramref name="block"/>; afterwards the
    /// reader encrypts every exchange until <see cref="StopCrypto"/>.</summary>
    /// <returns>True when the card accepted the key.</returns>
    bool Authenticate(MifareKeyType keyType, byte block, ReadOnlySpan<byte> key, ReadOnlySpan<byte> uid);

    /// <summary>Leaves the encrypted MIFARE session.</summary>
    void StopCrypto();
}
