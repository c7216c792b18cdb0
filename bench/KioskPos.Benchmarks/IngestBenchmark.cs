using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer;
using KioskPos.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace KioskPos.Benchmarks;

/// <summary>
/// End to end: many enrolled terminals push signed batches to one province server on loopback at the same time.
/// Prints entries per second and the latency of a push (median, p99), against the same pushes made one terminal
/// at a time in the same run as the baseline.
/// </summary>
internal static class IngestBenchmark
{
    private const string AdminToken = "ingest-bench-admin";

    public static async Task<int> RunAsync(int terminals, int batches, int batchSize)
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-ingest-").FullName;
        try
        {
            var province = ProvinceApp.Build([
                "--urls=http://127.0.0.1:0", $"--Province:DataDirectory={folder}", $"--Province:AdminToken={AdminToken}", "--Province:SeedDemoData=true", "--Logging:LogLevel:Default=Warning",
                "--Province:Intake:EnrolPerMinute=0"]); // 201 terminals enrol from loopback
            await province.StartAsync();
            var baseUrl = new Uri(province.Urls.First());
            Console.WriteLine($"Enrolling {terminals + 1} terminals…");
            var clients = new List<(HttpClient Http, string Id)>();
            using (var admin = new HttpClient { BaseAddress = baseUrl })
            {
                admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
                for (var t = 0; t <= terminals; t++)
                {
                    var id = $"KP-BENCH-{t:D4}";
                    using var issued = await admin.PostAsJsonAsync("/api/v1/admin/enrolment-codes", new { institutionId = "TG-THCS-NGUYENDU", terminalId = id });
                    var code = (await issued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString()!;
                    var keyFolder = Path.Combine(folder, id);
                    await DeviceIdentity.EnrolAsync(baseUrl, code, keyFolder, admin, CancellationToken.None);
                    var key = DeviceIdentity.LoadKey(Path.Combine(keyFolder, DeviceIdentity.KeyFileName));
                    clients.Add((new HttpClient(new RequestSigner(() => (key, id), TimeProvider.System) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = baseUrl }, id));
                }
            }

            // Baseline: one terminal pushing alone, the same batches.
            var (soloSeconds, soloLatencies) = await PushAllAsync(clients.Take(1).ToList(), batches * 4, batchSize);
            var soloRate = batches * 4 * batchSize / soloSeconds;

            var (seconds, latencies) = await PushAllAsync(clients.Skip(1).ToList(), batches, batchSize);
            var entries = terminals * batches * batchSize;
            var rate = entries / seconds;
            Console.WriteLine();
            Console.WriteLine("| Run | Terminals | Entries | Entries/s | Push median (ms) | Push p99 (ms) | Ratio to one terminal |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| one terminal alone (baseline) | 1 | {batches * 4 * batchSize:N0} | {soloRate:N0} | {Stats.Percentile(soloLatencies, 0.5):0.0} | {Stats.Percentile(soloLatencies, 0.99):0.0} | 1.00 |");
            Console.WriteLine($"| concurrent signed pushes | {terminals} | {entries:N0} | {rate:N0} | {Stats.Percentile(latencies, 0.5):0.0} | {Stats.Percentile(latencies, 0.99):0.0} | {rate / soloRate:0.00} |");
            foreach (var (http, _) in clients)
            {
                http.Dispose();
            }

            await province.StopAsync();
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(double Seconds, List<double> LatenciesMs)> PushAllAsync(List<(HttpClient Http, string Id)> clients, int batches, int batchSize)
    {
        var latencies = new List<double>();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async client =>
        {
            long sequence = 1;
            var prevHash = EntryCanonicalForm.GenesisHash;
            for (var b = 0; b < batches; b++)
            {
                var entries = new List<JournalEntryDto>(batchSize);
                for (var i = 0; i < batchSize; i++, sequence++)
                {
                    var account = $"HS24{1 + (int)(sequence % 30):D4}";
                    var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
                        Payment: new PaymentCreatedDto($"{client.Id}-{sequence:D8}", account, null, "card_balance", 1, [new AllocationDto($"BT-2611-{account}", 1)], null));
                    var hash = EntryCanonicalForm.ChainHash(prevHash, entry);
                    entries.Add(entry with { PrevHash = prevHash, Hash = hash });
                    prevHash = hash;
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await client.Http.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(client.Id, entries), ContractsJsonContext.Default.PushRequest);
                response.EnsureSuccessStatusCode();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                }
            }
        }));
        return (stopwatch.Elapsed.TotalSeconds, latencies);
    }
}
