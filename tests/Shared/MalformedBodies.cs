using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KioskPos.Tests.Shared;

/// <summary>
/// The malformed-input sweep both servers' attack tests run (issue 18): from the server's own OpenAPI document, every
/// operation with a JSON body gets bodies that are not JSON, <c>null</c>, <c>[]</c>, and a plausible object with each
/// property in turn null, of the wrong type, 10^15, a 10,000-character string, and each array holding null. None may
/// answer 500; whatever is refused is refused with a problem document that names no .NET type.
/// </summary>
internal static class MalformedBodies
{
    /// <summary>An operation of the document that reads a JSON body.</summary>
    /// <param name="Method">GET, POST, PUT…</param>
    /// <param name="Path">As the document writes it, with its <c>{parameters}</c>.</param>
    /// <param name="Schema">The body's schema, references resolved as they are met.</param>
    /// <param name="Responses">The responses the document declares for it.</param>
    public sealed record Operation(string Method, string Path, JsonElement Schema, JsonElement Responses)
    {
        /// <summary>True when the document declares <paramref name="status"/> with a body of <paramref name="mediaType"/> (e.g. an import's 422 report).</summary>
        public bool Declares(int status, string? mediaType) =>
            mediaType is not null &&
            Responses.ValueKind == JsonValueKind.Object &&
            Responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) &&
            response.TryGetProperty("content", out var content) &&
            content.TryGetProperty(mediaType, out _);
    }

    /// <summary>One request the sweep made that the server answered wrongly.</summary>
    public sealed record Failure(string Operation, string Variant, int Status, string Body)
    {
        public override string ToString() => $"{Operation} with {Variant}: {Status} {(Body.Length > 300 ? Body[..300] : Body)}";
    }

    private const string TenThousand = "10,000-char string";

    /// <summary>The operations of <paramref name="document"/> with an <c>application/json</c> body.</summary>
    public static IReadOnlyList<Operation> JsonBodyOperations(JsonDocument document)
    {
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                if (method.Value.ValueKind == JsonValueKind.Object &&
                    method.Value.TryGetProperty("requestBody", out var body) &&
                    body.TryGetProperty("content", out var content) &&
                    content.TryGetProperty("application/json", out var media) &&
                    media.TryGetProperty("schema", out var schema))
                {
                    operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, schema,
                        method.Value.TryGetProperty("responses", out var responses) ? responses : default));
                }
            }
        }

        return operations;
    }

    // The variants whose body is no JSON object: no operation taking an object may answer them with a success.
    private static readonly HashSet<string> NotAnObject = ["not JSON", "null", "[]", "a string", "a 10^15 number"];

    /// <summary>The malformed bodies for a body of <paramref name="schema"/>, each with its name.</summary>
    public static IEnumerable<(string Name, string Body)> Variants(JsonElement schema, JsonElement schemas, JsonObject? seed = null)
    {
        yield return ("not JSON", "{this is not json");
        yield return ("null", "null");
        yield return ("[]", "[]");
        yield return ("a string", "\"x\"");
        yield return ("a 10^15 number", "1000000000000000");
        yield return ("{}", "{}");
        var resolved = Resolve(schema, schemas);
        if (Sample(resolved, schemas, 0) is not JsonObject sample)
        {
            yield break;
        }

        // A seed makes the object valid where the sample's "test" would be refused before the property under attack is read.
        foreach (var (name, value) in seed ?? new JsonObject())
        {
            sample[name] = value?.DeepClone();
        }

        foreach (var (name, body) in PropertyVariants(sample, resolved, schemas, "$", 0))
        {
            yield return (name, body.ToJsonString());
        }
    }

    // Each property of the object in turn made wrong, the rest of the object left plausible; nested objects (in a
    // property or an array) one level down too.
    private static IEnumerable<(string Name, JsonObject Body)> PropertyVariants(JsonObject sample, JsonElement schema, JsonElement schemas, string at, int depth)
    {
        if (!schema.TryGetProperty("properties", out var properties))
        {
            yield break;
        }

        foreach (var property in properties.EnumerateObject())
        {
            var name = property.Name;
            var propertySchema = Resolve(property.Value, schemas);
            var types = Types(propertySchema);
            var wrong = new List<(string, JsonNode?)>
            {
                ("null", null),
                ("a 10^15 number", JsonValue.Create(1_000_000_000_000_000L)),
                (TenThousand, JsonValue.Create(new string('9', 10_000))),
                ("a negative number", JsonValue.Create(-1L)),
                ("an object", new JsonObject()),
                ("true", JsonValue.Create(true)),
                ("a fraction", JsonValue.Create(1.5)),
            };
            if (types.Contains("array"))
            {
                wrong.Add(("[null]", new JsonArray((JsonNode?)null)));
                wrong.Add(("[1e15]", new JsonArray(JsonValue.Create(1_000_000_000_000_000L))));
                wrong.Add(("an array of 10,000 nulls", new JsonArray(Enumerable.Repeat<JsonNode?>(null, 10_000).ToArray())));
            }
            else
            {
                wrong.Add(("[]", new JsonArray()));
            }

            foreach (var (what, value) in wrong)
            {
                var copy = (JsonObject)sample.DeepClone();
                copy[name] = value;
                yield return ($"{at}.{name} = {what}", copy);
            }

            if (depth > 0)
            {
                continue;
            }

            // One level down: an object property, or the first element of an array of objects.
            var itemSchema = types.Contains("array") && propertySchema.TryGetProperty("items", out var items) ? Resolve(items, schemas) : propertySchema;
            var seeded = sample[name] is JsonArray { Count: > 0 } array ? array[0] : sample[name];
            if (!Types(itemSchema).Contains("object") || (seeded as JsonObject ?? Sample(itemSchema, schemas, 1)) is not JsonObject inner)
            {
                continue;
            }

            foreach (var (innerName, innerBody) in PropertyVariants(inner, itemSchema, schemas, types.Contains("array") ? $"{at}.{name}[0]" : $"{at}.{name}", 1))
            {
                var copy = (JsonObject)sample.DeepClone();
                copy[name] = types.Contains("array") ? new JsonArray(innerBody) : innerBody;
                yield return (innerName, copy);
            }
        }
    }

    // A plausible value of a schema: every property filled, strings "test", numbers 1, arrays of one element.
    private static JsonNode? Sample(JsonElement schema, JsonElement schemas, int depth)
    {
        schema = Resolve(schema, schemas);
        var types = Types(schema);
        if (types.Contains("object") || schema.TryGetProperty("properties", out _))
        {
            var sample = new JsonObject();
            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    sample[property.Name] = depth > 2 ? null : Sample(property.Value, schemas, depth + 1);
                }
            }

            return sample;
        }

        if (types.Contains("array"))
        {
            return schema.TryGetProperty("items", out var items) && depth <= 2 ? new JsonArray(Sample(items, schemas, depth + 1)) : new JsonArray();
        }

        if (types.Contains("integer") || types.Contains("number"))
        {
            return JsonValue.Create(1);
        }

        if (types.Contains("boolean"))
        {
            return JsonValue.Create(false);
        }

        return types.Contains("string") ? JsonValue.Create("test") : null;
    }

    private static HashSet<string> Types(JsonElement schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                types.Add(type.GetString()!);
            }
            else if (type.ValueKind == JsonValueKind.Array)
            {
                foreach (var t in type.EnumerateArray())
                {
                    types.Add(t.GetString()!);
                }
            }
        }

        // A number may be written as a string (.NET's default number handling says so in the schema with a pattern).
        if (types.Contains("integer") || types.Contains("number"))
        {
            types.Remove("string");
        }

        return types;
    }

    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        for (var i = 0; i < 8; i++)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                schema = schemas.GetProperty(reference.GetString()!["#/components/schemas/".Length..]);
            }
            else if (schema.TryGetProperty("oneOf", out var oneOf) || schema.TryGetProperty("anyOf", out oneOf))
            {
                // Nullable references come as oneOf [null, $ref]: the non-null one.
                schema = oneOf.EnumerateArray().FirstOrDefault(s => !(s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
                if (schema.ValueKind != JsonValueKind.Object)
                {
                    break;
                }
            }
            else
            {
                break;
            }
        }

        return schema;
    }

    /// <summary>
    /// Sends every variant to every operation and returns what was answered wrongly: a 500 (or any 5xx that is not a
    /// problem document), a 4xx that is neither a problem document nor a body the document declares for that status
    /// (an import's 422 report of its rows), or a 4xx that names a .NET type or namespace. <paramref name="send"/> makes and sends the request
    /// (with the operation's credentials and its path filled in).
    /// </summary>
    public static async Task<(List<Failure> Failures, int Requests)> SweepAsync(
        JsonDocument document, Func<Operation, string, Task<HttpResponseMessage>> send, Func<Operation, JsonObject?>? seed = null)
    {
        var schemas = document.RootElement.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s)
            ? s
            : JsonDocument.Parse("{}").RootElement;
        var failures = new List<Failure>();
        var requests = 0;
        foreach (var operation in JsonBodyOperations(document))
        {
            foreach (var (variant, body) in Variants(operation.Schema, schemas, seed?.Invoke(operation)))
            {
                using var response = await send(operation, body);
                requests++;
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                var problem = mediaType == "application/problem+json" || operation.Declares(status, mediaType);
                if (status == (int)HttpStatusCode.InternalServerError || (status >= 400 && !problem && status != (int)HttpStatusCode.TooManyRequests))
                {
                    failures.Add(new Failure($"{operation.Method} {operation.Path}", variant, status, text));
                }
                else if (status >= 400 && NamesDotNet(text))
                {
                    // A refusal for people and integrators: the field and what it takes, never the server's own types.
                    failures.Add(new Failure($"{operation.Method} {operation.Path}", variant, status, text));
                }
                else if (status is >= 200 and < 300 && NotAnObject.Contains(variant))
                {
                    // A body that is no JSON object at all taken as a success: the request was not read as declared.
                    failures.Add(new Failure($"{operation.Method} {operation.Path}", variant, status, text));
                }
            }
        }

        return (failures, requests);
    }

    /// <summary>True when <paramref name="answer"/> names a .NET type or namespace (System.Int64, KioskPos.Core.…, Microsoft.…).</summary>
    public static bool NamesDotNet(string answer) =>
        answer.Contains("KioskPos.", StringComparison.Ordinal) || answer.Contains("System.", StringComparison.Ordinal) || answer.Contains("Microsoft.", StringComparison.Ordinal);

    /// <summary>A request of <paramref name="method"/> to <paramref name="path"/> carrying <paramref name="body"/> as JSON.</summary>
    public static HttpRequestMessage Request(string method, string path, string body) =>
        new(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
