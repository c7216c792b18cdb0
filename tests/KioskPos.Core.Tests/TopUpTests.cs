using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.VietQr;

namespace KioskPos.Core.Tests;

/// <summary>The standing top-up code and the top-up limits (issue 27).</summary>
public class TopUpTests
{
    [Fact]
    public void A_standing_code_is_the_same_for_the_same_account_short_ascii_and_fits_a_vietqr_purpose()
    {
        var code = StandingTransferCode.For("HS240002").Value;
        Assert.Equal(code, StandingTransferCode.For("hs240002").Value);
        Assert.Equal(StandingTransferCode.Length, code.Length);
        Assert.StartsWith(StandingTransferCode.Prefix, code, StringComparison.Ordinal);
        Assert.All(code, c => Assert.True(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)));
        Assert.NotEqual(code, StandingTransferCode.For("HS240003").Value);

        var payload = VietQrBuilder.Build(new VietQrPayload(false, "970436", "1023456789", Additional: new(Purpose: code)));
        Assert.Equal(code, VietQrParser.Parse(payload).Purpose);
    }

    [Fact]
    public void A_standing_code_is_found_in_a_bank_text_however_it_is_written_and_a_mistyped_one_is_not()
    {
        var code = StandingTransferCode.For("BN260001").Value;
        var found = Assert.Single(StandingTransferCode.FindIn($"MBVCB.3278.{code[..4].ToLowerInvariant()} {code[4..]}.CT tu 0123 nap tien"));
        Assert.Equal(code, found.Value);

        // Any one character changed is caught by the check character: never another account's money.
        foreach (var i in Enumerable.Range(2, code.Length - 2))
        {
            var other = TransferCode.Alphabet.First(c => c != code[i]);
            Assert.False(StandingTransferCode.TryParse(code[..i] + other + code[(i + 1)..], out _), $"changed at {i}");
        }

        // The two kinds of code do not read as each other.
        Assert.Empty(TransferCode.FindIn(code));
        Assert.Empty(StandingTransferCode.FindIn(TransferCode.Create(12, 345).Value));
        Assert.Empty(StandingTransferCode.FindIn("CHUYEN TIEN HOC PHI THANG 11"));
    }

    [Fact]
    public void The_limits_refuse_with_the_limit_they_pass_and_the_excess_of_money_that_arrives_above_them_is_what_passed()
    {
        var limits = new TopUpLimits(new Vnd(2_000_000), new Vnd(1_000_000));
        Assert.Null(limits.Check(new Vnd(500_000), new Vnd(1_500_000), Vnd.Zero));
        Assert.Equal("top_up_below_minimum", limits.Check(new Vnd(5_000), Vnd.Zero, Vnd.Zero)!.Code);
        Assert.Equal("top_up_over_max_balance", limits.Check(new Vnd(500_001), new Vnd(1_500_000), Vnd.Zero)!.Code);
        var daily = limits.Check(new Vnd(300_000), Vnd.Zero, new Vnd(800_000))!;
        Assert.Equal(("top_up_over_daily_limit", RefusalKind.Invalid), (daily.Code, daily.Kind));
        Assert.Contains("200.000 ₫", daily.Vietnamese, StringComparison.Ordinal);

        // Over both: the tighter limit is named, with what may really be added.
        var wide = new TopUpLimits(new Vnd(20_000_000), new Vnd(10_000_000));
        var both = wide.Check(new Vnd(99_000_000), new Vnd(6_500_000), Vnd.Zero)!;
        Assert.Equal("top_up_over_daily_limit", both.Code);
        Assert.Contains("tối đa 10.000.000 ₫", both.Vietnamese, StringComparison.Ordinal);
        var full = wide.Check(new Vnd(99_000_000), new Vnd(18_000_000), Vnd.Zero)!;
        Assert.Equal("top_up_over_max_balance", full.Code);
        Assert.Contains("tối đa 2.000.000 ₫", full.Vietnamese, StringComparison.Ordinal);

        Assert.Equal(Vnd.Zero, limits.Excess(new Vnd(500_000), new Vnd(1_500_000), Vnd.Zero));
        Assert.Equal(new Vnd(300_000), limits.Excess(new Vnd(800_000), new Vnd(1_500_000), Vnd.Zero)); // over the balance by 300.000
        Assert.Equal(new Vnd(400_000), limits.Excess(new Vnd(600_000), Vnd.Zero, new Vnd(800_000))); // over the day by 400.000
        Assert.Equal(new Vnd(100_000), limits.Excess(new Vnd(100_000), new Vnd(2_500_000), Vnd.Zero)); // never more than the credit

        Assert.True(TopUpLimits.DefaultFor(InstitutionType.LowerSecondary).MaxBalance < TopUpLimits.DefaultFor(InstitutionType.DistrictHealthCentre).MaxBalance);
    }
}
