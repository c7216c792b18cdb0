using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>Run alone: the flood test measures the process's memory, which other tests running beside it would move.</summary>
[CollectionDefinition(nameof(IntakeAttackTests), DisableParallelization = true)]
public sealed class IntakeAttackCollection;

/// <summary>
/// Issue 18, authenticate before reading: the bank webhook and the sync endpoints refuse what nobody signed before
/// reading its body, bound what they read, keep no body of a refused delivery, bound the push queue, limit the rate
/// of webhooks and enrolments per address, and bound amounts the same way on every path.
/// </summary>
[Collection(nameof(IntakeAttackTests))]
[Trait("Category", "Attack")]
public sealed class IntakeAttackTests
{
    private const int Mb16 = 16 * 1024 * 1024;
    private static readonly byte[] s_junk = Enumerable.Repeat((byte)'x', 64 * 1024).ToArray();
    private static readonly string[] s_payers = ["HS240001", "HS240002", "HS240004", "HS240005", "HS240006"];

    [Fact]
    [Attack("1,000 unsigned 8 KB webhook posts and 200 unsigned 16 MB sync posts",
        "all refused 401 before the body is read; the database grows < 100 KB and the server's memory stays bounded")]
    public async Task A_flood_of_unsigned_posts_costs_neither_database_nor_memory()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:WebhookPerMinute=0"]); // the flood reaches the signature check, not the rate limit
        using var http = new HttpClient { BaseAddress = province.BaseUrl };
        using (var warm = await http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var refusals = province.App.Services.GetRequiredService<RefusedDeliveries>();
        await refusals.FlushAsync(CancellationToken.None);
        var dbBefore = DatabaseBytes(province);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        long peak = workingSetBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var self = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
                await Task.Delay(20, CancellationToken.None);
            }
        });

        var stopwatch = Stopwatch.StartNew();
        var body8k = new byte[8 * 1024];
        Array.Fill(body8k, (byte)'{');
        var webhookStatuses = new int[1000];
        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, SyncProtocol.BankNotificationsPath) { Content = new ByteArrayContent(body8k) };
            request.Headers.TryAddWithoutValidation(BankSignature.ConnectionHeader, ProvinceHost.BankConnection);
            request.Headers.TryAddWithoutValidation(BankSignature.TimestampHeader, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            if (i % 2 == 1)
            {
                // Every other one carries a signature of the right shape, so its 8 KB are read and the HMAC fails.
                request.Headers.TryAddWithoutValidation(BankSignature.SignatureHeader, "sha256=" + new string('0', 64));
            }

            using var response = await http.SendAsync(request, ct);
            webhookStatuses[i] = (int)response.StatusCode;
        });
        var webhookSeconds = stopwatch.Elapsed.TotalSeconds;

        stopwatch.Restart();
        var syncResults = new (int Status, long Sent, bool Early)[200];
        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            syncResults[i] = await RawPostAsync(province.BaseUrl, SyncProtocol.PushPath, [], Mb16, pushOn: i % 10 == 0));
        var syncSeconds = stopwatch.Elapsed.TotalSeconds;

        await sampling.CancelAsync();
        await sampler;
        await refusals.FlushAsync(CancellationToken.None);
        var dbGrowth = DatabaseBytes(province) - dbBefore;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        AttackReport.Measured(this,
            $"database +{dbGrowth / 1024.0:F1} KB (db+wal+shm); working set {workingSetBefore / 1048576.0:F0} MB before, peak {peak / 1048576.0:F0} MB (+{(peak - workingSetBefore) / 1048576.0:F0} MB); " +
            $"managed heap {heapBefore / 1048576.0:F0} -> {heapAfter / 1048576.0:F0} MB; 1,000 webhooks in {webhookSeconds:F1} s, 200 x 16 MB sync posts in {syncSeconds:F1} s " +
            $"each answered 401 after its headers and first 64 KB ({syncResults.Count(r => r.Early)} of 200 before the rest was sent); " +
            $"the 20 that sent on regardless were cut off after {syncResults.Where((_, i) => i % 10 == 0).Average(r => r.Sent) / 1048576.0:F1} MB on average (socket buffers included)");

        Assert.All(webhookStatuses, s => Assert.Equal(401, s));
        Assert.All(syncResults, r => Assert.Equal((401, true), (r.Status, r.Early)));
        Assert.All(syncResults.Where((_, i) => i % 10 == 0), r => Assert.True(r.Sent < 12 * 1024 * 1024, $"{r.Sent} of 16 MB taken before the connection was cut"));
        Assert.True(dbGrowth < 100 * 1024, $"the database grew {dbGrowth} bytes");
        Assert.True(peak - workingSetBefore < 200L * 1024 * 1024, $"the working set rose {(peak - workingSetBefore) / 1048576} MB");
        Assert.True(heapAfter - heapBefore < 50L * 1024 * 1024, $"the managed heap kept {(heapAfter - heapBefore) / 1048576} MB");

        // All 1,000 are counted, by reason, without a byte of their bodies.
        var rows = await refusals.ListAsync(100, CancellationToken.None);
        Assert.Equal(1000, rows.Sum(r => r.Deliveries));
        Assert.Equal(500, rows.Where(r => r.Reason == "unsigned").Sum(r => r.Deliveries));
        Assert.Equal(500, rows.Where(r => r.Reason == "bad_signature").Sum(r => r.Deliveries));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_deliveries WHERE authentic = 0 OR body LIKE '{{{%'"), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Attack("A signed-looking 16 MB bank notification, declared and chunked", "413 after at most 64 KB is read; the connection is closed")]
    public async Task An_oversize_webhook_is_refused_without_being_read()
    {
        await using var province = await ProvinceHost.StartAsync();
        string[] headers = [
            $"{BankSignature.ConnectionHeader}: {ProvinceHost.BankConnection}",
            $"{BankSignature.TimestampHeader}: {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}",
            $"{BankSignature.SignatureHeader}: sha256={new string('a', 64)}",
        ];

        // Declared: answered on the headers, before a byte of the body.
        var declared = await RawPostAsync(province.BaseUrl, SyncProtocol.BankNotificationsPath, headers, Mb16, beforeWaiting: 0);
        Assert.Equal((413, true, 0L), (declared.Status, declared.Early, declared.Sent));

        // A sender who ignores the answer and sends on is cut off: the server does not drain the 16 MB.
        var pushing = await RawPostAsync(province.BaseUrl, SyncProtocol.BankNotificationsPath, headers, Mb16, beforeWaiting: 0, pushOn: true);
        Assert.Equal((413, true), (pushing.Status, pushing.Early));
        Assert.True(pushing.Sent < 12 * 1024 * 1024, $"{pushing.Sent} of 16 MB taken before the connection was cut");

        // Chunked (no length said): answered once the bound is passed, with 15.9 MB still unsent.
        var chunked = await RawPostAsync(province.BaseUrl, SyncProtocol.BankNotificationsPath, headers, Mb16, beforeWaiting: 128 * 1024, chunked: true, pushOn: true);
        Assert.Equal((413, true), (chunked.Status, chunked.Early));
        Assert.True(chunked.Sent < 12 * 1024 * 1024, $"{chunked.Sent} of 16 MB taken before the connection was cut");

        var rows = await province.App.Services.GetRequiredService<RefusedDeliveries>().ListAsync(10, CancellationToken.None);
        var tooLarge = Assert.Single(rows, r => r.Reason == "too_large");
        Assert.Equal(3, tooLarge.Deliveries);
    }

    [Fact]
    [Attack("A bank notification with a payer's name and a wrong signature", "401; counted in the refusal summary (time, connection, reason, source, length), its body stored nowhere")]
    public async Task A_refused_delivery_is_summarised_without_its_body()
    {
        await using var province = await ProvinceHost.StartAsync();
        const string Marker = "NGUYEN VAN BI MAT 7351";
        using var refused = await province.NotifyAsync(150_000, Marker, secret: "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var rows = await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/bank/refusals");
        var row = Assert.Single(rows!);
        Assert.Equal(("bad_signature", ProvinceHost.BankConnection, "127.0.0.1", 1L), (row.GetProperty("reason").GetString(), row.GetProperty("connectionId").GetString(),
            row.GetProperty("source").GetString(), row.GetProperty("deliveries").GetInt64()));
        Assert.True(row.GetProperty("bytes").GetInt64() > Marker.Length);
        Assert.False(row.TryGetProperty("body", out _));

        // Nowhere in the database's files: not in a table, not in the write-ahead log.
        var deliveries = await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/bank/deliveries");
        Assert.Empty(deliveries!);
        var marker = Encoding.UTF8.GetBytes(Marker);
        foreach (var file in DatabaseFilesOf(province))
        {
            var bytes = await DatabaseFiles.ReadSharedAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(marker) < 0, $"{Path.GetFileName(file)} holds the refused body");
        }
    }

    [Fact]
    [Attack("A flood of webhook posts from one address", "429 with Retry-After once the address's minute is used up, before the body is read")]
    public async Task A_webhook_flood_from_one_address_is_rate_limited()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:WebhookPerMinute=5"]);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await province.NotifyAsync(1_000, "x", secret: "wrong");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        var rows = await province.App.Services.GetRequiredService<RefusedDeliveries>().ListAsync(10, CancellationToken.None);
        Assert.Equal(3, rows.Single(r => r.Reason == "rate_limited").Deliveries);
    }

    [Fact]
    [Attack("Guessing enrolment codes from one address", "429 with Retry-After after the address's attempts for the minute")]
    public async Task An_enrolment_flood_is_rate_limited()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:EnrolPerMinute=5"]);
        using var http = new HttpClient { BaseAddress = province.BaseUrl };
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        var codes = new List<(HttpStatusCode Status, string? Code, TimeSpan? RetryAfter)>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, new EnrolRequest($"AAAA-{i:D4}", publicKey), ContractsJsonContext.Default.EnrolRequest);
            var problem = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto);
            codes.Add((response.StatusCode, problem?.Code, response.Headers.RetryAfter?.Delta));
        }

        Assert.All(codes.Take(5), c => Assert.Equal((HttpStatusCode.BadRequest, "unknown_code"), (c.Status, c.Code)));
        Assert.All(codes.Skip(5), c => Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_requests"), (c.Status, c.Code)));
        Assert.All(codes.Skip(5), c => Assert.True(c.RetryAfter > TimeSpan.Zero));
    }

    [Fact]
    [Attack("Guessing enrolment codes from a new IPv6 address inside one /64 for each", "the /64 is one source: 429 past its attempts for the minute; another /64 has its own")]
    public async Task An_enrolment_flood_from_rotating_ipv6_addresses_inside_one_64_is_one_source()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:EnrolPerMinute=5"], configure: builder => RemoteAddressFromHeader.AddTo(builder.Services));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        async Task<HttpStatusCode> EnrolFromAsync(string address, int attempt)
        {
            using var http = RemoteAddressFromHeader.Client(province.BaseUrl, address);
            using var response = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, new EnrolRequest($"AAAA-{attempt:D4}", publicKey), ContractsJsonContext.Default.EnrolRequest);
            return response.StatusCode;
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await EnrolFromAsync($"2001:db8:4:4:{i + 1:x}::{i * 13:x}", i));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, 5), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 7)], statuses);
        Assert.Equal(HttpStatusCode.BadRequest, await EnrolFromAsync("2001:db8:4:5::1", 12));
    }

    [Fact]
    [Attack("Guessing enrolment codes from more addresses than the limit keeps budgets for (cap set to 3 sources)",
        "the addresses past the cap share one budget: 429 with Retry-After once it is used up, saying many addresses are sending; the first 3 keep their own")]
    public async Task Enrolments_from_more_sources_than_the_cap_share_one_budget()
    {
        const int Cap = 3;
        const int Limit = 2;
        await using var province = await ProvinceHost.StartAsync(settings: [$"--Province:Intake:EnrolPerMinute={Limit}", $"--Province:Intake:MaxSources={Cap}"],
            configure: builder => RemoteAddressFromHeader.AddTo(builder.Services));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        async Task<(HttpStatusCode Status, ProblemDto? Problem, TimeSpan? RetryAfter)> EnrolFromAsync(string address, int attempt)
        {
            using var http = RemoteAddressFromHeader.Client(province.BaseUrl, address);
            using var response = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, new EnrolRequest($"AAAA-{attempt:D4}", publicKey), ContractsJsonContext.Default.EnrolRequest);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto), response.Headers.RetryAfter?.Delta);
        }

        // One attempt from each of 6 addresses: 3 take the places, the next 2 use up the shared budget, the sixth is refused.
        var answers = new List<(HttpStatusCode Status, ProblemDto? Problem, TimeSpan? RetryAfter)>();
        for (var i = 1; i <= 6; i++)
        {
            answers.Add(await EnrolFromAsync($"2001:db8:{i:x}::1", i));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, Cap + Limit), HttpStatusCode.TooManyRequests], answers.Select(a => a.Status));
        var refused = answers[^1];
        Assert.Equal("too_many_requests", refused.Problem?.Code);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
        Assert.Equal(KioskPos.Core.Text.Messages.Vi("province.problem.too_many_requests.intake.overflow"), refused.Problem?.Title);
        Assert.DoesNotContain("one address", refused.Problem?.Detail, StringComparison.Ordinal);

        // A seventh address shares the used-up budget; the first still has its own second attempt.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await EnrolFromAsync("192.0.2.77", 7)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await EnrolFromAsync("2001:db8:1::2", 8)).Status);
    }

    [Fact]
    [Attack("A 16 MB enrolment body", "413 before it is read")]
    public async Task An_oversize_enrolment_is_refused_unread()
    {
        await using var province = await ProvinceHost.StartAsync();
        var result = await RawPostAsync(province.BaseUrl, SyncProtocol.EnrolPath, [], Mb16, beforeWaiting: 0);
        Assert.Equal((413, true), (result.Status, result.Early));
    }

    [Fact]
    [Attack("An enrolled terminal's signed push declaring 16 MB, and one whose body is not what it signed",
        "413 before the body is read past the push bound; 401 body_changed, nothing stored")]
    public async Task A_signed_push_is_bounded_and_its_body_must_match_its_digest()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:PushMaxBytes=65536"]);
        var code = await Enrolment.IssueCodeAsync(province.Admin, province.BaseUrl, "KP-THCS-ND-07", DemoData.SchoolId);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var http = new HttpClient { BaseAddress = province.BaseUrl })
        using (var enrol = await http.PostAsJsonAsync(SyncProtocol.EnrolPath, new EnrolRequest(code, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())), ContractsJsonContext.Default.EnrolRequest))
        {
            Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        }

        // Signed over a digest the sender claims; the server checks the headers, then refuses the size unread.
        var large = await RawPostAsync(province.BaseUrl, SyncProtocol.PushPath, SignatureHeaders(key, "KP-THCS-ND-07", RequestSignature.ContentDigest("{}"u8)), Mb16, beforeWaiting: 0);
        Assert.Equal((413, true), (large.Status, large.Early));

        // Chunked, no length said: refused once it passes the bound (64 KB here), the rest unsent.
        var chunked = await RawPostAsync(province.BaseUrl, SyncProtocol.PushPath, SignatureHeaders(key, "KP-THCS-ND-07", RequestSignature.ContentDigest("{}"u8)), Mb16, beforeWaiting: 192 * 1024, chunked: true);
        Assert.Equal((413, true), (chunked.Status, chunked.Early));

        // Within the bound but not the body signed: refused, and no entry stored.
        var entry = CardPayment("KP-THCS-ND-07", 1, 10_000);
        var signed = JsonSerializer.SerializeToUtf8Bytes(new PushRequest("KP-THCS-ND-07", [entry]), ContractsJsonContext.Default.PushRequest);
        var sent = JsonSerializer.SerializeToUtf8Bytes(new PushRequest("KP-THCS-ND-07", [entry with { CreatedAt = entry.CreatedAt.AddSeconds(1) }]), ContractsJsonContext.Default.PushRequest);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(province.BaseUrl, SyncProtocol.PushPath)) { Content = new ByteArrayContent(sent) };
        foreach (var header in SignatureHeaders(key, "KP-THCS-ND-07", RequestSignature.ContentDigest(signed)))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 2)..]);
        }

        using (var client = new HttpClient())
        using (var changed = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, changed.StatusCode);
            Assert.Equal("body_changed", (await changed.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM journal_entries WHERE terminal_id = 'KP-THCS-ND-07'"), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Attack("Many terminals pushing large batches at once past the push queue's bound", "503 queue_full with Retry-After; the refused batches, pushed again, are stored once")]
    public async Task A_full_push_queue_answers_503_with_retry_after_and_nothing_is_lost()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:PushQueueLimit=1", "--Province:Intake:RetryAfterSeconds=3"]);
        var terminals = Enumerable.Range(1, 12).Select(i => $"KP-DONG-{i:D2}").ToList();
        var clients = new Dictionary<string, HttpClient>();
        foreach (var id in terminals)
        {
            clients[id] = await province.SignedClientAsync(id, DemoData.SchoolId);
        }

        var batches = terminals.ToDictionary(id => id, id => CardBatch(id, 400));

        // Each terminal's first signed request writes its first-seen time at once (TerminalRegistry), a write the
        // held lock below would hold in authentication — before the queue is ever asked. One pull each first, so the
        // pushes below reach the queue while the writer is held (CI saw all 12 wait in authentication for the 20 s,
        // then race each other to the queue once let go: 9 or 10 refused).
        foreach (var id in terminals)
        {
            using var pull = await clients[id].GetAsync($"{SyncProtocol.PullPath}?limit=1");
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }

        // The writer is held (an outside write lock on the file, as a backup tool or a long report would hold it), so
        // the first push is taken and waits, the second waits in the queue of one, and the others find it full —
        // whatever the machine's speed (CI saw all 12 written one by one, none refused, when left to timing).
        await using var outsider = new SqliteConnection($"Data Source={Path.Combine(province.Folder, "province.db")};Pooling=False");
        await outsider.OpenAsync();
        await using (var hold = outsider.CreateCommand())
        {
            hold.CommandText = "BEGIN IMMEDIATE";
            await hold.ExecuteNonQueryAsync();
        }

        var pushes = terminals.Select(async id =>
        {
            using var response = await clients[id].PostAsJsonAsync(SyncProtocol.PushPath, batches[id], ContractsJsonContext.Default.PushRequest);
            var problem = response.IsSuccessStatusCode ? null : await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto);
            return (Id: id, response.StatusCode, problem?.Code, RetryAfter: response.Headers.RetryAfter?.Delta, At: DateTime.UtcNow);
        }).ToList();

        // Let go once ten have been answered (the refused ones answer at once), or after 25 s (the writer waits 30).
        var deadline = Task.Delay(TimeSpan.FromSeconds(25));
        while (pushes.Count(p => p.IsCompleted) < terminals.Count - 2 && !deadline.IsCompleted)
        {
            await Task.WhenAny(pushes.Where(p => !p.IsCompleted).Append(deadline));
        }

        var answeredWhileHeld = pushes.Count(p => p.IsCompleted);
        var releasedAt = DateTime.UtcNow;

        await using (var release = outsider.CreateCommand())
        {
            release.CommandText = "ROLLBACK";
            await release.ExecuteNonQueryAsync();
        }

        var answers = await Task.WhenAll(pushes);
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{a.Id}: {a.StatusCode} {a.Code}"));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.All(refused, a => Assert.Equal(("queue_full", TimeSpan.FromSeconds(3)), (a.Code, a.RetryAfter)));
        Assert.True(refused.Count == terminals.Count - 2,
            $"{refused.Count} refused, {answeredWhileHeld} answered before the lock was let go at {releasedAt:HH:mm:ss.fff}: " + string.Join(", ", answers.Select(a => $"{a.Id} {(int)a.StatusCode} at {a.At:HH:mm:ss.fff}")));
        Assert.Equal(terminals.Count - 2, answeredWhileHeld); // refused while the writer was held, not after

        // The terminal's worker pushes the same batch again later: it is stored, once.
        foreach (var id in terminals)
        {
            using var again = await clients[id].PostAsJsonAsync(SyncProtocol.PushPath, batches[id], ContractsJsonContext.Default.PushRequest);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(12L * 400, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM journal_entries WHERE terminal_id LIKE 'KP-DONG-%'"), CultureInfo.InvariantCulture));
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }
    }

    [Fact]
    [Attack("A payment and a refund of 10^13 đồng pushed by an enrolled terminal", "400 invalid_entry naming payment.amount / reversal.amount; nothing stored")]
    public async Task An_amount_over_the_bound_is_refused_on_push()
    {
        await using var province = await ProvinceHost.StartAsync();
        using var client = await province.SignedClientAsync("KP-THCS-ND-08", DemoData.SchoolId);
        using (var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-08", [CardPayment("KP-THCS-ND-08", 1, 10_000_000_000_000)]), ContractsJsonContext.Default.PushRequest))
        {
            var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_entry"), (response.StatusCode, problem.Code));
            Assert.Contains("payment.amount", problem.Detail, StringComparison.Ordinal);
        }

        var payment = CardPayment("KP-THCS-ND-08", 1, 10_000);
        var refund = new JournalEntryDto(2, EntryKinds.PaymentRefunded, DateTimeOffset.UtcNow, PrevHash: payment.Hash,
            Reversal: new PaymentReversalDto(payment.Payment!.PaymentId, 10_000_000_000_000, [new AllocationDto("HP-2611-HS240002", 10_000_000_000_000)], ReversalDestinations.CardBalance, null, "test", "tn01", "gs01"));
        refund = refund with { Hash = EntryCanonicalForm.ChainHash(payment.Hash!, refund) };
        using (var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-08", [payment, refund]), ContractsJsonContext.Default.PushRequest))
        {
            var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_entry", 2L), (response.StatusCode, problem.Code, problem.Sequence));
            Assert.Contains("reversal.amount", problem.Detail, StringComparison.Ordinal);
        }

        using (var response = await client.PostAsJsonAsync(SyncProtocol.AuthorisePath, new AuthoriseRequest("HS240002", "04A1B2C3", 10_000_000_000_000), ContractsJsonContext.Default.AuthoriseRequest))
        {
            var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("amount", problem.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM journal_entries WHERE terminal_id = 'KP-THCS-ND-08'"), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Attack("A push whose sequence is the largest 64-bit integer (the range read around it would overflow)", "400 invalid_entry naming the sequence, never a 500; nothing stored")]
    public async Task A_sequence_beyond_the_bound_is_refused_on_push()
    {
        // Refused before any write, on either engine; on PostgreSQL the range read's LIMIT (b − a + 1) would overflow.
        await using var province = await ProvinceHost.StartAsync();
        using var client = await province.SignedClientAsync("KP-THCS-ND-08", DemoData.SchoolId);
        foreach (var sequence in new[] { long.MaxValue, SyncProtocol.MaxSequence + 1 })
        {
            using var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-08", [CardPayment("KP-THCS-ND-08", sequence, 10_000)]), ContractsJsonContext.Default.PushRequest);
            var problem = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_entry", sequence), (response.StatusCode, problem.Code, problem.Sequence));
            Assert.Contains("sequence is at most 9007199254740991", problem.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM journal_entries WHERE terminal_id = 'KP-THCS-ND-08'"), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Attack("Bills of 10^13 đồng imported as CSV and as JSON (a unit price, a quantity × price)", "refused naming the row and the field (422 with line or path), never a 500; nothing stored")]
    public async Task An_amount_over_the_bound_is_refused_on_import()
    {
        await using var province = await ProvinceHost.StartAsync();
        const string Header = "bill_id,institution_id,payer_code,category,title,due_date,description,quantity,unit_price\n";
        var csv = Header +
            "HP-BIG-1,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí,2027-01-31,Học phí,1,10000000000000\n" +
            "HP-BIG-2,TG-THCS-NGUYENDU,HS240002,hoc_phi,Học phí,2027-01-31,Học phí,10000,1000000000\n";
        using (var response = await province.Admin.PostAsync("/api/v1/admin/bills/import", new StringContent(csv, Encoding.UTF8, "text/csv")))
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var errors = body.GetProperty("errors").EnumerateArray().Select(e => (Line: e.GetProperty("line").GetInt32(), Code: e.GetProperty("code").GetString(), Message: e.GetProperty("message").GetString()!)).ToList();
            Assert.Equal([(2, "price_invalid"), (3, "line_over_max")], errors.Select(e => (e.Line, e.Code)));
            Assert.StartsWith("Đơn giá “10000000000000”", errors[0].Message, StringComparison.Ordinal);
            Assert.Contains("Số lượng × Đơn giá = 10.000.000.000.000 ₫", errors[1].Message, StringComparison.Ordinal);
        }

        var json = new BillImportRequest([new BillImportBill("HP-BIG-3", "TG-THCS-NGUYENDU", "HS240003", "hoc_phi", "Học phí", "2027-01-31", [new BillImportLine("Học phí", 1, 10_000_000_000_000)])]);
        using (var response = await province.Admin.PostAsJsonAsync("/api/v1/admin/bills", json))
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
            Assert.Equal("bills[0].lines[0]", error.GetProperty("path").GetString());
            Assert.Equal(("price_invalid", "unit_price"), (error.GetProperty("code").GetString(), error.GetProperty("field").GetString()));
        }

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id LIKE 'HP-BIG-%'"), CultureInfo.InvariantCulture));
        Assert.True(Vnd.MaxAmount < 10_000_000_000_000);
    }

    // A payment by card balance of one bill of a demo pupil, chained from the genesis hash.
    private static JournalEntryDto CardPayment(string terminal, long sequence, long amount, string? prevHash = null, string account = "HS240002")
    {
        var entry = new JournalEntryDto(sequence, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
            new PaymentCreatedDto($"{terminal}-{sequence:D8}", account, null, "card_balance", amount, [new AllocationDto($"HP-2611-{account}", amount)], null),
            PrevHash: prevHash ?? EntryCanonicalForm.GenesisHash);
        return entry with { Hash = EntryCanonicalForm.ChainHash(entry.PrevHash!, entry) };
    }

    private static PushRequest CardBatch(string terminal, int count)
    {
        var entries = new List<JournalEntryDto>(count);
        var prev = EntryCanonicalForm.GenesisHash;
        for (var s = 1; s <= count; s++)
        {
            var entry = CardPayment(terminal, s, 1, prev, s_payers[s % s_payers.Length]);
            entries.Add(entry);
            prev = entry.Hash!;
        }

        return new PushRequest(terminal, entries);
    }

    private static string[] SignatureHeaders(ECDsa key, string terminal, string digest)
    {
        var parameters = RequestSignature.Parameters(DateTimeOffset.UtcNow, RequestSignature.NewNonce(), terminal);
        var signature = RequestSignature.Sign(key, RequestSignature.SignatureBase("POST", SyncProtocol.PushPath, string.Empty, digest, parameters));
        return [$"Content-Digest: {digest}", $"Signature-Input: {RequestSignature.Label}={parameters}", $"Signature: {RequestSignature.Label}=:{signature}:"];
    }

    /// <summary>
    /// Posts <paramref name="length"/> bytes of junk over a raw socket as an attacker would, reading the answer while
    /// it writes: it sends the headers and the first <paramref name="beforeWaiting"/> bytes, then waits for an answer;
    /// a server that waits for the body gets the rest, to the last byte. Gives the status (0 when none came), the
    /// bytes sent and whether the answer came before the rest of the body was sent.
    /// </summary>
    /// <remarks>
    /// With <paramref name="pushOn"/>, it goes on sending after an early answer, as an attacker who ignores answers
    /// would, until the server cuts the connection: Sent then says how much the server (and the two kernels' socket
    /// buffers between) took before it stopped reading.
    /// </remarks>
    private static async Task<(int Status, long Sent, bool Early)> RawPostAsync(Uri server, string path, IEnumerable<string> headers, long length, long beforeWaiting = 64 * 1024, bool chunked = false, bool pushOn = false)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {length}\r\n").Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));

        using var answered = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var status = ReadStatusAsync(stream, answered);
        long sent = 0;
        async Task SendAsync(long upTo, bool stopOnAnswer = true)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var token = stopOnAnswer ? answered.Token : patience.Token;
            try
            {
                while (sent < upTo && !(stopOnAnswer && status.IsCompleted))
                {
                    var n = (int)Math.Min(s_junk.Length, upTo - sent);
                    if (chunked)
                    {
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{n:X}\r\n"), token);
                    }

                    await stream.WriteAsync(s_junk.AsMemory(0, n), token);
                    if (chunked)
                    {
                        await stream.WriteAsync("\r\n"u8.ToArray(), token);
                    }

                    sent += n;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The server answered and closed, or reset what it would not read.
            }
        }

        await SendAsync(Math.Min(beforeWaiting, length));
        var early = await Task.WhenAny(status, Task.Delay(TimeSpan.FromSeconds(10))) == status;
        if (!early)
        {
            await SendAsync(length);
        }
        else if (pushOn)
        {
            await SendAsync(length, stopOnAnswer: false);
        }

        return (await status, sent, early);
    }

    private static async Task<int> ReadStatusAsync(NetworkStream stream, CancellationTokenSource answered)
    {
        var buffer = new byte[4096];
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(filled), answered.Token);
                if (n == 0)
                {
                    break;
                }

                filled += n;
                var text = Encoding.ASCII.GetString(buffer, 0, filled);
                if (text.IndexOf("\r\n", StringComparison.Ordinal) is > 12 and var end)
                {
                    return int.Parse(text.AsSpan(9, 3), CultureInfo.InvariantCulture);
                }
            }

            return 0;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return 0;
        }
        finally
        {
            await answered.CancelAsync(); // stop the writer
        }
    }

    private static IEnumerable<string> DatabaseFilesOf(ProvinceHost province) =>
        new[] { "province.db", "province.db-wal", "province.db-shm" }.Select(f => Path.Combine(province.Folder, f)).Where(File.Exists);

    private static long DatabaseBytes(ProvinceHost province) => DatabaseFilesOf(province).Sum(DatabaseFiles.Length);
}

/// <summary>The retention the province sets: refused-delivery summaries and raw bank bodies are purged, the matched facts stay.</summary>
public sealed class IntakeRetentionTests
{
    [Fact]
    public async Task Old_bank_bodies_and_refusal_summaries_are_purged_and_the_transfers_stay()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:Intake:BankBodyRetentionDays=60", "--Province:Intake:RefusalRetentionDays=30"]);
        using (var accepted = await province.NotifyAsync(200_000, "NGUYEN VAN A ung ho", "FT-OLD-1"))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using (var fresh = await province.NotifyAsync(200_000, "TRAN THI B ung ho", "FT-NEW-1"))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        using (var refused = await province.NotifyAsync(1, "x", secret: "wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var refusals = province.App.Services.GetRequiredService<RefusedDeliveries>();
        await refusals.FlushAsync(CancellationToken.None);
        var old = DateTimeOffset.UtcNow.AddDays(-61).ToString("O", CultureInfo.InvariantCulture);
        await province.ExecuteAsync("UPDATE bank_deliveries SET received_at = $t WHERE body LIKE '%FT-OLD-1%'", ("$t", old));
        await province.ExecuteAsync("UPDATE refused_deliveries SET minute = '2020-01-01T00:00'");

        await province.App.Services.GetRequiredService<IntakeMaintenance>().PurgeAsync(CancellationToken.None);

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_deliveries WHERE body LIKE '%NGUYEN VAN A%'"), CultureInfo.InvariantCulture));
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_deliveries WHERE body LIKE '%TRAN THI B%'"), CultureInfo.InvariantCulture));
        Assert.Equal(2L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE bank_txn_id IN ('FT-OLD-1', 'FT-NEW-1')"), CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM refused_deliveries"), CultureInfo.InvariantCulture));

        // A delivery whose body is gone cannot be replayed (404), it does not fail.
        var id = Convert.ToInt64(await province.ScalarAsync("SELECT id FROM bank_deliveries WHERE body = ''"), CultureInfo.InvariantCulture);
        using var replay = await province.Admin.PostAsync($"/api/v1/admin/bank/deliveries/{id}/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
    }
}
