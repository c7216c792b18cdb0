using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Receipts;

/// <summary>
/// The printed documents of a terminal, in Vietnamese: payment receipts (tuition at a school, fees at a health
/// facility), the provisional slip of a VietQR payment awaiting the bank, void and refund slips, X and Z reports and
/// the technician's test page. Each is a <see cref="PrintDocument"/> that prints on 58 or 80 mm paper.
/// </summary>
public static class ReceiptLayouts
{
    /// <summary>The mark a reprint carries at its top and bottom.</summary>
    public const string CopyMark = "BẢN SAO - IN LẠI";

    private const string DateFormat = "dd/MM/yyyy HH:mm:ss";

    /// <summary>The document reference (a file-safe name) of a payment's receipt, or of its provisional slip ("-tam").</summary>
    public static string ReferenceOf(string paymentId, bool provisional) => provisional ? paymentId + "-tam" : paymentId;

    /// <summary>
    /// A payment's receipt (or provisional slip). <paramref name="lookupUrl"/> becomes the QR for looking the receipt
    /// up; the provisional slip carries the VietQR to pay with instead.
    /// </summary>
    public static PrintDocument Payment(Receipt receipt, PrintCopy copy = PrintCopy.Original, string? lookupUrl = null)
    {
        var doc = new PrintDocumentBuilder($"{receipt.Title} {receipt.PaymentId}", ReferenceOf(receipt.PaymentId, receipt.Provisional));
        Header(doc, receipt.Institution, receipt.Title, copy);
        doc.Pair("Số biên lai:", receipt.PaymentId)
            .Pair("Ngày giờ:", Format(receipt.At))
            .Pair("Máy:", receipt.TerminalId);
        if (receipt.Operator is { } cashier)
        {
            doc.Pair("Thu ngân:", cashier);
        }

        doc.Rule()
            .Pair(receipt.PayerKind == PayerKind.Pupil ? "Học sinh:" : "Bệnh nhân:", receipt.PayerCode)
            .Text(receipt.PayerName, bold: true);
        if (receipt.Group is { } group)
        {
            doc.Pair(receipt.PayerKind == PayerKind.Pupil ? "Lớp:" : "Khoa:", group);
        }

        doc.Rule();
        foreach (var item in receipt.Items)
        {
            var category = item.Category.VietnameseName();
            doc.Pair(item.Title.StartsWith(category, StringComparison.OrdinalIgnoreCase) ? item.Title : $"{category} - {item.Title}", item.Amount.ToString());
            if (item.InsuranceCovered.IsPositive)
            {
                // The patient pays their part; the insurance's part is shown, not charged.
                doc.Pair("  BHYT chi trả (không thu):", item.InsuranceCovered.ToString());
            }

            if (item.RemainingAfter.IsPositive)
            {
                doc.Pair("  Còn nợ:", item.RemainingAfter.ToString());
            }
        }

        doc.Rule()
            .Pair(receipt.Provisional ? "SỐ TIỀN CẦN CK:" : "TỔNG CỘNG:", receipt.Total.ToString(), bold: true)
            .Text("Bằng chữ: " + VietnameseWords.Dong(receipt.Total) + ".")
            .Pair("Hình thức:", receipt.Method.VietnameseName());
        if (receipt.External is { } external)
        {
            doc.Pair("Thẻ:", "**** " + external.Last4).Pair("Mã duyệt:", external.ApprovalCode);
        }

        if (receipt.Qr is { } qr)
        {
            doc.Pair("Nội dung CK:", qr.TransferCode);
        }

        if (receipt.Provisional && receipt.Institution.Account is { } bank)
        {
            doc.Pair("Ngân hàng:", bank.BankName ?? bank.BankBin)
                .Pair("Số TK:", bank.AccountNumber)
                .Text(bank.AccountName);
        }

        if (receipt.CardUid is { } uid)
        {
            doc.Pair("Thẻ:", PersonalData.MaskCardUid(uid));
        }

        if (receipt.BalanceAfter is { } balance)
        {
            doc.Pair("Số dư còn lại:", balance.ToString());
        }

        doc.Rule();
        if (receipt.Provisional)
        {
            if (receipt.Qr is { } pay)
            {
                doc.Qr(pay.Payload, "Quét để chuyển khoản");
            }

            doc.Text("Phiếu này KHÔNG phải biên lai. Máy đang mất kết nối; khi ngân hàng xác nhận, biên lai sẽ được in (hoặc in lại tại quầy với số phiếu trên).")
                .Text("Not a receipt: the receipt follows when the bank confirms.");
            return Footer(doc, copy);
        }

        if (lookupUrl is not null)
        {
            doc.Qr(lookupUrl, "Quét để tra cứu biên lai");
        }

        doc.Centre("Cảm ơn quý khách!")
            .Centre("Giữ biên lai để đối chiếu.");
        return Footer(doc, copy);
    }

