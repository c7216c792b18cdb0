using KioskPos.ProvinceServer.EInvoices;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// An adjustment's lines are the bills its void or refund gave back, titled as the original titled them; when the
/// reversal's bills do not fit the original, one line names the reversal for its amount, never lines that do not add
/// up to what is adjusted.
/// </summary>
public sealed class EDocumentLinesTests
{
    private static readonly BillLine[] s_bills = [new("BT-2611-HS240001", "Bán trú tháng 11/2026", 600_000), new("HP-2611-HS240001", "Học phí tháng 11/2026", 150_000)];

    private static PaymentReversalDto Refund(string payment, params AllocationDto[] bills) =>
        new(payment, bills.Sum(b => b.Amount), bills, ReversalDestinations.CardBalance, null, "Miễn giảm", "thu-ngan-01", "giam-sat-01");

    [Fact]
    public void The_bills_given_back_are_the_lines_in_the_originals_order_a_bill_named_twice_once()
    {
        var lines = EDocumentLines.Adjustment(s_bills, Refund("P1", new("HP-2611-HS240001", 50_000), new("BT-2611-HS240001", 100_000), new("HP-2611-HS240001", 25_000)), "P1", "refund", 175_000);

        Assert.Equal(new (string, long)[] { ("Bán trú tháng 11/2026", 100_000L), ("Học phí tháng 11/2026", 75_000L) }, lines);
    }

    [Theory]
    [InlineData("HP-2611-HS240002", 50_000, 50_000)] // a bill the payment did not pay
    [InlineData("HP-2611-HS240001", 200_000, 200_000)] // more back than the payment put on the bill
    [InlineData("HP-2611-HS240001", 50_000, 60_000)] // bills that do not add up to the amount adjusted
    public void Bills_that_do_not_fit_the_original_give_one_line_for_the_amount(string bill, long back, long amount)
    {
        var lines = EDocumentLines.Adjustment(s_bills, Refund("P1", new AllocationDto(bill, back)), "P1", "refund", amount);

        Assert.Equal(new (string, long)[] { ("Hoàn tiền thanh toán P1", amount) }, lines);
    }

    [Fact]
    public void A_reversal_without_bills_or_of_another_payment_gives_one_line_naming_the_void()
    {
        Assert.Equal(new (string, long)[] { ("Hủy thanh toán P1", 750_000L) }, EDocumentLines.Adjustment(s_bills, null, "P1", "void", 750_000));
        Assert.Equal(new (string, long)[] { ("Hủy thanh toán P1", 750_000L) }, EDocumentLines.Adjustment(s_bills, Refund("P1"), "P1", "void", 750_000));
        Assert.Equal(new (string, long)[] { ("Hủy thanh toán P1", 150_000L) }, EDocumentLines.Adjustment(s_bills, Refund("P2", new AllocationDto("HP-2611-HS240001", 150_000)), "P1", "void", 150_000));
    }

    [Fact]
    public void An_originals_lines_are_its_bills_then_what_it_paid_beyond_them()
    {
        Assert.Equal(new (string, long)[] { ("Bán trú tháng 11/2026", 600_000L), ("Học phí tháng 11/2026", 150_000L), (EDocumentLines.TopUpTitle, 50_000L) }, EDocumentLines.Original(s_bills, 800_000));
    }
}
