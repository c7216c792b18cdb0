using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;

namespace KioskPos.Firmware.Tests.Printing;

internal static class Samples
{
    public static readonly Institution School = new("TH-001", "Trường THCS Nguyễn Du", InstitutionType.LowerSecondary, "Châu Thành");

    public const string LookupUrl = "https://tinh.example/r/T01-000042?h=9f3a61c2d0be";

    /// <summary>A typical tuition receipt: ten bill lines.</summary>
    public static Receipt Tuition(int lines = 10) => new(
        School, "T01", "T01-000042", new DateTimeOffset(2026, 9, 5, 9, 30, 0, TimeSpan.FromHours(7)),
        "HS2024-0187", "Nguyễn Thị Bảo Ngọc", PayerKind.Pupil, "8A3",
        Enumerable.Range(1, lines).Select(i => new ReceiptItem($"Học phí tháng {i} - lớp 8A3, học kỳ I", BillCategory.Tuition, new Vnd(125_000), Vnd.Zero)).ToList(),
        new Vnd(125_000 * lines), PaymentMethod.CardBalance, "04A1B2C3", new Vnd(750_000), "Trần Văn Ước");

    /// <summary>A VietQR receipt for one 150.000 ₫ bill, the bank having confirmed <paramref name="received"/>.</summary>
    public static Receipt ByTransfer(long received) => Tuition(1) with
    {
        Items = [new ReceiptItem("Học phí tháng 9 - lớp 8A3", BillCategory.Tuition, new Vnd(Math.Min(150_000, received)), new Vnd(Math.Max(0, 150_000 - received)))],
        Total = new Vnd(Math.Min(150_000, received)),
        Method = PaymentMethod.VietQr,
        CardUid = null,
        BalanceAfter = null,
        Operator = null,
        Qr = new PaymentQr("KP7Q2M9X", "000201", new DateTimeOffset(2026, 9, 5, 9, 45, 0, TimeSpan.FromHours(7))),
        Transfer = new TransferReceived(new Vnd(150_000), new Vnd(received)),
    };

    public static PrintDocument TuitionDocument(int lines = 10) => ReceiptLayouts.Payment(Tuition(lines), PrintCopy.Original, LookupUrl);
}
