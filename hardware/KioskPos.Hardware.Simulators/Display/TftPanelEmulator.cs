using System.Collections.Frozen;
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
/// It knows the emulated controller's power, VCOM, frame-rate, display-function and gamma registers and GAMSET, each
/// with its datasheet's parameter count (ILI9341 8.3/8.4, ST7789V 9.2; the same opcode is another register on the
/// other chip), and keeps what was written to them since the last reset (<see cref="Register"/>; they set the voltages
/// on the glass, not the picture <see cref="Glass"/> draws). A register written with fewer parameters than its count
/// (the next command or a reset came first) or more is refused: it keeps its value and the write is listed in
/// <see cref="NotUnderstood"/>. (A real chip stores the parameters that came and keeps the old value of the rest, the
/// Sitronix and Ilitek datasheets' "data transfer break and recovery", so a short gamma table half-applies unseen.)
/// Any other command it does not decode, level 1 or level 2, is listed there too.
/// <see cref="Glass"/> is what a person would see: black while asleep, off, or unlit; colours swapped when MADCTL's BGR
/// does not match the glass; the complement when inversion does not match the glass. It counts every byte (the bench
/// turns them into bus time at the profile's clock). Thread-safe: the dev page reads the glass while the terminal writes.
/// </summary>
public sealed class TftPanelEmulator : SpiDevice
{
    private const int Columns = PanelModel.RamColumns;
    private const int Rows = PanelModel.RamRows;
    private const int WriteLogLength = 4096;

    /// <summary>The ILI9341's registers the emulator decodes: datasheet v1.11, 8.2.18 (GAMSET), 8.3 and 8.4.</summary>
    private static readonly FrozenDictionary<byte, RegisterSpec> s_ili9341 = new Dictionary<byte, RegisterSpec>
    {
        [(byte)PanelCommand.GammaSet] = new("GAMSET", 1),
        [(byte)Ili9341Command.FrameRateControl] = new("FRMCTR1", 2),
        [(byte)Ili9341Command.DisplayFunctionControl] = new("DISCTRL", 4),
        [(byte)Ili9341Command.EntryModeSet] = new("ETMOD", 1),
        [(byte)Ili9341Command.PowerControl1] = new("PWCTRL1", 1),
        [(byte)Ili9341Command.PowerControl2] = new("PWCTRL2", 1),
        [(byte)Ili9341Command.VcomControl1] = new("VMCTRL1", 2),
        [(byte)Ili9341Command.VcomControl2] = new("VMCTRL2", 1),
        [(byte)Ili9341Command.PowerControlA] = new("PWCTRLA", 5),
        [(byte)Ili9341Command.PowerControlB] = new("PWCTRLB", 3),
        [(byte)Ili9341Command.PositiveGamma] = new("PGAMCTRL", 15),
        [(byte)Ili9341Command.NegativeGamma] = new("NGAMCTRL", 15),
        [(byte)Ili9341Command.DriverTimingA] = new("DTCTRLA", 3),
        [(byte)Ili9341Command.DriverTimingB] = new("DTCTRLB", 2),
        [(byte)Ili9341Command.PowerOnSequence] = new("PWRSEQ", 4),
        [(byte)Ili9341Command.Enable3Gamma] = new("EN3GAM", 1),
        [(byte)Ili9341Command.PumpRatio] = new("PUMPCTRL", 1),
    }.ToFrozenDictionary();

    /// <summary>The ST7789V's registers the emulator decodes: datasheet v1.6, 9.1.17 (GAMSET) and 9.2.</summary>
    private static readonly FrozenDictionary<byte, RegisterSpec> s_st7789 = new Dictionary<byte, RegisterSpec>
    {
        [(byte)PanelCommand.GammaSet] = new("GAMSET", 1),
        [(byte)St7789Command.PorchSetting] = new("PORCTRL", 5),
        [(byte)St7789Command.GateControl] = new("GCTRL", 1),
        [(byte)St7789Command.VcomSetting] = new("VCOMS", 1),
        [(byte)St7789Command.LcmControl] = new("LCMCTRL", 1),
        [(byte)St7789Command.VdvVrhEnable] = new("VDVVRHEN", 2),
        [(byte)St7789Command.VrhSet] = new("VRHS", 1),
        [(byte)St7789Command.VdvSet] = new("VDVS", 1),
        [(byte)St7789Command.VcomOffset] = new("VCMOFSET", 1),
        [(byte)St7789Command.FrameRateControl2] = new("FRCTRL2", 1),
        [(byte)St7789Command.PowerControl1] = new("PWCTRL1", 2),
        [(byte)St7789Command.PositiveGamma] = new("PVGAMCTRL", 14),
        [(byte)St7789Command.NegativeGamma] = new("NVGAMCTRL", 14),
    }.ToFrozenDictionary();

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
    private readonly FrozenDictionary<byte, RegisterSpec> _registerSet;
    private readonly Dictionary<byte, byte[]> _registers = [];
    private long _commandAt;
    private byte[]? _registerBefore;
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
        _registerSet = model.Controller == PanelController.Ili9341 ? s_ili9341 : s_st7789;
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

    /// <summary>
    /// Commands the emulator does not know (opcodes outside what it decodes for its controller), and register writes it
    /// refused for their parameter count, with the byte count at which they came.
    /// </summary>
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

    /// <summary>
    /// The parameters last written whole to the controller's register <paramref name="opcode"/> (an
    /// <see cref="Ili9341Command"/> or <see cref="St7789Command"/>, or <see cref="PanelCommand.GammaSet"/>) since the last
    /// reset; null when it was not written since (it holds the chip's reset value).
    /// </summary>
    public byte[]? Register(byte opcode)
    {
        lock (_gate)
        {
            return _registers.TryGetValue(opcode, out var value) ? [.. value] : null;
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
        CloseRegister();
        _registers.Clear();
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
        CloseRegister();
        _parameters.Clear();
        _command = opcode;
        _commandAt = BytesWritten - 1;
        _registerBefore = _registers.GetValueOrDefault(opcode);
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
            default:
                // A register of this controller: its parameters follow. Anything else is listed, a level-2 opcode too
                // (another chip's register, or a byte the driver got wrong).
                if (!_registerSet.ContainsKey(opcode))
                {
                    _notUnderstood.Add($"0x{opcode:X2} at byte {_commandAt}");
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
            default:
                if (_command is { } opcode && _registerSet.TryGetValue(opcode, out var spec))
                {
                    _parameters.Add(value);
                    if (_parameters.Count == spec.Parameters)
                    {
                        _registers[opcode] = [.. _parameters];
                    }
                    else if (_parameters.Count == spec.Parameters + 1)
                    {
                        if (_registerBefore is null)
                        {
                            _registers.Remove(opcode);
                        }
                        else
                        {
                            _registers[opcode] = _registerBefore;
                        }

                        _notUnderstood.Add($"0x{opcode:X2} ({spec.Name}) at byte {_commandAt} with more than {spec.Parameters} parameters: refused");
                    }
                }

                break;
        }
    }

    /// <summary>Ends the register write under way: one with fewer parameters than its count is refused and listed.</summary>
    private void CloseRegister()
    {
        if (_command is { } opcode && _registerSet.TryGetValue(opcode, out var spec) && _parameters.Count < spec.Parameters)
        {
            _notUnderstood.Add($"0x{opcode:X2} ({spec.Name}) at byte {_commandAt} with {_parameters.Count} parameters, not {spec.Parameters}: refused");
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

    private sealed record RegisterSpec(string Name, int Parameters);
}