    /// <summary>A void or refund slip, with the supervisor who approved it and lines to sign.</summary>
    public static PrintDocument Reversal(ReversalSlip slip, PrintCopy copy = PrintCopy.Original)
    {
        var title = slip.IsRefund ? "PHIẾU HOÀN TIỀN" : "PHIẾU HỦY GIAO DỊCH";
        var doc = new PrintDocumentBuilder($"{title} {slip.SlipNumber}", slip.SlipNumber);
        Header(doc, slip.Institution, title, copy);
        doc.Pair("Số phiếu:", slip.SlipNumber)
            .Pair("Ngày giờ:", Format(slip.At))
            .Pair("Máy:", slip.TerminalId)
            .Pair("Biên lai gốc:", slip.OriginalReceipt)
            .Rule()
            .Pair("Người nộp:", slip.PayerCode)
            .Text(slip.PayerName, bold: true)
            .Rule()
            .Pair(slip.IsRefund ? "SỐ TIỀN HOÀN:" : "SỐ TIỀN HỦY:", slip.Amount.ToString(), bold: true)
            .Text("Bằng chữ: " + VietnameseWords.Dong(slip.Amount) + ".");
        if (slip.RefundTo is { } to)
        {
            // Wrapped, never cut: a bank transfer's reference must reach the paper whole.
            doc.Text("Hoàn vào: " + to);
        }

        doc.Text("Lý do: " + slip.Reason)
            .Pair("Thu ngân:", slip.Cashier)
            .Pair("Giám sát duyệt:", slip.Supervisor)
            .Feed()
            .Pair("Người nhận", "Thu ngân")
            .Feed(3)
            .Rule();
        return Footer(doc, copy);
    }

