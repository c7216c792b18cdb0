using System.Text.Json;
using System.Text.RegularExpressions;
using KioskPos.Core.Hardware;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// What devices a hardware profile the province pushes may name: for each kind of device only the device files of
/// that kind (<c>/dev/spidev*</c> for an MFRC522, <c>/dev/ttyUSB*</c>, <c>ttyACM*</c>, <c>ttyS*</c>, <c>ttyAMA*</c>,
/// <c>serial*</c> for serial parts, <c>/dev/input/…</c> for a keyboard-wedge reader, a scanner and the headphone jack,
/// <c>/dev/usb/lp*</c> for a USB printer, <c>/dev/spidev*</c> for a display panel) or a host and port for a network
/// printer; never a file outside <c>/dev</c>, never <c>..</c>, never the <c>file:</c> printer. A pushed profile that
/// named <c>usb:/var/lib/kioskpos/terminal.db</c> would have the terminal print receipts over its own database; one
/// whose headphone jack was <c>/etc/passwd</c> would have it open that file and read it as input events. The province
/// checks this when an administrator pushes a profile, and the terminal again when it keeps and when it runs one.
/// </summary>
public static partial class ProfileDevicePaths
{
    /// <summary>
    /// The fields of a profile, as the terminal's <c>HardwareProfile</c> reads them. Only these, spelt exactly so and
    /// each once: the terminal's reader takes names in any case and the last of a repeated name, so a
    /// <c>HeadphoneJack</c> or a second <c>printer</c> would be run without being the field checked here.
    /// </summary>
    public static IReadOnlyList<string> Fields { get; } =
    [
        "name", "description", "cardReader", "printer", "display", "paperWidthMm", "printerTextMode", "gpio", "lightPin", "buzzerPin",
        "helpButtonPin", "receiptBarcode", "cashDrawerPin", "announce", "speakerVolume", "headphoneJack",
    ];

    private static readonly HashSet<string> s_fields = new(Fields, StringComparer.Ordinal);

    /// <summary>The first problem of a profile's device fields (<c>"cardReader: …"</c>, naming the field), or null.</summary>
    public static string? Problem(JsonElement profile)
    {
        if (FieldProblem(profile) is { } fieldProblem)
        {
            return fieldProblem;
        }

        foreach (var property in profile.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.Contains("..", StringComparison.Ordinal))
            {
                return $"{property.Name}: '..' is not allowed in a profile";
            }
        }

