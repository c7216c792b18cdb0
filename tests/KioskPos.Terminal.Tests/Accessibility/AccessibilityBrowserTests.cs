using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests.Accessibility;

/// <summary>
/// The kiosk and the customer display for everyone, in Debian's Chromium: every screen checked by axe-core (the npm
/// package, pinned in tests/browser-tools and installed by scripts/prereqs.sh, injected into the page) against WCAG
/// 2.2 AA in both languages and both text sizes; targets of 48 px and a visible focus; the whole kiosk flow with a
/// numeric keypad alone (keyboard events only); the large-transfer notice above the province's amount only.
/// </summary>
[Trait("Category", "Browser")]
public sealed class AccessibilityBrowserTests : TerminalBrowserTest
{
    private readonly List<string> _violations = [];

    protected override Task<ProvinceHost> StartProvinceAsync()
    {
        Assert.True(File.Exists(Axe), $"{Axe} is missing: scripts/prereqs.sh installs tests/browser-tools");
        return ProvinceHost.StartAsync(settings: ["--Province:LargeTransferAbove=500000"]); // so the demo pupil's 750.000 ₫ is a large transfer
    }

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        TerminalHost.StartAsync(province, extraArgs: ["--Terminal:CardPinAbove=100000", "--Speech:Player=none"]);

