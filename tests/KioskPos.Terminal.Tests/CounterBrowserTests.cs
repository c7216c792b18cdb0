using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The cashier's counter in Debian's Chromium at 1024×600: a wrong PIN five times locks; a cashier signs in, takes a
/// card-balance payment for a tapped card, voids it with a supervisor's PIN, closes the shift (the Z report prints),
/// and signs out. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class CounterBrowserTests : TerminalBrowserTest
{
    protected override bool StartsOnline => false;

    protected override async Task<TerminalHost> StartTerminalAsync(ProvinceHost province)
    {
        var terminal = await WithStaffAsync(TerminalHost.StartAsync(province), StaffRole.Cashier, StaffRole.Supervisor);
        await terminal.App.Services.GetRequiredService<StaffStore>().AddOrUpdateAsync("tn09", "Đỗ Văn Chín", StaffRole.Cashier, "135790"); // the one locked out below
        return terminal;
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_cashier_signs_in_takes_a_card_payment_voids_it_with_a_supervisor_and_closes_the_shift()
    {
        var page = await OpenCounterAsync();
        await ShotAsync(page, "counter-login");

        // Five wrong PINs lock that cashier out; the right PIN is refused while locked.
        for (var i = 1; i <= 5; i++)
        {
            await SubmitCounterSignInAsync(page, "tn09", "0000");
            var expected = i < 5 ? $"còn {5 - i} lần thử" : "tạm khóa";
            await page.WaitForFunctionAsync($"document.getElementById('loginmsg').textContent.indexOf('{expected}') >= 0");
        }

        await SubmitCounterSignInAsync(page, "tn09", "135790");
        await page.WaitForFunctionAsync("document.getElementById('loginmsg').textContent.indexOf('tạm khóa') >= 0");
        await ShotAsync(page, "counter-locked");

        await SubmitCounterSignInAsync(page, "tn01", "246813");
        await page.WaitForSelectorAsync("body[data-screen=main]");
        Assert.Contains("Lê Thu Ngân", await page.InnerTextAsync("#who"), StringComparison.Ordinal);

        // Found by name (no card, no code): chosen from the matches; without the card, no card-balance payment.
        await page.FillAsync("#code", "nguyen minh");
        await page.ClickAsync("#find");
        await page.ClickAsync("#matches button[data-code='HS240001']");
        await page.WaitForFunctionAsync("document.getElementById('pname').textContent === 'Nguyễn Minh Anh'");
        Assert.True(await page.IsDisabledAsync("#paycard"));
        Assert.False(await page.IsDisabledAsync("#payqr"));

        // The card tapped at the counter: the payer and the bills; pay the tuition from the card (F4).
        await Terminal.TapAsync("04A1B2C3");
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden && !document.getElementById('paycard').disabled");
        Assert.Equal("Nguyễn Minh Anh", await page.InnerTextAsync("#pname"));
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input[type=checkbox]").UncheckAsync();
        Assert.Equal("150.000 ₫", await page.InnerTextAsync("#total"));

        // Part of the tuition today: 100.000 ₫ of 150.000 ₫. More than is owed is refused on the page, and the message
        // goes once the amount is corrected.
        await page.FillAsync("#bills tr[data-bill='HP-2611-HS240001'] input.part", "200000");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Số tiền mỗi khoản từ 1 ₫ đến số còn nợ / ') === 0");
        Assert.True(await page.IsDisabledAsync("#paycard"));
        await page.FillAsync("#bills tr[data-bill='HP-2611-HS240001'] input.part", "100000");
        Assert.Equal("100.000 ₫", await page.InnerTextAsync("#total"));
        Assert.Equal(string.Empty, await page.InnerTextAsync("#paymsg"));
        await AssertNoHorizontalScrollAsync(page);
        await ShotAsync(page, "counter-payer");
        await page.Keyboard.PressAsync("F4");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Đã thu') >= 0");
        Assert.Contains("50.000 ₫", await page.InnerTextAsync("#bills tr[data-bill='HP-2611-HS240001']"), StringComparison.Ordinal); // still owed
        var supervisor = await Terminal.StaffAsync(StaffRole.Supervisor);
        var id = (await supervisor.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))![0].GetProperty("id").GetString()!;
        Assert.Equal($"Đã thu 100.000 ₫ · {id} / Paid 100.000 ₫ · {id}", await page.InnerTextAsync("#paymsg")); // both languages, as the counter's other messages
        await page.WaitForSelectorAsync($"#recent tr[data-payment='{id}'] button:has-text('In lại / Reprint')");
        var recorded = await supervisor.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{id}");
        Assert.Equal("tn01", recorded.GetProperty("operator").GetString()); // the signed-in cashier, not a name the page sent

        // Void it: the supervisor's PIN in the dialog; a wrong one is refused there first.
        await page.ClickAsync($"#recent tr[data-payment='{id}'] button:has-text('Void')");
        await page.FillAsync("#areason", "Thu nhầm khoản");
        await page.FillAsync("#asup", "gs01");
        await page.FillAsync("#apin", "11111");
        await page.ClickAsync("#aok");
        await page.WaitForFunctionAsync("document.getElementById('amsg').textContent.indexOf('còn 4 lần thử') >= 0");
        await page.FillAsync("#apin", "975319");
        await ShotAsync(page, "counter-void-approval");
        await page.ClickAsync("#aok");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Đã huỷ') >= 0");
        await page.WaitForSelectorAsync($"#recent tr[data-payment='{id}'] .state-voided");
        await ShotAsync(page, "counter-voided");

        // Close the shift: the Z report prints.
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.ClickAsync("#close");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Đã đóng ca') >= 0");
        await ShotAsync(page, "counter-shift-closed");
        await Wait.UntilAsync(() => Task.FromResult(Directory.GetFiles(Terminal.ReceiptsFolder, "*.txt").Select(File.ReadAllText).Any(t => t.Contains("BÁO CÁO CUỐI CA", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(20), "the Z report on paper");

        await page.ClickAsync("#signout");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        Assert.Equal(401, (await page.APIRequest.GetAsync("/api/v1/payments")).Status);
    }

    private async Task<IPage> OpenCounterAsync()
    {
        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        return page;
    }
}
