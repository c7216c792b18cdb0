using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer;
using KioskPos.Sync;
using Microsoft.Data.Sqlite;
using Npgsql;

using KioskPos.Tests.Shared;

namespace KioskPos.Benchmarks;

/// <summary>
/// <c>make loadtest</c>: a province's worth of terminals at once. Each simulated terminal is enrolled (its own
/// device key), then pushes signed batches of card payments and pulls the deltas of its institution between them,
/// all terminals concurrently, against the province server on PostgreSQL (a durable throwaway cluster: fsync on)
/// and, as the baseline in the same run, on the embedded SQLite file. Prints journal entries ingested per second
/// and each endpoint's median and p99.
/// </summary>
internal static class LoadTest
{
    private const string AdminToken = "loadtest-admin";
    private const int AccountsUsed = 30;

    public static async Task<int> RunAsync(int terminals, int batches, int batchSize)
    {
        Console.WriteLine($"Load test: {terminals:N0} terminals × {batches} signed pushes of {batchSize} entries, a pull after each push; PostgreSQL (fsync on) and SQLite (synchronous=FULL).");
        var repository = RepositoryRoot.Find();
        var clusterFolder = Path.Combine(Path.GetTempPath(), "kioskpos-loadtest-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await PgCluster.StartAsync(repository, clusterFolder, LoopbackPort.Next(), durable: true);
        var results = new List<(string Engine, Result Result)>();
        try
        {
            var postgres = await PgCluster.DatabaseAsync(server, "loadtest");
            (postgres.MaxPoolSize, postgres.MaxAutoPrepare, postgres.AutoPrepareMinUsages, postgres.Host) = (64, 64, 2, clusterFolder);
            results.Add(("PostgreSQL", await RunOnceAsync(["--Province:Engine=Postgres", $"--Province:ConnectionString={postgres.ConnectionString}"], terminals, batches, batchSize)));
            results.Add(("SQLite (baseline)", await RunOnceAsync([], terminals, batches, batchSize)));
        }
        finally
        {
            PgCluster.Stop(repository, clusterFolder);
        }

        var baseline = results[^1].Result.EntriesPerSecond;
        Console.WriteLine();
        Console.WriteLine("| Engine | Terminals | Entries | Entries/s | Ratio to SQLite | Push median (ms) | Push p99 (ms) | Pull median (ms) | Pull p99 (ms) | Failed requests |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (engine, r) in results)
        {
            Console.WriteLine($"| {engine} | {terminals:N0} | {r.Entries:N0} | {r.EntriesPerSecond:N0} | {r.EntriesPerSecond / baseline:0.00} | " +
                $"{Stats.Percentile(r.Push, 0.5):0.0} | {Stats.Percentile(r.Push, 0.99):0.0} | {Stats.Percentile(r.Pull, 0.5):0.0} | {Stats.Percentile(r.Pull, 0.99):0.0} | {r.Failures} |");
        }

        Console.WriteLine();
        Console.WriteLine("Target (issue #9): ≥ 5,000 journal entries/s ingested on PostgreSQL on this machine.");
        return results.All(r => r.Result.Failures == 0) ? 0 : 1;
    }

    private sealed record Result(long Entries, double EntriesPerSecond, List<double> Push, List<double> Pull, int Failures);

    private static async Task<Result> RunOnceAsync(string[] storage, int terminals, int batches, int batchSize)
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-loadtest-").FullName;
        try
        {
            var province = ProvinceApp.Build([
                .. storage, "--urls=http://127.0.0.1:0", $"--Province:DataDirectory={folder}", $"--Province:AdminToken={AdminToken}", "--Province:SeedDemoData=true", "--Logging:LogLevel:Default=Warning",
                "--Province:Intake:EnrolPerMinute=0", "--Province:Intake:PushQueueLimit=4096"]); // every terminal enrols from loopback and pushes at once: measured, not turned away
            await province.StartAsync();
            var baseUrl = new Uri(province.Urls.First());
            var clients = await EnrolAsync(baseUrl, terminals, folder);

            var push = new ConcurrentBag<double>();
            var pull = new ConcurrentBag<double>();
            var failures = 0;
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select(async client =>
            {
                long sequence = 1;
                var prevHash = EntryCanonicalForm.GenesisHash;
                string? cursor = null;
                for (var b = 0; b < batches; b++)
                {
                    var entries = new List<JournalEntryDto>(batchSize);
                    for (var i = 0; i < batchSize; i++, sequence++)
                    {
                        var account = $"HS24{1 + (int)(sequence % AccountsUsed):D4}";
                        var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
                            Payment: new PaymentCreatedDto($"{client.Id}-{sequence:D8}", account, null, "card_balance", 1, [new AllocationDto($"BT-2611-{account}", 1)], null));
                        var hash = EntryCanonicalForm.ChainHash(prevHash, entry);
                        entries.Add(entry with { PrevHash = prevHash, Hash = hash });
                        prevHash = hash;
                    }

                    var started = Stopwatch.GetTimestamp();
                    using (var response = await client.Http.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(client.Id, entries), ContractsJsonContext.Default.PushRequest))
                    {
                        push.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }

                    started = Stopwatch.GetTimestamp();
                    using (var response = await client.Http.GetAsync($"{SyncProtocol.PullPath}?cursor={Uri.EscapeDataString(cursor ?? string.Empty)}"))
                    {
                        pull.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (response.IsSuccessStatusCode)
                        {
                            cursor = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PullResponse))!.Cursor;
                        }
                        else
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                }
            }));
            var seconds = stopwatch.Elapsed.TotalSeconds;
            var entriesTotal = (long)terminals * batches * batchSize;
            foreach (var (http, _) in clients)
            {
                http.Dispose();
            }

            await province.StopAsync();
            await province.DisposeAsync();
            return new Result(entriesTotal, entriesTotal / seconds, [.. push], [.. pull], failures);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<(HttpClient Http, string Id)>> EnrolAsync(Uri baseUrl, int terminals, string folder)
    {
        Console.WriteLine($"Enrolling {terminals:N0} terminals…");
        var clients = new ConcurrentBag<(HttpClient Http, string Id)>();

        // One connection pool for all simulated terminals, as many sockets as a province's terminals would open.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var admin = new HttpClient { BaseAddress = baseUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        await Parallel.ForEachAsync(Enumerable.Range(0, terminals), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (t, ct) =>
        {
            var id = $"KP-LOAD-{t:D4}";
            using var issued = await admin.PostAsJsonAsync("/api/v1/admin/enrolment-codes", new { institutionId = "TG-THCS-NGUYENDU", terminalId = id }, ct);
            issued.EnsureSuccessStatusCode();
            var code = (await issued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("code").GetString()!;
            var keyFolder = Path.Combine(folder, id);
            await DeviceIdentity.EnrolAsync(baseUrl, code, keyFolder, admin, ct);
            var key = DeviceIdentity.LoadKey(Path.Combine(keyFolder, DeviceIdentity.KeyFileName));
            clients.Add((new HttpClient(new RequestSigner(() => (key, id), TimeProvider.System) { InnerHandler = handler }, disposeHandler: false) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(5) }, id));
        });
        return [.. clients];
    }
}
