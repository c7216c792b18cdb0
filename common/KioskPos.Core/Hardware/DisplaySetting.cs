using System.Globalization;

namespace KioskPos.Core.Hardware;

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
/// The display setting as written (<c>Hardware:Display</c>, a profile's <c>display</c>): <c>browser</c> (default),
/// <c>hdmi2</c>, or an SPI panel <c>spi:st7789:/dev/spidev0.1:dc=24:rst=25:bl=18</c> (also <c>st7789:…</c>,
/// <c>ili9341:…</c>), with optional <c>size=240x320</c>, <c>rotation=0|90|180|270</c> and <c>hz=32000000</c>; the path
/// <c>simulated</c> runs the controller emulator instead of a bus. One reading of the text for the terminal that runs
/// the panel (<c>KioskPos.Firmware.Display.DisplaySpec</c>) and the province that checks a profile before pushing it.
/// </summary>
/// <param name="Kind">Browser, second HDMI or SPI panel.</param>
/// <param name="Controller"><c>st7789</c> or <c>ili9341</c> (SPI), else empty.</param>
/// <param name="Path">The spidev file, or <c>simulated</c> (SPI), else empty.</param>
/// <param name="DataCommandPin">D/C (SPI), or -1.</param>
/// <param name="ResetPin">RESX, or -1.</param>
/// <param name="BacklightPin">Backlight enable, or -1.</param>
/// <param name="Size">The glass, when <c>size=</c> names it; else the controller's usual module.</param>
/// <param name="Rotation">Degrees clockwise: 0, 90, 180 or 270.</param>
/// <param name="ClockHz">The bus clock.</param>
public sealed record DisplaySetting(DisplayKind Kind, string Controller = "", string Path = "", int DataCommandPin = -1, int ResetPin = -1,
    int BacklightPin = -1, (int Width, int Height)? Size = null, int Rotation = 0, int ClockHz = DisplaySetting.DefaultClockHz)
{
    /// <summary>32 MHz: what ST7789 and ILI9341 modules take on short wires (the Pi's SPI divides 250/500 MHz evenly to it).</summary>
    public const int DefaultClockHz = 32_000_000;

    /// <summary>The highest GPIO of the 40-pin header a panel pin may be (BCM numbering), as <see cref="HeaderPins"/>.</summary>
    private const int HighestPin = HeaderPins.Highest;

    /// <summary>True when the panel is the emulator.</summary>
    public bool IsSimulated => Kind == DisplayKind.Spi && Path == "simulated";

    /// <summary>True when the panel is on SPI0, whose GPIO 7-11 no other device may then take (<see cref="HeaderPins"/>).</summary>
    public bool UsesSpi0 => Kind == DisplayKind.Spi && Path.StartsWith("/dev/spidev0.", StringComparison.Ordinal);

    /// <summary>Reads a setting.</summary>
    /// <exception cref="FormatException">What is wrong with it, for a technician (the message starts with <c>display</c>).</exception>
    public static DisplaySetting Parse(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text == "browser")
        {
            return new DisplaySetting(DisplayKind.Browser);
        }

        if (text == "hdmi2")
        {
            return new DisplaySetting(DisplayKind.Hdmi2);
        }

        var parts = text.Split(':');
        var at = parts[0] == "spi" ? 1 : 0;
        var controller = parts.Length > at ? parts[at] : "";
        if (controller is not ("st7789" or "ili9341"))
        {
            throw new FormatException($"display '{text}': browser, hdmi2, or spi:st7789|ili9341:/dev/spidevB.C:dc=N[:rst=N][:bl=N][:size=WxH][:rotation=0|90|180|270][:hz=N]");
        }

        if (parts.Length <= at + 1 || parts[at + 1].Length == 0)
        {
            throw new FormatException($"display '{text}': the spidev file is missing (/dev/spidev0.1).");
        }

        var setting = new DisplaySetting(DisplayKind.Spi, controller, parts[at + 1]);
        foreach (var option in parts.Skip(at + 2))
        {
            var (key, value) = option.Split('=', 2) is [var k, var v] ? (k, v) : (option, "");
            setting = key switch
            {
                "dc" => setting with { DataCommandPin = Pin(value, key) },
                "rst" => setting with { ResetPin = Pin(value, key) },
                "bl" => setting with { BacklightPin = Pin(value, key) },
                "size" => setting with { Size = Glass(controller, value) },
                "rotation" => setting with { Rotation = value is "0" or "90" or "180" or "270" ? int.Parse(value, CultureInfo.InvariantCulture) : throw new FormatException($"display rotation '{value}': 0, 90, 180 or 270.") },
                "hz" => setting with { ClockHz = int.TryParse(value, CultureInfo.InvariantCulture, out var hz) && hz is >= 1_000_000 and <= 80_000_000 ? hz : throw new FormatException($"display hz '{value}': a clock from 1000000 to 80000000.") },
                _ => throw new FormatException($"display option '{option}' is not dc, rst, bl, size, rotation or hz."),
            };
        }

        if (setting.DataCommandPin < 0)
        {
            throw new FormatException($"display '{text}': dc=N (the D/C pin) is required.");
        }

        int[] pins = [setting.DataCommandPin, .. new[] { setting.ResetPin, setting.BacklightPin }.Where(p => p >= 0)];
        if (pins.Distinct().Count() != pins.Length)
        {
            throw new FormatException($"display '{text}': dc, rst and bl must be different pins.");
        }

        return setting;
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

    private static int Pin(string value, string key) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var pin) && pin is >= 0 and <= HighestPin ? pin : throw new FormatException($"display {key}={value}: a header GPIO, 0-{HighestPin}.");

    private static (int, int) Glass(string controller, string value) => value switch
    {
        "240x240" when controller == "st7789" => (240, 240),
        "240x320" => (240, 320),
        _ => throw new FormatException($"display size '{value}': 240x240 (ST7789) or 240x320."),
    };
}
