using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// What a hostile-input sweep of <c>make run</c> found on the terminal's public API: amounts taken from text
/// (<c>"amount":"100"</c> paid 100 ₫ although text where a number belongs is malformed, as a number where text belongs
/// already was), a null among the speech endpoint's keys answered 500, and a payer code that is no payer code was
/// answered as if none had been given.
/// </summary>
public sealed class HostileInputSweepTests : TerminalTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province, extraArgs: ["--Speech:Player=none"]);

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        Terminal.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    [Theory]
    [InlineData("/api/v1/payments", """{"payerCode":"HS240004","method":"vietqr","bills":[{"billId":"BT-2611-HS240004","amount":"100"}]}""", "malformed_json", "$.bills[0].amount")]
    [InlineData("/api/v1/top-ups", """{"payerCode":"HS240004","amount":"100000"}""", "malformed_json", "$.amount")]
    [InlineData("/api/v1/speech", """{"screen":"payer","count":1,"amount":"750000"}""", "invalid_speech", "$.amount")]
    public async Task A_number_sent_as_text_is_a_malformed_body_naming_its_path(string path, string body, string code, string where)
    {
        using var response = await PostAsync(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal(code, problem.Code);
        Assert.Contains($"at {where} ", problem.Detail, StringComparison.Ordinal);

        // The same body with the number as a number is taken (the payment) or gets past the body's reading.
        using var numeric = await PostAsync(path, body.Replace("\"100\"", "100", StringComparison.Ordinal).Replace("\"100000\"", "100000", StringComparison.Ordinal).Replace("\"750000\"", "750000", StringComparison.Ordinal));
        var answer = await numeric.Content.ReadAsStringAsync();
        Assert.DoesNotContain("malformed_json", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Malformed JSON", answer, StringComparison.Ordinal);
        if (path == "/api/v1/payments")
        {
            Assert.True(numeric.StatusCode == HttpStatusCode.Created, answer);
            Assert.Equal(100, JsonDocument.Parse(answer).RootElement.GetProperty("amount").GetInt64());
        }
    }

    [Theory]
    [InlineData("""{"screen":"msg","keys":[null]}""", "keys[0]")]
    [InlineData("""{"screen":"msg","keys":["kiosk.unknown",null]}""", "keys[1]")]
    [InlineData("""{"screen":"display.idle","keys":[null,null,null,null]}""", "keys[0]")]
    [InlineData("""{"screen":null,"keys":["kiosk.unknown"]}""", "screen")]
    [InlineData("""{"keys":null}""", "screen")]
    public async Task A_null_in_the_speech_request_is_refused_as_invalid_speech_naming_it_never_500(string body, string field)
    {
        using var response = await PostAsync("/api/v1/speech", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("invalid_speech", problem.Code);
        Assert.Contains(field, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/payments", """{"payerCode":"../../etc/passwd","method":"vietqr","bills":[{"billId":"BT-2611-HS240004"}]}""")]
    [InlineData("/api/v1/payments", """{"payerCode":"HS","method":"vietqr","bills":[{"billId":"BT-2611-HS240004"}]}""")]
    [InlineData("/api/v1/top-ups", """{"payerCode":"../../etc/passwd","amount":100000}""")]
    public async Task A_malformed_payer_code_is_refused_as_malformed_not_as_missing(string path, string body)
    {
        using var response = await PostAsync(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        Assert.Equal("invalid_request", problem.Code);
        Assert.Equal("Mã người nộp không hợp lệ.", problem.Title);
        Assert.Equal("A payer code is 3 to 32 letters, digits or '-'.", problem.Detail);

        // Without a payer code (or a blank one) the answer is still that one is missing.
        using var missing = await PostAsync(path, body.Replace("\"../../etc/passwd\"", "\"  \"", StringComparison.Ordinal).Replace("\"HS\"", "null", StringComparison.Ordinal));
        var refusal = await missing.ProblemAsync();
        Assert.Equal("invalid_request", refusal.Code);
        Assert.Contains("payerCode", refusal.Detail, StringComparison.Ordinal);
        Assert.NotEqual("Mã người nộp không hợp lệ.", refusal.Title);
    }
}
