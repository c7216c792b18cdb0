using System.Device.Gpio;
using System.Device.Spi;
using System.Diagnostics;
using KioskPos.Firmware.Readers.Iso14443;

namespace KioskPos.Firmware.Readers.Mfrc522;

/// <summary>The reader chip is missing or not answering on its bus.</summary>
public sealed class ReaderNotFoundException(string message) : IOException(message);

/// <summary>
/// The NXP MFRC522 (RC522) 13.56 MHz reader over SPI. It is handed its <see cref="SpiDevice"/> (and optionally a
/// GPIO controller with the NRSTPD pin) and never opens hardware itself; it disposes them only when told to.
/// Register access: datasheet 8.1.2.3 (address byte <c>(register &lt;&lt; 1) &amp; 0x7E</c>, bit 7 = read).
/// </summary>
public sealed class Mfrc522 : IPcd, IDisposable
{
    /// <summary>What the chip's FIFO holds (datasheet 8.3).</summary>
    public const int FifoSize = 64;

    /// <summary>The self-test answers published in datasheet 16.1.1, by version (v1.0 and v2.0).</summary>
    public static readonly IReadOnlyDictionary<byte, byte[]> SelfTestReference = new Dictionary<byte, byte[]>
    {
        [0x91] = Convert.FromHexString("00C637D532B7575CC2D87C4DD970C77310E6D2AA5EA13E5A14AF3061C970DB2E642272B5BD65F4EC22BCD37235CDAA411FA7F35314DE7E02D90FB55E251D2979"),
        [0x92] = Convert.FromHexString("00EB66BA57BF2395D0E30D3D27895CDE9D3BA700215B8982513AEB020CA500497C844DB3CCD21B815D4876D5716121A986968338CF9D5B6DDC15BA3E7D953B2F"),
    };

    // TAuto: the timer starts at the end of each transmission (9.3.3.10); a reset clears it.
    private const byte InitialTimerMode = 0x80;

    private readonly SpiDevice _spi;
    private readonly GpioController? _gpio;
    private readonly int _resetPin;
    private readonly bool _shouldDispose;
    private readonly TimeSpan _commandTimeout;

    /// <param name="spi">The bus, mode 0, up to 10 MHz.</param>
    /// <param name="gpio">The controller of <paramref name="resetPin"/>, or null when NRSTPD is wired high.</param>
    /// <param name="resetPin">The NRSTPD pin (logical numbering), or -1.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="spi"/> and <paramref name="gpio"/> with this driver.</param>
    /// <param name="commandTimeout">How long a command may run before the chip is taken as hung; its own timer
    /// ends an exchange with no card after 25 ms, so the default leaves room for a slow bus.</param>
    public Mfrc522(SpiDevice spi, GpioController? gpio = null, int resetPin = -1, bool shouldDispose = false, TimeSpan? commandTimeout = null)
    {
        _spi = spi ?? throw new ArgumentNullException(nameof(spi));
        _gpio = gpio;
        _resetPin = resetPin;
        _shouldDispose = shouldDispose;
        _commandTimeout = commandTimeout ?? TimeSpan.FromMilliseconds(100);
        if (_gpio is not null && _resetPin >= 0)
        {
            _gpio.OpenPin(_resetPin, PinMode.Output);
        }
    }

    /// <summary>Which SPI bus and chip select, for messages.</summary>
    public string BusName => BusNameOf(_spi.ConnectionSettings);

    /// <summary>How <see cref="BusName"/> names a bus, before a chip is opened on it.</summary>
    public static string BusNameOf(SpiConnectionSettings settings) => $"SPI bus {settings.BusId}, chip select {settings.ChipSelectLine}";

    /// <summary>The receiver gain last set (by <see cref="Initialise"/> or <see cref="SetGain"/>), which a reset undoes.</summary>
    public ReceiverGain ConfiguredGain { get; private set; } = ReceiverGain.Db43;

    /// <summary>The version register read by <see cref="Initialise"/>.</summary>
    public byte Version { get; private set; }

    /// <summary>A readable name of <see cref="Version"/>.</summary>
    public string VersionName => Version switch
    {
        0x91 => "MFRC522 v1.0",
        0x92 => "MFRC522 v2.0",
        0x88 => "FM17522 (clone)",
        0x12 => "counterfeit MFRC522",
        _ => $"unknown chip 0x{Version:X2}",
    };

