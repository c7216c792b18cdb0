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
    private readonly byte[] _internalBuffer = new byte[25];
    private bool _crcFault;
    private bool _parityFault;
    private MifareClassicCard? _authenticated;
    private bool _crcRunning;
    private ushort _crc;
    private bool _lowAlert;
    private bool _highAlert;

    private const int CommandAddress = 0x01;
    private const int ComIEnAddress = 0x02;
    private const int DivIEnAddress = 0x03;
    private const int ComIrqAddress = 0x04;
    private const int DivIrqAddress = 0x05;
    private const int ErrorAddress = 0x06;
    private const int Status1Address = 0x07;
    private const int Status2Address = 0x08;
    private const int FifoDataAddress = 0x09;
    private const int FifoLevelAddress = 0x0A;
    private const int WaterLevelAddress = 0x0B;
    private const int ControlAddress = 0x0C;
    private const int BitFramingAddress = 0x0D;
    private const int CollAddress = 0x0E;
    private const int ModeAddress = 0x11;
    private const int TxControlAddress = 0x14;
    private const int CrcResultHighAddress = 0x21;
    private const int CrcResultLowAddress = 0x22;
    private const int TModeAddress = 0x2A;
    private const int TCounterHighAddress = 0x2E;
    private const int TCounterLowAddress = 0x2F;
    private const int TestBusAddress = 0x35;
    private const int AutoTestAddress = 0x36;
    private const int VersionAddress = 0x37;
    private const int TestAdcAddress = 0x3B;

    /// <summary>
    /// Every register after a reset, from the tables of datasheet section 9.3 (rev. 3.9). Where the datasheet says
    /// "xxh" (FIFOData, Coll, TCounterVal, TestBus, Version, TestDAC1/2, TestADC) the value is the chip's choice:
    /// Coll reads A0h (ValuesAfterColl, CollPosNotValid) as chips do, the others 00h; Version is <see cref="ChipVersion"/>.
    /// </summary>
    private static readonly byte[] s_resetValues =
    [
        // 00h: reserved, Command 20h, ComIEn 80h, DivIEn 00h, ComIrq 14h, DivIrq x0h, Error 00h, Status1 21h,
        0x00, 0x20, 0x80, 0x00, 0x14, 0x00, 0x00, 0x21,
        // 08h: Status2 00h, FIFOData xxh, FIFOLevel 00h, WaterLevel 08h, Control 10h, BitFraming 00h, Coll xxh, reserved 00h
        0x00, 0x00, 0x00, 0x08, 0x10, 0x00, 0xA0, 0x00,
        // 10h: reserved 00h, Mode 3Fh, TxMode 00h, RxMode 00h, TxControl 80h, TxASK 00h, TxSel 10h, RxSel 84h
        0x00, 0x3F, 0x00, 0x00, 0x80, 0x00, 0x10, 0x84,
        // 18h: RxThreshold 84h, Demod 4Dh, reserved 00h, reserved 00h, MfTx 62h, MfRx 00h, reserved 00h, SerialSpeed EBh
        0x84, 0x4D, 0x00, 0x00, 0x62, 0x00, 0x00, 0xEB,
        // 20h: reserved 00h, CRCResult FFh FFh, reserved 88h, ModWidth 26h, reserved 87h, RFCfg 48h, GsN 88h
        0x00, 0xFF, 0xFF, 0x88, 0x26, 0x87, 0x48, 0x88,
        // 28h: CWGsP 20h, ModGsP 20h, TMode 00h, TPrescaler 00h, TReload 00h 00h, TCounterVal xxh xxh
        0x20, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        // 30h: reserved 00h, TestSel1 00h, TestSel2 00h, TestPinEn 80h, TestPinValue 00h, TestBus xxh, AutoTest 40h, Version xxh
        0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0x00,
        // 38h: AnalogTest 00h, TestDAC1 xxh, TestDAC2 xxh, TestADC xxh, reserved (production tests) FFh 00h 03h 00h
        0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x03, 0x00,
    ];

    /// <summary>Reserved and production-test registers: "must not be changed" (table 19); writes leave them be.</summary>
    private static readonly HashSet<int> s_reserved = [0x00, 0x0F, 0x10, 0x1A, 0x1B, 0x1E, 0x20, 0x23, 0x25, 0x30, 0x3C, 0x3D, 0x3E, 0x3F];

    /// <param name="busId">The bus number the emulator pretends to be on.</param>
    /// <param name="version">The version register: 0x92 (v2.0), 0x91, 0x88...</param>
    public Mfrc522Emulator(int busId = 0, byte version = 0x92)
    {
        _settings = new SpiConnectionSettings(busId, 0) { Mode = SpiMode.Mode0, ClockFrequency = 10_000_000 };
        ChipVersion = version;
        s_resetValues.CopyTo(_registers);
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

    /// <summary>The 25-byte internal buffer of the Mem command (10.3.1.2); it survives a SoftReset.</summary>
    public byte[] InternalBuffer
    {
        get
        {
            lock (_gate)
            {
                return [.. _internalBuffer];
            }
        }
    }

    /// <inheritdoc />
    public override void Read(Span<byte> buffer)
    {
        // MOSI stays low while the host only reads: every byte clocked out is address 0x00, a write (bit 7 clear)
        // to the reserved register 00h, which is ignored.
        Span<byte> zeros = buffer.Length <= 256 ? stackalloc byte[buffer.Length] : new byte[buffer.Length];
        zeros.Clear();
        TransferFullDuplex(zeros, buffer);
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Span<byte> ignored = buffer.Length <= 256 ? stackalloc byte[buffer.Length] : new byte[buffer.Length];
        TransferFullDuplex(buffer, ignored);
    }

    /// <summary>
    /// One SPI transfer with chip select held low (datasheet 8.1.2). The bytes the host sends are taken whole before
    /// any answer is written, as Linux spidev does (the kernel copies the transmit buffer before the receive
    /// buffer is copied back): a driver may pass the same memory as <paramref name="writeBuffer"/> and
    /// <paramref name="readBuffer"/> and gets the same answer as with two buffers.
    /// </summary>
    /// <exception cref="ArgumentException">The two buffers differ in length (a full-duplex transfer clocks both ways at once).</exception>
    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        if (writeBuffer.Length != readBuffer.Length)
        {
            throw new ArgumentException("A full-duplex transfer needs write and read buffers of the same length.", nameof(readBuffer));
        }

        Span<byte> mosi = writeBuffer.Length <= 256 ? stackalloc byte[writeBuffer.Length] : new byte[writeBuffer.Length];
        writeBuffer.CopyTo(mosi);
        Span<byte> miso = mosi.Length <= 256 ? stackalloc byte[mosi.Length] : new byte[mosi.Length];
        lock (_gate)
        {
            Clock(mosi, miso);
        }

        miso.CopyTo(readBuffer);
    }

    private void Clock(ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        if (!Connected)
        {
            miso.Fill(AbsentValue);
            return;
        }

        // During the first byte MISO is undefined (the "X" of figures 11 and 12); the chip drives it low.
        miso.Clear();
        if (mosi.IsEmpty)
        {
            return;
        }

        if ((mosi[0] & 0x80) != 0)
        {
            // Read (8.1.2.1): each byte sent is the next address; its value comes out during the byte after it. The
            // host ends with 00h, which reads nothing.
            for (var i = 1; i < mosi.Length; i++)
            {
                if ((mosi[i - 1] & 0x80) != 0)
                {
                    miso[i] = ReadRegister((mosi[i - 1] >> 1) & 0x3F);
                }
            }

            return;
        }

        // Write (8.1.2.2): the address, then any number of values for that one register (a FIFO burst).
        var address = (mosi[0] >> 1) & 0x3F;
        for (var i = 1; i < mosi.Length; i++)
        {
            WriteRegister(address, mosi[i]);
        }
    }

    private byte ReadRegister(int address)
    {
        switch (address)
        {
            case FifoDataAddress:
                if (_fifo.Count == 0)
                {
                    return 0;
                }

                var value = _fifo.Dequeue();
                FifoChanged();
                return value;
            case FifoLevelAddress:
                return (byte)_fifo.Count;
            case Status1Address:
                return Status1();
            case VersionAddress:
                return ChipVersion;
            default:
                return _registers[address];
        }
    }

    private void WriteRegister(int address, byte value)
    {
        // Table 19: R bits ignore writes, W bits read back as 0; reserved and RFT registers keep their value.
        switch (address)
        {
            case CommandAddress:
                WriteCommand(value);
                break;
            case ComIrqAddress:
            case DivIrqAddress:
                // Set1/Set2 (bit 7) chooses whether the marked bits are set or cleared (9.3.1.5, 9.3.1.6).
                var marked = (byte)(value & (address == ComIrqAddress ? 0x7F : 0x14));
                _registers[address] = (value & 0x80) != 0 ? (byte)(_registers[address] | marked) : (byte)(_registers[address] & ~marked);
                break;
            case FifoDataAddress:
                WriteFifo(value);
                break;
            case FifoLevelAddress:
                if ((value & 0x80) != 0)
                {
                    _fifo.Clear();
                    _registers[ErrorAddress] &= unchecked((byte)~ErrorFlags.BufferOverflow);
                    FifoChanged();
                }

                break;
            case Status2Address:
                // TempSensClear and I2CForceHS are R/W; MFCrypto1On only MFAuthent sets, the host may clear it (9.3.1.9).
                _registers[address] = (byte)((value & 0xC0) | (_registers[address] & value & 0x08) | (_registers[address] & 0x07));
                if ((_registers[address] & 0x08) == 0)
                {
                    _authenticated = null;
                }

                break;
            case WaterLevelAddress:
                _registers[address] = (byte)(value & 0x3F);
                FifoChanged();
                break;
            case ControlAddress:
                // TStopNow and TStartNow are write-only strobes; RxLastBits is read-only.
                break;
            case BitFramingAddress:
                _registers[address] = (byte)(value & 0x77);
                if ((value & 0x80) != 0 && Command == Mfrc522Command.Transceive)
                {
                    Transceive();
                }

                break;
            case CollAddress:
                _registers[address] = (byte)((value & 0x80) | (_registers[address] & 0x7F));
                break;
            case TxControlAddress:
                var wasOn = AntennaOn;
                _registers[address] = (byte)(value & 0xFB);
                if (wasOn && !AntennaOn)
                {
                    FieldOff();
                }

                break;
            case ErrorAddress:
            case Status1Address:
            case CrcResultHighAddress:
            case CrcResultLowAddress:
            case TCounterHighAddress:
            case TCounterLowAddress:
            case TestBusAddress:
            case VersionAddress:
            case TestAdcAddress:
                break;
            default:
                if (!s_reserved.Contains(address))
                {
                    _registers[address] = value;
                }

                break;
        }
    }

    private Mfrc522Command Command => (Mfrc522Command)(_registers[CommandAddress] & 0x0F);

    private void WriteCommand(byte value)
    {
        var command = (Mfrc522Command)(value & 0x0F);
        if (command == Mfrc522Command.NoCmdChange)
        {
            // Changes RcvOff and PowerDown only (10.3.1.6).
            _registers[CommandAddress] = (byte)((value & 0x30) | (_registers[CommandAddress] & 0x0F));
            return;
        }

        _registers[CommandAddress] = (byte)((value & 0x30) | (byte)command);
        switch (command)
        {
            case Mfrc522Command.SoftReset:
                Reset();
                Terminate();
                break;
            case Mfrc522Command.Idle:
                // The host starting Idle does not set IdleIRq (table 30).
                _crcRunning = false;
                break;
            case Mfrc522Command.Mem:
                Mem();
                Terminate();
                break;
            case Mfrc522Command.GenerateRandomId:
                Random.Shared.NextBytes(_internalBuffer.AsSpan(0, 10));
                Terminate();
                break;
            case Mfrc522Command.CalcCrc:
                CalculateCrc();
                break;
            case Mfrc522Command.MfAuthent:
                Authenticate();
                break;
            case Mfrc522Command.Transceive:
                // Transmits only when StartSend is set (10.3.1.8).
                break;
            case Mfrc522Command.Transmit:
                Transmit();
                break;
            case Mfrc522Command.Receive:
                // Nothing is sent, so nothing answers: the timer ends it when TAuto is set.
                break;
            default:
                // An unknown command: Command goes back to Idle and IdleIRq is set (table 30).
                Terminate();
                break;
        }
    }

    /// <summary>A command ends by itself: Command[3:0] goes back to Idle and IdleIRq is set (table 30).</summary>
    private void Terminate()
    {
        _registers[CommandAddress] &= 0x30;
        _registers[ComIrqAddress] |= (byte)ComIrq.Idle;
    }

    private void WriteFifo(byte value)
    {
        if (Command == Mfrc522Command.MfAuthent)
        {
            // The FIFO is blocked while MFAuthent runs (10.3.1.9).
            _registers[ErrorAddress] |= (byte)ErrorFlags.Write;
            return;
        }

        if (_crcRunning)
        {
            // CalcCRC goes on with every byte written while it is active (10.3.1.4).
            _crc = CrcA.Compute([value], _crc);
            StoreCrc();
            return;
        }

        if (_fifo.Count >= Mfrc522.FifoSize)
        {
            _registers[ErrorAddress] |= (byte)ErrorFlags.BufferOverflow;
            return;
        }

        _fifo.Enqueue(value);
        FifoChanged();
    }

    /// <summary>LoAlertIRq and HiAlertIRq store the moment Status1's LoAlert or HiAlert becomes 1 (9.3.1.5).</summary>
    private void FifoChanged()
    {
        var water = _registers[WaterLevelAddress] & 0x3F;
        var low = _fifo.Count <= water;
        var high = Mfrc522.FifoSize - _fifo.Count <= water;
        if (low && !_lowAlert)
        {
            _registers[ComIrqAddress] |= (byte)ComIrq.LoAlert;
        }

        if (high && !_highAlert)
        {
            _registers[ComIrqAddress] |= (byte)ComIrq.HiAlert;
        }

        _lowAlert = low;
        _highAlert = high;
    }

    /// <summary>Status1Reg (9.3.1.8): CRCOk and CRCReady from the coprocessor, IRq from the enabled interrupt
    /// bits, HiAlert and LoAlert from the FIFO level.</summary>
    private byte Status1()
    {
        var irq = (_registers[ComIrqAddress] & _registers[ComIEnAddress] & 0x7F) != 0
            || (_registers[DivIrqAddress] & _registers[DivIEnAddress] & 0x14) != 0;
        return (byte)((_registers[Status1Address] & 0x60) | (irq ? 0x10 : 0) | (_highAlert ? 0x02 : 0) | (_lowAlert ? 0x01 : 0));
    }

    private void Reset()
    {
        // Every register to its reset value (10.3.1.10); the internal buffer stays. The field goes off with
        // TxControl's antenna bits, so the cards lose power.
        var wasOn = AntennaOn;
        s_resetValues.CopyTo(_registers);
        _fifo.Clear();
        _crcRunning = false;
        _lowAlert = true;
        _highAlert = false;
        if (wasOn)
        {
            FieldOff();
        }

        _authenticated = null;
    }

    private void FieldOff()
    {
        _authenticated = null;
        foreach (var card in _field)
        {
            card.PowerOff();
        }
    }

    private void Mem()
    {
        // 25 bytes from the FIFO to the internal buffer; with an empty FIFO the other way round (10.3.1.2).
        if (_fifo.Count == 0)
        {
            foreach (var b in _internalBuffer)
            {
                _fifo.Enqueue(b);
            }
        }
        else
        {
            for (var i = 0; i < _internalBuffer.Length && _fifo.Count > 0; i++)
            {
                _internalBuffer[i] = _fifo.Dequeue();
            }
        }

        FifoChanged();
    }

    private void CalculateCrc()
    {
        var data = _fifo.ToArray();
        _fifo.Clear();
        FifoChanged();
        if ((_registers[AutoTestAddress] & 0x0F) == 0x09)
        {
            // Self-test (16.1.1): with the internal buffer cleared and 00h in the FIFO, the published 64 bytes for
            // this version; a clone, a damaged chip or another setup answer otherwise.
            var published = Mfrc522.SelfTestReference.TryGetValue(ChipVersion, out var reference) && !SelfTestFails
                && _internalBuffer.All(b => b == 0) && data is [0x00];
            var answer = published ? reference! : [.. Mfrc522.SelfTestReference[0x92].Select(b => (byte)(b ^ 0x5A))];
            foreach (var b in answer)
            {
                _fifo.Enqueue(b);
            }

            FifoChanged();
            return;
        }

        // CRCPreset, ModeReg bits 1-0 (9.3.2.2), loaded when the command starts; it runs until another command.
        _crc = (_registers[ModeAddress] & 0x03) switch { 0 => (ushort)0x0000, 1 => CrcA.Preset, 2 => (ushort)0xA671, _ => (ushort)0xFFFF };
        _crc = CrcA.Compute(data, _crc);
        _crcRunning = true;
        StoreCrc();
    }

    private void StoreCrc()
    {
        _registers[CrcResultHighAddress] = (byte)(_crc >> 8);
        _registers[CrcResultLowAddress] = (byte)_crc;
        _registers[DivIrqAddress] |= 0x04;

        // CRCReady, and CRCOk when the result is zero (9.3.1.8).
        _registers[Status1Address] = (byte)((_registers[Status1Address] & ~0x60) | 0x20 | (_crc == 0 ? 0x40 : 0));
    }

    /// <summary>The timer starts at the end of a transmission only with TModeReg's TAuto (9.3.3.10); a driver that
    /// leaves it clear waits on its own clock.</summary>
    private void NoAnswer()
    {
        if ((_registers[TModeAddress] & 0x80) != 0)
        {
            _registers[ComIrqAddress] |= (byte)ComIrq.Timer;
        }
    }

    private void Transmit()
    {
        // A frame sent without listening: the cards hear it, nobody reads their answer.
        var frame = _fifo.ToArray();
        _fifo.Clear();
        FifoChanged();
        if (AntennaOn)
        {
            foreach (var card in Listeners())
            {
                card.Receive(frame, _registers[BitFramingAddress] & 0x07);
            }
        }

        _registers[ComIrqAddress] |= (byte)ComIrq.Tx;
        Terminate();
    }

    private List<VirtualCard> Listeners() =>
        _authenticated is not null && (_registers[Status2Address] & 0x08) != 0 ? [_authenticated] : [.. _field];

    private bool AntennaOn => (_registers[TxControlAddress] & 0x03) == 0x03;

    /// <summary>Command execution clears every error bit but TempErr (table 34, note 1).</summary>
    private void ClearErrors() => _registers[ErrorAddress] &= (byte)ErrorFlags.Temperature;

    private void Authenticate()
    {
        var command = _fifo.ToArray();
        _fifo.Clear();
        FifoChanged();
        ClearErrors();
        if (command.Length != 12)
        {
            _registers[ErrorAddress] |= (byte)ErrorFlags.Protocol;
            _registers[Status2Address] &= 0xF7;
            _registers[ComIrqAddress] |= (byte)ComIrq.Error;
            Terminate();
            return;
        }

        var uid = command[8..12];
        var card = AntennaOn
            ? _field.OfType<MifareClassicCard>().FirstOrDefault(c => c.State == CardState.Active && c.Uid.AsSpan(c.Uid.Length - 4).SequenceEqual(uid))
            : null;
        if (card is not null && card.Authenticate((MifareKeyType)command[0], command[1], command.AsSpan(2, 6)))
        {
            // Ends by itself with MFCrypto1On set (10.3.1.9); RxIRq and TxIRq stay blocked.
            _authenticated = card;
            _registers[Status2Address] |= 0x08;
            Terminate();
            CountAnswer(card);
            return;
        }

        // The card stays silent: the command does not end by itself, only the timer (TAuto) tells.
        NoAnswer();
    }

    private void Transceive()
    {
        var frame = _fifo.ToArray();
        _fifo.Clear();
        FifoChanged();
        var lastBits = _registers[BitFramingAddress] & 0x07;
        ClearErrors();
        _registers[ControlAddress] &= 0xF8;
        _registers[CollAddress] = (byte)((_registers[CollAddress] & 0x80) | 0x20);
        _registers[ComIrqAddress] |= (byte)ComIrq.Tx;

        var answers = new List<(VirtualCard Card, CardAnswer Answer)>();
        if (AntennaOn)
        {
            // With Crypto1 on, only the authenticated card can make sense of the frame.
            foreach (var card in Listeners())
            {
                if (card.Receive(frame, lastBits) is { } answer)
                {
                    answers.Add((card, answer));
                }
            }
        }

        if (answers.Count == 0)
        {
            NoAnswer();
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
            _registers[CollAddress] = (byte)((_registers[CollAddress] & 0x80) | (collision & 0x1F));
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

        foreach (var b in bytes.Take(Mfrc522.FifoSize))
        {
            _fifo.Enqueue(b);
        }

        if (bytes.Length > Mfrc522.FifoSize)
        {
            errors |= (byte)ErrorFlags.BufferOverflow;
        }

        FifoChanged();
        _registers[ControlAddress] |= (byte)(first.LastBits & 0x07);
        _registers[ErrorAddress] |= errors;
        _registers[ComIrqAddress] |= (byte)(ComIrq.Rx | (errors != 0 ? ComIrq.Error : ComIrq.None));
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
