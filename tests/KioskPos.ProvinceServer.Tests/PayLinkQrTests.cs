using KioskPos.ProvinceServer.Apis;
using static KioskPos.Tests.Shared.ForgedQrs;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>The relative's page draws the pushed QR only when it pays the institution's registered account the payment's amount, and nothing else.</summary>
public sealed class PayLinkQrTests
{
    public static TheoryData<string> Refused => [.. SecondMerchants(PayosAnswer), PayosAnswer + "\n"];

    [Fact]
    public void The_page_draws_a_canonical_QR_for_the_registered_account_and_amount()
    {
        Assert.True(PayLinkPage.Shows(PayosAnswer, "970418", "V3CAS8854359196", 5000));
        Assert.False(PayLinkPage.Shows(PayosAnswer, "970418", "0011000123456", 5000));
        Assert.False(PayLinkPage.Shows(PayosAnswer, "970418", "V3CAS8854359196", 6000));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void The_page_refuses_a_QR_with_a_second_merchant_template_or_whitespace(string payload) =>
        Assert.False(PayLinkPage.Shows(payload, "970418", "V3CAS8854359196", 5000));
}