    /// <summary>
    /// Resets the chip, checks that one answers, and sets it up for ISO 14443A: 25 ms timer, 100% ASK, CRC preset
    /// 0x6363, antenna on.
    /// </summary>
    /// <exception cref="ReaderNotFoundException">The version register reads 0x00 or 0xFF: nothing on the bus.</exception>
    public void Initialise(ReceiverGain gain = ReceiverGain.Db43)
    {
        HardReset();
        SoftReset();
        Version = ReadRegister(Register.Version);
        if (Version is 0x00 or 0xFF)
        {
            throw new ReaderNotFoundException($"no reader on {BusName} (version register reads 0x{Version:X2}) — is SPI enabled (dtparam=spi=on) and the RC522 wired to 3.3 V?");
        }

        WriteRegister(Register.TxMode, 0x00);
        WriteRegister(Register.RxMode, 0x00);
        WriteRegister(Register.ModWidth, 0x26);

        // Timer (9.3.3.10): TAuto starts it after each transmission; f = 13.56 MHz / (2 × 0xA9 + 1) ≈ 40 kHz, so
        // 25 µs per tick, and a reload of 1000 ticks gives a card 25 ms to answer.
        WriteRegister(Register.TMode, InitialTimerMode);
        WriteRegister(Register.TPrescaler, 0xA9);
        WriteRegister(Register.TReloadHigh, 0x03);
        WriteRegister(Register.TReloadLow, 0xE8);
        WriteRegister(Register.TxAsk, 0x40);
        WriteRegister(Register.Mode, 0x3D);
        SetGain(gain);
        AntennaOn();
    }

    /// <summary>
    /// Reads back what a reset or a brown-out undoes: TModeReg goes back to 00h (9.3.3.10: no timer, so every exchange
    /// runs into the host's timeout) and TxControlReg to 80h (9.3.2.5: the antenna off, no card ever answers). The
    /// version tells a chip that went away (00h or FFh) from one that was reset.
    /// </summary>
    /// <returns>Null when the chip is as <see cref="Initialise"/> left it; else what was found.</returns>
    public string? CheckSetUp()
    {
        var version = ReadRegister(Register.Version);
        var timerMode = ReadRegister(Register.TMode);
        var txControl = ReadRegister(Register.TxControl);
        return version == Version && timerMode == InitialTimerMode && (txControl & 0x03) == 0x03
            ? null
            : $"Version 0x{version:X2} (0x{Version:X2} at start), TMode 0x{timerMode:X2}, TxControl 0x{txControl:X2}";
    }

    /// <summary>Pulses NRSTPD low when the pin is wired (datasheet 8.8.2: a hard power-down and reset).</summary>
    public void HardReset()
    {
        if (_gpio is null || _resetPin < 0)
        {
            return;
        }

        _gpio.Write(_resetPin, PinValue.Low);
        Thread.Sleep(1);
        _gpio.Write(_resetPin, PinValue.High);
        Thread.Sleep(50);
    }

    /// <summary>SoftReset command; waits for the oscillator (PowerDown bit 0x10 clears).</summary>
    public void SoftReset()
    {
        WriteRegister(Register.Command, (byte)Mfrc522Command.SoftReset);
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20;
        while ((ReadRegister(Register.Command) & 0x10) != 0 && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(1);
        }
    }

    /// <summary>Drives TX1 and TX2 (the field is on).</summary>
    public void AntennaOn()
    {
        var value = ReadRegister(Register.TxControl);
        if ((value & 0x03) != 0x03)
        {
            WriteRegister(Register.TxControl, (byte)(value | 0x03));
        }
    }

    /// <summary>Stops driving TX1 and TX2: no field, no cards, less power and heat.</summary>
    public void AntennaOff() => WriteRegister(Register.TxControl, (byte)(ReadRegister(Register.TxControl) & ~0x03));

    /// <summary>True when both antenna drivers are on.</summary>
    public bool IsAntennaOn => (ReadRegister(Register.TxControl) & 0x03) == 0x03;

    /// <summary>Sets the receiver gain (RxGain bits 6-4 of RFCfgReg).</summary>
    public void SetGain(ReceiverGain gain)
    {
        WriteRegister(Register.RfCfg, (byte)((ReadRegister(Register.RfCfg) & 0x8F) | ((byte)gain << 4)));
        ConfiguredGain = gain;
    }

    /// <summary>The receiver gain.</summary>
    public ReceiverGain Gain => (ReceiverGain)((ReadRegister(Register.RfCfg) >> 4) & 0x07);

