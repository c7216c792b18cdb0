using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// The generic webhook's account number and BIN: a correctly signed notification whose values can be no Vietnamese
/// account (a path, spaces) or no BIN (letters) is refused naming the field and counted as refused, as every other
/// malformed delivery is; a BIN left empty is taken as not said, so a real notification is not lost over it.
/// </summary>
public sealed class GenericWebhookFieldTests
{
    [Fact]
    [Trait("Category", "Attack")]
    [Attack("post correctly signed generic notifications with accountNumber '../../x', '1023 456789' or 20 digits, bankBin 'abc' or '97043'",
        "400 invalid_notification naming accountNumber or bankBin; nothing recorded, each counted in the refusal summary; an empty bankBin and a real one are recorded")]
    public async Task A_signed_notification_with_no_account_number_or_bin_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        (string Account, string? Bin, string Field)[] refused =
        [
            ("../../x", "970436", "accountNumber"),
            ("1023 456789", "970436", "accountNumber"),
            (new string('1', 20), "970436", "accountNumber"),
            (ProvinceHost.SchoolAccount, "abc", "bankBin"),
            (ProvinceHost.SchoolAccount, "97043", "bankBin"),
        ];
        foreach (var (account, bin, field) in refused)
        {
            using var answer = await SendAsync(province, account, bin);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{account} {bin}: {(int)answer.StatusCode} {text}");
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal("invalid_notification", problem.GetProperty("code").GetString());
            Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0L, Count(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));
        Assert.Equal(0L, Count(await province.ScalarAsync("SELECT COUNT(*) FROM bank_deliveries")));
        var refusals = await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/bank/refusals");
        Assert.Equal(refused.Length, refusals!.Where(r => r.GetProperty("reason").GetString() == "invalid_notification").Sum(r => r.GetProperty("deliveries").GetInt64()));

        foreach (var bin in (string?[])[string.Empty, null, "970436"])
        {
            using var answer = await SendAsync(province, ProvinceHost.SchoolAccount, bin);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.Equal("null|\nnull|\n970436|\n", await province.RowsAsync("SELECT bank_bin FROM bank_transfers ORDER BY id"));
    }

    // A generic notification signed as the bank's service signs it, with the account and BIN as given (bankBin null: left out).
    private static async Task<HttpResponseMessage> SendAsync(ProvinceHost province, string account, string? bin)
    {
        var fields = new Dictionary<string, object?>
        {
            ["transactionId"] = "FT" + Guid.NewGuid().ToString("N")[..12],
            ["accountNumber"] = account,
            ["amount"] = 150_000,
            ["description"] = "CT tu NGUYEN VAN A",
            ["transactionTime"] = DateTimeOffset.UtcNow,
        };
        if (bin is not null)
        {
            fields["bankBin"] = bin;
        }

        using var request = BankSignature.CreateRequest(new Uri(province.BaseUrl, SyncProtocol.BankNotificationsPath), ProvinceHost.BankConnection, ProvinceHost.BankSecret,
            Encoding.UTF8.GetBytes(JsonSerializer.Serialize(fields)), DateTimeOffset.UtcNow);
        using var http = new HttpClient();
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static long Count(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
