using KioskPos.Core.Hardware;

namespace KioskPos.Firmware.Display;

/// <summary>
/// The display setting (<c>Hardware:Display</c>, a profile's <c>display</c>) as the terminal runs it: the text read by
/// <see cref="DisplaySetting"/> (the one reading, shared with the province's check of a profile), the panel module and
/// rotation it names.
/// </summary>
/// <param name="Kind">Browser, second HDMI or SPI panel.</param>
/// <param name="Model">The panel module (SPI).</param>
/// <param name="Path">The spidev file, or <c>simulated</c> (SPI).</param>
/// <param name="DataCommandPin">D/C (SPI).</param>
/// <param name="ResetPin">RESX, or -1.</param>
/// <param name="BacklightPin">Backlight enable, or -1.</param>
/// <param name="Rotation">How the picture is turned.</param>
/// <param name="ClockHz">The bus clock.</param>
public sealed record DisplaySpec(DisplayKind Kind, PanelModel? Model = null, string Path = "", int DataCommandPin = -1, int ResetPin = -1,
    int BacklightPin = -1, PanelRotation Rotation = PanelRotation.Deg0, int ClockHz = DisplaySpec.DefaultClockHz)
{
    /// <summary>32 MHz, as <see cref="DisplaySetting.DefaultClockHz"/>.</summary>
    public const int DefaultClockHz = DisplaySetting.DefaultClockHz;

    /// <summary>The browser page, the default.</summary>
    public static DisplaySpec Browser { get; } = new(DisplayKind.Browser);

    /// <summary>True when the panel is the emulator.</summary>
    public bool IsSimulated => Kind == DisplayKind.Spi && Path == "simulated";

    /// <summary>The bus and chip select of <c>/dev/spidevB.C</c>.</summary>
    /// <exception cref="FormatException">The path is not a spidev file.</exception>
    public (int Bus, int ChipSelect) SpiAddress => SpiDeviceFile.Address(Path);

    /// <summary>Reads a setting.</summary>
    /// <exception cref="FormatException">What is wrong with it, for a technician.</exception>
    public static DisplaySpec Parse(string? text)
    {
        var setting = DisplaySetting.Parse(text);
        if (setting.Kind != DisplayKind.Spi)
        {
            return setting.Kind == DisplayKind.Browser ? Browser : new DisplaySpec(DisplayKind.Hdmi2);
        }

        var module = setting.Controller == "ili9341" ? PanelModel.Ili9341Tall : PanelModel.St7789Square;
        return new DisplaySpec(DisplayKind.Spi, setting.Size is { } glass ? module with { Width = glass.Width, Height = glass.Height } : module, setting.Path,
            setting.DataCommandPin, setting.ResetPin, setting.BacklightPin, (PanelRotation)setting.Rotation, setting.ClockHz);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        DisplayKind.Browser => "browser",
        DisplayKind.Hdmi2 => "hdmi2",
        _ => $"spi:{Model!.Controller.ToString().ToLowerInvariant()}:{Path}:dc={DataCommandPin}{(ResetPin >= 0 ? $":rst={ResetPin}" : "")}{(BacklightPin >= 0 ? $":bl={BacklightPin}" : "")}:size={Model.Width}x{Model.Height}:rotation={(int)Rotation}:hz={ClockHz}",
    };
}