    /// <summary>
    /// The chip's digital self-test (datasheet 16.1.1): clear the internal buffer, enable the test, run CalcCRC
    /// over one zero byte and compare the 64 bytes in the FIFO with the datasheet's values for this version. The
    /// chip is initialised again afterwards, with the receiver gain it had before.
    /// </summary>
    /// <returns>True when the answer matches; false for a mismatch or a version without published values.</returns>
    public bool SelfTest()
    {
        // The SoftReset puts RFCfgReg back to 48h (9.3.3.6): the gain is read before it, or a configured gain is lost.
        var gain = Gain;
        SoftReset();
        WriteRegister(Register.FifoLevel, 0x80);
        WriteRegister(Register.FifoData, new byte[25]);
        WriteRegister(Register.Command, (byte)Mfrc522Command.Mem);
        WriteRegister(Register.AutoTest, 0x09);
        WriteRegister(Register.FifoData, [0x00]);
        WriteRegister(Register.Command, (byte)Mfrc522Command.CalcCrc);
        var deadline = CommandDeadline();
        while (ReadRegister(Register.FifoLevel) < FifoSize && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Yield();
        }

        WriteRegister(Register.Command, (byte)Mfrc522Command.Idle);
        var result = new byte[FifoSize];
        ReadFifo(result);
        WriteRegister(Register.AutoTest, 0x00);
        var version = ReadRegister(Register.Version);
        var passed = SelfTestReference.TryGetValue(version, out var expected) && result.AsSpan().SequenceEqual(expected);
        Initialise(gain);
        return passed;
    }

