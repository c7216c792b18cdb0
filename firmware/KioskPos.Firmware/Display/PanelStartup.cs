using System.Collections.Immutable;

namespace KioskPos.Firmware.Display;

/// <summary>One write of a start-up sequence: a command byte and its parameters.</summary>
/// <param name="Command">The opcode (a <see cref="PanelCommand"/>, <see cref="Ili9341Command"/> or <see cref="St7789Command"/>).</param>
/// <param name="Parameters">The parameter bytes, in the order they go on the bus.</param>
public sealed record PanelSetting(byte Command, ImmutableArray<byte> Parameters)
{
    /// <summary>A shared level-1 command.</summary>
    public static PanelSetting Of(PanelCommand command, params ReadOnlySpan<byte> parameters) => new((byte)command, ImmutableArray.Create(parameters));

    /// <summary>An ILI9341 register.</summary>
    public static PanelSetting Of(Ili9341Command command, params ReadOnlySpan<byte> parameters) => new((byte)command, ImmutableArray.Create(parameters));

    /// <summary>An ST7789V register.</summary>
    public static PanelSetting Of(St7789Command command, params ReadOnlySpan<byte> parameters) => new((byte)command, ImmutableArray.Create(parameters));
}

/// <summary>
/// The power, VCOM, frame-rate, display-function and gamma registers each controller is given after its reset and before
/// sleep out (<see cref="TftPanel.Initialise"/>). The chips' reset values are not what the glass of a module needs:
/// left at them, many modules show poor contrast or a wrong gamma. The values are those of the public Linux drivers
/// for these modules (facts of the modules, cited per table); the booster starts at sleep out with them already set,
/// as in the Linux ILI9341 driver. COLMOD stays with <see cref="TftPanel"/> (0x55 after sleep out, as before).
/// </summary>
public static class PanelStartup
{
    /// <summary>
    /// ILI9341 modules: the register writes, in order, of the Linux kernel's DRM driver for them (torvalds/linux
    /// drivers/gpu/drm/tiny/ili9341.c at 0b11904, <c>yx240qv29_enable</c>, between its DISPOFF and its sleep out), less
    /// its COLMOD (0x05 there; this driver sends 0x55, the datasheet's 16-bit code for both interface fields, after
    /// sleep out):
    /// the power and pump set-up, GVDD (0x23), the step-up factor (0x10), VCOMH/VCOML (0x3E 0x28) and the VCOM offset
    /// (0x86), 70 Hz (0x00 0x1B), 3-gamma off, gamma curve 1 with its positive and negative correction, entry mode 0x07
    /// and display function 0x08 0x82 0x27 0x00 (0x27: 320 lines).
    /// </summary>
    public static IReadOnlyList<PanelSetting> Ili9341 { get; } =
    [
        PanelSetting.Of(Ili9341Command.PowerControlB, 0x00, 0xC1, 0x30),
        PanelSetting.Of(Ili9341Command.PowerOnSequence, 0x64, 0x03, 0x12, 0x81),
        PanelSetting.Of(Ili9341Command.DriverTimingA, 0x85, 0x00, 0x78),
        PanelSetting.Of(Ili9341Command.PowerControlA, 0x39, 0x2C, 0x00, 0x34, 0x02),
        PanelSetting.Of(Ili9341Command.PumpRatio, 0x20),
        PanelSetting.Of(Ili9341Command.DriverTimingB, 0x00, 0x00),
        PanelSetting.Of(Ili9341Command.PowerControl1, 0x23),
        PanelSetting.Of(Ili9341Command.PowerControl2, 0x10),
        PanelSetting.Of(Ili9341Command.VcomControl1, 0x3E, 0x28),
        PanelSetting.Of(Ili9341Command.VcomControl2, 0x86),
        PanelSetting.Of(Ili9341Command.FrameRateControl, 0x00, 0x1B),
        PanelSetting.Of(Ili9341Command.Enable3Gamma, 0x00),
        PanelSetting.Of(PanelCommand.GammaSet, 0x01),
        PanelSetting.Of(Ili9341Command.PositiveGamma, 0x0F, 0x31, 0x2B, 0x0C, 0x0E, 0x08, 0x4E, 0xF1, 0x37, 0x07, 0x10, 0x03, 0x0E, 0x09, 0x00),
        PanelSetting.Of(Ili9341Command.NegativeGamma, 0x00, 0x0E, 0x14, 0x03, 0x11, 0x07, 0x31, 0xC1, 0x48, 0x08, 0x0F, 0x0C, 0x31, 0x36, 0x0F),
        PanelSetting.Of(Ili9341Command.EntryModeSet, 0x07),
        PanelSetting.Of(Ili9341Command.DisplayFunctionControl, 0x08, 0x82, 0x27, 0x00),
    ];

