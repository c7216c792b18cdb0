namespace KioskPos.Hardware.Simulators.Rfid;

/// <summary>The members of NXP's NTAG21x family (NTAG213/215/216 datasheet, rev. 3.2).</summary>
public enum NtagType
{
    /// <summary>45 pages (000h-02Ch), 144 bytes of user memory.</summary>
    Ntag213,

    /// <summary>135 pages (000h-086h), 504 bytes of user memory.</summary>
    Ntag215,

    /// <summary>231 pages (000h-0E6h), 888 bytes of user memory.</summary>
    Ntag216,
}

/// <summary>
/// An NTAG213, NTAG215 or NTAG216: 7-byte UID, ATQA 0044h, SAK 00h, pages of 4 bytes. It answers GET_VERSION
/// (the datasheet's 8 bytes for its type), READ (16 bytes, rolling over to page 0), FAST_READ, READ_SIG (the
/// 32-byte originality signature), WRITE and COMPATIBILITY_WRITE (ACK Ah); page 3 is the capability container
/// of an NFC Forum Type 2 tag, the password and PACK pages read as 00h. A wrong address is the 4-bit NAK 0h, after
/// which the tag goes back to IDLE (or HALT) as the datasheet says.
/// </summary>
public sealed class NtagCard : VirtualCard
{
    private const byte GetVersion = 0x60;
    private const byte Read = 0x30;
    private const byte FastRead = 0x3A;
    private const byte ReadSignature = 0x3C;
    private const byte Write = 0xA2;
    private const byte CompatibilityWrite = 0xA0;

    private readonly byte[] _memory;
    private readonly int _configPage;
    private int? _compatibilityWritePage;

    /// <param name="uid">7 bytes, the first the manufacturer code (04h for NXP).</param>
    /// <param name="type">213, 215 or 216.</param>
    /// <param name="signature">The 32-byte ECC originality signature READ_SIG returns; by default 32 bytes that are
    /// not a valid NXP signature.</param>
    public NtagCard(byte[] uid, NtagType type = NtagType.Ntag213, byte[]? signature = null)
        : base(uid, 0x00, 0x0044)
    {
        if (uid.Length != 7)
        {
            throw new ArgumentException("An NTAG21x has a 7-byte UID.", nameof(uid));
        }

        if (signature is { Length: not 32 })
        {
            throw new ArgumentException("The originality signature is 32 bytes.", nameof(signature));
        }

        Type = type;
        Signature = signature ?? [.. Enumerable.Range(0, 32).Select(i => (byte)(0xA5 ^ i))];
        var pages = type switch { NtagType.Ntag213 => 45, NtagType.Ntag215 => 135, _ => 231 };
        _memory = new byte[pages * 4];

        // Pages 0-2: UID0-2 and BCC0 (cascade tag 88h included), UID3-6, BCC1, the internal byte 48h, lock bytes.
        uid.AsSpan(0, 3).CopyTo(_memory);
        _memory[3] = (byte)(0x88 ^ uid[0] ^ uid[1] ^ uid[2]);
        uid.AsSpan(3, 4).CopyTo(_memory.AsSpan(4));
        _memory[8] = (byte)(uid[3] ^ uid[4] ^ uid[5] ^ uid[6]);
        _memory[9] = 0x48;

        // Page 3: the capability container, NDEF magic E1h, version 1.0, data area size / 8, read/write access.
        byte[] cc = [0xE1, 0x10, type switch { NtagType.Ntag213 => (byte)0x12, NtagType.Ntag215 => (byte)0x3E, _ => (byte)0x6D }, 0x00];
        cc.CopyTo(_memory, 12);

        // Then the dynamic lock bytes, CFG0 (MIRROR 04h, AUTH0 FFh: no password protection), CFG1, PWD, PACK.
        _configPage = pages - 4;
        _memory[_configPage * 4] = 0x04;
        _memory[_configPage * 4 + 3] = 0xFF;
        _memory.AsSpan((pages - 2) * 4, 4).Fill(0xFF);
    }

