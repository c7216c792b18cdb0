using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;

namespace KioskPos.Core.Tests;

/// <summary>The receipt's text twin carries where and with which key the legal e-document is found (issue 22).</summary>
public sealed class ReceiptLookupKeyTests
{
    private static readonly Receipt s_receipt = new(
        new Institution("TG-THCS-NGUYENDU", "Trường THCS Nguyễn Du", InstitutionType.LowerSecondary, "Châu Thành"), "KP-THCS-ND-01", "KP-THCS-ND-01-00000042",
        new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(7)), "HS240001", "Nguyễn Văn An", PayerKind.Pupil, "8A1",
        [new ReceiptItem("Học phí tháng 11/2026", BillCategory.Tuition, new Vnd(150_000), Vnd.Zero)], new Vnd(150_000), PaymentMethod.CardBalance, "04A1B2C3", new Vnd(1_850_000), null);

    [Theory]
    [InlineData(PlainTextLayout.Columns58mm)]
    [InlineData(PlainTextLayout.Columns80mm)]
    public void The_printed_receipt_says_where_and_with_which_key_to_find_the_e_document(int columns)
    {
        var lines = ReceiptLayouts.Payment(s_receipt, PrintCopy.Original, "http://tinh.example:5080/r/KP-THCS-ND-01-00000042?h=9f3a61c2d0be").ToLines(columns);
        var text = string.Join(' ', string.Join(' ', lines).Split(' ', StringSplitOptions.RemoveEmptyEntries)); // as read, whatever the wrapping
        Assert.Contains("Tra cứu hóa đơn/biên lai điện tử tại: http://tinh.example:5080/r Mã tra cứu: 9F3A-61C2-D0BE", text, StringComparison.Ordinal);
        Assert.Contains("Số biên lai: KP-THCS-ND-01-00000042", text, StringComparison.Ordinal); // the number the page asks for beside the key
        Assert.Contains(lines, l => l.StartsWith("Mã tra cứu:", StringComparison.Ordinal) && l.EndsWith("9F3A-61C2-D0BE", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= columns, l));
    }

    [Fact]
    public void Without_a_lookup_link_nothing_is_promised()
    {
        var text = string.Join('\n', ReceiptLayouts.Payment(s_receipt).ToLines(PlainTextLayout.Columns80mm));
        Assert.DoesNotContain("Mã tra cứu", text, StringComparison.Ordinal);
        Assert.Null(ReceiptLookupKey.FromLookupUrl("https://tinh.example/r/X?h=nothex000000"));
    }

    [Fact]
    public void The_key_is_the_token_in_upper_case_groups_of_four() => Assert.Equal("0123-4567-89AB", ReceiptLookupKey.Format("0123456789ab"));
}