        return DeviceProblem(profile);
    }

    /// <summary>A field that is not one of <see cref="Fields"/> (spelt exactly) or is given twice, or null.</summary>
    public static string? FieldProblem(JsonElement profile)
    {
        if (profile.ValueKind != JsonValueKind.Object)
        {
            return "a profile is a JSON object";
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in profile.EnumerateObject())
        {
            if (!s_fields.Contains(property.Name))
            {
                return $"unknown field '{property.Name}' (known: {string.Join(", ", Fields)})";
            }

            if (!seen.Add(property.Name))
            {
                return $"{property.Name}: given twice";
            }
        }

        return null;
    }

    private static string? DeviceProblem(JsonElement profile)
    {
        if (profile.TryGetProperty("cardReader", out var readers) && readers.ValueKind == JsonValueKind.String &&
            CardReaderProblem(readers.GetString()!) is { } readerProblem)
        {
            return "cardReader: " + readerProblem;
        }

        if (profile.TryGetProperty("printer", out var printer) && printer.ValueKind == JsonValueKind.String &&
            PrinterProblem(printer.GetString()!) is { } printerProblem)
        {
            return "printer: " + printerProblem;
        }

        if (profile.TryGetProperty("display", out var display) && display.ValueKind == JsonValueKind.String &&
            DisplayProblem(display.GetString()!) is { } displayProblem)
        {
            return displayProblem;
        }

        if (profile.TryGetProperty("headphoneJack", out var jack) && jack.ValueKind == JsonValueKind.String &&
            HeadphoneJackProblem(jack.GetString()!) is { } jackProblem)
        {
            return "headphoneJack: " + jackProblem;
        }

        return profile.TryGetProperty("gpio", out var gpio) && !(gpio.ValueKind == JsonValueKind.String && gpio.GetString() is "chip" or "simulated")
            ? "gpio: chip or simulated"
            : null;
    }

    /// <summary>
    /// Why a card reader list (<see cref="CardReaderSetting"/>'s form) is not one the terminal reads, or names something
    /// a pushed profile may not; null when it is fine.
    /// </summary>
    public static string? CardReaderProblem(string readers)
    {
        IReadOnlyList<CardReaderSetting> settings;
        try
        {
            settings = CardReaderSetting.ParseList(readers);
        }
        catch (FormatException e)
        {
            return e.Message;
        }

        // The terminal reads "," as no reader at all, and then does not start (Hardware:CardReader names no reader).
        if (settings.Count == 0)
        {
            return $"'{readers}' names no reader (simulated, mfrc522:/dev/spidev…, evdev:/dev/input/…, scanner:/dev/input/… or serial:/dev/tty…)";
        }

        foreach (var reader in settings)
        {
            var problem = reader.Kind switch
            {
                CardReaderKind.Mfrc522 => Device(reader.Path, SpiPattern(), "/dev/spidevB.C"),
                CardReaderKind.Evdev or CardReaderKind.Scanner => Device(reader.Path, InputPattern(), "/dev/input/by-id/… or /dev/input/eventN"),
                CardReaderKind.Serial => Device(reader.Path, SerialPattern(), "/dev/ttyUSBn, ttyACMn, ttySn, ttyAMAn or serialN"),
                _ => null,
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>Why a printer address (<c>Hardware:Printer</c>'s form) names something a pushed profile may not; null when it does not.</summary>
    public static string? PrinterProblem(string printer)
    {
        var colon = printer.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? printer : printer[..colon];
        var rest = colon < 0 ? string.Empty : printer[(colon + 1)..];
        return scheme switch
        {
            "emulator" or "simulated" when rest.Length == 0 => null,
            "usb" => Device(rest, UsbPrinterPattern(), "/dev/usb/lpN"),
            "serial" => Device(rest.Split(':')[0], SerialPattern(), "/dev/ttyUSBn, ttyACMn, ttySn, ttyAMAn or serialN"),
            "tcp" => TcpPattern().IsMatch(rest) ? null : $"'{rest}' is not host[:port] (letters, digits, dots, dashes)",
            _ => $"'{printer}' is not usb:/dev/usb/lpN, serial:/dev/tty…[:baud], tcp:host[:port] or emulator (a file is not a printer)",
        };
    }

    /// <summary>
    /// Why a display setting (<see cref="DisplaySetting"/>'s form) is not one or names something a pushed profile may
    /// not (a panel's file other than <c>/dev/spidevB.C</c> or <c>simulated</c>), starting with <c>display</c>; null when
    /// it is fine.
    /// </summary>
    public static string? DisplayProblem(string display)
    {
        DisplaySetting setting;
        try
        {
            setting = DisplaySetting.Parse(display);
        }
        catch (FormatException e)
        {
            return e.Message;
        }

        return setting.Kind == DisplayKind.Spi && !setting.IsSimulated && Device(setting.Path, SpiPattern(), "/dev/spidevB.C, or simulated") is { } problem
            ? "display: " + problem
            : null;
    }

    /// <summary>Why a headphone jack setting is not <c>auto</c>, <c>none</c> or an input device file; null when it is.</summary>
    public static string? HeadphoneJackProblem(string jack) =>
        jack is "auto" or "none" ? null : Device(jack, InputPattern(), "auto, none, /dev/input/by-path/…, /dev/input/by-id/… or /dev/input/eventN");

    private static string? Device(string path, Regex allowed, string expected) =>
        allowed.IsMatch(path) ? null : $"'{path}' is not a device of this kind ({expected})";

    [GeneratedRegex("^/dev/spidev[0-9]{1,2}\\.[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex SpiPattern();

    [GeneratedRegex("^/dev/input/(event[0-9]{1,3}|by-id/[A-Za-z0-9_.+:\\-]{1,200}|by-path/[A-Za-z0-9_.+:\\-]{1,200})$", RegexOptions.CultureInvariant)]
    private static partial Regex InputPattern();

    [GeneratedRegex("^/dev/(ttyUSB[0-9]{1,3}|ttyACM[0-9]{1,3}|ttyS[0-9]{1,3}|ttyAMA[0-9]{1,3}|serial[0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex SerialPattern();

    [GeneratedRegex("^/dev/usb/lp[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex UsbPrinterPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9.\\-]{0,252})(:[0-9]{1,5})?$", RegexOptions.CultureInvariant)]
    private static partial Regex TcpPattern();
}
