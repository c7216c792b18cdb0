using System.Text.Json;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// What the province checks of a hardware profile before pushing it: a JSON object of at most 8 KB with a name,
/// card readers and a printer, every field one the terminals know, devices named only by device files of their kind
/// (<see cref="KioskPos.Shared.Contracts.ProfileDevicePaths"/>). The terminal checks the rest (the devices exist
/// on that machine) and keeps running its own profile when the pushed one cannot start.
/// </summary>
internal static class HardwareProfileCheck
{
    private static readonly HashSet<string> s_known = new(StringComparer.Ordinal)
    {
        "name", "description", "cardReader", "printer", "paperWidthMm", "printerTextMode", "gpio", "lightPin", "buzzerPin", "helpButtonPin",
    };

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

            if (root.TryGetProperty("paperWidthMm", out var width) && !(width.ValueKind == JsonValueKind.Number && width.GetInt32() is 58 or 80))
            {
                return "paperWidthMm is 58 or 80";
            }

            // Only device files of the kind each device is (never the terminal's database, never '..'): the
            // terminal checks again, as a profile could also come from a server that is not this one.
            return KioskPos.Shared.Contracts.ProfileDevicePaths.Problem(root);
        }
        catch (JsonException e)
        {
            return $"not JSON: {e.Message}";
        }
        catch (FormatException)
        {
            return "paperWidthMm is 58 or 80";
        }
    }
}
