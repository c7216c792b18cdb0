using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Issue 19, make run's bank simulator: its form posts a transfer in SePay's, payOS's or Casso's format, signed as
/// each provider signs, to that provider's connection, and the server's own verification accepts it and completes
/// the payment once; a provider without a connection is told in words, nothing posted.
/// </summary>
public sealed class BankSimulatorProviderTests
{
    [Fact]
    public async Task The_bank_simulator_posts_as_sepay_payos_and_casso_each_verified_and_matched_once()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = province.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ProvinceHost.AdminToken);

        // No payOS connection yet: said so, nothing recorded.
        var (_, missing) = await SendAsync(http, "payos", "KP-NONE", 1_000);
        Assert.Contains("(payos)", missing, StringComparison.Ordinal);

        foreach (var (provider, secret) in new[] { ("sepay", ProviderSenders.SepayKey), ("payos", ProviderSenders.PayosChecksum), ("casso", ProviderSenders.CassoKey) })
        {
            await ProviderSenders.PutConnectionAsync(province, "demo-" + provider, provider, secret);
            var (payment, code) = await PendingPayments.CreateAsync(province, 120_000);
            var (status, result) = await SendAsync(http, provider, "CT tu NGUYEN VAN A " + code + " hoc phi", 120_000, "FT-SIM-" + provider);
            Assert.Equal(HttpStatusCode.Redirect, status);
            Assert.Contains($"{provider} demo-{provider} FT-SIM-{provider}: HTTP 200", result, StringComparison.Ordinal);
            Assert.Equal(("completed", 120_000L, 1L), await PendingPayments.StateAsync(province, payment));
            Assert.Equal("demo-" + provider, await province.ScalarAsync("SELECT connection_id FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));

            // The same transaction sent again is the provider retrying: once.
            await SendAsync(http, provider, "CT tu NGUYEN VAN A " + code + " hoc phi", 120_000, "FT-SIM-" + provider);
            Assert.Equal(("completed", 120_000L, 1L), await PendingPayments.StateAsync(province, payment));
        }

        Assert.Equal(3L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE connection_id LIKE 'demo-%'"), CultureInfo.InvariantCulture));
    }

    private static async Task<(HttpStatusCode Status, string Result)> SendAsync(HttpClient http, string provider, string text, long amount, string? txn = null)
    {
        using var response = await http.PostAsync("/bank-sim/send", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["provider"] = provider, ["account"] = ProvinceHost.SchoolAccount, ["bin"] = "970436", ["text"] = text,
            ["amount"] = amount.ToString(CultureInfo.InvariantCulture), ["txn"] = txn ?? string.Empty,
        }));
        return (response.StatusCode, Uri.UnescapeDataString(response.Headers.Location?.ToString() ?? string.Empty));
    }
}
