using System.Buffers.Binary;
using KioskPos.Firmware.Readers.Iso14443;

namespace KioskPos.Hardware.Simulators.Rfid;

/// <summary>
/// A MIFARE Classic 1K (NXP MF1S50yyX): 16 sectors of 4 blocks, key A and key B and the access bits in each sector
/// trailer. After MFAuthent (run by the reader chip, whose Crypto1 is not emulated) it answers READ, WRITE
/// (two steps, ACK Ah after each), INCREMENT, DECREMENT and RESTORE (two steps: ACK, then a silent second part
/// that loads the transfer buffer) and TRANSFER, each checked against the sector's access conditions
/// (datasheet 8.7); a refusal is the 4-bit NAK 4h. Block 0, the manufacturer block, is read-only.
/// </summary>
public sealed class MifareClassicCard : VirtualCard
{
    /// <summary>The transport key every new card ships with.</summary>
    public static readonly byte[] DefaultKey = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    private const byte Read = 0x30;
    private const byte Write = 0xA0;
    private const byte Decrement = 0xC0;
    private const byte Increment = 0xC1;
    private const byte Restore = 0xC2;
    private const byte Transfer = 0xB0;

    private readonly byte[][] _blocks = new byte[64][];
    private int _authenticatedSector = -1;
    private MifareKeyType _authenticatedWith;
    private (byte Command, int Block)? _pending;
    private int? _transferBuffer;

    /// <param name="uid">4 or 7 bytes.</param>
    public MifareClassicCard(byte[] uid)
        : base(uid, 0x08, uid.Length == 4 ? (ushort)0x0004 : (ushort)0x0044)
    {
        for (var block = 0; block < _blocks.Length; block++)
        {
            _blocks[block] = new byte[16];
        }

        // Block 0: the UID (its BCC for a 4-byte UID), SAK, ATQA, then manufacturer data (datasheet 8.6.1).
        uid.CopyTo(_blocks[0], 0);
        if (uid.Length == 4)
        {
            _blocks[0][4] = (byte)(uid[0] ^ uid[1] ^ uid[2] ^ uid[3]);
        }

        _blocks[0][5] = 0x08;
        _blocks[0][6] = (byte)Atqa;
        _blocks[0][7] = (byte)(Atqa >> 8);
        for (var sector = 0; sector < 16; sector++)
        {
            SetKeys(sector, DefaultKey, DefaultKey);
        }
    }

    /// <summary>Sets both keys of a sector, access bits at the transport configuration FF 07 80 69.</summary>
    public MifareClassicCard SetKeys(int sector, byte[] keyA, byte[] keyB)
    {
        ArgumentNullException.ThrowIfNull(keyA);
        ArgumentNullException.ThrowIfNull(keyB);
        var trailer = _blocks[sector * 4 + 3];
        keyA.CopyTo(trailer, 0);
        trailer[6] = 0xFF;
        trailer[7] = 0x07;
        trailer[8] = 0x80;
        trailer[9] = 0x69;
        keyB.CopyTo(trailer, 10);
        return this;
    }

    /// <summary>Sets a sector's access conditions, each as the three bits C1 C2 C3 (0b100 is C1 = 1) of data blocks
    /// 0-2 and the trailer (datasheet 8.7.1, figure 10).</summary>
    public MifareClassicCard SetAccessConditions(int sector, int block0, int block1, int block2, int trailer)
    {
        AccessBytes([block0, block1, block2, trailer]).CopyTo(_blocks[sector * 4 + 3].AsSpan(6));
        return this;
    }

    /// <summary>The three access bytes (6-8 of a trailer) for conditions C1 C2 C3 of blocks 0-3.</summary>
    public static byte[] AccessBytes(ReadOnlySpan<int> conditions)
    {
        int c1 = 0, c2 = 0, c3 = 0;
        for (var block = 0; block < 4; block++)
        {
            c1 |= ((conditions[block] >> 2) & 1) << block;
            c2 |= ((conditions[block] >> 1) & 1) << block;
            c3 |= (conditions[block] & 1) << block;
        }

        return [(byte)((~c2 & 0x0F) << 4 | (~c1 & 0x0F)), (byte)(c1 << 4 | (~c3 & 0x0F)), (byte)(c3 << 4 | c2)];
    }

