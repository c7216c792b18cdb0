namespace KioskPos.Firmware.Readers.Iso14443;

/// <summary>Card families told apart by the SAK byte (NXP AN10833, table 4).</summary>
public enum CardType
{
    /// <summary>A SAK this terminal does not know.</summary>
    Unknown,

    /// <summary>MIFARE Classic 1K (SAK 0x08).</summary>
    MifareClassic1K,

    /// <summary>MIFARE Classic 4K (SAK 0x18).</summary>
    MifareClassic4K,

    /// <summary>MIFARE Mini (SAK 0x09).</summary>
    MifareMini,

    /// <summary>MIFARE Ultralight or NTAG (SAK 0x00).</summary>
    Ultralight,

    /// <summary>ISO/IEC 14443-4 (SAK bit 0x20): DESFire, bank and ID cards.</summary>
    Iso14443Part4,

    /// <summary>A 125 kHz EM4100-style card, read by a serial module.</summary>
    Em4100,

    /// <summary>A number typed by a keyboard-wedge reader, card family not told.</summary>
    Typed,
}

/// <summary>How an attempt to select a card ended.</summary>
public enum ActivationOutcome
{
    /// <summary>One card is selected; its UID is complete and checked (BCC and CRC_A).</summary>
    Selected,

    /// <summary>No card answered.</summary>
    NoCard,

    /// <summary>More than one card answered: "one card at a time".</summary>
    MultipleCards,

    /// <summary>A card answered, then stopped answering before its UID was complete.</summary>
    CardLeft,

    /// <summary>An answer failed its check (BCC, CRC_A, parity, frame): discarded, never a corrupt UID.</summary>
    Corrupted,
}

/// <summary>A selected card.</summary>
/// <param name="Uid">4, 7 or 10 bytes.</param>
/// <param name="Sak">The final select acknowledge.</param>
/// <param name="Atqa">The answer to request, as received (low byte first).</param>
public sealed record ActivatedCard(byte[] Uid, byte Sak, ushort Atqa)
{
    /// <summary>The card family from <see cref="Sak"/>.</summary>
    public CardType Type => Iso14443a.TypeOf(Sak);

    /// <summary>The UID as upper-case hex.</summary>
    public string UidHex => Convert.ToHexString(Uid);
}

/// <summary>The outcome of <see cref="Iso14443a.Activate"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Card">The card, with <see cref="ActivationOutcome.Selected"/>.</param>
/// <param name="Detail">What went wrong, for the log.</param>
public readonly record struct Activation(ActivationOutcome Outcome, ActivatedCard? Card = null, string? Detail = null);

/// <summary>How a read of a block or page ended.</summary>
public enum ReadOutcome
{
    /// <summary>16 bytes read, CRC_A correct.</summary>
    Ok,

    /// <summary>The card did not answer (it left the field).</summary>
    NoAnswer,

    /// <summary>The card answered with a NAK (not authenticated, or no such block).</summary>
    Refused,

    /// <summary>The answer failed its check.</summary>
    Corrupted,

    /// <summary>The card refused the key.</summary>
    AuthenticationFailed,
}

/// <summary>
/// ISO/IEC 14443-3 type A card activation (REQA/WUPA, anticollision and SELECT through cascade levels, HLTA) and
/// the MIFARE reads, on any <see cref="IPcd"/>. Frame formats: ISO/IEC 14443-3 section 6; NXP AN10927 and
/// MF1S50yyX/MF0ICU1 datasheets for the MIFARE commands.
/// </summary>
public sealed class Iso14443a(IPcd pcd)
{
    private const byte Reqa = 0x26;
    private const byte Wupa = 0x52;
    private const byte CascadeTag = 0x88;
    private const byte SakUidIncomplete = 0x04;
    private const byte Read = 0x30;
    private const byte Ack = 0x0A;

    private static readonly byte[] s_cascadeLevels = [0x93, 0x95, 0x97];

    /// <summary>The card family a SAK announces.</summary>
    public static CardType TypeOf(byte sak) => (sak & 0x7F) switch
    {
        0x08 or 0x88 => CardType.MifareClassic1K,
        0x18 or 0x98 => CardType.MifareClassic4K,
        0x09 => CardType.MifareMini,
        0x00 => CardType.Ultralight,
        _ when (sak & 0x20) != 0 => CardType.Iso14443Part4,
        _ => CardType.Unknown,
    };

