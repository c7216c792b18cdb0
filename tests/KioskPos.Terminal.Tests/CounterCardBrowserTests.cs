using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The card's money at the counter and at /tech, in Debian's Chromium at 1024×600 (issue 27): a cashier issues a card
/// by tapping it, reports it lost and replaces it (the balance moved), tops the card up by VietQR (the QR on the
/// customer display, the bank's money credited); a supervisor closes the account, the remainder shown and its transfer
/// reference asked; a technician reports a card lost at /tech (issuing is the counter's). Every message shows in Vietnamese and
/// English, as the staff pages do. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class CounterCardBrowserTests : TerminalBrowserTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        WithStaffAsync(TerminalHost.StartAsync(province), StaffRole.Cashier, StaffRole.Supervisor, StaffRole.Technician);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task At_the_counter_a_card_is_issued_lost_replaced_topped_up_and_the_account_closed_by_a_supervisor()
    {
        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await SignInAtCounterAsync(page, "tn01", "246813");
        await FindAsync(page, "HS240002");
        var balance = await Province.BalanceAsync("HS240002");

        // A cashier sees no "close account"; a top-up is there.
        Assert.True(await page.IsHiddenAsync("#acctclose"));
        Assert.Equal("Nạp tiền / Top up", await page.InnerTextAsync("#topupstart"));

        // Issue: a new card tapped while the payer is shown, then "issue the card just tapped".
        await Terminal.TapAsync("04CAFE01");
        await page.WaitForFunctionAsync("document.getElementById('cardmsg').textContent.indexOf('Thẻ mới chưa được cấp') >= 0");
        await page.ClickAsync("#cardissue");
        var issued = await MessageAsync(page, "#cardmsg", "Đã cấp thẻ");
        Assert.Contains("Card ••••FE01 issued", issued, StringComparison.Ordinal);
        Assert.Equal("HS240002", (await (await Terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04CAFE01")).GetProperty("code").GetString());

        // Lost: refused at once.
        await page.FillAsync("#carduid", "04CAFE01");
        await page.ClickAsync("#cardlost");
        var lost = await MessageAsync(page, "#cardmsg", "Đã báo mất thẻ");
        Assert.Contains("reported lost", lost, StringComparison.Ordinal);
        Assert.True((await (await Terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04CAFE01")).GetProperty("blocked").GetBoolean());

        // Replaced by the next card tapped: it carries the account's balance.
        await Terminal.TapAsync("04CAFE02");
        await page.WaitForFunctionAsync("document.getElementById('cardmsg').textContent.indexOf('Thẻ mới chưa được cấp') >= 0");
        await page.FillAsync("#carduid", "04CAFE01");
        await page.ClickAsync("#cardreplace");
        var replaced = await MessageAsync(page, "#cardmsg", "Đã thay bằng thẻ");
        Assert.Contains("carries the balance", replaced, StringComparison.Ordinal);
        Assert.Contains(Money(balance), replaced, StringComparison.Ordinal);
        var byNewCard = await (await Terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04CAFE02");
        Assert.Equal(("HS240002", balance, false), (byNewCard.GetProperty("code").GetString(), byNewCard.GetProperty("availableBalance").GetInt64(), byNewCard.GetProperty("blocked").GetBoolean()));
        await ShotAsync(page, "counter-card-replaced");

        // Top-up: the amount typed, the QR on the customer display, the bank's money credited to the account.
        await page.ClickAsync("#topupstart");
        await page.WaitForSelectorAsync("#topupdlg[open]");
        Assert.Contains("Nạp tiền vào thẻ của Trần Thị Bảo Ngọc", await page.InnerTextAsync("#tutitle"), StringComparison.Ordinal);
        var topUpViolations = await Accessibility.AccessibilityBrowserTests.AxeAsync(page);
        Assert.True(topUpViolations.Length == 0, string.Join("\n", topUpViolations));
        await page.FillAsync("#tuamount", "200000");
        await ShotAsync(page, "counter-topup");
        await page.ClickAsync("#topupform button[type=submit]");
        var shown = await MessageAsync(page, "#paymsg", "Mã QR nạp tiền");
        Assert.Contains("The top-up QR is on the customer display", shown, StringComparison.Ordinal);
        var code = System.Text.RegularExpressions.Regex.Match(shown, @"nội dung chuyển khoản (\S+)\.").Groups[1].Value;
        Assert.True(Core.VietQr.TransferCode.TryParse(code, out _), shown);
        Assert.Contains(code, (await Terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display")).ToString(), StringComparison.Ordinal);
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await Province.NotifyAsync(200_000, code, "FT-COUNTER-TOPUP-1"))
        {
            notified.EnsureSuccessStatusCode();
        }

        Assert.Equal(balance + 200_000, await Province.BalanceAsync("HS240002"));
        await page.WaitForFunctionAsync("document.getElementById('paymsg').className.indexOf('ok') >= 0 && document.getElementById('paymsg').textContent.indexOf('200.000') >= 0",
            null, new() { Timeout = 20_000 });

        // The terminal learns the new balance at its pull; the supervisor then closes the account from the counter.
        await Wait.UntilAsync(async () => (await Terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240002")).GetProperty("availableBalance").GetInt64() == balance + 200_000,
            TimeSpan.FromSeconds(20), "the top-up in the terminal's balance");
        await page.ClickAsync("#signout");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await SignInAtCounterAsync(page, "gs01", "975319");
        await FindAsync(page, "HS240002");
        Assert.True(await page.IsVisibleAsync("#acctclose"));
        Assert.Equal("Đóng tài khoản / Close account", await page.InnerTextAsync("#acctclose"));
        await page.ClickAsync("#acctclose");
        await page.WaitForSelectorAsync("#closedlg[open]");
        Assert.Equal(Money(balance + 200_000), await page.InnerTextAsync("#clremainder"));
        Assert.Contains("Remainder to refund", await page.InnerTextAsync("#closedlg"), StringComparison.Ordinal);
        var violations = await Accessibility.AccessibilityBrowserTests.AxeAsync(page);
        Assert.True(violations.Length == 0, string.Join("\n", violations));

        // Without the transfer's reference: refused, naming the field, the dialog stays.
        await page.ClickAsync("#clok");
        var missing = await MessageAsync(page, "#clmsg", "bankReference");
        Assert.Contains("không hợp lệ", missing, StringComparison.Ordinal);
        await page.FillAsync("#clref", "FT26120599001");
        await page.FillAsync("#clreason", "Chuyển trường");
        await ShotAsync(page, "counter-account-close");
        await page.ClickAsync("#clok");
        await page.WaitForSelectorAsync("#closedlg", new() { State = WaitForSelectorState.Hidden });
        var closed = await MessageAsync(page, "#cardmsg", "Đã tất toán tài khoản HS240002");
        Assert.Contains($"Account HS240002 closed: {Money(balance + 200_000)} refunded by transfer FT26120599001", closed, StringComparison.Ordinal);
        Assert.Equal(0, await Province.BalanceAsync("HS240002"));
        Assert.Equal(balance + 200_000, Convert.ToInt64(await Province.ScalarAsync("SELECT refunded FROM account_closures WHERE account_code = 'HS240002'")));
        Assert.Equal("closed", await Province.ScalarAsync("SELECT denied_reason FROM cards WHERE uid = '04CAFE02'"));
        await ShotAsync(page, "counter-account-closed");
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task At_tech_a_technician_reports_a_card_lost_and_issues_none()
    {
        // Issuing gives a card an account's balance: the counter's (a cashier), never /tech's.
        var (cashierId, cashierPin) = TerminalHost.StaffPins[StaffRole.Cashier];
        using (var cashier = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = Terminal.Http.BaseAddress })
        {
            using var signedIn = await cashier.PostAsJsonAsync("/api/v1/sessions", new { staffId = cashierId, pin = cashierPin });
            using var issued = await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240005", cardUid = "04CAFE03" });
            Assert.Equal(System.Net.HttpStatusCode.Created, issued.StatusCode);
        }

        var page = await OpenAsync("/tech");
        await page.WaitForSelectorAsync("#login:not([hidden])");
        await page.FillAsync("#sid", "kt01");
        await page.FillAsync("#spin", "864271");
        await page.ClickAsync("#signin");
        await page.WaitForSelectorAsync("#tech:not([hidden])");
        Assert.Null(await page.QuerySelectorAsync("#cissue"));

        // A card UID that is not one: refused, naming the field; then the right one reported lost.
        await page.FillAsync("#cuid", "zz");
        await page.ClickAsync("#clost");
        await MessageAsync(page, "#cmsg", "uid");
        await page.FillAsync("#cuid", "04:ca:fe:03");
        await page.ClickAsync("#clost");
        var lost = await MessageAsync(page, "#cmsg", "Đã báo mất thẻ");
        Assert.Contains("reported lost", lost, StringComparison.Ordinal);
        Assert.True((await (await Terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04CAFE03")).GetProperty("blocked").GetBoolean());
        await ShotAsync(page, "tech-card-lost");
    }

    private static async Task FindAsync(IPage page, string code)
    {
        await page.FillAsync("#code", code);
        await page.ClickAsync("#find");
        await page.WaitForFunctionAsync($"!document.getElementById('payer').hidden && document.getElementById('pinfo').textContent.indexOf('{code}') === 0");
    }

    // Waits for the element to say text, and gives all it says.
    private static async Task<string> MessageAsync(IPage page, string selector, string text)
    {
        await page.WaitForFunctionAsync("([s, t]) => document.querySelector(s).textContent.indexOf(t) >= 0", new object[] { selector, text }, new() { Timeout = 15_000 });
        return await page.InnerTextAsync(selector);
    }

    private static string Money(long dong) => new KioskPos.Core.Money.Vnd(dong).ToString();
}
