using System.Text.Json;
using KioskPos.Core.Hardware;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// What the province checks of a hardware profile before pushing it: a JSON object of at most 8 KB with a name,
/// card readers and a printer, every field one the terminals read (<c>HardwareProfile</c>) and of the type they read it
/// as, each value one the terminal would run: paper width, cash drawer pin and speaker volume by
/// <see cref="ProfileValues"/>, the card readers by <see cref="CardReaderSetting"/> and the display by
/// <see cref="DisplaySetting"/>, their pins and the light's, buzzer's and help button's by <see cref="HeaderPins"/>,
/// devices named only by device files of their kind (<see cref="ProfileDevicePaths"/>). The terminal checks the rest
/// (the devices exist on that machine) and keeps running its own profile when the pushed one cannot start.
/// </summary>
internal static class HardwareProfileCheck
{
    /// <summary>The fields of a profile, as the terminal's <c>HardwareProfile</c> reads them; any other is refused there.</summary>
    internal static IReadOnlyList<string> Fields => ProfileDevicePaths.Fields;

    private static readonly string[] s_pins = ["lightPin", "buzzerPin", "helpButtonPin"];

    // As the terminal parses Hardware:PrinterTextMode (case aside); another word stops it at start.
    private static readonly HashSet<string> s_textModes = new(StringComparer.OrdinalIgnoreCase) { "raster", "tcvn3", "windows1258", "ascii" };

    public static string? Problem(string text)
    {
        if (text.Length is 0 or > 8192)
        {
            return "a profile is a JSON object of 1 to 8192 bytes";
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (ProfileDevicePaths.FieldProblem(root) is { } fieldProblem)
            {
                return fieldProblem;
            }

            // Last, only device files of the kind each device is (never the terminal's database, never '..'): the
            // terminal checks that again, as a profile could also come from a server that is not this one.
            return TypeProblem(root) ?? ValueProblem(root) ?? PinProblem(root) ?? ProfileDevicePaths.Problem(root);
        }
        catch (JsonException e)
        {
            return $"not JSON: {e.Message}";
        }
    }

    // Each field as the terminal's deserialiser takes it: a value of another type (a number as text, 80.5 for a whole
    // number, null for a field that cannot be null) stops the profile from loading there.
    private static string? TypeProblem(JsonElement root)
    {
        foreach (var required in new[] { "name", "cardReader", "printer" })
        {
            if (!root.TryGetProperty(required, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Trim().Length == 0)
            {
                return $"'{required}' is required (text)";
            }
        }

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            var problem = property.Name switch
            {
                "description" or "headphoneJack" when value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null) => "is text (or left out)",
                "display" or "printerTextMode" or "gpio" when value.ValueKind != JsonValueKind.String => "is text (or left out)",
                "receiptBarcode" or "announce" when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False) => "is true or false (or left out)",
                "paperWidthMm" or "speakerVolume" when !IsWholeNumber(value) => "is a whole number (or left out)",
                "cashDrawerPin" or "lightPin" or "buzzerPin" or "helpButtonPin" when value.ValueKind != JsonValueKind.Null && !IsWholeNumber(value) =>
                    "is a whole number, or null, or left out",
                _ => null,
            };
            if (problem is not null)
            {
                return $"{property.Name} {problem}";
            }
        }

        return null;

        static bool IsWholeNumber(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _);
    }

    // Types are checked by now: the numbers read as whole numbers, the text as text.
    private static string? ValueProblem(JsonElement root)
    {
        if (root.TryGetProperty("printerTextMode", out var mode) && !s_textModes.Contains(mode.GetString()!))
        {
            return "printerTextMode is raster, tcvn3, windows1258 or ascii";
        }

        if (root.TryGetProperty("paperWidthMm", out var width) && ProfileValues.PaperWidthProblem(width.GetInt32()) is { } widthProblem)
        {
            return widthProblem;
        }

        if (root.TryGetProperty("cashDrawerPin", out var drawer) && drawer.ValueKind == JsonValueKind.Number && ProfileValues.CashDrawerPinProblem(drawer.GetInt32()) is { } drawerProblem)
        {
            return drawerProblem;
        }

        return root.TryGetProperty("speakerVolume", out var volume) ? ProfileValues.SpeakerVolumeProblem(volume.GetInt32()) : null;
    }

    // The pins the terminal wires from the profile's own fields, given out in the order it gives them
    // (HardwareProfile.Validate): the card readers' (an MFRC522's reset), then the display panel's, then the light's,
    // buzzer's and help button's; each a header GPIO, none of SPI0's once an MFRC522 or a panel on SPI0 holds it, none
    // twice. Card readers or a display that do not read are named by ProfileDevicePaths.
    private static string? PinProblem(JsonElement root)
    {
        var pins = new HeaderPins();
        if (TryRead(root, "cardReader", CardReaderSetting.ParseList, out var readers))
        {
            foreach (var reader in readers)
            {
                pins.Spi0InUse |= reader.UsesSpi0;
                foreach (var (pin, use) in reader.Pins())
                {
                    if (pins.Take(pin, $"cardReader's {use}") is { } problem)
                    {
                        return "cardReader: " + problem;
                    }
                }
            }
        }

        if (TryRead(root, "display", DisplaySetting.Parse, out var display))
        {
            pins.Spi0InUse |= display.UsesSpi0;
            foreach (var (pin, use) in display.Pins())
            {
                if (pins.Take(pin, $"display's {use}") is { } problem)
                {
                    return "display: " + problem;
                }
            }
        }

        foreach (var field in s_pins)
        {
            if (root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && pins.Take(value.GetInt32(), field) is { } problem)
            {
                return $"{field}: {problem}";
            }
        }

        return null;
    }

    // The field's text as the terminal reads it; false when it is absent or does not read.
    private static bool TryRead<T>(JsonElement root, string field, Func<string, T> read, out T value)
    {
        value = default!;
        if (!root.TryGetProperty(field, out var text))
        {
            return false;
        }

        try
        {
            value = read(text.GetString()!);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
