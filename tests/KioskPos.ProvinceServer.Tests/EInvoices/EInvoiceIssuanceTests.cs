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
        await page.WaitForFunctionAsync("document.querySelector('button').textContent === 'Tra cứu / Look up'");
        Assert.Contains("Nhập số biên lai và mã tra cứu in trên biên lai.", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await Browser.ShotAsync(page, "province-receipt-lookup");

        // A wrong key: the receipt's page says it found nothing, as for an unknown receipt.
        await page.FillAsync("input[name=receipt]", id);
        await page.FillAsync("input[name=key]", "0000-0000-0000");
        await page.ClickAsync("button");
        await page.WaitForSelectorAsync("#refused:not([hidden])");
        Assert.True(await page.IsHiddenAsync("#found"));
        await Browser.ShotAsync(page, "province-receipt-refused");

        // The key as printed (upper case, in groups of four) opens the receipt with its issued invoice.
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        await page.GotoAsync(new Uri(f.Province.BaseUrl, "/r").ToString());
        await page.WaitForFunctionAsync("document.querySelector('button').textContent === 'Tra cứu / Look up'");
        await page.FillAsync("input[name=receipt]", id);
        await page.FillAsync("input[name=key]", key);
        await page.ClickAsync("button");
        await page.WaitForSelectorAsync("#found:not([hidden])");
        Assert.EndsWith($"/r/{id}?h={key}", page.Url, StringComparison.Ordinal);
        var shown = await page.InnerTextAsync("#found");
        Assert.Contains("Hóa đơn điện tử", shown, StringComparison.Ordinal);
        Assert.Contains(invoiceNo, shown, StringComparison.Ordinal);
        await Browser.ShotAsync(page, "province-receipt-invoice", fullPage: true);
    }

    [Fact]
    public async Task A_card_payment_ends_in_a_receipt_issued_through_SePay_after_its_tracking_answered_pending()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        (sepay.Clock, sepay.JobTime) = (f.Clock, TimeSpan.FromSeconds(5));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        // The create is accepted, its tracking answers Pending: the document waits, then its job is polled and found done.
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal("waiting", Assert.Single(await f.WorklistAsync()).GetProperty("state").GetString());
        await f.RunForAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1));

        var (number, body) = Assert.Single(sepay.Invoices.Values);
        Assert.Equal(1, sepay.CreateCalls);
        Assert.Equal(EDocument.KeyOf(id), (string?)body["reference_code"]);
        Assert.Equal(SePayEInvoiceSimulator.AccountId, (string?)body["provider_account_id"]);
        Assert.False((bool)body["is_draft"]!);
        // SePay's buyer carries the pupil code as buyer_code (a field of another name is not SePay's, and is lost).
        Assert.Equal(("personal", "HS240001"), ((string?)body["buyer"]!["type"], (string?)body["buyer"]!["buyer_code"]));
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

    [Fact]
    public async Task Through_SePay_a_payment_of_two_bills_is_issued_with_a_line_each_and_its_voids_adjustment_is_refused_unsent()
    {
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.SePaySettings(sepay.BaseUrl));
        var id = await f.PayBillsAsync([new("HP-2611-HS240001", 150_000), new("BT-2611-HS240001", 600_000)]);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var items = Assert.Single(sepay.Invoices.Values).Body["items"]!.AsArray();
        Assert.Equal(new (string?, long)[] { ("Bán trú tháng 11/2026", 600_000L), ("Học phí tháng 11/2026", 150_000L) },
            items.Select(i => ((string?)i!["item_name"], (long)i["unit_price"]!)));

        // The adjustment carries the bills (the issuer builds it as for Viettel), but this adapter does not send SePay an
        // adjusting invoice: it is refused with the reason, and SePay gets no second create.
        await f.ReverseAsync(KioskPos.Shared.Contracts.EntryKinds.PaymentVoided, id, new("HP-2611-HS240001", 150_000), new("BT-2611-HS240001", 600_000));
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var refused = Assert.Single(await f.WorklistAsync("refused"));
        Assert.Equal("adjustment", refused.GetProperty("purpose").GetString());
        Assert.StartsWith("This adapter does not send SePay adjusting invoices yet", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, sepay.CreateCalls);
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

    [Theory]
    [InlineData("viettel-sinvoice")]
    [InlineData("sepay")]
    public async Task A_company_payer_gives_its_tax_code_at_r_before_issue_and_the_provider_receives_it_as_the_buyers(string provider)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(provider == "sepay" ? EInvoiceFixture.SePaySettings(sepay.BaseUrl) : EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        Task<HttpResponseMessage> GiveAsync(object body, string? h = null) => anonymous.PostAsJsonAsync($"/api/v1/receipts/{id}/buyer?h={h ?? key}", body);

        // The key printed on the receipt is what lets a payer put a company on the document: a wrong one finds nothing.
        using (var wrong = await GiveAsync(new { taxCode = "0312345678", name = "Công ty TNHH Minh Anh" }, "0000-0000-0000"))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        }

        using (var given = await GiveAsync(new { taxCode = "0312345678-001", name = " Công ty TNHH Minh Anh - Chi nhánh Mỹ Tho " }))
        {
            Assert.Equal(HttpStatusCode.NoContent, given.StatusCode);
        }

        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={key}");
        Assert.Equal("0312345678-001", Assert.Single(receipt.GetProperty("documents").EnumerateArray()).GetProperty("buyerTaxCode").GetString());

        await f.RunForAsync(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));
        if (provider == "sepay")
        {
            // SePay's documented company buyer: type company, its registered name as legal_name, the pupil code as buyer_code.
            var buyer = Assert.Single(sepay.Invoices.Values).Body["buyer"]!;
            Assert.Equal(("0312345678-001", "Công ty TNHH Minh Anh - Chi nhánh Mỹ Tho", "HS240001"), ((string?)buyer["tax_code"], (string?)buyer["name"], (string?)buyer["buyer_code"]));
            Assert.Equal(("company", "Công ty TNHH Minh Anh - Chi nhánh Mỹ Tho"), ((string?)buyer["type"], (string?)buyer["legal_name"]));
        }
        else
        {
            var buyer = Assert.Single(viettel.Invoices.Values).Body["buyerInfo"]!;
            Assert.Equal(("0312345678-001", "Công ty TNHH Minh Anh - Chi nhánh Mỹ Tho", "HS240001"), ((string?)buyer["buyerTaxCode"], (string?)buyer["buyerLegalName"], (string?)buyer["buyerCode"]));
        }

        var issued = Assert.Single(await f.WorklistAsync("issued"));
        Assert.Equal("0312345678-001", issued.GetProperty("buyerTaxCode").GetString());

        // Once issued, the document is the legal one: changing its buyer takes a replacing document from the institution.
        using var late = await GiveAsync(new { taxCode = "0398765432", name = "Công ty khác" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("edocument_already_issued", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A refund's adjustment carries the same buyer (Viettel; the SePay adapter sends no adjustment).
        if (provider == "viettel-sinvoice")
        {
            await f.RefundAsync(id, "HP-2611-HS240001", 50_000);
            Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
            var adjustment = viettel.Invoices.Values.Single(i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5");
            Assert.Equal("0312345678-001", (string?)adjustment.Body["buyerInfo"]!["buyerTaxCode"]);
        }
    }

    [Theory]
    [InlineData("viettel-sinvoice")]
    [InlineData("sepay")]
    public async Task A_person_gives_a_12_digit_personal_identification_number_as_the_buyers_tax_code_and_the_provider_receives_it(string provider)
    {
        // Circular 86/2024/TT-BTC: an individual's tax code is their 12-digit personal identification number.
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(provider == "sepay" ? EInvoiceFixture.SePaySettings(sepay.BaseUrl) : EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };

        using (var given = await anonymous.PostAsJsonAsync($"/api/v1/receipts/{id}/buyer?h={key}", new { taxCode = "079203001234", name = "Nguyễn Thị Minh Anh" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, given.StatusCode);
        }

        // The public receipt page shows the last four digits of a person's number only; the office's worklist shows it whole.
        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={key}");
        Assert.Equal("••••••••1234", Assert.Single(receipt.GetProperty("documents").EnumerateArray()).GetProperty("buyerTaxCode").GetString());

        await f.RunForAsync(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));
        if (provider == "sepay")
        {
            // SePay has a field for it: national_id, a person's citizen-ID number; tax_code is an organisation's 10 or 10-3 digits.
            var buyer = Assert.Single(sepay.Invoices.Values).Body["buyer"]!;
            Assert.Equal(("personal", "079203001234", null, "HS240001"), ((string?)buyer["type"], (string?)buyer["national_id"], (string?)buyer["tax_code"], (string?)buyer["buyer_code"]));
        }
        else
        {
            Assert.Equal("079203001234", (string?)Assert.Single(viettel.Invoices.Values).Body["buyerInfo"]!["buyerTaxCode"]);
        }

        Assert.Equal("079203001234", Assert.Single(await f.WorklistAsync("issued")).GetProperty("buyerTaxCode").GetString());
    }

    [Fact]
    public void A_sellers_tax_code_stays_an_organisations_10_or_10_3_digits_and_a_buyers_may_also_be_a_persons_12()
    {
        Assert.True(EDocumentApi.IsBuyerTaxCode("079203001234"));
        Assert.False(EDocumentApi.IsTaxCode("079203001234"));
        Assert.Equal("sellerTaxCode is 10 digits, or 10 digits '-' 3 digits for a branch",
            EDocumentApi.Validate(new EDocumentSettingsRequest("invoice", "viettel-sinvoice", "https://sinvoice.example/", "1/001", "C26TNC", "079203001234", "Trường", "u", "p", null), null));
    }

    [Theory]
    [InlineData("viettel-sinvoice")]
    [InlineData("sepay")]
    public async Task A_company_payers_address_given_with_its_tax_code_reaches_the_providers_buyer_address_and_is_shown_beside_it(string provider)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(provider == "sepay" ? EInvoiceFixture.SePaySettings(sepay.BaseUrl) : EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        const string Address = "12 Nguyễn Huệ, Phường Mỹ Tho, Đồng Tháp";

        using (var given = await anonymous.PostAsJsonAsync($"/api/v1/receipts/{id}/buyer?h={key}", new { taxCode = "0312345678", name = "Công ty TNHH Minh Anh", address = "  " + Address + " " }))
        {
            Assert.Equal(HttpStatusCode.NoContent, given.StatusCode);
        }

        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={key}");
        Assert.Equal(Address, Assert.Single(receipt.GetProperty("documents").EnumerateArray()).GetProperty("buyerAddress").GetString());

        await f.RunForAsync(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));
        Assert.Equal(Address, provider == "sepay"
            ? (string?)Assert.Single(sepay.Invoices.Values).Body["buyer"]!["address"]
            : (string?)Assert.Single(viettel.Invoices.Values).Body["buyerInfo"]!["buyerAddressLine"]);
        Assert.Equal(Address, Assert.Single(await f.WorklistAsync("issued")).GetProperty("buyerAddress").GetString());

        if (provider == "viettel-sinvoice")
        {
            // The refund's adjustment names the same buyer, address included.
            await f.RefundAsync(id, "HP-2611-HS240001", 50_000);
            Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
            var adjustment = viettel.Invoices.Values.Single(i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5");
            Assert.Equal(Address, (string?)adjustment.Body["buyerInfo"]!["buyerAddressLine"]);
        }
    }

    [Fact]
    public void A_buyers_address_is_one_line_of_at_most_255_characters_trimmed_and_none_when_blank()
    {
        Assert.Null(EDocumentApi.ValidateBuyer(new ReceiptBuyerRequest("0312345678", "Công ty A", new string('x', 255))));
        Assert.StartsWith("address ", EDocumentApi.ValidateBuyer(new ReceiptBuyerRequest("0312345678", "Công ty A", new string('x', 256))), StringComparison.Ordinal);
        Assert.StartsWith("address ", EDocumentApi.ValidateBuyer(new ReceiptBuyerRequest("0312345678", "Công ty A", "12 Nguyễn Huệ\tMỹ Tho")), StringComparison.Ordinal);
        Assert.Equal(("12 Nguyễn Huệ", (string?)null, (string?)null), (EDocumentApi.BuyerAddress(" 12 Nguyễn Huệ "), EDocumentApi.BuyerAddress("   "), EDocumentApi.BuyerAddress(null)));
    }

    [Fact]
    public async Task A_persons_address_is_sent_to_the_provider_and_kept_for_the_office_but_not_shown_on_the_public_receipt_page()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        using (var given = await anonymous.PostAsJsonAsync($"/api/v1/receipts/{id}/buyer?h={key}", new { taxCode = "079203001234", name = "Nguyễn Thị Minh Anh", address = "5 Lê Lợi, Phường Mỹ Tho" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, given.StatusCode);
        }

        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={key}");
        Assert.False(Assert.Single(receipt.GetProperty("documents").EnumerateArray()).TryGetProperty("buyerAddress", out _));
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal("5 Lê Lợi, Phường Mỹ Tho", (string?)Assert.Single(viettel.Invoices.Values).Body["buyerInfo"]!["buyerAddressLine"]);
        Assert.Equal("5 Lê Lợi, Phường Mỹ Tho", Assert.Single(await f.WorklistAsync("issued")).GetProperty("buyerAddress").GetString());
    }

    [Fact]
    public async Task A_company_arriving_after_an_attempt_may_have_reached_the_provider_is_refused_and_the_document_issues_as_first_sent()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);

        // The provider makes the invoice but its answer is lost: the document waits, and the provider holds it already.
        viettel.LoseNextAnswer = true;
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        using var late = await anonymous.PostAsJsonAsync($"/api/v1/receipts/{id}/buyer?h={f.Hashes[id][..12]}", new { taxCode = "0312345678", name = "Công ty TNHH Minh Anh" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("edocument_in_progress", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // The retry finds the invoice as it was made, and the worklist says no company is on it.
        await f.RunForAsync(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));
        Assert.Null((string?)Assert.Single(viettel.Invoices.Values).Body["buyerInfo"]!["buyerTaxCode"]);
        Assert.False(Assert.Single(await f.WorklistAsync("issued")).TryGetProperty("buyerTaxCode", out _));
    }

    [Theory]
    [InlineData("""{"taxCode":"031234567","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"03123456789","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"0312345678901","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"079203001234-001","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"0792030012３4","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"0312345678-01","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"0312345678_001","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"03123456７8","name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":123,"name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"name":"Công ty A"}""", "taxCode")]
    [InlineData("""{"taxCode":"0312345678"}""", "name")]
    [InlineData("""{"taxCode":"0312345678","name":"   "}""", "name")]
    [InlineData("""{"taxCode":"0312345678","name":"Công ty\u0000A"}""", "name")]
    [InlineData("""{"taxCode":"0312345678","name":"Công ty A","address":"12 Nguyễn Huệ\nMỹ Tho"}""", "address")]
    [InlineData("""{"taxCode":"0312345678","name":"Công ty A","address":123}""", "address")]
    [InlineData("""[1]""", null)]
    public async Task A_malformed_company_tax_code_or_name_is_refused_with_a_400_naming_the_field_and_nothing_is_recorded(string body, string? field)
    {
        await using var f = await EInvoiceFixture.StartAsync();
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };

        using var response = await anonymous.PostAsync($"/api/v1/receipts/{id}/buyer?h={key}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_buyer", problem.GetProperty("code").GetString());
        if (field is not null)
        {
            Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={key}");
        Assert.False(Assert.Single(receipt.GetProperty("documents").EnumerateArray()).TryGetProperty("buyerTaxCode", out _));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_office_sees_the_days_documents_issued_waiting_and_refused_with_the_providers_reason_in_vietnamese()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));

        // One issued, then refunded in part (its adjustment waits); one waiting while the provider is down; one refused
        // (a series the provider does not know), all on 23/11/2026.
        var issued = await f.PayAsync("HP-2611-HS240001", 150_000);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var number = Assert.Single(viettel.Invoices.Values).InvoiceNo;
        viettel.Down = true;
        var waiting = await f.PayAsync("BT-2611-HS240001", 300_000);
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));
        viettel.Down = false;
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl, series: "C26TXX"));
        var refused = await f.PayAsync("HP-2611-HS240002", 150_000, "HS240002", "04D4E5F6");
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None)); // the waiting one is not due yet: only the new one is tried
        await f.RefundAsync(issued, "HP-2611-HS240001", 50_000);
        Assert.Equal(["issued", "refused", "waiting", "waiting"], (await f.WorklistAsync()).Select(d => d.GetProperty("state").GetString()!).Order());

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(f.Province.BaseUrl, $"/e-documents?institution={EInvoiceFixture.School}&date=2026-11-23").ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "QuanTri@2026");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#documents tbody tr");

        Assert.Equal("Hóa đơn, biên lai điện tử trong ngày", await page.InnerTextAsync("h1 > span"));
        Assert.Equal("Trường THCS Nguyễn Du (TG-THCS-NGUYENDU), ngày 23/11/2026: 1 đã phát hành, 2 đang chờ, 1 bị từ chối; giá trị đã phát hành 150.000 ₫. / " +
            "Trường THCS Nguyễn Du (TG-THCS-NGUYENDU), 23/11/2026: 1 issued, 2 waiting, 1 refused; value issued 150.000 ₫.",
            await page.InnerTextAsync("#summary"));
        Assert.Equal(4, await page.Locator("#documents tbody tr").CountAsync());
        await Browser.ShotAsync(page, "province-e-documents", fullPage: true);
        async Task<IReadOnlyList<string>> CellsAsync(string payment, string purpose) =>
            await page.Locator("#documents tbody tr", new() { HasText = payment }).Filter(new() { HasText = purpose }).Locator("td").AllInnerTextsAsync();

        var original = await CellsAsync(issued, "Chứng từ gốc");
        Assert.Equal(("150.000 ₫", "Đã phát hành / Issued", $"{ViettelSInvoiceSimulator.Template} {ViettelSInvoiceSimulator.Series} {number}"), (original[2], original[3], original[4]));
        var adjustment = await CellsAsync(issued, "Điều chỉnh giảm");
        Assert.Equal(($"Điều chỉnh giảm — Điều chỉnh cho hóa đơn số {number} / Decreasing adjustment — Adjusts document no. {number}", "50.000 ₫", "Đang chờ phát hành / Waiting to be issued"),
            (adjustment[1], adjustment[2], adjustment[3]));
        var down = await CellsAsync(waiting, "Chứng từ gốc");
        Assert.Equal(("Đang chờ phát hành / Waiting to be issued", "1"), (down[3], down[6]));
        Assert.Matches(@"^Nhà cung cấp chưa phát hành, sẽ gửi lại lúc 23/11/2026 10:01:00 / Not issued by the provider yet; tried again at 23/11/2026 10:01:00 \(HTTP 500", down[7]);
        var no = await CellsAsync(refused, "Chứng từ gốc");
        Assert.Equal(("Bị từ chối / Refused", "-", "TEMPLATE_NOT_FOUND: Mẫu hóa đơn hoặc ký hiệu không tồn tại."), (no[3], no[4], no[7]));
        Assert.Equal("bad", await page.Locator("#documents tbody tr", new() { HasText = refused }).Locator("td").Nth(3).GetAttributeAsync("class"));

        // No machine word where a person reads (a cell is never the API's state or purpose), and no Vietnamese without
        // its English but the data (names, the provider's own words).
        var cells = await page.Locator("#documents td").AllInnerTextsAsync();
        foreach (var word in new[] { "waiting", "issued", "refused", "withdrawn", "original", "adjustment" })
        {
            Assert.DoesNotContain(cells, c => c.Trim() == word || c.StartsWith(word + " ", StringComparison.Ordinal));
        }

        Wording.AssertNone(await Wording.VietnameseOnlyAsync(page), "the e-documents page shows Vietnamese without English");
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_a_company_payer_asks_for_a_company_invoice_at_r_and_the_provider_receives_its_tax_code()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync();
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        var key = ReceiptLookupKey.Format(f.Hashes[id][..12]);

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(f.Province.BaseUrl, $"/r/{id}?h={key}").ToString());
        await page.WaitForSelectorAsync("#company:not([hidden])");
        Assert.StartsWith("Lấy hóa đơn công ty / ", await page.InnerTextAsync("#company h2"), StringComparison.Ordinal);
        await Browser.ShotAsync(page, "province-receipt-company", fullPage: true);

        // The browser keeps a tax code of the wrong form from being sent at all; the server refuses it too (tested above).
        await page.FillAsync("input[name=taxCode]", "03123");
        await page.FillAsync("input[name=name]", "Công ty TNHH Minh Anh");
        Assert.False(await page.EvalOnSelectorAsync<bool>("#company", "f => f.checkValidity()"));

        await page.FillAsync("input[name=taxCode]", "0312345678");
        await page.ClickAsync("#company button");
        await page.WaitForFunctionAsync("document.querySelector('#company output').textContent !== ''");
        Assert.Equal("Đã ghi: hóa đơn sẽ mang mã số thuế 0312345678.", await page.InnerTextAsync("#company output"));

        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var buyer = Assert.Single(viettel.Invoices.Values).Body["buyerInfo"]!;
        Assert.Equal(("0312345678", "Công ty TNHH Minh Anh"), ((string?)buyer["buyerTaxCode"], (string?)buyer["buyerLegalName"]));

        // Issued: the page shows the invoice with the company's tax code, and no longer offers the form.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#found:not([hidden])");
        Assert.Contains("0312345678", await page.InnerTextAsync("#found"), StringComparison.Ordinal);
        Assert.True(await page.IsHiddenAsync("#company"));
    }
}
