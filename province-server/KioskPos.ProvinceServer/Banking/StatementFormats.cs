using System.Text;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>A statement file in a format the import does not read: the catalogue key's last part and the detail.</summary>
internal sealed record UnreadableFormat(string Key, string Detail);

/// <summary>
/// What a statement file is, by its first bytes rather than by the type the request declares: an accountant picks the
/// file, the browser or curl guesses its type from its name, and a bank's "Excel" export is often not an .xlsx.
/// </summary>
internal static class StatementFormats
{
    private const string SaveAs = "open it in Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8, then send that file";

    // The Compound File Binary signature (MS-CFB 2.2, the header's first 8 bytes) of Excel 97-2003 .xls workbooks.
    private static readonly byte[] s_ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    // A zip's local file header (APPNOTE 4.3.7), the first bytes of every .xlsx.
    private static readonly byte[] s_zip = [0x50, 0x4B, 0x03, 0x04];

    /// <summary>The body is a zip, as an .xlsx is, whatever type the request declared.</summary>
    public static bool IsZip(ReadOnlySpan<byte> body) => body.StartsWith(s_zip);

    /// <summary>
    /// An old .xls (the OLE2 signature D0 CF 11 E0 A1 B1 1A E1), or an HTML or XML-spreadsheet page that internet
    /// banking names .xls (a table Excel opens, UTF-8 or UTF-16): each with what to do. Null for anything else.
    /// </summary>
    public static UnreadableFormat? Unreadable(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith(s_ole2))
        {
            return new UnreadableFormat("xls", $"the file is an Excel 97-2003 workbook (.xls, signature D0 CF 11 E0): {SaveAs}");
        }

        var head = body[..Math.Min(body.Length, 4096)];
        var text = head switch
        {
            [0xFF, 0xFE, ..] => Encoding.Unicode.GetString(head[2..]),
            [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode.GetString(head[2..]),
            [0xEF, 0xBB, 0xBF, ..] => Encoding.UTF8.GetString(head[3..]),
            _ => Encoding.UTF8.GetString(head),
        };
        text = text.TrimStart().ToLowerInvariant();
        if (text.StartsWith("mime-version:", StringComparison.Ordinal))
        {
            return new UnreadableFormat("html", $"the file is a web archive (MHTML) named as a spreadsheet: {SaveAs}");
        }

        if (text.StartsWith('<') && s_pageSignatures.Any(signature => text.Contains(signature, StringComparison.Ordinal)))
        {
            return new UnreadableFormat("html", $"the file is an HTML or XML page named as a spreadsheet (as some internet banking exports .xls): {SaveAs}");
        }

        return null;
    }

    // What an internet bank's ".xls" that is really a web page (or Excel 2003's XML spreadsheet) starts with: an element
    // name after its opening bracket (the text is lower-cased first), or the XML spreadsheet's namespace.
    private static readonly string[] s_pageSignatures =
        [.. new[] { "html", "!doctype html", "table" }.Select(name => '<' + name), "urn:schemas-microsoft-com:office:spreadsheet"];
}
