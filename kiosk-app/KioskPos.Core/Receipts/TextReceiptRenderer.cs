using System.Globalization;
using System.Text;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Receipts;

/// <summary>
/// Lays a receipt out as fixed-width lines: 32 columns for 58 mm paper, 48 for 80 mm. Text is NFC-normalised,
/// so a precomposed Vietnamese letter takes one column.
/// </summary>
public static class TextReceiptRenderer
{
    /// <summary>Columns of a 58 mm printer's standard font.</summary>
    public const int Columns58mm = 32;

    /// <summary>Columns of an 80 mm printer's standard font.</summary>
    public const int Columns80mm = 48;

    /// <summary>Renders <paramref name="receipt"/> as lines of at most <paramref name="columns"/> characters.</summary>
    public static IReadOnlyList<string> Render(Receipt receipt, int columns = Columns58mm)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 24);
        var lines = new List<string>();
        var rule = new string('-', columns);
        foreach (var line in Wrap(receipt.Institution.Name.ToUpperInvariant(), columns))
        {
            lines.Add(Centre(line, columns));
        }

        lines.Add(Centre(receipt.Title, columns));
        lines.Add(rule);
        lines.Add(Pair("Số phiếu:", receipt.PaymentId, columns));
        lines.Add(Pair("Thời gian:", receipt.At.ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture), columns));
        lines.Add(Pair("Máy:", receipt.TerminalId, columns));
        if (receipt.Operator is { } op)
        {
            lines.Add(Pair("Thu ngân:", op, columns));
        }

        lines.Add(rule);
        lines.Add(Pair(receipt.PayerKind == PayerKind.Pupil ? "Học sinh:" : "Bệnh nhân:", receipt.PayerCode, columns));
        lines.AddRange(Wrap(receipt.PayerName, columns));
        if (receipt.Group is { } group)
        {
            lines.Add(Pair(receipt.PayerKind == PayerKind.Pupil ? "Lớp:" : "Khoa:", group, columns));
        }

        lines.Add(rule);
        foreach (var item in receipt.Items)
        {
            lines.AddRange(Wrap($"{item.Category.VietnameseName()} - {item.Title}", columns));
            lines.Add(Pair(string.Empty, item.Amount.ToString(), columns));
            if (item.RemainingAfter.IsPositive)
            {
                lines.Add(Pair("  Còn nợ:", item.RemainingAfter.ToString(), columns));
            }
        }

        lines.Add(rule);
        lines.Add(Pair(receipt.Provisional ? "SỐ TIỀN CẦN CK:" : "TỔNG CỘNG:", receipt.Total.ToString(), columns));
        lines.Add(Pair("Hình thức:", receipt.Method.VietnameseName(), columns));
        if (receipt.Qr is { } qr)
        {
            lines.Add(Pair("Nội dung CK:", qr.TransferCode, columns));
        }

        if (receipt.Provisional && receipt.Institution.Account is { } bank)
        {
            lines.Add(Pair("Ngân hàng:", bank.BankName ?? bank.BankBin, columns));
            lines.Add(Pair("Số TK:", bank.AccountNumber, columns));
            lines.AddRange(Wrap(bank.AccountName, columns));
        }
        if (receipt.CardUid is { } uid)
        {
            lines.Add(Pair("Thẻ:", PersonalData.MaskCardUid(uid), columns));
        }

        if (receipt.BalanceAfter is { } balance)
        {
            lines.Add(Pair("Số dư còn lại:", balance.ToString(), columns));
        }

        lines.Add(rule);
        if (receipt.Provisional)
        {
            lines.AddRange(Wrap("Phiếu này KHÔNG phải biên lai. Máy đang mất kết nối; khi ngân hàng xác nhận, biên lai sẽ được in (hoặc in lại tại quầy với số phiếu trên).", columns));
            lines.AddRange(Wrap("Not a receipt: the receipt follows when the bank confirms.", columns));
            return lines.SelectMany(l => l.Split('\n')).ToList();
        }

        lines.Add(Centre("Cảm ơn quý khách!", columns));
        lines.Add(Centre("Giữ biên lai để đối chiếu.", columns));
        return lines.SelectMany(l => l.Split('\n')).ToList();
    }

    private static string Pair(string left, string right, int columns)
    {
        left = Normalise(left);
        right = Normalise(right);
        var gap = columns - left.Length - right.Length;
        if (gap >= 1)
        {
            return left + new string(' ', gap) + right;
        }

        // Too long for one line: the value goes right-aligned on the line after its label.
        var value = right.Length > columns ? right[..columns] : right;
        return left + "\n" + new string(' ', columns - value.Length) + value;
    }

    private static string Centre(string text, int columns)
    {
        text = Normalise(text);
        var pad = Math.Max(0, (columns - text.Length) / 2);
        return new string(' ', pad) + text;
    }

    private static IEnumerable<string> Wrap(string text, int columns)
    {
        var line = new StringBuilder();
        foreach (var word in Normalise(text).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > columns)
            {
                yield return line.ToString();
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word.Length > columns ? word[..columns] : word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private static string Normalise(string text) => text.Normalize(NormalizationForm.FormC);
}
