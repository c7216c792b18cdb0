using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;

namespace KioskPos.Core.Text;

/// <summary>The language of a text for people: Vietnamese first, English available.</summary>
public enum Language
{
    /// <summary>Tiếng Việt, the default everywhere.</summary>
    Vi,

    /// <summary>English.</summary>
    En,
}

/// <summary>One people-facing text in both languages.</summary>
public sealed record Message(string Key, string Vi, string En)
{
    /// <summary>The text in the given language.</summary>
    public string In(Language language) => language == Language.En ? En : Vi;
}

/// <summary>
/// The one message catalogue for people-facing text: pages, receipts and the titles of API problems read it. Its
/// entries are the JSON files under <c>Text/Catalogue/</c> (one per area, each <c>{"key": {"vi": "…", "en": "…"}}</c>),
/// embedded in this assembly; a key defined twice is a build-time mistake and fails the first read. Placeholders are
/// <c>{0}</c>, <c>{1}</c>… as in <see cref="string.Format(string, object?[])"/>. Machine-facing text (VietQR purpose,
/// problem codes) never comes from here.
/// </summary>
public static class Messages
{
    private const string ResourcePrefix = "KioskPos.Core.Text.Catalogue.";
    private static readonly Lazy<FrozenDictionary<string, Message>> s_all = new(Load);

    /// <summary>Every entry, by key.</summary>
    public static FrozenDictionary<string, Message> All => s_all.Value;

    /// <summary>The entry for <paramref name="key"/>; a missing key is a programming error.</summary>
    public static Message Get(string key) =>
        All.TryGetValue(key, out var message) ? message : throw new KeyNotFoundException($"No message '{key}' in the catalogue.");

    /// <summary>The Vietnamese text of <paramref name="key"/>, formatted with <paramref name="args"/>.</summary>
    public static string Vi(string key, params object?[] args) => Format(key, Language.Vi, args);

    /// <summary>The English text of <paramref name="key"/>, formatted with <paramref name="args"/>.</summary>
    public static string En(string key, params object?[] args) => Format(key, Language.En, args);

    /// <summary>
    /// Both texts of <paramref name="key"/> on one line, "Vietnamese / English", for technicians' screens and logs
    /// read by people of either language (self-test lines, printer states).
    /// </summary>
    public static string Both(string key, params object?[] args) => $"{Vi(key, args)} / {En(key, args)}";

    /// <summary>The text of <paramref name="key"/> in <paramref name="language"/>, formatted with <paramref name="args"/>.</summary>
    public static string Format(string key, Language language, params object?[] args)
    {
        var text = Get(key).In(language);
        return args.Length == 0 ? text : string.Format(System.Globalization.CultureInfo.InvariantCulture, text, args);
    }

    /// <summary>
    /// The entries whose key starts with one of <paramref name="prefixes"/>, as the JSON object pages load
    /// (<c>{"key": {"vi": …, "en": …}}</c>); keys sorted so the document is stable.
    /// </summary>
    public static byte[] ToJson(params string[] prefixes)
    {
        using var buffer = new MemoryStream();
        // Vietnamese letters written as they are, not as \uXXXX escapes: a quarter of the size for the pages.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All) }))
        {
            writer.WriteStartObject();
            foreach (var message in All.Values.Where(m => prefixes.Length == 0 || prefixes.Any(p => m.Key.StartsWith(p, StringComparison.Ordinal))).OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(message.Key);
                writer.WriteString("vi", message.Vi);
                writer.WriteString("en", message.En);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static FrozenDictionary<string, Message> Load()
    {
        var assembly = typeof(Messages).Assembly;
        var entries = new Dictionary<string, Message>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Resource {name} vanished.");
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var vi = property.Value.GetProperty("vi").GetString() ?? throw new InvalidDataException($"{name}: '{property.Name}' has no Vietnamese text.");
                var en = property.Value.GetProperty("en").GetString() ?? throw new InvalidDataException($"{name}: '{property.Name}' has no English text.");
                if (!entries.TryAdd(property.Name, new Message(property.Name, vi, en)))
                {
                    throw new InvalidDataException($"{name}: the key '{property.Name}' is defined twice in the catalogue.");
                }
            }
        }
        return entries.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
