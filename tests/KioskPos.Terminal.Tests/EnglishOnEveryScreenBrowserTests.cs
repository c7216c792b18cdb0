using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// "Vietnamese first, English available" on every screen of the terminal, in Debian's Chromium at 1024×600: the kiosk
/// switched to English shows no Vietnamese outside data (the institution, the pupil's masked name and class, the bills'
/// titles, marked data-data in the markup); the counter, the terminal's state page, the technician's page and the
/// customer display, which show both languages side by side, show no Vietnamese text without its English beside it.
/// Data is what institutions and people wrote, not the terminal's words.
/// </summary>
public sealed class EnglishOnEveryScreenBrowserTests : TerminalBrowserTest
{
    private const string PupilCard = "04A1B2C3";

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        WithStaffAsync(TerminalHost.StartAsync(province), StaffRole.Cashier, StaffRole.Technician);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_kiosk_in_English_after_a_tap_shows_no_Vietnamese_but_data_and_in_Vietnamese_its_headings_are_Vietnamese()
    {
        var page = await OpenAsync("/kiosk");
        await page.WaitForFunctionAsync("document.querySelector('#s-home h1').textContent.length > 0");

        // Vietnamese first: the home screen's heading and buttons in Vietnamese.
        Assert.Contains(await page.InnerTextAsync("#s-home h1"), Wording.IsVietnameseLetter);
        Assert.Contains(await page.InnerTextAsync("#find"), Wording.IsVietnameseLetter);

        await page.ClickAsync("#lang");
        await page.WaitForFunctionAsync("document.documentElement.lang === 'en'");
        Wording.AssertNone(await Wording.VietnameseAsync(page), "the kiosk's home screen in English shows Vietnamese");

        await Terminal.TapAsync(PupilCard);
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.WaitForSelectorAsync("#bills tr");
        Wording.AssertNone(await Wording.VietnameseAsync(page), "the kiosk's payer screen in English shows Vietnamese");
        await AssertNoHorizontalScrollAsync(page, "the kiosk's payer screen in English");
        await ShotAsync(page, "kiosk-payer-english");

        await page.ClickAsync("#stmt");
        await page.WaitForSelectorAsync("body[data-screen=statement]");
        await page.WaitForFunctionAsync("document.getElementById('sbalance').textContent.length > 0");
        Wording.AssertNone(await Wording.VietnameseAsync(page), "the kiosk's card statement in English shows Vietnamese");
        await AssertNoHorizontalScrollAsync(page, "the kiosk's card statement in English");
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_counter_with_a_payer_found_and_its_recent_payments_and_the_state_page_show_English_beside_every_Vietnamese_text()
    {
        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the counter's sign-in shows Vietnamese without English");

        var (id, pin) = TerminalHost.StaffPins[StaffRole.Cashier];
        await SignInAtCounterAsync(page, id, pin);
        await Terminal.TapAsync(PupilCard);
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden && !document.getElementById('paycard').disabled");

        // A payment, so that the recent list shows a row with its state and actions.
        await page.Locator("#bills tr[data-bill] input[type=checkbox]").Last.UncheckAsync();
        await page.Keyboard.PressAsync("F4");
        await page.WaitForSelectorAsync("#recent tr[data-payment]");
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden");

        // Vietnamese first: the recent list's heading starts in Vietnamese.
        Assert.Contains((await page.InnerTextAsync("#s-main .panel:last-child h2")).Split('/')[0], Wording.IsVietnameseLetter);
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the counter shows Vietnamese without English");
        await AssertNoHorizontalScrollAsync(page, "the counter");
        await ShotAsync(page, "counter-both-languages");

        // The terminal's state page, read by the cashier signed in (the payer and the payments shown).
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("h1");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the terminal's state page shows Vietnamese without English");
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_technicians_page_and_the_customer_display_show_English_beside_every_Vietnamese_text()
    {
        var page = await OpenAsync("/tech");
        await page.WaitForSelectorAsync("#login:not([hidden])");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the technician's sign-in shows Vietnamese without English");

        var (id, pin) = TerminalHost.StaffPins[StaffRole.Technician];
        await page.FillAsync("#sid", id);
        await page.FillAsync("#spin", pin);
        await page.ClickAsync("#signin");
        await page.WaitForSelectorAsync("#tech:not([hidden])");
        await page.WaitForSelectorAsync("#devices tr");
        await page.ClickAsync("#verify");
        await page.WaitForFunctionAsync("document.getElementById('tmsg').textContent.length > 0");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the technician's page shows Vietnamese without English");

        var display = await OpenAsync("/display");
        await display.WaitForFunctionAsync("document.getElementById('welcome').textContent.length > 0");
        Wording.AssertNone(await Wording.VietnameseOnlyAsync(display), "the customer display shows Vietnamese without English");
    }
}
