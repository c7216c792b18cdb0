using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The province server is killed with SIGKILL at random points (mid-push, mid-commit) and restarted after a
/// random outage, while the terminal keeps taking payments. After the drain the ledger equals the journal.
/// </summary>
public class ServerCrashTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Crash")]
    public async Task Killing_the_province_server_at_random_points_loses_nothing_and_counts_nothing_twice()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("KIOSKPOS_SERVER_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : 10;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KIOSKPOS_CRASH_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount & 0xFFFF;
        var random = new Random(seed);
        var folder = Directory.CreateTempSubdirectory("kioskpos-server-crash-").FullName;
        var port = LoopbackPort.Next();
        var url = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var stopwatch = Stopwatch.StartNew();
        var starting = TimeSpan.Zero;
        Process province = await StartProvinceAsync(folder, url, http);
        var taken = 0L;
        try
        {
            using var admin = new HttpClient();
            admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ProvinceHost.AdminToken);
            await using var terminal = await TerminalHost.StartAsync(url, admin);
            for (var round = 0; round < kills; round++)
            {
                // Payments while the server is up (the sync pushes each at once)…
                taken += await PayForAsync(terminal, TimeSpan.FromMilliseconds(random.Next(100, 800)));
                province.Kill();
                await province.WaitForExitAsync();
                province.Dispose();

                // …and while it is down: still taken, queued.
                taken += await PayForAsync(terminal, TimeSpan.FromMilliseconds(random.Next(50, 500)));
                var restart = stopwatch.Elapsed;
                province = await StartProvinceAsync(folder, url, http);
                starting += stopwatch.Elapsed - restart;
            }

            await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(60));
            output.WriteLine($"seed {seed}: {taken} payments, {kills} server kills, {stopwatch.Elapsed.TotalSeconds:0.0} s; restarting the server to healthy {starting.TotalSeconds:0.0} s of it ({(kills == 0 ? 0 : starting.TotalMilliseconds / kills):0} ms a restart)");
            Assert.True(taken > kills);

            await using var server = new SqliteConnection($"Data Source={Path.Combine(folder, "province.db")};Pooling=False");
            await server.OpenAsync();
            await using var command = server.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await command.ExecuteScalarAsync());
            command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT id), SUM(amount) FROM payments WHERE terminal_id = 'KP-THCS-ND-01'";
            await using (var reader = await command.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                Assert.Equal(taken, reader.GetInt64(0));
                Assert.Equal(taken, reader.GetInt64(1));
                Assert.Equal(taken * 100, reader.GetInt64(2));
            }

            command.CommandText = "SELECT balance FROM accounts WHERE code = 'HS240001'";
            Assert.Equal(2_000_000 - (taken * 100), await command.ExecuteScalarAsync());
            command.CommandText = "SELECT COUNT(*) FROM alerts";
            Assert.Equal(0L, await command.ExecuteScalarAsync());
            var verification = await (await terminal.StaffAsync(StaffRole.Technician)).GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
            Assert.True(verification.GetProperty("ok").GetBoolean());
            command.CommandText = "SELECT acked_through FROM terminals WHERE id = 'KP-THCS-ND-01'";
            Assert.Equal(verification.GetProperty("lastSequence").GetInt64(), await command.ExecuteScalarAsync());
        }
        finally
        {
            if (!province.HasExited)
            {
                province.Kill();
            }

            province.Dispose();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<Process> StartProvinceAsync(string folder, Uri url, HttpClient http)
    {
        var process = Processes.Start("province-server/KioskPos.ProvinceServer", "kioskpos-province.dll",
            $"--urls={url}", $"--Province:DataDirectory={folder}", $"--Province:AdminToken={ProvinceHost.AdminToken}", "--Province:SeedDemoData=true",
            "--Logging:LogLevel:Default=Warning");
        await Processes.WaitHealthyAsync(http, new Uri(url, "/health").ToString(), process, poll: TimeSpan.FromMilliseconds(10));
        return process;
    }

    private static async Task<long> PayForAsync(TerminalHost terminal, TimeSpan duration)
    {
        var taken = 0L;
        var until = DateTime.UtcNow + duration;
        do
        {
            await terminal.TapAsync("04A1B2C3");
            using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount = 100 } } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            taken++;
        }
        while (DateTime.UtcNow < until);
        return taken;
    }
}
