using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A terminal just enrolled, whose first pull has not reached the province yet, knows nobody: it must say "try again
/// in a few minutes" (503 <c>terminal_not_ready</c>), never "card not recognised" to a parent whose card is good.
/// </summary>
public class FirstPullTests
{
    [Fact]
    [Trait("Category", "FaultProxy")]
    public async Task Before_its_first_pull_the_terminal_answers_not_ready_and_after_it_takes_the_same_card()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var proxy = new FaultProxy(province.BaseUrl, seed: 1) { Faulty = false, Down = true };
        await using var terminal = await TerminalHost.StartAsync(province, syncUrl: proxy.Url, syncFirst: false);

        await terminal.TapAsync("04A1B2C3");
        using (var payer = await (await terminal.CashierAsync()).GetAsync("/api/v1/payers/by-card/04A1B2C3"))
        {
            await AssertNotReadyAsync(payer);
        }

        using (var byCode = await terminal.Http.GetAsync("/api/v1/payers/HS240001"))
        {
            await AssertNotReadyAsync(byCode);
        }

        var payment = new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount = 100 } } };
        using (var refused = await terminal.Http.PostAsJsonAsync("/api/v1/payments", payment))
        {
            await AssertNotReadyAsync(refused);
        }

        using (var topUp = await terminal.Http.PostAsJsonAsync("/api/v1/top-ups", new { payerCode = "HS240001", amount = 100_000 }))
        {
            await AssertNotReadyAsync(topUp);
        }

        // The counter's card work names cards and accounts the terminal has not received yet: not ready either.
        var supervisor = await terminal.StaffAsync(KioskPos.Storage.StaffRole.Supervisor);
        using (var issue = await supervisor.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240002", cardUid = "04D1D2D3" }))
        {
            await AssertNotReadyAsync(issue);
        }

        using (var lost = await supervisor.PostAsync("/api/v1/cards/04A1B2C3/lost", null))
        {
            await AssertNotReadyAsync(lost);
        }

        using (var replace = await supervisor.PostAsJsonAsync("/api/v1/cards/04A1B2C3/replace", new { newCardUid = "04E1E2E3" }))
        {
            await AssertNotReadyAsync(replace);
        }

        using (var statement = await supervisor.GetAsync("/api/v1/cards/04A1B2C3/statement"))
        {
            await AssertNotReadyAsync(statement);
        }

        // The network comes back: the first pull brings the payers, the same card pays, and a card nobody issued is
        // now "not recognised".
        proxy.Down = false;
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("cachedAccounts").GetInt32() == 30,
            TimeSpan.FromSeconds(30), "the first pull");
        await terminal.TapAsync("04A1B2C3");
        using (var taken = await terminal.Http.PostAsJsonAsync("/api/v1/payments", payment))
        {
            Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        }

        using (var unknown = await (await terminal.CashierAsync()).GetAsync("/api/v1/payers/by-card/04FFFFFF"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("card_not_recognised", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using (var unknownCard = await supervisor.PostAsync("/api/v1/cards/04FFFFFF/lost", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownCard.StatusCode);
            Assert.Equal("card_not_recognised", (await unknownCard.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using (var unknownAccount = await supervisor.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS999999", cardUid = "04D1D2D3" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownAccount.StatusCode);
            Assert.Equal("payer_not_found", (await unknownAccount.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using var issued = await supervisor.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240002", cardUid = "04D1D2D3" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
    }

    private static async Task AssertNotReadyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("terminal_not_ready", problem.GetProperty("code").GetString());
        Assert.StartsWith("Máy đang nhận dữ liệu lần đầu", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }
}
