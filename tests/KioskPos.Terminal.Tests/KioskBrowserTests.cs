using System.Net.Http.Json;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The parents' self-service kiosk in Debian's Chromium at 1024×600: a card tapped through the MFRC522 emulator, the
/// fees, a VietQR payment confirmed by a bank notification, the receipt; a card-balance payment; an unknown card;
/// English; the idle timeout that forgets the pupil. Screenshots of each screen go to artifacts/screenshots.
/// </summary>
public sealed class KioskBrowserTests : TerminalBrowserTest
{
    // Card payments above 100.000 ₫ ask for the PIN.
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        TerminalHost.StartAsync(province, extraArgs: ["--Terminal:CardPinAbove=100000"]);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_parent_taps_the_card_sees_the_fees_pays_by_vietqr_and_gets_the_receipt()
    {
        var page = await OpenKioskAsync();
        Assert.Contains("Chạm thẻ học sinh hoặc nhập mã học sinh", await page.InnerTextAsync("#s-home"), StringComparison.Ordinal);
        await ShotAsync(page, "kiosk-home");

        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        Assert.Equal("N. M. Anh", await page.InnerTextAsync("#pname")); // the name masked: the next person in the queue reads the screen too
        Assert.Equal(2, await page.Locator("#bills tr").CountAsync());
        Assert.Equal("750.000 ₫", await page.InnerTextAsync("#total"));
        await AssertNoHorizontalScrollAsync(page);
        await ShotAsync(page, "kiosk-fees");

        // Boarding is paid another day: untick it.
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").UncheckAsync();
        Assert.Equal("150.000 ₫", await page.InnerTextAsync("#total"));
        await page.ClickAsync("#payqr");
        await page.WaitForSelectorAsync("body[data-screen=qr]");
        var code = await page.InnerTextAsync("#qcode");
        Assert.StartsWith("KP", code, StringComparison.Ordinal);
        Assert.Equal("150.000 ₫", await page.InnerTextAsync("#qamount"));
        await page.WaitForFunctionAsync("document.getElementById('qbank').textContent.length > 0");
        Assert.Equal("Vietcombank", await page.InnerTextAsync("#qbank"));
        await AssertNoHorizontalScrollAsync(page);
        await ShotAsync(page, "kiosk-qr");

        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await Province.NotifyAsync(150_000, $"CT DEN:123 {code} hoc phi"))
        {
            notified.EnsureSuccessStatusCode();
        }

        await page.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("document.getElementById('receipt').className === 'ok'", null, new() { Timeout = 20_000 });
        Assert.Contains("Biên lai đã in", await page.InnerTextAsync("#receipt"), StringComparison.Ordinal);
        await ShotAsync(page, "kiosk-paid");
        Assert.Contains(Directory.GetFiles(Terminal.ReceiptsFolder, "*.txt").Select(File.ReadAllText), t => t.Contains("BIÊN LAI THU HỌC PHÍ", StringComparison.Ordinal) && t.Contains("150.000", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task Card_balance_unknown_cards_english_and_the_idle_timeout()
    {
        var page = await OpenKioskAsync(idleSeconds: 3);

        // An unknown card says so.
        await Terminal.TapAsync("04FFEE01");
        await page.WaitForSelectorAsync("body[data-screen=msg]");
        Assert.Equal("Thẻ không được nhận ra", await page.InnerTextAsync("#mtitle"));
        await ShotAsync(page, "kiosk-unknown-card");
        await page.ClickAsync("#back2");

        // Pay one fee from the card's balance.
        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").UncheckAsync();
        Assert.Contains("2.000.000 ₫", await page.InnerTextAsync("#paycard"), StringComparison.Ordinal);
        await page.ClickAsync("#paycard");

        // 150.000 ₫ is above this kiosk's PIN amount: the card's PIN, typed on the keypad, shown as dots.
        await page.WaitForSelectorAsync("body[data-screen=pin]", new() { Timeout = 20_000 });
        await TypePinAsync(page, "0000");
        await page.WaitForFunctionAsync("document.getElementById('pinmsg').textContent.indexOf('còn 2 lần thử') >= 0", null, new() { Timeout = 20_000 });
        Assert.Equal("body[data-screen=pin]", await page.EvaluateAsync<string>("'body[data-screen=' + document.body.dataset.screen + ']'"));
        await ShotAsync(page, "kiosk-pin-wrong");
        await AssertNoHorizontalScrollAsync(page);
        await TypePinAsync(page, "2580");
        await page.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("document.getElementById('receipt').className === 'ok'", null, new() { Timeout = 20_000 });
        Assert.Equal(1_850_000, await Province.BalanceAsync("HS240001") is var b && b == 1_850_000 ? b : await BalanceAfterSyncAsync());

        // Out of paper: the payment is taken, and the receipt is offered as a lookup QR on screen instead.
        await page.ClickAsync("#again");
        using (var paperOut = await Terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true }))
        {
            paperOut.EnsureSuccessStatusCode();
        }

        await page.WaitForFunctionAsync("document.body.dataset.printer === 'paper_out'", null, new() { Timeout = 20_000 });
        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.ClickAsync("#paycard");
        await page.WaitForSelectorAsync("body[data-screen=pin]", new() { Timeout = 20_000 });
        await TypePinAsync(page, "2580");
        await page.WaitForSelectorAsync("#lookup svg", new() { Timeout = 20_000 });
        Assert.Contains("/r/KP-THCS-ND-01-", await page.GetAttributeAsync("#lookup", "data-url"), StringComparison.Ordinal);
        Assert.Contains("Máy in chưa in được biên lai", await page.InnerTextAsync("#receipt"), StringComparison.Ordinal);
        await ShotAsync(page, "kiosk-paid-no-paper");
        (await Terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = false })).EnsureSuccessStatusCode();

        // English is one tap away.
        await page.ClickAsync("#again");
        await page.ClickAsync("#lang");
        Assert.Contains("Tap the pupil's card or type the pupil code", await page.InnerTextAsync("#s-home"), StringComparison.Ordinal);
        await page.ClickAsync("#lang");

        // Typed code, then nobody touches the screen: home again, nothing of the pupil left on the page.
        foreach (var key in "240002")
        {
            await page.ClickAsync($"#keypad button[data-key='{key}']");
        }

        Assert.Equal("HS240002", await page.InnerTextAsync("#code"));
        await page.ClickAsync("#find");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        Assert.Contains("HS240002", await page.InnerTextAsync("#pinfo"), StringComparison.Ordinal);
        Assert.DoesNotContain(await page.InnerTextAsync("#s-payer"), "Trừ số dư thẻ", StringComparison.Ordinal); // typed, not tapped: no card to pay from
        await page.WaitForSelectorAsync("body[data-screen=home]", new() { Timeout = 10_000 });
        Assert.Equal(0, await page.Locator("#bills tr").CountAsync());
        Assert.Equal(string.Empty, await page.InnerTextAsync("#pname"));
        Assert.Equal("HS", await page.InnerTextAsync("#code"));
    }

    private static async Task TypePinAsync(IPage page, string pin)
    {
        foreach (var key in pin)
        {
            await page.ClickAsync($"#pinpad button[data-key='{key}']");
        }

        Assert.Equal(new string('●', pin.Length), await page.InnerTextAsync("#pincode"));
        await page.ClickAsync("#pinok");
    }

    private async Task<long> BalanceAfterSyncAsync()
    {
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        return await Province.BalanceAsync("HS240001");
    }

    private async Task<IPage> OpenKioskAsync(int idleSeconds = 60)
    {
        var page = await OpenAsync($"/kiosk?idle={idleSeconds}");
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");
        return page;
    }
}
