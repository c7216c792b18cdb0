using System.Device.Gpio;
using System.Device.Spi;
using KioskPos.Firmware.Display;
using KioskPos.Firmware.Imaging;
using KioskPos.Hardware.Simulators.Gpio;

namespace KioskPos.Hardware.Simulators.Display;

/// <summary>One memory write: the window (CASET/RASET, as sent) and how many pixels went into it.</summary>
/// <param name="Columns">First and last column sent.</param>
/// <param name="Rows">First and last row sent.</param>
/// <param name="Pixels">Pixels written before the next command.</param>
public sealed record PanelWrite((int First, int Last) Columns, (int First, int Last) Rows, int Pixels);

/// <summary>
/// An ST7789V or ILI9341 behind an <see cref="SpiDevice"/>, wired to a <see cref="SimulatedGpioDriver"/> for its D/C,
/// reset and backlight pins, as a module is wired to the header. It decodes the byte stream as the chip does: with D/C
/// low each byte is a command, with D/C high the bytes are the last command's parameters or pixels; SWRESET and a low
/// RESX restore the reset state (sleep in, display off, MADCTL 0, COLMOD 0x66: ST7789V 9.1.2, ILI9341 8.2.2); CASET
/// and RASET set the window, RAMWR fills it from its start, column by column then row by row, and wraps; MADCTL's
/// MY/MX/MV turn the addresses into the 240×320 frame memory; COLMOD 0x55 (or 0x05) takes two bytes a pixel, 0x66 three.
/// <see cref="Glass"/> is what a person would see: black while asleep, off, or unlit; colours swapped when MADCTL's BGR
/// does not match the glass; the complement when inversion does not match the glass. It counts every byte (the bench
/// turns them into bus time at the profile's clock). Thread-safe: the dev page reads the glass while the terminal writes.
/// </summary>
public sealed class TftPanelEmulator : SpiDevice
{
    private const int Columns = PanelModel.RamColumns;
    private const int Rows = PanelModel.RamRows;
    private const int WriteLogLength = 4096;

    private readonly Lock _gate = new();
    private readonly SimulatedGpioDriver _gpio;
    private readonly int _dataCommandPin;
    private readonly int _resetPin;
    private readonly int _backlightPin;
    private readonly SpiConnectionSettings _settings;
    private readonly uint[] _memory = new uint[Columns * Rows];
    private readonly List<byte> _parameters = [];
    private readonly List<PanelWrite> _writes = [];
    private readonly List<string> _notUnderstood = [];
    private int _resetEdgesSeen;
    private byte? _command;
    private int _columnStart, _columnEnd = Columns - 1, _rowStart, _rowEnd = Rows - 1;
    private int _column, _row;
    private int _pixelsInWrite;
    private (int, int) _writeColumns, _writeRows;

    /// <param name="model">The module emulated.</param>
    /// <param name="gpio">The simulated chip the module's pins are wired to.</param>
    /// <param name="dataCommandPin">D/C.</param>
    /// <param name="resetPin">RESX, or -1 when tied high.</param>
    /// <param name="backlightPin">The backlight's enable, or -1 when always lit.</param>
    /// <param name="settings">The bus (SPI0 CE1 at 32 MHz by default).</param>
    public TftPanelEmulator(PanelModel model, SimulatedGpioDriver gpio, int dataCommandPin, int resetPin = -1, int backlightPin = -1, SpiConnectionSettings? settings = null)
    {
        Model = model;
        _gpio = gpio;
        _dataCommandPin = dataCommandPin;
        _resetPin = resetPin;
        _backlightPin = backlightPin;
        _settings = settings ?? new SpiConnectionSettings(0, 1) { ClockFrequency = 32_000_000, Mode = SpiMode.Mode0 };
        Reset();
    }

    /// <summary>The module.</summary>
    public PanelModel Model { get; }

    /// <inheritdoc />
    public override SpiConnectionSettings ConnectionSettings => _settings;

    /// <summary>In sleep (after reset, SLPIN) until SLPOUT.</summary>
    public bool Sleeping { get; private set; }

    /// <summary>DISPON given since the last reset or DISPOFF.</summary>
    public bool DisplayOn { get; private set; }

    /// <summary>INVON in force.</summary>
    public bool Inverted { get; private set; }

    /// <summary>MADCTL.</summary>
    public MemoryAccess Access { get; private set; }

    /// <summary>COLMOD.</summary>
    public byte PixelFormatValue { get; private set; }

    /// <summary>True when the backlight pin is high (or the module has none).</summary>
    public bool BacklightOn => _backlightPin < 0 || (_gpio.IsOpen(_backlightPin) && _gpio.LevelOf(_backlightPin) == PinValue.High);

    /// <summary>Every byte on the bus since made (or <see cref="ResetCounters"/>).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Pixel bytes since made (or <see cref="ResetCounters"/>).</summary>
    public long PixelBytes { get; private set; }

