using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Tests.Shared;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal is killed with SIGKILL at random points while it takes payments and syncs, and restarted, again
/// and again. Afterwards no acknowledged payment is lost, none is counted twice, the server's ledger equals the
/// terminal's journal, and the database is intact. CI runs the short version; <c>make soak</c> sets
/// KIOSKPOS_CRASH_KILLS and KIOSKPOS_CRASH_PAYMENTS for the long one.
/// </summary>
public class CrashTests(ITestOutputHelper output)
{
    private const long Amount = 50;
    private const string Card = "04A1B2C3";
    private const string Account = "HS240001";
    private const string Bill = "BT-2611-HS240001";

    [Fact]
    [Trait("Category", "Crash")]
    public async Task Killing_the_terminal_at_random_points_loses_nothing_and_counts_nothing_twice()
    {
        var kills = EnvironmentNumber("KIOSKPOS_CRASH_KILLS", 20);
        var target = EnvironmentNumber("KIOSKPOS_CRASH_PAYMENTS", 2000);
        var seed = EnvironmentNumber("KIOSKPOS_CRASH_SEED", Environment.TickCount & 0xFFFF);
        var random = new Random(seed);
        var executable = Environment.GetEnvironmentVariable("KIOSKPOS_CRASH_TERMINAL");
        output.WriteLine($"seed {seed}: {kills} kills over {target} payments; the terminal: {(string.IsNullOrEmpty(executable) ? "the dll built beside the tests" : executable)}");

        await using var province = await ProvinceHost.StartAsync();
        var initialBalance = await province.BalanceAsync(Account);
        var folder = Directory.CreateTempSubdirectory("kioskpos-crash-").FullName;
        var port = LoopbackPort.Next();
        var url = $"http://127.0.0.1:{port}";
        await province.EnrolAsync(folder);
        var acknowledged = new Dictionary<string, long>(StringComparer.Ordinal);
        var attempts = 0;
        var timings = new CrashTimings();
        var stopwatch = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            TimeSpan? killedAt = null;
            for (var round = 0; round <= kills; round++)
            {
                var startedAt = stopwatch.Elapsed;
                var terminal = StartTerminal(folder, url, province.BaseUrl);
                try
                {
                    await Processes.WaitHealthyAsync(http, $"{url}/health", terminal, poll: TimeSpan.FromMilliseconds(10));
                    var healthyAt = stopwatch.Elapsed;
                    timings.Started(healthyAt - startedAt, killedAt is { } k ? healthyAt - k : null);
                    var quota = round == kills ? target : (int)((long)target * (round + 1) / (kills + 1));
                    using var killer = new CancellationTokenSource();
                    var killAfter = TimeSpan.FromMilliseconds(random.Next(50, 1500));
                    var killing = round == kills ? Task.CompletedTask : Task.Run(async () =>
                    {
                        await Task.Delay(killAfter);
                        killedAt = stopwatch.Elapsed;
                        terminal.Kill(); // SIGKILL: no shutdown, no flush, mid-request and mid-sync
                        await killer.CancelAsync();
                    });

                    // One payer: the terminal has one reader, and a tap is used up by the payment it allows, so a second
                    // client tapping the same card meanwhile is refused (422 card_not_presented), as it should be.
                    var before = acknowledged.Count;
                    while (acknowledged.Count < quota && !killer.IsCancellationRequested)
                    {
                        attempts++;
                        var began = Stopwatch.GetTimestamp();
                        var id = await TryPayAsync(http, terminal, timings);
                        if (id is not null)
                        {
                            Assert.True(acknowledged.TryAdd(id, Amount), $"payment id {id} acknowledged twice");
                            timings.Paid(Stopwatch.GetElapsedTime(began));
                        }
                        else if (terminal.HasExited)
                        {
                            break;
                        }
                    }

                    var paidUntil = stopwatch.Elapsed;
                    await killing;
                    if (round == kills)
                    {
                        timings.LastRound(acknowledged.Count - before, paidUntil - healthyAt);

                        // Nobody kills the last run: if it is gone, it died by itself, and its output says why.
                        if (terminal.HasExited)
                        {
                            Assert.Fail($"the terminal exited by itself ({terminal.ExitCode}): {Processes.Log(terminal)}");
                        }
                        // The last run lives: wait for the backlog to drain to the server. A payment answers before its
                        // receipt prints, and the printed receipt is a journal entry of its own, pushed in turn.
                        await WaitQuietAsync(folder);
                        Assert.Equal(0, await Processes.StopAsync(terminal));
                        timings.Drained(stopwatch.Elapsed - paidUntil);
                    }
                    else
                    {
                        await terminal.WaitForExitAsync();
                        timings.Killed(acknowledged.Count - before, stopwatch.Elapsed - healthyAt, stopwatch.Elapsed - killedAt!.Value);
                        if (terminal.ExitCode != 137)
                        {
                            Assert.Fail($"the terminal exited by itself ({terminal.ExitCode}) before it was killed: {Processes.Log(terminal)}");
                        }
                    }
                }
                finally
                {
                    if (!terminal.HasExited)
                    {
                        terminal.Kill();
                    }

                    terminal.Dispose();
                }
            }

            output.WriteLine($"{acknowledged.Count} payments acknowledged in {attempts} attempts, {kills} kills, {stopwatch.Elapsed.TotalSeconds:0.0} s");
            output.WriteLine(timings.Summary());
            var checksFrom = stopwatch.Elapsed;
            Assert.True(acknowledged.Count >= target, $"only {acknowledged.Count} of {target} payments were taken");

            // The terminal's database: intact, and every acknowledged payment is in it.
            var terminalPayments = new Dictionary<string, long>(StringComparer.Ordinal);
            long journalEntries;
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "terminal.db")};Pooling=False"))
            {
                await connection.OpenAsync();
                Assert.Equal("ok", await Scalar<string>(connection, "PRAGMA integrity_check"));
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT id, amount FROM payments";
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        terminalPayments.Add(reader.GetString(0), reader.GetInt64(1));
                    }
                }

                journalEntries = await Scalar<long>(connection, "SELECT COUNT(*) FROM journal");
                Assert.Equal(journalEntries, await Scalar<long>(connection, "SELECT MAX(sequence) FROM journal"));
                Assert.Equal(0, await Scalar<long>(connection, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'"));
            }

            var lost = acknowledged.Keys.Where(id => !terminalPayments.ContainsKey(id)).ToList();
            Assert.True(lost.Count == 0, $"acknowledged but lost: {string.Join(", ", lost.Take(10))}");
            var (verifyExit, verifyOutput, _) = await Processes.RunTerminalCliAsync("journal", "verify", "--data", folder);
            Assert.True(verifyExit == 0, verifyOutput);

            // The server's ledger equals the terminal's journal: same payments, once each, no gap.
            await using (var server = new SqliteConnection($"Data Source={Path.Combine(province.Folder, "province.db")};Pooling=False"))
            {
                await server.OpenAsync();
                Assert.Equal(terminalPayments.Count, await Scalar<long>(server, "SELECT COUNT(*) FROM payments WHERE terminal_id = 'KP-THCS-ND-01'"));
                Assert.Equal(terminalPayments.Count, await Scalar<long>(server, "SELECT COUNT(DISTINCT id) FROM payments WHERE terminal_id = 'KP-THCS-ND-01'"));
                Assert.Equal(terminalPayments.Values.Sum(), await Scalar<long>(server, "SELECT SUM(amount) FROM payments WHERE terminal_id = 'KP-THCS-ND-01'"));
                Assert.Equal(journalEntries, await Scalar<long>(server, "SELECT COUNT(*) FROM journal_entries WHERE terminal_id = 'KP-THCS-ND-01'"));
                Assert.Equal(journalEntries, await Scalar<long>(server, "SELECT acked_through FROM terminals WHERE id = 'KP-THCS-ND-01'"));
                Assert.Equal(0, await Scalar<long>(server, "SELECT COUNT(*) FROM alerts"));
            }

            Assert.Equal(initialBalance - terminalPayments.Values.Sum(), await province.BalanceAsync(Account));
            output.WriteLine($"the checks after the last run: {(stopwatch.Elapsed - checksFrom).TotalSeconds:0.0} s");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // KIOSKPOS_CRASH_TERMINAL: the terminal as an executable of its own (make soak: the native AOT build, which starts in
    // a fraction of the JIT build's time); otherwise the dll built beside the tests.
    private static Process StartTerminal(string folder, string url, Uri province) =>
        Environment.GetEnvironmentVariable("KIOSKPOS_CRASH_TERMINAL") is { Length: > 0 } executable
            ? Processes.StartExecutable(executable, TerminalArguments(folder, url, province))
            : Processes.Start("kiosk-app/KioskPos.Terminal", "kioskpos-terminal.dll", TerminalArguments(folder, url, province));

    private static string[] TerminalArguments(string folder, string url, Uri province) =>
        [
            $"--urls={url}", $"--Terminal:DataDirectory={folder}",
            $"--ProvinceServer:BaseUrl={province}",
            // The emulated reader (its chip answers at once) polled every millisecond, the fastest a simulated reader is
            // allowed: a card placed is read within about a millisecond.
            "--ProvinceServer:Interval=00:00:00.200", "--Hardware:ReaderPollMs=1",
            "--ProvinceServer:MaxBackoff=00:00:01", "--Terminal:DevEndpoints=true", "--Hardware:AllowSimulated=true",
            "--ProvinceServer:AuthoriseTimeout=00:00:10", // as in TerminalHost: a loaded machine must not turn an online payment into a refused offline one
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:KioskPos=Information",
        ];

    /// <summary>Taps and pays; the payment id when the terminal acknowledged it (201), null when it did not answer.</summary>
    private static async Task<string?> TryPayAsync(HttpClient http, Process terminal, CrashTimings timings)
    {
        try
        {
            // A quick tap: the card is lifted as soon as the terminal has read it, so the reader sees the field empty
            // (the 3 empty polls that end a card's presence) while the payment runs, and the next tap is read at the
            // next poll instead of waiting for the last card to be taken away first.
            var began = Stopwatch.GetTimestamp();
            using var tap = await http.PostAsJsonAsync("/dev/card-taps", new { uid = Card, holdMs = 0 });
            if (tap.StatusCode != HttpStatusCode.Accepted)
            {
                return null;
            }

            timings.Tapped(Stopwatch.GetElapsedTime(began));
            using var pay = await http.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method = "card_balance", bills = new[] { new { billId = Bill, amount = Amount } } });
            if (pay.StatusCode == HttpStatusCode.Created)
            {
                return (await pay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            }

            // Anything but a clean refusal after a kill is a defect.
            if (pay.StatusCode is not HttpStatusCode.ServiceUnavailable)
            {
                Assert.Fail($"unexpected {(int)pay.StatusCode}: {await pay.Content.ReadAsStringAsync()}\nthe terminal's log: {LogTail(terminal)}");
            }

            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return null; // killed mid-request: not acknowledged
        }
    }

    // One read of the terminal's database (one snapshot): no receipt waiting to print and nothing left to push. A
    // receipt's job turns printed in the same transaction that journals it, so nothing can slip in between.
    private static Task WaitQuietAsync(string folder) =>
        Wait.UntilAsync(
            async () =>
            {
                await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "terminal.db")};Mode=ReadOnly;Pooling=False");
                await connection.OpenAsync();
                return await Scalar<long>(connection, "SELECT (SELECT COUNT(*) FROM print_jobs WHERE state IN ('queued', 'held')) + (SELECT COUNT(*) FROM outbox WHERE state <> 'sent')") == 0;
            },
            TimeSpan.FromSeconds(60),
            "the terminal's receipts to print and its queue to drain");

    private static string LogTail(Process terminal)
    {
        var log = Processes.Log(terminal);
        return log.Length <= 4000 ? log : log[^4000..];
    }

    private static async Task<T> Scalar<T>(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static int EnvironmentNumber(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>Where the crash test's time goes, printed with its result (bench/README.md, <c>make soak</c>).</summary>
    private sealed class CrashTimings
    {
        private readonly Lock _lock = new();
        private readonly List<double> _paymentMs = [];
        private readonly List<double> _tapMs = [];
        private readonly List<double> _startMs = [];
        private readonly List<double> _answeringAgainMs = [];
        private TimeSpan _killedLife;
        private TimeSpan _killToExit;
        private int _paidInKilledRounds;
        private int _killedRounds;
        private int _paidInLastRound;
        private TimeSpan _lastRound;
        private TimeSpan _drain;

        public void Started(TimeSpan start, TimeSpan? sinceKill)
        {
            lock (_lock)
            {
                _startMs.Add(start.TotalMilliseconds);
                if (sinceKill is { } s)
                {
                    _answeringAgainMs.Add(s.TotalMilliseconds);
                }
            }
        }

        public void Tapped(TimeSpan took)
        {
            lock (_lock)
            {
                _tapMs.Add(took.TotalMilliseconds);
            }
        }

        public void Paid(TimeSpan took)
        {
            lock (_lock)
            {
                _paymentMs.Add(took.TotalMilliseconds);
            }
        }

        public void Killed(int paid, TimeSpan life, TimeSpan killToExit)
        {
            lock (_lock)
            {
                _killedRounds++;
                _paidInKilledRounds += paid;
                _killedLife += life;
                _killToExit += killToExit;
            }
        }

        public void LastRound(int paid, TimeSpan took) => (_paidInLastRound, _lastRound) = (paid, took);

        public void Drained(TimeSpan took) => _drain = took;

        public string Summary()
        {
            lock (_lock)
            {
                return string.Create(CultureInfo.InvariantCulture, $"""
                    start to healthy: {_startMs.Count} starts, {_startMs.Sum() / 1000:0.0} s in all, median {Median(_startMs):0} ms, p95 {Percentile(_startMs, 0.95):0} ms
                    kill to answering again: median {Median(_answeringAgainMs):0} ms, p95 {Percentile(_answeringAgainMs, 0.95):0} ms
                    killed runs: {_killedRounds}, {_killedLife.TotalSeconds:0.0} s alive after healthy, {_paidInKilledRounds} payments acknowledged in them; kill to exit {_killToExit.TotalSeconds:0.0} s in all
                    last run (not killed): {_paidInLastRound} payments in {_lastRound.TotalSeconds:0.0} s, then {_drain.TotalSeconds:0.0} s to drain and stop
                    per acknowledged payment (tap + pay): median {Median(_paymentMs):0.0} ms, p95 {Percentile(_paymentMs, 0.95):0.0} ms; of which the tap (until the terminal has read the card): median {Median(_tapMs):0.0} ms
                    """);
            }
        }

        private static double Median(List<double> values) => Percentile(values, 0.5);

        private static double Percentile(List<double> values, double p)
        {
            if (values.Count == 0)
            {
                return 0;
            }

            var sorted = values.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        }
    }
}
