using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Self-service card payments above the terminal's PIN amount need the card holder's PIN, checked by the province
/// server (tries counted there, across terminals), at the kiosk and at the counter alike; without the network, none is taken.
/// </summary>
public abstract class CardPinTests(ProvinceEngine engine)
{
    [Fact]
    public async Task Above_the_pin_amount_the_kiosk_asks_for_the_pin_counts_wrong_tries_locks_and_refuses_offline()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        await using var proxy = new FaultProxy(province.BaseUrl, seed: 7) { Faulty = false };
        await using var terminal = await TerminalHost.StartAsync(province, syncUrl: proxy.Url, extraArgs: ["--Terminal:CardPinAbove=100000"]);

        async Task<(HttpStatusCode Status, JsonElement Body)> PayAsync(string card, string bill, string? pin, long? amount = null)
        {
            await terminal.TapAsync(card);
            using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = card, method = "card_balance", pin, bills = new[] { new { billId = bill, amount } } });
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        static string Code(JsonElement body) => body.GetProperty("code").GetString()!;

        // 150.000 ₫ from HS240001's card: the PIN is asked; a wrong one says how many tries are left.
        var (status, body) = await PayAsync("04A1B2C3", "HP-2611-HS240001", null);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "pin_required"), (status, Code(body)));
        Assert.Contains("100.000 ₫", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        (status, body) = await PayAsync("04A1B2C3", "HP-2611-HS240001", "0000");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "pin_wrong"), (status, Code(body)));
        Assert.Contains("còn 2 lần thử", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        (status, _) = await PayAsync("04A1B2C3", "HP-2611-HS240001", "12a4");
        Assert.Equal(HttpStatusCode.BadRequest, status);

        // The network down: the PIN cannot be checked, so nothing above the amount is taken, even within the offline limits.
        proxy.Down = true;
        (status, body) = await PayAsync("04A1B2C3", "HP-2611-HS240001", "2580");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "pin_needs_network"), (status, Code(body)));
        proxy.Down = false;

        // The right PIN pays (and clears the wrong try); at or below the amount no PIN is asked.
        (status, body) = await PayAsync("04A1B2C3", "HP-2611-HS240001", "2580");
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        (status, body) = await PayAsync("04A1B2C3", "BT-2611-HS240001", null, amount: 100_000);
        Assert.True(status == HttpStatusCode.Created, body.ToString());

        // Three wrong PINs lock it, at the server: the right one is refused too until the office clears it.
        for (var i = 0; i < 2; i++)
        {
            (_, body) = await PayAsync("04D4E5F6", "BT-2611-HS240002", "9999");
            Assert.Equal("pin_wrong", Code(body));
        }

        (_, body) = await PayAsync("04D4E5F6", "BT-2611-HS240002", "9999");
        Assert.Equal("pin_locked", Code(body));
        (_, body) = await PayAsync("04D4E5F6", "BT-2611-HS240002", "1470");
        Assert.Equal("pin_locked", Code(body));
        using (var cleared = await province.Admin.PostAsync("/api/v1/admin/accounts/HS240002/unblock", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        (_, body) = await PayAsync("04D4E5F6", "BT-2611-HS240002", "1470");
        Assert.Equal("insufficient_balance", Code(body)); // the PIN was accepted; 150.000 ₫ does not cover 600.000 ₫

        // At the counter too the card holder types the PIN (issue 18: a cashier's session no longer stands in for it).
        var cashier = await terminal.StaffAsync(KioskPos.Storage.StaffRole.Cashier);
        await terminal.TapAsync("04D4E5F6");
        using (var withoutPin = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04D4E5F6", method = "card_balance", bills = new[] { new { billId = "HP-2611-HS240002" } } }))
        {
            Assert.Equal("pin_required", Code(await withoutPin.Content.ReadFromJsonAsync<JsonElement>()));
        }

        using var counter = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04D4E5F6", method = "card_balance", pin = "1470", bills = new[] { new { billId = "HP-2611-HS240002" } } });
        Assert.Equal(HttpStatusCode.Created, counter.StatusCode);
    }
}

/// <summary>CardPin on the embedded SQLite file.</summary>
public sealed class CardPinSqliteTests() : CardPinTests(ProvinceEngine.Sqlite);

/// <summary>CardPin on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class CardPinPostgresTests() : CardPinTests(ProvinceEngine.Postgres);
