using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The province's writes on SQLite go through one writer lane (no request meets SQLite's busy sleep), and a signed
/// request's nonce is held in memory and written a second's worth at a time, not once per request — still refused
/// when replayed after a restart within its window, and bounded per terminal under a flood.
/// </summary>
public class WriterLaneTests
{
    private static async Task<ProblemDto> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;

    [Fact]
    public async Task Concurrent_signed_pushes_and_card_authorisations_never_find_the_write_lock_held()
    {
        await using var province = await ProvinceHost.StartAsync();
        var database = province.App.Services.GetRequiredService<ProvinceDatabase>();
        var clients = new List<(HttpClient Http, string Id)>();
        for (var t = 1; t <= 6; t++)
        {
            var id = $"KP-LANE-{t:D2}";
            clients.Add((await province.SignedClientAsync(id), id));
        }

        var before = database.WriterCounters!;
        var failures = 0;
        await Task.WhenAll(clients.Select(async client =>
        {
            long sequence = 1;
            var prevHash = EntryCanonicalForm.GenesisHash;
            for (var b = 0; b < 8; b++)
            {
                var entries = new List<JournalEntryDto>();
                for (var i = 0; i < 10; i++, sequence++)
                {
                    var account = $"HS24{1 + (int)(sequence % 20):D4}";
                    var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
                        Payment: new PaymentCreatedDto($"{client.Id}-{sequence:D8}", account, null, "card_balance", 1, [new AllocationDto($"BT-2611-{account}", 1)], null));
                    var hash = EntryCanonicalForm.ChainHash(prevHash, entry);
                    entries.Add(entry with { PrevHash = prevHash, Hash = hash });
                    prevHash = hash;
                }

                using var pushed = await client.Http.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(client.Id, entries), ContractsJsonContext.Default.PushRequest);
                using var authorised = await client.Http.PostAsJsonAsync(SyncProtocol.AuthorisePath, new AuthoriseRequest("HS240001", "04A1B2C3", 100), ContractsJsonContext.Default.AuthoriseRequest);
                using var pulled = await client.Http.GetAsync(SyncProtocol.PullPath);
                if (!pushed.IsSuccessStatusCode || !authorised.IsSuccessStatusCode || !pulled.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));

        var after = database.WriterCounters!;
        Assert.Equal(0, failures);
        Assert.True(after.Writes - before.Writes >= 8, $"the pushes wrote through the lane ({after.Writes - before.Writes} writes)");
        Assert.Equal(before.BusySeen, after.BusySeen); // no writer found SQLite's lock taken: none reached the busy sleep
        Assert.Equal(6 * 8 * 10L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM journal_entries WHERE terminal_id LIKE 'KP-LANE-%'")));
    }

    [Fact]
    public async Task Signed_requests_write_nothing_each_and_their_nonces_reach_the_file_in_one_commit_a_second()
    {
        await using var province = await ProvinceHost.StartAsync();
        var database = province.App.Services.GetRequiredService<ProvinceDatabase>();
        var nonces = province.App.Services.GetRequiredService<RequestNonces>();
        using var http = await province.SignedClientAsync("KP-LANE-NONCE");
        (await http.GetAsync(SyncProtocol.PullPath)).EnsureSuccessStatusCode();
        await Wait.UntilAsync(() => Task.FromResult(nonces.Pending == 0), TimeSpan.FromSeconds(10), "the first nonce written");

        var writes = database.WriterCounters!.Writes;
        var flushes = nonces.Flushes;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 40; i++)
        {
            using var answer = await http.PostAsJsonAsync(SyncProtocol.AuthorisePath, new AuthoriseRequest("HS240001", "04A1B2C3", 100), ContractsJsonContext.Default.AuthoriseRequest);
            answer.EnsureSuccessStatusCode();
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var written = database.WriterCounters!.Writes - writes;
        Assert.True(written <= Math.Ceiling(seconds / RequestNonceWriter.Interval.TotalSeconds) + 1,
            $"40 authorisations in {seconds:0.0} s wrote {written} times: the nonces go in one commit a second, not one each");
        // Pending is 0 as soon as a flush has taken the batch, before its commit: wait for the rows in the file.
        await Wait.UntilAsync(async () => nonces.Flushes > flushes
            && Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM request_nonces WHERE terminal_id = 'KP-LANE-NONCE'")) >= 41,
            TimeSpan.FromSeconds(10), "the 41 nonces in the file");
        Assert.NotNull(await province.ScalarAsync("SELECT last_seen_at FROM terminals WHERE id = 'KP-LANE-NONCE'"));
    }

    [Theory]
    [InlineData(ProvinceEngine.Sqlite)]
    [InlineData(ProvinceEngine.Postgres)]
    public async Task A_request_replayed_after_the_server_restarts_within_its_window_is_refused(ProvinceEngine engine)
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-province-").FullName;
        try
        {
            var province = await ProvinceHost.StartAsync(folder, engine: engine);
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var code = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-01", "TG-THCS-NGUYENDU");
            using (var enrol = new HttpClient { BaseAddress = province.BaseUrl })
            {
                (await enrol.PostAsJsonAsync(SyncProtocol.EnrolPath, new EnrolRequest(code, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())), ContractsJsonContext.Default.EnrolRequest)).EnsureSuccessStatusCode();
            }

            var now = DateTimeOffset.UtcNow;
            var nonce = RequestSignature.NewNonce();
            using (var original = await SendSignedAsync(province.BaseUrl, key, now, nonce))
            {
                Assert.Equal(HttpStatusCode.OK, original.StatusCode);
            }

            using (var replay = await SendSignedAsync(province.BaseUrl, key, now, nonce))
            {
                Assert.Equal((HttpStatusCode.Unauthorized, "replayed"), (replay.StatusCode, (await ProblemAsync(replay)).Code));
            }

            await province.DisposeAsync(); // stopping writes the nonces held in memory

            await using var restarted = await ProvinceHost.StartAsync(folder, engine: engine);
            using (var replay = await SendSignedAsync(restarted.BaseUrl, key, now, nonce))
            {
                Assert.Equal((HttpStatusCode.Unauthorized, "replayed"), (replay.StatusCode, (await ProblemAsync(replay)).Code));
            }

            using var fresh = await SendSignedAsync(restarted.BaseUrl, key, DateTimeOffset.UtcNow, RequestSignature.NewNonce());
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
            Assert.NotNull(await restarted.ScalarAsync("SELECT last_seen_at FROM terminals WHERE id = 'KP-THCS-ND-01'")); // written with the nonces
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_flood_of_signed_requests_is_held_to_the_bound_per_terminal_and_other_terminals_go_on()
    {
        await using var province = await ProvinceHost.StartAsync();
        var nonces = province.App.Services.GetRequiredService<RequestNonces>();
        using var flooding = await province.SignedClientAsync("KP-LANE-FLOOD");
        using var other = await province.SignedClientAsync("KP-LANE-OTHER");

        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var sent = RequestNonces.MaxPerTerminal + 100;
        await Parallel.ForEachAsync(Enumerable.Range(0, sent), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var answer = await flooding.GetAsync(SyncProtocol.ConfirmationsPath + "?after=0&wait=0", ct);
            statuses.Add(answer.StatusCode);
        });

        Assert.True(nonces.HeldFor("KP-LANE-FLOOD") <= RequestNonces.MaxPerTerminal, $"{nonces.HeldFor("KP-LANE-FLOOD")} nonces held");
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 100, string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
        using var refused = await flooding.GetAsync(SyncProtocol.PullPath);
        Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_requests"), (refused.StatusCode, (await ProblemAsync(refused)).Code));
        using var unaffected = await other.GetAsync(SyncProtocol.PullPath);
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendSignedAsync(Uri province, ECDsa key, DateTimeOffset created, string nonce)
    {
        var bytes = Encoding.UTF8.GetBytes("{\"accountCode\":\"HS240001\",\"cardUid\":\"04A1B2C3\",\"amount\":100}");
        var digest = RequestSignature.ContentDigest(bytes);
        var parameters = RequestSignature.Parameters(created, nonce, "KP-THCS-ND-01");
        var signature = RequestSignature.Sign(key, RequestSignature.SignatureBase("POST", SyncProtocol.AuthorisePath, string.Empty, digest, parameters));
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(province, SyncProtocol.AuthorisePath)) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Content-Digest", digest);
        request.Headers.TryAddWithoutValidation("Signature-Input", $"sig1={parameters}");
        request.Headers.TryAddWithoutValidation("Signature", $"sig1=:{signature}:");
        using var http = new HttpClient();
        return await http.SendAsync(request);
    }
}