    /// <summary>The X report (the shift goes on) or the Z report (the shift closes).</summary>
    public static PrintDocument Shift(ShiftReport report, PrintCopy copy = PrintCopy.Original)
    {
        var title = report.Closing ? "BÁO CÁO CUỐI CA (Z)" : "BÁO CÁO TẠM (X)";
        var doc = new PrintDocumentBuilder($"{title} {report.ShiftNumber}", (report.Closing ? "z-" : "x-") + report.ShiftNumber + "-" + report.At.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Header(doc, report.Institution, title, copy);
        doc.Pair("Ca:", report.ShiftNumber)
            .Pair("Máy:", report.TerminalId)
            .Pair("Thu ngân:", report.Cashier)
            .Pair("Mở ca:", Format(report.OpenedAt))
            .Pair(report.Closing ? "Đóng ca:" : "Lúc in:", Format(report.At))
            .Rule();
        foreach (var method in report.ByMethod)
        {
            doc.Text(method.Method.VietnameseName())
                .Pair($"  {method.Count} giao dịch", method.Total.ToString());
        }

        doc.Pair($"Hủy ({report.Voids.Count}):", Minus(report.Voids.Total))
            .Pair($"Hoàn tiền ({report.Refunds.Count}):", Minus(report.Refunds.Total))
            .Rule()
            .Pair("THỰC THU:", report.Net.ToString(), bold: true)
            .Text("Bằng chữ: " + VietnameseWords.Dong(report.Net) + ".");
        if (report.PendingQr.Count > 0)
        {
            doc.Pair($"Chờ ngân hàng ({report.PendingQr.Count}):", report.PendingQr.Total.ToString());
        }

        if (report.FirstReceipt is { } first)
        {
            doc.Pair("Từ biên lai:", first).Pair("Đến biên lai:", report.LastReceipt ?? first);
        }

        if (!report.Closing)
        {
            doc.Centre("Ca vẫn mở - không phải báo cáo chốt ca.");
        }
        else
        {
            doc.Feed().Pair("Thu ngân", "Kế toán").Feed(3);
        }

        doc.Rule();
        return Footer(doc, copy);
    }

    /// <summary>The technician's test page: what the terminal is, every Vietnamese letter, sizes and a QR.</summary>
    public static PrintDocument TestPage(TestPageInfo info)
    {
        var doc = new PrintDocumentBuilder("TRANG IN THỬ", "test-" + info.At.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        doc.Centre("KIOSKPOS", bold: true, large: true)
            .Centre("TRANG IN THỬ / TEST PAGE", bold: true)
            .Rule()
            .Pair("Mã máy:", info.TerminalId)
            .Pair("Đăng ký:", info.Enrolment)
            .Pair("Cấu hình:", info.Profile)
            .Text("Máy in: " + info.Printer)
            .Pair("Phiên bản:", info.Version)
            .Pair("Lúc:", Format(info.At));
        if (info.ProvinceServer is { } server)
        {
            doc.Text("Máy chủ tỉnh: " + server);
        }

        foreach (var address in info.Addresses.DefaultIfEmpty("(không có)"))
        {
            doc.Pair("IP:", address);
        }

        doc.Rule()
            .Text("aăâbcdđeêghiklmnoôơpqrstuưvxy")
            .Text("AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY")
            .Text("à á ả ã ạ ằ ắ ẳ ẵ ặ ầ ấ ẩ ẫ ậ è é ẻ ẽ ẹ ề ế ể ễ ệ")
            .Text("ì í ỉ ĩ ị ò ó ỏ õ ọ ồ ố ổ ỗ ộ ờ ớ ở ỡ ợ")
            .Text("ù ú ủ ũ ụ ừ ứ ử ữ ự ỳ ý ỷ ỹ ỵ")
            .Text("Tiếng Việt có dấu: Nguyễn Thị Hường, Đặng Văn Ước")
            .Text("Đậm / bold", bold: true)
            .Centre("1.250.000 ₫", large: true)
            .Qr("KIOSKPOS TEST " + info.TerminalId, "QR thử")
            .Rule();
        return doc.Build();
    }

    /// <summary>
    /// What a terminal that is not enrolled prints when it starts (as an installer's box does): who it is, where it is
    /// on the network, and how to enrol it.
    /// </summary>
    public static PrintDocument StatusTicket(TestPageInfo info)
    {
        var doc = new PrintDocumentBuilder("PHIẾU TRẠNG THÁI MÁY", "status-" + info.At.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        doc.Centre("KIOSKPOS", bold: true, large: true)
            .Centre("CHƯA ĐĂNG KÝ / NOT ENROLLED", bold: true)
            .Rule()
            .Pair("Mã máy:", info.TerminalId)
            .Pair("Phiên bản:", info.Version)
            .Pair("Lúc:", Format(info.At));
        foreach (var address in info.Addresses.DefaultIfEmpty("(không có mạng)"))
        {
            doc.Pair("IP:", address);
        }

        doc.Rule()
            .Text("Đăng ký máy / to enrol:", bold: true)
            .Text("1. Trên máy chủ tỉnh: Quản trị → Mã đăng ký (chọn đơn vị, mã máy).")
            .Text("2. Trên máy này (SSH hoặc bàn phím):")
            .Text("kioskpos-terminal enroll --server <địa chỉ máy chủ> --code <mã>")
            .Text("3. Khởi động lại dịch vụ; in trang thử từ /tech để kiểm tra.")
            .Rule();
        return doc.Build();
    }

    /// <summary>
    /// A finished document marked as a copy at its top and bottom (a reprint of a slip or report kept as a document).
    /// A document already marked is returned as it is.
    /// </summary>
    public static PrintDocument MarkAsCopy(PrintDocument document)
    {
        var mark = new TextBlock($"*** {CopyMark} ***", TextAlign.Centre, Bold: true);
        if (document.Blocks.Count > 0 && document.Blocks[0] == mark)
        {
            return document;
        }

        return document with { Blocks = [mark, .. document.Blocks, mark] };
    }

    private static void Header(PrintDocumentBuilder doc, Institution institution, string title, PrintCopy copy)
    {
        if (copy == PrintCopy.Reprint)
        {
            doc.Centre($"*** {CopyMark} ***", bold: true);
        }

        doc.Centre(institution.Name.ToUpperInvariant(), bold: true)
            .Centre(title, bold: true, large: true)
            .Rule();
    }

    private static PrintDocument Footer(PrintDocumentBuilder doc, PrintCopy copy)
    {
        if (copy == PrintCopy.Reprint)
        {
            doc.Centre($"*** {CopyMark} ***", bold: true);
        }

        return doc.Build();
    }

    private static string Minus(Vnd amount) => amount.IsPositive ? "-" + amount : amount.ToString();

    private static string Format(DateTimeOffset at) => at.ToString(DateFormat, CultureInfo.InvariantCulture);
}
