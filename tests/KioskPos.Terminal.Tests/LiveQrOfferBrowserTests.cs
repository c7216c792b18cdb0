using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A card payment beside a live VietQR offer for the same fees, in Debian's Chromium: the kiosk (its page reloaded while
/// its QR was on screen, so the offer lived on) and the counter (the QR on the customer display) show the refusal with one
/// button that withdraws the QR and pays by card. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class LiveQrOfferBrowserTests : TerminalBrowserTest
{
    private const string Card = "04A1B2C3";

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        WithStaffAsync(TerminalHost.StartAsync(province), StaffRole.Cashier);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task At_the_kiosk_one_tap_withdraws_the_qr_left_live_and_pays_by_card()
    {
        var page = await OpenKioskAsync();
        await Terminal.TapAsync(Card);
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.ClickAsync("#payqr");
        await page.WaitForSelectorAsync("body[data-screen=qr]");

        // The kiosk's page starts again with the QR on screen (its cancel never sent): the offer lives on.
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos' && document.body.dataset.screen === 'home'");
        var qr = (await PaymentsAsync()).Single();
        Assert.Equal(("vietqr", "pending"), (qr.GetProperty("method").GetString(), qr.GetProperty("state").GetString()));

        await Terminal.TapAsync(Card);
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        await page.ClickAsync("#paycard");
        await page.WaitForSelectorAsync("#mwithdraw:visible", new() { Timeout = 20_000 });
        var title = await page.InnerTextAsync("#mtitle");
        Assert.Contains(qr.GetProperty("id").GetString()!, title, StringComparison.Ordinal);
        Assert.Contains("750.000 ₫", title, StringComparison.Ordinal);
        Assert.Equal("Huỷ mã QR, trả bằng thẻ", await page.InnerTextAsync("#mwithdraw"));
        Assert.False(await page.IsHiddenAsync("#mback")); // or back to the fees
        await AssertNoHorizontalScrollAsync(page);
        await AssertAccessibleAsync(page);
        await ShotAsync(page, "kiosk-qr-offer-pending");

        await page.ClickAsync("#mwithdraw");
        await page.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
        Assert.Contains("750.000 ₫", await page.InnerTextAsync("#dinfo"), StringComparison.Ordinal);
        var payments = await PaymentsAsync();
        Assert.Equal(("card_balance", "completed"), (payments[0].GetProperty("method").GetString(), payments[0].GetProperty("state").GetString()));
        Assert.Equal("expired", payments.Single(p => p.GetProperty("id").GetString() == qr.GetProperty("id").GetString()).GetProperty("state").GetString());
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task At_the_counter_the_refusal_beside_the_qr_on_the_display_withdraws_it_and_takes_the_card()
    {
        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await SignInAtCounterAsync(page, "tn01", "246813");
        await Terminal.TapAsync(Card);
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden && !document.getElementById('paycard').disabled");
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input[type=checkbox]").UncheckAsync();
        Assert.Equal("150.000 ₫", await page.InnerTextAsync("#total"));

        // The QR on the customer display; the payer then hands over the card.
        await page.ClickAsync("#payqr");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Mã QR trên màn hình khách hàng') === 0");
        var qr = (await PaymentsAsync()).Single();
        await Terminal.TapAsync(Card);
        await page.WaitForFunctionAsync("!document.getElementById('paycard').disabled");
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input[type=checkbox]").UncheckAsync();
        await page.ClickAsync("#paycard");
        await page.WaitForSelectorAsync("#paymsg button[data-withdraw]", new() { Timeout = 20_000 });
        Assert.Contains(qr.GetProperty("id").GetString()!, await page.InnerTextAsync("#paymsg"), StringComparison.Ordinal);
        Assert.Equal("Huỷ mã QR rồi thu tiếp / withdraw the QR and take the payment", await page.InnerTextAsync("#paymsg button[data-withdraw]"));
        await ShotAsync(page, "counter-qr-offer-pending");

        await page.ClickAsync("#paymsg button[data-withdraw]");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Đã thu 150.000 ₫') === 0", null, new() { Timeout = 20_000 });
        Assert.Contains("/ Paid 150.000 ₫", await page.InnerTextAsync("#paymsg"), StringComparison.Ordinal);
        var payments = await PaymentsAsync();
        Assert.Equal(("card_balance", "completed"), (payments[0].GetProperty("method").GetString(), payments[0].GetProperty("state").GetString()));
        Assert.Equal("expired", payments.Single(p => p.GetProperty("id").GetString() == qr.GetProperty("id").GetString()).GetProperty("state").GetString());
        await page.WaitForSelectorAsync($"#recent tr[data-payment='{qr.GetProperty("id").GetString()}'] .state-expired");
        await ShotAsync(page, "counter-qr-withdrawn-paid");

        // The meals by QR, then on the bank-card terminal after all: the refusal in its dialog, withdrawn there.
        await page.WaitForFunctionAsync("!document.getElementById('payqr').disabled");
        await page.ClickAsync("#payqr");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Mã QR trên màn hình khách hàng') === 0");
        var meals = (await PaymentsAsync())[0].GetProperty("id").GetString()!;
        await page.FillAsync("#code", "HS240001");
        await page.ClickAsync("#find");
        await page.WaitForFunctionAsync("!document.getElementById('payext').disabled");
        await page.ClickAsync("#payext");
        await page.FillAsync("#eappr", "A1B2C3");
        await page.FillAsync("#elast4", "4242");
        await page.ClickAsync("#extform button[type=submit]");
        await page.WaitForSelectorAsync("#emsg button[data-withdraw]", new() { Timeout = 20_000 });
        Assert.Contains(meals, await page.InnerTextAsync("#emsg"), StringComparison.Ordinal);
        await page.ClickAsync("#emsg button[data-withdraw]");
        await page.WaitForFunctionAsync("!document.getElementById('ext').open && document.getElementById('paymsg').textContent.indexOf('Đã thu 600.000 ₫') === 0", null, new() { Timeout = 20_000 });
        payments = await PaymentsAsync();
        Assert.Equal(("external_card", "completed"), (payments[0].GetProperty("method").GetString(), payments[0].GetProperty("state").GetString()));
        Assert.Equal("expired", payments.Single(p => p.GetProperty("id").GetString() == meals).GetProperty("state").GetString());
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task At_the_counter_the_pay_buttons_come_back_with_the_qr_on_the_display_and_its_payment_refreshes_the_bills()
    {
        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await SignInAtCounterAsync(page, "tn01", "246813");
        await page.FillAsync("#code", "HS240001");
        await page.ClickAsync("#find");
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden && !document.getElementById('payqr').disabled");
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input[type=checkbox]").UncheckAsync();
        Assert.Equal("150.000 ₫", await page.InnerTextAsync("#total"));

        // The QR on the customer display: its transfer code in both languages, and the buttons back without a refresh
        // (the bills are still owed while it waits).
        await page.ClickAsync("#payqr");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Mã QR trên màn hình khách hàng') === 0");
        var id = (await PaymentsAsync()).Single().GetProperty("id").GetString()!;
        var code = (await Terminal.PaymentAsync(id)).GetProperty("qr").GetProperty("transferCode").GetString()!;
        Assert.Equal($"Mã QR trên màn hình khách hàng: {code} / QR on the customer display: {code}", await page.InnerTextAsync("#paymsg"));
        await page.WaitForFunctionAsync("!document.getElementById('payqr').disabled && !document.getElementById('payext').disabled");

        // Paid by the bank: the tuition leaves the payer's bills at once, the meals stay to be paid.
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        await VietQrTests.NotifyAsync(Province, 150_000, code);
        await page.WaitForFunctionAsync("document.querySelector(\"#bills tr[data-bill='HP-2611-HS240001']\") === null", null, new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Đã nhận thanh toán') === 0");
        Assert.NotNull(await page.QuerySelectorAsync("#bills tr[data-bill='BT-2611-HS240001']"));
        Assert.False(await page.IsDisabledAsync("#payqr"));
        await page.WaitForSelectorAsync($"#recent tr[data-payment='{id}'] .state-completed");
        await ShotAsync(page, "counter-qr-paid");
    }

    private async Task<JsonElement[]> PaymentsAsync() =>
        (await (await Terminal.CashierAsync()).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!;

    private async Task<IPage> OpenKioskAsync()
    {
        var page = await OpenAsync("/kiosk?idle=600");
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");
        return page;
    }
}
