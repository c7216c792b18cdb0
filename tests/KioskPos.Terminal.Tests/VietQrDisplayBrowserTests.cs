using KioskPos.ProvinceServer.Data;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The customer display in Debian's Chromium at 1024×600 during a VietQR payment: the welcome, the QR the moment the
/// payment is made (decoded by zbar from the page's own pixels to the payload the terminal recorded), then the
/// confirmation once the bank's notification reaches the province. Screenshots go to artifacts/screenshots.
/// </summary>
public abstract class VietQrDisplayBrowserTests(ProvinceEngine engine) : TerminalBrowserTest
{
    protected override Task<ProvinceHost> StartProvinceAsync() => ProvinceHost.StartAsync(engine: engine);

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_display_in_chromium_shows_a_qr_that_decodes_to_the_recorded_payload_and_then_the_confirmation()
    {
        var page = await OpenAsync("/display");

        // The welcome, with the institution in the header; then the QR the moment the payment is made.
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent === 'Trường THCS Nguyễn Du'");
        await ShotAsync(page, "display-welcome");
        var qr = await VietQrTests.CreateQrAsync(Terminal, "HS240011", "HP-2611-HS240011");
        await page.WaitForSelectorAsync("body[data-state=awaiting]");
        Assert.Contains("150.000 ₫", await page.InnerTextAsync("#amount"), StringComparison.Ordinal);
        Assert.Equal(qr.Code, await page.InnerTextAsync("#code"));

        var shot = Path.Combine(Terminal.Folder, "display-qr.png");
        await page.Locator("#qr").ScreenshotAsync(new() { Path = shot });
        await ShotAsync(page, "display-qr");
        var recorded = (await Terminal.PaymentAsync(qr.Id)).GetProperty("qr").GetProperty("payload").GetString();
        Assert.Equal(recorded, ZbarImg.Decode(shot));

        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        await VietQrTests.NotifyAsync(Province, 150_000, qr.Code);
        await page.WaitForSelectorAsync("body[data-state=confirmed]", new() { Timeout = 20_000 });
        Assert.Contains("Đã nhận thanh toán", await page.InnerTextAsync("#s-confirmed"), StringComparison.Ordinal);
        Assert.Contains("Cảm ơn quý khách", await page.InnerTextAsync("#s-confirmed"), StringComparison.Ordinal);
        await ShotAsync(page, "display-confirmed");
        await AssertNoHorizontalScrollAsync(page, "the display");
    }
}

/// <summary>The display test with the province on SQLite.</summary>
public sealed class VietQrDisplaySqliteBrowserTests() : VietQrDisplayBrowserTests(ProvinceEngine.Sqlite);

/// <summary>The display test with the province on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class VietQrDisplayPostgresBrowserTests() : VietQrDisplayBrowserTests(ProvinceEngine.Postgres);
