using System.Diagnostics.CodeAnalysis;
using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Core.Hardware;
using KioskPos.Sync;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Cli;

/// <summary>
/// <c>config show</c> and <c>config set</c> on the installed terminal's settings file (<c>/etc/kioskpos/terminal.json</c>,
/// named by <c>KIOSKPOS_CONFIG</c>): only known settings, each checked against its type before the file is replaced
/// (atomically). The service reads the file at its next start.
/// </summary>
internal static class ConfigCommands
{
    private static readonly SettingsSection[] s_sections =
        [new(TerminalOptions.Section, typeof(TerminalOptions)), new(HardwareOptions.Section, typeof(HardwareOptions)), new(SyncOptions.Section, typeof(SyncOptions))];

    // The options types' public properties are what `config` lists and sets: kept by the trimmer for that.
    private const DynamicallyAccessedMemberTypes Kept = DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;

    private sealed class SettingsSection
    {
        public SettingsSection(string section, [DynamicallyAccessedMembers(Kept)] Type options)
        {
            Section = section;
            Options = options;
        }

        public string Section { get; }

        [DynamicallyAccessedMembers(Kept)]
        public Type Options { get; }
    }

    // Beyond the type: the values the terminal accepts at start-up, so that a typo is caught here, not by a service
    // that will not start.
    private static readonly Dictionary<string, Func<string, string?>> s_rules = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Hardware:PaperWidthMm"] = v => ProfileValues.IsPaperWidth(int.Parse(v, CultureInfo.InvariantCulture)) ? null : ProfileValues.PaperWidths,
        ["Hardware:PrinterTextMode"] = v => v.ToLowerInvariant() is "raster" or "tcvn3" or "windows1258" or "ascii" ? null : "raster, tcvn3, windows1258 or ascii",
        ["Hardware:Gpio"] = v => v is "chip" or "simulated" or "none" ? null : "chip, simulated or none",
        ["Hardware:ReaderPollMs"] = v => int.Parse(v, CultureInfo.InvariantCulture) is >= 10 and <= 2000 ? null : "10 to 2000",
        ["Hardware:Profile"] = v => File.Exists(v) ? null : "an existing profile file (see /usr/share/kioskpos/profiles)",
        ["Terminal:CardPinAbove"] = v => long.Parse(v, CultureInfo.InvariantCulture) >= 0 ? null : "0 or more đồng",
        ["Terminal:TimeZone"] = v => TimeZoneInfo.TryFindSystemTimeZoneById(v, out _) ? null : "an IANA time zone, e.g. Asia/Ho_Chi_Minh",
        ["Terminal:PayerLookupsPerWindow"] = v => int.Parse(v, CultureInfo.InvariantCulture) >= 1 ? null : "1 or more",
        ["Terminal:PayerLookupMissesPerWindow"] = v => int.Parse(v, CultureInfo.InvariantCulture) >= 1 ? null : "1 or more",
        ["Terminal:PayerLookupWindow"] = v => TimeSpan.Parse(v, CultureInfo.InvariantCulture) > TimeSpan.Zero ? null : "longer than 00:00:00",
    };

    // Settings never shown in the clear.
    private static readonly HashSet<string> s_secrets = new(StringComparer.OrdinalIgnoreCase) { "Hardware:CardNumberKey" };

    public static Command Create()
    {
        var file = new Option<string>("--config")
        {
            Description = "The settings file",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("KIOSKPOS_CONFIG") is { Length: > 0 } path ? path : "/etc/kioskpos/terminal.json",
        };
        var show = new Command("show", "Every known setting: the file's value, or the default") { file };
        show.SetAction(parse =>
        {
            var root = Read(parse.GetValue(file)!, out var error);
            if (root is null)
            {
                Console.Error.WriteLine(error);
                return 2;
            }

            foreach (var entry in s_sections)
            {
                var section = entry.Section;
                var defaults = Activator.CreateInstance(entry.Options);
                foreach (var property in Settable(entry.Options))
                {
                    var key = $"{section}:{property.Name}";
                    var set = (root[section] as JsonObject)?[property.Name];
                    var value = set is null ? Format(property.GetValue(defaults)) : set.ToString();
                    if (s_secrets.Contains(key) && value is { Length: > 0 })
                    {
                        value = Messages.Both("cli.config.secret_set");
                    }

                    Console.WriteLine($"{key} = {value}{(set is null ? "   " + Messages.Both("cli.config.default") : string.Empty)}");
                }
            }

            return 0;
        });

        var key = new Argument<string>("key") { Description = "Section:Name, e.g. Hardware:PaperWidthMm" };
        var value = new Argument<string>("value") { Description = "The new value; an empty string removes the setting (back to the default)" };
        var set = new Command("set", "Change one setting, checked against its type; the service reads it at its next start") { key, value, file };
        set.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var root = Read(path, out var error);
            if (root is null)
            {
                Console.Error.WriteLine(error);
                return 2;
            }

            var parts = parse.GetValue(key)!.Split(':');
            var section = parts.Length == 2 ? s_sections.FirstOrDefault(s => s.Section.Equals(parts[0], StringComparison.OrdinalIgnoreCase)) : default;
            var property = section is null ? null : Settable(section.Options).FirstOrDefault(p => p.Name.Equals(parts[1], StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                Console.Error.WriteLine(Messages.Both("cli.config.no_such_setting", parse.GetValue(key)));
                return 2;
            }

            var text = parse.GetValue(value)!;
            var node = root[section!.Section] as JsonObject ?? new JsonObject();
            root[section.Section] = node;
            if (text.Length == 0)
            {
                node.Remove(property.Name);
            }
            else if (Parse(property.PropertyType, text) is { } parsed)
            {
                if (s_rules.TryGetValue($"{section.Section}:{property.Name}", out var rule) && rule(text) is { } expected)
                {
                    Console.Error.WriteLine(Messages.Both("cli.config.invalid_value", $"{section.Section}:{property.Name}", expected, text));
                    return 2;
                }

                node[property.Name] = parsed;
            }
            else
            {
                Console.Error.WriteLine(Messages.Both("cli.config.invalid_type", text, Describe(property.PropertyType), $"{section.Section}:{property.Name}"));
                return 2;
            }

            var temporary = path + ".tmp";
            File.WriteAllText(temporary, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            File.Move(temporary, path, overwrite: true);
            Console.WriteLine(Messages.Both("cli.config.saved", $"{section.Section}:{property.Name}", path));
            return 0;
        });

        return new Command("config", "The installed terminal's settings file") { show, set };
    }

    private static JsonObject? Read(string path, out string error)
    {
        error = string.Empty;
        if (!File.Exists(path))
        {
            return new JsonObject();
        }

        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is JsonObject root)
            {
                return root;
            }

            error = $"{path} is not a JSON object";
        }
        catch (JsonException e)
        {
            error = $"{path} is not valid JSON: {e.Message}";
        }

        return null;
    }

    private static IEnumerable<PropertyInfo> Settable([DynamicallyAccessedMembers(Kept)] Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && Describe(p.PropertyType) is not null);

    private static string? Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "text",
        var t when t == typeof(int) || t == typeof(long) || t == typeof(byte) => "whole number",
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(TimeSpan) => "duration (hh:mm:ss)",
        var t when t == typeof(Uri) => "absolute http(s) address",
        _ => null,
    };

    private static JsonNode? Parse(Type type, string text)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string))
        {
            return JsonValue.Create(text);
        }

        if (t == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
        {
            return JsonValue.Create(i);
        }

        if (t == typeof(long) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (t == typeof(byte) && byte.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b))
        {
            return JsonValue.Create(b);
        }

        if (t == typeof(bool) && bool.TryParse(text, out var flag))
        {
            return JsonValue.Create(flag);
        }

        if (t == typeof(TimeSpan) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture));
        }

        if (t == typeof(Uri) && KioskPos.Core.Text.WebAddress.TryParse(text, out var uri))
        {
            return JsonValue.Create(uri.ToString());
        }

        return null;
    }

    private static string Format(object? value) => value switch
    {
        null => string.Empty,
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
