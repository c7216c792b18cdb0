using KioskPos.Storage;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The counter page's side of issue 18's staff rules, in Debian's Chromium: a card-balance payment above the PIN
/// amount asks the card holder for their PIN in a dialog (the cashier's session does not stand in for it), and the
/// page left idle warns, then signs out by itself. Each rule wants its own terminal configuration, so each is a class.
/// </summary>
public static class CounterRoleBrowserTests
{
    /// <summary>A terminal whose card payments above 100.000 ₫ ask for the card's PIN.</summary>
    public sealed class CardPin : CashierAtCounter
    {
        protected override string Setting => "--Terminal:CardPinAbove=100000";

        [Fact]
        [Trait("Category", "Browser")]
        [Trait("Category", "Attack")]
        [Attack("a cashier pays from a tapped card above the PIN amount at the counter page, no PIN typed", "the page asks the card holder for the PIN; paid only once it is typed")]
        public async Task The_counter_asks_the_card_holder_for_the_pin()
        {
            var page = await SignedInAsync();

            await Terminal.TapAsync("04A1B2C3");
            await page.WaitForFunctionAsync("document.getElementById('pname').textContent === 'Nguyễn Minh Anh' && !document.getElementById('paycard').disabled");
            await page.ClickAsync("#paycard");
            await page.WaitForSelectorAsync("#cpin[open]");

            // A wrong PIN: said in the dialog, which stays; the right one pays.
            await page.FillAsync("#cpincode", "0000");
            await page.ClickAsync("#cpinform button[type=submit]");
            await page.WaitForFunctionAsync("document.getElementById('cpinmsg').textContent.indexOf('lần thử') >= 0");
            await page.FillAsync("#cpincode", "2580");
            await page.ClickAsync("#cpinform button[type=submit]");
            await page.WaitForSelectorAsync("#cpin", new() { State = WaitForSelectorState.Hidden });
            await page.WaitForFunctionAsync("document.getElementById('paymsg').className.indexOf('ok') >= 0");
            Assert.Empty(Errors);
        }
    }

    /// <summary>A terminal whose staff sessions end after 20 s without a request.</summary>
    public sealed class IdleSignOut : CashierAtCounter
    {
        protected override string Setting => "--Staff:IdleTimeout=00:00:20";

        [Fact]
        [Trait("Category", "Browser")]
        [Trait("Category", "Attack")]
        [Attack("walk away from a signed-in counter page", "a visible warning, then the page signs out by itself and the session is gone (401)")]
        public async Task The_counter_page_signs_out_by_itself_when_idle()
        {
            var page = await SignedInAsync();

            // Under a minute left from the start: the warning shows at once, the sign-out comes 5 s before the server's.
            await page.WaitForSelectorAsync("#idlewarn:not([hidden])");
            Assert.Contains("giây", await page.InnerTextAsync("#idlewarn"), StringComparison.Ordinal);
            await page.WaitForSelectorAsync("body[data-screen=login]", new() { Timeout = 30_000 });
            Assert.Contains("không thao tác", await page.InnerTextAsync("#loginmsg"), StringComparison.Ordinal);
            Assert.Equal(401, (await page.APIRequest.GetAsync("/api/v1/sessions/current")).Status);
            Assert.Empty(Errors);
        }
    }

    /// <summary>A terminal started with one setting and cashier tn01, the counter page signed in as tn01.</summary>
    public abstract class CashierAtCounter : TerminalBrowserTest
    {
        /// <summary>The terminal's one setting under test, as a command-line argument.</summary>
        protected abstract string Setting { get; }

        protected override bool StartsOnline => false;

        protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
            WithStaffAsync(TerminalHost.StartAsync(province, extraArgs: [Setting]), StaffRole.Cashier);

        protected async Task<IPage> SignedInAsync()
        {
            var page = await OpenAsync("/counter");
            await page.WaitForSelectorAsync("body[data-screen=login]");
            await SignInAtCounterAsync(page, "tn01", "246813");
            return page;
        }
    }
}
