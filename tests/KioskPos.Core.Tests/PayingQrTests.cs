using KioskPos.Core.VietQr;
using KioskPos.Tests.Shared;
using static KioskPos.Tests.Shared.ForgedQrs;

namespace KioskPos.Core.Tests;

/// <summary>Only a canonical dynamic to-account VietQR may be drawn: no second merchant template a payer's app could choose.</summary>
public sealed class PayingQrTests
{
    public static TheoryData<string> SecondMerchantPayloads => [.. SecondMerchants(PayosAnswer)];

    [Fact]
    public void The_builder_writes_a_real_payOS_answer_byte_for_byte()
    {
        Assert.Equal(PayosAnswer, VietQrBuilder.Build(VietQrParser.Parse(PayosAnswer)));
        Assert.True(PayingQr.Pays(PayosAnswer, "970418", "V3CAS8854359196", out var parsed));
        Assert.Equal(5000, parsed.Amount);
        Assert.False(PayingQr.Pays(PayosAnswer, "970418", "V3CAS8854359197", out _));
        Assert.False(PayingQr.Pays(PayosAnswer, "970436", "V3CAS8854359196", out _));
    }

    [Theory]
    [MemberData(nameof(SecondMerchantPayloads))]
    public void A_QR_with_a_second_merchant_template_is_refused_although_its_CRC_and_NAPAS_account_are_right(string payload)
    {
        Assert.True(VietQrParser.TryParse(payload, out var parsed, out _), "the parser reads it (and skips the other template)");
        Assert.Equal("V3CAS8854359196", parsed.AccountNumber);
        Assert.False(PayingQr.Pays(payload, "970418", "V3CAS8854359196", out _));
    }

    [Theory]
    [InlineData(PayosAnswer + "\n")]
    [InlineData(PayosAnswer + " ")]
    [InlineData(" " + PayosAnswer)]
    public void Whitespace_around_a_payload_is_refused(string payload)
    {
        Assert.True(VietQrParser.TryParse(payload, out _, out _));
        Assert.False(PayingQr.TryRead(payload, out _));
    }

    [Fact]
    public void A_lower_case_CRC_an_unknown_additional_field_another_order_a_static_QR_or_a_card_are_refused()
    {
        Assert.False(PayingQr.TryRead(PayosAnswer[..^4] + "d35c", out _));
        var extra62 = WithField(VietQrBuilder.Build(new VietQrPayload(true, "970418", "123456", Amount: 1000)), "62", "0904abcd");
        Assert.True(VietQrParser.TryParse(extra62, out _, out _));
        Assert.False(PayingQr.TryRead(extra62, out _));

        // 53 before 38: the same fields, not the builder's order.
        var canonical = VietQrBuilder.Build(new VietQrPayload(true, "970418", "123456", Amount: 1000));
        var fields = canonical[..^8];
        var currency = fields.IndexOf("5303704", StringComparison.Ordinal);
        var reordered = fields[..12] + "5303704" + fields[12..currency] + fields[(currency + 7)..] + "6304";
        reordered += Crc16Ccitt.ComputeHex(reordered);
        Assert.True(VietQrParser.TryParse(reordered, out _, out _));
        Assert.False(PayingQr.TryRead(reordered, out _));

        Assert.True(PayingQr.TryRead(canonical, out _));
        Assert.False(PayingQr.TryRead(VietQrBuilder.Build(new VietQrPayload(false, "970418", "123456", Amount: 1000)), out _));
        Assert.False(PayingQr.TryRead(VietQrBuilder.Build(new VietQrPayload(true, "970418", "9704181234567890", VietQrService.ToCard, Amount: 1000)), out _));
    }
}
