using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using KioskPos.Shared.Sqlite;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal's writes go through one writer lane: card payments taken while the sync worker pushes, marks and
/// pulls beside them, the print queue records receipts and the status is reported, and no write ever finds SQLite's
/// write lock held — none reaches Microsoft.Data.Sqlite's 150 ms busy sleep.
/// </summary>
public class WriterLaneTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Card_payments_beside_the_sync_worker_never_find_the_write_lock_held()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var lane = terminal.App.Services.GetRequiredService<SqliteDatabase>().Lane;
        var before = lane.Counters;

        // The sync worker runs its rounds on its own (each payment asks for one); rounds are also forced beside the
        // payments, so that pushes and acknowledgements are written while payments are.
        using var stop = new CancellationTokenSource();
        var rounds = 0;
        var syncing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await terminal.Sync.RunRoundAsync(CancellationToken.None);
                rounds++;
            }
        });

        var latencies = new List<double>();
        for (var i = 0; i < 25; i++)
        {
            await terminal.TapAsync("04A1B2C3");
            var started = Stopwatch.GetTimestamp();
            using var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", method = "card_balance", bills = new[] { new { billId = "HP-2611-HS240001", amount = 100L } } });
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await stop.CancelAsync();
        await syncing;
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(30));
        var after = lane.Counters;
        latencies.Sort();
        output.WriteLine($"25 card payments beside {rounds} forced sync rounds: median {latencies[12]:0.0} ms, max {latencies[^1]:0.0} ms; lane {after with { Writes = after.Writes - before.Writes, Waits = after.Waits - before.Waits }}");

        Assert.True(after.Writes - before.Writes >= 25 * 2, $"each payment and its receipt wrote through the lane ({after.Writes - before.Writes} writes)");
        Assert.True(rounds > 0);
        Assert.Equal(before.BusySeen, after.BusySeen); // no write found the lock held: none waited for SQLITE_BUSY
        Assert.Equal(2_000_000 - (25 * 100), await province.BalanceAsync("HS240001"));
    }
}