    /// <summary>
    /// ST7789V IPS modules (240×240 and 240×320): the register writes of the Linux kernel's fbtft driver as it stands
    /// (torvalds/linux drivers/staging/fbtft/fb_st7789v.c, <c>init_display</c> with <c>HSD20_IPS</c> set, and its
    /// <c>HSD20_IPS_GAMMA</c>, which fbtft's <c>set_gamma</c> sends after the first frame; read in the copies at
    /// intel-lab-lkp/linux 395431b and raspberrypi/linux 6780239), less its COLMOD: porches 5/5, VGH 14.97 V and VGL
    /// -10.43 V (0x75), VDV and VRH by command, VRH 0x13 (4.5 V; the reset 0x0B is 4.1 V), VDV 0 V, VCOM 0x22
    /// (0.95 V), VCOM offset 0 V, AVDD 6.8 V / AVCL -4.8 V / VDS 2.3 V, then the two 14-byte gamma curves. HSD20 is a
    /// 2" 240×320 IPS glass; the Raspberry Pi kernel's copy binds its <c>fbtft,minipitft13</c> variant (Adafruit's 1.3"
    /// 240×240 IPS Mini PiTFT) to the same <c>init_display</c>, and a 240×240 module showed no image without these
    /// values (dbaluta/lkss-linux drivers/lkss/labs/lab3/lkss_st7789_sol.c). Not used: fbtft's older template (porches
    /// 8/8, GCTRL 0x35, VRH 0x0B, VCOM 0x20 and its DEFAULT_GAMMA), which its own comment calls mostly the chip's reset
    /// values and a template for real displays; LCMCTRL (0xC0) and FRCTRL2 (0xC6), which fbtft leaves at their reset
    /// values (0x2C, 60 Hz); TEON, as no module here wires its TE pin.
    /// </summary>
    public static IReadOnlyList<PanelSetting> St7789 { get; } =
    [
        PanelSetting.Of(St7789Command.PorchSetting, 0x05, 0x05, 0x00, 0x33, 0x33),
        PanelSetting.Of(St7789Command.GateControl, 0x75),
        PanelSetting.Of(St7789Command.VdvVrhEnable, 0x01, 0xFF),
        PanelSetting.Of(St7789Command.VrhSet, 0x13),
        PanelSetting.Of(St7789Command.VdvSet, 0x20),
        PanelSetting.Of(St7789Command.VcomSetting, 0x22),
        PanelSetting.Of(St7789Command.VcomOffset, 0x20),
        PanelSetting.Of(St7789Command.PowerControl1, 0xA4, 0xA1),
        PanelSetting.Of(St7789Command.PositiveGamma, 0xD0, 0x05, 0x0A, 0x09, 0x08, 0x05, 0x2E, 0x44, 0x45, 0x0F, 0x17, 0x16, 0x2B, 0x33),
        PanelSetting.Of(St7789Command.NegativeGamma, 0xD0, 0x05, 0x0A, 0x09, 0x08, 0x05, 0x2E, 0x43, 0x45, 0x0F, 0x16, 0x16, 0x2B, 0x33),
    ];

    /// <summary>The sequence for <paramref name="controller"/>.</summary>
    public static IReadOnlyList<PanelSetting> For(PanelController controller) => controller switch
    {
        PanelController.Ili9341 => Ili9341,
        PanelController.St7789 => St7789,
        _ => throw new ArgumentOutOfRangeException(nameof(controller), controller, "ST7789 or ILI9341"),
    };
}
