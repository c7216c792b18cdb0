using System.Buffers.Binary;
using System.Device.Gpio;
using System.Device.Spi;

namespace KioskPos.Firmware.Display;

/// <summary>A rectangle of the picture, in the rotated picture's pixels.</summary>
/// <param name="X">Left column.</param>
/// <param name="Y">Top row.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
public readonly record struct PanelRect(int X, int Y, int Width, int Height)
{
    /// <summary>Pixels inside.</summary>
    public int Area => Width * Height;

    /// <summary>True when <paramref name="other"/> lies wholly inside this one.</summary>
    public bool Contains(PanelRect other) =>
        other.X >= X && other.Y >= Y && other.X + other.Width <= X + Width && other.Y + other.Height <= Y + Height;
}

/// <summary>
/// An ST7789 or ILI9341 colour TFT panel on SPI (4-line: the D/C pin tells a command byte from data), with its reset
/// and backlight pins. It is handed its <see cref="SpiDevice"/> and <see cref="GpioController"/> and never opens
/// hardware itself; it disposes them only when told to. It keeps the last picture sent and, on
/// <see cref="Present"/>, writes only the rows and columns that changed, each band of changed rows as one window
/// (CASET, RASET, RAMWR), so a ticking countdown costs a few hundred bytes, not a frame.
/// </summary>
public sealed class TftPanel : IDisposable
{
    /// <summary>Linux spidev's default largest transfer (its <c>bufsiz</c> parameter): pixel data goes in chunks of this.</summary>
    public const int MaxTransfer = 4096;

    private readonly SpiDevice _spi;
    private readonly GpioController _gpio;
    private readonly int _dataCommandPin;
    private readonly int _resetPin;
    private readonly int _backlightPin;
    private readonly bool _shouldDispose;
    private readonly Action<TimeSpan> _wait;
    private readonly MemoryAccess _access;
    private readonly int _columnOffset;
    private readonly int _rowOffset;
    private ushort[]? _shown;

    /// <param name="spi">The bus (mode 0; ST7789 up to 62.5 MHz written, ILI9341 10 MHz by its datasheet, 32-40 MHz in practice).</param>
    /// <param name="gpio">The controller of the pins.</param>
    /// <param name="model">The module.</param>
    /// <param name="dataCommandPin">D/C (low: command, high: data).</param>
    /// <param name="resetPin">RESX (low resets), or -1 when tied high.</param>
    /// <param name="backlightPin">The backlight's enable (high: on), or -1 when always lit.</param>
    /// <param name="rotation">How the picture is turned on the glass.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="spi"/> and <paramref name="gpio"/> with this driver.</param>
    /// <param name="wait">How the driver waits the datasheet's delays (<see cref="Thread.Sleep(TimeSpan)"/> by default; tests on the emulator skip them).</param>
    public TftPanel(SpiDevice spi, GpioController gpio, PanelModel model, int dataCommandPin, int resetPin = -1, int backlightPin = -1,
        PanelRotation rotation = PanelRotation.Deg0, bool shouldDispose = false, Action<TimeSpan>? wait = null)
    {
        _spi = spi ?? throw new ArgumentNullException(nameof(spi));
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        Model = model;
        Rotation = rotation;
        _dataCommandPin = dataCommandPin;
        _resetPin = resetPin;
        _backlightPin = backlightPin;
        _shouldDispose = shouldDispose;
        _wait = wait ?? Thread.Sleep;
        (_access, _columnOffset, _rowOffset) = model.Addressing(rotation);
        var landscape = rotation is PanelRotation.Deg90 or PanelRotation.Deg270;
        Width = landscape ? model.Height : model.Width;
        Height = landscape ? model.Width : model.Height;
        _gpio.OpenPin(_dataCommandPin, PinMode.Output);
        if (_resetPin >= 0)
        {
            _gpio.OpenPin(_resetPin, PinMode.Output, PinValue.High);
        }

        if (_backlightPin >= 0)
        {
            _gpio.OpenPin(_backlightPin, PinMode.Output, PinValue.Low);
        }
    }

    /// <summary>The module.</summary>
    public PanelModel Model { get; }

    /// <summary>How the picture is turned.</summary>
    public PanelRotation Rotation { get; }

