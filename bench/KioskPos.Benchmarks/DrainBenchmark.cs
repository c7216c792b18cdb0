using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KioskPos.Benchmarks;

/// <summary>
/// End to end: a terminal holding a backlog of queued payments (a long outage) drains it to a real province
/// server on loopback through the real sync worker. Prints entries per second and the time against the target
/// (100,000 entries in under 30 s).
/// </summary>
internal static class DrainBenchmark
{
    private const string AdminToken = "drain-bench-admin";

    public static async Task<int> RunAsync(int entries)
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-drain-").FullName;
        try
        {
            var province = ProvinceApp.Build([
                "--urls=http://127.0.0.1:0", $"--Province:DataDirectory={folder}/province",
                $"--Province:AdminToken={AdminToken}", "--Province:SeedDemoData=true", "--Logging:LogLevel:Default=Warning"]);
            await province.StartAsync();
            var baseUrl = new Uri(province.Urls.First());

            var database = TerminalSchema.Open(Path.Combine(folder, "terminal", "terminal.db"));
            await database.MigrateAsync();
            // Enrol as a technician would: a one-time code from the administrator, then the terminal's own enrolment.
            var terminalFolder = Path.Combine(folder, "terminal");
            using (var admin = new HttpClient { BaseAddress = baseUrl })
            {
                admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
                using var issued = await admin.PostAsJsonAsync("/api/v1/admin/enrolment-codes", new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-01" });
                var code = (await issued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString()!;
                await DeviceIdentity.EnrolAsync(baseUrl, code, terminalFolder, admin, CancellationToken.None);
            }

            var options = Options.Create(new SyncOptions { BaseUrl = baseUrl, TerminalId = "KP-THCS-ND-01", KeyPath = Path.Combine(terminalFolder, DeviceIdentity.KeyFileName) }); // the pinned province key is beside it
            var clock = new SyncedClock(TimeProvider.System);
            using var key = DeviceIdentity.LoadKey(Path.Combine(terminalFolder, DeviceIdentity.KeyFileName));
            using var http = new HttpClient(new RequestSigner(() => (key, "KP-THCS-ND-01"), clock) { InnerHandler = new HttpClientHandler() });
            var client = new ProvinceClient(http, options, clock, NullLogger<ProvinceClient>.Instance);
            var worker = new SyncWorker(client, new OutboxStore(database, clock), new CatalogueStore(database), new SettingsStore(database), new SyncSignal(), options, NullLogger<SyncWorker>.Instance);
            await worker.RunRoundAsync(CancellationToken.None); // the first pull: the school's pupils and bills

            Console.WriteLine($"Queuing {entries:N0} payments (1 ₫ each, the backlog of a long outage)…");
            await QueueAsync(database, entries);

            var stopwatch = Stopwatch.StartNew();
            var pushed = 0;
            while (true)
            {
                var round = await worker.RunRoundAsync(CancellationToken.None);
                if (round.Error is not null)
                {
                    Console.Error.WriteLine($"drain failed: {round.Error}");
                    return 1;
                }

                pushed += round.Pushed;
                if (round.Pushed == 0)
                {
                    break;
                }
            }

            stopwatch.Stop();
            var seconds = stopwatch.Elapsed.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine("| Run | Entries | Seconds | Entries/s | Target (s) | Time / target |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| drain to the province server (loopback, batches of {options.Value.MaxBatchEntries}) | {pushed:N0} | {seconds:0.00} | {pushed / seconds:N0} | {30.0 * entries / 100_000:0.0} | {seconds / (30.0 * entries / 100_000):0.00} |");
            await province.StopAsync();
            return pushed == entries ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task QueueAsync(SqliteDatabase database, int entries)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginTransaction(deferred: false);
        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, default);
        for (var i = 0; i < entries; i++, sequence++)
        {
            var id = $"KP-THCS-ND-01-{sequence:D8}";
            var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
                Payment: new PaymentCreatedDto(id, "HS240001", "04A1B2C3", "card_balance", 1, [new AllocationDto("BT-2611-HS240001", 1)], null));
            await Journal.AppendAsync(connection, transaction, entry, prevHash, id, default);
            prevHash = Journal.ChainHash(prevHash, entry);
        }

        await transaction.CommitAsync();
    }
}
