namespace KioskPos.Firmware.Display;

/// <summary>
/// The level-1 commands the ST7789V and the ILI9341 share (same opcodes, same parameters): Sitronix ST7789V datasheet
/// v1.6, section 9.1 "System Function Command Table 1"; Ilitek ILI9341 datasheet v1.11, section 8.2 "Command List
/// (Level 1)". A command byte goes with D/C low, its parameters (and pixel data) with D/C high (ST7789V 8.4.2 /
/// ILI9341 7.1.9: 4-line serial interface).
/// </summary>
public enum PanelCommand : byte
{
    /// <summary>No operation; ends a RAMWR stream (ST7789V 9.1.1, ILI9341 8.2.1).</summary>
    Nop = 0x00,

    /// <summary>SWRESET: registers to their reset values, sleep in, display off; wait 5 ms before the next command and
    /// 120 ms before SLPOUT (ST7789V 9.1.2, ILI9341 8.2.2).</summary>
    SoftwareReset = 0x01,

    /// <summary>SLPIN: sleep in, the panel scan stops (ST7789V 9.1.11, ILI9341 8.2.12).</summary>
    SleepIn = 0x10,

    /// <summary>SLPOUT: sleep out; wait 120 ms before SLPIN, 5 ms before the next command (ST7789V 9.1.12, ILI9341 8.2.13).</summary>
    SleepOut = 0x11,

    /// <summary>NORON: normal display mode, partial mode off (ST7789V 9.1.14, ILI9341 8.2.15).</summary>
    NormalDisplayOn = 0x13,

    /// <summary>INVOFF: display inversion off (ST7789V 9.1.15, ILI9341 8.2.16).</summary>
    InversionOff = 0x20,

    /// <summary>INVON: display inversion on; IPS ST7789 modules need it to show true colours (ST7789V 9.1.16, ILI9341 8.2.17).</summary>
    InversionOn = 0x21,

    /// <summary>DISPOFF: the panel shows blank, frame memory kept (ST7789V 9.1.18, ILI9341 8.2.19).</summary>
    DisplayOff = 0x28,

    /// <summary>DISPON: the panel shows the frame memory (ST7789V 9.1.19, ILI9341 8.2.20).</summary>
    DisplayOn = 0x29,

    /// <summary>CASET: start and end column, two bytes each, big-endian (ST7789V 9.1.20, ILI9341 8.2.21).</summary>
    ColumnAddressSet = 0x2A,

    /// <summary>RASET (ILI9341: PASET): start and end row, two bytes each, big-endian (ST7789V 9.1.21, ILI9341 8.2.22).</summary>
    RowAddressSet = 0x2B,

    /// <summary>RAMWR: pixel data into the window from its start, column by column then row by row (ST7789V 9.1.22, ILI9341 8.2.23).</summary>
    MemoryWrite = 0x2C,

    /// <summary>MADCTL: scan direction and colour order, see <see cref="MemoryAccess"/> (ST7789V 9.1.28, ILI9341 8.2.29).</summary>
    MemoryAccessControl = 0x36,

    /// <summary>COLMOD (ILI9341: PIXSET): the interface pixel format, see <see cref="PixelFormat"/> (ST7789V 9.1.32, ILI9341 8.2.33).</summary>
    PixelFormatSet = 0x3A,

    /// <summary>RAMWRC: continue a memory write where the last one stopped (ST7789V 9.1.33, ILI9341 8.2.34).</summary>
    MemoryWriteContinue = 0x3C,
}

/// <summary>MADCTL bits (ST7789V 9.1.28, ILI9341 8.2.29).</summary>
[Flags]
public enum MemoryAccess : byte
{
    /// <summary>Nothing set: columns left to right, rows top to bottom, RGB.</summary>
    None = 0x00,

    /// <summary>MH: horizontal refresh order (the panel's scan, not the addressing).</summary>
    HorizontalRefreshRightToLeft = 0x04,

    /// <summary>BGR: the frame memory's red and blue go to the panel's blue and red sub-pixels.</summary>
    Bgr = 0x08,

    /// <summary>ML: vertical refresh order (the panel's scan, not the addressing).</summary>
    VerticalRefreshBottomToTop = 0x10,

    /// <summary>MV: row/column exchange (landscape).</summary>
    RowColumnExchange = 0x20,

    /// <summary>MX: column address order mirrored.</summary>
    ColumnAddressOrder = 0x40,

    /// <summary>MY: row address order mirrored.</summary>
    RowAddressOrder = 0x80,
}

/// <summary>COLMOD values of the MCU interface (low nibble; ST7789V 9.1.32, ILI9341 8.2.33).</summary>
public enum PixelFormat : byte
{
    /// <summary>16 bits a pixel, RGB565, two bytes, high byte first (0x55 on both; the ST7789V also takes 0x05).</summary>
    Rgb565 = 0x55,

    /// <summary>18 bits a pixel, three bytes each holding six bits in its high bits (0x66, the reset value).</summary>
    Rgb666 = 0x66,
}
