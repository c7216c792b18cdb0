using KioskPos.Core.VietQr;

namespace KioskPos.Core.Tests;

/// <summary>The NAPAS member list shipped as data.</summary>
public sealed class NapasBankTests
{
    [Fact]
    public void The_list_holds_the_members_with_BINs_outside_970_too()
    {
        Assert.Equal("Vietcombank", NapasBanks.Find("970436")?.ShortName);
        Assert.Equal("CIMB", NapasBanks.Find("422589")?.ShortName);
        Assert.Equal("Timo", NapasBanks.Find("963388")?.ShortName);
        Assert.Null(NapasBanks.Find("970499"));
        Assert.True(NapasBanks.ByBin.Count >= 60);
    }

    [Theory]
    [InlineData("970436", "Vietcombank", true)]
    [InlineData("970436", "VIETCOMBANK chi nhánh Tiền Giang", true)]
    [InlineData("970436", "Ngân hàng TMCP Ngoại thương Việt Nam", true)]
    [InlineData("970436", "Techcombank", false)]
    [InlineData("970422", "MB Bank", true)]
    [InlineData("970422", "MBV", false)]
    [InlineData("970415", "VietinBank", true)]
    public void A_bank_name_must_name_the_BINs_bank(string bin, string name, bool names) =>
        Assert.Equal(names, NapasBanks.Names(NapasBanks.Find(bin)!, name));
}
