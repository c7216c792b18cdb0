using System.Text;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.Shared.Tests;

/// <summary>
/// What <see cref="JsonBody"/> says of a body it cannot read: the JSON path, the line and position, and the kind of value
/// the path takes worked out from the contract's type, in plain words; System.Text.Json's own message named .NET types
/// (<c>could not be converted to KioskPos.Shared.Contracts.EnrolRequest</c>).
/// </summary>
public sealed class JsonBodyTests
{
    private static async Task<string?> ErrorAsync<T>(string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var (value, error) = await JsonBody.TryReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), typeInfo, CancellationToken.None);
        Assert.Null(value);
        Assert.DoesNotContain("KioskPos.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
        return error;
    }

    [Theory]
    [InlineData("[]", "Malformed JSON at $ (line 1, position 2): expected an object.")]
    [InlineData("\"x\"", "Malformed JSON at $ (line 1, position 4): expected an object.")]
    [InlineData("{}", "Malformed JSON at $ (line 1, position 3): missing required fields 'code', 'publicKey'.")]
    [InlineData("""{"code":"A1B2C3D4"}""", "Malformed JSON at $ (line 1, position 20): missing required field 'publicKey'.")]
    [InlineData("""{"code":null,"publicKey":"x"}""", "Malformed JSON at $.code (line 1, position 13): expected text, not null.")]
    [InlineData("""{"code":12345678,"publicKey":"x"}""", "Malformed JSON at $.code (line 1, position 17): expected text.")]
    [InlineData("""{"Code":true,"publicKey":"x"}""", "Malformed JSON at $.Code (line 1, position 13): expected text.")]
    public async Task A_wrong_body_for_an_object_names_the_path_and_what_it_takes(string body, string error) =>
        Assert.Equal(error, await ErrorAsync(body, ContractsJsonContext.Default.EnrolRequest));

    [Theory]
    [InlineData("""{"terminalId":"T","entries":{}}""", "$.entries", "a list")]
    [InlineData("""{"terminalId":"T","entries":[7]}""", "$.entries[0]", "an object")]
    [InlineData("""{"terminalId":"T","entries":[{"sequence":"1","kind":"k","createdAt":"2026-01-01T00:00:00Z"}]}""", "$.entries[0].sequence", "a whole number")]
    [InlineData("""{"terminalId":"T","entries":[{"sequence":1.5,"kind":"k","createdAt":"2026-01-01T00:00:00Z"}]}""", "$.entries[0].sequence", "a whole number")]
    [InlineData("""{"terminalId":"T","entries":[{"sequence":1,"kind":"k","createdAt":"yesterday"}]}""", "$.entries[0].createdAt", "a date and time (ISO 8601 text)")]
    [InlineData("""{"terminalId":"T","entries":[{"sequence":1,"kind":"k","createdAt":"2026-01-01T00:00:00Z","payment":5}]}""", "$.entries[0].payment", "an object")]
    public async Task A_wrong_value_deep_in_the_body_is_named_by_its_path_and_the_kind_its_type_takes(string body, string path, string expected)
    {
        var error = await ErrorAsync(body, ContractsJsonContext.Default.PushRequest);
        Assert.StartsWith($"Malformed JSON at {path} (line 1, position ", error, StringComparison.Ordinal);
        Assert.EndsWith($": expected {expected}.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{this is not json", "Malformed JSON at $ (line 1, position 2): 't' is an invalid start of a property name.")]
    [InlineData("", "Malformed JSON at $ (line 1, position 1): The input does not contain any JSON tokens.")]
    [InlineData("""{"terminalId":"T","entries":[{"sequence":1,""", "Malformed JSON at $.entries[0] (line 1, position 43): Expected start of a property name or value, but instead reached end of data.")]
    public async Task Text_that_is_not_json_keeps_the_readers_words(string body, string error) =>
        Assert.Equal(error, await ErrorAsync(body, ContractsJsonContext.Default.PushRequest));

    [Fact]
    public void A_body_read_whole_is_described_the_same_way()
    {
        // The bank's generic notification is deserialised from the bytes it was signed over.
        var body = """{"transactionId":"FT-1","accountNumber":"1023456789","amount":"150000","description":"x","transactionTime":"2026-01-01T00:00:00Z"}"""u8.ToArray();
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(body, ContractsJsonContext.Default.BankNotification));
        Assert.Equal("Malformed JSON at $.amount (line 1, position 71): expected a whole number.", JsonBody.Describe(error, ContractsJsonContext.Default.BankNotification));
    }
}
