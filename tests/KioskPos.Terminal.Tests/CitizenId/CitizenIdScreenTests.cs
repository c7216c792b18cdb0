using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using KioskPos.Storage;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests.CitizenId;

/// <summary>
/// A citizen-ID card (CCCD) at the hospital's screens, in Debian's Chromium: its QR scanned (by the 2D scanner on
/// its evdev file, or by <c>POST /dev/scans</c> as <c>make run</c> does) or its 12 digits typed finds the patient and
/// shows the bills, at the counter and at the kiosk; a QR that is not a CCCD's is refused in plain words. The QR and
/// the Ministry of Health's XML are as in <see cref="CitizenIdScanTests"/>.
/// </summary>
public sealed class CitizenIdScreenTests : TerminalBrowserTest
{
    private const string Number = "082190000123";
    private const string Name = "Đoàn Thị Kim Tuyết";
    private const string Qr = Number + "|312345678|" + Name + "|15011990|Nữ|Ấp Long Hòa, xã Long An, huyện Châu Thành, tỉnh Tiền Giang|20042021";

    // What a scanner set to send ASCII only types for the same card (it has no keys for the Vietnamese letters).
    private const string AsciiQr = Number + "|312345678|Doan Thi Kim Tuyet|15011990|Nu|Ap Long Hoa, xa Long An, huyen Chau Thanh, tinh Tien Giang|20042021";
    private const string NotACard = "00020101021238570010A000000727";
    private const string Bill = "XML-2612019999@TG-TTYT-CHAUTHANH";

    private string _scanner = null!;

    protected override bool StartsOnline => false;

    protected override async Task<ProvinceHost> StartProvinceAsync()
    {
        var province = await ProvinceHost.StartAsync();
        await ImportEpisodeAsync(province);
        return province;
    }

