using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.ProvinceServer.Imports;

namespace KioskPos.ProvinceServer.Tests.Imports;

/// <summary>
/// Files as Vietnamese Windows writes them when nobody asked for UTF-8. Excel's plain "CSV" writes the ANSI code page,
/// windows-1258, whose Vietnamese letters are a base letter and a combining tone mark (the bytes here are taken from
/// the code page's table, not from .NET's encoder: ô F4, đ F0, the acute EC, the dot below F2); on a computer whose list
/// separator is a semicolon it separates fields with semicolons. An XML table of the Ministry of Health's standard
/// carries its own declaration, which may name windows-1258, or a UTF-16 byte order mark. Before: the CSV was stored with
/// replacement characters and answered 200; a windows-1258 table's drug names were stored garbled; a UTF-16 table and
/// an outer file declared windows-1258 were refused with the wrong reason.
/// </summary>
public sealed class LegacyEncodingTests
{
    private const string Header = "bill_id,institution_id,payer_code,category,title,due_date,description,quantity,unit_price,insurance_covered\n";

    private const string Xml1 = "<TONG_HOP><MA_LK>LK1</MA_LK><STT>1</STT><MA_BN>BN1</MA_BN><HO_TEN>A</HO_TEN><NGAY_VAO>202612010830</NGAY_VAO>"
        + "<T_TONGCHI_BV>15000</T_TONGCHI_BV><T_BNTT>0</T_BNTT><T_BNCCT>3000</T_BNCCT><T_BHTT>12000</T_BHTT><T_NGUONKHAC>0</T_NGUONKHAC><MA_CSKCB>82001</MA_CSKCB></TONG_HOP>";

    private const string Xml2Before = "<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC><CHI_TIET_THUOC><MA_LK>LK1</MA_LK><STT>1</STT><TEN_THUOC>";

    private const string Xml2After = "</TEN_THUOC><SO_LUONG>10</SO_LUONG><DON_GIA>1500</DON_GIA><THANH_TIEN_BV>15000</THANH_TIEN_BV><T_NGUONKHAC>0</T_NGUONKHAC>"
        + "<T_BNTT>0</T_BNTT><T_BNCCT>3000</T_BNCCT><T_BHTT>12000</T_BHTT></CHI_TIET_THUOC></DSACH_CHI_TIET_THUOC></CHITIEU_CHITIET_THUOC>";

    // "Thuốc ho (đ)" in windows-1258: T h u ô+acute c, space, h o, space, (, đ, ).
    private static readonly byte[] s_thuocHo1258 = [(byte)'T', (byte)'h', (byte)'u', 0xF4, 0xEC, (byte)'c', (byte)' ', (byte)'h', (byte)'o', (byte)' ', (byte)'(', 0xF0, (byte)')'];

