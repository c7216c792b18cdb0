using System.Globalization;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// A school's fee list as .xlsx: the first visible sheet; the header row is the first row naming at least three of the
/// known columns (title rows above it are skipped; a label broken over two lines in its cell reads as one line; a
/// column named twice is refused, naming both); the CSV's columns in Vietnamese or English, plus <c>miễn giảm</c> /
/// <c>reduction</c> (đồng taken off that row) and columns the import ignores (<c>STT</c>, <c>Họ và tên</c>,
/// <c>Lớp</c>, <c>Thành tiền</c>, <c>Ghi chú</c>: names are the school's, not needed to collect). Money is a number or
/// text as <c>1.250.000</c> (dots between thousands, an optional <c>đ</c>/<c>₫</c>; never a leading zero, see
/// <see cref="SplitAmount"/>); dates are <c>dd/MM/yyyy</c>,
/// <c>yyyy-MM-dd</c> or an Excel serial number (from 1900, or from 1904 where the workbook says so). A formula's
/// result within a millionth of a whole number (165000.00000000003, binary floating point's noise) is that number.
/// A merged cell's value counts on every row of the merge in the identity and text columns only (a pupil's code and
/// title merged down their fee rows); a money or quantity cell merged down several rows is refused, naming the range
/// (a reduction merged over three rows would otherwise be taken off three times). A hidden row with values is refused,
/// naming it: the accountant checked the list as Excel shows it, and a hidden row is either one they meant to leave
/// out (then delete it) or one they cannot see to check (then unhide it); importing it or skipping it would each
/// surprise one of them. A row with a negative amount is a reduction of the same bill: it is
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

    /// <summary>The columns whose values are counted: a merged range's copy is never one of their values.</summary>
    private static readonly string[] s_counted = ["quantity", "unit_price", "reduction", "insurance_covered"];

    /// <summary>Rows read beyond <see cref="BillImport.MaxRows"/>: title rows, the header, totals and signatures.</summary>
    private const int RowMargin = 1_000;

    /// <summary>The import, with a workbook over a limit (<see cref="SpreadsheetLimitException"/>) as an error.</summary>
    public async Task<ImportResult> ImportAsync(Stream xlsx, string? institution, CancellationToken cancellationToken)
    {
        var (result, refusal) = await TryImportAsync(xlsx, institution, cancellationToken).ConfigureAwait(false);
        return result ?? new ImportResult(0, 0, 0, [new ImportError(0, refusal!, "workbook")]);
    }

    /// <summary>
    /// The import, or why the workbook is refused whole without being read to its end: over a limit of what it unpacks
    /// to, its rows, columns or cells (a zip bomb among them). The endpoint answers the refusal 400.
    /// </summary>
    public async Task<(ImportResult? Result, string? Refusal)> TryImportAsync(Stream xlsx, string? institution, CancellationToken cancellationToken)
    {
        SheetRead read;
        try
        {
            read = Spreadsheet.Read(xlsx, BillImport.MaxRows + RowMargin);
        }
        catch (SpreadsheetLimitException e)
        {
            return (null, e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or DocumentFormat.OpenXml.Packaging.OpenXmlPackageException or IOException or FormatException or InvalidOperationException or System.Xml.XmlException)
        {
            return (new ImportResult(0, 0, 0, [new ImportError(0, $"not an .xlsx workbook this import can read: {e.Message}", "workbook")]), null);
        }

        return (await ImportAsync(read, institution, cancellationToken).ConfigureAwait(false), null);
    }

    private async Task<ImportResult> ImportAsync(SheetRead read, string? institution, CancellationToken cancellationToken)
    {
        var (sheet, grid) = (read.Sheet, read.Rows);
        var errors = new List<ImportError>();
        string Where(int row, int? column = null) => column is { } c ? $"'{sheet}' row {row}, column {Spreadsheet.Letters(c)}" : $"'{sheet}' row {row}";

        // The header: the first row naming three known columns.
        // A label merged across columns names the first only: its copies are not the column named again.
        var headerRow = 0;
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var twice = new List<(string Name, int First, int Again)>();
        foreach (var (number, cells) in grid)
        {
            var found = new Dictionary<string, int>(StringComparer.Ordinal);
            var again = new List<(string, int, int)>();
            foreach (var (column, cell) in cells.OrderBy(c => c.Key))
            {
                if (!cell.FromMerge && Canonical(cell.Text) is { Length: > 0 } name && !found.TryAdd(name, column))
                {
                    again.Add((name, found[name], column));
                }
            }

            if (found.Count >= 3)
            {
                headerRow = number;
                columns = found;
                twice = again;
                break;
            }
        }

        if (headerRow == 0)
        {
            return new ImportResult(0, 0, 0, [new ImportError(0, "no header row: none names three of the columns (Mã khoản thu, Mã người nộp, Nội dung, Đơn giá, …)", $"'{sheet}'")]);
        }

        // As the CSV refuses a column given twice: which of the two the school meant is not the import's guess.
        foreach (var (name, first, again) in twice)
        {
            errors.Add(new ImportError(headerRow, $"columns {Spreadsheet.Letters(first)} ('{grid[headerRow][first].Text}') and {Spreadsheet.Letters(again)} ('{grid[headerRow][again].Text}') "
                + $"both name {name}: keep one", Where(headerRow, again)));
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
        var counted = s_counted.Where(columns.ContainsKey).Select(n => (Name: n, Column: columns[n])).ToList();
        var mergesNamed = new HashSet<string>(StringComparer.Ordinal);
        var canonicalRows = new List<List<string>> { new(s_canonical) };
        var sheetRows = new List<int> { headerRow };
        var lastLineOfBill = new Dictionary<string, List<int>>(StringComparer.Ordinal); // bill id → indexes into canonicalRows
        foreach (var (number, sheetCells) in grid.Where(r => r.Key > headerRow))
        {
            // A merged range's copy in a counted column: down several rows it is one amount counted on each of them
            // (refused, the range named once); across one row it is the text of a column beside (not this column's).
            var cells = sheetCells;
            foreach (var (name, column) in counted)
            {
                if (sheetCells.TryGetValue(column, out var copy) && copy.FromMerge)
                {
                    if (copy.MergeTop != number && mergesNamed.Add(copy.Merge!))
                    {
                        errors.Add(new ImportError(number, $"{name} is merged down over {copy.Merge} (its value is in row {copy.MergeTop}): a merged amount or quantity would be counted "
                            + "on every row of the merge; unmerge the cells and write it on the one row it belongs to", Where(number, column)));
                    }

                    if (ReferenceEquals(cells, sheetCells))
                    {
                        cells = new Dictionary<int, SheetCell>(sheetCells);
                    }

                    cells.Remove(column);
                }
            }

            string Text(string name) => columns.TryGetValue(name, out var c) && cells.TryGetValue(c, out var cell) ? cell.Text : string.Empty;
            if (s_canonical.Concat(["reduction"]).All(n => Text(n).Length == 0))
            {
                continue;
            }

            if (read.HiddenRows.Contains(number))
            {
                errors.Add(new ImportError(number, "the row is hidden: a list is imported as Excel shows it; unhide the row to bill it, or delete it to leave it out", Where(number)));
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
            var due = Date(cells, columns, read.Date1904, number, Where, errors);
            var quantityText = columns.TryGetValue("quantity", out var qc) && cells.TryGetValue(qc, out var qcell) ? (qcell.Number is { } q ? Whole(q).ToString(CultureInfo.InvariantCulture) : qcell.Text) : string.Empty;
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

    // A label typed with Alt+Enter ("Mã khoản\nthu") or with doubled spaces reads as the one-line label.
    private static string? Canonical(string header)
    {
        var name = string.Join(' ', header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd(':').Trim();
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

        if (cell.Number is { } read)
        {
            var number = Whole(read);
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

    // A formula's result carries binary floating point's noise (0.1 + 0.2 = 0.30000000000000004): 165000.00000000003
    // is 165000. Nothing typed or summed in đồng is a millionth away from a whole number otherwise.
    private static double Whole(double value) => Math.Abs(value - Math.Round(value)) < 1e-6 ? Math.Round(value) : value;

    private static string? Date(Dictionary<int, SheetCell> cells, Dictionary<string, int> columns, bool date1904, int row, Func<int, int?, string> where, List<ImportError> errors)
    {
        if (!columns.TryGetValue("due_date", out var column) || !cells.TryGetValue(column, out var cell) || cell.Text.Length == 0)
        {
            return null;
        }

        // Excel's serial day: 1 = 1900-01-01, counted from 1899-12-30 because Excel keeps Lotus's 29 February 1900;
        // in a workbook with the 1904 date system (ECMA-376 Part 1, 18.2.28 workbookPr date1904) 0 = 1904-01-01.
        if (cell.Number is { } read && Whole(read) is var serial && serial == Math.Floor(serial))
        {
            if (date1904 && serial is >= 0 and < 2_957_004)
            {
                return new DateOnly(1904, 1, 1).AddDays((int)serial).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            if (!date1904 && serial is >= 61 and < 2_958_466)
            {
                return new DateOnly(1899, 12, 30).AddDays((int)serial).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }
        }

        if (DateOnly.TryParseExact(cell.Text, ["dd/MM/yyyy", "d/M/yyyy", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        errors.Add(new ImportError(row, $"due_date '{cell.Text}' is not dd/MM/yyyy or an Excel date", where(row, column)));
        return null;
    }
}
