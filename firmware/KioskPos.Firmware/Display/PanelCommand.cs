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

    /// <summary>GAMSET: which of the chip's gamma curves is used, one parameter (0x01: curve 1, gamma 2.2; ST7789V 9.1.17,
    /// ILI9341 8.2.18).</summary>
    GammaSet = 0x26,

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

/// <summary>
/// The ILI9341's level-2 and extended registers a start-up sets: power, VCOM, frame rate, display function and gamma
/// (Ilitek ILI9341 datasheet v1.11, 8.3 "Description of Level 2 Command" and 8.4 "Description of Extend register
/// command"). The same opcodes mean other registers on the ST7789V (0xB7, 0xC0, 0xC5, 0xD0: <see cref="St7789Command"/>),
/// so each chip has its own enum. The parameter count is the datasheet's; the emulator refuses any other.
/// </summary>
public enum Ili9341Command : byte
{
    /// <summary>FRMCTR1: frame rate in normal mode, 2 parameters (DIVA, RTNA).</summary>
    FrameRateControl = 0xB1,

    /// <summary>DISCTRL: display function control, 4 parameters (scan mode, gate/source direction and ISC, NL: lines
    /// driven, PCDIV).</summary>
    DisplayFunctionControl = 0xB6,

    /// <summary>ETMOD: entry mode set, 1 parameter (low-voltage detection, gate output).</summary>
    EntryModeSet = 0xB7,

    /// <summary>PWCTRL1: power control 1, 1 parameter (VRH: the GVDD level the gamma voltages hang from).</summary>
    PowerControl1 = 0xC0,

    /// <summary>PWCTRL2: power control 2, 1 parameter (BT: the step-up factor of the gate voltages).</summary>
    PowerControl2 = 0xC1,

    /// <summary>VMCTRL1: VCOM control 1, 2 parameters (VCOMH, VCOML).</summary>
    VcomControl1 = 0xC5,

    /// <summary>VMCTRL2: VCOM control 2, 1 parameter (nVM and the VCOM offset).</summary>
    VcomControl2 = 0xC7,

    /// <summary>Power control A, 5 parameters (the core voltage and the DDVDH level).</summary>
    PowerControlA = 0xCB,

    /// <summary>Power control B, 3 parameters (power control, discharge path).</summary>
    PowerControlB = 0xCF,

    /// <summary>PGAMCTRL: positive gamma correction, 15 parameters.</summary>
    PositiveGamma = 0xE0,

    /// <summary>NGAMCTRL: negative gamma correction, 15 parameters.</summary>
    NegativeGamma = 0xE1,

    /// <summary>Driver timing control A, 3 parameters (gate driver non-overlap, EQ and pre-charge timing).</summary>
    DriverTimingA = 0xE8,

    /// <summary>Driver timing control B, 2 parameters (gate driver timing).</summary>
    DriverTimingB = 0xEA,

    /// <summary>Power on sequence control, 4 parameters (soft start, the order the supplies come up, DDVDH enhance).</summary>
    PowerOnSequence = 0xED,

    /// <summary>Enable 3G: the three-gamma control, 1 parameter (0x00: off).</summary>
    Enable3Gamma = 0xF2,

    /// <summary>Pump ratio control, 1 parameter (the DDVDH charge pump ratio).</summary>
    PumpRatio = 0xF7,
}

/// <summary>
/// The ST7789V's level-2 registers a start-up sets: porch, gate, VCOM, power and gamma (Sitronix ST7789V datasheet
/// v1.6, 9.2 "System Function Command Table 2"). The parameter count is the datasheet's; the emulator refuses any other.
/// </summary>
public enum St7789Command : byte
{
    /// <summary>PORCTRL: porch setting, 5 parameters (back porch, front porch, separate porch enable, idle and partial
    /// porches).</summary>
    PorchSetting = 0xB2,

    /// <summary>GCTRL: gate control, 1 parameter (VGH in bits 6-4, VGL in bits 2-0; 0x35, the reset value, is 13.26 V and
    /// -10.43 V).</summary>
    GateControl = 0xB7,

    /// <summary>VCOMS: VCOM setting, 1 parameter (0.1 V + 0.025 V a step: 0x20, the reset value, is 0.9 V).</summary>
    VcomSetting = 0xBB,

    /// <summary>LCMCTRL: LCM control, 1 parameter (XOR of MADCTL's and INVON's bits).</summary>
    LcmControl = 0xC0,

    /// <summary>VDVVRHEN: 2 parameters (0x01 0xFF: VDV and VRH come from VDVS and VRHS, not from the NVM).</summary>
    VdvVrhEnable = 0xC2,

    /// <summary>VRHS: VRH set, 1 parameter (the VAP/VAN gamma reference: 0x0B, the reset value, is ±4.1 V, 0.05 V a step).</summary>
    VrhSet = 0xC3,

    /// <summary>VDVS: VDV set, 1 parameter (0x20: 0 V).</summary>
    VdvSet = 0xC4,

    /// <summary>VCMOFSET: VCOM offset set, 1 parameter (0x20: 0 V).</summary>
    VcomOffset = 0xC5,

    /// <summary>FRCTRL2: frame rate in normal mode, 1 parameter (0x0F, the reset value: 60 Hz).</summary>
    FrameRateControl2 = 0xC6,

    /// <summary>PWCTRL1: power control 1, 2 parameters (0xA4, then AVDD, AVCL and VDS).</summary>
    PowerControl1 = 0xD0,

    /// <summary>PVGAMCTRL: positive voltage gamma control, 14 parameters.</summary>
    PositiveGamma = 0xE0,

    /// <summary>NVGAMCTRL: negative voltage gamma control, 14 parameters.</summary>
    NegativeGamma = 0xE1,
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