    /// <summary>Command bytes (D/C low) since made (or <see cref="ResetCounters"/>).</summary>
    public long CommandBytes { get; private set; }

    /// <summary>Resets (SWRESET or RESX) seen.</summary>
    public int Resets { get; private set; }

    /// <summary>Changes of what the glass shows (each memory write, display or sleep change): the dev page's cache key.</summary>
    public long Version { get; private set; }

    /// <summary>The memory writes since made (or <see cref="ResetCounters"/>), the last 4096.</summary>
    public IReadOnlyList<PanelWrite> Writes
    {
        get
        {
            lock (_gate)
            {
                List<PanelWrite> writes = [.. _writes];
                if (_command is (byte)PanelCommand.MemoryWrite or (byte)PanelCommand.MemoryWriteContinue)
                {
                    writes.Add(new PanelWrite(_writeColumns, _writeRows, _pixelsInWrite));
                }

                return writes;
            }
        }
    }

    /// <summary>Commands the emulator does not know (level-1 opcodes outside what it decodes), with the byte count at which they came.</summary>
    public IReadOnlyList<string> NotUnderstood
    {
        get
        {
            lock (_gate)
            {
                return [.. _notUnderstood];
            }
        }
    }

    /// <summary>Zeroes the byte counters and forgets the writes (a bench or a test measures from here).</summary>
    public void ResetCounters()
    {
        lock (_gate)
        {
            CloseWrite();
            BytesWritten = PixelBytes = CommandBytes = 0;
            _writes.Clear();
        }
    }

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            CheckResetLine();
            if (_resetPin >= 0 && _gpio.IsOpen(_resetPin) && _gpio.LevelOf(_resetPin) == PinValue.Low)
            {
                return; // held in reset: the interface ignores the bus
            }

            if (!_gpio.IsOpen(_dataCommandPin))
            {
                throw new InvalidOperationException($"GPIO {_dataCommandPin} (D/C) is not driven: the panel cannot tell commands from data.");
            }

