using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A card issued or replaced at the counter pays at once, online (review #8): the terminal knows the change when it is
/// made, the province only once it is pushed, and used to answer "card not recognised — ask at the office" to a payer
/// standing at that office. Here the background sync sleeps after its first round, so nothing but the payment itself
/// can bring the change to the province in time.
/// </summary>
public sealed class CardIssuedHereTests
{
    [Fact]
    public async Task A_card_issued_or_replaced_here_pays_online_at_once_before_the_sync_pushed_the_change()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--ProvinceServer:MinDelay=00:10:00"]);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);

        using (var issued = await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240004", cardUid = "0BADCA04" }))
        {
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        }

        await PaysOnlineAsync(terminal, "0BADCA04", "HP-2611-HS240004");

        using (var replaced = await cashier.PostAsJsonAsync("/api/v1/cards/04A1B2C3/replace", new { newCardUid = "0BADCA05" }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }

        await PaysOnlineAsync(terminal, "0BADCA05", "HP-2611-HS240001");
        Assert.Equal(2L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM card_changes")));
    }

    private static async Task PaysOnlineAsync(TerminalHost terminal, string card, string bill)
    {
        await terminal.TapAsync(card);
        using var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = card, bills = new[] { new { billId = bill, amount = 10_000 } } });
        var body = await paid.Content.ReadAsStringAsync();
        Assert.True(paid.StatusCode == HttpStatusCode.Created, body);
        Assert.False(JsonDocument.Parse(body).RootElement.GetProperty("offline").GetBoolean());
    }
}
