using System.Globalization;
using System.Text;
using System.Xml;
using KioskPos.ProvinceServer.Apis;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>One episode's totals from XML1 (<c>TONG_HOP</c>), in đồng as the file writes them (up to 2 decimals).</summary>
internal sealed record MohTotals(decimal TongChiBv, decimal Bhtt, decimal Bncct, decimal Bntt, decimal NguonKhac);

/// <summary>One row of XML2 (<c>CHI_TIET_THUOC</c>) or XML3 (<c>CHI_TIET_DVKT</c>).</summary>
internal sealed record MohLine(string Table, string Stt, string MaLk, string Name, decimal Quantity, decimal UnitPrice, decimal ThanhTienBv,
    decimal Bhtt, decimal Bncct, decimal Bntt, decimal NguonKhac)
{
    /// <summary>Where the row is, for an error: <c>XML3 STT 4</c>.</summary>
    public string Where => $"{Table} STT {Stt}";
}

/// <summary>One treatment episode (a <c>HOSO</c>): XML1's row and the lines of XML2 and XML3; <paramref name="MaCskcb"/> is XML1's facility code, null when empty.</summary>
internal sealed record MohEpisode(int Index, string MaLk, string MaBn, string? SoCccd, string? NgayVao, MohTotals Totals, List<MohLine> Lines, string? MaCskcb = null)
{
    /// <summary>Where the episode is, for an error: <c>HOSO[2] MA_LK=…</c>.</summary>
    public string Where => $"HOSO[{Index}] MA_LK={MaLk}";
}

/// <summary>A file: the facility its envelope names (<c>THONGTINDONVI/MACSKCB</c>, null when it names none), its episodes and its problems.</summary>
internal sealed record MohFile(string? Facility, List<MohEpisode> Episodes, ImportErrors Errors);

