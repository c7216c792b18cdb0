using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using KioskPos.Terminal.Apis;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Looking a payer up by a typed payer code (sequential) or citizen-ID number (guessable) answers the payer's open
/// bills — at a hospital a patient's ward and services — to anyone at the kiosk, so it is limited per source address
/// (<c>Terminal:PayerLookupsPerWindow</c>, of which <c>Terminal:PayerLookupMissesPerWindow</c> may find no one, in
/// <c>Terminal:PayerLookupWindow</c>): 429 with <c>Retry-After</c> beyond either, until the oldest look-up that fills the
/// limit leaves the window. A payer code typed into a payment or a top-up is such a look-up (a payer code that names no
/// one answers <c>payer_not_found</c> there too). Signed-in staff, a tap's reference and a scan's reference are not
/// counted. Each test sets its own small limit (the test hosts raise it for the rest). The sources tracked are capped
/// (<c>Terminal:PayerLookupMaxSources</c>): a client rotating its address shares one overflow budget past the cap, whose
/// refusals say so and are counted. An IPv6 client's addresses inside its /64 are one source.
/// </summary>
public sealed class PayerLookupLimitTests
{
    // The demo hospital's patient BN260001's citizen-ID card, as the /dev page's sample (province DemoData).
    private const string DemoPatientNumber = "082185004321";
    private const string DemoPatientQr = DemoPatientNumber + "|312345001|Phạm Thị Thu Hà|12031985|Nữ|Ấp Tân Hòa, xã Tân Hương, huyện Châu Thành, tỉnh Tiền Giang|15062021";

    private static string[] Limits(int lookups, int misses, string window = "00:01:00") =>
        [$"--Terminal:PayerLookupsPerWindow={lookups}", $"--Terminal:PayerLookupMissesPerWindow={misses}", $"--Terminal:PayerLookupWindow={window}"];

    private static HttpClient Anonymous(TerminalHost terminal) => new() { BaseAddress = terminal.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// An anonymous client whose connections leave from <paramref name="source"/>: the terminal takes the limit's source
    /// from the connection's remote address (no forwarded header), and on Linux every 127.0.0.N is a loopback address a
    /// socket may bind, so each N is another source to the terminal on 127.0.0.1.
    /// </summary>
    private static HttpClient From(TerminalHost terminal, IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellation) =>
        {
            var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception)
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = terminal.Http.BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A clock the limiter's unit tests move by hand (the limiter reads only the monotonic timestamp).</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    private static PayerLookupBudget Budget(TimeProvider clock, int maxSources, int lookups, int misses) =>
        new(Options.Create(new TerminalOptions
        {
            PayerLookupsPerWindow = lookups,
            PayerLookupMissesPerWindow = misses,
            PayerLookupWindow = TimeSpan.FromMinutes(1),
            PayerLookupMaxSources = maxSources,
        }), clock);

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode;
    }

    // A VietQR payment of the payer's tuition (học phí) bill, by the typed payer code, as the kiosk sends it.
    private static Task<HttpResponseMessage> PayAsync(HttpClient client, string payerCode) =>
        client.PostAsJsonAsync("/api/v1/payments", new { payerCode, method = "vietqr", bills = new[] { new { billId = $"HP-2611-{payerCode}" } } });

    // A top-up by the typed payer code (HS240002 has room for it: the demo's other pupils are at the school's balance limit or blocked).
    private static Task<HttpResponseMessage> TopUpAsync(HttpClient client, string payerCode) =>
        client.PostAsJsonAsync("/api/v1/top-ups", new { payerCode, amount = 100_000 });

    private static async Task AssertPayerNotFoundAsync(HttpResponseMessage response, string what) =>
        Assert.Equal("payer_not_found", (await response.ProblemAsync(HttpStatusCode.NotFound, what)).Code);

