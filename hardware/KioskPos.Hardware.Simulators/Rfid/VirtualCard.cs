using KioskPos.Firmware.Readers.Iso14443;

namespace KioskPos.Hardware.Simulators.Rfid;

/// <summary>ISO/IEC 14443-3 card states (figure 7).</summary>
public enum CardState
{
    /// <summary>Powered, waiting for REQA or WUPA.</summary>
    Idle,

    /// <summary>Woken; anticollision and SELECT.</summary>
    Ready,

    /// <summary>Selected; answers application commands.</summary>
    Active,

    /// <summary>Halted by HLTA; answers WUPA only.</summary>
    Halt,
}

/// <summary>An answer of a card: its bytes and the valid bits of the last one (0 = 8).</summary>
public readonly record struct CardAnswer(byte[] Bytes, int LastBits = 0);

/// <summary>
/// A type A card in the emulated field: the ISO/IEC 14443-3 state machine (REQA/WUPA, anticollision and SELECT
/// through cascade levels, HLTA) shared by every card; subclasses answer the application commands.
/// </summary>
public abstract class VirtualCard
{
    private static readonly byte[] s_cascadeCommands = [0x93, 0x95, 0x97];

    private int _level;

    /// <summary>Whether the card came to ACTIVE from HALT (it then falls back to HALT, not IDLE).</summary>
    private bool _fromHalt;

    /// <param name="uid">4, 7 or 10 bytes.</param>
    /// <param name="sak">The final SAK.</param>
    /// <param name="atqa">The ATQA, as sent (low byte first).</param>
    protected VirtualCard(byte[] uid, byte sak, ushort atqa)
    {
        ArgumentNullException.ThrowIfNull(uid);
        if (uid.Length is not (4 or 7 or 10))
        {
            throw new ArgumentException("A type A UID is 4, 7 or 10 bytes.", nameof(uid));
        }

        Uid = uid;
        Sak = sak;
        Atqa = atqa;
    }

    /// <summary>The UID.</summary>
    public byte[] Uid { get; }

    /// <summary>The final SAK.</summary>
    public byte Sak { get; }

    /// <summary>The ATQA.</summary>
    public ushort Atqa { get; }

    /// <summary>The card's state.</summary>
    public CardState State { get; private set; }

    /// <summary>The card leaves the field: it loses power and forgets its state.</summary>
    internal void PowerOff()
    {
        State = CardState.Idle;
        _level = 0;
        OnReset();
    }

    /// <summary>Handles one frame from the reader; null is silence.</summary>
    internal CardAnswer? Receive(ReadOnlySpan<byte> frame, int lastBits)
    {
        // Short frames (7 bits): REQA and WUPA.
        if (lastBits == 7 && frame.Length == 1)
        {
            var wakeUp = frame[0] == 0x52;
            if ((frame[0] == 0x26 && State == CardState.Idle) || (wakeUp && State is CardState.Idle or CardState.Halt))
            {
                _fromHalt = State == CardState.Halt;
                State = CardState.Ready;
                _level = 0;
                return new CardAnswer([(byte)Atqa, (byte)(Atqa >> 8)]);
            }

            FallBack();
            return null;
        }

        switch (State)
        {
            case CardState.Ready:
                return Anticollision(frame, lastBits);
            case CardState.Active:
                if (frame.Length == 4 && frame[0] == 0x50 && frame[1] == 0x00 && CrcA.Check(frame))
                {
                    State = CardState.Halt;
                    OnReset();
                    return null;
                }

                if (frame.Length >= 3 && CrcA.Check(frame) && Command(frame[..^2]) is { } answer)
                {
                    // An empty answer is a card that understood and stays quiet (a passive ACK).
                    return answer.Bytes.Length > 0 ? answer : null;
                }

                FallBack();
                return null;
            default:
                return null;
        }
    }

    /// <summary>Answers an application command (CRC already checked and removed); null for anything unknown (the
    /// card falls back to IDLE or HALT), <see cref="Silence"/> for a command understood that has no answer.</summary>
    protected abstract CardAnswer? Command(ReadOnlySpan<byte> command);

    /// <summary>Drops any session (authentication) when the card halts, resets or leaves.</summary>
    protected virtual void OnReset()
    {
    }

    /// <summary>Understood, and no answer is due: the card stays in its state while the reader's timer runs out.</summary>
    protected static CardAnswer Silence() => new([]);

    /// <summary>The 4-bit ACK, Ah (MIFARE Classic and NTAG datasheets).</summary>
    protected static CardAnswer Ack() => new([0x0A], 4);

    /// <summary>A 4-bit NAK.</summary>
    protected static CardAnswer Nak(byte code = 0x04) => new([code], 4);

