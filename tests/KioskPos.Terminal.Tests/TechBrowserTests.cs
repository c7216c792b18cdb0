using System.Net;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// <c>/tech</c> in Debian's Chromium at 1024×600: only a technician's PIN opens it; it shows the devices, the profile and
/// the log, runs the self-test, and shows nothing of a payment. The screenshot goes to artifacts/screenshots/tech.png.
/// </summary>
public sealed class TechBrowserTests : TerminalBrowserTest
{
    protected override bool StartsOnline => false;

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_tech_page_needs_a_technician_and_shows_devices_profile_and_log_but_no_payment()
    {
        await Terminal.StaffAsync(StaffRole.Technician);
        await Terminal.StaffAsync(StaffRole.Cashier);
        await Terminal.TapAsync("04A1B2C3");
        using (var paid = await Terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        var page = await OpenAsync("/tech");
        await page.WaitForSelectorAsync("#login:not([hidden])");

        // A cashier's PIN does not open it; a wrong PIN neither.
        await SignInAsync(page, "tn01", "246813");
        await page.WaitForFunctionAsync("document.getElementById('lmsg').textContent.length > 0");
        Assert.Contains("kỹ thuật viên", await page.InnerTextAsync("#lmsg"), StringComparison.Ordinal);
        Assert.True(await page.IsHiddenAsync("#tech"));
        await SignInAsync(page, "kt01", "0000");
        await page.WaitForFunctionAsync("document.getElementById('lmsg').textContent.indexOf('4') >= 0");
        Assert.True(await page.IsHiddenAsync("#tech"));

        await SignInAsync(page, "kt01", "864271");
        await page.WaitForSelectorAsync("#tech:not([hidden])");
        await page.WaitForFunctionAsync("document.getElementById('log').textContent.length > 0");
        var text = await page.InnerTextAsync("body");
        Assert.Contains("KP-THCS-ND-01", text, StringComparison.Ordinal);
        Assert.Contains("CardReader", text, StringComparison.Ordinal);
        await page.ClickAsync("#selftest");
        await page.WaitForFunctionAsync("document.getElementById('checks').rows.length === 8", null, new() { Timeout = 30_000 });
        await ShotAsync(page, "tech", fullPage: true);

        // Nothing of a payment or a payer on it: not the payment's id, the payer's code or name, the amount.
        text = await page.InnerTextAsync("body");
        foreach (var secret in new[] { "KP-THCS-ND-01-0000", "HS240001", "Nguyễn Minh Anh", "150.000" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Empty(Errors);
    }

    private static async Task SignInAsync(IPage page, string id, string pin)
    {
        await page.EvaluateAsync("document.getElementById('lmsg').textContent = ''");
        await page.FillAsync("#sid", id);
        await page.FillAsync("#spin", pin);
        await page.ClickAsync("#signin");
    }
}
