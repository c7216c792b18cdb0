using System.Globalization;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>Issue 19's attacks on the providers' webhooks: a forged signature, a stale timestamp, a replay.</summary>
[Trait("Category", "Attack")]
public sealed class ProviderWebhookAttackTests(ProviderWebhookFixture fixture) : IClassFixture<ProviderWebhookFixture>
{
    private ProvinceHost Province => fixture.Province;

    [Fact]
    [Attack("A SePay, payOS or Casso delivery signed with a wrong key", "401 bad_signature for each; nothing recorded, the payment still waits")]
    public async Task A_wrong_signature_is_refused_for_every_provider_and_records_nothing()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 50_000);
        var sepay = ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", ProviderSenders.SepayBody(ProviderPost.NextId(), ProvinceHost.SchoolAccount, 50_000, code), secret: "not-the-sepay-key-0123456789");
        var payos = ProviderPost.Payos(Province.BaseUrl, ProviderSenders.PayosData(ProviderPost.NextId(), 50_000, ProvinceHost.SchoolAccount, code, "TF-FORGED"), key: "not-the-checksum-key-0123456789");
        var casso = ProviderSenders.CassoRequest(Province.BaseUrl, "casso-1",
            new Dictionary<string, object?> { ["error"] = 0, ["data"] = ProviderSenders.CassoTransaction(ProviderPost.NextId(), ProvinceHost.SchoolAccount, 50_000, code) }, key: "not-the-casso-key-0123456789");
        var apiKey = ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", ProviderSenders.SepayBody(ProviderPost.NextId(), ProvinceHost.SchoolAccount, 50_000, code), secret: "not-the-sepay-key-0123456789", apiKey: true);
        var unsigned = ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", ProviderSenders.SepayBody(ProviderPost.NextId(), ProvinceHost.SchoolAccount, 50_000, code), secret: null);
        foreach (var request in new[] { sepay, payos, casso, apiKey, unsigned })
        {
            var (status, body) = await ProviderSenders.SendAsync(request);
            Assert.Equal(401, status);
            Assert.Equal("bad_signature", body.GetProperty("code").GetString());
        }

        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal(0L, Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE description LIKE $c", ("$c", $"%{code}%")), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Attack("A SePay or Casso delivery signed correctly six minutes ago (a captured request sent again later)", "401 stale_timestamp, refused from the headers; nothing recorded")]
    public async Task A_stale_timestamp_is_refused_for_SePay_and_Casso()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 60_000);
        var old = DateTimeOffset.UtcNow.AddMinutes(-6);
        var sepay = ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", ProviderSenders.SepayBody(ProviderPost.NextId(), ProvinceHost.SchoolAccount, 60_000, code), timestamp: old.ToUnixTimeSeconds());
        var casso = ProviderSenders.CassoRequest(Province.BaseUrl, "casso-1",
            new Dictionary<string, object?> { ["error"] = 0, ["data"] = ProviderSenders.CassoTransaction(ProviderPost.NextId(), ProvinceHost.SchoolAccount, 60_000, code) }, milliseconds: old.ToUnixTimeMilliseconds());
        foreach (var request in new[] { sepay, casso })
        {
            var (status, body) = await ProviderSenders.SendAsync(request);
            Assert.Equal(401, status);
            Assert.Equal("stale_timestamp", body.GetProperty("code").GetString());
        }

        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment));
    }

    [Fact]
    [Attack("payOS signs no timestamp: an old, correctly signed payOS delivery posted again later", "200 (payOS must stop), recorded once: the payment is not paid twice")]
    public async Task PayOS_an_old_delivery_posted_again_later_pays_once()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 65_000);
        var data = ProviderSenders.PayosData(ProviderPost.NextId(), 65_000, ProvinceHost.SchoolAccount, code, "TF-OLD-" + code);
        data["transactionDateTime"] = "2024-01-01 08:00:00";
        Assert.Equal(200, (await ProviderSenders.SendAsync(ProviderPost.Payos(Province.BaseUrl, data))).Status);
        Assert.Equal(200, (await ProviderSenders.SendAsync(ProviderPost.Payos(Province.BaseUrl, data))).Status);
        Assert.Equal(("completed", 65_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }

    [Theory]
    [InlineData("sepay")]
    [InlineData("payos")]
    [InlineData("casso")]
    [Attack("A captured, correctly signed delivery replayed within the timestamp's window", "200 and the transaction recorded once: the payment's received amount does not grow")]
    public async Task A_replayed_delivery_is_recorded_once(string provider)
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 45_000);
        var id = ProviderPost.NextId();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await ProviderSenders.SendAsync(ProviderPost.Transfer(Province.BaseUrl, provider, id, 45_000, code))).Status);
        }

        Assert.Equal(("completed", 45_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal(1L, Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE description LIKE $c", ("$c", $"%{code}%")), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Attack("Unauthenticated: a payOS or Casso v2 body holding an escaped lone surrogate (\\ud800), pure ASCII and valid JSON", "401 naming the field (the signature cannot be checked over it), never a 500; nothing recorded")]
    public async Task A_lone_surrogate_escape_before_the_signature_is_refused_with_401_naming_the_field()
    {
        // The reviewer's probes 1 and 2: reading the string threw InvalidOperationException while the signature was
        // computed, a 500 for anyone; for Casso any t within 5 minutes and any 128 hex digits sufficed.
        const string payos = """{"code":"00","desc":"success","success":true,"data":{"orderCode":1,"description":"\ud800"},"signature":"00"}""";
        var (status, body) = await ProviderSenders.SendAsync(ProviderSenders.Post(Province.BaseUrl, "payos", "payos-1", payos));
        Assert.Equal(401, status);
        Assert.Contains("data.description", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var cassoId = ProviderPost.NextId();
        var casso = $$$"""{"error":0,"data":{"id":{{{cassoId}}},"description":"\ud800","amount":1000,"transactionDateTime":"2026-12-06 10:00:00","accountNumber":"{{{ProvinceHost.SchoolAccount}}}"}}""";
        using var request = ProviderSenders.Post(Province.BaseUrl, "casso", "casso-1", casso);
        request.Headers.Add("X-Casso-Signature", $"t={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},v1={new string('a', 128)}");
        (status, body) = await ProviderSenders.SendAsync(request);
        Assert.Equal(401, status);
        Assert.Contains("data.description", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE connection_id = 'casso-1' AND bank_txn_id = $c",
            ("$c", cassoId.ToString(CultureInfo.InvariantCulture))), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Attack("An authentic delivery (SePay's HMAC, Casso's secure token, the generic HMAC) holding an escaped lone surrogate", "400 invalid_notification naming the field, never a 500; nothing recorded")]
    public async Task A_lone_surrogate_escape_in_an_authentic_body_is_refused_with_400_naming_the_field()
    {
        var sepayId = ProviderPost.NextId();
        var sepay = ProviderSenders.SepayBody(sepayId, ProvinceHost.SchoolAccount, 1_000, "SURROGATE").Replace("SURROGATE", "\\ud800", StringComparison.Ordinal);
        var (status, body) = await ProviderSenders.SendAsync(ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", sepay));
        Assert.Equal(400, status);
        Assert.Equal("invalid_notification", body.GetProperty("code").GetString());
        Assert.Contains("content", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var cassoId = ProviderPost.NextId();
        using (var classic = ProviderSenders.Post(Province.BaseUrl, "casso", "casso-1",
            $$"""{"error":0,"data":[{"id":{{cassoId}},"tid":"1","description":"x","amount":1000,"when":"2026-12-06 10:00:00","bank_sub_acc_id":"\udfff"}]}"""))
        {
            classic.Headers.Add("Secure-Token", ProviderSenders.CassoKey);
            (status, body) = await ProviderSenders.SendAsync(classic);
        }

        Assert.Equal(400, status);
        Assert.Contains("data[0].bank_sub_acc_id", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var generic = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"transactionId":"SURR-{{ProviderPost.NextId()}}","accountNumber":"{{ProvinceHost.SchoolAccount}}","amount":1000,"description":"\ud800","transactionTime":"2026-12-06T10:00:00+07:00"}""");
        (status, body) = await ProviderSenders.SendAsync(KioskPos.Shared.Contracts.BankSignature.CreateRequest(new Uri(Province.BaseUrl, KioskPos.Shared.Contracts.SyncProtocol.BankNotificationsPath),
            ProvinceHost.BankConnection, ProvinceHost.BankSecret, generic, DateTimeOffset.UtcNow));
        Assert.Equal(400, status);
        Assert.Contains("description", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(0L, Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE bank_txn_id IN ($s, $c) OR bank_txn_id LIKE 'SURR-%'",
            ("$s", sepayId.ToString(CultureInfo.InvariantCulture)), ("$c", cassoId.ToString(CultureInfo.InvariantCulture))), CultureInfo.InvariantCulture));
    }
}
