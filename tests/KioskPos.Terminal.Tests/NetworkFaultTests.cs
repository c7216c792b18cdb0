using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace KioskPos.Terminal.Tests;

public class NetworkFaultTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "FaultProxy")]
    public async Task Through_delays_drops_resets_cut_answers_and_500s_every_payment_reaches_the_server_exactly_once()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KIOSKPOS_FAULT_SEED"), out var fixedSeed) ? fixedSeed : Environment.TickCount & 0xFFFF;
        await using var province = await ProvinceHost.StartAsync();
        await using var proxy = new FaultProxy(province.BaseUrl, seed);

        // The first pull goes through the faults too, so it may take a few rounds.
        await using var terminal = await TerminalHost.StartAsync(province, syncUrl: proxy.Url, syncFirst: false);
        await Wait.UntilAsync(
            async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("cachedAccounts").GetInt32() == 30,
            TimeSpan.FromSeconds(60), "the first pull through the faulty proxy");

        var taken = 0;
        for (var i = 0; i < 300; i++)
        {
            await terminal.TapAsync("04A1B2C3");
            using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount = 100 } } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            taken++;
            if (i % 10 == 0)
            {
                await terminal.Sync.RunRoundAsync(CancellationToken.None); // more rounds, more faults
            }
        }

        for (var i = 0; i < 30; i++)
        {
            var round = await terminal.Sync.RunRoundAsync(CancellationToken.None);
            output.WriteLine($"round {i}: pushed {round.Pushed}, pulled {round.Pulled}, error {round.Error}");
        }

        output.WriteLine($"seed {seed}; faults: {string.Join(", ", proxy.Counts.Select(c => $"{c.Key} {c.Value}"))}");
        Assert.True(proxy.Counts[Fault.CutResponse] > 0 && proxy.Counts[Fault.Reset] > 0 && proxy.Counts[Fault.ServerError] > 0, "the faults did not happen");

        // Faults off: the backlog drains.
        proxy.Faulty = false;
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(60));

        await using var server = new SqliteConnection($"Data Source={Path.Combine(province.Folder, "province.db")};Pooling=False");
        await server.OpenAsync();
        await using var command = server.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT id), SUM(amount) FROM payments WHERE terminal_id = 'KP-THCS-ND-01'";
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(taken, reader.GetInt64(0));
            Assert.Equal(taken, reader.GetInt64(1));
            Assert.Equal(taken * 100L, reader.GetInt64(2));
        }

        Assert.Equal(2_000_000 - (taken * 100L), await province.BalanceAsync("HS240001"));
        command.CommandText = "SELECT COUNT(*) FROM alerts";
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }
}
