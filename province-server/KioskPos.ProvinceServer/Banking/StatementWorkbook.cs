using System.Globalization;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using KioskPos.ProvinceServer.Imports;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// A statement workbook's numbers as Excel shows them. A bank's reference such as <c>5213.10</c> that became a number
/// (5213.1, when the export went through Excel) is the line's key across imports: read as the bare number it would be
/// another line's. Where the cell's number format keeps what was written (<c>0.00</c>, <c>0000</c>, <c>#,##0</c>), the
/// cell's text is the formatted text; a General cell keeps the number's own text, and the ledger's look for a stored
/// line of the same day, amount and text catches what is left (<see cref="Data.BankLedger.ImportStatementAsync"/>).
/// </summary>
internal static partial class StatementWorkbook
{
    /// <summary>The first sheet's rows (as <see cref="Spreadsheet.ReadFirstSheet"/> reads them), each number cell's text as its format shows it.</summary>
    /// <exception cref="InvalidDataException">The body is not a workbook this reader can read.</exception>
    public static (string Sheet, SortedDictionary<int, Dictionary<int, SheetCell>> Rows) Read(byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        var (sheet, rows) = Spreadsheet.ReadFirstSheet(stream);
        try
        {
            ApplyFormats(body, rows);
        }
        catch (Exception e) when (e is OpenXmlPackageException or IOException or FormatException or InvalidOperationException or System.Xml.XmlException or ArgumentException)
        {
            throw new InvalidDataException(e.Message, e);
        }

        return (sheet, rows);
    }

    private static void ApplyFormats(byte[] body, SortedDictionary<int, Dictionary<int, SheetCell>> rows)
    {
        using var stream = new MemoryStream(body, writable: false);
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart;
        var styles = workbook?.WorkbookStylesPart?.Stylesheet;
        var formats = styles?.CellFormats?.Elements<CellFormat>().Select(f => f.NumberFormatId?.Value ?? 0u).ToArray() ?? [];
        if (workbook is null || formats.All(f => f == 0))
        {
            return; // every cell General: the numbers' own text
        }

        var codes = new Dictionary<uint, string>();
        foreach (var format in styles!.NumberingFormats?.Elements<NumberingFormat>() ?? [])
        {
            if (format.NumberFormatId?.Value is { } id)
            {
                codes[id] = format.FormatCode?.Value ?? string.Empty;
            }
        }

        var sheet = workbook.Workbook?.Sheets?.Elements<Sheet>().FirstOrDefault();
        if (sheet?.Id?.Value is not { } sheetId || !workbook.TryGetPartById(sheetId, out var found) || found is not WorksheetPart part)
        {
            return;
        }

        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            if (!reader.IsStartElement || reader.ElementType != typeof(Cell))
            {
                continue;
            }

            var cell = (Cell)reader.LoadCurrentElement()!;
            if ((cell.DataType is null || cell.DataType.Value == CellValues.Number) && cell.StyleIndex?.Value is { } style && style < formats.Length
                && DotNetFormat(formats[style], codes) is { } code && cell.CellReference?.Value is { } reference && Position(reference) is (int row, int column)
                && rows.TryGetValue(row, out var cells) && cells.TryGetValue(column, out var value) && value.Number is { } number && !value.FromMerge)
            {
                cells[column] = value with { Text = number.ToString(code, CultureInfo.InvariantCulture) };
            }
        }
    }

    // Excel's built-in formats 1 to 4 (ECMA-376 Part 1, 18.8.30), or a custom format of digit placeholders, a decimal
    // point and grouping only, which .NET's custom numeric format writes the same; anything else (dates, currency,
    // text, General) is left to the number's own text.
    private static string? DotNetFormat(uint id, Dictionary<uint, string> codes)
    {
        var code = id switch
        {
            1 => "0",
            2 => "0.00",
            3 => "#,##0",
            4 => "#,##0.00",
            _ => codes.GetValueOrDefault(id),
        };
        return code is not null && Placeholders().IsMatch(code) ? code : null;
    }

    private static (int Row, int Column)? Position(string reference)
    {
        var match = CellReference().Match(reference);
        if (!match.Success || !int.TryParse(match.Groups["row"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var row))
        {
            return null;
        }

        var column = 0;
        foreach (var letter in match.Groups["column"].Value)
        {
            column = (column * 26) + (char.ToUpperInvariant(letter) - 'A' + 1);
        }

        return (row, column - 1);
    }

    [GeneratedRegex(@"^[0#]+(?:,[0#]{3})*(?:\.[0#]+)?$|^#,##0(?:\.[0#]+)?$")]
    private static partial Regex Placeholders();

    [GeneratedRegex(@"^\$?(?<column>[A-Za-z]{1,3})\$?(?<row>\d{1,7})$")]
    private static partial Regex CellReference();
}