    /// <summary>Columns of the picture (after rotation).</summary>
    public int Width { get; }

    /// <summary>Rows of the picture (after rotation).</summary>
    public int Height { get; }

    /// <summary>Bytes written to the bus since the driver was made (commands, parameters, pixels).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>True once <see cref="Initialise"/> ran.</summary>
    public bool Initialised { get; private set; }

    /// <summary>The backlight's state as last set.</summary>
    public bool BacklightOn { get; private set; }

    /// <summary>
    /// Hardware reset (RESX low 10 µs or more, then 120 ms: ST7789V 7.4.5 / ILI9341 15.4), software reset (150 ms, more
    /// than the 120 ms both datasheets ask before SLPOUT), the controller's power, VCOM, frame-rate and gamma registers
    /// (<see cref="PanelModel.StartUp"/>, so the booster starts at sleep out with them), sleep out (120 ms), 16-bit
    /// pixels, the rotation's MADCTL, inversion as the glass needs, normal mode, the whole picture black, display on,
    /// backlight on.
    /// </summary>
    public void Initialise()
    {
        if (_resetPin >= 0)
        {
            _gpio.Write(_resetPin, PinValue.Low);
            _wait(TimeSpan.FromMilliseconds(1));
            _gpio.Write(_resetPin, PinValue.High);
            _wait(TimeSpan.FromMilliseconds(120));
        }

        Command(PanelCommand.SoftwareReset);
        _wait(TimeSpan.FromMilliseconds(150));
        foreach (var setting in Model.StartUp)
        {
            Command(setting.Command, setting.Parameters.AsSpan());
        }

        Command(PanelCommand.SleepOut);
        _wait(TimeSpan.FromMilliseconds(120));
        Command(PanelCommand.PixelFormatSet, (byte)PixelFormat.Rgb565);
        Command(PanelCommand.MemoryAccessControl, (byte)_access);
        Command(Model.InvertedGlass ? PanelCommand.InversionOn : PanelCommand.InversionOff);
        Command(PanelCommand.NormalDisplayOn);
        _shown = null;
        Present(new ushort[Width * Height]);
        Command(PanelCommand.DisplayOn);
        _wait(TimeSpan.FromMilliseconds(10));
        SetBacklight(true);
        Initialised = true;
    }

    /// <summary>Switches the backlight (nothing when the module has no backlight pin).</summary>
    public void SetBacklight(bool on)
    {
        if (_backlightPin >= 0)
        {
            _gpio.Write(_backlightPin, on ? PinValue.High : PinValue.Low);
        }

        BacklightOn = on;
    }

    /// <summary>Display off and sleep in (the memory is kept; <see cref="Wake"/> shows it again).</summary>
    public void Sleep()
    {
        SetBacklight(false);
        Command(PanelCommand.DisplayOff);
        Command(PanelCommand.SleepIn);
        _wait(TimeSpan.FromMilliseconds(5));
    }

    /// <summary>Sleep out and display on.</summary>
    public void Wake()
    {
        Command(PanelCommand.SleepOut);
        _wait(TimeSpan.FromMilliseconds(120));
        Command(PanelCommand.DisplayOn);
        SetBacklight(true);
    }

    /// <summary>
    /// Shows <paramref name="picture"/> (<see cref="Width"/> × <see cref="Height"/> RGB565, row by row), writing only
    /// what differs from the picture shown: each run of changed rows becomes one window from its leftmost to its
    /// rightmost changed column. Returns the windows written (none when nothing changed).
    /// </summary>
    public IReadOnlyList<PanelRect> Present(ReadOnlySpan<ushort> picture)
    {
        if (picture.Length != Width * Height)
        {
            throw new ArgumentException($"a picture of {Width}×{Height} pixels is {Width * Height} pixels, not {picture.Length}", nameof(picture));
        }

        var written = new List<PanelRect>();
        if (_shown is null)
        {
            WriteWindow(new PanelRect(0, 0, Width, Height), picture);
            written.Add(new PanelRect(0, 0, Width, Height));
            _shown = picture.ToArray();
            return written;
        }

        var band = -1;
        int left = int.MaxValue, right = -1;
        for (var y = 0; y <= Height; y++)
        {
            var changed = false;
            if (y < Height)
            {
                var row = picture.Slice(y * Width, Width);
                var old = _shown.AsSpan(y * Width, Width);
                var first = row.CommonPrefixLength(old);
                if (first < Width)
                {
                    changed = true;
                    var last = Width - 1;
                    while (row[last] == old[last])
                    {
                        last--;
                    }

                    left = Math.Min(left, first);
                    right = Math.Max(right, last);
                    band = band < 0 ? y : band;
                }
            }

            if (!changed && band >= 0)
            {
                var rect = new PanelRect(left, band, right - left + 1, y - band);
                WriteRect(rect, picture);
                written.Add(rect);
                band = -1;
                left = int.MaxValue;
                right = -1;
            }
        }

        picture.CopyTo(_shown);
        return written;
    }

