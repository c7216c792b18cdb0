using System.Device.Spi;
using KioskPos.Firmware.Readers.Iso14443;
using KioskPos.Firmware.Readers.Mfrc522;

namespace KioskPos.Hardware.Simulators.Rfid;

/// <summary>
/// A register-level MFRC522 behind an <see cref="SpiDevice"/>: register file, 64-byte FIFO, the commands the
/// driver uses (Idle, Mem, CalcCRC and the self-test, Transceive, MFAuthent, SoftReset), IRQ and error bits,
/// collision position, and a field of <see cref="VirtualCard"/>s that can be placed, removed (also in the middle
/// of an exchange) or put two at a time. Faults can be injected into the next answer. The real
/// <see cref="Mfrc522"/> driver runs on it unchanged. Thread-safe: the test or the dev endpoint moves cards while
/// the reader polls.
/// </summary>
public sealed class Mfrc522Emulator : SpiDevice
{
    private readonly Lock _gate = new();
    private readonly byte[] _registers = new byte[64];
    private readonly Queue<byte> _fifo = new();
    private readonly List<VirtualCard> _field = [];
    private readonly Dictionary<VirtualCard, int> _removeAfter = [];
    private readonly SpiConnectionSettings _settings;
    private bool _crcFault;
    private bool _parityFault;
    private MifareClassicCard? _authenticated;

    /// <param name="busId">The bus number the emulator pretends to be on.</param>
    /// <param name="version">The version register: 0x92 (v2.0), 0x91, 0x88...</param>
    public Mfrc522Emulator(int busId = 0, byte version = 0x92)
    {
        _settings = new SpiConnectionSettings(busId, 0) { Mode = SpiMode.Mode0, ClockFrequency = 10_000_000 };
        ChipVersion = version;
        Reset();
    }

    /// <summary>False: nothing on the bus (MISO reads <see cref="AbsentValue"/>).</summary>
    public bool Connected { get; set; } = true;

    /// <summary>What an unconnected bus reads: 0x00 (pulled low) or 0xFF (floating high).</summary>
    public byte AbsentValue { get; set; }

    /// <summary>The version register.</summary>
    public byte ChipVersion { get; set; }

    /// <summary>True: the self-test answers wrong bytes (a damaged chip).</summary>
    public bool SelfTestFails { get; set; }

    /// <inheritdoc />
    public override SpiConnectionSettings ConnectionSettings => _settings;

    /// <summary>The cards in the field.</summary>
    public IReadOnlyList<VirtualCard> Field
    {
        get
        {
            lock (_gate)
            {
                return [.. _field];
            }
        }
    }

    /// <summary>Places a card in the field (it powers up idle).</summary>
    public void Place(VirtualCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        lock (_gate)
        {
            if (!_field.Contains(card))
            {
                card.PowerOff();
                _field.Add(card);
            }
        }
    }

    /// <summary>Takes a card out of the field.</summary>
    public void Remove(VirtualCard card)
    {
        lock (_gate)
        {
            _field.Remove(card);
            _removeAfter.Remove(card);
            card.PowerOff();
            if (ReferenceEquals(_authenticated, card))
            {
                _authenticated = null;
            }
        }
    }