    /// <summary>
    /// The 429's problem and its <c>Retry-After</c> in seconds, checked against the catalogue's title: a source's own
    /// limit's refusal speaks of this address, the shared overflow's (<paramref name="overflow"/>) of many devices at once.
    /// </summary>
    private static async Task<(ProblemDto Problem, int RetryAfter)> RefusedAsync(HttpResponseMessage response, string code, string what, bool overflow = false)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.TooManyRequests, what);
        Assert.Equal(code, problem.Code);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { } delta && delta > TimeSpan.Zero, $"{what}: Retry-After is {response.Headers.RetryAfter}");
        var seconds = (int)retryAfter!.Value.TotalSeconds;
        Assert.Equal(Messages.Vi(overflow ? $"terminal.problem.{code}.overflow" : $"terminal.problem.{code}", seconds), problem.Title);
        Assert.Contains("payer code or citizen-ID number", problem.Detail, StringComparison.Ordinal);
        Assert.Contains($"{seconds} s", problem.Detail, StringComparison.Ordinal);
        if (overflow)
        {
            Assert.DoesNotContain("this address", problem.Detail, StringComparison.Ordinal);
            Assert.Contains("too many devices", problem.Detail, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            Assert.Contains("from this address", problem.Detail, StringComparison.Ordinal);
        }

        return (problem, seconds);
    }

    private static async Task<double> MetricAsync(TerminalHost terminal, string name)
    {
        var metrics = await terminal.Http.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("look payers up anonymously from one address by sequential payer codes, then by typed citizen-ID numbers",
        "429 too_many_lookups with Retry-After past the per-source limit, for codes and citizen-ID numbers alike")]
    public async Task Anonymous_lookups_over_the_limit_answer_429_with_retry_after_and_the_reason()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 3, misses: 100));
        using var anonymous = Anonymous(terminal);

        foreach (var code in new[] { "HS240001", "HS240002", "HS240003" })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, $"/api/v1/payers/{code}"));
        }

        using (var fourth = await anonymous.GetAsync("/api/v1/payers/HS240004"))
        {
            var (_, retryAfter) = await RefusedAsync(fourth, "too_many_lookups", "the fourth look-up");
            Assert.InRange(retryAfter, 1, 60);
            Assert.DoesNotContain("HS240004", await fourth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The same budget for a typed citizen-ID number: the source, not the endpoint, is limited.
        using (var number = await anonymous.GetAsync("/api/v1/payers/by-citizen-id/079200001111"))
        {
            await RefusedAsync(number, "too_many_lookups", "a typed citizen-ID number after the limit");
        }

        AttackReport.Measured(this, "3 look-ups a minute set: the 4th by code and the next by citizen-ID number answered 429 too_many_lookups");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("guess payer codes and citizen-ID numbers anonymously from one address (most find no one)",
        "429 too_many_failed_lookups with Retry-After after the per-source limit of misses, before the limit of look-ups")]
    public async Task Lookups_that_find_no_one_have_a_stricter_limit()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 100, misses: 3));
        using var anonymous = Anonymous(terminal);

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(anonymous, "/api/v1/payers/HS999991"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001")); // a hit is no miss
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(anonymous, "/api/v1/payers/HS999992"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(anonymous, "/api/v1/payers/by-citizen-id/079200001111"));

        // Three misses: even a code that exists is refused now, by code or by number, until the window is over.
        using (var known = await anonymous.GetAsync("/api/v1/payers/HS240001"))
        {
            await RefusedAsync(known, "too_many_failed_lookups", "a look-up after three misses");
        }

        using (var number = await anonymous.GetAsync("/api/v1/payers/by-citizen-id/079200002222"))
        {
            await RefusedAsync(number, "too_many_failed_lookups", "a citizen-ID number after three misses");
        }

        AttackReport.Measured(this, "3 misses a minute set: after 2 unknown codes and 1 unknown citizen-ID number, 429 too_many_failed_lookups (4 look-ups of 100 used)");
    }

    [Fact]
    public async Task A_signed_in_cashier_is_not_limited_nor_counted()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 3, misses: 2));
        var cashier = await terminal.CashierAsync();
        using var anonymous = Anonymous(terminal);

        // From the same address as the kiosk (127.0.0.1), far past both limits.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(cashier, "/api/v1/payers/HS240001"));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(cashier, $"/api/v1/payers/HS99999{i}"));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(cashier, "/api/v1/payers/by-citizen-id/079200001111"));
        }

        // None of it was counted against the kiosk: its three look-ups, then the refusal.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240002"));
        }

        using (var refused = await anonymous.GetAsync("/api/v1/payers/HS240002"))
        {
            await RefusedAsync(refused, "too_many_lookups", "the kiosk's fourth look-up");
        }

        // And the kiosk's limit does not reach the cashier.
        var payer = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240002");
        Assert.Equal("HS240002", payer.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_tap_reference_is_not_limited()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 2, misses: 100));
        using var anonymous = Anonymous(terminal);
        using var kiosk = await EventStream.OpenAsync(anonymous, "/api/v1/kiosk/events");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        using (var refused = await anonymous.GetAsync("/api/v1/payers/HS240001"))
        {
            await RefusedAsync(refused, "too_many_lookups", "the third typed look-up");
        }

        // The card on the reader still finds its payer, by the tap's reference, as often as the kiosk asks.
        await terminal.TapAsync("04A1B2C3");
        var reference = JsonDocument.Parse(await kiosk.NextAsync("tap")).RootElement.GetProperty("tap").GetString()!;
        Assert.StartsWith(CardPresence.ReferencePrefix, reference, StringComparison.Ordinal);
        for (var i = 0; i < 4; i++)
        {
            var payer = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/payers/by-card/{reference}");
            Assert.Equal("HS240001", payer.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_typed_citizen_id_number_is_counted_and_a_scans_reference_is_not()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province.BaseUrl, province.Admin, extraArgs: Limits(lookups: 1, misses: 100),
            terminalId: "KP-TTYT-CT-01", institutionId: "TG-TTYT-CHAUTHANH");
        using var anonymous = Anonymous(terminal);

        var typed = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/payers/by-citizen-id/{DemoPatientNumber}");
        Assert.Equal("BN260001", typed.GetProperty("code").GetString());
        using (var again = await anonymous.GetAsync($"/api/v1/payers/by-citizen-id/{DemoPatientNumber}"))
        {
            await RefusedAsync(again, "too_many_lookups", "the second typed citizen-ID number");
        }

        // The card's QR at the scanner: the kiosk asks by the scan's reference, which is not limited.
        var scan = terminal.App.Services.GetRequiredService<CitizenIdScans>().Take(DemoPatientQr, out _, out _);
        Assert.NotNull(scan.Reference);
        for (var i = 0; i < 3; i++)
        {
            var scanned = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/payers/by-citizen-id/{scan.Reference}");
            Assert.Equal("BN260001", scanned.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task The_limit_resets_after_the_window()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 2, misses: 100, window: "00:00:03"));
        using var anonymous = Anonymous(terminal);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        using (var refused = await anonymous.GetAsync("/api/v1/payers/HS240001"))
        {
            var (_, retryAfter) = await RefusedAsync(refused, "too_many_lookups", "the third look-up in the window");
            Assert.InRange(retryAfter, 1, 3);
        }

        // Refusals use nothing up: once the window is over the same source looks up again, twice, and is refused again.
        // The window slides: each of the first two look-ups lets one in again as it leaves it, the second a moment after
        // the first (as long after as the two were apart: on a loaded machine more than the next request takes).
        await Wait.UntilAsync(async () => await StatusAsync(anonymous, "/api/v1/payers/HS240001") == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "the first look-up to leave the window");
        await Wait.UntilAsync(async () => await StatusAsync(anonymous, "/api/v1/payers/HS240001") == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "the second look-up to leave the window");
        using (var refusedAgain = await anonymous.GetAsync("/api/v1/payers/HS240001"))
        {
            await RefusedAsync(refusedAgain, "too_many_lookups", "the third look-up in the next window");
        }
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("walk payer codes anonymously through POST /api/v1/payments and POST /api/v1/top-ups (payer_not_found tells who exists) instead of the limited look-up",
        "the look-ups' per-source limit: each payer_not_found counts as a failed look-up; then 429 too_many_failed_lookups with Retry-After, on the payment, the top-up and the look-up alike")]
    public async Task Payer_codes_that_name_no_one_in_payments_and_top_ups_count_as_failed_lookups()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 100, misses: 3));
        using var anonymous = Anonymous(terminal);

        using (var payment = await PayAsync(anonymous, "HS999991"))
        {
            await AssertPayerNotFoundAsync(payment, "a payment for a code that names no one");
        }

        using (var topUp = await TopUpAsync(anonymous, "HS999992"))
        {
            await AssertPayerNotFoundAsync(topUp, "a top-up for a code that names no one");
        }

        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(anonymous, "/api/v1/payers/HS999993"));

        // Three misses, one of them a look-up: now a payer who exists is refused by every way in, and nothing is taken.
        using (var payment = await PayAsync(anonymous, "HS240001"))
        {
            await RefusedAsync(payment, "too_many_failed_lookups", "a payment after three misses");
        }

        using (var topUp = await TopUpAsync(anonymous, "HS240001"))
        {
            await RefusedAsync(topUp, "too_many_failed_lookups", "a top-up after three misses");
        }

        using (var lookup = await anonymous.GetAsync("/api/v1/payers/HS240001"))
        {
            await RefusedAsync(lookup, "too_many_failed_lookups", "a look-up after three misses");
        }

        var cashier = await terminal.CashierAsync();
        var recent = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/payments?limit=20");
        Assert.Equal(0, recent.GetArrayLength());
        AttackReport.Measured(this, "3 misses a minute set: an unknown code paid, one topped up, one looked up; then 429 too_many_failed_lookups on POST /payments, POST /top-ups and GET /payers/{code}, no payment taken");
    }

    [Fact]
    public async Task Payer_codes_typed_into_payments_and_top_ups_count_as_lookups()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 3, misses: 100));
        using var anonymous = Anonymous(terminal);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        using (var payment = await PayAsync(anonymous, "HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, payment.StatusCode);
        }

        using (var topUp = await TopUpAsync(anonymous, "HS240002"))
        {
            Assert.Equal(HttpStatusCode.Created, topUp.StatusCode);
        }

        using (var payment = await PayAsync(anonymous, "HS240003"))
        {
            await RefusedAsync(payment, "too_many_lookups", "the fourth typed code, in a payment");
        }

        using (var topUp = await TopUpAsync(anonymous, "HS240003"))
        {
            await RefusedAsync(topUp, "too_many_lookups", "the fourth typed code, in a top-up");
        }

        using (var lookup = await anonymous.GetAsync("/api/v1/payers/HS240003"))
        {
            await RefusedAsync(lookup, "too_many_lookups", "the fourth typed code, looked up");
        }
    }

    [Fact]
    public async Task Payments_and_top_ups_by_staff_or_by_a_tap_reference_are_not_counted()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 1, misses: 1));
        var cashier = await terminal.CashierAsync();
        using var anonymous = Anonymous(terminal);
        using var kiosk = await EventStream.OpenAsync(anonymous, "/api/v1/kiosk/events");

        // The counter, from the kiosk's address, past both limits.
        for (var i = 0; i < 3; i++)
        {
            using (var payment = await PayAsync(cashier, $"HS99999{i}"))
            {
                await AssertPayerNotFoundAsync(payment, "the cashier's payment for a code that names no one");
            }

            using (var topUp = await TopUpAsync(cashier, $"HS99998{i}"))
            {
                await AssertPayerNotFoundAsync(topUp, "the cashier's top-up for a code that names no one");
            }
        }

        using (var topUp = await TopUpAsync(cashier, "HS240002"))
        {
            Assert.Equal(HttpStatusCode.Created, topUp.StatusCode);
        }

        // The kiosk's budget is whole: its one look-up, then the refusal.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240002"));
        using (var refused = await PayAsync(anonymous, "HS240002"))
        {
            await RefusedAsync(refused, "too_many_lookups", "the kiosk's second typed code");
        }

        // The card on the reader (HS240002's) tops up by the tap's reference all the same.
        await terminal.TapAsync("04D4E5F6");
        var reference = JsonDocument.Parse(await kiosk.NextAsync("tap")).RootElement.GetProperty("tap").GetString()!;
        using (var byTap = await anonymous.PostAsJsonAsync("/api/v1/top-ups", new { cardUid = reference, amount = 100_000 }))
        {
            Assert.Equal(HttpStatusCode.Created, byTap.StatusCode);
        }
    }

    [Fact]
    public async Task Retry_after_is_the_time_until_the_oldest_lookup_leaves_the_window()
    {
        const int Window = 8;
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 2, misses: 100, window: $"00:00:0{Window}"));
        using var anonymous = Anonymous(terminal);

        // The terminal counts each look-up at some moment between the request's start and its answer's end, as the
        // stopwatch reads them: so Retry-After is at most the window less the time from the first answer to the refusal.
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        var firstAnswered = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3)); // the time the oldest look-up has spent in the window
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        var secondAnswered = clock.Elapsed;
        var asked = clock.Elapsed;
        int retryAfter;
        using (var refused = await anonymous.GetAsync("/api/v1/payers/HS240001"))
        {
            (_, retryAfter) = await RefusedAsync(refused, "too_many_lookups", "the third look-up in the window");
        }

        Assert.InRange(retryAfter, 1, (int)Math.Ceiling(Window - (asked - firstAnswered).TotalSeconds));
        Assert.True(retryAfter < Window, $"Retry-After {retryAfter} s is the whole window, not the time left of the oldest look-up's");

        // Coming back after Retry-After, the oldest has left: one look-up is let through, and the next is refused until
        // the second one leaves.
        await Task.Delay(TimeSpan.FromSeconds(retryAfter));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        asked = clock.Elapsed;
        using (var refusedAgain = await anonymous.GetAsync("/api/v1/payers/HS240001"))
        {
            var (_, again) = await RefusedAsync(refusedAgain, "too_many_lookups", "the look-up after the one let through");
            Assert.InRange(again, 1, (int)Math.Ceiling(Window - (asked - secondAnswered).TotalSeconds));
        }
    }

    [Fact]
    public async Task A_signed_in_lookup_reads_the_staff_session_once()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.CashierAsync();
        using var anonymous = Anonymous(terminal);
        var lane = terminal.App.Services.GetRequiredService<SqliteDatabase>().Lane;

        // Finding a session takes the writer lane; nothing else a look-up does writes. The fewest writes of ten look-ups:
        // the sync worker and the print queue write beside them now and then, never fewer.
        async Task<long> FewestWritesAsync(HttpClient client)
        {
            var fewest = long.MaxValue;
            for (var i = 0; i < 10; i++)
            {
                var before = lane.Counters.Writes;
                Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, "/api/v1/payers/HS240001"));
                fewest = Math.Min(fewest, lane.Counters.Writes - before);
            }

            return fewest;
        }

        var byKiosk = await FewestWritesAsync(anonymous);
        var byCashier = await FewestWritesAsync(cashier);
        Assert.Equal(1, byCashier - byKiosk);
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("guess payer codes anonymously from a new source address for every few guesses (a LAN client rotating addresses; IPv6 gives any number)",
        "at most Terminal:PayerLookupMaxSources sources tracked, each with its own limits; new sources past them share one overflow budget with the same limits (429 too_many_failed_lookups once used); the kiosk's own 127.0.0.1 keeps its own")]
    public async Task Rotating_source_addresses_past_the_cap_share_one_budget_and_the_kiosk_keeps_its_own()
    {
        const int Cap = 4;
        const int Misses = 2;
        const int Sources = 40;
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: [.. Limits(lookups: 100, misses: Misses), $"--Terminal:PayerLookupMaxSources={Cap}"]);
        var budget = terminal.App.Services.GetRequiredService<PayerLookupBudget>();

        // 127.0.0.2, .3, … : each guesses one code more than its misses allow.
        var answered = 0;
        var refused = 0;
        for (var n = 0; n < Sources; n++)
        {
            using var rotating = From(terminal, IPAddress.Parse($"127.0.0.{n + 2}"));
            for (var guess = 0; guess <= Misses; guess++)
            {
                using var response = await rotating.GetAsync($"/api/v1/payers/HS9{n:D2}{guess:D3}");
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    answered++;
                }
                else
                {
                    await RefusedAsync(response, "too_many_failed_lookups", $"guess {guess} from 127.0.0.{n + 2}", overflow: n >= Cap);
                    refused++;
                }
            }
        }

        // The first Cap sources had their own misses each; the 36 after them, one budget between them all.
        Assert.Equal((Cap + 1) * Misses, answered);
        Assert.Equal((Sources * (Misses + 1)) - answered, refused);
        Assert.InRange(budget.TrackedSources, 1, Cap);

        // The kiosk's own browser (127.0.0.1) is not pushed into the used-up overflow: it has its own look-ups.
        using var anonymous = Anonymous(terminal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, "/api/v1/payers/HS240001"));
        Assert.InRange(budget.TrackedSources, 1, Cap + 1);
        AttackReport.Measured(this, $"cap {Cap} sources, {Misses} misses a minute: {Sources} addresses (127.0.0.2-{Sources + 1}) x {Misses + 1} guesses got {answered} answers (not {Sources * Misses}), {refused} x 429; {budget.TrackedSources} sources tracked; 127.0.0.1 still served");
    }

    [Fact]
    [Trait("Category", "Attack")]
    [Attack("guess payer codes anonymously from a new IPv6 address inside one /64 for every guess (a host holds its whole /64)",
        "one source's limits for the whole /64 (429 too_many_failed_lookups once used); another /64 has its own, and an IPv4-mapped address is its IPv4 address's source")]
    public async Task Rotating_ipv6_addresses_inside_one_64_get_the_limit_of_one_source()
    {
        const int Misses = 3;
        const int Addresses = 20;
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: Limits(lookups: 100, misses: Misses), configureFirst: RemoteAddressFromHeader.AddTo);
        var budget = terminal.App.Services.GetRequiredService<PayerLookupBudget>();

        // Kestrel here listens on 127.0.0.1 and no IPv6 address but ::1 can be bound: the terminal is told each request's
        // remote address by a test-only header, read before its own pipeline.
        var answered = 0;
        for (var n = 0; n < Addresses; n++)
        {
            var address = $"2001:db8:1:2:{n + 1:x}:{(n * 7919) % 65536:x}:{n * 31:x}:{n + 100:x}";
            using var rotating = RemoteAddressFromHeader.Client(terminal.Http.BaseAddress!, address);
            using var response = await rotating.GetAsync($"/api/v1/payers/HS9{n:D5}");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                answered++;
            }
            else
            {
                await RefusedAsync(response, "too_many_failed_lookups", $"a guess from {address}");
            }
        }

        Assert.Equal(Misses, answered);
        Assert.Equal(1, budget.TrackedSources);

        // Another /64 is another source, with misses of its own.
        using (var neighbour = RemoteAddressFromHeader.Client(terminal.Http.BaseAddress!, "2001:db8:1:3::1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(neighbour, "/api/v1/payers/HS800001"));
        }

        // 192.0.2.7 reaching a dual-stack socket as ::ffff:192.0.2.7 is the same source as over IPv4.
        using (var mapped = RemoteAddressFromHeader.Client(terminal.Http.BaseAddress!, "::ffff:192.0.2.7"))
        using (var plain = RemoteAddressFromHeader.Client(terminal.Http.BaseAddress!, "192.0.2.7"))
        {
            for (var i = 0; i < Misses; i++)
            {
                Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(i % 2 == 0 ? mapped : plain, $"/api/v1/payers/HS70000{i}"));
            }

            using var refused = await plain.GetAsync("/api/v1/payers/HS700009");
            await RefusedAsync(refused, "too_many_failed_lookups", "192.0.2.7 after its misses, some of them IPv4-mapped");
        }

        Assert.Equal(3, budget.TrackedSources);
        AttackReport.Measured(this, $"{Misses} misses a minute: {Addresses} addresses in 2001:db8:1:2::/64 x 1 guess got {answered} answers, {Addresses - answered} x 429; 2001:db8:1:3::1 answered; ::ffff:192.0.2.7 counted as 192.0.2.7");
    }

    [Fact]
    public async Task A_refusal_from_the_shared_overflow_says_many_devices_are_looking_up_and_is_counted_in_the_metrics()
    {
        const int Cap = 2;
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: [.. Limits(lookups: 1, misses: 100), $"--Terminal:PayerLookupMaxSources={Cap}"],
            configureFirst: RemoteAddressFromHeader.AddTo);
        const string Metric = "kioskpos_payer_lookup_overflow_refusals_total";
        Assert.Equal(0, await MetricAsync(terminal, Metric));

        HttpClient From(string address) => RemoteAddressFromHeader.Client(terminal.Http.BaseAddress!, address);
        using var first = From("192.0.2.1");
        using var second = From("2001:db8:5:6::1");
        using var third = From("192.0.2.3");
        using var fourth = From("2001:db8:5:7::1");

        // Two sources fill the places; a third shares the overflow and uses its one look-up.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(first, "/api/v1/payers/HS240001"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, "/api/v1/payers/HS240001"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(third, "/api/v1/payers/HS240001"));

        // A tracked source over its own limit is told it is this address, and nothing is counted as the overflow's.
        using (var own = await first.GetAsync("/api/v1/payers/HS240002"))
        {
            await RefusedAsync(own, "too_many_lookups", "192.0.2.1's second look-up");
        }

        Assert.Equal(0, await MetricAsync(terminal, Metric));

        // A fourth source (and the third again) meet the used-up overflow: not this address's doing, many devices'.
        using (var shared = await fourth.GetAsync("/api/v1/payers/HS240002"))
        {
            await RefusedAsync(shared, "too_many_lookups", "a fourth source's first look-up, from the used-up overflow", overflow: true);
        }

        using (var again = await third.GetAsync("/api/v1/payers/HS240003"))
        {
            await RefusedAsync(again, "too_many_lookups", "the third source's second look-up, from the overflow", overflow: true);
        }

        Assert.Equal(2, await MetricAsync(terminal, Metric));
    }

    [Fact]
    public void The_limiter_tracks_no_more_sources_than_its_cap_under_thousands_of_addresses()
    {
        const int Cap = 100;
        const int Misses = 10;
        var clock = new ManualClock();
        var budget = Budget(clock, maxSources: Cap, lookups: 30, misses: Misses);

        // Five minutes of 4,000 new sources each (IPv6 clients of as many /64s; one look-up that misses from each, 40 s of
        // them), every window a fresh set: each window, the first Cap have their own budgets and the rest share one.
        var granted = 0;
        for (var minute = 0; minute < 5; minute++)
        {
            for (var i = 0; i < 4_000; i++)
            {
                var source = $"fd00:0:{minute:x}:{i:x}::/64";
                if (budget.TryTake(source) is null)
                {
                    granted++;
                    budget.CountMiss(source);
                }

                Assert.True(budget.TrackedSources <= Cap, $"minute {minute}, address {i}: {budget.TrackedSources} sources tracked, over the cap of {Cap}");
                if (i % 100 == 99)
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                }
            }

            Assert.Equal(Cap, budget.TrackedSources);
            Assert.Equal((minute + 1) * (Cap + Misses), granted);
            clock.Advance(TimeSpan.FromSeconds(21)); // the minute's first look-ups leave the window
        }

        // Once its look-ups have left the window a source is forgotten, and a new one is tracked in its place.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(budget.TryTake("fd00:1:0:1::/64"));
        Assert.Equal(1, budget.TrackedSources);
    }

    [Fact]
    public void Past_the_cap_new_sources_share_the_overflow_budget_and_the_kiosk_keeps_its_own()
    {
        var clock = new ManualClock();
        var budget = Budget(clock, maxSources: 3, lookups: 2, misses: 100);
        foreach (var source in new[] { "192.168.1.10", "192.168.1.11", "192.168.1.12" })
        {
            Assert.Null(budget.TryTake(source));
        }

        // The fourth and fifth addresses: two look-ups between them, then both refused with the overflow's Retry-After.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(budget.TryTake("192.168.1.13"));
        Assert.Null(budget.TryTake("192.168.1.14"));
        var refusal = budget.TryTake("192.168.1.13");
        Assert.Equal((PayerLookupBudget.TooManyLookups, TimeSpan.FromSeconds(60), true), refusal);
        Assert.Equal((PayerLookupBudget.TooManyLookups, true), budget.TryTake("192.168.1.15") is { } next ? (next.Code, next.Overflow) : default);
        Assert.Equal(3, budget.TrackedSources);
        Assert.Equal(2, budget.OverflowRefusals);

        // A tracked source keeps its own budget; the kiosk's browser is tracked beside the cap.
        Assert.Null(budget.TryTake("192.168.1.10"));
        Assert.Null(budget.TryTake("127.0.0.1"));
        Assert.Null(budget.TryTake("127.0.0.1"));
        Assert.Equal((PayerLookupBudget.TooManyLookups, false), budget.TryTake("127.0.0.1") is { } kiosk ? (kiosk.Code, kiosk.Overflow) : default);
        Assert.Equal(4, budget.TrackedSources);
        Assert.Equal(2, budget.OverflowRefusals);

        // A minute after their look-ups .11 and .12 are forgotten: two places for new addresses (an address the overflow
        // refused among them), each with its own two look-ups; the next address meets the overflow, still used up.
        clock.Advance(TimeSpan.FromSeconds(51));
        Assert.Null(budget.TryTake("192.168.1.15"));
        Assert.Null(budget.TryTake("192.168.1.15"));
        Assert.Equal(PayerLookupBudget.TooManyLookups, budget.TryTake("192.168.1.15")?.Code);
        Assert.Null(budget.TryTake("192.168.1.16"));
        Assert.Equal(PayerLookupBudget.TooManyLookups, budget.TryTake("192.168.1.17")?.Code);
        Assert.Equal(4, budget.TrackedSources);
    }
}
