namespace KioskPos.Firmware.Display;

/// <summary>The controller chip of a panel module.</summary>
public enum PanelController
{
    /// <summary>Sitronix ST7789V (IPS modules: 240×240 and 240×320).</summary>
    St7789,

    /// <summary>Ilitek ILI9341 (TN modules: 240×320).</summary>
    Ili9341,
}

/// <summary>How the picture is turned on the glass, clockwise.</summary>
public enum PanelRotation
{
    /// <summary>Upright, as the module's silk screen reads.</summary>
    Deg0 = 0,

    /// <summary>A quarter turn clockwise (landscape).</summary>
    Deg90 = 90,

    /// <summary>Upside down.</summary>
    Deg180 = 180,

    /// <summary>Three quarter turns clockwise (landscape).</summary>
    Deg270 = 270,
}

/// <summary>
/// A panel module as sold: its controller and the size of its glass (portrait: <see cref="Width"/> ≤
/// <see cref="Height"/>). Both controllers have frame memory of 240 columns × 320 rows (ST7789V 8.12, ILI9341 7.6.1);
/// a 240×240 glass shows rows 0-239. How modules are built (facts of the modules, not of the chips, and what the
/// common drivers set for their rotation 0): ILI9341 modules have a BGR panel with its columns reversed, so upright is
/// MADCTL MX|BGR (0x48); ST7789 modules are RGB, upright at MADCTL 0x00, and their IPS glass needs INVON.
/// </summary>
/// <param name="Controller">The chip.</param>
/// <param name="Width">Glass columns.</param>
/// <param name="Height">Glass rows.</param>
public sealed record PanelModel(PanelController Controller, int Width, int Height)
{
    /// <summary>Frame memory columns of both chips.</summary>
    public const int RamColumns = 240;

    /// <summary>Frame memory rows of both chips.</summary>
    public const int RamRows = 320;

    /// <summary>A 1.3" ST7789 240×240 module.</summary>
    public static PanelModel St7789Square { get; } = new(PanelController.St7789, 240, 240);

    /// <summary>A 2" ST7789 240×320 module.</summary>
    public static PanelModel St7789Tall { get; } = new(PanelController.St7789, 240, 320);

    /// <summary>A 2.2"-2.8" ILI9341 240×320 module.</summary>
    public static PanelModel Ili9341Tall { get; } = new(PanelController.Ili9341, 240, 320);

    /// <summary>The glass's colour order is BGR (ILI9341 modules).</summary>
    public bool BgrGlass => Controller == PanelController.Ili9341;

    /// <summary>The glass's columns run right to left against the frame memory (ILI9341 modules).</summary>
    public bool MirroredColumns => Controller == PanelController.Ili9341;

    /// <summary>The glass shows the complement unless INVON (IPS ST7789 modules).</summary>
    public bool InvertedGlass => Controller == PanelController.St7789;

    /// <summary>The controller's power, VCOM, frame-rate and gamma registers, written after reset and before sleep out (<see cref="PanelStartup"/>).</summary>
    public IReadOnlyList<PanelSetting> StartUp => PanelStartup.For(Controller);

    /// <summary>
    /// MADCTL and the window offsets that show a picture turned by <paramref name="rotation"/> upright on the glass.
    /// With MY/MX the address counts down from the end of the 240×320 memory, so a glass shorter than the memory
    /// needs its window moved by the difference (a 240×240 ST7789 at 180°: rows start at 80).
    /// </summary>
    public (MemoryAccess Access, int ColumnOffset, int RowOffset) Addressing(PanelRotation rotation)
    {
        var spare = RamRows - Height;
        var (access, columns, rows) = rotation switch
        {
            PanelRotation.Deg0 => (MemoryAccess.None, 0, 0),
            PanelRotation.Deg90 => (MemoryAccess.RowColumnExchange | MemoryAccess.RowAddressOrder, 0, 0),
            PanelRotation.Deg180 => (MemoryAccess.ColumnAddressOrder | MemoryAccess.RowAddressOrder, 0, spare),
            PanelRotation.Deg270 => (MemoryAccess.RowColumnExchange | MemoryAccess.ColumnAddressOrder, spare, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(rotation), rotation, "0, 90, 180 or 270"),
        };
        if (MirroredColumns)
        {
            // The glass's x is the memory's 239 - x: flip whichever address becomes the memory column.
            access ^= (access & MemoryAccess.RowColumnExchange) != 0 ? MemoryAccess.RowAddressOrder : MemoryAccess.ColumnAddressOrder;
        }

        if (BgrGlass)
        {
            access |= MemoryAccess.Bgr;
        }

        return (access, columns, rows);
    }
}
