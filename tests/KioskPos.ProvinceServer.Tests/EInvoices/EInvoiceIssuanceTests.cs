using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;
using KioskPos.ProvinceServer.EInvoices;
using KioskPos.Tests.Shared;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// Every completed payment ends in the institution's legal e-document through its provider (issue 22): through a
/// local Viettel S-Invoice and a local SePay speaking their documented APIs, issued exactly once however often the
/// provider fails, refused documents kept with the provider's reason, a void's decreasing adjustment, and the
/// document on the receipt's lookup page under the key the receipt prints.
/// </summary>
public sealed class EInvoiceIssuanceTests
{
    [Fact]
    public async Task A_card_payment_ends_in_an_invoice_issued_through_Viettel_S_Invoice_shown_under_the_receipts_lookup_key()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));

        var (invoiceNo, reservation, body) = Assert.Single(viettel.Invoices.Values);
        Assert.Equal(EDocument.KeyOf(id), (string?)body["generalInvoiceInfo"]!["transactionUuid"]);
        Assert.Equal("1", (string?)body["generalInvoiceInfo"]!["adjustmentType"]);
        Assert.Equal("HS240001", (string?)body["buyerInfo"]!["buyerCode"]);
        Assert.False(string.IsNullOrEmpty((string?)body["buyerInfo"]!["buyerName"]));
        Assert.Equal(ViettelSInvoiceSimulator.User, (string?)body["sellerInfo"]!["sellerTaxCode"]);
        var item = Assert.Single(body["itemInfo"]!.AsArray())!;
        Assert.Equal(150_000, (long)item["itemTotalAmountWithoutTax"]!);
        Assert.Equal(150_000, (long)body["summarizeInfo"]!["totalAmountWithTax"]!);
        Assert.Equal(VietnameseWords.Dong(150_000), (string?)body["summarizeInfo"]!["totalAmountWithTaxInWords"]);
        Assert.Equal("KHAC", (string?)body["payments"]![0]!["paymentMethodName"]);

        var issued = Assert.Single(await f.WorklistAsync("issued"));
        Assert.Equal((id, invoiceNo, reservation), (issued.GetProperty("paymentId").GetString(), issued.GetProperty("documentNumber").GetString(), issued.GetProperty("lookupCode").GetString()));

        // The payer types the key the receipt printed (upper case, in groups of four) on the lookup page's address.
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={key}");
        var document = Assert.Single(receipt.GetProperty("documents").EnumerateArray());
        Assert.Equal(("issued", invoiceNo, ViettelSInvoiceSimulator.Series, reservation), (document.GetProperty("state").GetString(), document.GetProperty("number").GetString(),
            document.GetProperty("series").GetString(), document.GetProperty("lookupCode").GetString()));
        Assert.Equal("Hóa đơn điện tử", document.GetProperty("kindName").GetString());

        // A second round issues nothing again.
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, viettel.CreateCalls);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_payer_types_the_printed_receipt_number_and_key_at_r_and_sees_the_issued_invoice()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var invoiceNo = Assert.Single(viettel.Invoices.Values).InvoiceNo;

        // The address the receipt prints: a page of its own (no sign-in), its texts from the catalogue.
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        using (var form = await anonymous.GetAsync("/r"))
        {
            Assert.Equal((HttpStatusCode.OK, "text/html"), (form.StatusCode, form.Content.Headers.ContentType!.MediaType));
            Assert.Contains("/js/receipt-lookup.js", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(f.Province.BaseUrl, "/r").ToString());
        await page.WaitForFunctionAsync("document.querySelector('button').textContent === 'Tra cứu'");
        Assert.Contains("Nhập số biên lai và mã tra cứu in trên biên lai.", await page.InnerTextAsync("main"), StringComparison.Ordinal);

        // A wrong key: the receipt's page says it found nothing, as for an unknown receipt.
        await page.FillAsync("input[name=receipt]", id);
        await page.FillAsync("input[name=key]", "0000-0000-0000");
        await page.ClickAsync("button");
        await page.WaitForSelectorAsync("#refused:not([hidden])");
        Assert.True(await page.IsHiddenAsync("#found"));

        // The key as printed (upper case, in groups of four) opens the receipt with its issued invoice.
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        await page.GotoAsync(new Uri(f.Province.BaseUrl, "/r").ToString());
        await page.WaitForFunctionAsync("document.querySelector('button').textContent === 'Tra cứu'");
        await page.FillAsync("input[name=receipt]", id);
        await page.FillAsync("input[name=key]", key);
        await page.ClickAsync("button");
        await page.WaitForSelectorAsync("#found:not([hidden])");
        Assert.EndsWith($"/r/{id}?h={key}", page.Url, StringComparison.Ordinal);
        var shown = await page.InnerTextAsync("#found");
        Assert.Contains("Hóa đơn điện tử", shown, StringComparison.Ordinal);
        Assert.Contains(invoiceNo, shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_card_payment_ends_in_a_receipt_issued_through_SePay_after_its_tracking_answered_pending()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        sepay.PendingFirst = true;
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        // The create is accepted, its tracking answers Pending: the document waits, then is found issued by its reference_code.
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal("waiting", Assert.Single(await f.WorklistAsync()).GetProperty("state").GetString());
        await f.RunForAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));

        var (number, body) = Assert.Single(sepay.Invoices.Values);
        Assert.Equal(1, sepay.CreateCalls);
        Assert.Equal(EDocument.KeyOf(id), (string?)body["reference_code"]);
        Assert.Equal(SePayEInvoiceSimulator.AccountId, (string?)body["provider_account_id"]);
        Assert.False((bool)body["is_draft"]!);
        Assert.Equal("HS240001", (string?)body["buyer"]!["code"]);
        Assert.Equal(150_000, (long)Assert.Single(body["items"]!.AsArray())!["unit_price"]!);
        Assert.Equal(-2, (int)body["items"]![0]!["tax_rate"]!);
        Assert.Contains(VietnameseWords.Dong(150_000), (string?)body["notes"], StringComparison.Ordinal);

        var issued = Assert.Single(await f.WorklistAsync("issued"));
        Assert.Equal((id, number), (issued.GetProperty("paymentId").GetString(), issued.GetProperty("documentNumber").GetString()));
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={f.Hashes[id][..12]}");
        var document = Assert.Single(receipt.GetProperty("documents").EnumerateArray());
        Assert.Equal(("issued", number, "Biên lai điện tử"), (document.GetProperty("state").GetString(), document.GetProperty("number").GetString(), document.GetProperty("kindName").GetString()));
    }

    [Theory]
    [InlineData("viettel-sinvoice")]
    [InlineData("sepay")]
    public async Task The_provider_down_for_an_hour_then_losing_an_answer_ends_with_every_document_issued_exactly_once(string provider)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(provider == "sepay" ? EInvoiceFixture.SePaySettings(sepay.BaseUrl) : EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        viettel.Down = sepay.Down = true;
        string[] ids = [await f.PayAsync("HP-2611-HS240001", 150_000), await f.PayAsync("BT-2611-HS240001", 300_000), await f.PayAsync("HP-2611-HS240002", 150_000, "HS240002", "04D4E5F6")];

        // An hour down, on the fake clock: every document waits, tried with a growing wait (1, 2, 4, 8, 16, 30 minutes), not every minute.
        await f.RunForAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));
        var waiting = await f.WorklistAsync("waiting");
        Assert.Equal(3, waiting.Length);
        Assert.All(waiting, w => Assert.InRange(w.GetProperty("attempts").GetInt64(), 5, 7));
        Assert.All(waiting, w => Assert.Contains("HTTP 500", w.GetProperty("reason").GetString(), StringComparison.Ordinal));

        // Back up, but the first invoice's answer is lost after the provider made it: the retry finds it, never makes a second.
        viettel.Down = sepay.Down = false;
        viettel.LoseNextAnswer = sepay.LoseNextAnswer = true;
        await f.RunForAsync(TimeSpan.FromMinutes(70), TimeSpan.FromMinutes(1));

        var issued = await f.WorklistAsync("issued");
        Assert.Equal(ids.Order(), issued.Select(i => i.GetProperty("paymentId").GetString()!).Order());
        var keys = provider == "sepay" ? sepay.Invoices.Keys : viettel.Invoices.Keys;
        Assert.Equal(ids.Select(EDocument.KeyOf).Order(), keys.Order());
        var numbers = issued.Select(i => i.GetProperty("documentNumber").GetString()).ToList();
        Assert.Equal(3, numbers.Distinct().Count());
        Assert.Empty(await f.WorklistAsync("waiting"));
    }

    [Fact]
    public async Task A_refused_document_is_in_the_worklist_with_the_providers_reason_and_issues_once_its_settings_are_put_right()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl, series: "C26TXX"));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        await f.RunForAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1));
        var refused = Assert.Single(await f.WorklistAsync("refused"));
        Assert.Equal(id, refused.GetProperty("paymentId").GetString());
        Assert.StartsWith("TEMPLATE_NOT_FOUND: Mẫu hóa đơn", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, refused.GetProperty("attempts").GetInt64()); // refused is final: not retried on its own
        Assert.Empty(viettel.Invoices);

        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        using (var retry = await f.Province.Admin.PostAsync($"/api/v1/admin/e-documents/retry?id={id}", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        }

        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        Assert.Single(viettel.Invoices);
        using var again = await f.Province.Admin.PostAsync($"/api/v1/admin/e-documents/retry?id={id}", null);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_void_issues_a_decreasing_adjustment_of_the_issued_invoice_and_the_day_view_nets_them()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var kept = await f.PayAsync("BT-2611-HS240001", 300_000);
        var voided = await f.PayAsync("HP-2611-HS240001", 150_000);
        Assert.Equal(2, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var original = viettel.Invoices[EDocument.KeyOf(voided)].InvoiceNo;

        await f.VoidAsync(voided, "HP-2611-HS240001", 150_000);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));

        Assert.Equal(3, viettel.Invoices.Count);
        var adjustment = viettel.Invoices.Values.Single(i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5").Body;
        var general = adjustment["generalInvoiceInfo"]!;
        Assert.Equal((original, ViettelSInvoiceSimulator.Template, "1"), ((string?)general["originalInvoiceId"], (string?)general["originalTemplateCode"], (string?)general["adjustmentInvoiceType"]));
        var line = Assert.Single(adjustment["itemInfo"]!.AsArray())!;
        Assert.False((bool)line["isIncreaseItem"]!);
        Assert.Equal(150_000, (long)line["itemTotalAmountWithoutTax"]!);

        var day = await f.Province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/e-documents/day?institution={EInvoiceFixture.School}&date=2026-11-23");
        Assert.Equal((3, 0, 0, 300_000L), (day.GetProperty("issued").GetInt32(), day.GetProperty("waiting").GetInt32(), day.GetProperty("refused").GetInt32(), day.GetProperty("issuedAmount").GetInt64()));
        Assert.Contains(day.GetProperty("documents").EnumerateArray(), d => d.GetProperty("paymentId").GetString() == kept);
    }

    [Fact]
    public async Task The_settings_read_back_say_credentials_are_set_never_what_they_are_and_a_plain_http_provider_elsewhere_is_refused()
    {
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(new Uri("http://127.0.0.1:9/")));
        using (var read = await f.Province.Admin.GetAsync($"/api/v1/admin/institutions/{EInvoiceFixture.School}/e-documents"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            var body = await read.Content.ReadAsStringAsync();
            Assert.DoesNotContain(SePayEInvoiceSimulator.ClientSecret, body, StringComparison.Ordinal);
            Assert.DoesNotContain(SePayEInvoiceSimulator.ClientId, body, StringComparison.Ordinal);
            Assert.DoesNotContain(SePayEInvoiceSimulator.AccountId, body, StringComparison.Ordinal);
            var settings = JsonDocument.Parse(body).RootElement;
            Assert.Equal((true, true, "sepay"), (settings.GetProperty("credentialsSet").GetBoolean(), settings.GetProperty("accountIdSet").GetBoolean(), settings.GetProperty("provider").GetString()));
        }

        using var plain = await f.Province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{EInvoiceFixture.School}/e-documents", EInvoiceFixture.SePaySettings(new Uri("http://sinvoice.example/")));
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Contains("baseUrl must be https", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payment_voided_before_its_document_was_issued_needs_none()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        await f.VoidAsync(id, "HP-2611-HS240001", 150_000);
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl)); // settings arrive after the void

        await f.RunForAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));
        Assert.Empty(viettel.Invoices);
        Assert.Equal(2, (await f.WorklistAsync("withdrawn")).Length);
    }
}
