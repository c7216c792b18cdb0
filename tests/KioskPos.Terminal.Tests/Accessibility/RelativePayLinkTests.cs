using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests.Accessibility;

/// <summary>
/// Issue 24, paying from a relative's phone: the kiosk's VietQR screen shows a short link and a small QR of it; on any
/// phone the link opens the province's page with the very same VietQR (decoded from the page with zbar), the amount,
/// the receiving account's holder and the expiry, and the payer's masked name only; the large-transfer notice appears
/// there above the province's amount only; after expiry, cancelling or paying it shows no QR; a wrong key is a 404
/// without detail. Real province and terminal on 127.0.0.1, Debian's Chromium.
/// </summary>
[Trait("Category", "Browser")]
public sealed class RelativePayLinkTests : TerminalBrowserTest
{
    protected override Task<ProvinceHost> StartProvinceAsync() =>
        ProvinceHost.StartAsync(settings: ["--Province:LargeTransferAbove=500000"]); // the demo pupil's 750.000 ₫ is large, 150.000 ₫ is not

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province, extraArgs: ["--Speech:Player=none"]);

    [Fact]
    public async Task The_relatives_page_shows_the_kiosks_exact_QR_and_amount_and_the_large_transfer_notice_above_the_provinces_amount_only()
    {
        var kiosk = await NewPageAsync(1024, 600);
        await kiosk.GotoAsync(new Uri(Terminal.Http.BaseAddress!, "/kiosk").ToString());
        await kiosk.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");

        // 750.000 ₫ in one transfer, above the province's 500.000 ₫.
        await Terminal.TapAsync("04A1B2C3");
        await kiosk.WaitForSelectorAsync("body[data-screen=payer]");
        await kiosk.ClickAsync("#payqr");
        await kiosk.WaitForSelectorAsync("body[data-screen=large]");
        await kiosk.ClickAsync("#lgo");
        var (id, link, payload) = await KioskLinkAsync(kiosk, "large");
        var phone = await OpenPhoneAsync(link);
        await phone.WaitForSelectorAsync("body[data-state=open]");
        Assert.Equal(payload, await DecodeAsync(phone, "relative-qr-large"));
        Assert.Equal(750_000, VietQrParser.Parse(payload).Amount);
        var text = await phone.InnerTextAsync("main");
        Assert.Contains("750.000 ₫", text, StringComparison.Ordinal);
        Assert.Contains("N. M. Anh", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Minh Anh", await phone.ContentAsync(), StringComparison.Ordinal); // the masked name only
        Assert.Contains(VietQrParser.Parse(payload).Purpose!, text, StringComparison.Ordinal); // the transfer text
        Assert.Contains("6789", text, StringComparison.Ordinal); // the receiving account's last digits
        Assert.Matches(@"Mã hết hạn sau 1[45]:\d\d", text);
        Assert.True(await phone.IsVisibleAsync("#large"), "the large-transfer notice above the province's amount");
        var notice = await phone.InnerTextAsync("#large");
        Assert.Contains("xác thực khuôn mặt", notice, StringComparison.Ordinal);
        Assert.Contains("2345", notice, StringComparison.Ordinal);
        Assert.Contains("500.000 ₫", notice, StringComparison.Ordinal);
        Assert.Empty(await AxeAsync(phone));
        await phone.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "relative-page-large.png"), FullPage = true });

        // The payment cancelled at the kiosk: once the province knows, the page says so and shows no QR.
        // Waiting for the terminal's queue to drain raced the click (an empty queue before the cancellation was
        // journalled): the province's own answer is waited for instead.
        await kiosk.ClickAsync("#qcancel");
        await Wait.UntilAsync(async () => (await PayLinkJsonAsync(link)).GetProperty("state").GetString() == "expired", TimeSpan.FromSeconds(30), "the province to learn of the cancellation");
        await phone.ReloadAsync();
        await phone.WaitForSelectorAsync("body[data-state=expired]");
        Assert.Equal(0, await phone.Locator("#qr svg").CountAsync());
        Assert.False(await phone.IsVisibleAsync("#qr"));
        Assert.Contains("hết hạn hoặc đã bị huỷ", await phone.InnerTextAsync("#state"), StringComparison.Ordinal);
        var cancelled = await PayLinkJsonAsync(link);
        Assert.Equal(("expired", JsonValueKind.Undefined, JsonValueKind.Undefined), (cancelled.GetProperty("state").GetString(), cancelled.TryGetProperty("payload", out var p) ? p.ValueKind : JsonValueKind.Undefined, cancelled.TryGetProperty("svg", out var s) ? s.ValueKind : JsonValueKind.Undefined));
        await kiosk.ClickAsync("#back2");

        // 150.000 ₫, below the amount: straight to the QR, and no notice on the relative's page.
        await Terminal.TapAsync("04A1B2C3");
        await kiosk.WaitForSelectorAsync("body[data-screen=payer]");
        await kiosk.Locator("#bills tr[data-bill='BT-2611-HS240001'] input").UncheckAsync();
        await kiosk.ClickAsync("#payqr");
        var (small, smallLink, smallPayload) = await KioskLinkAsync(kiosk, "small");
        Assert.NotEqual(id, small);
        await phone.GotoAsync(smallLink);
        await phone.WaitForSelectorAsync("body[data-state=open]");
        Assert.Equal(smallPayload, await DecodeAsync(phone, "relative-qr-small"));
        Assert.Contains("150.000 ₫", await phone.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.False(await phone.IsVisibleAsync("#large"), "no large-transfer notice at or below the province's amount");
        Assert.False((await PayLinkJsonAsync(smallLink)).GetProperty("largeTransfer").GetBoolean());

        // Paid (from the relative's phone, as far as the bank can tell): the page says so and shows no QR.
        using (var paid = await Province.NotifyAsync(150_000, $"CT {VietQrParser.Parse(smallPayload).Purpose} hoc phi"))
        {
            paid.EnsureSuccessStatusCode();
        }

        await Wait.UntilAsync(async () => (await PayLinkJsonAsync(smallLink)).GetProperty("state").GetString() == "paid", TimeSpan.FromSeconds(20), "the page to know it is paid");
        await phone.ReloadAsync();
        await phone.WaitForSelectorAsync("body[data-state=paid]");
        Assert.Equal(0, await phone.Locator("#qr svg").CountAsync());
        Assert.Contains("đã được thanh toán", await phone.InnerTextAsync("#state"), StringComparison.Ordinal);
        await kiosk.WaitForSelectorAsync("body[data-screen=done]", new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task The_link_key_is_known_offline_a_wrong_key_is_404_without_detail_and_the_QR_goes_at_its_expiry()
    {
        using var created = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = Guid.NewGuid().ToString(), method = "vietqr", payerCode = "HS240001", bills = new[] { new { billId = "HP-2611-HS240001" } } });
        created.EnsureSuccessStatusCode();
        var payment = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        var view = await Terminal.Http.GetFromJsonAsync<JsonElement>(Terminal.PaymentUrl(id, "/pay-link"));
        var link = new Uri(view.GetProperty("url").GetString()!);
        Assert.Equal($"{Province.BaseUrl.ToString().TrimEnd('/')}/p/{id}", link.GetLeftPart(UriPartial.Path));
        var key = link.Query["?k=".Length..];
        // The terminal's own journal gives the key (offline too); it is not the receipt's lookup key.
        var store = Terminal.App.Services.GetRequiredService<PaymentStore>();
        Assert.Equal(key, await store.PayLinkKeyAsync(id));
        Assert.NotEqual(await store.LookupTokenAsync(id), key);
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        Assert.True((await Terminal.Http.GetFromJsonAsync<JsonElement>(Terminal.PaymentUrl(id, "/pay-link"))).GetProperty("reachable").GetBoolean());

        using var http = new HttpClient();
        using (var page = await http.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var open = await PayLinkJsonAsync(link.ToString());
        Assert.Equal(("open", payment.GetProperty("qr").GetProperty("payload").GetString()), (open.GetProperty("state").GetString(), open.GetProperty("payload").GetString()));
        Assert.Equal(("150.000 ₫", "N. M. Anh"), (open.GetProperty("amountText").GetString(), open.GetProperty("payerName").GetString()));
        Assert.InRange(open.GetProperty("secondsLeft").GetInt64(), 800, 900);

        // A wrong key, an unknown payment, the receipt's key: the same bare 404.
        var wrong = (key[0] == 'a' ? "b" : "a") + key[1..];
        foreach (var address in new[] { $"/p/{id}?k={wrong}", $"/p/KP-THCS-ND-01-99999999?k={key}", $"/p/{id}?k={await store.LookupTokenAsync(id)}" })
        {
            using var page = await http.GetAsync(new Uri(Province.BaseUrl, address));
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            using var api = await http.GetAsync(new Uri(Province.BaseUrl, "/api/v1/pay-links/" + address[3..]));
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
            var problem = await api.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("pay_link_not_found", "Không tìm thấy liên kết trả hộ"), (problem.GetProperty("code").GetString(), problem.GetProperty("title").GetString()));
            Assert.True(!problem.TryGetProperty("detail", out var detail) || detail.ValueKind == JsonValueKind.Null, "a 404 without detail");
        }

        // Not a link at all: 400 naming k.
        foreach (var address in new[] { $"/p/{id}", $"/p/{id}?k=xyz", $"/p/{id}?k={key}0" })
        {
            using var page = await http.GetAsync(new Uri(Province.BaseUrl, address));
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            using var api = await http.GetAsync(new Uri(Province.BaseUrl, "/api/v1/pay-links/" + address[3..]));
            Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
            Assert.Contains("k ", (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The wrong key's page in a browser: the refusal, no QR.
        var phone = await OpenPhoneAsync(new Uri(Province.BaseUrl, $"/p/{id}?k={wrong}").ToString());
        await phone.WaitForSelectorAsync("body[data-state=refused]");
        Assert.Contains("Không mở được liên kết", await phone.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Equal(0, await phone.Locator("svg").CountAsync());

        // Past the QR's expiry (as the province holds it), the same link shows no QR, whatever the terminal says.
        Assert.Equal(1, await Province.ExecuteAsync("UPDATE payments SET expires_at = $e WHERE id = $id", ("$e", DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture)), ("$id", id)));
        var expired = await PayLinkJsonAsync(link.ToString());
        Assert.Equal(("expired", false, 0L), (expired.GetProperty("state").GetString(), expired.TryGetProperty("payload", out _), expired.GetProperty("secondsLeft").GetInt64()));
        await phone.GotoAsync(link.ToString());
        await phone.WaitForSelectorAsync("body[data-state=expired]");
        Assert.Equal(0, await phone.Locator("#qr svg").CountAsync());
    }

    // The kiosk's QR screen once it offers the link: the payment, the link (also decoded from the small QR, which must
    // carry it and not a payment) and the paying payload (decoded from the big QR).
    private async Task<(string Id, string Link, string Payload)> KioskLinkAsync(IPage kiosk, string what)
    {
        await kiosk.WaitForSelectorAsync("body[data-screen=qr]", new() { Timeout = 20_000 });
        await kiosk.WaitForFunctionAsync("!document.getElementById('relative').hidden", null, new() { Timeout = 20_000 });
        var link = await kiosk.InnerTextAsync("#rlink");
        var id = new Uri(link).AbsolutePath.Split('/')[^1];
        Assert.Contains("Người thân trả hộ", await kiosk.InnerTextAsync("#relative"), StringComparison.Ordinal);
        Assert.Contains("không phải mã chuyển khoản", await kiosk.InnerTextAsync("#relative"), StringComparison.Ordinal);
        Assert.Equal("Liên kết để người thân trả hộ", await kiosk.GetAttributeAsync("#rqr", "aria-label"));
        var small = Path.Combine(Terminal.Folder, $"kiosk-link-{what}.png");
        await kiosk.Locator("#rqr").ScreenshotAsync(new() { Path = small });
        Assert.Equal(link, ZbarImg.Decode(small));
        var big = Path.Combine(Terminal.Folder, $"kiosk-qr-{what}.png");
        await kiosk.Locator("#qr").ScreenshotAsync(new() { Path = big });
        var payload = ZbarImg.Decode(big);
        Assert.Equal((await Terminal.PaymentAsync(id)).GetProperty("qr").GetProperty("payload").GetString(), payload);
        await kiosk.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"relative-kiosk-{what}.png") });
        return (id, link, payload);
    }

    private async Task<IPage> OpenPhoneAsync(string link)
    {
        var phone = await Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });
        Watch(phone);
        await phone.GotoAsync(link);
        return phone;
    }

    private async Task<string> DecodeAsync(IPage phone, string name)
    {
        var shot = Path.Combine(Terminal.Folder, name + ".png");
        await phone.Locator("#qr").ScreenshotAsync(new() { Path = shot });
        return ZbarImg.Decode(shot);
    }

    private async Task<JsonElement> PayLinkJsonAsync(string link)
    {
        var uri = new Uri(link);
        using var http = new HttpClient();
        return await http.GetFromJsonAsync<JsonElement>(new Uri(Province.BaseUrl, "/api/v1/pay-links/" + uri.AbsolutePath.Split('/')[^1] + uri.Query));
    }

    private static async Task<string[]> AxeAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = Axe });
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
}

