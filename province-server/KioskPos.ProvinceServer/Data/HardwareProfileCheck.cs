using System.Text.Json;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// What the province checks of a hardware profile before pushing it: a JSON object of at most 8 KB with a name,
/// card readers and a printer, every field one the terminals know and of the type they read it as (pins whole numbers
/// of the header's GPIOs, a description text, a text mode they know), devices named only by device files of their kind
/// (<see cref="KioskPos.Shared.Contracts.ProfileDevicePaths"/>). The terminal checks the rest (the devices exist
/// on that machine) and keeps running its own profile when the pushed one cannot start.
/// </summary>
internal static class HardwareProfileCheck
{
    /// <summary>The highest GPIO of a Raspberry Pi's 40-pin header (BCM numbering).</summary>
    private const int MaxGpio = 27;

    private static readonly HashSet<string> s_known = new(StringComparer.Ordinal)
    {
        "name", "description", "cardReader", "printer", "paperWidthMm", "printerTextMode", "gpio", "lightPin", "buzzerPin", "helpButtonPin",
    };

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
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "a profile is a JSON object";
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!s_known.Contains(property.Name))
                {
                    return $"unknown field '{property.Name}' (known: {string.Join(", ", s_known)})";
                }
            }

            foreach (var required in new[] { "name", "cardReader", "printer" })
            {
                if (!root.TryGetProperty(required, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Trim().Length == 0)
                {
                    return $"'{required}' is required (text)";
                }
            }

            if (root.TryGetProperty("paperWidthMm", out var width) && !(width.ValueKind == JsonValueKind.Number && width.TryGetInt32(out var mm) && mm is 58 or 80))
            {
                return "paperWidthMm is 58 or 80";
            }

            if (root.TryGetProperty("description", out var description) && description.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return "description is text (or left out)";
            }

            if (root.TryGetProperty("printerTextMode", out var mode) && !(mode.ValueKind == JsonValueKind.String && s_textModes.Contains(mode.GetString()!)))
            {
                return "printerTextMode is raster, tcvn3, windows1258 or ascii";
            }

            if (PinProblem(root) is { } pinProblem)
            {
                return pinProblem;
            }

            // Only device files of the kind each device is (never the terminal's database, never '..'): the
            // terminal checks again, as a profile could also come from a server that is not this one.
            return KioskPos.Shared.Contracts.ProfileDevicePaths.Problem(root);
        }
        catch (JsonException e)
        {
            return $"not JSON: {e.Message}";
        }
    }

    // The terminal reads each pin as a whole number (HardwareProfile's int?) and runs a profile only with header GPIOs
    // (BCM 0-27), each used once (HardwareProfile.Validate): a pin it could not read or run is refused here, named.
    private static string? PinProblem(JsonElement root)
    {
        var used = new Dictionary<int, string>();
        foreach (var name in s_pins)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var pin) || pin is < 0 or > MaxGpio)
            {
                return $"{name} is a header GPIO, a whole number from 0 to {MaxGpio} (BCM numbering), or left out";
            }

            if (!used.TryAdd(pin, name))
            {
                return $"{name}: GPIO {pin} is {used[pin]} already";
            }
        }

        return null;
    }
}
