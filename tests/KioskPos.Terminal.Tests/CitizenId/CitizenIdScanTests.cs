using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace KioskPos.Terminal.Tests.CitizenId;

/// <summary>
/// A chip citizen-ID card (CCCD) scanned at the hospital counter finds the patient, and neither database keeps the
/// card's number, name or birth date. The QR text follows the layout in ../shared/reference/institution-data.md, as
/// public CCCD QR readers also list it (number | old 9-digit number | full name | birth date ddMMyyyy | sex |
/// permanent address | issue date ddMMyyyy). The hospital's XML that links the number to the patient is the
/// Ministry of Health's (QĐ 130/4750: XML1 TONG_HOP with MA_LK, MA_BN, HO_TEN, SO_CCCD, NGAY_SINH; see the province
/// tests' MohXmlFixture for the sources), cut to the fields this needs.
/// </summary>
public sealed class CitizenIdScanTests
{
    private const string Number = "082190000123";

    // The name is not one the demo data could give a patient, so a copy in a database could only come from the card.
    private const string Name = "Đoàn Thị Kim Tuyết";
    private const string Qr = Number + "|312345678|" + Name + "|15011990|Nữ|Ấp Long Hòa, xã Long An, huyện Châu Thành, tỉnh Tiền Giang|20042021";

    [Fact]
    public async Task A_scan_at_the_counter_finds_the_patient_and_no_database_keeps_the_card()
    {
        await using var province = await ProvinceHost.StartAsync();
        var xml1 = $"<TONG_HOP><MA_LK>2612019999</MA_LK><STT>1</STT><MA_BN>BN260002</MA_BN><HO_TEN>{Name}</HO_TEN><SO_CCCD>{Number}</SO_CCCD><NGAY_SINH>199001150000</NGAY_SINH>" +
            "<T_TONGCHI_BV>38700</T_TONGCHI_BV><T_BNTT>0</T_BNTT><T_BNCCT>7740</T_BNCCT><T_BHTT>30960</T_BHTT><T_NGUONKHAC>0</T_NGUONKHAC><NGAY_VAO>202612010730</NGAY_VAO></TONG_HOP>";
        var xml3 = "<CHITIEU_CHITIET_DVKT_VTYT><DSACH_CHI_TIET_DVKT><CHI_TIET_DVKT><MA_LK>2612019999</MA_LK><STT>1</STT><MA_DICH_VU>02.1896</MA_DICH_VU><TEN_DICH_VU>Khám Nội</TEN_DICH_VU>" +
            "<SO_LUONG>1</SO_LUONG><DON_GIA_BV>38700</DON_GIA_BV><THANH_TIEN_BV>38700</THANH_TIEN_BV><T_NGUONKHAC>0</T_NGUONKHAC><T_BNTT>0</T_BNTT><T_BNCCT>7740</T_BNCCT><T_BHTT>30960</T_BHTT>" +
            "</CHI_TIET_DVKT></DSACH_CHI_TIET_DVKT></CHITIEU_CHITIET_DVKT_VTYT>";
        string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var file = $"<GIAMDINHHS><THONGTINDONVI><MACSKCB>82012</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20261201</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO>" +
            $"<FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>{B64(xml1)}</NOIDUNGFILE></FILEHOSO><FILEHOSO><LOAIHOSO>XML3</LOAIHOSO><NOIDUNGFILE>{B64(xml3)}</NOIDUNGFILE></FILEHOSO>" +
            "</HOSO></DANHSACHHOSO></THONGTINHOSO></GIAMDINHHS>";
        using (var content = new StringContent(file, Encoding.UTF8, "application/xml"))
        using (var imported = await province.Admin.PostAsync("/api/v1/admin/bills/import?institution=TG-TTYT-CHAUTHANH", content))
        {
            Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        }

        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var cashier = await terminal.StaffAsync(KioskPos.Storage.StaffRole.Cashier);

        // The scanner's text, Enter included, finds the patient with the episode's bill.
        using (var scanned = await terminal.Http.PostAsJsonAsync("/dev/scans", new { text = Qr + "\r\n" }))
        {
            var payer = await scanned.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(scanned.StatusCode == HttpStatusCode.OK, payer.ToString());
            Assert.Equal("BN260002", payer.GetProperty("code").GetString());
            Assert.Contains(payer.GetProperty("openBills").EnumerateArray(), b => b.GetProperty("id").GetString() == "XML-2612019999@TG-TTYT-CHAUTHANH");
        }

        var byNumber = await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payers/by-citizen-id/{Number}");
        Assert.Equal("BN260002", byNumber.GetProperty("code").GetString());

        // Refusals in plain words: a QR that is not a CCCD's, a number nobody has, a number that is not one.
        using (var notCard = await terminal.Http.PostAsJsonAsync("/dev/scans", new { text = "00020101021238570010A000000727" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, notCard.StatusCode);
            Assert.Contains("không phải mã QR của thẻ căn cước", await notCard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var noText = await terminal.Http.PostAsJsonAsync("/dev/scans", new { uid = Qr }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noText.StatusCode);
            Assert.Contains("text", await noText.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var notJson = await terminal.Http.PostAsync("/dev/scans", new StringContent(Qr, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        }

        using (var huge = await terminal.Http.PostAsJsonAsync("/dev/scans", new { text = new string('1', 10_000) }))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        }

        using (var unknown = await cashier.GetAsync("/api/v1/payers/by-citizen-id/079200001111"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var malformed = await cashier.GetAsync("/api/v1/payers/by-citizen-id/08219"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        // Both databases, every file of them (WAL included), byte for byte: no number, no name, no birth date.
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        var files = Directory.EnumerateFiles(terminal.Folder, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(province.Folder, "*", SearchOption.AllDirectories))
            .Where(f => f.Contains(".db", StringComparison.Ordinal) || f.EndsWith(".sqlite", StringComparison.Ordinal) || f.Contains(".sqlite-", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count >= 2, string.Join(", ", files));
        string[] secrets = [Number, Name, Name.Normalize(NormalizationForm.FormD), Name.ToUpperInvariant(), "15011990", "1990-01-15", "15/01/1990", "19900115"];
        foreach (var path in files)
        {
            var bytes = await DatabaseFiles.ReadSharedAsync(path);
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{Path.GetFileName(path)} holds '{secret}'");
            }
        }
    }
}
