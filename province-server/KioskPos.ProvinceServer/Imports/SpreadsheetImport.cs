using System.Globalization;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// A school's fee list as .xlsx: the first sheet; the header row is the first row naming at least three of the known
/// columns (title rows above it are skipped); the CSV's columns in Vietnamese or English, plus <c>miễn giảm</c> /
/// <c>reduction</c> (đồng taken off that row) and columns the import ignores (<c>STT</c>, <c>Họ và tên</c>,
/// <c>Lớp</c>, <c>Thành tiền</c>, <c>Ghi chú</c>: names are the school's, not needed to collect). Money is a number or
/// text as <c>1.250.000</c> (dots between thousands, an optional <c>đ</c>/<c>₫</c>; never a leading zero, see
/// <see cref="SplitAmount"/>); dates are <c>dd/MM/yyyy</c>,
/// <c>yyyy-MM-dd</c> or an Excel serial number. A row with a negative amount is a reduction of the same bill: it is
/// taken off the bill's largest line, its description noted there. A row with a value under no header label, right of
/// the last labelled column, is refused (<see cref="Spreadsheet.FirstBeyondHeader"/>). Then the CSV's rules, word for word; each error
/// names the sheet, the row and, where one column is at fault, the column (<c>'Học phí' row 7, column H</c>).
/// </summary>
internal sealed class SpreadsheetImport(BillImport bills)
{
    private static readonly Dictionary<string, string> s_extra = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mã học sinh"] = "payer_code", ["mã hs"] = "payer_code", ["pupil_code"] = "payer_code",
        ["miễn giảm"] = "reduction", ["giảm"] = "reduction", ["reduction"] = "reduction", ["số tiền miễn giảm"] = "reduction",
        ["stt"] = "", ["họ và tên"] = "", ["họ tên"] = "", ["lớp"] = "", ["thành tiền"] = "", ["ghi chú"] = "", ["name"] = "", ["class"] = "", ["amount"] = "", ["note"] = "",
    };

    private static readonly string[] s_canonical = ["bill_id", "institution_id", "payer_code", "category", "title", "due_date", "description", "quantity", "unit_price", "insurance_covered"];

    public async Task<ImportResult> ImportAsync(Stream xlsx, string? institution, CancellationToken cancellationToken)
    {
        string sheet;
        SortedDictionary<int, Dictionary<int, SheetCell>> grid;
        try
        {
            (sheet, grid) = Spreadsheet.ReadFirstSheet(xlsx);
        }
        catch (Exception e) when (e is InvalidDataException or DocumentFormat.OpenXml.Packaging.OpenXmlPackageException or IOException or FormatException or InvalidOperationException or System.Xml.XmlException)
        {
            return new ImportResult(0, 0, 0, [new ImportError(0, $"not an .xlsx workbook this import can read: {e.Message}", "workbook")]);
        }

        var errors = new List<ImportError>();
        string Where(int row, int? column = null) => column is { } c ? $"'{sheet}' row {row}, column {Spreadsheet.Letters(c)}" : $"'{sheet}' row {row}";

        // The header: the first row naming three known columns.
        var headerRow = 0;
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (number, cells) in grid)
        {
            var found = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (column, cell) in cells)
            {
                if (Canonical(cell.Text) is { Length: > 0 } name)
                {
                    found.TryAdd(name, column);
                }
            }

            if (found.Count >= 3)
            {
                headerRow = number;
                columns = found;
                break;
            }
        }

        if (headerRow == 0)
        {
            return new ImportResult(0, 0, 0, [new ImportError(0, "no header row: none names three of the columns (Mã khoản thu, Mã người nộp, Nội dung, Đơn giá, …)", $"'{sheet}'")]);
        }

        if (institution is null && !columns.ContainsKey("institution_id"))
        {
            errors.Add(new ImportError(headerRow, "no column 'mã đơn vị' (institution_id) and no ?institution= given", Where(headerRow)));
        }

        foreach (var required in new[] { "bill_id", "payer_code", "category", "title", "description", "quantity", "unit_price" })
        {
            if (!columns.ContainsKey(required))
            {
                errors.Add(new ImportError(headerRow, $"missing column '{required}'", Where(headerRow)));
            }
        }

        if (grid.Count - 1 > BillImport.MaxRows)
        {
            errors.Add(new ImportError(headerRow, $"more than {BillImport.MaxRows} rows: split the file", Where(headerRow)));
        }

        if (errors.Count > 0)
        {
            return new ImportResult(0, 0, 0, errors);
        }

        var lastLabelled = grid[headerRow].Keys.Max();
        var canonicalRows = new List<List<string>> { new(s_canonical) };
        var sheetRows = new List<int> { headerRow };
        var lastLineOfBill = new Dictionary<string, List<int>>(StringComparer.Ordinal); // bill id → indexes into canonicalRows
        foreach (var (number, cells) in grid.Where(r => r.Key > headerRow))
        {
            string Text(string name) => columns.TryGetValue(name, out var c) && cells.TryGetValue(c, out var cell) ? cell.Text : string.Empty;
            if (s_canonical.Concat(["reduction"]).All(n => Text(n).Length == 0))
            {
                continue;
            }

            // Every labelled column counts as the header's, the ones this import ignores (STT, Họ và tên, Thành tiền …)
            // and any it does not know; a value with no label above it is a split CSV's (see FirstBeyondHeader).
            if (Spreadsheet.FirstBeyondHeader(cells, lastLabelled) is { } beyond)
            {
                errors.Add(new ImportError(number, $"'{TextChecks.Excerpt(cells[beyond].Text)}' is right of the header's last labelled column {Spreadsheet.Letters(lastLabelled)}: "
                    + "the row's values have moved out of their columns, as when a CSV with a price written 1,500,000 without quotes is opened in Excel; "
                    + "write the number without separators (1500000) or put the row's values back under the header", Where(number, beyond)));
                continue;
            }

            var rowErrors = errors.Count;
            var price = Money(cells, columns, "unit_price", true, number, Where, errors);
            var reduction = Money(cells, columns, "reduction", false, number, Where, errors) ?? 0;
            var insured = Money(cells, columns, "insurance_covered", false, number, Where, errors) ?? 0;
            var due = Date(cells, columns, number, Where, errors);
            var quantityText = columns.TryGetValue("quantity", out var qc) && cells.TryGetValue(qc, out var qcell) ? (qcell.Number is { } q ? q.ToString(CultureInfo.InvariantCulture) : qcell.Text) : string.Empty;
            if (reduction < 0)
            {
                errors.Add(new ImportError(number, "a reduction (miễn giảm) is written as a positive amount", Where(number, columns["reduction"])));
            }

            if (errors.Count > rowErrors)
            {
                continue;
            }

            var id = Text("bill_id");
            var description = Text("description");
            var quantity = int.TryParse(quantityText, NumberStyles.None, CultureInfo.InvariantCulture, out var qn) ? qn : (int?)null;
            if (price < 0)
            {
                // A negative line: a reduction of the same bill, taken off its largest line so far.
                if (!lastLineOfBill.TryGetValue(id, out var indexes))
                {
                    errors.Add(new ImportError(number, $"a reduction of {-price} for bill {id} comes before any line of that bill", Where(number, columns["unit_price"])));
                    continue;
                }

                var take = -price!.Value * (quantity ?? 1);
                var target = indexes.MaxBy(i => Amount(canonicalRows[i]))!;
                if (Amount(canonicalRows[target]) - take < 0)
                {
                    errors.Add(new ImportError(number, $"the reduction of {take} is more than the line it reduces ({Amount(canonicalRows[target])})", Where(number, columns["unit_price"])));
                    continue;
                }

                Reduce(canonicalRows[target], take, description);
                continue;
            }

            var canonical = new List<string>
            {
                id, institution ?? Text("institution_id"), Text("payer_code"), Text("category"), Text("title"), due ?? string.Empty,
                description, quantityText, price?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, insured.ToString(CultureInfo.InvariantCulture),
            };
            if (reduction > 0)
            {
                if (quantity is not { } n || price is not { } unit || n * unit - reduction < 0)
                {
                    errors.Add(new ImportError(number, $"the reduction {reduction} is more than the row's amount", Where(number, columns["reduction"])));
                    continue;
                }

                Reduce(canonical, reduction, "miễn giảm");
            }

            canonicalRows.Add(canonical);
            sheetRows.Add(number);
            if (!lastLineOfBill.TryGetValue(id, out var list))
            {
                lastLineOfBill[id] = list = [];
            }

            list.Add(canonicalRows.Count - 1);
        }

        if (errors.Count > 0)
        {
            return new ImportResult(0, 0, 0, errors.OrderBy(e => e.Line).ToList());
        }

        var result = await bills.ImportRowsAsync(canonicalRows, cancellationToken).ConfigureAwait(false);
        return result with
        {
            Errors = result.Errors.Select(e =>
            {
                var row = e.Line >= 1 && e.Line - 1 < sheetRows.Count ? sheetRows[e.Line - 1] : headerRow;
                var field = s_canonical.FirstOrDefault(f => e.Message.StartsWith(f, StringComparison.Ordinal));
                return e with { Line = row, Path = field is not null && columns.TryGetValue(field, out var c) ? Where(row, c) : Where(row) };
            }).ToList(),
        };
    }

    private static string? Canonical(string header)
    {
        var name = header.Trim().TrimEnd(':').Trim();
        return s_extra.TryGetValue(name, out var extra) ? extra
            : BillImport.CanonicalColumn(name);
    }

    private static long Amount(List<string> row) =>
        long.Parse(row[7], CultureInfo.InvariantCulture) * long.Parse(row[8], CultureInfo.InvariantCulture);

    // A reduced line becomes one unit of what is left, its original quantity, price and the reduction in its description.
    private static void Reduce(List<string> row, long take, string why)
    {
        var quantity = long.Parse(row[7], CultureInfo.InvariantCulture);
        var price = long.Parse(row[8], CultureInfo.InvariantCulture);
        row[6] = $"{row[6]} ({quantity} × {Vnd.Format(price)}, {why} −{Vnd.Format(take)})";
        row[7] = "1";
        row[8] = ((quantity * price) - take).ToString(CultureInfo.InvariantCulture);
    }

    private static long? Money(Dictionary<int, SheetCell> cells, Dictionary<string, int> columns, string name, bool required, int row, Func<int, int?, string> where, List<ImportError> errors)
    {
        if (!columns.TryGetValue(name, out var column) || !cells.TryGetValue(column, out var cell) || cell.Text.Length == 0)
        {
            return required ? null : 0;
        }

        if (cell.Number is { } number)
        {
            if (number != Math.Floor(number) || Math.Abs(number) > Vnd.MaxAmount)
            {
                errors.Add(new ImportError(row, $"{name} {number.ToString(CultureInfo.InvariantCulture)} is not whole đồng up to {Vnd.MaxAmount}", where(row, column)));
                return null;
            }

            return (long)number;
        }

        var text = cell.Text.Replace("₫", string.Empty, StringComparison.Ordinal).Replace("đ", string.Empty, StringComparison.OrdinalIgnoreCase)
            .Replace("VND", string.Empty, StringComparison.OrdinalIgnoreCase).Trim();
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..].Trim() : text;
        if (SplitAmount.IsTail(digits))
        {
            errors.Add(new ImportError(row, $"{name} '{cell.Text}' {SplitAmount.Reason}", where(row, column)));
            return null;
        }

        var groups = digits.Split('.');
        if (digits.Length == 0 || groups.Any(g => g.Length == 0 || !g.All(char.IsAsciiDigit)) || (groups.Length > 1 && (groups[0].Length > 3 || groups.Skip(1).Any(g => g.Length != 3)))
            || !long.TryParse(string.Concat(groups), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > Vnd.MaxAmount)
        {
            errors.Add(new ImportError(row, $"{name} '{cell.Text}' is not an amount in đồng (1.250.000 or 1250000)", where(row, column)));
            return null;
        }

        return negative ? -value : value;
    }

    private static string? Date(Dictionary<int, SheetCell> cells, Dictionary<string, int> columns, int row, Func<int, int?, string> where, List<ImportError> errors)
    {
        if (!columns.TryGetValue("due_date", out var column) || !cells.TryGetValue(column, out var cell) || cell.Text.Length == 0)
        {
            return null;
        }

        // Excel's serial day: 1 = 1900-01-01, counted from 1899-12-30 because Excel keeps Lotus's 29 February 1900.
        if (cell.Number is { } serial && serial == Math.Floor(serial) && serial is >= 61 and < 2_958_466)
        {
            return new DateOnly(1899, 12, 30).AddDays((int)serial).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        if (DateOnly.TryParseExact(cell.Text, ["dd/MM/yyyy", "d/M/yyyy", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        errors.Add(new ImportError(row, $"due_date '{cell.Text}' is not dd/MM/yyyy or an Excel date", where(row, column)));
        return null;
    }
}
