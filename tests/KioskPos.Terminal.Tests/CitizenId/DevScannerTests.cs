using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Hardware.Simulators.Scanner;
using KioskPos.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests.CitizenId;

/// <summary>
/// Issue 20, the 2D scanner as <c>make run</c> runs it: <c>scanner:simulated</c> is an emulated USB scanner whose evdev
/// file is a FIFO in the data folder; the <c>/dev</c> page's sample buttons type a citizen-ID card's QR into it as key
/// events, the terminal's own scanner reader (the one that reads <c>scanner:/dev/input/…</c>) reads them, and the
/// counter, open in Debian's Chromium, shows the demo patient it finds — or the refusal of a QR that is not a card's.
/// <c>POST /dev/scanner</c> never hands the text to the application itself: the screens hear of the scan only through
/// the reader.
/// </summary>
[Trait("Category", "Browser")]
public sealed class DevScannerTests : TerminalBrowserTest
{
    protected override bool StartsOnline => false;

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        WithStaffAsync(TerminalHost.StartAsync(province.BaseUrl, province.Admin, extraArgs: ["--Hardware:CardReader=simulated,scanner:simulated"],
            terminalId: "KP-TTYT-CT-01", institutionId: "TG-TTYT-CHAUTHANH"), StaffRole.Cashier);

    [Fact]
    public async Task A_sample_card_scanned_from_the_dev_page_reaches_the_counter_through_the_scanner_reader()
    {
        // The emulated scanner's evdev file is a FIFO in the terminal's data folder.
        var scanner = Terminal.App.Services.GetRequiredService<EmulatedScanner>();
        Assert.Equal(Path.Combine(Terminal.Folder, "scanner-event-kbd"), scanner.Path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(scanner.Path) & UnixFileMode.OtherRead) == 0, "the scanner's FIFO is the terminal's alone");
        }

        Assert.Equal("fifo", await StatTypeAsync(scanner.Path));

        var counter = await OpenAsync("/counter");
        await counter.WaitForSelectorAsync("body[data-screen=login]");
        await counter.FillAsync("#staff", "tn01");
        await counter.FillAsync("#pin", "246813");
        await counter.ClickAsync("#loginform button[type=submit]");
        await counter.WaitForSelectorAsync("body[data-screen=main]");

        var dev = await OpenAsync("/dev");
        await dev.WaitForFunctionAsync("document.getElementById('sample-demo').textContent.length > 0");
        Assert.Contains("BN260001", await dev.InnerTextAsync("#sample-demo"), StringComparison.Ordinal);
        Assert.Contains("082185004321|", await dev.GetAttributeAsync("#sample-demo", "data-text"), StringComparison.Ordinal);

        // The demo patient's card: the counter shows Phạm Thị Thu Hà and her bills.
        await RepeatUntilAsync(dev, "#sample-demo", counter, "!document.getElementById('payer').hidden && document.getElementById('pinfo').textContent.indexOf('BN260001') >= 0");
        Assert.Contains("Phạm Thị Thu Hà", await counter.InnerTextAsync("#payer"), StringComparison.Ordinal);
        Assert.True(await counter.Locator("#bills tr[data-bill]").CountAsync() > 0, "the patient's open bills");
        await dev.WaitForFunctionAsync("document.getElementById('result').textContent.indexOf('Máy thu đã đọc mã QR của thẻ căn cước') >= 0");

        // A QR that is not a card's: refused in plain words, at the counter and on the dev page.
        await RepeatUntilAsync(dev, "#sample-notcard", counter, "document.getElementById('findmsg').textContent.indexOf('Đây không phải mã QR của thẻ căn cước') >= 0");
        await dev.WaitForFunctionAsync("document.getElementById('result').textContent.indexOf('Đây không phải mã QR của thẻ căn cước') >= 0");
        Assert.True(scanner.Scans >= 2);

        // The endpoint behind the buttons: the text is required and no longer than a scanner's read; 400 naming it.
        foreach (var body in new object[] { new { }, new { text = new string('1', 600) } })
        {
            using var refused = await Terminal.Http.PostAsJsonAsync("/dev/scanner", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.StartsWith("text:", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var read = await Terminal.Http.PostAsJsonAsync("/dev/scanner", new { text = "079200001111|025123456|Nguyễn Văn An|02092000|Nam|Quận 1|01072021" });
        Assert.Equal(HttpStatusCode.Accepted, read.StatusCode);
        Assert.StartsWith("scan-", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_emulated_scanner_types_what_an_ascii_scanner_types_and_the_real_decoder_reads_it_back()
    {
        var folder = Directory.CreateTempSubdirectory("emulated-scanner-").FullName;
        using var scanner = new EmulatedScanner(Path.Combine(folder, "event-kbd"), TimeProvider.System, 24);
        const string Qr = "082185004321|312345001|Phạm Thị Thu Hà|12031985|Nữ|Ấp Tân Hòa, xã Tân Hương|15062021";
        var ascii = EmulatedScanner.Ascii(Qr);
        Assert.Equal("082185004321|312345001|Pham Thi Thu Ha|12031985|Nu|Ap Tan Hoa, xa Tan Huong|15062021", ascii);
        Assert.Equal("Duong", EmulatedScanner.Ascii("Đương"));
        foreach (var size in new[] { 24, 16 })
        {
            var typed = new Firmware.Readers.KeyboardWedgeDecoder(size, TimeSpan.FromMilliseconds(150), Firmware.Readers.WedgeCharacters.Ascii)
                .Feed(new EmulatedScanner(Path.Combine(folder, $"event-kbd-{size}"), TimeProvider.System, size).Events(Qr, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(2)));
            Assert.Equal([ascii], typed);
        }
    }

    // The counter hears of a scan through its event stream, which opens a moment after the page: a scan made before it
    // is open is not heard, so the button is pressed again until the counter shows it.
    private static async Task RepeatUntilAsync(IPage dev, string button, IPage counter, string shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            await dev.ClickAsync(button);
            try
            {
                await counter.WaitForFunctionAsync(shown, null, new() { Timeout = 3000 });
                return;
            }
            catch (TimeoutException) when (attempt < 5)
            {
                // Not heard yet: again.
            }
        }
    }

    private static async Task<string> StatTypeAsync(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        var output = await stat.StandardOutput.ReadToEndAsync();
        await stat.WaitForExitAsync();
        return output.Trim();
    }
}
