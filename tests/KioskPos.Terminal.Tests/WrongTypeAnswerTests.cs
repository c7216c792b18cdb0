using System.Net;
using System.Text;
using KioskPos.Storage;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A body with a value of the wrong JSON type is answered with the value's JSON path and the kind of value expected, in
/// plain words: the answer was System.Text.Json's message, naming .NET types ("The JSON value could not be converted to
/// KioskPos.Core.Payments.RequestedAllocation").
/// </summary>
public sealed class WrongTypeAnswerTests : TerminalTest
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("POST wrong-typed values (a number for an object or text, text for a number, an object for a list, a number for true/false) to payments, top-ups, sign-in, cards, speech and the emulated printer",
        "400 naming the JSON path and the kind expected (text, whole number, true or false, object, list); no .NET type or namespace")]
    public async Task A_wrong_typed_value_is_answered_with_its_path_and_the_kind_expected_never_a_dotnet_type()
    {
        var supervisor = await Terminal.StaffAsync(StaffRole.Supervisor);
        const string Payment = """{"payerCode":"HS240004","method":"vietqr","bills":[{"billId":"BT-2611-HS240004","amount":100}]}""";
        var cases = new (HttpClient Client, string Path, string Body, string Code, string At, string Expected)[]
        {
            (Terminal.Http, "/api/v1/payments", Payment.Replace("""{"billId":"BT-2611-HS240004","amount":100}""", "1", StringComparison.Ordinal), "malformed_json", "$.bills[0]", "an object"),
            (Terminal.Http, "/api/v1/payments", Payment.Replace("\"amount\":100", "\"amount\":\"100\"", StringComparison.Ordinal), "malformed_json", "$.bills[0].amount", "a whole number"),
            (Terminal.Http, "/api/v1/payments", Payment.Replace("\"amount\":100", "\"amount\":1.5", StringComparison.Ordinal), "malformed_json", "$.bills[0].amount", "a whole number"),
            (Terminal.Http, "/api/v1/payments", Payment.Replace("\"HS240004\"", "240004", StringComparison.Ordinal), "malformed_json", "$.payerCode", "text"),
            (Terminal.Http, "/api/v1/payments", """{"payerCode":"HS240004","method":"vietqr","bills":{"billId":"BT-2611-HS240004"}}""", "malformed_json", "$.bills", "a list"),
            (Terminal.Http, "/api/v1/top-ups", """{"payerCode":"HS240004","amount":true}""", "malformed_json", "$.amount", "a whole number"),
            (Terminal.Http, "/api/v1/sessions", """{"staffId":["tn01"],"pin":"1234"}""", "malformed_json", "$.staffId", "text"),
            (supervisor, "/api/v1/cards", """{"accountCode":{"code":"HS240004"},"cardUid":"04A1B2C3"}""", "malformed_json", "$.accountCode", "text"),
            (Terminal.Http, "/api/v1/speech", """{"screen":"payer","count":"2"}""", "invalid_speech", "$.count", "a whole number"),
            (Terminal.Http, "/dev/printer", """{"paperOut":"yes"}""", "malformed_json", "$.paperOut", "true or false"),
        };

        foreach (var (client, path, body, code, at, expected) in cases)
        {
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.False(MalformedBodies.NamesDotNet(text), $"{path} {body}: {text}");
            var problem = await response.ProblemAsync(HttpStatusCode.BadRequest, $"{path} {body}");
            Assert.Equal(code, problem.Code);
            Assert.True(problem.Detail?.Contains($" at {at} (line ", StringComparison.Ordinal) == true && problem.Detail.EndsWith($": expected {expected}.", StringComparison.Ordinal),
                $"{path} {body}: '{problem.Detail}', expected it to name {at} and end ': expected {expected}.'");
        }
    }
}