    /// <summary>The chip's CRC coprocessor over <paramref name="data"/> (preset from ModeReg).</summary>
    /// <exception cref="TimeoutException">The coprocessor did not finish.</exception>
    public ushort CalculateCrc(ReadOnlySpan<byte> data)
    {
        WriteRegister(Register.Command, (byte)Mfrc522Command.Idle);
        WriteRegister(Register.DivIrq, 0x04);
        WriteRegister(Register.FifoLevel, 0x80);
        WriteRegister(Register.FifoData, data);
        WriteRegister(Register.Command, (byte)Mfrc522Command.CalcCrc);
        var deadline = CommandDeadline();
        while ((ReadRegister(Register.DivIrq) & 0x04) == 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"The reader on {BusName} did not finish CalcCRC.");
            }
        }

        WriteRegister(Register.Command, (byte)Mfrc522Command.Idle);
        return (ushort)(ReadRegister(Register.CrcResultHigh) << 8 | ReadRegister(Register.CrcResultLow));
    }

    /// <inheritdoc />
    public Exchange Transceive(ReadOnlySpan<byte> frame, int lastBits, Span<byte> answer)
    {
        if (frame.Length is 0 or > FifoSize)
        {
            throw new ArgumentException($"A frame is 1 to {FifoSize} bytes.", nameof(frame));
        }

        Load(frame);
        WriteRegister(Register.BitFraming, (byte)(lastBits & 0x07));
        WriteRegister(Register.Command, (byte)Mfrc522Command.Transceive);
        WriteRegister(Register.BitFraming, (byte)(0x80 | (lastBits & 0x07)));
        return Finish(ComIrq.Rx | ComIrq.Idle, answer);
    }

    /// <inheritdoc />
    public bool Authenticate(MifareKeyType keyType, byte block, ReadOnlySpan<byte> key, ReadOnlySpan<byte> uid)
    {
        Span<byte> command = stackalloc byte[12];
        command[0] = (byte)keyType;
        command[1] = block;
        key.CopyTo(command[2..8]);
        uid[..4].CopyTo(command[8..12]);
        Load(command);
        WriteRegister(Register.Command, (byte)Mfrc522Command.MfAuthent);
        var outcome = Finish(ComIrq.Idle, []);
        return outcome.IsOk && (ReadRegister(Register.Status2) & 0x08) != 0;
    }

    /// <inheritdoc />
    public void StopCrypto() => WriteRegister(Register.Status2, (byte)(ReadRegister(Register.Status2) & ~0x08));

    /// <summary>Reads one register.</summary>
    public byte ReadRegister(Register register)
    {
        Span<byte> tx = [Address(register, read: true), 0x00];
        Span<byte> rx = stackalloc byte[2];
        _spi.TransferFullDuplex(tx, rx);
        return rx[1];
    }

    /// <summary>Writes one register.</summary>
    public void WriteRegister(Register register, byte value) => _spi.Write([Address(register, read: false), value]);

    /// <summary>Writes several bytes to one register in one transfer (the FIFO).</summary>
    public void WriteRegister(Register register, ReadOnlySpan<byte> values)
    {
        Span<byte> tx = stackalloc byte[values.Length + 1];
        tx[0] = Address(register, read: false);
        values.CopyTo(tx[1..]);
        _spi.Write(tx);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_gpio is not null && _resetPin >= 0 && _gpio.IsPinOpen(_resetPin))
        {
            _gpio.ClosePin(_resetPin);
        }

        if (_shouldDispose)
        {
            _spi.Dispose();
            _gpio?.Dispose();
        }
    }

    /// <summary>The first byte of an SPI transfer (datasheet 8.1.2.3): the register in bits 6-1, bit 7 set to read.</summary>
    private static byte Address(Register register, bool read) => (byte)((((byte)register << 1) & 0x7E) | (read ? 0x80 : 0x00));

    private long CommandDeadline() => Stopwatch.GetTimestamp() + (long)(_commandTimeout.TotalSeconds * Stopwatch.Frequency);

    // Datasheet 10.3.1.8 and the sequence of the reference: stop, clear interrupts, flush, fill the FIFO.
    private void Load(ReadOnlySpan<byte> fifo)
    {
        WriteRegister(Register.Command, (byte)Mfrc522Command.Idle);
        WriteRegister(Register.ComIrq, 0x7F);
        WriteRegister(Register.FifoLevel, 0x80);
        WriteRegister(Register.FifoData, fifo);
    }

    private Exchange Finish(ComIrq done, Span<byte> answer)
    {
        var deadline = CommandDeadline();
        ComIrq irq;
        for (var reads = 0; ; reads++)
        {
            // A card answers within a millisecond; an empty field takes the chip's 25 ms timer. Past the first
            // reads, sleep between them so an empty poll does not keep a core busy.
            if (reads > 8)
            {
                Thread.Sleep(1);
            }

            irq = (ComIrq)ReadRegister(Register.ComIrq);
            if ((irq & done) != 0)
            {
                break;
            }

            if ((irq & ComIrq.Timer) != 0)
            {
                return new(ExchangeStatus.NoAnswer, 0);
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                WriteRegister(Register.Command, (byte)Mfrc522Command.Idle);
                return new(ExchangeStatus.ReaderTimeout, 0);
            }
        }

        var error = (ErrorFlags)ReadRegister(Register.Error);
        if ((error & ErrorFlags.BufferOverflow) != 0)
        {
            return new(ExchangeStatus.BufferOverflow, 0);
        }

        var length = Math.Min((int)ReadRegister(Register.FifoLevel), FifoSize);
        var lastBits = ReadRegister(Register.Control) & 0x07;
        if (length > answer.Length)
        {
            return new(ExchangeStatus.BufferOverflow, length, lastBits);
        }

        ReadFifo(answer[..length]);
        if ((error & ErrorFlags.Collision) != 0)
        {
            // CollReg (9.3.1.15): CollPosNotValid 0x20, CollPos bits 4-0 with 0 meaning bit 32.
            var coll = ReadRegister(Register.Coll);
            var position = (coll & 0x20) != 0 ? 0 : (coll & 0x1F) == 0 ? 32 : coll & 0x1F;
            return new(ExchangeStatus.Collision, length, lastBits, position);
        }

        if ((error & ErrorFlags.Parity) != 0)
        {
            return new(ExchangeStatus.ParityError, length, lastBits);
        }

        if ((error & ErrorFlags.Protocol) != 0)
        {
            return new(ExchangeStatus.ProtocolError, length, lastBits);
        }

        if ((irq & ComIrq.Timer) != 0 && length == 0)
        {
            return new(ExchangeStatus.NoAnswer, 0);
        }

        return new(ExchangeStatus.Ok, length, lastBits);
    }

    private void ReadFifo(Span<byte> into)
    {
        if (into.IsEmpty)
        {
            return;
        }

        // One transfer: the address repeated, then 0x00; byte i of the answer is the value for address i-1.
        var address = Address(Register.FifoData, read: true);
        Span<byte> tx = stackalloc byte[into.Length + 1];
        Span<byte> rx = stackalloc byte[into.Length + 1];
        tx[..^1].Fill(address);
        tx[^1] = 0x00;
        _spi.TransferFullDuplex(tx, rx);
        rx[1..].CopyTo(into);
    }
}
