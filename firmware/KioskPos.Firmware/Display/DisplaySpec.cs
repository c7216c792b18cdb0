using System.Globalization;

namespace KioskPos.Firmware.Display;

/// <summary>Where the customer sees the QR.</summary>
public enum DisplayKind
{
    /// <summary>The <c>/display</c> page in a browser (the school kiosk's one screen, or another device).</summary>
    Browser,

    /// <summary>The <c>/display</c> page on the board's second HDMI output, the counter's page on the first (Pi 4/5).</summary>
    Hdmi2,

    /// <summary>A small SPI TFT panel the terminal draws itself.</summary>
    Spi,
}

/// <summary>
/// The display setting (<c>Hardware:Display</c>, a profile's <c>display</c>): <c>browser</c> (default), <c>hdmi2</c>, or
/// an SPI panel <c>spi:st7789:/dev/spidev0.1:dc=24:rst=25:bl=18</c> (also <c>st7789:…</c>, <c>ili9341:…</c>), with
/// optional <c>size=240x320</c>, <c>rotation=0|90|180|270</c> and <c>hz=32000000</c>; the path <c>simulated</c> runs the
/// controller emulator instead of a bus.
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
    /// <summary>32 MHz: what ST7789 and ILI9341 modules take on short wires (the Pi's SPI divides 250/500 MHz evenly to it).</summary>
    public const int DefaultClockHz = 32_000_000;

    /// <summary>The browser page, the default.</summary>
    public static DisplaySpec Browser { get; } = new(DisplayKind.Browser);

    /// <summary>True when the panel is the emulator.</summary>
    public bool IsSimulated => Kind == DisplayKind.Spi && Path == "simulated";

    /// <summary>The bus and chip select of <c>/dev/spidevB.C</c>.</summary>
    /// <exception cref="FormatException">The path is not a spidev file.</exception>
    public (int Bus, int ChipSelect) SpiAddress
    {
        get
        {
            var name = System.IO.Path.GetFileName(Path);
            var parts = name.StartsWith("spidev", StringComparison.Ordinal) ? name[6..].Split('.') : [];
            return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var bus) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var cs)
                ? (bus, cs)
                : throw new FormatException($"'{Path}' is not a spidev file (/dev/spidev0.1).");
        }
    }

    /// <summary>Reads a setting.</summary>
    /// <exception cref="FormatException">What is wrong with it, for a technician.</exception>
    public static DisplaySpec Parse(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text == "browser")
        {
            return Browser;
        }

        if (text == "hdmi2")
        {
            return new DisplaySpec(DisplayKind.Hdmi2);
        }

        var parts = text.Split(':');
        var at = parts[0] == "spi" ? 1 : 0;
        var controller = parts.Length > at ? parts[at] : "";
        var model = controller switch
        {
            "st7789" => PanelModel.St7789Square,
            "ili9341" => PanelModel.Ili9341Tall,
            _ => throw new FormatException($"display '{text}': browser, hdmi2, or spi:st7789|ili9341:/dev/spidevB.C:dc=N[:rst=N][:bl=N][:size=WxH][:rotation=0|90|180|270][:hz=N]"),
        };
        if (parts.Length <= at + 1 || parts[at + 1].Length == 0)
        {
            throw new FormatException($"display '{text}': the spidev file is missing (/dev/spidev0.1).");
        }

        var spec = new DisplaySpec(DisplayKind.Spi, model, parts[at + 1]);
        foreach (var option in parts.Skip(at + 2))
        {
            var (key, value) = option.Split('=', 2) is [var k, var v] ? (k, v) : (option, "");
            spec = key switch
            {
                "dc" => spec with { DataCommandPin = Pin(value, key) },
                "rst" => spec with { ResetPin = Pin(value, key) },
                "bl" => spec with { BacklightPin = Pin(value, key) },
                "size" => spec with { Model = Size(spec.Model!, value) },
                "rotation" => spec with { Rotation = value switch { "0" => PanelRotation.Deg0, "90" => PanelRotation.Deg90, "180" => PanelRotation.Deg180, "270" => PanelRotation.Deg270, _ => throw new FormatException($"display rotation '{value}': 0, 90, 180 or 270.") } },
                "hz" => spec with { ClockHz = int.TryParse(value, CultureInfo.InvariantCulture, out var hz) && hz is >= 1_000_000 and <= 80_000_000 ? hz : throw new FormatException($"display hz '{value}': a clock from 1000000 to 80000000.") },
                _ => throw new FormatException($"display option '{option}' is not dc, rst, bl, size, rotation or hz."),
            };
        }

        if (spec.DataCommandPin < 0)
        {
            throw new FormatException($"display '{text}': dc=N (the D/C pin) is required.");
        }

        int[] pins = [spec.DataCommandPin, .. new[] { spec.ResetPin, spec.BacklightPin }.Where(p => p >= 0)];
        if (pins.Distinct().Count() != pins.Length)
        {
            throw new FormatException($"display '{text}': dc, rst and bl must be different pins.");
        }

        return spec;
    }

    /// <summary>The pins the panel takes (BCM), for the profile's check of pins used twice.</summary>
    public IEnumerable<(int Pin, string Use)> Pins()
    {
        if (Kind != DisplayKind.Spi)
        {
            yield break;
        }

        yield return (DataCommandPin, "panel D/C");
        if (ResetPin >= 0)
        {
            yield return (ResetPin, "panel reset");
        }

        if (BacklightPin >= 0)
        {
            yield return (BacklightPin, "panel backlight");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        DisplayKind.Browser => "browser",
        DisplayKind.Hdmi2 => "hdmi2",
        _ => $"spi:{Model!.Controller.ToString().ToLowerInvariant()}:{Path}:dc={DataCommandPin}{(ResetPin >= 0 ? $":rst={ResetPin}" : "")}{(BacklightPin >= 0 ? $":bl={BacklightPin}" : "")}:size={Model.Width}x{Model.Height}:rotation={(int)Rotation}:hz={ClockHz}",
    };

    private static int Pin(string value, string key) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var pin) && pin is >= 0 and <= 27 ? pin : throw new FormatException($"display {key}={value}: a header GPIO, 0-27.");

    private static PanelModel Size(PanelModel model, string value) => value switch
    {
        "240x240" when model.Controller == PanelController.St7789 => PanelModel.St7789Square,
        "240x320" => model with { Width = 240, Height = 320 },
        _ => throw new FormatException($"display size '{value}': 240x240 (ST7789) or 240x320."),
    };
}