    /// <summary>Takes every card out of the field.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            foreach (var card in _field.ToList())
            {
                Remove(card);
            }
        }
    }

    /// <summary>The card leaves the field right after answering <paramref name="answers"/> more frames: a card
    /// pulled away in the middle of a read.</summary>
    public void RemoveAfter(VirtualCard card, int answers)
    {
        lock (_gate)
        {
            _removeAfter[card] = answers;
        }
    }

    /// <summary>The next answer that carries a check (CRC_A or BCC: 3 bytes or more) arrives with a flipped bit in its
    /// last byte, so the check no longer matches.</summary>
    public void InjectCrcError()
    {
        lock (_gate)
        {
            _crcFault = true;
        }
    }

    /// <summary>The next answer arrives with a parity error.</summary>
    public void InjectParityError()
    {
        lock (_gate)
        {
            _parityFault = true;
        }
    }

    /// <inheritdoc />
    public override void Read(Span<byte> buffer) => buffer.Fill(Connected ? (byte)0 : AbsentValue);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Span<byte> ignored = stackalloc byte[buffer.Length];
        TransferFullDuplex(buffer, ignored);
    }

    /// <inheritdoc />
    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_gate)
        {
            if (!Connected)
            {
                readBuffer.Fill(AbsentValue);
                return;
            }

            readBuffer.Clear();
            if (writeBuffer.IsEmpty)
            {
                return;
            }

            if ((writeBuffer[0] & 0x80) != 0)
            {
                // Read (datasheet 8.1.2.1): each byte sent is the next address; the value comes one byte later.
                for (var i = 1; i < writeBuffer.Length && i < readBuffer.Length; i++)
                {
                    readBuffer[i] = ReadRegister((Register)((writeBuffer[i - 1] >> 1) & 0x3F));
                }

                return;
            }

            // Write (8.1.2.2): the address, then any number of values for that one register.
            var register = (Register)((writeBuffer[0] >> 1) & 0x3F);
            for (var i = 1; i < writeBuffer.Length; i++)
            {
                WriteRegister(register, writeBuffer[i]);
            }
        }
    }

    private byte ReadRegister(Register register)
    {
        switch (register)
        {
            case Register.FifoData:
                return _fifo.Count > 0 ? _fifo.Dequeue() : (byte)0;
            case Register.FifoLevel:
                return (byte)_fifo.Count;
            case Register.Version:
                return ChipVersion;
            default:
                return _registers[(int)register];
        }
    }

    private void WriteRegister(Register register, byte value)
    {
        switch (register)
        {
            case Register.Command:
                _registers[(int)register] = (byte)((_registers[(int)register] & 0xE0) | (value & 0x1F));
                Execute((Mfrc522Command)(value & 0x0F));
                break;
            case Register.ComIrq:
            case Register.DivIrq:
                // Set1 (bit 7) chooses whether the marked bits are set or cleared (9.3.1.5, 9.3.1.6).
                var marked = (byte)(value & 0x7F);
                _registers[(int)register] = (value & 0x80) != 0 ? (byte)(_registers[(int)register] | marked) : (byte)(_registers[(int)register] & ~marked);
                break;
            case Register.FifoData:
                if (_fifo.Count >= Mfrc522.FifoSize)
                {
                    _registers[(int)Register.Error] |= (byte)ErrorFlags.BufferOverflow;
                }
                else
                {
                    _fifo.Enqueue(value);
                }

                break;
            case Register.FifoLevel:
                if ((value & 0x80) != 0)
                {
                    _fifo.Clear();
                    _registers[(int)Register.Error] &= unchecked((byte)~ErrorFlags.BufferOverflow);
                }

                break;
            case Register.Status2:
                // Only MFCrypto1On (and the temperature sensor bits) are writable; clearing it ends the session.
                _registers[(int)register] = (byte)((_registers[(int)register] & ~0x08) | (value & 0x08));
                if ((value & 0x08) == 0)
                {
                    _authenticated = null;
                }

                break;
            case Register.BitFraming:
                _registers[(int)register] = (byte)(value & 0x7F);
                if ((value & 0x80) != 0 && (Mfrc522Command)(_registers[(int)Register.Command] & 0x0F) == Mfrc522Command.Transceive)
                {
                    Transceive();
                }

                break;
            case Register.Version:
                break;
            default:
                _registers[(int)register] = value;
                break;
        }
    }

    private void Execute(Mfrc522Command command)
    {
        switch (command)
        {
            case Mfrc522Command.SoftReset:
                Reset();
                break;
            case Mfrc522Command.Mem:
                // 25 bytes move from the FIFO to the internal buffer, which only the self-test's setup touches.
                _fifo.Clear();
                Done();
                break;
            case Mfrc522Command.CalcCrc:
                CalculateCrc();
                break;
            case Mfrc522Command.MfAuthent:
                Authenticate();
                break;
            case Mfrc522Command.Idle:
            case Mfrc522Command.Transceive:
                break;
            default:
                Done();
                break;
        }
    }

    private void Reset()
    {
        Array.Clear(_registers);
        _fifo.Clear();
        _authenticated = null;

        // Reset values (datasheet 9.3; CommandReg's PowerDown bit is already clear again): ComIEn 0x80, ComIrq 0x14, Status1 0x21, WaterLevel 0x08,
        // Control 0x10, Coll 0x80 (ValuesAfterColl), Mode 0x3F, TxControl 0x80, TxSel 0x10, RxSel 0x84, RFCfg 0x48.
        _registers[(int)Register.ComIEn] = 0x80;
        _registers[(int)Register.ComIrq] = 0x14;
        _registers[(int)Register.Status1] = 0x21;
        _registers[(int)Register.WaterLevel] = 0x08;
        _registers[(int)Register.Control] = 0x10;
        _registers[(int)Register.Coll] = 0x80;
        _registers[(int)Register.Mode] = 0x3F;
        _registers[(int)Register.TxControl] = 0x80;
        _registers[(int)Register.TxSel] = 0x10;
        _registers[(int)Register.RxSel] = 0x84;
        _registers[(int)Register.RfCfg] = 0x48;
        _registers[(int)Register.ModWidth] = 0x26;
    }

    private void Done() => _registers[(int)Register.ComIrq] |= (byte)ComIrq.Idle;

    private void CalculateCrc()
    {
        var data = _fifo.ToArray();
        _fifo.Clear();
        if ((_registers[(int)Register.AutoTest] & 0x0F) == 0x09)
        {
            // Self-test (16.1.1): the published answer for this version; a clone (or a damaged chip) answers otherwise.
            var answer = Mfrc522.SelfTestReference.TryGetValue(ChipVersion, out var published) && !SelfTestFails
                ? published
                : [.. Mfrc522.SelfTestReference[0x92].Select(b => (byte)(b ^ 0x5A))];
            foreach (var b in answer)
            {
                _fifo.Enqueue(b);
            }

            return;
        }

        // CRCPreset, ModeReg bits 1-0 (9.3.2.2).
        var preset = (_registers[(int)Register.Mode] & 0x03) switch { 0 => (ushort)0x0000, 1 => CrcA.Preset, 2 => (ushort)0xA671, _ => (ushort)0xFFFF };
        var crc = CrcA.Compute(data, preset);

        _registers[(int)Register.CrcResultHigh] = (byte)(crc >> 8);
        _registers[(int)Register.CrcResultLow] = (byte)crc;
        _registers[(int)Register.DivIrq] |= 0x04;
        _registers[(int)Register.Status1] |= 0x20;
    }

    private bool AntennaOn => (_registers[(int)Register.TxControl] & 0x03) == 0x03;

    private void Authenticate()
    {
        var command = _fifo.ToArray();
        _fifo.Clear();
        if (command.Length != 12)
        {
            _registers[(int)Register.Error] = (byte)ErrorFlags.Protocol;
            _registers[(int)Register.ComIrq] |= (byte)(ComIrq.Error | ComIrq.Idle);
            return;
        }

        var uid = command[8..12];
        var card = AntennaOn
            ? _field.OfType<MifareClassicCard>().FirstOrDefault(c => c.State == CardState.Active && c.Uid.AsSpan(c.Uid.Length - 4).SequenceEqual(uid))
            : null;
        if (card is not null && card.Authenticate((MifareKeyType)command[0], command[1], command.AsSpan(2, 6)))
        {
            _authenticated = card;
            _registers[(int)Register.Status2] |= 0x08;
            _registers[(int)Register.Error] = 0;
            _registers[(int)Register.ComIrq] |= (byte)ComIrq.Idle;
            CountAnswer(card);
            return;
        }

        // The card stays silent: the timer runs out (the command does not end by itself).
        _registers[(int)Register.Error] = 0;
        _registers[(int)Register.ComIrq] |= (byte)ComIrq.Timer;
    }

    private void Transceive()
    {
        var frame = _fifo.ToArray();
        _fifo.Clear();
        var lastBits = _registers[(int)Register.BitFraming] & 0x07;
        _registers[(int)Register.Error] = 0;
        _registers[(int)Register.Control] &= 0xF8;
        _registers[(int)Register.Coll] = 0x80 | 0x20;
        _registers[(int)Register.ComIrq] |= (byte)ComIrq.Tx;

        var answers = new List<(VirtualCard Card, CardAnswer Answer)>();
        if (AntennaOn)
        {
            // With Crypto1 on, only the authenticated card can make sense of the frame.
            var listeners = _authenticated is not null && (_registers[(int)Register.Status2] & 0x08) != 0 ? [_authenticated] : _field.ToList();
            foreach (var card in listeners)
            {
                if (card.Receive(frame, lastBits) is { } answer)
                {
                    answers.Add((card, answer));
                }
            }
        }

        if (answers.Count == 0)
        {
            _registers[(int)Register.ComIrq] |= (byte)ComIrq.Timer;
            return;
        }

        var first = answers[0].Answer;
        var bytes = (byte[])first.Bytes.Clone();
        var collision = FirstDifferingBit(answers.Select(a => a.Answer.Bytes).ToList());
        byte errors = 0;
        if (collision > 0)
        {
            // The reader receives the bits up to the collision (9.3.1.15; ValuesAfterColl set: the rest read as 0s).
            errors |= (byte)ErrorFlags.Collision;
            var keep = (collision + 7) / 8;
            bytes = bytes[..keep];
            _registers[(int)Register.Coll] = (byte)(collision & 0x1F);
        }

        if (_crcFault && bytes.Length >= 3)
        {
            _crcFault = false;
            bytes[^1] ^= 0x01;
        }

        if (_parityFault)
        {
            _parityFault = false;
            errors |= (byte)ErrorFlags.Parity;
        }

        foreach (var b in bytes)
        {
            _fifo.Enqueue(b);
        }

        _registers[(int)Register.Control] |= (byte)(first.LastBits & 0x07);
        _registers[(int)Register.Error] = errors;
        _registers[(int)Register.ComIrq] |= (byte)(ComIrq.Rx | (errors != 0 ? ComIrq.Error : ComIrq.None));
        foreach (var (card, _) in answers)
        {
            CountAnswer(card);
        }
    }

    private void CountAnswer(VirtualCard card)
    {
        if (_removeAfter.TryGetValue(card, out var left))
        {
            if (left <= 1)
            {
                Remove(card);
            }
            else
            {
                _removeAfter[card] = left - 1;
            }
        }
    }

    /// <summary>The 1-based position of the first bit where the answers differ, or 0 when they agree.</summary>
    private static int FirstDifferingBit(List<byte[]> answers)
    {
        var length = answers.Max(a => a.Length);
        for (var i = 0; i < length; i++)
        {
            var first = i < answers[0].Length ? answers[0][i] : 0;
            foreach (var other in answers.Skip(1))
            {
                var value = i < other.Length ? other[i] : 0;
                var diff = first ^ value;
                if (diff != 0)
                {
                    return i * 8 + System.Numerics.BitOperations.TrailingZeroCount(diff) + 1;
                }
            }
        }

        return 0;
    }
}