    /// <summary>Data followed by its CRC_A.</summary>
    protected static CardAnswer WithCrc(ReadOnlySpan<byte> data) => new(CrcA.Append(data));

    /// <summary>An invalid frame sends an active or ready card back to IDLE (or HALT if it was woken from there).</summary>
    protected void FallBack()
    {
        if (State is CardState.Ready or CardState.Active)
        {
            State = _fromHalt ? CardState.Halt : CardState.Idle;
            _level = 0;
            OnReset();
        }
    }

    private CardAnswer? Anticollision(ReadOnlySpan<byte> frame, int lastBits)
    {
        if (frame.Length < 2 || lastBits != 0 || frame[0] != s_cascadeCommands[_level])
        {
            FallBack();
            return null;
        }

        var part = CascadePart(_level);
        if (frame[1] == 0x20 && frame.Length == 2)
        {
            return new CardAnswer(part);
        }

        if (frame[1] == 0x70 && frame.Length == 9 && CrcA.Check(frame) && frame[2..7].SequenceEqual(part))
        {
            if (IsLastLevel(_level))
            {
                State = CardState.Active;
                return WithCrc([Sak]);
            }

            _level++;
            return WithCrc([0x04]);
        }

        // A SELECT for another card's UID: this card stays quiet and ready (6.5.3.3 leaves it in READY).
        return null;
    }

    /// <summary>A 4-byte UID takes one cascade level, 7 bytes two, 10 bytes three.</summary>
    private bool IsLastLevel(int level) => level == Uid.Length / 3 - 1;

    /// <summary>The 4 UID bytes + BCC of cascade level <paramref name="level"/> (ISO/IEC 14443-3, 6.5.4).</summary>
    private byte[] CascadePart(int level)
    {
        var bytes = new byte[5];
        if (IsLastLevel(level))
        {
            Uid.AsSpan(Uid.Length - 4).CopyTo(bytes);
        }
        else
        {
            bytes[0] = 0x88;
            Uid.AsSpan(level * 3, 3).CopyTo(bytes.AsSpan(1));
        }

        bytes[4] = (byte)(bytes[0] ^ bytes[1] ^ bytes[2] ^ bytes[3]);
        return bytes;
    }
}

/// <summary>A MIFARE Ultralight (or NTAG): 7-byte UID, pages of 4 bytes readable without keys.</summary>
public sealed class UltralightCard : VirtualCard
{
    private readonly byte[] _memory;

    /// <param name="uid">7 bytes.</param>
    /// <param name="pages">Number of 4-byte pages (16 for an Ultralight, 45 for an NTAG213).</param>
    public UltralightCard(byte[] uid, int pages = 16)
        : base(uid, 0x00, 0x0044)
    {
        _memory = new byte[pages * 4];

        // Pages 0-2 hold the UID and its check bytes (MF0ICU1, 8.5.1).
        uid.AsSpan(0, 3).CopyTo(_memory);
        _memory[3] = (byte)(0x88 ^ uid[0] ^ uid[1] ^ uid[2]);
        uid.AsSpan(3, 4).CopyTo(_memory.AsSpan(4));
        _memory[8] = (byte)(uid[3] ^ uid[4] ^ uid[5] ^ uid[6]);
    }

    /// <summary>Writes user pages from <paramref name="page"/> on.</summary>
    public UltralightCard WritePages(int page, ReadOnlySpan<byte> data)
    {
        data.CopyTo(_memory.AsSpan(page * 4));
        return this;
    }

    /// <inheritdoc />
    protected override CardAnswer? Command(ReadOnlySpan<byte> command)
    {
        if (command.Length == 2 && command[0] == 0x30)
        {
            var pages = _memory.Length / 4;
            if (command[1] >= pages)
            {
                return Nak(0x00);
            }

            // READ returns 4 pages, rolling over to page 0 at the end (MF0ICU1, 9.3).
            var data = new byte[16];
            for (var i = 0; i < 16; i++)
            {
                data[i] = _memory[(command[1] * 4 + i) % _memory.Length];
            }

            return WithCrc(data);
        }

        return null;
    }
}

/// <summary>An ISO/IEC 14443-4 card (DESFire, a bank or ID card): selected by its UID, no MIFARE commands.</summary>
/// <param name="uid">4, 7 or 10 bytes.</param>
public sealed class Iso14443Part4Card(byte[] uid) : VirtualCard(uid, 0x20, uid.Length switch { 4 => 0x0004, 7 => 0x0044, _ => 0x0084 })
{
    /// <inheritdoc />
    protected override CardAnswer? Command(ReadOnlySpan<byte> command) => null;
}
