using KioskPos.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The counter page's side of issue 18's staff rules, in Debian's Chromium: a card-balance payment above the PIN
/// amount asks the card holder for their PIN in a dialog (the cashier's session does not stand in for it), and the
/// page left idle warns, then signs out by itself.
/// </summary>
public sealed class CounterRoleBrowserTests
{
    [Fact]
    [Trait("Category", "Browser")]
    [Trait("Category", "Attack")]
    [Attack("a cashier pays from a tapped card above the PIN amount at the counter page, no PIN typed", "the page asks the card holder for the PIN; paid only once it is typed")]
    public async Task The_counter_asks_the_card_holder_for_the_pin()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Terminal:CardPinAbove=100000"]);
        await terminal.App.Services.GetRequiredService<StaffStore>().AddOrUpdateAsync("tn01", "Lê Thu Ngân", StaffRole.Cashier, "246813");
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await SignedInAsync(browser, terminal);

        await terminal.TapAsync("04A1B2C3");
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
        Assert.Empty(errors);
    }

    [Fact]
    [Trait("Category", "Browser")]
    [Trait("Category", "Attack")]
    [Attack("walk away from a signed-in counter page", "a visible warning, then the page signs out by itself and the session is gone (401)")]
    public async Task The_counter_page_signs_out_by_itself_when_idle()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Staff:IdleTimeout=00:00:20"]);
        await terminal.App.Services.GetRequiredService<StaffStore>().AddOrUpdateAsync("tn01", "Lê Thu Ngân", StaffRole.Cashier, "246813");
        await using var browser = await Browser.LaunchAsync();
        var (page, errors) = await SignedInAsync(browser, terminal);

        // Under a minute left from the start: the warning shows at once, the sign-out comes 5 s before the server's.
        await page.WaitForSelectorAsync("#idlewarn:not([hidden])");
        Assert.Contains("giây", await page.InnerTextAsync("#idlewarn"), StringComparison.Ordinal);
        await page.WaitForSelectorAsync("body[data-screen=login]", new() { Timeout = 30_000 });
        Assert.Contains("không thao tác", await page.InnerTextAsync("#loginmsg"), StringComparison.Ordinal);
        Assert.Equal(401, (await page.APIRequest.GetAsync("/api/v1/sessions/current")).Status);
        Assert.Empty(errors);
    }

    private static async Task<(IPage Page, List<string> Errors)> SignedInAsync(IBrowser browser, TerminalHost terminal)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 600 }, BaseURL = terminal.Http.BaseAddress!.ToString() });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await page.FillAsync("#staff", "tn01");
        await page.FillAsync("#pin", "246813");
        await page.ClickAsync("#loginform button[type=submit]");
        await page.WaitForSelectorAsync("body[data-screen=main]");
        return (page, errors);
    }
}