    /// <summary>Writes a data block (as the issuer's encoder would).</summary>
    public MifareClassicCard WriteBlock(int block, ReadOnlySpan<byte> sixteen)
    {
        if (block % 4 == 3)
        {
            throw new ArgumentException("Use SetKeys or SetAccessConditions for a sector trailer.", nameof(block));
        }

        sixteen[..16].CopyTo(_blocks[block]);
        return this;
    }

    /// <summary>Writes a value block: the value, its complement, the value again, then the address byte four
    /// times, alternately complemented (datasheet 8.6.2.1).</summary>
    public MifareClassicCard WriteValueBlock(int block, int value, byte address)
    {
        WriteBlock(block, ValueBlock(value, address));
        return this;
    }

    /// <summary>What a block holds (the whole trailer, keys included).</summary>
    public byte[] Block(int block) => (byte[])_blocks[block].Clone();

    /// <summary>The value of a value block, or null when the block is not in the value format.</summary>
    public int? Value(int block) => TryValue(_blocks[block], out var value) ? value : null;

    /// <summary>The 16 bytes of a value block.</summary>
    public static byte[] ValueBlock(int value, byte address)
    {
        var block = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(block, value);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(4), ~value);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(8), value);
        block[12] = address;
        block[13] = (byte)~address;
        block[14] = address;
        block[15] = (byte)~address;
        return block;
    }

    /// <summary>Called by the chip emulator's MFAuthent: true when the key matches the block's sector.</summary>
    internal bool Authenticate(MifareKeyType type, byte block, ReadOnlySpan<byte> key)
    {
        if (State != CardState.Active || block >= _blocks.Length)
        {
            return false;
        }

        var sector = block / 4;
        var trailer = _blocks[sector * 4 + 3];
        var expected = type == MifareKeyType.A ? trailer.AsSpan(0, 6) : trailer.AsSpan(10, 6);
        if (!expected.SequenceEqual(key))
        {
            // A failed authentication leaves the card mute until it is woken again.
            FallBack();
            return false;
        }

        _authenticatedSector = sector;
        _authenticatedWith = type;
        _pending = null;
        return true;
    }

    /// <inheritdoc />
    protected override CardAnswer? Command(ReadOnlySpan<byte> command)
    {
        if (_pending is { } pending)
        {
            _pending = null;
            return SecondPart(pending.Command, pending.Block, command);
        }

        if (command.Length != 2 || _authenticatedSector < 0)
        {
            return command.Length == 2 && command[0] is Read or Write or Decrement or Increment or Restore or Transfer ? Nak() : null;
        }

        var block = command[1];
        if (block >= _blocks.Length || block / 4 != _authenticatedSector)
        {
            return Nak();
        }

        switch (command[0])
        {
            case Read:
                return Allowed(block, Operation.Read) ? WithCrc(ReadForReader(block)) : Nak();
            case Write when block != 0 && Allowed(block, Operation.Write):
            case Increment when Allowed(block, Operation.Increment):
            case Decrement or Restore when Allowed(block, Operation.DecrementTransferRestore):
                _pending = (command[0], block);
                return Ack();
            case Transfer when _transferBuffer is { } value && Allowed(block, Operation.DecrementTransferRestore):
                var address = _blocks[block][12];
                ValueBlock(value, address).CopyTo(_blocks[block], 0);
                return Ack();
            default:
                return Nak();
        }
    }

    /// <inheritdoc />
    protected override void OnReset()
    {
        _authenticatedSector = -1;
        _pending = null;
        _transferBuffer = null;
    }

    private CardAnswer SecondPart(byte command, int block, ReadOnlySpan<byte> data)
    {
        if (command == Write)
        {
            if (data.Length != 16)
            {
                return Nak();
            }

            if (block % 4 == 3)
            {
                WriteTrailer(block, data);
            }
            else
            {
                data.CopyTo(_blocks[block]);
            }

            return Ack();
        }

        // INCREMENT, DECREMENT, RESTORE: the 4-byte operand; the result goes to the transfer buffer, and the card
        // stays silent when it succeeds (the reader's timer runs out: a "passive ACK").
        if (data.Length != 4 || !TryValue(_blocks[block], out var value))
        {
            return Nak();
        }

        var operand = BinaryPrimitives.ReadInt32LittleEndian(data);
        _transferBuffer = command switch
        {
            Increment => value + operand,
            Decrement => value - operand,
            _ => value,
        };
        return Silence();
    }

    private void WriteTrailer(int block, ReadOnlySpan<byte> data)
    {
        // Each part changes only where the trailer's access condition lets the authenticated key write it.
        var trailer = _blocks[block];
        if (Allowed(block, Operation.WriteKeyA))
        {
            data[..6].CopyTo(trailer);
        }

        if (Allowed(block, Operation.WriteAccessBits))
        {
            data[6..10].CopyTo(trailer.AsSpan(6));
        }

        if (Allowed(block, Operation.WriteKeyB))
        {
            data[10..16].CopyTo(trailer.AsSpan(10));
        }
    }

    private byte[] ReadForReader(int block)
    {
        var data = (byte[])_blocks[block].Clone();
        if (block % 4 == 3)
        {
            // Key A never reads back; key B only where the access conditions make it readable (then it is data).
            Array.Clear(data, 0, 6);
            if (!Allowed(block, Operation.ReadKeyB))
            {
                Array.Clear(data, 10, 6);
            }
        }

        return data;
    }

    private enum Operation
    {
        Read,
        Write,
        Increment,
        DecrementTransferRestore,
        WriteKeyA,
        ReadAccessBits,
        WriteAccessBits,
        ReadKeyB,
        WriteKeyB,
    }

    /// <summary>Whether the key used in the authentication may do <paramref name="operation"/> on the block
    /// (datasheet 8.7.2 tables 7 and 8).</summary>
    private bool Allowed(int block, Operation operation)
    {
        var trailer = _blocks[block / 4 * 4 + 3];
        if (!TryConditions(trailer, out var conditions))
        {
            // Access bits that fail their complement check block the whole sector.
            return false;
        }

        var keyB = _authenticatedWith == MifareKeyType.B;
        var trailerCondition = conditions[3];

        // Where key B is readable it is data, not a key: after an authentication with it every access is refused.
        var keyBReadable = trailerCondition is 0b000 or 0b010 or 0b001;
        if (keyB && keyBReadable)
        {
            return false;
        }

        const int Never = 0, A = 1, B = 2, AB = 3;
        int rule;
        if (block % 4 == 3)
        {
            rule = (trailerCondition, operation) switch
            {
                (_, Operation.Read) => AB,
                (0b000 or 0b001, Operation.WriteKeyA or Operation.WriteKeyB) => A,
                (0b100 or 0b011, Operation.WriteKeyA or Operation.WriteKeyB) => B,
                (0b000 or 0b010 or 0b001, Operation.ReadAccessBits or Operation.ReadKeyB) => A,
                (_, Operation.ReadAccessBits) => AB,
                (0b001, Operation.WriteAccessBits) => A,
                (0b011 or 0b101, Operation.WriteAccessBits) => B,
                _ => Never,
            };
        }
        else
        {
            rule = (conditions[block % 4], operation) switch
            {
                (0b000, _) => AB,
                (0b010 or 0b100 or 0b110 or 0b001, Operation.Read) => AB,
                (0b011 or 0b101, Operation.Read) => B,
                (0b100 or 0b110 or 0b011, Operation.Write) => B,
                (0b110, Operation.Increment) => B,
                (0b110 or 0b001, Operation.DecrementTransferRestore) => AB,
                _ => Never,
            };
        }

        return (rule & (keyB ? B : A)) != 0;
    }

    /// <summary>C1 C2 C3 of blocks 0-3 from trailer bytes 6-8, or false when the inverted copies do not match.</summary>
    private static bool TryConditions(byte[] trailer, out int[] conditions)
    {
        var c1 = trailer[7] >> 4;
        var c2 = trailer[8] & 0x0F;
        var c3 = trailer[8] >> 4;
        conditions = new int[4];
        if ((~trailer[6] & 0x0F) != c1 || ((~trailer[6] >> 4) & 0x0F) != c2 || (~trailer[7] & 0x0F) != c3)
        {
            return false;
        }

        for (var block = 0; block < 4; block++)
        {
            conditions[block] = ((c1 >> block) & 1) << 2 | ((c2 >> block) & 1) << 1 | ((c3 >> block) & 1);
        }

        return true;
    }

    private static bool TryValue(byte[] block, out int value)
    {
        value = BinaryPrimitives.ReadInt32LittleEndian(block);
        return BinaryPrimitives.ReadInt32LittleEndian(block.AsSpan(4)) == ~value
            && BinaryPrimitives.ReadInt32LittleEndian(block.AsSpan(8)) == value
            && block[12] == block[14] && block[13] == block[15] && block[12] == (byte)~block[13];
    }
}
