using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Issue 19, the statement by the institution's own accountant: an accountant imports the statement of a connection
/// of their own institution and the payment completes; another institution's connection, or one with no institution,
/// is answered as unknown (404) and nothing is recorded; the connections themselves stay the administrator's.
/// </summary>
public sealed class StatementRoleTests
{
    private static readonly string s_today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_accountant_imports_the_statement_of_their_own_institutions_connection_only()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await ProviderSenders.PutConnectionAsync(province, "sepay-school", "sepay", ProviderSenders.SepayKey); // TG-THCS-NGUYENDU's
        using (var put = await province.Admin.PutAsJsonAsync("/api/v1/admin/bank/connections/sepay-hospital",
            new { provider = "sepay", institutionId = "TG-TTYT-CHAUTHANH", accountNumber = "2034567891", secret = ProviderSenders.SepayKey }))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        var (payment, code) = await PendingPayments.CreateAsync(province, 330_000);

        // Another institution's connection, and one that does not exist: the same 404, the body never read.
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(accountant, "sepay-hospital", code, 330_000)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(accountant, "sepay-nowhere", code, 330_000)).Status);
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_statement_lines"), CultureInfo.InvariantCulture));
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, payment));

        // Their own school's connection: imported and matched once.
        var (status, body) = await PostAsync(accountant, "sepay-school", code, 330_000);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(1, body.GetProperty("recorded").GetInt32());
        Assert.Equal(("completed", 330_000L, 1L), await PendingPayments.StateAsync(province, payment));

        // The connections stay the administrator's.
        using var list = await accountant.GetAsync(new Uri("/api/v1/admin/bank/connections", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string connection, string code, long amount)
    {
        var vietinbank = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account No:,{ProvinceHost.SchoolAccount}")
            .AppendLine("STT,Ngày giao dịch / Transaction date,Mô tả giao dịch / Transaction description,Nợ / Debit,Có / Credit,Số dư TK / Account balance,Số giao dịch / Transaction number")
            .AppendLine(CultureInfo.InvariantCulture, $"1,{s_today} 08:01:00,\"CT DEN:0912 PHAM VAN C {code}\",,\"{amount}\",\"1.350.000\",FT{ProviderPost.NextId()}")
            .ToString();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(vietinbank));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync(new Uri($"/api/v1/admin/bank/connections/{connection}/statement?layout=vietinbank", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }
}
