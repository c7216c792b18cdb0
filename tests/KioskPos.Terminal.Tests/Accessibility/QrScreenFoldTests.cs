using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests.Accessibility;

/// <summary>
/// Issue 24 on the kiosk's own screen size: at 1024×600, in large text and in normal text, in Vietnamese and in
/// English, the VietQR screen shows the paying QR, the recipient check, the cancel button and the relative's link and
/// small QR without scrolling (each element's box inside the viewport, the page not scrolled), and the small QR still
/// decodes to the link. Real province and terminal on 127.0.0.1, Debian's Chromium.
/// </summary>
[Trait("Category", "Browser")]
public sealed class QrScreenFoldTests : TerminalBrowserTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province, extraArgs: ["--Speech:Player=none"]);

    [Theory]
    [InlineData("large", "vi")]
    [InlineData("large", "en")]
    [InlineData("normal", "vi")]
    [InlineData("normal", "en")]
    public async Task The_relatives_link_and_QR_are_on_the_QR_screen_without_scrolling_at_1024x600(string text, string language)
    {
        var kiosk = await NewPageAsync(1024, 600);
        await kiosk.GotoAsync(new Uri(Terminal.Http.BaseAddress!, text == "large" ? "/kiosk?text=large" : "/kiosk").ToString());
        await kiosk.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");
        Assert.Equal(text == "large", await kiosk.EvaluateAsync<bool>("document.body.classList.contains('big')"));
        if (language == "en")
        {
            await kiosk.ClickAsync("#lang");
            await kiosk.WaitForFunctionAsync("document.documentElement.lang === 'en'");
        }

        // The demo pupil's 150.000 ₫ fee alone (below the large-transfer amount: straight to the QR).
        await Terminal.TapAsync("04A1B2C3");
        await kiosk.WaitForSelectorAsync("body[data-screen=payer]");
        await kiosk.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").UncheckAsync();
        await kiosk.ClickAsync("#payqr");
        await kiosk.WaitForSelectorAsync("body[data-screen=qr]", new() { Timeout = 20_000 });
        await kiosk.WaitForFunctionAsync("document.getElementById('qcheck').textContent.length > 0");
        await kiosk.WaitForFunctionAsync("!document.getElementById('relative').hidden", null, new() { Timeout = 20_000 });
        await kiosk.EvaluateAsync("document.activeElement && document.activeElement.blur()"); // the focused cancel button must not be what scrolled it into view
        await kiosk.EvaluateAsync("window.scrollTo(0, 0)");

        await kiosk.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"kiosk-qr-1024x600-{text}-{language}.png") });
        foreach (var id in new[] { "qr", "qamount", "qcheck", "countdown", "qcancel", "relative", "rqr", "rlink" })
        {
            var box = await kiosk.EvaluateAsync<JsonElement>($"(() => {{ const r = document.getElementById('{id}').getBoundingClientRect(); return {{ top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height }}; }})()");
            var (top, bottom, left, right) = (box.GetProperty("top").GetDouble(), box.GetProperty("bottom").GetDouble(), box.GetProperty("left").GetDouble(), box.GetProperty("right").GetDouble());
            Assert.True(box.GetProperty("width").GetDouble() > 0 && box.GetProperty("height").GetDouble() > 0, $"#{id} is shown");
            Assert.True(top >= 0 && left >= 0 && bottom <= 600 && right <= 1024, $"#{id} ({text} text, {language}) lies at {left:0},{top:0}–{right:0},{bottom:0}, outside the 1024×600 screen");
        }

        Assert.Equal(0, await kiosk.EvaluateAsync<double>("window.scrollY"));
        Assert.Contains(language == "vi" ? "Người thân trả hộ" : "A relative can pay", await kiosk.InnerTextAsync("#relative"), StringComparison.Ordinal);

        // Smaller, both codes still read: the relative's link and the paying payload.
        var small = Path.Combine(Terminal.Folder, $"fold-link-{text}-{language}.png");
        await kiosk.Locator("#rqr").ScreenshotAsync(new() { Path = small });
        Assert.Equal(await kiosk.InnerTextAsync("#rlink"), ZbarImg.Decode(small));
        var big = Path.Combine(Terminal.Folder, $"fold-qr-{text}-{language}.png");
        await kiosk.Locator("#qr").ScreenshotAsync(new() { Path = big });
        Assert.StartsWith("000201", ZbarImg.Decode(big), StringComparison.Ordinal);

        await kiosk.ClickAsync("#qcancel");
        await kiosk.WaitForSelectorAsync("body[data-screen=msg]");
        await kiosk.CloseAsync();
    }
}
