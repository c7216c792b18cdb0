using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace KioskPos.Shared.Contracts;

/// <summary>Reads a JSON request body and turns every way it can be wrong into one clear message.</summary>
public static class JsonBody
{
    /// <summary>
    /// Deserialises <paramref name="body"/>; on failure returns null and a message naming where the JSON is
    /// wrong (path, line, position) and what was expected there, never an exception.
    /// </summary>
    public static async Task<(T? Value, string? Error)> TryReadAsync<T>(Stream body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(body, typeInfo, cancellationToken).ConfigureAwait(false);
            return value is null ? (null, "The body is empty or null; a JSON object is expected.") : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Describe(e, typeInfo));
        }
        catch (NotSupportedException)
        {
            return (null, "Unsupported JSON: the body cannot be read as this endpoint's request; see the API's OpenAPI document.");
        }
    }

    /// <summary>
    /// What is wrong with a body <paramref name="root"/> could not read, for the detail of a 400: the JSON path, the line
    /// and position, and in plain words what the path takes (text, a whole number, true or false, an object, a list),
    /// worked out from the type the path leads to. System.Text.Json's own message names .NET types
    /// (<c>could not be converted to KioskPos.Core.Payments.RequestedAllocation</c>) and is used only for JSON that
    /// does not parse, where it speaks of the text (<c>'x' is an invalid start of a value.</c>).
    /// </summary>
    public static string Describe(JsonException error, JsonTypeInfo root)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(root);
        var where = error.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
        var line = error.LineNumber is { } l ? $" (line {l + 1}, position {error.BytePositionInLine + 1})" : string.Empty;
        return $"Malformed JSON{where}{line}: {What(error, root)}";
    }

    private static string What(JsonException error, JsonTypeInfo root)
    {
        // The reader's own exception (a JsonException) inside: the text is not JSON, and its message says where.
        if (error.InnerException is JsonException)
        {
            return FirstSentence(error.Message);
        }

        var message = error.Message;
        var expected = Expected(error.Path is { Length: > 0 } path ? At(root, path) : root);
        const string Including = "missing required properties including:";
        var missing = message.IndexOf(Including, StringComparison.Ordinal);
        if (missing >= 0)
        {
            // "… for type 'KioskPos.X' was missing required properties including: 'billId', 'amount'." The names are the
            // JSON names, as the request writes them; only they are kept.
            var names = message[(missing + Including.Length)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.TrimEnd('.')).Where(n => n.Length > 2 && n[0] == '\'' && n[^1] == '\'').ToList();
            return names.Count switch
            {
                0 => $"expected {expected} with every required field.",
                1 => $"missing required field {names[0]}.",
                _ => $"missing required fields {string.Join(", ", names)}.",
            };
        }

        // RespectNullableAnnotations: "The constructor parameter 'Code' on type '…' doesn't allow null values."
        return message.Contains("allow null", StringComparison.Ordinal) ? $"expected {expected}, not null." : $"expected {expected}.";
    }

    // The type the path leads to from the root ($, $.bills[0].amount, $['odd name']); null where it cannot be followed.
    private static JsonTypeInfo? At(JsonTypeInfo root, string path)
    {
        if (!path.StartsWith('$'))
        {
            return null;
        }

        JsonTypeInfo? info = root;
        var i = 1;
        while (i < path.Length && info is not null)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                info = Member(info, path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                info = Member(info, path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0)
                {
                    return null;
                }

                info = info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element ? TypeInfo(info, element) : null;
                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        return info;
    }

    private static JsonTypeInfo? Member(JsonTypeInfo info, string name)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                var comparison = info.Options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                return info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison)) is { } property ? TypeInfo(info, property.PropertyType) : null;
            case JsonTypeInfoKind.Dictionary when info.ElementType is { } value:
                return TypeInfo(info, value);
            default:
                return null;
        }
    }

    private static JsonTypeInfo? TypeInfo(JsonTypeInfo from, Type type) =>
        from.Options.TryGetTypeInfo(type, out var info) ? info : null;

    // The kind of JSON value a type is read from, in plain words; never the type's name.
    private static string Expected(JsonTypeInfo? info)
    {
        const string Documented = "a value of the kind the API's OpenAPI document gives";
        if (info is null)
        {
            return Documented;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Enumerable:
                return "a list";
            case JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary:
                return "an object";
        }

        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type.IsEnum)
        {
            return "one of the values the API's OpenAPI document lists";
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.String or TypeCode.Char => "text",
            TypeCode.Boolean => "true or false",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 => "a whole number",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.DateTime => "a date and time (ISO 8601 text)",
            _ when type == typeof(DateTimeOffset) => "a date and time (ISO 8601 text)",
            _ when type == typeof(DateOnly) => "a date (yyyy-MM-dd text)",
            _ when type == typeof(TimeOnly) => "a time of day (HH:mm:ss text)",
            _ when type == typeof(TimeSpan) => "a duration (text, d.hh:mm:ss)",
            _ when type == typeof(Guid) => "a GUID (text)",
            _ when type == typeof(Uri) => "an address (text)",
            _ when type == typeof(byte[]) => "base64 text",
            _ when type == typeof(Int128) || type == typeof(UInt128) => "a whole number",
            _ => Documented,
        };
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }
}
