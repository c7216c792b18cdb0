using System.Collections.Concurrent;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Pay pressed again after its answer was lost between the page and the terminal (the request reached the terminal and
/// was taken; the page saw the connection drop): the kiosk and the counter send the same request key for the same
/// payment intent, so the terminal answers with the payment it took (a replay, 200) and never takes a second pending
/// VietQR payment; a changed choice is another intent, with a key of its own. In Debian's Chromium, the answers cut by
/// the page's own request interception after the terminal answered them.
/// </summary>
[Trait("Category", "Browser")]
public sealed class PaymentRetryBrowserTests : TerminalBrowserTest
{
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        WithStaffAsync(TerminalHost.StartAsync(province), StaffRole.Cashier);

    [Fact]
    public async Task At_the_kiosk_pay_pressed_again_after_a_lost_answer_shows_the_payment_taken_and_a_changed_choice_is_a_new_one()
    {
        var page = await OpenAsync("/kiosk?idle=600");
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");
        var posts = await InterceptAsync(page, "**/api/v1/payments");
        foreach (var key in "240001")
        {
            await page.ClickAsync($"#keypad button[data-key='{key}']");
        }

        await page.ClickAsync("#find");
        await page.WaitForSelectorAsync("body[data-screen=payer]");

        // Tuition alone (150.000 ₫): taken, and its answer lost. The page says so and Pay can be pressed again.
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").UncheckAsync();
        posts.CutNext = 1;
        await page.ClickAsync("#payqr");
        await page.WaitForSelectorAsync("#lost", new() { State = WaitForSelectorState.Visible });
        Assert.Equal("payer", await page.EvaluateAsync<string>("document.body.dataset.screen"));
        Assert.Contains("không thu hai lần", await page.InnerTextAsync("#lost"), StringComparison.Ordinal);
        Assert.False(await page.IsDisabledAsync("#payqr"));
        Assert.Single(await PendingAsync("HS240001"));

        // Boarding alone instead: another payment, with another key (its answer lost too).
        await page.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").CheckAsync();
        await page.Locator("#bills tr[data-bill='HP-2611-HS240001'] input").UncheckAsync();
        posts.CutNext = 1;
        await page.ClickAsync("#payqr");
        await page.WaitForFunctionAsync("document.getElementById('payqr').disabled === false && !document.getElementById('lost').hidden");
        Assert.Equal(2, posts.Seen.Count);
        Assert.NotEqual(posts.Seen.First().Key, posts.Seen.Last().Key);
        Assert.Equal(2, (await PendingAsync("HS240001")).Count);

        // Pay again for the same choice: the same key; the terminal answers with the boarding payment it took, and its QR is shown.
        await page.ClickAsync("#payqr");
        await page.WaitForSelectorAsync("body[data-screen=qr]");
        Assert.True(await page.IsHiddenAsync("#lost"));
        var (taken, replayed) = (posts.Seen.ElementAt(1), posts.Seen.ElementAt(2));
        Assert.Equal(taken.Key, replayed.Key);
        Assert.Equal((201, 200), (taken.Status, replayed.Status));
        Assert.Equal(taken.Answer.GetProperty("id").GetString(), replayed.Answer.GetProperty("id").GetString());
        Assert.Equal(taken.Answer.GetProperty("qr").GetProperty("transferCode").GetString(), await page.InnerTextAsync("#qcode"));
        Assert.Equal("600.000 ₫", await page.InnerTextAsync("#qamount"));
        Assert.Equal(2, (await PendingAsync("HS240001")).Count);
    }

    [Fact]
    public async Task At_the_counter_pay_pressed_again_after_a_lost_answer_gives_the_payment_taken_and_a_changed_amount_is_a_new_one()
    {
        var page = await OpenAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await SignInAtCounterAsync(page, "tn01", "246813");
        var posts = await InterceptAsync(page, "**/api/v1/payments");
        await page.FillAsync("#code", "HS240004");
        await page.ClickAsync("#find");
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden");
        var tuition = "#bills tr[data-bill='HP-2611-HS240004']";
        foreach (var row in await page.Locator("#bills tr[data-bill]").AllAsync())
        {
            if (await row.GetAttributeAsync("data-bill") != "HP-2611-HS240004")
            {
                await row.Locator("input[type=checkbox]").UncheckAsync();
            }
        }

        // The whole tuition by VietQR: taken, its answer lost; the cashier is told to press Pay again.
        posts.CutNext = 1;
        await page.ClickAsync("#payqr");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').textContent.indexOf('không tạo khoản thứ hai') >= 0 && !document.getElementById('payqr').disabled");
        Assert.Single(await PendingAsync("HS240004"));

        // A part of it instead (100.000 ₫): another payment, another key; its answer lost too. Its QR withdraws the
        // first, for the same bill: one QR for a bill is live at a time.
        var first = Assert.Single(await PendingAsync("HS240004")).Id;
        await page.FillAsync($"{tuition} input.part", "100000");
        posts.CutNext = 1;
        await page.ClickAsync("#payqr");
        await Wait.UntilAsync(() => Task.FromResult(posts.Seen.Count == 2), TimeSpan.FromSeconds(10), "the second payment's request");
        await page.WaitForFunctionAsync("!document.getElementById('payqr').disabled");
        Assert.NotEqual(posts.Seen.First().Key, posts.Seen.Last().Key);
        var second = Assert.Single(await PendingAsync("HS240004")).Id;
        Assert.NotEqual(first, second);

        // Pay again, same amount: the same key, and the payment taken is the answer (its QR on the customer display).
        await page.ClickAsync("#payqr");
        await page.WaitForFunctionAsync("document.getElementById('paymsg').className.indexOf('ok') >= 0");
        var (taken, replayed) = (posts.Seen.ElementAt(1), posts.Seen.ElementAt(2));
        Assert.Equal(taken.Key, replayed.Key);
        Assert.Equal((201, 200), (taken.Status, replayed.Status));
        Assert.Equal(taken.Answer.GetProperty("id").GetString(), replayed.Answer.GetProperty("id").GetString());
        Assert.Equal(100_000, taken.Answer.GetProperty("amount").GetInt64());
        Assert.Contains(taken.Answer.GetProperty("qr").GetProperty("transferCode").GetString()!, await page.InnerTextAsync("#paymsg"), StringComparison.Ordinal);
        Assert.Equal(second, Assert.Single(await PendingAsync("HS240004")).Id); // the replay withdrew nothing more
    }

    // The payer's VietQR payments waiting for the bank, as the terminal's SQLite holds them.
    private async Task<IReadOnlyList<Payment>> PendingAsync(string payerCode) =>
        [.. (await Terminal.App.Services.GetRequiredService<PaymentStore>().ListRecentAsync(50)).Where(p => p.AccountCode == payerCode && p.State == PaymentState.Pending)];

    // Every POST to url goes to the terminal; the next CutNext answers are then dropped (the connection reset), as a
    // network hiccup between the page and Kestrel would, and the rest handed to the page.
    private static async Task<Posts> InterceptAsync(IPage page, string url)
    {
        var posts = new Posts();
        await page.RouteAsync(url, async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }

            var key = JsonDocument.Parse(route.Request.PostData!).RootElement.GetProperty("clientRequestId").GetString()!;
            var response = await route.FetchAsync();
            var answer = JsonDocument.Parse(await response.TextAsync()).RootElement.Clone();
            var cut = Interlocked.Decrement(ref posts.CutNext) >= 0;
            if (!cut)
            {
                Interlocked.Exchange(ref posts.CutNext, 0);
            }

            posts.Seen.Enqueue((key, response.Status, answer));
            if (cut)
            {
                await route.AbortAsync("connectionreset");
            }
            else
            {
                await route.FulfillAsync(new() { Response = response });
            }
        });
        return posts;
    }

    private sealed class Posts
    {
        public int CutNext;

        public ConcurrentQueue<(string Key, int Status, JsonElement Answer)> Seen { get; } = new();
    }
}
