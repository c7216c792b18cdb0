using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Top-up at the kiosk in Debian's Chromium at 1024×600, in Vietnamese then in English: a tapped card, "Nạp tiền vào
/// thẻ", a one-touch amount, the QR, the bank's notification, the new balance; a typed amount above the day's limit
/// refused with the reason. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class TopUpBrowserTests : TerminalBrowserTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_parent_tops_up_the_card_in_vietnamese_and_in_english_and_is_told_why_an_amount_is_refused()
    {
        var page = await NewPageAsync(1024, 600);
        await page.GotoAsync(new Uri(Terminal.Http.BaseAddress!, "/kiosk").ToString());
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");

        // HS240002 holds 150.000 ₫; the school's limits are 2.000.000 ₫ on the card and 1.000.000 ₫ a day.
        await Terminal.TapAsync("04D4E5F6");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        Assert.Equal("Nạp tiền vào thẻ", await page.InnerTextAsync("#topup"));
        await page.ClickAsync("#topup");
        await page.WaitForSelectorAsync("body[data-screen=topup]");
        Assert.Contains("150.000 ₫", await page.InnerTextAsync("#tbalance"), StringComparison.Ordinal);
        Assert.Contains("2.000.000 ₫", await page.InnerTextAsync("#tlimits"), StringComparison.Ordinal);
        Assert.Contains("1.000.000 ₫", await page.InnerTextAsync("#tlimits"), StringComparison.Ordinal);
        Assert.Equal(StandingTransferCode.For("HS240002").Value, await page.InnerTextAsync("#tcode"));
        Assert.Equal(4, await page.Locator("#tpresets button:not([disabled])").CountAsync());
        await page.ClickAsync("#tpresets button[data-amount='200000']");
        Assert.Equal("200.000 ₫", await page.InnerTextAsync("#tamount"));
        await AssertNoHorizontalScrollAsync(page);
        await AssertAccessibleAsync(page);
        await ShotAsync(page, "kiosk-topup");

        await page.ClickAsync("#tgo");
        await page.WaitForSelectorAsync("body[data-screen=qr]");
        Assert.Equal("200.000 ₫", await page.InnerTextAsync("#qamount"));
        var code = await page.InnerTextAsync("#qcode");
        Assert.True(TransferCode.TryParse(code, out _), code);
        await ShotAsync(page, "kiosk-topup-qr");
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await Province.NotifyAsync(200_000, $"CT DEN:77 {code} nap the", "FT-KIOSK-TOPUP-1"))
        {
            notified.EnsureSuccessStatusCode();
        }

        await page.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
        Assert.Equal("Nạp tiền thành công", await page.InnerTextAsync("#dtitle"));
        Assert.Equal("Đã nạp 200.000 ₫. Số dư mới: 350.000 ₫", await page.InnerTextAsync("#dinfo"));
        await page.WaitForFunctionAsync("document.getElementById('receipt').className === 'ok'", null, new() { Timeout = 20_000 });
        await ShotAsync(page, "kiosk-topup-done");
        Assert.Equal(350_000, await Province.BalanceAsync("HS240002"));

        // In English: a typed 1.000.000 ₫ passes the day's limit (200.000 ₫ was put on the card today): refused, and why.
        await page.ClickAsync("#again");
        await page.ClickAsync("#lang");
        await Terminal.TapAsync("04D4E5F6");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        Assert.Equal("Top up the card", await page.InnerTextAsync("#topup"));
        await page.ClickAsync("#topup");
        await page.WaitForSelectorAsync("body[data-screen=topup]");
        Assert.Equal("Top up the card", await page.InnerTextAsync("#ttitle"));
        Assert.Contains("800.000 ₫", await page.InnerTextAsync("#tlimits"), StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        foreach (var key in "1000000")
        {
            await page.ClickAsync($"#tpad button[data-key='{key}']");
        }

        Assert.Equal("1.000.000 ₫", await page.InnerTextAsync("#tamount"));
        await page.ClickAsync("#tgo");
        await page.WaitForSelectorAsync("body[data-screen=msg]");
        Assert.Contains("Over the day's top-up limit", await page.InnerTextAsync("#mtitle"), StringComparison.Ordinal);
        Assert.Contains("hạn mức nạp trong ngày", await page.InnerTextAsync("#mtext"), StringComparison.Ordinal);
        Assert.Equal("vi", await page.GetAttributeAsync("#mtext", "lang"));
        await ShotAsync(page, "kiosk-topup-refused-en");

        // Back to the amount (no new tap, as the refusal used nothing up), and a smaller amount goes through.
        await page.ClickAsync("#mback");
        await page.WaitForSelectorAsync("body[data-screen=topup]");
        Assert.Equal("1.000.000 ₫", await page.InnerTextAsync("#tamount"));
        await page.ClickAsync("#tpresets button[data-amount='100000']");
        await page.ClickAsync("#tgo");
        await page.WaitForSelectorAsync("body[data-screen=qr]");
        code = await page.InnerTextAsync("#qcode");
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await Province.NotifyAsync(100_000, code, "FT-KIOSK-TOPUP-2"))
        {
            notified.EnsureSuccessStatusCode();
        }

        await page.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
        Assert.Equal("Top-up complete", await page.InnerTextAsync("#dtitle"));
        Assert.Equal("100.000 ₫ added. New balance: 450.000 ₫", await page.InnerTextAsync("#dinfo"));
        await AssertNoHorizontalScrollAsync(page);
        await ShotAsync(page, "kiosk-topup-done-en");
    }
}
