using KioskPos.Core.VietQr;

namespace KioskPos.Core.Tests;

/// <summary>Text that reaches a payload: the eth typed for Đ, the transfer text's characters, the documented example code.</summary>
public sealed class VietQrTextTests
{
    [Theory]
    [InlineData("\u00D0ặng Văn \u00F0ức", "Dang Van duc")]
    [InlineData("Đặng Văn Đức", "Dang Van Duc")]
    public void The_eth_that_looks_like_D_with_stroke_folds_to_D(string text, string folded) =>
        Assert.Equal(folded, AsciiText.Fold(text));

    [Theory]
    [InlineData("Học phí, tháng 11/2026!", "Hoc phi thang 11 2026")]
    [InlineData("KP2AB22227QN - hoc phi", "KP2AB22227QN hoc phi")]
    [InlineData("ung ho lu lut", "ung ho lu lut")]
    public void The_transfer_text_keeps_only_letters_digits_and_spaces(string purpose, string written)
    {
        var payload = VietQrBuilder.Build(new VietQrPayload(true, "970436", "1023456789", Amount: 150_000, Additional: new(Purpose: purpose)));
        Assert.Equal(written, VietQrParser.Parse(payload).Purpose);
        Assert.True(PayingQr.TryRead(payload, out _));
    }

    [Fact]
    public void A_purpose_of_signs_only_is_refused() =>
        Assert.Equal("62/08", Assert.Throws<VietQrFormatException>(() => VietQrBuilder.Build(new VietQrPayload(true, "970436", "1023456789", Amount: 1, Additional: new(Purpose: "-- / --")))).Error.Field);

    [Fact]
    public void The_documented_example_code_is_valid()
    {
        Assert.True(TransferCode.TryParse("KP2AB22227QN", out _));
        Assert.False(TransferCode.TryParse("KP2AB00007Q4", out _));
        var docs = File.ReadAllText(Path.Combine(KioskPos.Tests.Shared.RepositoryRoot.Find(), "docs", "how-it-works.md"));
        Assert.Contains("KP2AB22227QN", docs, StringComparison.Ordinal);
    }
}
