using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// A cell as read: its text, or its number when the cell is numeric (money or an Excel serial date);
/// <paramref name="FromMerge"/> when it holds a copy of a merged range's value, not a value written in it.
/// </summary>
internal readonly record struct SheetCell(string Text, double? Number, bool FromMerge = false);

/// <summary>
/// The first worksheet of an .xlsx as rows of cells, read forward with the Open XML SDK's reader (not the DOM, so a
/// sheet of tens of thousands of rows stays small). Shared strings, inline strings and numbers are read; a merged
/// range's value (kept by Excel in its top-left cell only) is copied to every cell of the range, so a pupil code or
/// class merged down several fee rows reads on each.
/// </summary>
internal static class Spreadsheet
{
    /// <summary>Excel's last row and its number of columns (A to XFD).</summary>
    private const int MaxRows = 1_048_576;
    private const int MaxColumns = 16_384;

    /// <summary>At most this many cells filled in from merged ranges (a fee list of 20,000 pupils merges far fewer).</summary>
    private const long MaxMergedCells = 2_000_000;

    /// <summary>The media type of an .xlsx.</summary>
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The first sheet's name and its rows (1-based row number → 0-based column → cell).</summary>
    /// <exception cref="InvalidDataException">The body is not a workbook this reader can read, whatever part of it is
    /// broken (the package, its relationships, its XML): the callers answer that in words, never a 500.</exception>
    public static (string Sheet, SortedDictionary<int, Dictionary<int, SheetCell>> Rows) ReadFirstSheet(Stream stream)
    {
        try
        {
            return ReadFirstSheetOf(stream);
        }
        catch (Exception e) when (e is OpenXmlPackageException or IOException or FormatException or InvalidOperationException or System.Xml.XmlException or ArgumentException)
        {
            // System.IO.Packaging throws ArgumentException for a part URI ending in '/' or an absolute internal
            // relationship target (both found by make fuzz, bill-import-xlsx).
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static (string Sheet, SortedDictionary<int, Dictionary<int, SheetCell>> Rows) ReadFirstSheetOf(Stream stream)
    {
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("no workbook part");
        // An empty workbook.xml leaves Workbook null (found by make fuzz, bill-import-xlsx).
        var sheet = workbook.Workbook?.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new InvalidDataException("the workbook has no sheet");
        var part = sheet.Id?.Value is { } id && workbook.TryGetPartById(id, out var found) && found is WorksheetPart worksheet
            ? worksheet
            : throw new InvalidDataException("the first sheet has no worksheet part");
        var shared = workbook.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(i => i.InnerText).ToArray() ?? [];

        var rows = new SortedDictionary<int, Dictionary<int, SheetCell>>();
        var merges = new List<(int Row1, int Col1, int Row2, int Col2)>();
        using var reader = OpenXmlReader.Create(part);
        var rowNumber = 0;
        while (reader.Read())
        {
            if (!reader.IsStartElement)
            {
                continue;
            }

            if (reader.ElementType == typeof(Row))
            {
                var r = reader.Attributes.FirstOrDefault(a => a.LocalName == "r").Value;
                rowNumber = r is null ? rowNumber + 1
                    : int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxRows ? n
                    : throw new InvalidDataException($"row number '{Cut(r)}' is not 1 to {MaxRows}");
            }
            else if (reader.ElementType == typeof(Cell))
            {
                var cell = (Cell)reader.LoadCurrentElement()!;
                var column = cell.CellReference?.Value is { } reference ? Reference(reference).Column : (rows.TryGetValue(rowNumber, out var row0) ? row0.Count : 0);
                var value = Read(cell, shared);
                if (value.Text.Length > 0)
                {
                    if (!rows.TryGetValue(rowNumber, out var row))
                    {
                        rows[rowNumber] = row = [];
                    }

                    row[column] = value;
                }
            }
            else if (reader.ElementType == typeof(MergeCell))
            {
                var range = ((MergeCell)reader.LoadCurrentElement()!).Reference?.Value?.Split(':');
                if (range is { Length: 2 })
                {
                    var (from, to) = (Reference(range[0]), Reference(range[1]));
                    merges.Add((from.Row, from.Column, to.Row, to.Column));
                }
            }
        }

        // A merged range is copied onto the rows and columns that hold data, no further: a range as wide as the sheet
        // (A1:XFD1048576) must not become sixteen billion cells.
        var lastRow = rows.Count == 0 ? 0 : rows.Keys.Max();
        var lastColumn = rows.Count == 0 ? 0 : rows.Values.Max(r => r.Count == 0 ? 0 : r.Keys.Max());
        long copied = 0;
        foreach (var (row1, col1, row2Given, col2Given) in merges)
        {
            if (!rows.TryGetValue(row1, out var top) || !top.TryGetValue(col1, out var value))
            {
                continue;
            }

            var (row2, col2) = (Math.Min(row2Given, lastRow), Math.Min(col2Given, lastColumn));
            copied += Math.Max(0L, row2 - row1 + 1L) * Math.Max(0L, col2 - col1 + 1L);
            if (copied > MaxMergedCells)
            {
                throw new InvalidDataException($"merged cells cover more than {MaxMergedCells} cells");
            }

            for (var r = row1; r <= row2; r++)
            {
                if (!rows.TryGetValue(r, out var row))
                {
                    rows[r] = row = [];
                }

                for (var c = col1; c <= col2; c++)
                {
                    row.TryAdd(c, value with { FromMerge = true });
                }
            }
        }

        return (sheet.Name?.Value ?? "Sheet1", rows);
    }

    /// <summary>
    /// The first column right of <paramref name="lastLabelled"/> (the header row's last cell with a label) where
    /// <paramref name="row"/> has a value of its own; null when it has none. A CSV whose amount was written 1,500,000
    /// without quotes, opened in Excel and saved as .xlsx, keeps the split (1, 500 and 0 in columns of their own, the
    /// rest of the row pushed right), so its named columns hold the wrong values; such a row is refused by the bill
    /// import and the statement import alike. A merged range's copy is not the row's value: a description merged wider
    /// than its header's label is formatting.
    /// </summary>
    public static int? FirstBeyondHeader(Dictionary<int, SheetCell> row, int lastLabelled) =>
        row.Where(c => c.Key > lastLabelled && !c.Value.FromMerge).Select(c => (int?)c.Key).Min();

    /// <summary>The column letters of a 0-based index: 0 → A, 27 → AB.</summary>
    public static string Letters(int column)
    {
        var letters = string.Empty;
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }

    private static SheetCell Read(Cell cell, string[] shared)
    {
        var raw = cell.CellValue?.Text ?? string.Empty;
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
        {
            return new SheetCell(int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < shared.Length ? shared[i].Trim() : string.Empty, null);
        }

        if (type == CellValues.InlineString)
        {
            return new SheetCell((cell.InlineString?.InnerText ?? raw).Trim(), null);
        }

        if (type == CellValues.String || type == CellValues.Boolean || type == CellValues.Error)
        {
            return new SheetCell(raw.Trim(), null);
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? new SheetCell(raw, number) : new SheetCell(raw.Trim(), null);
    }

    /// <summary>
    /// A cell reference such as <c>B12</c> or <c>$B$12</c>: 1 to 3 letters up to XFD (0-based column) and a row from
    /// 1 to 1,048,576, as Excel allows; anything else is <see cref="InvalidDataException"/>.
    /// </summary>
    private static (int Row, int Column) Reference(string reference)
    {
        var text = reference.Replace("$", string.Empty, StringComparison.Ordinal);
        var letters = 0;
        var column = 0;
        while (letters < text.Length && letters < 4 && char.IsAsciiLetter(text[letters]))
        {
            column = (column * 26) + (char.ToUpperInvariant(text[letters]) - 'A' + 1);
            letters++;
        }

        if (letters is 0 or > 3 || column > MaxColumns
            || !int.TryParse(text.AsSpan(letters), NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row is < 1 or > MaxRows)
        {
            throw new InvalidDataException($"'{Cut(reference)}' is not a cell reference (A1 to XFD1048576)");
        }

        return (row, column - 1);
    }

    private static string Cut(string text) => text.Length > 20 ? text[..20] + "…" : text;
}
