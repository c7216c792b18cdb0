using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// The text payOS and Casso sign, rebuilt from the JSON received: objects with their keys sorted (ordinal, at every
/// depth), written as JavaScript's <c>JSON.stringify</c> writes them (no spaces, non-ASCII as is, only quotes,
/// backslashes and control characters escaped, numbers as sent). Both services' client libraries sign this way.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>The compact JSON of <paramref name="element"/> with every object's keys sorted.</summary>
    public static string Sorted(JsonElement element)
    {
        var text = new StringBuilder();
        Write(element, text);
        return text.ToString();
    }

    /// <summary>
    /// payOS's data string: <c>key=value</c> for each key of <paramref name="data"/> in sorted order, joined by
    /// <c>&amp;</c>; null (or the words null/undefined) as empty, strings as they are, arrays and objects as sorted JSON.
    /// </summary>
    public static string PayosQuery(JsonElement data)
    {
        var text = new StringBuilder();
        foreach (var property in data.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (text.Length > 0)
            {
                text.Append('&');
            }

            text.Append(property.Name).Append('=');
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null or JsonValueKind.Undefined:
                    break;
                case JsonValueKind.String:
                    var s = value.GetString()!;
                    text.Append(s is "null" or "undefined" ? string.Empty : s);
                    break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    Write(value, text);
                    break;
                default:
                    text.Append(value.GetRawText());
                    break;
            }
        }

        return text.ToString();
    }

    private static void Write(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    WriteString(property.Name, text);
                    text.Append(':');
                    Write(property.Value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (i++ > 0)
                    {
                        text.Append(',');
                    }

                    Write(item, text);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, text);
                break;
            default:
                text.Append(element.GetRawText()); // numbers as sent, true, false, null
                break;
        }
    }

    private static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }
}
