using KioskPos.Core.Domain;
using KioskPos.Terminal.Services;
using static KioskPos.Tests.Shared.ForgedQrs;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal draws a QR (its own, or the payment service's in its place) only when it pays the registered account and
/// nothing else: a payOS answer with a second merchant template beside NAPAS's would let the payer's app choose it.
/// </summary>
public sealed class QrAccountGuardTests
{
    private static readonly ReceivingAccount s_payosAccount = new("970418", "V3CAS8854359196", "TRUONG THCS", "BIDV");

    public static TheoryData<string> Refused => [.. SecondMerchants(PayosAnswer), PayosAnswer + "\n", PayosAnswer + " ", PayosAnswer[..^4] + "d35c"];

    [Fact]
    public void A_real_payOS_answer_is_drawn_for_its_own_account_only()
    {
        Assert.True(QrAccountGuard.IsRegistered(PayosAnswer, s_payosAccount));
        Assert.False(QrAccountGuard.IsRegistered(PayosAnswer, s_payosAccount with { AccountNumber = "0011000123456" }));
        Assert.True(new ProviderQrs().Accept("P-1", new ProviderQr("payos", PayosAnswer, null), s_payosAccount, 5000));
        Assert.False(new ProviderQrs().Accept("P-1", new ProviderQr("payos", PayosAnswer, null), s_payosAccount with { BankBin = "970436" }, 5000));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_payload_with_a_second_merchant_template_or_whitespace_or_a_lower_case_CRC_is_never_drawn(string payload)
    {
        Assert.False(QrAccountGuard.IsRegistered(payload, s_payosAccount));
        var qrs = new ProviderQrs();
        Assert.False(qrs.Accept("P-1", new ProviderQr("payos", payload, null), s_payosAccount, 5000));
        Assert.Null(qrs.Find("P-1"));
    }
}
