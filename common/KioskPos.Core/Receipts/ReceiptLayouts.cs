using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Receipts;

/// <summary>
/// The printed documents of a terminal, in Vietnamese: payment receipts (tuition at a school, fees at a health
/// facility), the provisional slip of a VietQR payment awaiting the bank, void and refund slips, X and Z reports and
/// the technician's test page. Each is a <see cref="PrintDocument"/> that prints on 58 or 80 mm paper. Their labels
/// are the message catalogue's <c>receipt.*</c> texts (Text/Catalogue/receipts.json).
/// </summary>
public static class ReceiptLayouts
{
    /// <summary>The mark a reprint carries at its top and bottom.</summary>
    public static string CopyMark => L("copyMark");

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
        doc.Pair(L("number"), receipt.PaymentId)
            .Pair(L("at"), Format(receipt.At))
            .Pair(L("terminal"), receipt.TerminalId);
        if (receipt.Operator is { } cashier)
        {
            doc.Pair(L("cashier"), cashier);
        }

        doc.Rule()
            .Pair(L(receipt.PayerKind == PayerKind.Pupil ? "pupil" : "patient"), receipt.PayerCode)
            .Text(receipt.PayerName, bold: true);
        if (receipt.Group is { } group)
        {
            doc.Pair(L(receipt.PayerKind == PayerKind.Pupil ? "class" : "ward"), group);
        }

        doc.Rule();
        if (receipt.IsTopUp)
        {
            doc.Pair(Messages.Vi("top_up.receipt.line"), receipt.Total.ToString());
        }

        foreach (var item in receipt.Items)
        {
            var category = item.Category.VietnameseName();
            doc.Pair(item.Title.StartsWith(category, StringComparison.OrdinalIgnoreCase) ? item.Title : $"{category} - {item.Title}", item.Amount.ToString());
            if (item.InsuranceCovered.IsPositive)
            {
                // The patient pays their part; the insurance's part is shown, not charged.
                doc.Pair(L("insuranceCovered"), item.InsuranceCovered.ToString());
            }

            if (item.RemainingAfter.IsPositive)
            {
                doc.Pair(L("stillOwed"), item.RemainingAfter.ToString());
            }
        }

        doc.Rule()
            .Pair(L(receipt.Provisional ? "amountToTransfer" : "total"), receipt.Total.ToString(), bold: true)
            .Text(L("inWords", VietnameseWords.Dong(receipt.Total)));
        if (!receipt.Provisional && receipt.Transfer is { } transfer)
        {
            if (receipt.IsTopUp)
            {
                TopUpTransfer(doc, transfer, receipt.Total);
            }
            else
            {
                Transfer(doc, transfer);
            }
        }

        doc.Pair(L("method"), receipt.Method.VietnameseName());
        if (receipt.External is { } external)
        {
            doc.Pair(L("card"), "**** " + external.Last4).Pair(L("approvalCode"), external.ApprovalCode);
        }

        if (receipt.Qr is { } qr)
        {
            doc.Pair(L("transferText"), qr.TransferCode);
            if (receipt.Institution.Account is { } to)
            {
                // Fraud protection: the name the payer's bank app must show, as the screen said it.
                doc.Text(L("checkName", to.AccountName, to.AccountNumber.Length <= 4 ? to.AccountNumber : to.AccountNumber[^4..]));
            }
        }

        if (receipt.Provisional && receipt.Institution.Account is { } bank)
        {
            doc.Pair(L("bank"), bank.BankName ?? bank.BankBin)
                .Pair(L("accountNumber"), bank.AccountNumber)
                .Text(bank.AccountName);
        }

        if (receipt.CardUid is { } uid)
        {
            doc.Pair(L("card"), PersonalData.MaskCardUid(uid));
        }

        if (receipt.BalanceAfter is { } balance)
        {
            doc.Pair(receipt.IsTopUp ? Messages.Vi("top_up.receipt.balance_after") : L("balanceAfter"), balance.ToString(), bold: receipt.IsTopUp);
        }

        if (receipt.TopUpCode is { } standing)
        {
            doc.Text(Messages.Vi("top_up.receipt.standing_code", standing));
        }

        doc.Rule();
        if (receipt.Provisional)
        {
            if (receipt.Qr is { } pay)
            {
                doc.Qr(pay.Payload, L("scanToPay"));
            }

            doc.Text(L("notAReceipt"))
                .Text(Messages.En("receipt.notAReceipt"));
            return Footer(doc, copy);
        }

        if (lookupUrl is not null)
        {
            doc.Qr(lookupUrl, L("scanToLookUp"));
        }

        if (ReceiptLookupKey.FromLookupUrl(lookupUrl) is { } key)
        {
            // Where the legal e-invoice or e-receipt is found, and with which key (issue 22): also without the QR.
            doc.Text(Messages.Vi("einvoice.receipt.lookupAt"))
                .Text(key.Address)
                .Pair(Messages.Vi("einvoice.receipt.key"), key.Key, bold: true);
        }

