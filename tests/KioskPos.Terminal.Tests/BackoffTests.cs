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
}
