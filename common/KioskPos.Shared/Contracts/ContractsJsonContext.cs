using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// Source-generated JSON for the sync protocol (camelCase, no reflection, trimming- and AOT-safe). Nulls are
/// written, and every constructor parameter without a default must be present: a missing field is an error, not
/// a silent null. Numbers are read only as JSON numbers: the administrator's limits (offline policy, top-up limits)
/// and a bank's notification come through public endpoints in these contracts, and <c>"5"</c> is not 5 there.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(PullResponse))]
[JsonSerializable(typeof(PushRequest))]
[JsonSerializable(typeof(PushResponse))]
[JsonSerializable(typeof(JournalEntryDto))]
[JsonSerializable(typeof(ProblemDto))]
[JsonSerializable(typeof(PushEntryResult))]
[JsonSerializable(typeof(EnrolRequest))]
[JsonSerializable(typeof(EnrolResponse))]
[JsonSerializable(typeof(AuthoriseRequest))]
[JsonSerializable(typeof(AuthoriseResponse))]
[JsonSerializable(typeof(PaymentRequestDto))]
[JsonSerializable(typeof(PaymentRequestAnswer))]
[JsonSerializable(typeof(OfflinePolicyDto))]
[JsonSerializable(typeof(TopUpLimitsDto))]
[JsonSerializable(typeof(ConfirmationsResponse))]
[JsonSerializable(typeof(BankNotification))]
[JsonSerializable(typeof(BankNotificationResult))]
[JsonSerializable(typeof(ConfirmationDto))]
[JsonSerializable(typeof(TerminalReportDto))]
[JsonSerializable(typeof(UpgradeTargetDto))]
[JsonSerializable(typeof(UpgradeResultDto))]
[JsonSerializable(typeof(AccountClosureRequestDto))]
[JsonSerializable(typeof(AccountClosureDto))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;

/// <summary>Reads a JSON request body and turns every way it can be wrong into one clear message.</summary>
public static class JsonBody
{
    /// <summary>
    /// Deserialises <paramref name="body"/>; on failure returns null and a message naming where the JSON is
    /// wrong (path, line, position), never an exception.
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
            var where = e.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
            var line = e.LineNumber is { } l ? $" (line {l + 1}, position {e.BytePositionInLine + 1})" : string.Empty;
            return (null, $"Malformed JSON{where}{line}: {FirstSentence(e.Message)}");
        }
        catch (NotSupportedException e)
        {
            return (null, $"Unsupported JSON: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }
}
