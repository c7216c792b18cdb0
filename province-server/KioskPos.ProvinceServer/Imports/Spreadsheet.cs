using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// A cell as read: its text (trimmed, in Unicode NFC), or its number when the cell is numeric (money or an Excel serial
/// date); <paramref name="FromMerge"/> when it holds a copy of a merged range's value, not a value written in it, then
/// <paramref name="Merge"/> names that range as the sheet writes it and <paramref name="MergeTop"/> is its first row
/// (the row of the value copied).
/// </summary>
internal readonly record struct SheetCell(string Text, double? Number, bool FromMerge = false, string? Merge = null, int MergeTop = 0);

/// <summary>
/// A worksheet as read: its name, its rows (1-based row number → 0-based column → cell), whether the workbook counts
/// dates from 1904 (<c>workbookPr date1904</c>, Excel for Mac's old default: serial 0 is 1 January 1904) rather than
/// 1900, and the rows the sheet hides.
/// </summary>
internal sealed record SheetRead(string Sheet, SortedDictionary<int, Dictionary<int, SheetCell>> Rows, bool Date1904, IReadOnlySet<int> HiddenRows);

/// <summary>A workbook refused whole by <see cref="Spreadsheet"/>, <see cref="Text"/> saying why in either language (the message is the English).</summary>
internal abstract class SpreadsheetRefusalException(ImportText text, Exception? inner) : IOException(text.En, inner)
{
    /// <summary>Why, from the catalogue.</summary>
    public ImportText Text { get; } = text;
}

/// <summary>
/// A workbook over one of <see cref="Spreadsheet"/>'s limits (what it unpacks to, its parts, rows, columns, cells, cell
/// formats): refused whole, naming the limit. The bill import and the bank statement import answer it 400
/// <c>workbook_over_limit</c>, the title saying it in Vietnamese and the detail in English.
/// </summary>
internal sealed class SpreadsheetLimitException(ImportText text) : SpreadsheetRefusalException(text, null);

/// <summary>
/// A body that is not a workbook <see cref="Spreadsheet"/> can read, whatever part of it is broken (the package, its
/// relationships, its XML, a sheet this reader refuses): the callers answer it in words, never a 500.
/// </summary>
internal sealed class SpreadsheetFormatException(ImportText text, Exception? inner = null) : SpreadsheetRefusalException(text, inner);

/// <summary>
/// The first visible worksheet of an .xlsx as rows of cells, read forward with the Open XML SDK's reader (not the
/// DOM, so a sheet of tens of thousands of rows stays small). Shared strings, inline strings and numbers are read; a
/// merged range's value (kept by Excel in its top-left cell only) is copied to every cell of the range, so a pupil code
/// or class merged down several fee rows reads on each (the copy is marked, for a reader to refuse where a copy would
/// count money twice). On request a number cell's text is the text its number format shows (the bank statement import:
/// see <see cref="Read(Stream, int, bool)"/>). Bounded before and while reading: an .xlsx is a zip, and a few hundred
/// kilobytes can unpack to gigabytes (a zip bomb), so the package's declared sizes are checked before it is opened,
/// every part is read with a character bound, and reading stops at a number of rows, columns, cells and cell formats.
/// </summary>
internal static partial class Spreadsheet
{
    /// <summary>Excel's last row and its number of columns (A to XFD).</summary>
    private const int MaxRows = 1_048_576;
    private const int MaxColumns = 16_384;

    /// <summary>At most this many cells filled in from merged ranges (a fee list of 20,000 pupils merges far fewer).</summary>
    private const long MaxMergedCells = 2_000_000;

    /// <summary>The most a workbook's parts may unpack to, together. A fee list of 100,000 rows is some 60 MB of XML.</summary>
    public const long MaxUnpackedBytes = 100L * 1024 * 1024;

    /// <summary>The most a part larger than <see cref="RatioFromBytes"/> may unpack to per byte packed. Sheets of real lists pack 5 to 30 times.</summary>
    public const int MaxRatio = 100;

    private const long RatioFromBytes = 1024 * 1024;

    /// <summary>The most parts a package may have (a workbook has tens).</summary>
    private const int MaxEntries = 10_000;

    /// <summary>The most number and cell formats read together: Excel's own limit of unique cell formats (a statement has tens).</summary>
    private const int MaxCellFormats = 65_490;

    /// <summary>The columns read, A to GR: a value further right refuses the workbook (a fee list or a statement has tens).</summary>
    public const int MaxReadColumns = 200;

    /// <summary>The rows with values read by default before the workbook is refused.</summary>
    public const int DefaultMaxRows = 200_000;