/// <summary>
/// Issue 24 offline: a VietQR payment taken while the province is unreachable has its link at once (the key is the
/// terminal's own), but the kiosk is told it is not reachable yet; once the province is back and holds the entry, the
/// same link opens the same payload.
/// </summary>
public sealed class RelativePayLinkOfflineTests
{
    [Fact]
    public async Task An_offline_payments_link_is_known_at_once_offered_once_the_province_holds_it_and_then_opens_the_same_QR()
    {
        var province = await ProvinceHost.StartAsync();
        var (folder, port) = (province.Folder, province.BaseUrl.Port);
        await using var terminal = await TerminalHost.StartAsync(province);
        await province.StopAsync();

        using var created = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = Guid.NewGuid().ToString(), method = "vietqr", payerCode = "HS240001", bills = new[] { new { billId = "HP-2611-HS240001" } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var payment = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        var offline = await terminal.Http.GetFromJsonAsync<JsonElement>(terminal.PaymentUrl(id, "/pay-link"));
        Assert.False(offline.GetProperty("reachable").GetBoolean()); // the kiosk does not offer a link that opens nothing yet
        var link = offline.GetProperty("url").GetString()!;
        Assert.EndsWith("?k=" + await terminal.App.Services.GetRequiredService<PaymentStore>().PayLinkKeyAsync(id), link, StringComparison.Ordinal);

        await using var back = await ProvinceHost.StartAsync(folder, port);
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(30));
        var online = await terminal.Http.GetFromJsonAsync<JsonElement>(terminal.PaymentUrl(id, "/pay-link"));
        Assert.Equal((link, true), (online.GetProperty("url").GetString(), online.GetProperty("reachable").GetBoolean()));
        var uri = new Uri(link);
        using var http = new HttpClient();
        var page = await http.GetFromJsonAsync<JsonElement>(new Uri(back.BaseUrl, "/api/v1/pay-links/" + uri.AbsolutePath.Split('/')[^1] + uri.Query));
        Assert.Equal(("open", payment.GetProperty("qr").GetProperty("payload").GetString()), (page.GetProperty("state").GetString(), page.GetProperty("payload").GetString()));
    }
}