    /// <summary>Forgets the picture shown, so the next <see cref="Present"/> writes all of it.</summary>
    public void Invalidate() => _shown = null;

    /// <summary>Writes <paramref name="pixels"/> (row by row, <paramref name="window"/>'s size) into the window.</summary>
    public void WriteWindow(PanelRect window, ReadOnlySpan<ushort> pixels)
    {
        if (window.X < 0 || window.Y < 0 || window.Width < 1 || window.Height < 1 || window.X + window.Width > Width || window.Y + window.Height > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"outside the {Width}×{Height} picture");
        }

        if (pixels.Length != window.Area)
        {
            throw new ArgumentException($"{window.Area} pixels expected, not {pixels.Length}", nameof(pixels));
        }

        SetWindow(window);
        Command(PanelCommand.MemoryWrite);
        Span<byte> chunk = stackalloc byte[MaxTransfer];
        var filled = 0;
        foreach (var pixel in pixels)
        {
            BinaryPrimitives.WriteUInt16BigEndian(chunk[filled..], pixel);
            filled += 2;
            if (filled == MaxTransfer)
            {
                Data(chunk);
                filled = 0;
            }
        }

        if (filled > 0)
        {
            Data(chunk[..filled]);
        }
    }

    /// <summary>The bus time of <paramref name="bytes"/> at <paramref name="clockHz"/> (eight clocks a byte, no gaps).</summary>
    public static TimeSpan BusTime(long bytes, int clockHz) => TimeSpan.FromTicks(bytes * 8 * TimeSpan.TicksPerSecond / clockHz);

    private void WriteRect(PanelRect rect, ReadOnlySpan<ushort> picture)
    {
        var pixels = new ushort[rect.Area];
        for (var row = 0; row < rect.Height; row++)
        {
            picture.Slice(((rect.Y + row) * Width) + rect.X, rect.Width).CopyTo(pixels.AsSpan(row * rect.Width));
        }

        WriteWindow(rect, pixels);
    }

    private void SetWindow(PanelRect window)
    {
        Span<byte> address = stackalloc byte[4];
        var x0 = window.X + _columnOffset;
        var y0 = window.Y + _rowOffset;
        BinaryPrimitives.WriteUInt16BigEndian(address, (ushort)x0);
        BinaryPrimitives.WriteUInt16BigEndian(address[2..], (ushort)(x0 + window.Width - 1));
        Command(PanelCommand.ColumnAddressSet, address);
        BinaryPrimitives.WriteUInt16BigEndian(address, (ushort)y0);
        BinaryPrimitives.WriteUInt16BigEndian(address[2..], (ushort)(y0 + window.Height - 1));
        Command(PanelCommand.RowAddressSet, address);
    }

    private void Command(PanelCommand command, params ReadOnlySpan<byte> parameters) => Command((byte)command, parameters);

    private void Command(byte command, ReadOnlySpan<byte> parameters)
    {
        _gpio.Write(_dataCommandPin, PinValue.Low);
        Span<byte> opcode = [command];
        _spi.Write(opcode);
        BytesWritten++;
        if (!parameters.IsEmpty)
        {
            Data(parameters);
        }
    }

    private void Data(ReadOnlySpan<byte> data)
    {
        _gpio.Write(_dataCommandPin, PinValue.High);
        _spi.Write(data);
        BytesWritten += data.Length;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_shouldDispose)
        {
            _spi.Dispose();
            _gpio.Dispose();
        }
    }
}
