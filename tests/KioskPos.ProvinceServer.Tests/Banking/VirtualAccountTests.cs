using System.Globalization;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Review of the bank intake, finding 1: SePay requires a virtual account (VA) at BIDV, MSB, KienlongBank and OCB and
/// posts the bank's main account in <c>accountNumber</c> and the VA in <c>subAccount</c>
/// (developer.sepay.vn/en/sepay-webhooks/tai-khoan-ngan-hang); Casso's webhook v2 carries it in
/// <c>virtualAccountNumber</c> (its documented example). The payer transferred to the VA, the one the school's QR
/// carries (here <see cref="ProvinceHost.SchoolAccount"/>), so the transfer pays whether the connection names the VA
/// or the main account; SePay's memo VA ("TKP") in the same field is a code, and the main account stays the one paid.
/// </summary>
public sealed class VirtualAccountTests(ProviderWebhookFixture fixture) : IClassFixture<ProviderWebhookFixture>
{
    private const string MainAccount = "8800112233";

    private ProvinceHost Province => fixture.Province;

    [Fact]
    public async Task SePay_a_transfer_to_the_schools_virtual_account_pays_when_the_connection_names_the_VA()
    {
        // The reviewer's probe: BIDV's main account in accountNumber, the school's QR account as the VA.
        var (payment, code) = await PendingPayments.CreateAsync(Province, 90_000);
        var body = ProviderSenders.SepayBody(ProviderPost.NextId(), MainAccount, 90_000, code, subAccount: ProvinceHost.SchoolAccount);
        var (status, _) = await ProviderSenders.SendAsync(ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", body));
        Assert.Equal(200, status);
        Assert.Equal(("completed", 90_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal(ProvinceHost.SchoolAccount, await Province.ScalarAsync("SELECT account_number FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));
    }

    [Fact]
    public async Task SePay_a_transfer_to_the_schools_virtual_account_pays_when_the_connection_names_the_main_account()
    {
        await ProviderSenders.PutConnectionAsync(Province, "sepay-main", "sepay", ProviderSenders.SepayKey, account: MainAccount);
        var (payment, code) = await PendingPayments.CreateAsync(Province, 91_000);
        var body = ProviderSenders.SepayBody(ProviderPost.NextId(), MainAccount, 91_000, code, subAccount: ProvinceHost.SchoolAccount);
        var (status, _) = await ProviderSenders.SendAsync(ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-main", body));
        Assert.Equal(200, status);
        Assert.Equal(("completed", 91_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }

    [Fact]
    public async Task SePay_a_memo_VA_code_in_subAccount_leaves_the_main_account_the_one_paid()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 92_000);
        var body = ProviderSenders.SepayBody(ProviderPost.NextId(), ProvinceHost.SchoolAccount, 92_000, $"TKPNGUYENDU {code}", subAccount: "TKPNGUYENDU");
        var (status, _) = await ProviderSenders.SendAsync(ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", body));
        Assert.Equal(200, status);
        Assert.Equal(("completed", 92_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal(ProvinceHost.SchoolAccount, await Province.ScalarAsync("SELECT account_number FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));
    }

    [Fact]
    public async Task SePay_neither_the_main_account_nor_the_VA_the_connections_pays_nothing_and_waits_for_review()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 93_000);
        var id = ProviderPost.NextId();
        var body = ProviderSenders.SepayBody(id, MainAccount, 93_000, code, subAccount: "9990001112");
        var (status, _) = await ProviderSenders.SendAsync(ProviderSenders.SepayRequest(Province.BaseUrl, "sepay-1", body));
        Assert.Equal(200, status);
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal("unknown_account", await Province.ScalarAsync("SELECT flags FROM bank_transfers WHERE connection_id = 'sepay-1' AND bank_txn_id = $x",
            ("$x", id.ToString(CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task Casso_v2_a_transfer_to_the_schools_virtualAccountNumber_pays()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 94_000);
        var transaction = ProviderSenders.CassoTransaction(ProviderPost.NextId(), MainAccount, 94_000, code, virtualAccount: ProvinceHost.SchoolAccount);
        var (status, _) = await ProviderSenders.SendAsync(ProviderSenders.CassoRequest(Province.BaseUrl, "casso-1", new Dictionary<string, object?> { ["error"] = 0, ["data"] = transaction }));
        Assert.Equal(200, status);
        Assert.Equal(("completed", 94_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }
}