            var data = _gpio.LevelOf(_dataCommandPin) == PinValue.High;
            foreach (var b in buffer)
            {
                BytesWritten++;
                if (data)
                {
                    Parameter(b);
                }
                else
                {
                    CommandBytes++;
                    Begin(b);
                }
            }
        }
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        readBuffer.Clear(); // SDA is input-only on these 4-line modules: reads see nothing
    }

    /// <inheritdoc />
    public override void Read(Span<byte> buffer) => buffer.Clear();

    /// <inheritdoc />
    public override byte ReadByte() => 0;

    /// <summary>What the glass shows, <see cref="PanelModel.Width"/> × <see cref="PanelModel.Height"/>, upright as the module stands.</summary>
    public RgbPicture Glass()
    {
        lock (_gate)
        {
            var bitmap = new RgbPicture(Model.Width, Model.Height);
            var lit = !Sleeping && DisplayOn && BacklightOn;
            var swap = ((Access & MemoryAccess.Bgr) != 0) != Model.BgrGlass;
            var complement = Inverted != Model.InvertedGlass;
            for (var gy = 0; gy < Model.Height; gy++)
            {
                for (var gx = 0; gx < Model.Width; gx++)
                {
                    if (!lit)
                    {
                        bitmap[gx, gy] = Rgb.Black;
                        continue;
                    }

                    var x = Model.MirroredColumns ? Columns - 1 - gx : gx;
                    var rgb = _memory[(gy * Columns) + x];
                    byte r = (byte)(rgb >> 16), g = (byte)(rgb >> 8), b = (byte)rgb;
                    if (swap)
                    {
                        (r, b) = (b, r);
                    }

                    if (complement)
                    {
                        (r, g, b) = ((byte)~r, (byte)~g, (byte)~b);
                    }

                    bitmap[gx, gy] = new Rgb(r, g, b);
                }
            }

            return bitmap;
        }
    }

    /// <summary>The glass as a PNG.</summary>
    public byte[] GlassPng() => Png.Encode(Glass());

    private void CheckResetLine()
    {
        if (_resetPin < 0 || !_gpio.IsOpen(_resetPin))
        {
            return;
        }

        var edges = _gpio.EdgesOf(_resetPin);
        var lows = edges.Count(e => e.Value == PinValue.Low);
        if (lows > _resetEdgesSeen)
        {
            _resetEdgesSeen = lows;
            Reset();
        }
    }

    private void Reset()
    {
        CloseWrite();
        Sleeping = true;
        DisplayOn = false;
        Inverted = false;
        Access = MemoryAccess.None;
        PixelFormatValue = (byte)PixelFormat.Rgb666;
        _columnStart = 0;
        _columnEnd = Columns - 1;
        _rowStart = 0;
        _rowEnd = Rows - 1;
        _command = null;
        _parameters.Clear();
        Resets++;
        Version++;
    }

    private void Begin(byte opcode)
    {
        CloseWrite();
        _parameters.Clear();
        _command = opcode;
        switch ((PanelCommand)opcode)
        {
            case PanelCommand.Nop:
                _command = null;
                break;
            case PanelCommand.SoftwareReset:
                Reset();
                break;
            case PanelCommand.SleepIn:
                Sleeping = true;
                Version++;
                break;
            case PanelCommand.SleepOut:
                Sleeping = false;
                Version++;
                break;
            case PanelCommand.NormalDisplayOn:
                break;
            case PanelCommand.InversionOff:
                Inverted = false;
                Version++;
                break;
            case PanelCommand.InversionOn:
                Inverted = true;
                Version++;
                break;
            case PanelCommand.DisplayOff:
                DisplayOn = false;
                Version++;
                break;
            case PanelCommand.DisplayOn:
                DisplayOn = true;
                Version++;
                break;
            case PanelCommand.MemoryWrite:
                _column = _columnStart;
                _row = _rowStart;
                OpenWrite();
                break;
            case PanelCommand.MemoryWriteContinue:
                OpenWrite();
                break;
            case PanelCommand.ColumnAddressSet or PanelCommand.RowAddressSet or PanelCommand.MemoryAccessControl or PanelCommand.PixelFormatSet:
                break;
            case (PanelCommand)0x26: // GAMSET: a gamma curve, no effect on the picture's pixels
                break;
            default:
                // 0xB0 and up: the chips' power, timing and gamma tuning (ST7789V 9.2, ILI9341 8.3), no effect on the
                // frame memory; anything else the emulator does not decode is listed.
                if (opcode < 0xB0)
                {
                    _notUnderstood.Add($"0x{opcode:X2} at byte {BytesWritten - 1}");
                }

                break;
        }
    }

    private void Parameter(byte value)
    {
        switch ((PanelCommand?)_command)
        {
            case PanelCommand.ColumnAddressSet:
            case PanelCommand.RowAddressSet:
                _parameters.Add(value);
                if (_parameters.Count == 4)
                {
                    var start = (_parameters[0] << 8) | _parameters[1];
                    var end = (_parameters[2] << 8) | _parameters[3];
                    if (_command == (byte)PanelCommand.ColumnAddressSet)
                    {
                        (_columnStart, _columnEnd) = (start, end);
                    }
                    else
                    {
                        (_rowStart, _rowEnd) = (start, end);
                    }
                }

                break;
            case PanelCommand.MemoryAccessControl when _parameters.Count == 0:
                _parameters.Add(value);
                Access = (MemoryAccess)value;
                Version++;
                break;
            case PanelCommand.PixelFormatSet when _parameters.Count == 0:
                _parameters.Add(value);
                PixelFormatValue = value;
                break;
            case PanelCommand.MemoryWrite:
            case PanelCommand.MemoryWriteContinue:
                PixelBytes++;
                _parameters.Add(value);
                var size = (PixelFormatValue & 0x07) == 0x05 ? 2 : 3;
                if (_parameters.Count == size)
                {
                    uint rgb;
                    if (size == 2)
                    {
                        var (r, g, b) = Rgb565.ToRgb((ushort)((_parameters[0] << 8) | _parameters[1]));
                        rgb = ((uint)r << 16) | ((uint)g << 8) | b;
                    }
                    else
                    {
                        rgb = ((uint)(_parameters[0] & 0xFC) << 16) | ((uint)(_parameters[1] & 0xFC) << 8) | (uint)(_parameters[2] & 0xFC);
                    }

                    _parameters.Clear();
                    Store(rgb);
                }

                break;
        }
    }

    private void Store(uint rgb)
    {
        var exchange = (Access & MemoryAccess.RowColumnExchange) != 0;
        var maxColumn = exchange ? Rows - 1 : Columns - 1;
        var maxRow = exchange ? Columns - 1 : Rows - 1;
        var c = (Access & MemoryAccess.ColumnAddressOrder) != 0 ? maxColumn - _column : _column;
        var p = (Access & MemoryAccess.RowAddressOrder) != 0 ? maxRow - _row : _row;
        var (x, y) = exchange ? (p, c) : (c, p);
        if (x is >= 0 and < Columns && y is >= 0 and < Rows)
        {
            _memory[(y * Columns) + x] = rgb;
        }

        _pixelsInWrite++;
        Version++;
        if (++_column > _columnEnd)
        {
            _column = _columnStart;
            if (++_row > _rowEnd)
            {
                _row = _rowStart;
            }
        }
    }

    private void OpenWrite()
    {
        _pixelsInWrite = 0;
        _writeColumns = (_columnStart, _columnEnd);
        _writeRows = (_rowStart, _rowEnd);
    }

    private void CloseWrite()
    {
        if (_command is (byte)PanelCommand.MemoryWrite or (byte)PanelCommand.MemoryWriteContinue)
        {
            if (_writes.Count == WriteLogLength)
            {
                _writes.RemoveAt(0);
            }

            _writes.Add(new PanelWrite(_writeColumns, _writeRows, _pixelsInWrite));
            Version++;
            _command = null;
        }
    }
}
