using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>A cell as read: its text, or its number when the cell is numeric (money or an Excel serial date).</summary>
internal readonly record struct SheetCell(string Text, double? Number);

/// <summary>
/// The first worksheet of an .xlsx as rows of cells, read forward with the Open XML SDK's reader (not the DOM, so a
/// sheet of tens of thousands of rows stays small). Shared strings, inline strings and numbers are read; a merged
/// range's value (kept by Excel in its top-left cell only) is copied to every cell of the range, so a pupil code or
/// class merged down several fee rows reads on each.
/// </summary>
internal static class Spreadsheet
{
    /// <summary>The media type of an .xlsx.</summary>
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The first sheet's name and its rows (1-based row number → 0-based column → cell).</summary>
    public static (string Sheet, SortedDictionary<int, Dictionary<int, SheetCell>> Rows) ReadFirstSheet(Stream stream)
    {
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("no workbook part");
        var sheet = workbook.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new InvalidDataException("the workbook has no sheet");
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToArray() ?? [];

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
                rowNumber = r is null ? rowNumber + 1 : int.Parse(r, CultureInfo.InvariantCulture);
            }
            else if (reader.ElementType == typeof(Cell))
            {
                var cell = (Cell)reader.LoadCurrentElement()!;
                var column = cell.CellReference?.Value is { } reference ? Column(reference) : (rows.TryGetValue(rowNumber, out var row0) ? row0.Count : 0);
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
                    merges.Add((RowOf(range[0]), Column(range[0]), RowOf(range[1]), Column(range[1])));
                }
            }
        }

        foreach (var (row1, col1, row2, col2) in merges)
        {
            if (!rows.TryGetValue(row1, out var top) || !top.TryGetValue(col1, out var value))
            {
                continue;
            }

            for (var r = row1; r <= row2; r++)
            {
                if (!rows.TryGetValue(r, out var row))
                {
                    rows[r] = row = [];
                }

                for (var c = col1; c <= col2; c++)
                {
                    row.TryAdd(c, value);
                }
            }
        }

        return (sheet.Name?.Value ?? "Sheet1", rows);
    }

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

    private static int Column(string reference)
    {
        var column = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetter(c))
            {
                break;
            }

            column = (column * 26) + (char.ToUpperInvariant(c) - 'A' + 1);
        }

        return column - 1;
    }

    private static int RowOf(string reference) => int.Parse(reference.AsSpan(reference.IndexOfAny("0123456789".ToCharArray())), CultureInfo.InvariantCulture);
}
