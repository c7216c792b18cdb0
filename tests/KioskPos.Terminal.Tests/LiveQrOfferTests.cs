using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// One live QR for a bill at a terminal: while a VietQR offer for bills waits for the bank (pending, not expired), a
/// card-balance or bank-card payment for any of them is a 409 <c>qr_offer_pending</c> naming the offer, nothing taken,
/// until the offer is withdrawn through its cancel (the kiosk with the view token the refusal carries, the counter with
/// its session) or has expired; a new QR for the same bills withdraws the earlier one itself. Real terminal and province
/// on 127.0.0.1, SQLite files; card payments above 100.000 ₫ ask the card's PIN here, to show the refusal comes first.
/// </summary>
public sealed class LiveQrOfferTests : TerminalTest
{
    private const string Card = "04A1B2C3";
    private const string Tuition = "HP-2611-HS240001";
    private const string Meals = "BT-2611-HS240001";

    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) =>
        TerminalHost.StartAsync(province, extraArgs: ["--Terminal:CardPinAbove=100000"]);

    [Fact]
    public async Task A_card_payment_for_bills_of_a_live_qr_offer_is_409_naming_it_and_goes_through_once_the_kiosk_withdraws_it()
    {
        var qr = await OfferQrAsync(Terminal.Http, Tuition, Meals);

        // The card on the reader (the kiosk names it by the tap's reference): refused before the PIN is asked, nothing taken.
        var tap = await Terminal.TapReferenceAsync(Card);
        string viewToken;
        using (var refused = await PayByCardAsync(tap, Tuition))
        {
            var problem = await refused.ProblemAsync(HttpStatusCode.Conflict, "a card payment beside a live QR");
            Assert.Equal(("qr_offer_pending", qr.Id), (problem.Code, problem.PaymentId));
            Assert.Contains(qr.Id, problem.Title, StringComparison.Ordinal);
            Assert.Contains("750.000 ₫", problem.Title, StringComparison.Ordinal);
            Assert.StartsWith("Các khoản này", problem.Title, StringComparison.Ordinal); // Vietnamese first
            Assert.Contains("Withdraw", problem.Detail, StringComparison.Ordinal);
            viewToken = problem.ViewToken!;
            Assert.Equal(qr.ViewToken, viewToken); // the offer's own token, as its answer carried it
        }

        Assert.Equal([qr.Id], await PaymentIdsAsync());
        Assert.Equal("pending", (await Terminal.PaymentAsync(qr.Id)).GetProperty("state").GetString());

        // A card not on the reader learns nothing of the offer: not presented, as before.
        using (var notPresented = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04D4E5F6", method = "card_balance", bills = new[] { new { billId = Tuition } } }))
        {
            var problem = await notPresented.ProblemAsync(HttpStatusCode.UnprocessableEntity, "a card not on the reader");
            Assert.Equal(("card_not_presented", null, null), (problem.Code, problem.PaymentId, problem.ViewToken));
        }

        // The kiosk withdraws the offer with the token the refusal gave it, and pays again: the PIN, then paid.
        using (var cancel = await Terminal.Http.PostAsync($"/api/v1/payments/{Uri.EscapeDataString(qr.Id)}/cancel?t={viewToken}", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        using (var pin = await PayByCardAsync(tap, Tuition))
        {
            Assert.Equal("pin_required", (await pin.ProblemAsync(HttpStatusCode.UnprocessableEntity, "the card payment after the withdrawal")).Code);
        }

        using (var paid = await PayByCardAsync(tap, Tuition, pin: "2580"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        Assert.Equal("expired", (await Terminal.PaymentAsync(qr.Id)).GetProperty("state").GetString());
        var journal = await (await Terminal.StaffAsync(StaffRole.Technician)).GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
        Assert.True(journal.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_bank_card_payment_at_the_counter_is_refused_beside_the_qr_on_the_display_until_the_cashier_withdraws_it()
    {
        var cashier = await Terminal.CashierAsync();
        var qr = await OfferQrAsync(cashier, Meals);
        var external = new { payerCode = "HS240001", method = "external_card", approvalCode = "A1B2C3", cardLast4 = "4242", bills = new[] { new { billId = Meals, amount = (long?)200_000 } } };
        using (var refused = await cashier.PostAsJsonAsync("/api/v1/payments", external))
        {
            var problem = await refused.ProblemAsync(HttpStatusCode.Conflict, "a bank-card payment beside a live QR");
            Assert.Equal(("qr_offer_pending", qr.Id), (problem.Code, problem.PaymentId));
            Assert.Contains("600.000 ₫", problem.Title, StringComparison.Ordinal);
        }

        // Another bill of the same payer is free to pay.
        await Terminal.TapAsync(Card);
        using (var other = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method = "card_balance", bills = new[] { new { billId = Tuition, amount = 50_000 } } }))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        // The cashier's session opens the offer's cancel; then the payment goes through.
        using (var cancel = await cashier.PostAsync($"/api/v1/payments/{Uri.EscapeDataString(qr.Id)}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        using (var taken = await cashier.PostAsJsonAsync("/api/v1/payments", external))
        {
            Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        }
    }

    [Fact]
    public async Task A_second_qr_for_the_same_bills_withdraws_the_first_and_the_province_records_it_ended()
    {
        var first = await OfferQrAsync(Terminal.Http, Tuition, Meals);
        var second = await OfferQrAsync(Terminal.Http, Meals);
        Assert.Equal("expired", (await Terminal.PaymentAsync(first.Id)).GetProperty("state").GetString());
        Assert.Equal("pending", (await Terminal.PaymentAsync(second.Id)).GetProperty("state").GetString());

        // The one live offer is the second: it is the one a card payment is refused beside.
        var tap = await Terminal.TapReferenceAsync(Card);
        using (var refused = await PayBothByCardAsync(tap, Tuition, Meals))
        {
            Assert.Equal(second.Id, (await refused.ProblemAsync(HttpStatusCode.Conflict, "a card payment beside the second QR")).PaymentId);
        }

        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        var ledger = await Province.PaymentsAsync("HS240001");
        Assert.Equal("expired", ledger.Single(p => p.GetProperty("id").GetString() == first.Id).GetProperty("state").GetString());
        Assert.Equal("pending", ledger.Single(p => p.GetProperty("id").GetString() == second.Id).GetProperty("state").GetString());
    }

    [Fact]
    public async Task An_offer_that_ran_out_of_time_no_longer_blocks_a_card_payment()
    {
        await using var terminal = await TerminalHost.StartAsync(Province, extraArgs: ["--Terminal:QrLifetime=00:00:01"]);
        var qr = await OfferQrAsync(terminal.Http, Tuition);
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(qr.Id)).GetProperty("state").GetString() == "expired", TimeSpan.FromSeconds(20), "the QR to expire");
        await terminal.TapAsync(Card);
        using var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method = "card_balance", bills = new[] { new { billId = Tuition } } });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
    }

    private static async Task<(string Id, string ViewToken)> OfferQrAsync(HttpClient client, params string[] bills)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240001", method = "vietqr", bills = bills.Select(b => new { billId = b }).ToArray() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("id").GetString()!, body.GetProperty("viewToken").GetString()!);
    }

    private Task<HttpResponseMessage> PayByCardAsync(string card, string bill, string? pin = null) =>
        Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = card, method = "card_balance", pin, bills = new[] { new { billId = bill } } });

    private Task<HttpResponseMessage> PayBothByCardAsync(string card, string bill, string other) =>
        Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = card, method = "card_balance", bills = new[] { new { billId = bill }, new { billId = other } } });

    private async Task<IEnumerable<string>> PaymentIdsAsync() =>
        (await (await Terminal.CashierAsync()).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!.Select(p => p.GetProperty("id").GetString()!);
}