    [Fact]
    public async Task Every_kiosk_screen_has_no_axe_violation_in_both_languages_and_both_text_sizes()
    {
        var page = await OpenAsync("/kiosk");
        await VariantsAsync(page, "home");
        await Terminal.TapAsync("04FFEE01");
        await page.WaitForSelectorAsync("body[data-screen=msg]");
        await VariantsAsync(page, "unknown card");
        await page.ClickAsync("#back2");

        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await VariantsAsync(page, "fees");
        await page.ClickAsync("#payqr");
        await page.WaitForSelectorAsync("body[data-screen=large]");
        await VariantsAsync(page, "large transfer");
        await page.ClickAsync("#lgo");
        await page.WaitForSelectorAsync("body[data-screen=qr]", new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("document.getElementById('qcheck').textContent.length > 0");
        await page.WaitForFunctionAsync("!document.getElementById('relative').hidden", null, new() { Timeout = 20_000 }); // the link for a relative, checked with the rest
        await VariantsAsync(page, "QR");
        await page.ClickAsync("#qcancel");
        await page.WaitForSelectorAsync("body[data-screen=msg]");
        await VariantsAsync(page, "cancelled");
        await page.ClickAsync("#back2");

        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").UncheckAsync();
        await page.ClickAsync("#paycard");
        await page.WaitForSelectorAsync("body[data-screen=pin]", new() { Timeout = 20_000 });
        await VariantsAsync(page, "PIN");
        foreach (var key in "2580")
        {
            await page.ClickAsync($"#pinpad button[data-key='{key}']");
        }

        await page.ClickAsync("#pinok");
        await page.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("document.getElementById('receipt').className === 'ok'", null, new() { Timeout = 20_000 });
        await VariantsAsync(page, "paid");
        Assert.True(_violations.Count == 0, string.Join(Environment.NewLine, _violations));
    }

    [Fact]
    public async Task Every_display_screen_has_no_axe_violation_in_both_text_sizes()
    {
        // The display shows Vietnamese and English at once: both languages are on every screen.
        var normal = await OpenAsync("/display", waitForInstitution: false);
        var large = await OpenAsync("/display?text=large", waitForInstitution: false);
        var pages = new[] { (normal, "normal"), (large, "large") };
        // The checker finds what it should: a button without a name and grey text too faint to read, planted for a moment.
        await normal.EvaluateAsync("() => { const b = document.createElement('button'); b.id = 'planted'; b.style.minHeight = '48px'; b.style.minWidth = '48px'; document.querySelector('.screen.on').appendChild(b); const p = document.createElement('p'); p.id = 'faint'; p.textContent = 'mờ'; p.style.color = '#ccc'; document.querySelector('.screen.on').appendChild(p); }");
        var planted = await AxeAsync(normal);
        Assert.Contains(planted, v => v.StartsWith("button-name:", StringComparison.Ordinal));
        Assert.Contains(planted, v => v.StartsWith("color-contrast:", StringComparison.Ordinal));
        await normal.EvaluateAsync("() => { document.getElementById('planted').remove(); document.getElementById('faint').remove(); }");
        await CheckAllAsync(pages, "idle", "idle");

        var payment = await PayByQrAsync();
        await CheckAllAsync(pages, "awaiting", "awaiting");
        Assert.Contains("6789", await normal.InnerTextAsync("#acheck"), StringComparison.Ordinal); // the account's last digits
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using (var part = await Province.NotifyAsync(100_000, $"CT {payment.GetProperty("qr").GetProperty("transferCode").GetString()} hoc phi"))
        {
            part.EnsureSuccessStatusCode();
        }

        await CheckAllAsync(pages, "underpaid", "awaiting", "!document.getElementById('under').hidden");
        var cancelled = await PayByQrAsync(cancelFirst: true);
        Assert.NotNull(cancelled.GetProperty("id").GetString());
        await CheckAllAsync(pages, "cancelled", "cancelled");
        Assert.True(_violations.Count == 0, string.Join(Environment.NewLine, _violations));
    }

    [Fact]
    public async Task The_whole_kiosk_flow_works_with_a_numeric_keypad_alone()
    {
        var page = await OpenAsync("/kiosk");
        var keys = page.Keyboard;
        foreach (var digit in "240001")
        {
            await keys.PressAsync("Numpad" + digit);
        }

        Assert.Equal("HS240001", await page.InnerTextAsync("#code"));
        await keys.PressAsync("Backspace");
        await keys.PressAsync("Numpad1");
        await keys.PressAsync("NumpadEnter");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await AssertFocusVisibleAsync(page, "payqr");
        Assert.Equal("750.000 ₫", await page.InnerTextAsync("#total"));

        // Up from "pay" reaches the last bill's box; Enter unticks it; down again, Enter pays what is left.
        await keys.PressAsync("ArrowUp");
        Assert.Equal("checkbox", await page.EvaluateAsync<string>("document.activeElement.type"));
        await AssertFocusVisibleAsync(page, null);
        await keys.PressAsync("NumpadEnter");
        var total = await page.InnerTextAsync("#total");
        Assert.NotEqual("750.000 ₫", total);
        await keys.PressAsync("ArrowDown");
        await AssertFocusVisibleAsync(page, "payqr");

        // "/" is large text, "*" reads the screen aloud.
        await keys.PressAsync("NumpadDivide");
        Assert.True(await page.EvaluateAsync<bool>("document.body.classList.contains('big')"));
        await keys.PressAsync("NumpadEnter");
        var amount = long.Parse(total.Replace(".", string.Empty, StringComparison.Ordinal).Replace(" ₫", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        await page.WaitForSelectorAsync("body[data-screen=qr], body[data-screen=large]", new() { Timeout = 20_000 });
        Assert.Equal(amount > 500_000 ? "large" : "qr", await page.EvaluateAsync<string>("document.body.dataset.screen"));
        if (amount > 500_000)
        {
            await AssertFocusVisibleAsync(page, "lgo"); // above the province's amount: the notice, then Enter pays in one transfer
            await keys.PressAsync("NumpadEnter");
        }

        await page.WaitForSelectorAsync("body[data-screen=qr]", new() { Timeout = 20_000 });
        Assert.Equal(total, await page.InnerTextAsync("#qamount"));
        await AssertFocusVisibleAsync(page, "qcancel");
        await page.WaitForFunctionAsync("document.getElementById('qcheck').textContent.length > 0");
        await keys.PressAsync("NumpadMultiply");
        await page.WaitForFunctionAsync("(document.body.dataset.spoken || '').indexOf('đồng') > 0", null, new() { Timeout = 20_000 });
        Assert.Contains("tài khoản có đuôi", await page.EvaluateAsync<string>("document.body.dataset.spoken"), StringComparison.Ordinal);

        var code = await page.InnerTextAsync("#qcode");
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await Province.NotifyAsync(amount, $"CT {code} hoc phi"))
        {
            notified.EnsureSuccessStatusCode();
        }

        await page.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
        await AssertFocusVisibleAsync(page, "again");
        await keys.PressAsync("NumpadEnter");
        await page.WaitForSelectorAsync("body[data-screen=home]");
        Assert.Equal("HS", await page.InnerTextAsync("#code"));
        await AssertTargetsAsync(page);
    }

    [Fact]
    public async Task The_large_transfer_notice_appears_above_the_provinces_amount_only()
    {
        // The province's amount reached the kiosk with the signed pull.
        Assert.Equal(500_000, (await Terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/kiosk/access")).GetProperty("largeTransferAbove").GetInt64());
        var page = await OpenAsync("/kiosk");
        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.ClickAsync("#payqr"); // 750.000 ₫ > 500.000 ₫
        await page.WaitForSelectorAsync("body[data-screen=large]");
        var text = await page.InnerTextAsync("#s-large");
        Assert.Contains("xác thực khuôn mặt", text, StringComparison.Ordinal);
        Assert.Contains("2345", text, StringComparison.Ordinal);
        Assert.Contains("750.000 ₫", text, StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#lsplit button").CountAsync()); // one transfer per bill on offer
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "access-kiosk-large.png") });

        // Paying one bill of the two: below the amount, straight to the QR.
        await page.ClickAsync("#lsplit button[data-bill='BT-2611-HS240001']");
        await page.WaitForSelectorAsync("body[data-screen=qr]", new() { Timeout = 20_000 });
        Assert.Equal("600.000 ₫", await page.InnerTextAsync("#qamount"));
        await page.ClickAsync("#qcancel");
        await page.ClickAsync("#back2");

        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").UncheckAsync(); // 150.000 ₫
        await page.ClickAsync("#payqr");
        await page.WaitForSelectorAsync("body[data-screen=qr]", new() { Timeout = 20_000 });
        Assert.Equal("150.000 ₫", await page.InnerTextAsync("#qamount"));
    }

    // The screen on now, in Vietnamese and English, normal and large text (switched by the kiosk's own buttons).
    private async Task VariantsAsync(IPage page, string what)
    {
        foreach (var large in new[] { false, true })
        {
            if (await page.EvaluateAsync<bool>("document.body.classList.contains('big')") != large)
            {
                await page.ClickAsync("#big");
            }

            foreach (var english in new[] { false, true })
            {
                if (await page.EvaluateAsync<string>("document.documentElement.lang") != (english ? "en" : "vi"))
                {
                    await page.ClickAsync("#lang");
                }

                var variant = $"{(english ? "en" : "vi")}-{(large ? "large" : "normal")}";
                await CheckAsync(page, $"kiosk {what} {variant}");
                Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), $"{what} {variant} scrolls sideways at 1024×600");
                await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"access-kiosk-{what.Replace(' ', '-')}-{variant}.png") });
            }
        }

        await page.ClickAsync("#lang"); // back to Vietnamese, normal text
        await page.ClickAsync("#big");
    }

    private async Task<JsonElement> PayByQrAsync(bool cancelFirst = false)
    {
        using var response = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = Guid.NewGuid().ToString(), method = "vietqr", payerCode = "HS240002", bills = new[] { new { billId = "HP-2611-HS240002" } } });
        response.EnsureSuccessStatusCode();
        var payment = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (cancelFirst)
        {
            (await Terminal.Http.PostAsync($"/api/v1/payments/{payment.GetProperty("id").GetString()}/cancel?t={payment.GetProperty("viewToken").GetString()}", null)).EnsureSuccessStatusCode();
        }

        return payment;
    }

    private async Task CheckAllAsync((IPage Page, string Size)[] pages, string what, string state, string? also = null)
    {
        foreach (var (page, size) in pages)
        {
            await page.WaitForFunctionAsync($"document.body.dataset.state === '{state}'" + (also is null ? string.Empty : " && " + also), null, new() { Timeout = 20_000 });
            await CheckAsync(page, $"display {size} {what}");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"access-display-{size}-{what}.png") });
        }
    }

    private async Task<IPage> OpenAsync(string path, bool waitForInstitution = true)
    {
        var page = await NewPageAsync(1024, 600);
        await page.GotoAsync(new Uri(Terminal.Http.BaseAddress!, path).ToString());
        if (waitForInstitution)
        {
            await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");
        }
        else
        {
            await page.WaitForFunctionAsync("document.body.dataset.state === 'idle'");
        }

        return page;
    }

    // axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules over the page as shown; the targets and the focus besides.
    private async Task CheckAsync(IPage page, string what)
    {
        if (!await page.EvaluateAsync<bool>("typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new() { Path = Axe });
        }

        var found = await AxeAsync(page);
        _violations.AddRange(found.Select(v => $"{what}: {v}"));
        await AssertTargetsAsync(page);
    }

    // The violations axe-core finds, each as "rule: help — first targets"; it must have checked something.
    internal static async Task<string[]> AxeAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new() { Path = Axe });
        }

        var result = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
              return { passes: result.passes.length, violations: result.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')) };
            }
            """);
        Assert.True(result.GetProperty("passes").GetInt32() > 5, "axe-core checked next to nothing");
        return [.. result.GetProperty("violations").EnumerateArray().Select(v => v.GetString()!)];
    }

    internal static async Task AssertTargetsAsync(IPage page)
    {
        var small = await page.EvaluateAsync<string[]>(
            """
            () => Array.from(document.querySelectorAll('button, input, a[href]'))
              .filter(e => e.offsetParent !== null)
              .map(e => [e, e.getBoundingClientRect()])
              .filter(([e, r]) => r.width < 48 || r.height < 48)
              .map(([e, r]) => (e.id || e.dataset.key || e.outerHTML.slice(0, 60)) + ' ' + Math.round(r.width) + '×' + Math.round(r.height))
            """);
        Assert.True(small.Length == 0, "targets under 48 px: " + string.Join(", ", small));
    }

    private static async Task AssertFocusVisibleAsync(IPage page, string? id)
    {
        if (id is not null)
        {
            await page.WaitForFunctionAsync($"document.activeElement && document.activeElement.id === '{id}'", null, new() { Timeout = 10_000 });
        }

        var outline = await page.EvaluateAsync<string>("(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; })()");
        Assert.StartsWith("solid 4px", outline, StringComparison.Ordinal);
    }
}
