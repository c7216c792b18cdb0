using System.Net;
using System.Net.Sockets;

namespace KioskPos.Terminal.Tests;

public class BackoffTests
{
    [Fact]
    public async Task Against_a_server_that_drops_every_connection_the_sync_backs_off_instead_of_spinning()
    {
        await using var province = await ProvinceHost.StartAsync();

        // A "server" that accepts and drops: every attempt of the terminal is counted.
        using var dead = new TcpListener(IPAddress.Loopback, 0);
        dead.Start();
        var accepted = new List<TimeSpan>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await dead.AcceptTcpClientAsync(stop.Token);
                lock (accepted)
                {
                    accepted.Add(clock.Elapsed);
                }
            }
        });

        // Interval 1 s, backoff capped at 30 s: in 6 s the backoff allows a handful of rounds (about 0.2 + 1, 2, 4, 8 s
        // apart on average), where a worker retrying at its 200 ms floor would make some thirty.
        await using var terminal = await TerminalHost.StartAsync(
            province,
            syncUrl: new Uri($"http://127.0.0.1:{((IPEndPoint)dead.LocalEndpoint).Port}"),
            syncFirst: false,
            extraArgs: ["--ProvinceServer:MaxBackoff=00:00:30"]);
        await Task.Delay(TimeSpan.FromSeconds(6));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);

        // One failed request may open several connections within milliseconds (HttpClient retries a dropped
        // connection); sync rounds are at least 200 ms apart. Count rounds as bursts of connections.
        var rounds = 0;
        TimeSpan? last = null;
        foreach (var at in accepted)
        {
            if (last is null || at - last.Value > TimeSpan.FromMilliseconds(100))
            {
                rounds++;
            }

            last = at;
        }

        Assert.True(rounds is >= 1 and <= 12, $"{rounds} sync rounds in 6 s ({accepted.Count} connections at {string.Join(", ", accepted.Select(a => $"{a.TotalSeconds:0.00}"))} s)");
    }

    [Fact]
    public async Task A_province_that_answers_its_push_queue_is_full_is_left_alone_for_the_Retry_After_it_asks()
    {
        // Every push is refused 503 queue_full with Retry-After: 4 s. The terminal's own backoff (interval 1 s,
        // capped at 2 s) would try again about every 1.2 s; honouring the province it tries at most every 4 s.
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:PushQueueLimit=0", "--Province:Intake:RetryAfterSeconds=4"]);
        await using var terminal = await TerminalHost.StartAsync(
            province,
            extraArgs: ["--ProvinceServer:Interval=00:00:01", "--ProvinceServer:MaxBackoff=00:00:02"]);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.True(paid.IsSuccessStatusCode, await paid.Content.ReadAsStringAsync());
        }

        var watched = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(9.5));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(terminal.Folder, "terminal.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(attempts), MAX(last_error) FROM outbox WHERE state = 'pending'";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var (attempts, error) = (reader.GetInt64(0), reader.GetString(1));
        Assert.Contains("queue_full", error);

        // The round at the payment, then one at 4 s and one at 8 s at most (a retry at the backoff would give 6 or more).
        Assert.True(attempts is >= 2 and <= 3, $"{attempts} push attempts in {watched.Elapsed.TotalSeconds:0.0} s after the payment");
    }
}