    [Fact]
    public async Task A_bill_csv_in_windows_1258_is_refused_whole_naming_the_encoding_and_stores_nothing()
    {
        await using var province = await ProvinceHost.StartAsync();
        var before = await StoredAsync(province);
        byte[] csv = [.. Encoding.ASCII.GetBytes(Header + "B1258,TG-THCS-NGUYENDU,HS240001,hoc_phi,"), .. s_thuocHo1258, .. Encoding.ASCII.GetBytes(",2026-12-31,D,1,100000,0\n")];

        var (status, body) = await ImportAsync(province, csv);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("not_utf8", body.GetProperty("code").GetString());
        Assert.StartsWith("Tệp CSV không phải văn bản UTF-8", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("CSV UTF-8", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await StoredAsync(province));

        // The same row saved as CSV UTF-8 (Excel writes its byte order mark) is stored with its letters.
        var (saved, _) = await ImportAsync(province, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Header + "B1258,TG-THCS-NGUYENDU,HS240001,hoc_phi,Thuốc ho (đ),2026-12-31,D,1,100000,0\n")]);
        Assert.Equal(HttpStatusCode.OK, saved);
        Assert.Equal("Thuốc ho (đ)", await province.ScalarAsync("SELECT title FROM bills WHERE id = 'B1258'"));
    }

    [Fact]
    public async Task A_bill_csv_separated_by_semicolons_is_read_as_its_fields()
    {
        await using var province = await ProvinceHost.StartAsync();
        var csv = Header.Replace(',', ';') + "BSEMI;TG-THCS-NGUYENDU;HS240001;hoc_phi;\"Học phí; tháng 12\";2026-12-31;Học phí;1;150000;0\r\n";

        var (status, body) = await ImportAsync(province, Encoding.UTF8.GetBytes(csv));

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(1, body.GetProperty("created").GetInt32());
        Assert.Equal("Học phí; tháng 12", await province.ScalarAsync("SELECT title FROM bills WHERE id = 'BSEMI'"));
        Assert.Equal(150_000L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'BSEMI'")));
    }

    [Fact]
    public void A_hospital_table_declared_windows_1258_is_read_with_its_letters()
    {
        byte[] table = [.. Encoding.ASCII.GetBytes("<?xml version=\"1.0\" encoding=\"windows-1258\"?>" + Xml2Before), .. s_thuocHo1258, .. Encoding.ASCII.GetBytes(Xml2After)];

        var file = MohXmlReader.ReadFile(Wrap("utf-8", Encoding.UTF8.GetBytes(Xml1), table), 10);

        Assert.Empty(file.Errors);
        var line = Assert.Single(Assert.Single(file.Episodes).Lines);
        Assert.Equal("Thuốc ho (đ)", line.Name);
        Assert.True(line.Name.IsNormalized(NormalizationForm.FormC));
    }

    [Fact]
    public void A_hospital_table_in_utf16_with_its_byte_order_mark_is_read()
    {
        byte[] table = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("<?xml version=\"1.0\" encoding=\"utf-16\"?>" + Xml2Before + "Thuốc ho (đ)" + Xml2After)];

        var file = MohXmlReader.ReadFile(Wrap("utf-8", Encoding.UTF8.GetBytes(Xml1), table), 10);

        Assert.Empty(file.Errors);
        Assert.Equal("Thuốc ho (đ)", Assert.Single(Assert.Single(file.Episodes).Lines).Name);
    }

    [Fact]
    public void A_hospital_table_in_windows_1258_that_declares_nothing_is_refused_never_read_with_replacement_characters()
    {
        byte[] table = [.. Encoding.ASCII.GetBytes(Xml2Before), .. s_thuocHo1258, .. Encoding.ASCII.GetBytes(Xml2After)];

        var file = MohXmlReader.ReadFile(Wrap("utf-8", Encoding.UTF8.GetBytes(Xml1), table), 10);

        Assert.Empty(file.Episodes);
        var error = Assert.Single(file.Errors);
        Assert.Equal("HOSO[1] XML2", error.Path);
        Assert.Equal("xml_table_not_well_formed", error.Code);
        Assert.StartsWith("XML2: XML của bảng không hợp lệ", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("XML2: its XML is not well-formed", error.MessageEn, StringComparison.Ordinal);
    }

    [Fact]
    public void A_whole_file_declared_windows_1258_is_read()
    {
        var file = MohXmlReader.ReadFile(Wrap("windows-1258", Encoding.UTF8.GetBytes(Xml1), Encoding.UTF8.GetBytes(Xml2Before + "Paracetamol" + Xml2After)), 10);

        Assert.Empty(file.Errors);
        Assert.Equal("82001", file.Facility);
        Assert.Equal("Paracetamol", Assert.Single(Assert.Single(file.Episodes).Lines).Name);
    }

    // The envelope, in ASCII (valid in UTF-8 and windows-1258 alike), each table base64 of its own bytes.
    private static MemoryStream Wrap(string encoding, byte[] xml1, byte[] xml2) => new(Encoding.ASCII.GetBytes(
        $"<?xml version=\"1.0\" encoding=\"{encoding}\"?><GIAMDINHHS><THONGTINDONVI><MACSKCB>82001</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20261205</NGAYLAP>"
        + "<SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO>"
        + $"<FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>{Convert.ToBase64String(xml1)}</NOIDUNGFILE></FILEHOSO>"
        + $"<FILEHOSO><LOAIHOSO>XML2</LOAIHOSO><NOIDUNGFILE>{Convert.ToBase64String(xml2)}</NOIDUNGFILE></FILEHOSO>"
        + "</HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI/></GIAMDINHHS>"));

    private static async Task<(long Bills, long Lines)> StoredAsync(ProvinceHost province) =>
        (Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills")), Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bill_lines")));

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(ProvinceHost province, byte[] csv)
    {
        using var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        using var response = await province.Admin.PostAsync("/api/v1/admin/bills/import", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
