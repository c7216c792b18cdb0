using System.Globalization;
using System.Text.Json;
using KioskPos.ProvinceServer.Banking;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Issue 19, pull as the fallback: a transfer whose webhook never came (booked at the provider's simulated list API,
/// never posted) is found by the pull within one interval and matched once, and a webhook for it arriving after
/// changes nothing.
/// </summary>
public sealed class BankPullTests
{
    [Theory]
    [InlineData("sepay")]
    [InlineData("casso")]
    public async Task A_dropped_webhook_is_recovered_by_the_pull_within_one_interval_once(string provider)
    {
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=1"]);
        var secret = provider == "sepay" ? ProviderSenders.SepayKey : ProviderSenders.CassoKey;
        await ProviderSenders.PutConnectionAsync(province, provider + "-1", provider, secret, apiKey: simulator.ApiKey, apiBaseUrl: new Uri(simulator.BaseUrl, "/" + provider).ToString());
        var (payment, code) = await PendingPayments.CreateAsync(province, 150_000);

        // The bank books the transfer; the provider's webhook is dropped on the way.
        var id = simulator.Add(ProvinceHost.SchoolAccount, 150_000, $"HS240001 hoc phi {code}");
        simulator.Add(ProvinceHost.SchoolAccount, -20_000, "phi dich vu"); // money out: never matched

        var started = DateTime.UtcNow;
        while (await PendingPayments.StateAsync(province, payment) is { State: not "completed" } && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        var recovered = DateTime.UtcNow - started;
        Assert.Equal(("completed", 150_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.True(recovered < TimeSpan.FromSeconds(2.5), $"recovered after {recovered.TotalSeconds:F1} s with a 1 s interval");
        Assert.Equal("pull", await province.ScalarAsync("SELECT source FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));

        // Later pulls bring it again, and the late webhook comes: still once.
        var calls = simulator.Calls[provider];
        while (simulator.Calls[provider] < calls + 2)
        {
            await Task.Delay(100);
        }

        var late = ProviderPost.Transfer(province.BaseUrl, provider, id, 150_000, code);
        Assert.Equal(200, (await ProviderSenders.SendAsync(late)).Status);
        Assert.Equal(("completed", 150_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE connection_id = $c", ("$c", provider + "-1")), CultureInfo.InvariantCulture));
        Assert.NotNull(await province.ScalarAsync("SELECT last_pull_at FROM bank_connections WHERE id = $c AND last_pull_error IS NULL", ("$c", provider + "-1")));
    }

    [Fact]
    public async Task A_pull_the_provider_refuses_records_nothing_and_the_connection_shows_the_error_never_the_key()
    {
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=1"]);
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey, apiKey: "wrong-api-key-0123456789",
            apiBaseUrl: new Uri(simulator.BaseUrl, "/sepay").ToString());
        var (payment, code) = await PendingPayments.CreateAsync(province, 90_000);
        simulator.Add(ProvinceHost.SchoolAccount, 90_000, code);

        var started = DateTime.UtcNow;
        JsonElement view;
        do
        {
            await Task.Delay(200);
            view = JsonDocument.Parse(await province.Admin.GetStringAsync("/api/v1/admin/bank/connections/sepay-1")).RootElement;
        }
        while ((!view.TryGetProperty("lastPullError", out var error) || error.ValueKind == JsonValueKind.Null) && DateTime.UtcNow - started < TimeSpan.FromSeconds(10));

        Assert.Contains("401", view.GetProperty("lastPullError").GetString(), StringComparison.Ordinal);
        Assert.True(view.GetProperty("hasApiKey").GetBoolean());
        Assert.DoesNotContain("wrong-api-key-0123456789", view.GetRawText(), StringComparison.Ordinal);
        Assert.False(simulator.Calls.ContainsKey("sepay")); // refused at the key: no list served
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(0L, await PendingPayments.TransfersAsync(province, "sepay-1"));
    }
}