        doc.Centre(L("thanks"))
            .Centre(L("keep"));
        return Footer(doc, copy);
    }

    // A transfer of more or less than the QR asked: what arrived, then what is refunded or still due, in Vietnamese as
    // the receipt's other figures, then once in English (as the provisional slip's warning). The labels stay short
    // enough for the amount beside them on 58 mm paper; the sentences wrap.
    private static void Transfer(PrintDocumentBuilder doc, TransferReceived transfer)
    {
        if (transfer.Excess.IsPositive)
        {
            doc.Pair(L("received"), transfer.Received.ToString())
                .Pair(L("excessRefunded"), transfer.Excess.ToString(), bold: true)
                .Text(Messages.En("receipt.overpaid", transfer.Received.ToString(), transfer.Excess.ToString()));
        }
        else if (transfer.Shortfall.IsPositive)
        {
            doc.Pair(L("received"), transfer.Received.ToString())
                .Pair(L("shortStillDue"), transfer.Shortfall.ToString(), bold: true)
                .Text(Messages.En("receipt.underpaid", transfer.Received.ToString(), transfer.Shortfall.ToString()));
        }
    }

    // A top-up's transfer of more or less than the QR asked, as the province credits it: the card gets what arrived up
    // to the amount asked (the top-up's line and total say it), more is refunded, and a short one asks for nothing
    // more (no rest is offered), so it names what was asked beside what arrived rather than a sum still due.
    private static void TopUpTransfer(PrintDocumentBuilder doc, TransferReceived transfer, Vnd credited)
    {
        if (transfer.Excess.IsPositive)
        {
            doc.Pair(L("received"), transfer.Received.ToString())
                .Pair(L("excessRefunded"), transfer.Excess.ToString(), bold: true)
                .Text(Messages.En("top_up.receipt.overpaid", transfer.Received.ToString(), credited.ToString(), transfer.Excess.ToString()));
        }
        else if (transfer.Shortfall.IsPositive)
        {
            doc.Pair(Messages.Vi("top_up.receipt.asked"), transfer.Due.ToString())
                .Pair(L("received"), transfer.Received.ToString())
                .Text(Messages.En("top_up.receipt.underpaid", transfer.Due.ToString(), transfer.Received.ToString()));
        }
    }

    /// <summary>A void or refund slip, with the supervisor who approved it and lines to sign.</summary>
    public static PrintDocument Reversal(ReversalSlip slip, PrintCopy copy = PrintCopy.Original)
    {
        var title = L(slip.IsRefund ? "reversal.refund" : "reversal.void");
        var doc = new PrintDocumentBuilder($"{title} {slip.SlipNumber}", slip.SlipNumber);
        Header(doc, slip.Institution, title, copy);
        doc.Pair(L("reversal.number"), slip.SlipNumber)
            .Pair(L("at"), Format(slip.At))
            .Pair(L("terminal"), slip.TerminalId)
            .Pair(L("reversal.original"), slip.OriginalReceipt)
            .Rule()
            .Pair(L("reversal.payer"), slip.PayerCode)
            .Text(slip.PayerName, bold: true)
            .Rule()
            .Pair(L(slip.IsRefund ? "reversal.refundAmount" : "reversal.voidAmount"), slip.Amount.ToString(), bold: true)
            .Text(L("inWords", VietnameseWords.Dong(slip.Amount)));
        if (slip.RefundTo is { } to)
        {
            // Wrapped, never cut: a bank transfer's reference must reach the paper whole.
            doc.Text(L("reversal.refundTo", to));
        }

        doc.Text(L("reversal.reason", slip.Reason))
            .Pair(L("cashier"), slip.Cashier)
            .Pair(L("reversal.supervisor"), slip.Supervisor)
            .Feed()
            .Pair(L("reversal.signPayer"), L("reversal.signCashier"))
            .Feed(3)
            .Rule();
        return Footer(doc, copy);
    }

    /// <summary>The X report (the shift goes on) or the Z report (the shift closes).</summary>
    public static PrintDocument Shift(ShiftReport report, PrintCopy copy = PrintCopy.Original)
    {
        var title = L(report.Closing ? "shift.z" : "shift.x");
        var doc = new PrintDocumentBuilder($"{title} {report.ShiftNumber}", (report.Closing ? "z-" : "x-") + report.ShiftNumber + "-" + report.At.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Header(doc, report.Institution, title, copy);
        doc.Pair(L("shift.number"), report.ShiftNumber)
            .Pair(L("terminal"), report.TerminalId)
            .Pair(L("cashier"), report.Cashier)
            .Pair(L("shift.opened"), Format(report.OpenedAt))
            .Pair(L(report.Closing ? "shift.closed" : "shift.printedAt"), Format(report.At))
            .Rule();
        foreach (var method in report.ByMethod)
        {
            doc.Text(method.Method.VietnameseName())
                .Pair(L("shift.count", method.Count), method.Total.ToString());
        }

        if (report.TopUps.Count > 0)
        {
            // Money onto card balances by VietQR: paying no bill, so on its own line.
            doc.Pair(L("shift.topUps", report.TopUps.Count), report.TopUps.Total.ToString());
        }

        doc.Pair(L("shift.voids", report.Voids.Count), Minus(report.Voids.Total))
            .Pair(L("shift.refunds", report.Refunds.Count), Minus(report.Refunds.Total));
        if (report.RefundedByTransfer.IsPositive)
        {
            doc.Pair(L("shift.refundedByTransfer"), Minus(report.RefundedByTransfer));
        }

        // What THỰC THU counts is printed under it: a payment from a balance is listed above but brought no money.
        doc.Rule()
            .Pair(L("shift.net"), report.Net.ToString(), bold: true)
            .Text(L("inWords", VietnameseWords.Dong(report.Net)))
            .Text(L("shift.netMeans"));
        if (report.PendingQr.Count > 0)
        {
            doc.Pair(L("shift.pendingQr", report.PendingQr.Count), report.PendingQr.Total.ToString());
        }

        if (report.FirstReceipt is { } first)
        {
            doc.Pair(L("shift.firstReceipt"), first).Pair(L("shift.lastReceipt"), report.LastReceipt ?? first);
        }

        if (!report.Closing)
        {
            doc.Centre(L("shift.stillOpen"));
        }
        else
        {
            doc.Feed().Pair(L("shift.signCashier"), L("shift.signAccountant")).Feed(3);
        }

        doc.Rule();
        return Footer(doc, copy);
    }

    /// <summary>The technician's test page: what the terminal is, every Vietnamese letter, sizes and a QR.</summary>
    public static PrintDocument TestPage(TestPageInfo info)
    {
        var doc = new PrintDocumentBuilder(L("test.title"), "test-" + info.At.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        doc.Centre("KIOSKPOS", bold: true, large: true)
            .Centre(Both("test.title"), bold: true)
            .Rule()
            .Pair(L("test.terminalId"), info.TerminalId)
            .Pair(L("test.enrolment"), info.Enrolment)
            .Pair(L("test.profile"), info.Profile)
            .Text(L("test.printer", info.Printer))
            .Pair(L("test.version"), info.Version)
            .Pair(L("test.at"), Format(info.At));
        if (info.ProvinceServer is { } server)
        {
            doc.Text(L("test.server", server));
        }

        foreach (var address in info.Addresses.DefaultIfEmpty(L("test.noAddress")))
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
            .Text(Both("test.bold"), bold: true)
            .Centre("1.250.000 ₫", large: true)
            .Qr("KIOSKPOS TEST " + info.TerminalId, L("test.qr"))
            .Rule();
        return doc.Build();
    }

    /// <summary>
    /// What a terminal that is not enrolled prints when it starts (as an installer's box does): who it is, where it is
    /// on the network, and how to enrol it.
    /// </summary>
    public static PrintDocument StatusTicket(TestPageInfo info)
    {
        var doc = new PrintDocumentBuilder(L("ticket.title"), "status-" + info.At.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        doc.Centre("KIOSKPOS", bold: true, large: true)
            .Centre(Both("ticket.notEnrolled"), bold: true)
            .Rule()
            .Pair(L("test.terminalId"), info.TerminalId)
            .Pair(L("test.version"), info.Version)
            .Pair(L("test.at"), Format(info.At));
        foreach (var address in info.Addresses.DefaultIfEmpty(L("ticket.noNetwork")))
        {
            doc.Pair("IP:", address);
        }

        doc.Rule()
            .Text(Both("ticket.howToEnrol") + ":", bold: true)
            .Text(L("ticket.step1"))
            .Text(L("ticket.step2"))
            .Text(L("ticket.command"))
            .Text(L("ticket.step3"))
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

    /// <summary>
    /// A reprinted receipt of a payment since voided or refunded: under the copy's mark, what was given back and the
    /// slip that did it, so the copy cannot pass for a receipt of money still held.
    /// </summary>
    public static PrintDocument MarkReversed(PrintDocument document, IReadOnlyList<ReceiptReversal> reversals)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(reversals);
        if (reversals.Count == 0)
        {
            return document;
        }

        var marks = new List<PrintBlock>();
        foreach (var reversal in reversals)
        {
            marks.Add(new TextBlock(L(reversal.Voided ? "reprint.voided" : "reprint.refunded", reversal.Amount), TextAlign.Centre, Bold: true, Large: true));
            marks.Add(new TextBlock(L("reprint.slip", reversal.SlipNumber), TextAlign.Centre));
        }

        var at = document.Blocks.Count > 0 && document.Blocks[0] is TextBlock { Bold: true } first && first.Text.Contains(CopyMark, StringComparison.Ordinal) ? 1 : 0;
        return document with { Blocks = [.. document.Blocks.Take(at), .. marks, .. document.Blocks.Skip(at)] };
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

    // A label of the catalogue's receipt.* texts, in Vietnamese (what the paper prints).
    private static string L(string key, params object?[] args) => Messages.Vi("receipt." + key, args);

    // "Vietnamese / English", for the technician's pages.
    private static string Both(string key) => Messages.Vi("receipt." + key) + " / " + Messages.En("receipt." + key);

    private static string Minus(Vnd amount) => amount.IsPositive ? "-" + amount : amount.ToString();

    private static string Format(DateTimeOffset at) => at.ToString(DateFormat, CultureInfo.InvariantCulture);
}
