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
        output.WriteLine($"seed {seed}: {kills} kills over {target} payments");

        await using var province = await ProvinceHost.StartAsync();
        var initialBalance = await province.BalanceAsync(Account);
        var folder = Directory.CreateTempSubdirectory("kioskpos-crash-").FullName;
        var port = LoopbackPort.Next();
        var url = $"http://127.0.0.1:{port}";
        await province.EnrolAsync(folder);
        var acknowledged = new Dictionary<string, long>(StringComparer.Ordinal);
        var attempts = 0;
        var stopwatch = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            for (var round = 0; round <= kills; round++)
            {
                var terminal = StartTerminal(folder, url, province.BaseUrl);
                try
                {
                    await Processes.WaitHealthyAsync(http, $"{url}/health", terminal);
                    var quota = round == kills ? target : (int)((long)target * (round + 1) / (kills + 1));
                    using var killer = new CancellationTokenSource();
                    var killAfter = TimeSpan.FromMilliseconds(random.Next(50, 1500));
                    var killing = round == kills ? Task.CompletedTask : Task.Run(async () =>
                    {
                        await Task.Delay(killAfter);
                        terminal.Kill(); // SIGKILL: no shutdown, no flush, mid-request and mid-sync
                        await killer.CancelAsync();
                    });

                    while (acknowledged.Count < quota && !killer.IsCancellationRequested)
                    {
                        attempts++;
                        var id = await TryPayAsync(http, terminal);
                        if (id is not null)
                        {
                            Assert.True(acknowledged.TryAdd(id, Amount), $"payment id {id} acknowledged twice");
                        }
                        else if (terminal.HasExited)
                        {
                            break;
                        }
                    }

                    await killing;
                    if (round == kills)
                    {
                        // Nobody kills the last run: if it is gone, it died by itself, and its output says why.
                        Assert.False(terminal.HasExited, $"the terminal exited by itself ({(terminal.HasExited ? terminal.ExitCode : 0)}): {Processes.Log(terminal)}");
                        // The last run lives: wait for the backlog to drain to the server.
                        await Wait.UntilDrainedAsync(http, TimeSpan.FromSeconds(60));
                        Assert.Equal(0, await Processes.StopAsync(terminal));
                    }
                    else
                    {
                        await terminal.WaitForExitAsync();
                        Assert.True(terminal.ExitCode == 137, $"the terminal exited by itself ({terminal.ExitCode}) before it was killed: {Processes.Log(terminal)}");
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
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Process StartTerminal(string folder, string url, Uri province) =>
        Processes.Start("kiosk-app/KioskPos.Terminal", "kioskpos-terminal.dll",
            $"--urls={url}", $"--Terminal:DataDirectory={folder}",
            $"--ProvinceServer:BaseUrl={province}",
            "--ProvinceServer:Interval=00:00:00.200", "--Hardware:ReaderPollMs=10", "--ProvinceServer:MaxBackoff=00:00:01", "--Terminal:DevEndpoints=true", "--Hardware:AllowSimulated=true",
            "--ProvinceServer:AuthoriseTimeout=00:00:10", // as in TerminalHost: a loaded machine must not turn an online payment into a refused offline one
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:KioskPos=Information");

    /// <summary>Taps and pays; the payment id when the terminal acknowledged it (201), null when it did not answer.</summary>
    private static async Task<string?> TryPayAsync(HttpClient http, Process terminal)
    {
        try
        {
            using var tap = await http.PostAsJsonAsync("/dev/card-taps", new { uid = Card });
            if (tap.StatusCode != HttpStatusCode.Accepted)
            {
                return null;
            }

            using var pay = await http.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method = "card_balance", bills = new[] { new { billId = Bill, amount = Amount } } });
            if (pay.StatusCode == HttpStatusCode.Created)
            {
                return (await pay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            }

            // Anything but a clean refusal after a kill is a defect.
            Assert.True(pay.StatusCode is HttpStatusCode.ServiceUnavailable, $"unexpected {(int)pay.StatusCode}: {await pay.Content.ReadAsStringAsync()}\nthe terminal's log: {LogTail(terminal)}");
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return null; // killed mid-request: not acknowledged
        }
    }

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
}
