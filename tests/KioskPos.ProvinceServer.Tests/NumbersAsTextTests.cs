using System.Net;
using System.Net.Http.Json;
using System.Text;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// A hostile-input sweep of <c>make run</c> found the province taking numbers from text: top-up limits of
/// <c>"5"</c> đồng and an enrolment code valid <c>"5"</c> minutes were stored as 5. Text where a number belongs is a
/// malformed body, named by its path, as a number where text belongs already was; the same body with numbers is taken.
/// </summary>
public sealed class NumbersAsTextTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Top_up_limits_sent_as_text_are_refused_naming_the_field_and_as_numbers_are_taken()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var text = await province.Admin.PutAsync("/api/v1/admin/top-up-limits/vocational", Json("""{"maxBalance":"5","maxPerDay":"5"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        var problem = await text.ProblemAsync();
        Assert.Equal("invalid_top_up_limits", problem.Code);
        Assert.Contains("at $.maxBalance ", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(0L, await province.ScalarAsync("SELECT COUNT(*) FROM top_up_limits WHERE institution_type = 'vocational' AND max_balance = 5"));

        using var numbers = await province.Admin.PutAsync("/api/v1/admin/top-up-limits/vocational", Json("""{"maxBalance":5,"maxPerDay":5}"""));
        Assert.Equal(HttpStatusCode.NoContent, numbers.StatusCode);
    }

    [Fact]
    public async Task An_enrolment_code_valid_for_minutes_sent_as_text_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var text = await province.Admin.PostAsync("/api/v1/admin/enrolment-codes", Json("""{"institutionId":"TG-THCS-NGUYENDU","terminalId":"KP-THCS-ND-09","validMinutes":"5"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        var problem = await text.ProblemAsync();
        Assert.Equal("malformed_json", problem.Code);
        Assert.Contains("at $.validMinutes ", problem.Detail, StringComparison.Ordinal);

        using var numbers = await province.Admin.PostAsync("/api/v1/admin/enrolment-codes", Json("""{"institutionId":"TG-THCS-NGUYENDU","terminalId":"KP-THCS-ND-09","validMinutes":5}"""));
        Assert.Equal(HttpStatusCode.OK, numbers.StatusCode);
    }

    [Fact]
    public async Task An_offline_policy_sent_as_text_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var terminal = await province.SignedClientAsync("KP-THCS-ND-01");
        const string Policy = """{"maxPerPayment":500000,"maxPerCardPerDay":1000000,"maxUnsyncedTotal":10000000,"maxMinutesSinceSync":4320,"maxDenyListAgeMinutes":1440}""";
        using var text = await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/offline-policy", Json(Policy.Replace("500000", "\"500000\"", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        var problem = await text.ProblemAsync();
        Assert.Equal("invalid_policy", problem.Code);
        Assert.Contains("at $.maxPerPayment ", problem.Detail, StringComparison.Ordinal);

        using var numbers = await province.Admin.PutAsync("/api/v1/admin/terminals/KP-THCS-ND-01/offline-policy", Json(Policy));
        Assert.Equal(HttpStatusCode.NoContent, numbers.StatusCode);
    }

    [Fact]
    public async Task A_bank_notification_with_its_amount_as_text_is_refused_and_records_nothing()
    {
        await using var province = await ProvinceHost.StartAsync();
        var body = $$"""{"transactionId":"FT-TEXT-1","accountNumber":"{{ProvinceHost.SchoolAccount}}","amount":"150000","description":"CT tu NGUYEN VAN A","transactionTime":"{{DateTimeOffset.UtcNow:O}}","bankBin":"970436"}""";
        using var request = BankSignature.CreateRequest(new Uri(province.BaseUrl, SyncProtocol.BankNotificationsPath), ProvinceHost.BankConnection, ProvinceHost.BankSecret, Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow);
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, answer);
        Assert.Contains("invalid_notification", answer, StringComparison.Ordinal);
        Assert.Contains("$.amount", answer, StringComparison.Ordinal);
        Assert.Equal(0L, await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE bank_txn_id = 'FT-TEXT-1'"));

        // The same notification with its amount as a number is taken.
        using var again = await province.NotifyAsync(150_000, "CT tu NGUYEN VAN A", "FT-TEXT-2");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }
}
