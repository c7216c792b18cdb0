using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.Receipts;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.EInvoices;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// The e-document outbox on both engines (issue 22): every completed payment issued exactly once through a provider
/// that is down for an hour and then loses an answer, and a void or a refund pushed by the terminal issues its
/// decreasing adjustment once, linked in the worklist to the document it adjusts.
/// </summary>
public abstract class EInvoiceOutboxTests(ProvinceEngine engine)
{
    [Theory]
    [InlineData("viettel-sinvoice")]
    [InlineData("sepay")]
    public async Task The_provider_down_for_an_hour_then_losing_an_answer_ends_with_every_document_issued_exactly_once(string provider)
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var sepay = await SePayEInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync(engine);
        await f.ConfigureAsync(provider == "sepay" ? EInvoiceFixture.SePaySettings(sepay.BaseUrl) : EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        viettel.Down = sepay.Down = true;
        string[] ids = [await f.PayAsync("HP-2611-HS240001", 150_000), await f.PayAsync("BT-2611-HS240001", 300_000), await f.PayAsync("HP-2611-HS240002", 150_000, "HS240002", "04D4E5F6")];

        // An hour down, on the fake clock: every document waits, tried with a growing wait (1, 2, 4, 8, 16, 30 minutes), not every minute.
        await f.RunForAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));
        var waiting = await f.WorklistAsync("waiting");
        Assert.Equal(3, waiting.Length);
        Assert.All(waiting, w => Assert.InRange(w.GetProperty("attempts").GetInt64(), 5, 7));
        Assert.All(waiting, w => Assert.Contains("HTTP 500", w.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.Empty(provider == "sepay" ? sepay.Invoices.Keys : viettel.Invoices.Keys);

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

        // Another hour of rounds issues nothing more.
        var calls = provider == "sepay" ? sepay.CreateCalls : viettel.CreateCalls;
        await f.RunForAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));
        Assert.Equal(calls, provider == "sepay" ? sepay.CreateCalls : viettel.CreateCalls);
    }

    [Fact]
    public async Task A_refund_pushed_twice_by_the_terminal_issues_one_decreasing_adjustment_linked_to_the_issued_invoice_even_when_its_answer_is_lost()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync(engine);
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayAsync("HP-2611-HS240001", 150_000);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var original = viettel.Invoices[EDocument.KeyOf(id)].InvoiceNo;

        // The terminal refunds 50.000 đ of it, and pushes the refund again (as it does when its push's answer was lost):
        // one reversal, so one adjustment owed, already naming the invoice it will adjust.
        await f.RefundAsync(id, "HP-2611-HS240001", 50_000);
        await f.PushLastAgainAsync();
        var owed = Assert.Single(await f.WorklistAsync("waiting"));
        Assert.Equal(("adjustment", id, 50_000L, id, original), (owed.GetProperty("purpose").GetString(), owed.GetProperty("paymentId").GetString(),
            owed.GetProperty("amount").GetInt64(), owed.GetProperty("adjusts").GetString(), owed.GetProperty("adjustsNumber").GetString()));

        // The provider makes the adjustment but its answer is lost; the next attempt finds it by its transactionUuid.
        viettel.LoseNextAnswer = true;
        await f.RunForAsync(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1));

        Assert.Equal(2, viettel.CreateCalls); // the invoice and its adjustment, each created once
        var (number, _, body) = Assert.Single(viettel.Invoices.Values, i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5");
        var general = body["generalInvoiceInfo"]!;
        Assert.Equal((original, ViettelSInvoiceSimulator.Template, "1"), ((string?)general["originalInvoiceId"], (string?)general["originalTemplateCode"], (string?)general["adjustmentInvoiceType"]));
        var line = Assert.Single(body["itemInfo"]!.AsArray())!;
        Assert.False((bool)line["isIncreaseItem"]!);
        Assert.Equal(50_000, (long)line["itemTotalAmountWithoutTax"]!);
        Assert.Equal("Học phí tháng 11/2026", (string?)line["itemName"]); // the bill refunded, titled as the original titled it

        // The worklist links the issued adjustment to the invoice it adjusts; nothing is left waiting.
        var issued = await f.WorklistAsync("issued");
        var adjustment = Assert.Single(issued, d => d.GetProperty("purpose").GetString() == "adjustment");
        Assert.Equal((number, id, original), (adjustment.GetProperty("documentNumber").GetString(), adjustment.GetProperty("adjusts").GetString(), adjustment.GetProperty("adjustsNumber").GetString()));
        Assert.False(Assert.Single(issued, d => d.GetProperty("purpose").GetString() == "original").TryGetProperty("adjusts", out _));
        Assert.Empty(await f.WorklistAsync("waiting"));

        // The payer's receipt page shows the invoice and its adjustment.
        using var anonymous = new HttpClient { BaseAddress = f.Province.BaseUrl };
        var receipt = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/receipts/{id}?h={ReceiptLookupKey.Format(f.Hashes[id][..12])}");
        Assert.Equal([original, number], receipt.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("number").GetString()));

        // More rounds issue nothing more.
        await f.RunForAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));
        Assert.Equal(2, viettel.CreateCalls);
    }

    [Fact]
    public async Task A_card_payment_and_its_void_at_a_real_terminal_end_in_an_invoice_and_its_adjustment_each_issued_once()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--EDocuments:Worker=false"]);
        await using var terminal = await TerminalHost.StartAsync(province);
        using (var configured = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{EInvoiceFixture.School}/e-documents", EInvoiceFixture.ViettelSettings(viettel.BaseUrl)))
        {
            Assert.Equal(HttpStatusCode.NoContent, configured.StatusCode);
        }

        var issuer = ActivatorUtilities.CreateInstance<EDocumentIssuer>(province.App.Services, new FakeTimeProvider(DateTimeOffset.UtcNow));

        // The cashier takes a card payment; the terminal's sync carries it to the province; its invoice is issued.
        await terminal.TapAsync("04A1B2C3");
        string id;
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        Assert.Equal(1, await issuer.RunOnceAsync(CancellationToken.None));
        var original = viettel.Invoices[EDocument.KeyOf(id)].InvoiceNo;

        // A supervisor approves its void at the terminal; the void travels in the journal; its adjustment is issued once.
        await terminal.App.Services.GetRequiredService<ReversalStore>().VoidAsync(id, new ReversalApproval("thu-ngan-01", "giam-sat-01", "Thu nhầm"));
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        await terminal.Sync.RunRoundAsync(CancellationToken.None); // a repeat changes nothing
        Assert.Equal(1, await issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await issuer.RunOnceAsync(CancellationToken.None));

        Assert.Equal(2, viettel.CreateCalls);
        var adjustment = Assert.Single(viettel.Invoices.Values, i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5");
        Assert.Equal(original, (string?)adjustment.Body["generalInvoiceInfo"]!["originalInvoiceId"]);
        Assert.Equal(150_000, (long)adjustment.Body["summarizeInfo"]!["totalAmountWithTax"]!);
        var worklist = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/e-documents?state=issued"))!;
        var linked = Assert.Single(worklist, d => d.GetProperty("purpose").GetString() == "adjustment");
        Assert.Equal((id, original, adjustment.InvoiceNo), (linked.GetProperty("adjusts").GetString(), linked.GetProperty("adjustsNumber").GetString(), linked.GetProperty("documentNumber").GetString()));
    }

    [Fact]
    public async Task A_void_issues_a_decreasing_adjustment_of_the_issued_invoice_and_the_day_view_nets_them()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync(engine);
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var kept = await f.PayAsync("BT-2611-HS240001", 300_000);
        var voided = await f.PayAsync("HP-2611-HS240001", 150_000);
        Assert.Equal(2, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var original = viettel.Invoices[EDocument.KeyOf(voided)].InvoiceNo;

        await f.VoidAsync(voided, "HP-2611-HS240001", 150_000);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await f.Issuer.RunOnceAsync(CancellationToken.None));

        Assert.Equal(3, viettel.Invoices.Count);
        var adjustment = viettel.Invoices.Values.Single(i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5");
        var general = adjustment.Body["generalInvoiceInfo"]!;
        Assert.Equal((original, ViettelSInvoiceSimulator.Template, "1"), ((string?)general["originalInvoiceId"], (string?)general["originalTemplateCode"], (string?)general["adjustmentInvoiceType"]));
        var line = Assert.Single(adjustment.Body["itemInfo"]!.AsArray())!;
        Assert.False((bool)line["isIncreaseItem"]!);
        Assert.Equal(150_000, (long)line["itemTotalAmountWithoutTax"]!);
        Assert.Equal("Học phí tháng 11/2026", (string?)line["itemName"]); // the bill voided, titled as the original titled it

        var day = await f.Province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/e-documents/day?institution={EInvoiceFixture.School}&date=2026-11-23");
        Assert.Equal((3, 0, 0, 300_000L), (day.GetProperty("issued").GetInt32(), day.GetProperty("waiting").GetInt32(), day.GetProperty("refused").GetInt32(), day.GetProperty("issuedAmount").GetInt64()));
        Assert.Equal("Trường THCS Nguyễn Du", day.GetProperty("institutionName").GetString());
        Assert.Contains(day.GetProperty("documents").EnumerateArray(), d => d.GetProperty("paymentId").GetString() == kept);
        var linked = Assert.Single(day.GetProperty("documents").EnumerateArray(), d => d.GetProperty("purpose").GetString() == "adjustment");
        Assert.Equal((voided, original, adjustment.InvoiceNo), (linked.GetProperty("adjusts").GetString(), linked.GetProperty("adjustsNumber").GetString(), linked.GetProperty("documentNumber").GetString()));
    }

    [Fact]
    public async Task A_void_of_a_payment_of_two_bills_adjusts_each_bill_under_its_title_and_amount_as_the_original_stated_them()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync(engine);
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayBillsAsync([new("HP-2611-HS240001", 150_000), new("BT-2611-HS240001", 600_000)]);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));

        await f.ReverseAsync(EntryKinds.PaymentVoided, id, new("HP-2611-HS240001", 150_000), new("BT-2611-HS240001", 600_000));
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));

        static (string?, long)[] Lines(System.Text.Json.Nodes.JsonNode body) =>
            [.. body["itemInfo"]!.AsArray().Select(i => ((string?)i!["itemName"], (long)i["itemTotalAmountWithoutTax"]!))];
        var original = viettel.Invoices[EDocument.KeyOf(id)].Body;
        var adjustment = Assert.Single(viettel.Invoices.Values, i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5").Body;
        Assert.Equal(new (string?, long)[] { ("Bán trú tháng 11/2026", 600_000L), ("Học phí tháng 11/2026", 150_000L) }, Lines(original));
        Assert.Equal(Lines(original), Lines(adjustment));
        Assert.All(adjustment["itemInfo"]!.AsArray(), i => Assert.False((bool)i!["isIncreaseItem"]!));
        Assert.Equal(new[] { 1, 2 }, adjustment["itemInfo"]!.AsArray().Select(i => (int)i!["lineNumber"]!));
        Assert.Equal((750_000L, false), ((long)adjustment["summarizeInfo"]!["totalAmountWithTax"]!, (bool)adjustment["summarizeInfo"]!["isTotalAmountPos"]!));
    }

    [Fact]
    public async Task A_refund_of_part_of_one_of_two_bills_adjusts_that_bill_alone_by_what_it_gave_back()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync(engine);
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayBillsAsync([new("HP-2611-HS240001", 150_000), new("BT-2611-HS240001", 600_000)]);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));

        // Ten days' meals given back of the meals bill; the tuition stays paid.
        await f.ReverseAsync(EntryKinds.PaymentRefunded, id, new AllocationDto("BT-2611-HS240001", 250_000));
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));

        var adjustment = Assert.Single(viettel.Invoices.Values, i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5").Body;
        var line = Assert.Single(adjustment["itemInfo"]!.AsArray())!;
        Assert.Equal(("Bán trú tháng 11/2026", 250_000L, 250_000L, false), ((string?)line["itemName"], (long)line["unitPrice"]!, (long)line["itemTotalAmountWithoutTax"]!, (bool)line["isIncreaseItem"]!));
        Assert.Equal(250_000, (long)adjustment["summarizeInfo"]!["totalAmountWithTax"]!);
    }

    [Fact]
    public async Task A_reversal_whose_journal_entry_holds_no_bills_is_adjusted_in_one_line_naming_the_void_for_its_amount()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var f = await EInvoiceFixture.StartAsync(engine);
        await f.ConfigureAsync(EInvoiceFixture.ViettelSettings(viettel.BaseUrl));
        var id = await f.PayBillsAsync([new("HP-2611-HS240001", 150_000), new("BT-2611-HS240001", 600_000)]);
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));
        var sequence = await f.ReverseAsync(EntryKinds.PaymentVoided, id, new("HP-2611-HS240001", 150_000), new("BT-2611-HS240001", 600_000));

        // An entry body that does not state the reversal's bills (as the demo province's rows): the bills are not guessed.
        Assert.Equal(1, await f.Province.ExecuteAsync("UPDATE journal_entries SET body = '{}' WHERE terminal_id = $t AND sequence = $s", ("$t", EInvoiceFixture.Terminal), ("$s", sequence)));
        Assert.Equal(1, await f.Issuer.RunOnceAsync(CancellationToken.None));

        var adjustment = Assert.Single(viettel.Invoices.Values, i => (string?)i.Body["generalInvoiceInfo"]!["adjustmentType"] == "5").Body;
        var line = Assert.Single(adjustment["itemInfo"]!.AsArray())!;
        Assert.Equal(("Hủy thanh toán " + id, 750_000L, false), ((string?)line["itemName"], (long)line["itemTotalAmountWithoutTax"]!, (bool)line["isIncreaseItem"]!));
    }
}

/// <summary>The e-document outbox on SQLite.</summary>
public sealed class EInvoiceOutboxSqliteTests() : EInvoiceOutboxTests(ProvinceEngine.Sqlite);

/// <summary>The e-document outbox on the PostgreSQL the tests start.</summary>
[Trait("Category", "Postgres")]
public sealed class EInvoiceOutboxPostgresTests() : EInvoiceOutboxTests(ProvinceEngine.Postgres);
