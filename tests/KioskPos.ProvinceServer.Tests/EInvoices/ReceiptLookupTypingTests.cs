using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// <c>/r</c> takes the receipt number and lookup key as a person types them from the paper: the key with the spaces
/// between its groups (or dashes, or none), in either case, the number in lower case; the key still has to be the
/// receipt's 12 digits. The found page names each e-document once ("Hóa đơn/biên lai điện tử" is not its own label).
/// </summary>
public sealed class ReceiptLookupTypingTests
{
    [Fact]
    public async Task A_lookup_key_typed_with_spaces_and_a_lower_case_receipt_number_find_the_receipt_and_a_wrong_key_still_does_not()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var token = f.Hashes[id][..12];
        var spaced = ReceiptLookupKey.Format(token).Replace('-', ' ');
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };

        foreach (var (receipt, key) in new[] { (id, spaced), (id.ToLowerInvariant(), ReceiptLookupKey.Format(token)), (id.ToLowerInvariant(), spaced.ToLowerInvariant()), (id, token.ToUpperInvariant()) })
        {
            using var found = await anonymous.GetAsync($"/api/v1/receipts/{Uri.EscapeDataString(receipt)}?h={Uri.EscapeDataString(key)}");
            Assert.True(found.StatusCode == HttpStatusCode.OK, $"{receipt} {key}: {found.StatusCode}");
            Assert.Equal(id, (await found.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paymentId").GetString());
            using var page = await anonymous.GetAsync($"/r/{Uri.EscapeDataString(receipt)}?h={Uri.EscapeDataString(key)}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        // What the key protects stays: another receipt's digits find nothing, too few digits are no key.
        var wrong = (token[0] == '0' ? "1" : "0") + token[1..];
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/v1/receipts/{id}?h={Uri.EscapeDataString(ReceiptLookupKey.Format(wrong).Replace('-', ' '))}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync($"/api/v1/receipts/{id}?h={Uri.EscapeDataString(spaced[..^1])}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync($"/api/v1/receipts/{id}?h={Uri.EscapeDataString(spaced + " 00")}")).StatusCode);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_payer_types_the_key_with_spaces_and_the_number_in_lower_case_and_sees_each_document_named_once()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var spaced = ReceiptLookupKey.Format(f.Hashes[id][..12]).Replace('-', ' ');

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        // Too few digits: the form says what the key is, and stays (no "scan the QR again" page).
        await page.GotoAsync(new Uri(f.Province.BaseUrl, "/r").ToString());
        await page.WaitForFunctionAsync("document.querySelector('button').textContent.length > 0");
        await page.FillAsync("input[name=receipt]", id);
        await page.FillAsync("input[name=key]", spaced[..^2]);
        await page.ClickAsync("button");
        await page.WaitForSelectorAsync("#lookupmsg:not([hidden])");
        Assert.Equal(Messages.Vi("province.lookup.badKey"), await page.InnerTextAsync("#lookupmsg"));
        Assert.EndsWith("/r", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        // As typed from the paper: the number in lower case with a stray space, the key's groups apart.
        await page.FillAsync("input[name=receipt]", " " + id.ToLowerInvariant() + " ");
        await page.FillAsync("input[name=key]", spaced.ToLowerInvariant());
        await page.ClickAsync("button");
        await page.WaitForSelectorAsync("#found:not([hidden])");
        Assert.EndsWith($"/r/{id}?h={spaced.Replace(' ', '-')}", page.Url, StringComparison.Ordinal); // the page's address as the receipt prints them
        Assert.Contains(id, await page.InnerTextAsync("#found"), StringComparison.Ordinal);

        // The document's row is labelled with what it is, once; not "Hóa đơn/biên lai điện tử: …".
        var receipt = await f.Province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={spaced.Replace(' ', '-')}");
        var kindName = Assert.Single(receipt.GetProperty("documents").EnumerateArray()).GetProperty("kindName").GetString()!;
        var labels = await page.Locator("#found th").AllInnerTextsAsync();
        Assert.Contains(kindName, labels);
        Assert.DoesNotContain(labels, l => l.Contains(": ", StringComparison.Ordinal) && l.Contains(kindName, StringComparison.Ordinal));
        Assert.Empty(errors);
    }
}