    /// <summary>
    /// Wakes the cards in the field (REQA only wakes idle cards; WUPA also halted ones, so a card left on the
    /// reader after its tap is still seen) and selects one, through as many cascade levels as its UID needs.
    /// </summary>
    public Activation Activate(bool wakeUp)
    {
        Span<byte> answer = stackalloc byte[32];

        // Short frame: 7 bits (ISO/IEC 14443-3, 6.3.1).
        var request = pcd.Transceive([wakeUp ? Wupa : Reqa], 7, answer);
        switch (request.Status)
        {
            case ExchangeStatus.NoAnswer:
                return new(ActivationOutcome.NoCard);
            case ExchangeStatus.Collision:
                // Cards of different types answer ATQA with different bits: several cards, and that is allowed
                // here (6.4.2); anticollision below decides.
                break;
            case ExchangeStatus.Ok when request.Length == 2:
                break;
            default:
                return new(ActivationOutcome.Corrupted, Detail: $"ATQA: {request.Status}, {request.Length} bytes");
        }

        var atqa = (ushort)(answer[0] | answer[1] << 8);
        var uid = new List<byte>(10);
        Span<byte> part = stackalloc byte[5];
        foreach (var level in s_cascadeLevels)
        {
            // Anticollision with no known bits (NVB 0x20): every card in the field answers its 4 UID bytes + BCC.
            var anticollision = pcd.Transceive([level, 0x20], 0, answer);
            switch (anticollision.Status)
            {
                case ExchangeStatus.Collision:
                    return new(ActivationOutcome.MultipleCards, Detail: $"collision at bit {anticollision.CollisionBit} of cascade level {level:X2}");
                case ExchangeStatus.NoAnswer:
                    return new(ActivationOutcome.CardLeft, Detail: $"no answer to anticollision {level:X2}");
                case ExchangeStatus.Ok when anticollision.Length == 5 && anticollision.LastBits == 0:
                    break;
                default:
                    return new(ActivationOutcome.Corrupted, Detail: $"anticollision {level:X2}: {anticollision.Status}, {anticollision.Length} bytes");
            }

            answer[..5].CopyTo(part);
            if ((byte)(part[0] ^ part[1] ^ part[2] ^ part[3]) != part[4])
            {
                return new(ActivationOutcome.Corrupted, Detail: $"BCC wrong at cascade level {level:X2}");
            }

            var select = CrcA.Append([level, 0x70, part[0], part[1], part[2], part[3], part[4]]);
            var selected = pcd.Transceive(select, 0, answer);
            if (selected.Status == ExchangeStatus.NoAnswer)
            {
                return new(ActivationOutcome.CardLeft, Detail: $"no SAK at cascade level {level:X2}");
            }

            if (!selected.IsOk || selected.Length != 3 || !CrcA.Check(answer[..3]))
            {
                return new(ActivationOutcome.Corrupted, Detail: $"SAK at cascade level {level:X2}: {selected.Status}, {selected.Length} bytes");
            }

            var sak = answer[0];
            if ((sak & SakUidIncomplete) == 0)
            {
                uid.AddRange(part[..4]);
                return new(ActivationOutcome.Selected, new ActivatedCard([.. uid], sak, atqa));
            }

            if (part[0] != CascadeTag)
            {
                return new(ActivationOutcome.Corrupted, Detail: "UID incomplete without the cascade tag");
            }

            uid.AddRange(part[1..4]);
        }

        return new(ActivationOutcome.Corrupted, Detail: "UID longer than three cascade levels");
    }

    /// <summary>HLTA: the selected card goes to HALT and answers only WUPA. A card that accepted it says nothing.</summary>
    public void Halt()
    {
        Span<byte> answer = stackalloc byte[4];
        pcd.Transceive(CrcA.Append([0x50, 0x00]), 0, answer);
    }

    /// <summary>READ of 16 bytes: a MIFARE Classic block (after <see cref="Authenticate"/>) or four Ultralight pages.</summary>
    public ReadOutcome ReadBlock(byte address, Span<byte> sixteen)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sixteen.Length, 16);
        Span<byte> answer = stackalloc byte[20];
        var read = pcd.Transceive(CrcA.Append([Read, address]), 0, answer);
        if (read.Status == ExchangeStatus.NoAnswer)
        {
            return ReadOutcome.NoAnswer;
        }

        // A NAK is a 4-bit frame (MF1S50yyX 9.3; MF0ICU1 9.3): anything but ACK 0xA.
        if (read.IsOk && read.Length == 1 && read.LastBits == 4)
        {
            return (answer[0] & 0x0F) == Ack ? ReadOutcome.Corrupted : ReadOutcome.Refused;
        }

        if (!read.IsOk || read.Length != 18 || !CrcA.Check(answer[..18]))
        {
            return ReadOutcome.Corrupted;
        }

        answer[..16].CopyTo(sixteen);
        return ReadOutcome.Ok;
    }

    /// <summary>Authenticates a MIFARE Classic block with a key; uses the last 4 UID bytes (AN10927, 3).</summary>
    public bool Authenticate(ActivatedCard card, MifareKeyType keyType, byte block, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (key.Length != 6)
        {
            throw new ArgumentException("A MIFARE Classic key is 6 bytes.", nameof(key));
        }

        return pcd.Authenticate(keyType, block, key, card.Uid.AsSpan(card.Uid.Length - 4));
    }

    /// <summary>Reads a MIFARE Classic block with a key: authenticate, read, leave the encrypted session.</summary>
    public ReadOutcome ReadClassicBlock(ActivatedCard card, MifareKeyType keyType, byte block, ReadOnlySpan<byte> key, Span<byte> sixteen)
    {
        if (!Authenticate(card, keyType, block, key))
        {
            pcd.StopCrypto();
            return ReadOutcome.AuthenticationFailed;
        }

        var outcome = ReadBlock(block, sixteen);
        Halt();
        pcd.StopCrypto();
        return outcome;
    }
}