    /// <summary>The cells with values read before the workbook is refused (100,000 rows of 30 columns).</summary>
    private const long MaxCells = 3_000_000;

    /// <summary>The media type of an .xlsx.</summary>
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>
    /// The first visible sheet (a hidden or very hidden sheet, a look-up list or last term's copy, is not what the
    /// accountant sees first), with the workbook's date system and the sheet's hidden rows; at most
    /// <paramref name="maxRows"/> rows with values. <paramref name="stream"/> must be seekable (a spooled body).
    /// </summary>
    /// <remarks>
    /// <paramref name="formatted"/>: a number cell's text is the number as its format shows it where the format keeps
    /// what was written (<c>0.00</c>, <c>0000</c>, <c>#,##0</c>): a bank's reference <c>5213.10</c> that Excel made
    /// the number 5213.1 reads as <c>5213.10</c>, the line's key across imports. Otherwise, and under any other format
    /// (General, dates, currency, text), the number's own text.
    /// </remarks>
    /// <exception cref="SpreadsheetFormatException">The body is not a workbook this reader can read.</exception>
    /// <exception cref="SpreadsheetLimitException">The workbook is over a limit.</exception>
    public static SheetRead Read(Stream stream, int maxRows = DefaultMaxRows, bool formatted = false)
    {
        try
        {
            CheckPackage(stream);
            return ReadFirstVisibleSheet(stream, maxRows, formatted);
        }
        catch (Exception e) when (e is not SpreadsheetRefusalException
            && e is OpenXmlPackageException or IOException or InvalidDataException or FormatException or InvalidOperationException or System.Xml.XmlException or ArgumentException
                or NotSupportedException)
        {
            // System.IO.Packaging throws ArgumentException for a part URI ending in '/' or an absolute internal
            // relationship target (both found by make fuzz, bill-import-xlsx). The library's own words say what broke,
            // in English: they are quoted after the sentence for people.
            throw new SpreadsheetFormatException(new ImportText("province.workbook.damaged", e.Message), e);
        }
    }