    /// <summary>Which member of the family.</summary>
    public NtagType Type { get; }

    /// <summary>What READ_SIG returns.</summary>
    public byte[] Signature { get; }

    /// <summary>Number of 4-byte pages.</summary>
    public int Pages => _memory.Length / 4;

    /// <summary>The 8 bytes of GET_VERSION (datasheet 10.1, table 28): fixed header, vendor NXP (04h), product
    /// type NTAG (04h), subtype 50 pF (02h), major and minor version 1.0, storage size, protocol ISO 14443-3 (03h).</summary>
    public byte[] Version => [0x00, 0x04, 0x04, 0x02, 0x01, 0x00, Type switch { NtagType.Ntag213 => (byte)0x0F, NtagType.Ntag215 => (byte)0x11, _ => (byte)0x13 }, 0x03];

    /// <summary>Writes user pages from <paramref name="page"/> on (as an encoder would).</summary>
    public NtagCard WritePages(int page, ReadOnlySpan<byte> data)
    {
        data.CopyTo(_memory.AsSpan(page * 4));
        return this;
    }

    /// <summary>The 4 bytes of a page as stored.</summary>
    public byte[] Page(int page) => _memory.AsSpan(page * 4, 4).ToArray();

    /// <inheritdoc />
    protected override CardAnswer? Command(ReadOnlySpan<byte> command)
    {
        if (_compatibilityWritePage is { } target)
        {
            // COMPATIBILITY_WRITE, second part: 16 bytes of which the first 4 are written.
            _compatibilityWritePage = null;
            return command.Length == 16 ? WritePage(target, command[..4]) : Refuse();
        }

        return command switch
        {
            [GetVersion] => WithCrc(Version),
            [Read, var page] => page < Pages ? WithCrc(ReadPages(page, 4)) : Refuse(),
            [FastRead, var start, var end] => start <= end && end < Pages ? WithCrc(ReadPages(start, end - start + 1)) : Refuse(),
            [ReadSignature, 0x00] => WithCrc(Signature),
            [Write, var page, _, _, _, _] => WritePage(page, command[2..6]),
            [CompatibilityWrite, var page] when Writable(page) => StartCompatibilityWrite(page),
            [CompatibilityWrite, _] => Refuse(),
            _ => null,
        };
    }

    /// <inheritdoc />
    protected override void OnReset() => _compatibilityWritePage = null;

    private CardAnswer StartCompatibilityWrite(int page)
    {
        _compatibilityWritePage = page;
        return Ack();
    }

    private byte[] ReadPages(int start, int count)
    {
        var data = new byte[count * 4];
        for (var i = 0; i < data.Length; i++)
        {
            // READ rolls over to page 0 past the last page.
            var address = (start * 4 + i) % _memory.Length;
            var page = address / 4;

            // PWD and PACK always read as 00h.
            data[i] = page >= Pages - 2 ? (byte)0 : _memory[address];
        }

        return data;
    }

    private bool Writable(int page) => page is >= 2 && page < Pages;

    private CardAnswer WritePage(int page, ReadOnlySpan<byte> data)
    {
        if (!Writable(page))
        {
            return Refuse();
        }

        var at = page * 4;
        if (page == 2)
        {
            // Lock bytes are one-time programmable: bits only go from 0 to 1; the rest of page 2 is read-only.
            _memory[at + 2] |= data[2];
            _memory[at + 3] |= data[3];
        }
        else if (page == 3)
        {
            // The capability container is OTP too.
            for (var i = 0; i < 4; i++)
            {
                _memory[at + i] |= data[i];
            }
        }
        else
        {
            data.CopyTo(_memory.AsSpan(at));
        }

        return Ack();
    }

    private CardAnswer Refuse()
    {
        FallBack();
        return Nak(0x00);
    }
}