    // The card reader simulated, the 2D scanner a real evdev-format stream through a FIFO.
    protected override async Task<TerminalHost> StartTerminalAsync(ProvinceHost province)
    {
        _scanner = await MakeFifoAsync("cccd-scanner-", "usb-2d-scanner-event-kbd");
        return await WithStaffAsync(TerminalHost.StartAsync(province.BaseUrl, province.Admin, extraArgs: [$"--Hardware:CardReader=simulated,scanner:{_scanner}"],
            terminalId: "KP-TTYT-CT-01", institutionId: "TG-TTYT-CHAUTHANH"), StaffRole.Cashier);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_scan_or_the_typed_number_shows_the_patients_bills_at_the_counter_and_a_wrong_qr_is_refused_in_words()
    {
        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await page.FillAsync("#staff", "tn01");
        await page.FillAsync("#pin", "246813");
        await page.ClickAsync("#loginform button[type=submit]");
        await page.WaitForSelectorAsync("body[data-screen=main]");

        // The simulated scan (the card's full Unicode QR, with the scanner's Enter): the patient and the episode's bill.
        var shown = $"!document.getElementById('payer').hidden && document.querySelector(\"#bills tr[data-bill='{Bill}']\") !== null";
        await RepeatUntilAsync(page, () => PostScanAsync(Qr + "\r\n", HttpStatusCode.OK), shown);
        Assert.Contains("BN260002", await page.InnerTextAsync("#pinfo"), StringComparison.Ordinal);
        Assert.Contains("7.740 ₫", await page.InnerTextAsync($"#bills tr[data-bill='{Bill}']"), StringComparison.Ordinal); // the patient's part
        await ShotAsync(page, "counter-cccd-scan");

        // A QR that is not a card's: the refusal in plain words, Vietnamese and English, and no patient.
        await RepeatUntilAsync(page, () => PostScanAsync(NotACard, HttpStatusCode.UnprocessableEntity),
            "document.getElementById('findmsg').textContent.indexOf('Đây không phải mã QR của thẻ căn cước') >= 0");
        Assert.Contains("This is not a citizen-ID card's QR", await page.InnerTextAsync("#findmsg"), StringComparison.Ordinal);
        Assert.True(await page.IsHiddenAsync("#payer"));
        await ShotAsync(page, "counter-cccd-refused");

        // The 2D scanner itself: key events on its evdev file, as a US-layout scanner sending ASCII types the QR.
        await RepeatUntilAsync(page, () => WriteScannerAsync(AsciiQr), shown);
        Assert.Contains("BN260002", await page.InnerTextAsync("#pinfo"), StringComparison.Ordinal);

        // A card whose number nobody has, scanned: said in words.
        await RepeatUntilAsync(page, () => WriteScannerAsync(AsciiQr.Replace(Number, "079200001111", StringComparison.Ordinal)),
            "document.getElementById('findmsg').textContent.indexOf('Không tìm thấy người bệnh với thẻ căn cước này') >= 0");

        // The 12 digits typed by the cashier.
        await page.FillAsync("#code", Number);
        await page.PressAsync("#code", "Enter");
        await page.WaitForFunctionAsync(shown);
        Assert.Contains("BN260002", await page.InnerTextAsync("#pinfo"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_scan_at_the_kiosk_shows_the_patients_bills_and_a_wrong_qr_is_refused_in_words()
    {
        var page = await OpenAsync("/kiosk?prefix=BN");
        await page.WaitForSelectorAsync("body[data-screen=home]");
        Assert.True(await page.IsVisibleAsync("#cccdhint"));
        Assert.Contains("12 số căn cước", await page.InnerTextAsync("#cccdhint"), StringComparison.Ordinal);

        var shown = $"document.body.dataset.screen === 'payer' && document.querySelector(\"#bills tr[data-bill='{Bill}']\") !== null";
        await RepeatUntilAsync(page, () => WriteScannerAsync(AsciiQr), shown);
        Assert.Contains("BN260002", await page.InnerTextAsync("#pinfo"), StringComparison.Ordinal);
        Assert.Contains("7.740 ₫", await page.InnerTextAsync($"#bills tr[data-bill='{Bill}']"), StringComparison.Ordinal); // the patient's part
        await ShotAsync(page, "kiosk-cccd-scan");

        await RepeatUntilAsync(page, () => PostScanAsync(NotACard, HttpStatusCode.UnprocessableEntity),
            "document.body.dataset.screen === 'msg' && document.getElementById('mtitle').textContent.indexOf('Đây không phải mã QR của thẻ căn cước') >= 0");
        await ShotAsync(page, "kiosk-cccd-refused");

        // The number typed on the keypad (no prefix: twelve digits are a citizen-ID number).
        await page.ClickAsync("#back2");
        await page.WaitForSelectorAsync("body[data-screen=home]");
        foreach (var digit in Number)
        {
            await page.ClickAsync($"#keypad button[data-key='{digit}']");
        }

        Assert.Equal(Number, await page.InnerTextAsync("#code"));
        await page.ClickAsync("#find");
        await page.WaitForFunctionAsync(shown);
    }

    // The page hears of a scan through its event stream, which opens a moment after the page: a scan made before it
    // is open is not heard, so the scan is made again until the page shows it.
    private static async Task RepeatUntilAsync(IPage page, Func<Task> scan, string shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            await scan();
            try
            {
                await page.WaitForFunctionAsync(shown, null, new() { Timeout = 3000 });
                return;
            }
            catch (TimeoutException) when (attempt < 5)
            {
                // Not heard yet: again.
            }
        }
    }

    private async Task PostScanAsync(string text, HttpStatusCode expected)
    {
        using var response = await Terminal.Http.PostAsJsonAsync("/dev/scans", new { text });
        Assert.True(response.StatusCode == expected, await response.Content.ReadAsStringAsync());
    }

    private async Task WriteScannerAsync(string text)
    {
        var bytes = new UsKeyboard(24).Type(text).Enter().Bytes;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var writer = new FileStream(_scanner, FileMode.Open, FileAccess.Write);
                await writer.WriteAsync(bytes);
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task ImportEpisodeAsync(ProvinceHost province)
    {
        var xml1 = $"<TONG_HOP><MA_LK>2612019999</MA_LK><STT>1</STT><MA_BN>BN260002</MA_BN><HO_TEN>{Name}</HO_TEN><SO_CCCD>{Number}</SO_CCCD><NGAY_SINH>199001150000</NGAY_SINH>" +
            "<T_TONGCHI_BV>38700</T_TONGCHI_BV><T_BNTT>0</T_BNTT><T_BNCCT>7740</T_BNCCT><T_BHTT>30960</T_BHTT><T_NGUONKHAC>0</T_NGUONKHAC><NGAY_VAO>202612010730</NGAY_VAO></TONG_HOP>";
        var xml3 = "<CHITIEU_CHITIET_DVKT_VTYT><DSACH_CHI_TIET_DVKT><CHI_TIET_DVKT><MA_LK>2612019999</MA_LK><STT>1</STT><MA_DICH_VU>02.1896</MA_DICH_VU><TEN_DICH_VU>Khám Nội</TEN_DICH_VU>" +
            "<SO_LUONG>1</SO_LUONG><DON_GIA_BV>38700</DON_GIA_BV><THANH_TIEN_BV>38700</THANH_TIEN_BV><T_NGUONKHAC>0</T_NGUONKHAC><T_BNTT>0</T_BNTT><T_BNCCT>7740</T_BNCCT><T_BHTT>30960</T_BHTT>" +
            "</CHI_TIET_DVKT></DSACH_CHI_TIET_DVKT></CHITIEU_CHITIET_DVKT_VTYT>";
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var file = $"<GIAMDINHHS><THONGTINDONVI><MACSKCB>82012</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20261201</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO>" +
            $"<FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>{B64(xml1)}</NOIDUNGFILE></FILEHOSO><FILEHOSO><LOAIHOSO>XML3</LOAIHOSO><NOIDUNGFILE>{B64(xml3)}</NOIDUNGFILE></FILEHOSO>" +
            "</HOSO></DANHSACHHOSO></THONGTINHOSO></GIAMDINHHS>";
        using var content = new StringContent(file, Encoding.UTF8, "application/xml");
        using var imported = await province.Admin.PostAsync("/api/v1/admin/bills/import?institution=TG-TTYT-CHAUTHANH", content);
        Assert.True(imported.StatusCode == HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
    }
}