/// <summary>
/// Reads the Ministry of Health's XML output standard (Decision 130/QĐ-BYT as amended by 4750/QĐ-BYT): a
/// <c>GIAMDINHHS</c> document whose <c>THONGTINHOSO/DANHSACHHOSO</c> holds one <c>HOSO</c> per episode, each a list of
/// <c>FILEHOSO</c> (<c>LOAIHOSO</c> = <c>XML1</c>, <c>XML2</c>, …; <c>NOIDUNGFILE</c> = that table's own XML, base64
/// or plain — as text, CDATA or child elements). Only XML1, XML2 and XML3 are read; the other tables (clinical
/// notes, certificates) are skipped without being decoded. Streamed: one episode is held at a time, so a file of
/// thousands of episodes needs the memory of its bills only. No DTD, no external entity is ever resolved.
/// </summary>
internal static class MohXmlReader
{
    // The code pages beside Unicode (windows-1258, Vietnamese Windows' own) for files that declare them.
    static MohXmlReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly XmlReaderSettings s_settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        Async = false,
    };

    /// <summary>
    /// The episodes of a file, and its problems (each naming the episode, the table and row). A file that is not a
    /// <c>GIAMDINHHS</c> document gives one problem and no episodes.
    /// </summary>
    /// <remarks>A file in the QĐ 4210 format (<c>T_TONGCHI</c>, <c>THANH_TIEN</c>) gives one problem that says so, not one a row.</remarks>
    public static (List<MohEpisode> Episodes, ImportErrors Errors) Read(Stream stream, int maxEpisodes)
    {
        var file = ReadFile(stream, maxEpisodes);
        return (file.Episodes, file.Errors);
    }

    /// <summary>
    /// <see cref="Read"/>, and the facility code of the file's envelope: <c>THONGTINDONVI/MACSKCB</c>, the child of the
    /// root's <c>THONGTINDONVI</c> (trimmed; null when absent or empty).
    /// </summary>
    public static MohFile ReadFile(Stream stream, int maxEpisodes)
    {
        var episodes = new List<MohEpisode>();
        var errors = new ImportErrors();
        string? facility = null;
        try
        {
            using var reader = XmlReader.Create(stream, s_settings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "GIAMDINHHS")
            {
                errors.Add(0, new ImportText("province.importError.xml_not_giamdinhhs"), "GIAMDINHHS");
                return new MohFile(null, episodes, errors);
            }

            var index = 0;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "THONGTINDONVI" && reader.Depth == 1)
                {
                    // Its subtree read on its own, so that the reader stands on its end and reads on from there.
                    using var unit = reader.ReadSubtree();
                    facility ??= ReadFacility(unit);
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "HOSO")
                {
                    index++;
                    if (index > maxEpisodes)
                    {
                        errors.Add(0, new ImportText("province.importError.xml_too_many_episodes", new ImportCount(maxEpisodes)), $"HOSO[{index}]");
                        break;
                    }

                    bool old;
                    using (var hoso = reader.ReadSubtree())
                    {
                        old = ReadEpisode(hoso, index, episodes, errors);
                    }

                    if (old)
                    {
                        episodes.Clear();
                        errors.Clear();
                        errors.Add(0, new ImportText("province.importError.xml_4210"), $"HOSO[{index}]");
                        break;
                    }
                }
            }
        }
        catch (XmlException e)
        {
            errors.Add(0, new ImportText("province.importError.xml_not_well_formed", e.LineNumber, e.LinePosition, e.Message), "GIAMDINHHS");
        }

        if (episodes.Count == 0 && errors.Count == 0)
        {
            errors.Add(0, new ImportText("province.importError.xml_no_hoso"), "GIAMDINHHS");
        }

        return new MohFile(facility, episodes, errors);
    }

    // THONGTINDONVI's MACSKCB as text, or null when it has none or an empty one.
    private static string? ReadFacility(XmlReader unit)
    {
        unit.Read();
        unit.Read();
        while (!unit.EOF)
        {
            if (unit.NodeType == XmlNodeType.Element && unit.Depth == 1 && unit.LocalName == "MACSKCB")
            {
                return unit.ReadElementContentAsString().Trim() is { Length: > 0 } code ? code : null;
            }

            unit.Read();
        }

        return null;
    }

    // True when the episode is written in the QĐ 4210 format: its fields are read no further.
    private static bool ReadEpisode(XmlReader hoso, int index, List<MohEpisode> episodes, ImportErrors errors)
    {
        Dictionary<string, string>? xml1 = null;
        var lines = new List<MohLine>();
        var where = $"HOSO[{index}]";
        hoso.Read();
        while (hoso.Read())
        {
            if (hoso.NodeType != XmlNodeType.Element || hoso.LocalName != "FILEHOSO")
            {
                continue;
            }

            string? kind = null;
            string? content = null;
            using (var file = hoso.ReadSubtree())
            {
                file.Read();
                file.Read();

                // ReadElementContentAsString and ReadInnerXml move past the element: no Read() after them.
                while (!file.EOF)
                {
                    if (file.NodeType == XmlNodeType.Element && file.Depth == 1 && file.LocalName == "LOAIHOSO")
                    {
                        kind = file.ReadElementContentAsString().Trim().ToUpperInvariant();
                    }
                    else if (file.NodeType == XmlNodeType.Element && file.Depth == 1 && file.LocalName == "NOIDUNGFILE")
                    {
                        // Decoding is deferred until the table is known to be one we read.
                        content = file.ReadInnerXml();
                    }
                    else
                    {
                        file.Read();
                    }
                }
            }

            if (kind is not ("XML1" or "XML2" or "XML3"))
            {
                continue;
            }

            if (content is null || !TryDecode(content, out var table))
            {
                errors.Add(0, new ImportText("province.importError.xml_table_unreadable", kind), $"{where} {kind}");
                return false;
            }

            try
            {
                if (kind == "XML1")
                {
                    xml1 = ReadRows(table, "TONG_HOP").FirstOrDefault();
                    if (xml1 is not null && Is4210(xml1, "T_TONGCHI"))
                    {
                        return true;
                    }
                }
                else
                {
                    var rowName = kind == "XML2" ? "CHI_TIET_THUOC" : "CHI_TIET_DVKT";
                    foreach (var row in ReadRows(table, rowName))
                    {
                        if (Is4210(row, "THANH_TIEN"))
                        {
                            return true;
                        }

                        if (ToLine(kind, row, where, errors) is { } line)
                        {
                            lines.Add(line);
                        }
                    }
                }
            }
            catch (XmlException e)
            {
                errors.Add(0, new ImportText("province.importError.xml_table_not_well_formed", kind, e.LineNumber, e.Message), $"{where} {kind}");
                return false;
            }
        }

        if (xml1 is null)
        {
            errors.Add(0, new ImportText("province.importError.xml_no_xml1"), where);
            return false;
        }

        var maLk = Get(xml1, "MA_LK");
        var maBn = Get(xml1, "MA_BN");
        where = $"HOSO[{index}] MA_LK={maLk}";
        if (maLk.Length == 0 || maBn.Length == 0)
        {
            errors.Add(0, new ImportText("province.importError.xml_ids_required"), where);
            return false;
        }

        var totals = new MohTotals(Money(xml1, "T_TONGCHI_BV", where, errors), Money(xml1, "T_BHTT", where, errors), Money(xml1, "T_BNCCT", where, errors),
            Money(xml1, "T_BNTT", where, errors), Money(xml1, "T_NGUONKHAC", where, errors));
        var cccd = Get(xml1, "SO_CCCD");
        episodes.Add(new MohEpisode(index, maLk, maBn, cccd.Length == 0 ? null : cccd, Get(xml1, "NGAY_VAO") is { Length: > 0 } vao ? vao : null, totals, lines,
            Get(xml1, "MA_CSKCB") is { Length: > 0 } facility ? facility : null));
        return false;
    }

    // QĐ 4210 wrote the hospital's amounts as T_TONGCHI (XML1) and THANH_TIEN (XML2, XML3); QĐ 130 writes T_TONGCHI_BV
    // and THANH_TIEN_BV (beside the insurance's _BH). Read as 130, a 4210 row has no THANH_TIEN_BV: every row of every
    // episode would be refused for parts that do not add up to 0, which says nothing of the cause.
    private static bool Is4210(Dictionary<string, string> row, string field) => row.ContainsKey(field) && !row.ContainsKey(field + "_BV");

    private static MohLine? ToLine(string kind, Dictionary<string, string> row, string episode, ImportErrors errors)
    {
        var stt = Get(row, "STT");
        var where = $"{episode} {kind} STT {(stt.Length == 0 ? "?" : stt)}";
        var name = kind == "XML2" ? Get(row, "TEN_THUOC")
            : Get(row, "TEN_DICH_VU") is { Length: > 0 } service ? service : Get(row, "TEN_VAT_TU");
        var count = errors.Count;
        var line = new MohLine(kind, stt, Get(row, "MA_LK"), name, Number(row, "SO_LUONG", where, errors),
            Number(row, kind == "XML2" ? "DON_GIA" : "DON_GIA_BV", where, errors), Money(row, "THANH_TIEN_BV", where, errors),
            Money(row, "T_BHTT", where, errors), Money(row, "T_BNCCT", where, errors), Money(row, "T_BNTT", where, errors), Money(row, "T_NGUONKHAC", where, errors));
        if (name.Length == 0)
        {
            errors.Add(0, new ImportText(kind == "XML2" ? "province.importError.xml_drug_name_empty" : "province.importError.xml_service_name_empty"), where);
        }

        return errors.Count == count ? line : null;
    }

    /// <summary>
    /// Plain XML (it starts with <c>&lt;</c>), else base64 of the table's XML file. Decoded, the file is read as any XML
    /// file is: its byte order mark or its declaration names its encoding (UTF-8 when neither does), so a table an
    /// older exporter wrote in <c>windows-1258</c> or UTF-16 is read as written, and bytes that are not of the
    /// encoding named are refused, never read as replacement characters.
    /// </summary>
    private static bool TryDecode(string content, out Func<XmlReader> open)
    {
        var trimmed = content.AsSpan().Trim();
        if (trimmed.StartsWith("<![CDATA[", StringComparison.Ordinal))
        {
            trimmed = trimmed["<![CDATA[".Length..^"]]>".Length].Trim();
        }

        if (trimmed.Length > 0 && trimmed[0] == '<')
        {
            var xml = trimmed.ToString();
            open = () => XmlReader.Create(new StringReader(xml), s_settings);
            return true;
        }

        if (trimmed.StartsWith("&lt;", StringComparison.Ordinal))
        {
            // Plain XML written as escaped text: ReadInnerXml kept the escapes.
            var xml = System.Net.WebUtility.HtmlDecode(trimmed.ToString());
            open = () => XmlReader.Create(new StringReader(xml), s_settings);
            return true;
        }

        var bytes = new byte[(trimmed.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64Chars(trimmed.ToString().Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal), bytes, out var written)
            && StartsAsXml(bytes.AsSpan(0, written)))
        {
            open = () => XmlReader.Create(new MemoryStream(bytes, 0, written, writable: false), s_settings);
            return true;
        }

        open = null!;
        return false;
    }

    // An XML file's first bytes: a byte order mark (UTF-8, or UTF-16 whose reader then decides) or '<' after blanks.
    private static bool StartsAsXml(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return bytes.Length > 2;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        bytes = bytes.TrimStart(" \t\r\n"u8);
        return bytes.Length > 0 && bytes[0] == (byte)'<';
    }

    /// <summary>Every element named <paramref name="rowName"/> as a map of its child elements' text.</summary>
    private static IEnumerable<Dictionary<string, string>> ReadRows(Func<XmlReader> open, string rowName)
    {
        using var reader = open();
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != rowName)
            {
                continue;
            }

            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var fields = reader.ReadSubtree())
            {
                fields.Read();
                fields.Read();
                while (!fields.EOF)
                {
                    if (fields.NodeType == XmlNodeType.Element && fields.Depth == 1)
                    {
                        var field = fields.LocalName;
                        // A legacy encoding's letters come as a base letter and its tone mark: composed, as every text we keep.
                        var text = fields.ReadElementContentAsString().Trim();
                        row[field] = text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
                    }
                    else
                    {
                        fields.Read();
                    }
                }
            }

            yield return row;
        }
    }

    private static string Get(Dictionary<string, string> row, string field) => row.TryGetValue(field, out var value) ? value : string.Empty;

    // Amounts are numbers with '.' for decimals (the standard's numeric type); empty means 0.
    private static decimal Money(Dictionary<string, string> row, string field, string where, ImportErrors errors)
    {
        var value = Number(row, field, where, errors);
        if (value < 0)
        {
            errors.Add(0, new ImportText("province.importError.xml_negative", field, TextChecks.Excerpt(Get(row, field))), where, field);
        }

        return value;
    }

    private static decimal Number(Dictionary<string, string> row, string field, string where, ImportErrors errors)
    {
        var text = Get(row, field);
        if (text.Length == 0)
        {
            return 0;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || Math.Abs(value) > 1_000_000_000_000m)
        {
            errors.Add(0, new ImportText("province.importError.xml_not_number", field, TextChecks.Excerpt(text)), where, field);
            return 0;
        }

        return value;
    }
}