    // The central directory declares each part's packed and unpacked size, and System.IO.Compression never inflates an
    // entry past its declared size; so the declared sizes bound what opening the package can cost, and are checked
    // before the SDK reads a byte of it.
    private static void CheckPackage(Stream stream)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the workbook is read from a seekable stream (a spooled body)", nameof(stream));
        }

        var start = stream.Position;
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
        {
            if (zip.Entries.Count > MaxEntries)
            {
                throw new SpreadsheetLimitException(new ImportText("province.workbook.too_many_parts", new ImportCount(zip.Entries.Count), new ImportCount(MaxEntries)));
            }

            long total = 0;
            foreach (var entry in zip.Entries)
            {
                if (entry.Length > MaxUnpackedBytes - total)
                {
                    throw new SpreadsheetLimitException(new ImportText("province.workbook.unpacks_too_large", MaxUnpackedBytes / (1024 * 1024), Cut(entry.FullName), new ImportCount(entry.Length)));
                }

                total += entry.Length;
                if (entry.Length > RatioFromBytes && entry.Length / Math.Max(1, entry.CompressedLength) > MaxRatio)
                {
                    throw new SpreadsheetLimitException(new ImportText("province.workbook.packs_too_tightly", Cut(entry.FullName), new ImportCount(entry.Length / Math.Max(1, entry.CompressedLength)), MaxRatio));
                }
            }
        }

        stream.Position = start;
    }

    private static SheetRead ReadFirstVisibleSheet(Stream stream, int maxRows, bool formatted)
    {
        using var document = SpreadsheetDocument.Open(stream, false, new OpenSettings { MaxCharactersInPart = MaxUnpackedBytes });
        var workbook = document.WorkbookPart ?? throw new SpreadsheetFormatException(new ImportText("province.workbook.no_workbook_part"));
        // An empty workbook.xml leaves Workbook null (found by make fuzz, bill-import-xlsx).
        var sheets = workbook.Workbook?.Sheets?.Elements<Sheet>().ToList() is { Count: > 0 } all ? all : throw new SpreadsheetFormatException(new ImportText("province.workbook.no_sheet"));
        var sheet = sheets.FirstOrDefault(s => s.State is null || s.State.Value == SheetStateValues.Visible) ?? throw new SpreadsheetFormatException(new ImportText("province.workbook.all_sheets_hidden"));
        var date1904 = workbook.Workbook!.WorkbookProperties?.Date1904?.Value == true;
        var part = sheet.Id?.Value is { } id && workbook.TryGetPartById(id, out var found) && found is WorksheetPart worksheet
            ? worksheet
            : throw new SpreadsheetFormatException(new ImportText("province.workbook.no_worksheet_part"));
        var options = new OpenXmlPartReaderOptions { MaxCharactersInPart = MaxUnpackedBytes };

        // Streamed like the sheet, each string trimmed and in NFC once.
        var shared = new List<string>();
        if (workbook.SharedStringTablePart is { } strings)
        {
            using var sst = new OpenXmlPartReader(strings, options);
            while (sst.Read())
            {
                if (sst.IsStartElement && sst.ElementType == typeof(SharedStringItem))
                {
                    shared.Add(Clean(((SharedStringItem)sst.LoadCurrentElement()!).InnerText));
                }
            }
        }

        var formats = formatted && workbook.WorkbookStylesPart is { } styles ? NumberFormats(styles, options) : [];
        var rows = new SortedDictionary<int, Dictionary<int, SheetCell>>();
        var hidden = new HashSet<int>();
        var merges = new List<(int Row1, int Col1, int Row2, int Col2, string Range)>();
        using var reader = new OpenXmlPartReader(part, options);
        var rowNumber = 0;
        long cells = 0;
        while (reader.Read())
        {
            if (!reader.IsStartElement)
            {
                continue;
            }

            if (reader.ElementType == typeof(Row))
            {
                var r = Attribute(reader, "r");
                rowNumber = r is null ? rowNumber + 1
                    : int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxRows ? n
                    : throw new SpreadsheetFormatException(new ImportText("province.workbook.bad_row_number", Cut(r), new ImportCount(MaxRows)));
                if (Attribute(reader, "hidden") is "1" or "true")
                {
                    hidden.Add(rowNumber);
                }
            }
            else if (reader.ElementType == typeof(Cell))
            {
                var cell = (Cell)reader.LoadCurrentElement()!;
                var column = cell.CellReference?.Value is { } reference ? Reference(reference).Column : (rows.TryGetValue(rowNumber, out var row0) ? row0.Count : 0);
                var value = Read(cell, shared, formats);
                if (value.Text.Length > 0)
                {
                    if (column >= MaxReadColumns)
                    {
                        throw new SpreadsheetLimitException(new ImportText("province.workbook.too_many_columns", rowNumber, Letters(column), MaxReadColumns, Letters(MaxReadColumns - 1)));
                    }

                    if (!rows.TryGetValue(rowNumber, out var row))
                    {
                        if (rows.Count == maxRows)
                        {
                            throw new SpreadsheetLimitException(new ImportText("province.workbook.too_many_rows", new ImportCount(maxRows)));
                        }

                        rows[rowNumber] = row = [];
                    }

                    if (++cells > MaxCells)
                    {
                        throw new SpreadsheetLimitException(new ImportText("province.workbook.too_many_cells", new ImportCount(MaxCells)));
                    }

                    row[column] = value;
                }
            }
            else if (reader.ElementType == typeof(MergeCell))
            {
                var text = ((MergeCell)reader.LoadCurrentElement()!).Reference?.Value;
                var range = text?.Split(':');
                if (range is { Length: 2 })
                {
                    var (from, to) = (Reference(range[0]), Reference(range[1]));
                    merges.Add((from.Row, from.Column, to.Row, to.Column, text!));
                }
            }
        }

        // A merged range is copied onto the rows and columns that hold data, no further: a range as wide as the sheet
        // (A1:XFD1048576) must not become sixteen billion cells.
        var lastRow = rows.Count == 0 ? 0 : rows.Keys.Max();
        var lastColumn = rows.Count == 0 ? 0 : rows.Values.Max(r => r.Count == 0 ? 0 : r.Keys.Max());
        long copied = 0;
        foreach (var (row1, col1, row2Given, col2Given, range) in merges)
        {
            if (!rows.TryGetValue(row1, out var top) || !top.TryGetValue(col1, out var value))
            {
                continue;
            }

            var (row2, col2) = (Math.Min(row2Given, lastRow), Math.Min(col2Given, lastColumn));
            copied += Math.Max(0L, row2 - row1 + 1L) * Math.Max(0L, col2 - col1 + 1L);
            if (copied > MaxMergedCells)
            {
                throw new SpreadsheetFormatException(new ImportText("province.workbook.too_many_merged", new ImportCount(MaxMergedCells)));
            }

            for (var r = row1; r <= row2; r++)
            {
                if (!rows.TryGetValue(r, out var row))
                {
                    rows[r] = row = [];
                }

                for (var c = col1; c <= col2; c++)
                {
                    row.TryAdd(c, value with { FromMerge = true, Merge = range, MergeTop = row1 });
                }
            }
        }

        return new SheetRead(sheet.Name?.Value ?? "Sheet1", rows, date1904, hidden);
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

    private static SheetCell Read(Cell cell, List<string> shared, string?[] formats)
    {
        var raw = cell.CellValue?.Text ?? string.Empty;
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
        {
            return new SheetCell(int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < shared.Count ? shared[i] : string.Empty, null);
        }

        if (type == CellValues.InlineString)
        {
            return new SheetCell(Clean(cell.InlineString?.InnerText ?? raw), null);
        }

        if (type == CellValues.String || type == CellValues.Boolean || type == CellValues.Error)
        {
            return new SheetCell(Clean(raw), null);
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new SheetCell(Clean(raw), null);
        }

        // Bounded as the cell's own text is: a format of at most 30 placeholders, and no number past Excel's 15 digits
        // (1E+308 under "0" would be 309 characters, written in a cell of 30 bytes).
        return cell.StyleIndex?.Value is { } style && style < formats.Length && formats[style] is { } format && Math.Abs(number) < 1e15
            ? new SheetCell(number.ToString(format, CultureInfo.InvariantCulture), number)
            : new SheetCell(raw, number);
    }

    /// <summary>
    /// Per cell format (<c>cellXfs</c>, the index a cell's <c>s</c> names), the .NET format that writes a number as the
    /// cell format's number format shows it, or null: Excel's built-in formats 1 to 4 (ECMA-376 Part 1, 18.8.30), or a
    /// custom format of at most 30 digit placeholders, a decimal point and grouping, which .NET's custom numeric format
    /// writes the same. Streamed like the sheet; at most <see cref="MaxCellFormats"/> number and cell formats.
    /// </summary>
    private static string?[] NumberFormats(WorkbookStylesPart styles, OpenXmlPartReaderOptions options)
    {
        var codes = new Dictionary<uint, string?> { [1] = "0", [2] = "0.00", [3] = "#,##0", [4] = "#,##0.00" };
        var ids = new List<uint>();

        // numFmt and xf elements are read in their lists only: not a differential format's numFmt (dxfs), nor an xf of
        // cellStyleXfs (the named styles' own, which no cell names).
        Type[] lists = [typeof(NumberingFormats), typeof(CellStyleFormats), typeof(CellFormats), typeof(DifferentialFormats)];
        Type? list = null;
        using var reader = new OpenXmlPartReader(styles, options);
        while (reader.Read())
        {
            if (!reader.IsStartElement)
            {
                continue;
            }

            if (lists.Contains(reader.ElementType))
            {
                list = reader.ElementType;
                continue;
            }

            var numberFormat = reader.ElementType == typeof(NumberingFormat) && list == typeof(NumberingFormats);
            if (!numberFormat && (reader.ElementType != typeof(CellFormat) || list != typeof(CellFormats)))
            {
                continue;
            }

            if (codes.Count + ids.Count >= MaxCellFormats)
            {
                throw new SpreadsheetLimitException(new ImportText("province.workbook.too_many_formats", new ImportCount(MaxCellFormats)));
            }

            var id = uint.TryParse(Attribute(reader, "numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            if (numberFormat)
            {
                codes[id] = Attribute(reader, "formatCode") is { Length: <= 30 } code && Placeholders().IsMatch(code) ? code : null;
            }
            else
            {
                ids.Add(id);
            }
        }

        return [.. ids.Select(id => codes.GetValueOrDefault(id))];
    }

    private static string? Attribute(OpenXmlReader reader, string name) => reader.Attributes.FirstOrDefault(a => a.LocalName == name).Value;

    // Text typed on a Mac or pasted from a web page is often decomposed (NFD: "ê" as e and a combining circumflex): a
    // header or a payer code then compares unequal to the same text typed elsewhere. Every cell is NFC.
    private static string Clean(string text)
    {
        var trimmed = text.Trim();
        return trimmed.IsNormalized(NormalizationForm.FormC) ? trimmed : trimmed.Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// A cell reference such as <c>B12</c> or <c>$B$12</c>: 1 to 3 letters up to XFD (0-based column) and a row from
    /// 1 to 1,048,576, as Excel allows; anything else is <see cref="SpreadsheetFormatException"/>.
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
            throw new SpreadsheetFormatException(new ImportText("province.workbook.bad_reference", Cut(reference)));
        }

        return (row, column - 1);
    }

    private static string Cut(string text) => text.Length > 20 ? text[..20] + "…" : text;

    [GeneratedRegex(@"^[0#]+(?:,[0#]{3})*(?:\.[0#]+)?$|^#,##0(?:\.[0#]+)?$")]
    private static partial Regex Placeholders();
}
