using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Issue 18's input attacks on the terminal: an idempotency key reused with another body, bodies that are not what
/// the endpoint reads (every operation of the OpenAPI document, generated), amounts beyond any real fee, and what an
/// unauthenticated screen (status, the kiosk's events, the customer display) gives away about cards and payments.
/// </summary>
public sealed class InputAttackTests
{
    private const string Card = "04A1B2C3";
    private const string Bill = "HP-2611-HS240001";
    private const string OtherBill = "BT-2611-HS240001";

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("reuse a payment's idempotency key with another body (another bill)", "409 idempotency_key_reused; the same key with the same body still answers the first payment")]
    public async Task An_idempotency_key_reused_with_another_body_is_409_and_takes_nothing()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        using var first = await PayWithKeyAsync(terminal, "screen-1", Bill);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var paid = await first.Content.ReadFromJsonAsync<JsonElement>();

        await terminal.TapAsync(Card);
        using var other = await PayWithKeyAsync(terminal, "screen-1", OtherBill);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        var problem = await ProblemAsync(other);
        Assert.Equal("idempotency_key_reused", problem.Code);
        Assert.DoesNotContain(paid.GetProperty("id").GetString()!, await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The same key and body again: the first answer, as before.
        using var again = await PayWithKeyAsync(terminal, "screen-1", Bill);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var replay = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(paid.GetProperty("id").GetString(), replay.GetProperty("id").GetString());

        // The key in the body (clientRequestId) is held to the same rule.
        await terminal.TapAsync(Card);
        using var inBody = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { clientRequestId = "screen-1", cardUid = Card, bills = new[] { new { billId = OtherBill, amount = 1000 } } });
        Assert.Equal(HttpStatusCode.Conflict, inBody.StatusCode);
        Assert.Single((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("POST /api/v1/payments with {\"bills\":[null]}", "400 problem naming bills, no 500")]
    public async Task A_null_bill_is_400_naming_bills()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        foreach (var body in new[] { "{\"bills\":[null]}", $"{{\"cardUid\":\"{Card}\",\"bills\":[null]}}", $"{{\"cardUid\":\"{Card}\",\"bills\":[{{\"billId\":\"{Bill}\"}},null]}}" })
        {
            using var response = await terminal.Http.PostAsync("/api/v1/payments", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await ProblemAsync(response);
            Assert.Contains("bills", problem.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("pay a bill with an amount of 10^13 đồng (and 10^15, long.MaxValue)", "400 problem naming amount; nothing reaches the database")]
    public async Task An_amount_beyond_the_bound_is_400_naming_amount()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        foreach (var amount in new[] { 10_000_000_000_000L, 1_000_000_000_000_000L, long.MaxValue })
        {
            foreach (var method in new[] { "card_balance", "vietqr" })
            {
                using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method, bills = new[] { new { billId = Bill, amount } } });
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                var problem = await ProblemAsync(response);
                Assert.Contains("amount", problem.Detail, StringComparison.Ordinal);
            }
        }

        Assert.Empty((await (await terminal.StaffAsync(StaffRole.Cashier)).GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("send every terminal operation with a JSON body malformed bodies (not JSON, null, [], each property null / wrong type / 10^15 / 10,000 chars, arrays of null), signed in", "never 500: each refused with a 4xx problem that names no .NET type")]
    public async Task Malformed_bodies_on_every_operation_of_the_document_never_answer_500()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync(Card);
        using var paid = await terminal.PayAsync(Card, Bill);
        var paymentId = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var supervisor = await terminal.StaffAsync(StaffRole.Supervisor);
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        using var document = JsonDocument.Parse(await terminal.Http.GetStringAsync("/openapi/v1.json"));

        var (failures, requests) = await MalformedBodies.SweepAsync(document, async (operation, body) =>
        {
            var path = operation.Path.Replace("{id}", Uri.EscapeDataString(paymentId), StringComparison.Ordinal).Replace("{code}", "HS240001", StringComparison.Ordinal);
            var response = await supervisor.SendAsync(MalformedBodies.Request(operation.Method, path, body));
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                response = await technician.SendAsync(MalformedBodies.Request(operation.Method, path, body));
            }

            return response;
        }, operation => operation.Path switch
        {
            // Plausible bodies, so that each property under attack is read past the first refusal.
            "/api/v1/payments" => JsonNode.Parse($$"""{"payerCode":"HS240001","method":"vietqr","bills":[{"billId":"{{Bill}}","amount":1000}],"cardUid":null,"operator":null,"approvalCode":null,"cardLast4":null,"pin":null}""")!.AsObject(),
            "/api/v1/payments/{id}/refund" => JsonNode.Parse("""{"amount":1000,"destination":"card_balance","bankReference":null,"reason":"test","supervisorId":"gs01","supervisorPin":"97531"}""")!.AsObject(),
            "/api/v1/payments/{id}/void" => JsonNode.Parse("""{"reason":"test","supervisorId":"gs01","supervisorPin":"97531"}""")!.AsObject(),
            "/dev/card-taps" => JsonNode.Parse("""{"uid":"04A1B2C3"}""")!.AsObject(),
            _ => null,
        });

        AttackReport.Measured(this, $"{requests} malformed requests, {failures.Count} answered wrongly");
        Assert.True(requests > 200, $"only {requests} requests: the document lists too few JSON bodies");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(40)));
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("read /api/v1/status, the kiosk's event stream and the customer display (JSON and events) without signing in, after a tap and a VietQR payment",
        "the card's UID masked (••••B2C3), no view token; the kiosk pays with the tap's one-use reference")]
    public async Task Unauthenticated_screens_give_no_full_uid_and_no_view_token()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        using var anonymous = new HttpClient { BaseAddress = terminal.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var kiosk = await EventStream.OpenAsync(anonymous, "/api/v1/kiosk/events");

        await terminal.TapAsync(Card);
        var tapEvent = await kiosk.NextAsync("tap");
        Assert.DoesNotContain(Card, tapEvent, StringComparison.OrdinalIgnoreCase);
        var tap = JsonDocument.Parse(tapEvent).RootElement;
        Assert.Equal("••••B2C3", tap.GetProperty("uid").GetString());
        var reference = tap.GetProperty("tap").GetString()!;

        var status = await anonymous.GetStringAsync("/api/v1/status");
        Assert.DoesNotContain(Card, status, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(reference, status, StringComparison.Ordinal);
        Assert.Contains("••••B2C3", status, StringComparison.Ordinal);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        Assert.Contains(Card, await cashier.GetStringAsync("/api/v1/status"), StringComparison.Ordinal); // staff see it whole

        // Anyone but staff asks by the card on the reader, never by a typed UID (a UID is no secret; the answer names
        // the payer's bills): the same rule as the card's statement. Staff type UIDs at the counter.
        using (var typed = await anonymous.GetAsync($"/api/v1/payers/by-card/{Card}"))
        {
            Assert.Equal("card_not_presented", (await ProblemAsync(typed)).Code);
        }

        Assert.Equal("HS240001", (await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payers/by-card/{Card}")).GetProperty("code").GetString());

        // The kiosk looks the payer up and pays with the reference; used once, it opens nothing more.
        var payer = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/payers/by-card/{reference}");
        Assert.Equal("HS240001", payer.GetProperty("code").GetString());
        using (var paid = await anonymous.PostAsJsonAsync("/api/v1/payments", new { cardUid = reference, bills = new[] { new { billId = Bill } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            Assert.DoesNotContain(Card, await paid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var again = await anonymous.GetAsync($"/api/v1/payers/by-card/{reference}"))
        {
            Assert.Equal("card_not_presented", (await ProblemAsync(again)).Code);
        }

        // A VietQR payment on the display: what the payer reads, not the token that opens the payment.
        using var display = await EventStream.OpenAsync(anonymous, "/api/v1/display/events");
        using var qr = await anonymous.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240001", method = "vietqr", bills = new[] { new { billId = OtherBill } } });
        Assert.Equal(HttpStatusCode.Created, qr.StatusCode);
        var payment = await qr.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        var token = payment.GetProperty("viewToken").GetString()!;
        var shown = await anonymous.GetStringAsync("/api/v1/display");
        Assert.Contains(id, shown, StringComparison.Ordinal);
        Assert.Contains("awaiting", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(token, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("viewToken", shown, StringComparison.Ordinal);
        var displayed = await display.NextAsync("screen", data => data.Contains(id, StringComparison.Ordinal));
        Assert.DoesNotContain(token, displayed, StringComparison.Ordinal);
        var onKiosk = await kiosk.NextAsync("screen", data => data.Contains(id, StringComparison.Ordinal));
        Assert.DoesNotContain(token, onKiosk, StringComparison.Ordinal);
        Assert.DoesNotContain(token, await anonymous.GetStringAsync("/api/v1/status"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("look on the terminal for payers' names in receipts and cached payers older than the retention the province set",
        "receipt images, texts and print-job copies older than it purged; payers the province no longer sends dropped at the full refresh; payments and journal intact")]
    public async Task Receipts_and_payers_older_than_the_provinces_retention_are_purged_and_the_money_stays()
    {
        await using var province = await ProvinceHost.StartAsync();
        var policy = OfflinePolicyDto.Default with { ReceiptRetentionDays = 7, PayerRetentionDays = 14 };
        (await province.Admin.PutAsJsonAsync("/api/v1/admin/terminals/KP-THCS-ND-01/offline-policy", policy, ContractsJsonContext.Default.OfflinePolicyDto)).EnsureSuccessStatusCode();
        await using var terminal = await TerminalHost.StartAsync(province);
        var retention = terminal.App.Services.GetRequiredService<Retention>();
        var database = terminal.App.Services.GetRequiredService<SqliteDatabase>();

        await terminal.TapAsync(Card);
        using var paid = await terminal.PayAsync(Card, Bill);
        var id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await terminal.ReceiptSettledAsync(id);
        var image = Path.Combine(terminal.ReceiptsFolder, id + ".png");
        var text = Path.Combine(terminal.ReceiptsFolder, id + ".txt");
        Assert.True(File.Exists(image) && File.Exists(text));

        // Within the retention nothing goes.
        var fresh = await retention.RunAsync(CancellationToken.None);
        Assert.Equal(0, fresh.ReceiptFiles);
        Assert.False(fresh.PayersRefresh);
        Assert.True(File.Exists(image));

        // Eight days on (the receipt's files and job dated back), beyond the province's 7.
        var eightDaysAgo = DateTimeOffset.UtcNow.AddDays(-8);
        File.SetLastWriteTimeUtc(image, eightDaysAgo.UtcDateTime);
        File.SetLastWriteTimeUtc(text, eightDaysAgo.UtcDateTime);
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE print_jobs SET created_at = $t WHERE subject = $p", null, default, ("$t", eightDaysAgo.ToString("O", System.Globalization.CultureInfo.InvariantCulture)), ("$p", id));

            // A payer the province no longer sends (gone there), and a cache last refreshed in full 15 days ago.
            await connection.ExecuteAsync("INSERT INTO accounts (code, kind, full_name, group_name, balance, blocked, version) VALUES ('HS999999', 'pupil', 'Trần Thị Cũ', '9A', 0, 0, 1)", null, default);
            await connection.ExecuteAsync("UPDATE settings SET value = $t WHERE key = $k", null, default,
                ("$t", DateTimeOffset.UtcNow.AddDays(-15).ToString("O", System.Globalization.CultureInfo.InvariantCulture)), ("$k", CatalogueStore.LastFullPullKey));
        }

        var settings = terminal.App.Services.GetRequiredService<SettingsStore>();
        var cursorBefore = await settings.GetAsync(KioskPos.Sync.SyncWorker.CursorKey);
        Assert.NotNull(cursorBefore);
        var pass = await retention.RunAsync(CancellationToken.None);

        // A background pull in flight when the pass ran writes its cursor back when it ends (CI saw the payer
        // survive that way); the full pull is still asked for.
        await settings.SetAsync(KioskPos.Sync.SyncWorker.CursorKey, cursorBefore);
        Assert.Equal(2, pass.ReceiptFiles);
        Assert.True(pass.PrintJobs >= 1);
        Assert.True(pass.PayersRefresh);
        Assert.False(File.Exists(image) || File.Exists(text));
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        var job = (await cashier.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("recent").EnumerateArray().First(j => j.GetProperty("subject").GetString() == id);
        Assert.Equal("printed", job.GetProperty("state").GetString());
        Assert.True(job.GetProperty("preview").ValueKind == JsonValueKind.Null, "the print job still holds the receipt's text");

        // The next sync pulls in full: the payer gone at the province is gone here; the others are back.
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        using (var gone = await cashier.GetAsync("/api/v1/payers/HS999999"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await cashier.GetAsync("/api/v1/payers/HS240002")).StatusCode);

        // The money facts stay: the payment, and a journal that verifies.
        Assert.Equal(id, (await terminal.PaymentAsync(id)).GetProperty("id").GetString());
        Assert.True((await cashier.GetFromJsonAsync<JsonElement>("/api/v1/journal/verify")).GetProperty("ok").GetBoolean());
        AttackReport.Measured(this, $"purged {pass.ReceiptFiles} receipt files and {pass.PrintJobs} print-job texts past 7 days; payers refreshed past 14");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("keep payers' names on a terminal whose cache predates the record of its last full pull (a sync cursor, no date)",
        "the retention pass asks for a full pull all the same; the payer gone at the province is dropped at the next sync")]
    public async Task A_cache_pulled_before_its_last_full_pull_was_recorded_is_refreshed_in_full()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var retention = terminal.App.Services.GetRequiredService<Retention>();
        var settings = terminal.App.Services.GetRequiredService<SettingsStore>();
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.NotNull(await settings.GetAsync(KioskPos.Sync.SyncWorker.CursorKey));

        // As a terminal from before the date was recorded: pulled (a cursor), no date, and a payer the province no longer sends.
        await using (var connection = await terminal.App.Services.GetRequiredService<SqliteDatabase>().OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM settings WHERE key = $k", null, default, ("$k", CatalogueStore.LastFullPullKey));
            await connection.ExecuteAsync("INSERT INTO accounts (code, kind, full_name, group_name, balance, blocked, version) VALUES ('HS999998', 'pupil', 'Lê Văn Cũ', '8B', 0, 0, 1)", null, default);
        }

        var pass = await retention.RunAsync(CancellationToken.None);
        Assert.True(pass.PayersRefresh);
        Assert.False((await retention.RunAsync(CancellationToken.None)).PayersRefresh); // asked once, not again while it waits

        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        using (var gone = await cashier.GetAsync("/api/v1/payers/HS999998"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await cashier.GetAsync("/api/v1/payers/HS240002")).StatusCode);
        Assert.NotNull(await settings.GetAsync(CatalogueStore.LastFullPullKey)); // the full pull recorded its date
        Assert.Null(await settings.GetAsync(CatalogueStore.FullPullWantedKey));
        AttackReport.Measured(this, "a cache with a cursor and no full-pull date refreshed in full at the first retention pass");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("read the terminal's log (at its shipped levels) after taps of a known and an unknown card, a card payment and a VietQR payment",
        "no payer's name and no full card UID in any line: masked UIDs, payment ids and payer codes only")]
    public async Task The_terminals_log_names_no_payer_and_no_full_card_uid()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province,
            configureFirst: services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(new CapturingLogs(lines)),
            extraArgs: ["--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Microsoft.AspNetCore=Warning", "--Logging:LogLevel:System.Net.Http.HttpClient=Warning"]);
        await terminal.TapAsync(Card);
        (await terminal.PayAsync(Card, Bill)).EnsureSuccessStatusCode();
        await terminal.TapAsync("0000AAAA");
        using (await terminal.PayAsync("0000AAAA", OtherBill))
        {
        }

        using var qr = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240001", method = "vietqr", bills = new[] { new { billId = OtherBill } } });
        qr.EnsureSuccessStatusCode();
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));

        var log = string.Join('\n', lines);
        Assert.Contains("••••B2C3", log, StringComparison.Ordinal); // the taps were logged, masked
        foreach (var secret in new[] { Card, "0000AAAA", "Nguyễn Minh Anh", "NGUYEN MINH ANH" })
        {
            Assert.DoesNotContain(secret, log, StringComparison.OrdinalIgnoreCase);
        }

        AttackReport.Measured(this, $"{lines.Count} log lines read, none with a name or a full UID");
    }

    private sealed class CapturingLogs(System.Collections.Concurrent.ConcurrentQueue<string> lines) : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception) + " " + exception?.Message);

        public void Dispose()
        {
        }
    }

    private static Task<HttpResponseMessage> PayWithKeyAsync(TerminalHost terminal, string key, string bill)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments")
        {
            Content = JsonContent.Create(new { cardUid = Card, bills = new[] { new { billId = bill } } }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return terminal.Http.SendAsync(request);
    }

    private static async Task<ProblemDto> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
    }
}

/// <summary>A server-sent event stream read event by event.</summary>
internal sealed class EventStream : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<EventStream> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The data of the next event named <paramref name="name"/> (that <paramref name="matches"/>), within 15 s.</summary>
    public async Task<string> NextAsync(string name, Func<string, bool>? matches = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string? eventName = null;
        while (await _reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == name && (matches?.Invoke(line["data: ".Length..]) ?? true))
            {
                return line["data: ".Length..];
            }
        }

        throw new EndOfStreamException($"the stream ended before a {name} event");
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
