using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The counter's refund dialog in Debian's Chromium: the amount is pre-filled with what is left to refund, written as
/// the counter shows amounts, and "50.000" typed there is fifty thousand đồng (review of 2026-12-06, finding 4).
/// </summary>
public sealed class CounterRefundBrowserTests : TerminalBrowserTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        WithStaffAsync(TerminalHost.StartAsync(province), StaffRole.Cashier, StaffRole.Supervisor);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_refund_typed_as_the_counter_shows_amounts_gives_back_that_many_dong_and_the_dialog_offers_what_is_left()
    {
        var cashier = await Terminal.StaffAsync(StaffRole.Cashier);
        await Terminal.TapAsync("04A1B2C3");
        string id;
        using (var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", method = "card_balance", bills = new[] { new { billId = "HP-2611-HS240001" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await SignInAtCounterAsync(page, "tn01", "246813");
        var refund = $"#recent tr[data-payment='{id}'] button:has-text('Refund')";
        await page.ClickAsync(refund);
        var offered = await page.InputValueAsync("#aamount");
        await page.FillAsync("#aamount", "50.000");
        await page.SelectOptionAsync("#adest", "card_balance");
        await page.FillAsync("#areason", "Thu thừa");
        await page.FillAsync("#asup", "gs01");
        await page.FillAsync("#apin", "975319");
        await page.ClickAsync("#aok");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('Đã hoàn') >= 0");
        Assert.Contains("50.000 ₫", await page.InnerTextAsync("#paymsg"), StringComparison.Ordinal);
        Assert.Equal("150.000", offered); // as the counter shows amounts, which the field reads back the same

        var after = await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{id}");
        Assert.Equal(100_000, after.GetProperty("refundable").GetInt64());

        // Opened again, the dialog offers what is left, not the payment's amount.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-screen=main]");
        await page.ClickAsync(refund);
        Assert.Equal("100.000", await page.InputValueAsync("#aamount"));
        await page.ClickAsync("#acancel");
    }
}
