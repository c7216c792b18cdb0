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
/// names the sheet, the row and, where one column is at fault, the column (<c>'Học phí' row 7, column H</c>). Every problem of a
/// row is said at once: a row refused for a cell this reader cannot read is checked under the CSV's rules on its other
/// columns, and the rows read are checked even when others were refused (nothing is stored then).
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
        if (result is not null)
        {
            return result;
        }

        var errors = new ImportErrors();
        errors.Add(0, refusal!, "workbook");
        return errors.Refused();
    }

    /// <summary>
    /// The import, or why the workbook is refused whole without being read to its end: over a limit of what it unpacks
    /// to, its rows, columns or cells (a zip bomb among them). The endpoint answers the refusal 400.
    /// </summary>
    public async Task<(ImportResult? Result, ImportText? Refusal)> TryImportAsync(Stream xlsx, string? institution, CancellationToken cancellationToken)
    {
        SheetRead read;
        try
        {
            read = Spreadsheet.Read(xlsx, BillImport.MaxRows + RowMargin);
        }
        catch (SpreadsheetLimitException e)
        {
            return (null, e.Text);
        }
        catch (SpreadsheetFormatException e)
        {
            var errors = new ImportErrors();
            errors.Add(0, new ImportText("province.importError.workbook_unreadable", e.Text), "workbook");
            return (errors.Refused(), null);
        }

        return (await ImportAsync(read, institution, cancellationToken).ConfigureAwait(false), null);
    }

    private async Task<ImportResult> ImportAsync(SheetRead read, string? institution, CancellationToken cancellationToken)
    {
        var (sheet, grid) = (read.Sheet, read.Rows);
        var errors = new ImportErrors();
        string Where(int row, int? column = null) => column is { } c ? $"'{sheet}' row {row}, column {Spreadsheet.Letters(c)}" : $"'{sheet}' row {row}";
        void Add(int row, int? column, ImportText text, string? field = null) =>
            errors.Add(row, text, Where(row, column), field, sheet, column is { } c ? Spreadsheet.Letters(c) : null);

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
            errors.Add(0, new ImportText("province.importError.no_header_row"), $"'{sheet}'", sheet: sheet);
            return errors.Refused();
        }

        // The header's problems are the file's shape: each is said (ImportErrors.AddToHeader).
        void AddToHeader(int? column, ImportText text, string? field = null) =>
            errors.AddToHeader(headerRow, text, Where(headerRow, column), field, sheet, column is { } c ? Spreadsheet.Letters(c) : null);

        if (institution is null && !columns.ContainsKey("institution_id"))
        {
            AddToHeader(null, new ImportText("province.importError.no_institution_column"), "institution_id");
        }

        foreach (var required in new[] { "bill_id", "payer_code", "category", "title", "description", "quantity", "unit_price" })
        {
            if (!columns.ContainsKey(required))
            {
                AddToHeader(null, new ImportText("province.importError.missing_column", new ImportColumn(required)), required);
            }
        }

        // As the CSV refuses a column given twice: which of the two the school meant is not the import's guess.
        foreach (var (name, first, again) in twice)
        {
            AddToHeader(again, new ImportText("province.importError.columns_twice", Spreadsheet.Letters(first), grid[headerRow][first].Text, Spreadsheet.Letters(again),
                grid[headerRow][again].Text, new ImportColumn(name)), name);
        }

        if (grid.Count - 1 > BillImport.MaxRows)
        {
            AddToHeader(null, new ImportText("province.importError.too_many_rows", new ImportCount(BillImport.MaxRows)));
        }

        if (errors.Count > 0)
        {
            return errors.Refused();
        }

        var lastLabelled = grid[headerRow].Keys.Max();
        var counted = s_counted.Where(columns.ContainsKey).Select(n => (Name: n, Column: columns[n])).ToList();
        var mergesNamed = new HashSet<string>(StringComparer.Ordinal);
        var canonicalRows = new List<List<string>> { new(s_canonical) };
        var sheetRows = new List<int> { headerRow };
        var lastLineOfBill = new Dictionary<string, List<int>>(StringComparer.Ordinal); // bill id → indexes into canonicalRows
        foreach (var (number, sheetCells) in grid.Where(r => r.Key > headerRow))
        {
            var rowErrors = errors.Count;
            var reported = new HashSet<string>(StringComparer.Ordinal); // the columns refused on this row already

            // A merged range's copy in a counted column: down several rows it is one amount counted on each of them
            // (refused, the range named once); across one row it is the text of a column beside (not this column's).
            var cells = sheetCells;
            foreach (var (name, column) in counted)
            {
                if (sheetCells.TryGetValue(column, out var copy) && copy.FromMerge)
                {
                    if (copy.MergeTop != number)
                    {
                        reported.Add(name);
                        if (mergesNamed.Add(copy.Merge!))
                        {
                            Add(number, column, new ImportText("province.importError.merged_amount", new ImportColumn(name), copy.Merge, copy.MergeTop), name);
                        }
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

            // A hidden row and a row whose values have moved are said once: their columns mean nothing to check.
            if (read.HiddenRows.Contains(number))
            {
                Add(number, null, new ImportText("province.importError.hidden_row"));
                continue;
            }

            // Every labelled column counts as the header's, the ones this import ignores (STT, Họ và tên, Thành tiền …)
            // and any it does not know; a value with no label above it is a split CSV's (see FirstBeyondHeader).
            if (Spreadsheet.FirstBeyondHeader(cells, lastLabelled) is { } beyond)
            {
                Add(number, beyond, new ImportText("province.importError.beyond_header", TextChecks.Excerpt(cells[beyond].Text), Spreadsheet.Letters(lastLabelled)));
                continue;
            }

            long? Money(string name, bool required)
            {
                var before = errors.Count;
                var value = ReadMoney(cells, columns, name, required, number, Add);
                if (errors.Count > before)
                {
                    reported.Add(name);
                }

                return value;
            }

            var price = Money("unit_price", true);
            var reduction = Money("reduction", false) ?? 0;
            var insured = Money("insurance_covered", false) ?? 0;
            var due = Date(cells, columns, read.Date1904, number, Add);
            if (due is null && Text("due_date").Length > 0)
            {
                reported.Add("due_date");
            }

            var quantityText = columns.TryGetValue("quantity", out var qc) && cells.TryGetValue(qc, out var qcell) ? (qcell.Number is { } q ? Whole(q).ToString(CultureInfo.InvariantCulture) : qcell.Text) : string.Empty;
            if (reduction < 0)
            {
                Add(number, columns["reduction"], new ImportText("province.importError.reduction_negative"), "reduction");
                reported.Add("reduction");
            }

            var id = Text("bill_id");
            var description = Text("description");
            var quantity = int.TryParse(quantityText, NumberStyles.None, CultureInfo.InvariantCulture, out var qn) ? qn : (int?)null;
            if (price < 0)
            {
                if (errors.Count > rowErrors)
                {
                    continue;
                }

                // A negative line: a reduction of the same bill, taken off its largest line so far.
                if (!lastLineOfBill.TryGetValue(id, out var indexes))
                {
                    Add(number, columns["unit_price"], new ImportText("province.importError.reduction_first", new ImportMoney(-price.Value), id), "unit_price");
                    continue;
                }

                var take = -price.Value * (quantity ?? 1);
                var target = indexes.MaxBy(i => Amount(canonicalRows[i]))!;
                if (Amount(canonicalRows[target]) - take < 0)
                {
                    Add(number, columns["unit_price"], new ImportText("province.importError.reduction_over_line", new ImportMoney(take), new ImportMoney(Amount(canonicalRows[target]))), "unit_price");
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
            if (reduction > 0 && quantity is { } n && price is { } unit && n * unit - reduction < 0)
            {
                Add(number, columns["reduction"], new ImportText("province.importError.reduction_over_row", new ImportMoney(reduction), new ImportMoney(n * unit)), "reduction");
                reported.Add("reduction");
            }

            // A row refused here is checked under the CSV's rules too, the columns refused already left out, so that
            // every problem of the row is said at once; a reduction needs the row's quantity and price to apply to.
            if (errors.Count > rowErrors || (reduction > 0 && (quantity is null || price is null)))
            {
                foreach (var (field, text) in BillImport.RowProblems(c => canonical[Array.IndexOf(s_canonical, c)], reported))
                {
                    Add(number, field is not null && columns.TryGetValue(field, out var at) ? at : null, text, field);
                }

                continue;
            }

            if (reduction > 0)
            {
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

        // The rows read are checked under the CSV's rules even when others were refused above (nothing is stored then),
        // each error moved to its sheet's row and column.
        var result = await bills.ImportRowsAsync(canonicalRows, cancellationToken, refused: errors.Count > 0).ConfigureAwait(false);
        if (errors.Count == 0 && result.Errors.Count == 0)
        {
            return result;
        }

        foreach (var e in result.Errors)
        {
            var row = e.Line >= 1 && e.Line - 1 < sheetRows.Count ? sheetRows[e.Line - 1] : headerRow;
            int? column = e.Field is { } field && columns.TryGetValue(field, out var c) ? c : null;
            errors.Add(e with { Line = row, Path = Where(row, column), Sheet = sheet, Column = column is { } letters ? Spreadsheet.Letters(letters) : null });
        }

        errors.LeaveOut(result.ErrorsLeftOut);
        return errors.Refused();
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

    private static long? ReadMoney(Dictionary<int, SheetCell> cells, Dictionary<string, int> columns, string name, bool required, int row, Action<int, int?, ImportText, string?> add)
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
                add(row, column, new ImportText("province.importError.amount_not_whole", new ImportColumn(name), number.ToString(CultureInfo.InvariantCulture), new ImportMoney(Vnd.MaxAmount)), name);
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
            add(row, column, new ImportText("province.importError.split_amount", new ImportColumn(name), TextChecks.Excerpt(cell.Text)), name);
            return null;
        }

        var groups = digits.Split('.');
        if (digits.Length == 0 || groups.Any(g => g.Length == 0 || !g.All(char.IsAsciiDigit)) || (groups.Length > 1 && (groups[0].Length > 3 || groups.Skip(1).Any(g => g.Length != 3)))
            || !long.TryParse(string.Concat(groups), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > Vnd.MaxAmount)
        {
            add(row, column, new ImportText("province.importError.amount_invalid", new ImportColumn(name), TextChecks.Excerpt(cell.Text)), name);
            return null;
        }

        return negative ? -value : value;
    }

    // A formula's result carries binary floating point's noise (0.1 + 0.2 = 0.30000000000000004): 165000.00000000003
    // is 165000. Nothing typed or summed in đồng is a millionth away from a whole number otherwise.
    private static double Whole(double value) => Math.Abs(value - Math.Round(value)) < 1e-6 ? Math.Round(value) : value;

    private static string? Date(Dictionary<int, SheetCell> cells, Dictionary<string, int> columns, bool date1904, int row, Action<int, int?, ImportText, string?> add)
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

        add(row, column, new ImportText("province.importError.due_date_not_date", TextChecks.Excerpt(cell.Text)), "due_date");
        return null;
    }
}
