using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;

namespace KioskPos.Core.Tests;

public class CardUidTests
{
    [Theory]
    [InlineData("04a1b2c3", "04A1B2C3")]
    [InlineData("04:A1:B2:C3", "04A1B2C3")]
    [InlineData("04 a1 b2 c3", "04A1B2C3")]
    [InlineData("0472A9C1B2D380", "0472A9C1B2D380")]
    [InlineData("0102030405", "0102030405")]
    public void Normalises_separators_and_case(string input, string expected)
    {
        Assert.True(CardUid.TryNormalise(input, out var uid));
        Assert.Equal(expected, uid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("04A1B2")]
    [InlineData("04A1B2C3D")]
    [InlineData("04A1B2CZ")]
    [InlineData("04A1B2C3'; DROP TABLE accounts;--")]
    public void Refuses_what_is_not_a_card_uid(string? input) => Assert.False(CardUid.TryNormalise(input, out _));

    [Theory]
    [InlineData(" hs240001 ", "HS240001")]
    [InlineData("BN-26-0001", "BN-26-0001")]
    public void Normalises_payer_codes(string input, string expected)
    {
        Assert.True(PayerCode.TryNormalise(input, out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("HS 240001")]
    [InlineData("<script>")]
    public void Refuses_bad_payer_codes(string input) => Assert.False(PayerCode.TryNormalise(input, out _));
}

public class PaymentPlannerTests
{
    private static readonly PayerAccount s_pupil = new("HS1", PayerKind.Pupil, "Nguyễn Minh Anh", "6A", new Vnd(500_000), false, ["04A1B2C3"]);

    private static readonly Bill[] s_bills =
    [
        new("B1", "HS1", BillCategory.Tuition, "Học phí tháng 11", new DateOnly(2026, 11, 30), [], new Vnd(150_000), Vnd.Zero),
        new("B2", "HS1", BillCategory.Boarding, "Bán trú tháng 11", null, [], new Vnd(600_000), new Vnd(200_000)),
        new("B3", "HS1", BillCategory.Tuition, "Học phí tháng 10", null, [], new Vnd(150_000), new Vnd(150_000)),
        new("X1", "HS2", BillCategory.Tuition, "Another pupil's bill", null, [], new Vnd(150_000), Vnd.Zero),
    ];

    [Fact]
    public void A_null_amount_pays_what_is_outstanding()
    {
        var allocations = PaymentPlanner.PlanCardBalancePayment(s_pupil, s_bills, [new("B1", null), new("B2", 100_000)], new Vnd(500_000));
        Assert.Equal([new PaymentAllocation("B1", new Vnd(150_000)), new PaymentAllocation("B2", new Vnd(100_000))], allocations);
    }

    [Fact]
    public void Refuses_more_than_the_available_balance_with_both_amounts_in_the_message()
    {
        var e = Assert.Throws<PaymentRefusedException>(() =>
            PaymentPlanner.PlanCardBalancePayment(s_pupil, s_bills, [new("B1", null), new("B2", null)], new Vnd(500_000)));
        Assert.Equal("insufficient_balance", e.Refusal.Code);
        Assert.Contains("500.000 ₫", e.Refusal.Vietnamese);
        Assert.Contains("550.000 ₫", e.Refusal.Vietnamese);
    }

    [Theory]
    [InlineData("B3", null, "bill_not_payable")]
    [InlineData("X1", null, "bill_not_payable")]
    [InlineData("NOPE", null, "bill_not_payable")]
    [InlineData("B1", 0L, "invalid_request")]
    [InlineData("B1", -5L, "invalid_request")]
    [InlineData("B1", 150_001L, "bill_not_payable")]
    public void Refuses_bills_and_amounts_that_do_not_fit(string billId, long? amount, string code)
    {
        var e = Assert.Throws<PaymentRefusedException>(() =>
            PaymentPlanner.PlanCardBalancePayment(s_pupil, s_bills, [new(billId, amount)], new Vnd(10_000_000)));
        Assert.Equal(code, e.Refusal.Code);
    }

    [Fact]
    public void Refuses_the_same_bill_twice_and_an_empty_choice()
    {
        Assert.Equal("invalid_request", Assert.Throws<PaymentRefusedException>(() =>
            PaymentPlanner.PlanCardBalancePayment(s_pupil, s_bills, [new("B1", 1000), new("B1", 1000)], new Vnd(500_000))).Refusal.Code);
        Assert.Equal("invalid_request", Assert.Throws<PaymentRefusedException>(() =>
            PaymentPlanner.PlanCardBalancePayment(s_pupil, s_bills, [], new Vnd(500_000))).Refusal.Code);
    }

    [Fact]
    public void Refuses_a_blocked_card()
    {
        var blocked = s_pupil with { Blocked = true };
        Assert.Equal("card_blocked", Assert.Throws<PaymentRefusedException>(() =>
            PaymentPlanner.PlanCardBalancePayment(blocked, s_bills, [new("B1", null)], new Vnd(500_000))).Refusal.Code);
    }
}

public class ReceiptTests
{
    private static Receipt Sample(string name = "Nguyễn Thị Bảo Ngọc") => new(
        new Institution("I", "Trường THCS Nguyễn Du", InstitutionType.LowerSecondary, "Mỹ Tho"),
        "KP-THCS-ND-01", "KP-THCS-ND-01-00000042", new DateTimeOffset(2026, 11, 23, 9, 5, 0, TimeSpan.FromHours(7)),
        "HS240002", name, PayerKind.Pupil, "6A",
        [new ReceiptItem("Bán trú tháng 11/2026 (20 ngày ăn, phục vụ bán trú)", BillCategory.Boarding, new Vnd(600_000), new Vnd(0))],
        new Vnd(600_000), PaymentMethod.CardBalance, "04A1B2C3", new Vnd(1_400_000), null);

    [Theory]
    [InlineData(PlainTextLayout.Columns58mm)]
    [InlineData(PlainTextLayout.Columns80mm)]
    public void Every_line_fits_the_paper(int columns)
    {
        var lines = ReceiptLayouts.Payment(Sample(new string('X', 100))).ToLines(columns);
        Assert.All(lines, l => Assert.True(l.Length <= columns, $"'{l}' is {l.Length} > {columns}"));
    }

    [Fact]
    public void Shows_the_tuition_title_total_and_masked_card_in_NFC()
    {
        // The name arrives decomposed (NFD), as some keyboards send it; the receipt must be NFC.
        var lines = ReceiptLayouts.Payment(Sample("Nguyễn Thị Bảo Ngọc".Normalize(System.Text.NormalizationForm.FormD))).ToLines(PlainTextLayout.Columns80mm);
        var text = string.Join('\n', lines);
        Assert.Contains("BIÊN LAI THU HỌC PHÍ", text);
        Assert.Contains("600.000 ₫", text);
        Assert.Contains("Số dư còn lại:", text);
        Assert.Contains("••••B2C3", text);
        Assert.DoesNotContain("04A1B2C3", text);
        Assert.Contains("Nguyễn Thị Bảo Ngọc", text);
        Assert.True(text.IsNormalized(System.Text.NormalizationForm.FormC));
    }

    [Fact]
    public void A_health_facility_prints_a_fee_receipt()
    {
        var receipt = Sample() with { Institution = new Institution("H", "Trung tâm Y tế huyện Châu Thành", InstitutionType.DistrictHealthCentre, "Châu Thành"), PayerKind = PayerKind.Patient };
        Assert.Contains("BIÊN LAI THU VIỆN PHÍ", string.Join('\n', ReceiptLayouts.Payment(receipt).ToLines(PlainTextLayout.Columns80mm)));
    }

    [Fact]
    public void A_VietQR_receipt_names_the_recipient_and_the_accounts_last_digits()
    {
        // Fraud protection: the receipt says the name the payer's bank app had to show, as the QR screen said it.
        var account = new ReceivingAccount("970436", "1023456789", "TRUONG THCS NGUYEN DU", "Vietcombank");
        var receipt = Sample() with
        {
            Institution = new Institution("I", "Trường THCS Nguyễn Du", InstitutionType.LowerSecondary, "Mỹ Tho", account),
            Method = PaymentMethod.VietQr,
            Qr = new PaymentQr("KP1A2B3C", "000201", new DateTimeOffset(2026, 11, 23, 9, 20, 0, TimeSpan.FromHours(7))),
        };
        var text = string.Join(' ', ReceiptLayouts.Payment(receipt).ToLines(PlainTextLayout.Columns80mm));
        Assert.Contains("TRUONG THCS NGUYEN DU", text, StringComparison.Ordinal);
        Assert.Contains("TK đuôi 6789", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1023456789", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TK đuôi", string.Join(' ', ReceiptLayouts.Payment(Sample()).ToLines(PlainTextLayout.Columns80mm)), StringComparison.Ordinal); // a card payment: no transfer, no recipient line
    }

    // The receipt of a VietQR payment asking `due` for one bill, the bank having confirmed `received`.
    private static Receipt ByTransfer(long due, long received) => Sample() with
    {
        Items = [new ReceiptItem("Học phí tháng 11/2026", BillCategory.Tuition, new Vnd(Math.Min(due, received)), new Vnd(Math.Max(0, due - received)))],
        Total = new Vnd(Math.Min(due, received)),
        Method = PaymentMethod.VietQr,
        CardUid = null,
        BalanceAfter = null,
        Qr = new PaymentQr("KP1A2B3C", "000201", new DateTimeOffset(2026, 11, 23, 9, 20, 0, TimeSpan.FromHours(7))),
        Transfer = new TransferReceived(new Vnd(due), new Vnd(received)),
    };

    [Theory]
    [InlineData(PlainTextLayout.Columns58mm)]
    [InlineData(PlainTextLayout.Columns80mm)]
    public void An_overpaid_transfers_receipt_says_what_arrived_and_what_is_refunded_on_either_paper(int columns)
    {
        var lines = ReceiptLayouts.Payment(ByTransfer(150_000, 250_000)).ToLines(columns);
        Assert.All(lines, l => Assert.True(l.Length <= columns, $"'{l}' is {l.Length} > {columns}"));
        var text = string.Join('\n', lines);
        Assert.Matches(@"TỔNG CỘNG:\s+150\.000 ₫", text);
        Assert.Matches(@"Đã nhận:\s+250\.000 ₫", text);
        Assert.Matches(@"Thừa, sẽ hoàn lại:\s+100\.000 ₫", text);
        Assert.Contains("Received 250.000 ₫; the excess of 100.000 ₫ will be refunded.", string.Join(' ', lines), StringComparison.Ordinal);
        Assert.DoesNotContain("Còn thiếu", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PlainTextLayout.Columns58mm)]
    [InlineData(PlainTextLayout.Columns80mm)]
    public void An_underpaid_transfers_receipt_says_what_arrived_and_what_is_still_due_on_either_paper(int columns)
    {
        var lines = ReceiptLayouts.Payment(ByTransfer(750_000, 500_000)).ToLines(columns);
        Assert.All(lines, l => Assert.True(l.Length <= columns, $"'{l}' is {l.Length} > {columns}"));
        var text = string.Join('\n', lines);
        Assert.Matches(@"TỔNG CỘNG:\s+500\.000 ₫", text);
        Assert.Matches(@"Đã nhận:\s+500\.000 ₫", text);
        Assert.Matches(@"Còn thiếu:\s+250\.000 ₫", text);
        Assert.Contains("Received 500.000 ₫; 250.000 ₫ still due.", string.Join(' ', lines), StringComparison.Ordinal);
        Assert.DoesNotContain("hoàn lại", text, StringComparison.Ordinal);
    }

    // The receipt of a VietQR top-up asking `due`, the bank having confirmed `received`: the province puts what arrived
    // on the card, up to the amount asked.
    private static Receipt TopUpByTransfer(long due, long received) => ByTransfer(due, received) with
    {
        Items = [],
        BalanceAfter = new Vnd(150_000 + Math.Min(due, received)),
        TopUpCode = "NAP7K2Q9",
    };

    [Theory]
    [InlineData(PlainTextLayout.Columns58mm)]
    [InlineData(PlainTextLayout.Columns80mm)]
    public void An_overpaid_top_ups_receipt_says_what_went_on_the_card_what_arrived_and_what_is_refunded_on_either_paper(int columns)
    {
        var lines = ReceiptLayouts.Payment(TopUpByTransfer(500_000, 600_000)).ToLines(columns);
        Assert.All(lines, l => Assert.True(l.Length <= columns, $"'{l}' is {l.Length} > {columns}"));
        var text = string.Join('\n', lines);
        // On 58 mm paper the line's label loses its closing bracket and the amount goes under it.
        Assert.Matches(@"Nạp tiền vào thẻ \(tiền nộp trước\)?\s+500\.000 ₫", text);
        Assert.Matches(@"Đã nhận:\s+600\.000 ₫", text);
        Assert.Matches(@"Thừa, sẽ hoàn lại:\s+100\.000 ₫", text);
        Assert.Matches(@"Số dư sau khi nạp\s+650\.000 ₫", text);
        Assert.Contains("Received 600.000 ₫; 500.000 ₫ was put on the card and the excess of 100.000 ₫ will be refunded.", string.Join(' ', lines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PlainTextLayout.Columns58mm)]
    [InlineData(PlainTextLayout.Columns80mm)]
    public void A_short_top_ups_receipt_says_what_was_asked_and_what_went_on_the_card_and_asks_for_nothing_more_on_either_paper(int columns)
    {
        var lines = ReceiptLayouts.Payment(TopUpByTransfer(500_000, 300_000)).ToLines(columns);
        Assert.All(lines, l => Assert.True(l.Length <= columns, $"'{l}' is {l.Length} > {columns}"));
        var text = string.Join('\n', lines);
        // On 58 mm paper the line's label loses its closing bracket and the amount goes under it.
        Assert.Matches(@"Nạp tiền vào thẻ \(tiền nộp trước\)?\s+300\.000 ₫", text);
        Assert.Matches(@"Yêu cầu nạp:\s+500\.000 ₫", text);
        Assert.Matches(@"Đã nhận:\s+300\.000 ₫", text);
        Assert.Contains("Asked 500.000 ₫; 300.000 ₫ arrived, all of it put on the card.", string.Join(' ', lines), StringComparison.Ordinal);
        Assert.DoesNotContain("Còn thiếu", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hoàn lại", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transfer_of_the_amount_asked_and_its_provisional_slip_print_no_received_line()
    {
        Assert.DoesNotContain("Đã nhận", string.Join('\n', ReceiptLayouts.Payment(ByTransfer(150_000, 150_000)).ToLines(PlainTextLayout.Columns80mm)), StringComparison.Ordinal);
        var slip = ByTransfer(150_000, 250_000) with { Provisional = true };
        Assert.DoesNotContain("Đã nhận", string.Join('\n', ReceiptLayouts.Payment(slip).ToLines(PlainTextLayout.Columns80mm)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nguyễn Thị Minh Anh", "N. T. M. Anh")]
    [InlineData("Lê Nam", "L. Nam")]
    [InlineData("Đặng Văn Đạt", "Đ. V. Đạt")]
    [InlineData("Mai", "Mai")]
    public void Masks_names_for_public_screens(string name, string masked) => Assert.Equal(masked, PersonalData.MaskName(name));
}

public class OfflineLimitsTests
{
    private static readonly OfflinePolicy s_policy = new(new Vnd(500_000), new Vnd(1_000_000), new Vnd(2_000_000), TimeSpan.FromHours(72), TimeSpan.FromHours(24));

    private static OfflineExposure Exposure(long amount = 100_000, long cardToday = 0, long unsynced = 0, double hoursSinceSync = 1, double denyListHours = 1) =>
        new(new Vnd(amount), new Vnd(cardToday), new Vnd(unsynced), TimeSpan.FromHours(hoursSinceSync), TimeSpan.FromHours(denyListHours));

    [Fact]
    public void Within_every_limit_the_payment_may_be_taken() => Assert.Null(OfflineLimits.Check(s_policy, Exposure(amount: 500_000, cardToday: 500_000, unsynced: 1_500_000)));

    [Theory]
    [InlineData(500_001, 0, 0, 1, 1, "offline_payment_limit")]
    [InlineData(100_000, 950_000, 0, 1, 1, "offline_card_daily_limit")]
    [InlineData(100_000, 0, 1_950_000, 1, 1, "offline_terminal_limit")]
    [InlineData(100_000, 0, 0, 72.1, 1, "offline_too_long")]
    [InlineData(100_000, 0, 0, 1, 24.1, "offline_deny_list_stale")]
    public void Each_limit_refuses_with_its_own_reason(long amount, long cardToday, long unsynced, double hoursSinceSync, double denyListHours, string code)
    {
        var refusal = OfflineLimits.Check(s_policy, Exposure(amount, cardToday, unsynced, hoursSinceSync, denyListHours));
        Assert.NotNull(refusal);
        Assert.Equal(code, refusal.Code);
        Assert.False(string.IsNullOrWhiteSpace(refusal.Vietnamese));
    }

    [Fact]
    public void A_terminal_that_never_synced_takes_nothing_offline()
    {
        var refusal = OfflineLimits.Check(s_policy, new OfflineExposure(new Vnd(1), Vnd.Zero, Vnd.Zero, null, null));
        Assert.Equal("offline_too_long", refusal?.Code);
        Assert.Contains("72 giờ", refusal!.Vietnamese);
    }
}
