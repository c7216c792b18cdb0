using System.Net;
using System.Text;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// A body with a value of the wrong JSON type is answered with the value's JSON path and the kind of value expected, in
/// plain words: the answer was System.Text.Json's message, naming .NET types ("The JSON value could not be converted to
/// System.Int64", "… to KioskPos.Shared.Contracts.JournalEntryDto").
/// </summary>
public sealed class WrongTypeAnswerTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("send wrong-typed values (text for a number, a number for text or an object, an object for a list, true for a number) to the administrator's, the terminals', enrolment's and the bank's endpoints",
        "400 naming the JSON path and the kind expected (text, whole number, object, list); no .NET type or namespace")]
    public async Task A_wrong_typed_value_is_answered_with_its_path_and_the_kind_expected_never_a_dotnet_type()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var signed = await province.SignedClientAsync();
        using var anonymous = new HttpClient { BaseAddress = province.BaseUrl };
        var cases = new (HttpClient Client, HttpMethod Method, string Path, string Body, string Code, string At, string Expected)[]
        {
            (province.Admin, HttpMethod.Post, "/api/v1/admin/enrolment-codes", """{"institutionId":"TG-THCS-NGUYENDU","terminalId":"KP-THCS-ND-09","validMinutes":"5"}""", "malformed_json", "$.validMinutes", "a whole number"),
            (province.Admin, HttpMethod.Put, "/api/v1/admin/top-up-limits/vocational", """{"maxBalance":true,"maxPerDay":5}""", "invalid_top_up_limits", "$.maxBalance", "a whole number"),
            (province.Admin, HttpMethod.Post, "/api/v1/admin/bills", """{"bills":5}""", "malformed_json", "$.bills", "a list"),
            (province.Admin, HttpMethod.Post, "/api/v1/admin/bills", """{"bills":[{"billId":7}]}""", "malformed_json", "$.bills[0].billId", "text"),
            (province.Admin, HttpMethod.Put, "/api/v1/admin/plans", """{"plans":{}}""", "malformed_json", "$.plans", "a list"),
            (province.Admin, HttpMethod.Put, "/api/v1/admin/institutions/TG-THCS-NGUYENDU", """{"name":["a"],"type":"school"}""", "malformed_json", "$.name", "text"),
            (signed, HttpMethod.Post, SyncProtocol.PushPath, """{"terminalId":"KP-THCS-ND-01","entries":[7]}""", "malformed_json", "$.entries[0]", "an object"),
            (signed, HttpMethod.Post, SyncProtocol.PushPath, """{"terminalId":"KP-THCS-ND-01","entries":[{"sequence":"one","kind":"payment.created","createdAt":"2026-11-23T02:00:00Z"}]}""", "malformed_json", "$.entries[0].sequence", "a whole number"),
            (signed, HttpMethod.Post, SyncProtocol.AuthorisePath, """{"accountCode":"HS240001","cardUid":"04A1B2C3","amount":"5"}""", "malformed_json", "$.amount", "a whole number"),
            (anonymous, HttpMethod.Post, SyncProtocol.EnrolPath, """{"code":12345678,"publicKey":"x"}""", "malformed_json", "$.code", "text"),
        };

        foreach (var (client, method, path, body, code, at, expected) in cases)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
            await AssertNamesPathAndKindAsync(response, $"{method} {path} {body}", code, at, expected);
        }

        // The bank's generic notification, signed, with its amount as text.
        var notification = $$"""{"transactionId":"FT-TYPE-1","accountNumber":"{{ProvinceHost.SchoolAccount}}","amount":"150000","description":"CT tu NGUYEN VAN A","transactionTime":"{{DateTimeOffset.UtcNow:O}}","bankBin":"970436"}""";
        using var bank = await anonymous.SendAsync(BankSignature.CreateRequest(new Uri(province.BaseUrl, SyncProtocol.BankNotificationsPath), ProvinceHost.BankConnection, ProvinceHost.BankSecret, Encoding.UTF8.GetBytes(notification), DateTimeOffset.UtcNow));
        await AssertNamesPathAndKindAsync(bank, "a bank notification", "invalid_notification", "$.amount", "a whole number");
    }

    private static async Task AssertNamesPathAndKindAsync(HttpResponseMessage response, string what, string code, string at, string expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(MalformedBodies.NamesDotNet(text), $"{what}: {text}");
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest, what);
        Assert.Equal(code, problem.Code);
        Assert.True(problem.Detail?.Contains($" at {at} (line ", StringComparison.Ordinal) == true && problem.Detail.EndsWith($": expected {expected}.", StringComparison.Ordinal),
            $"{what}: '{problem.Detail}', expected it to name {at} and end ': expected {expected}.'");
    }
}
