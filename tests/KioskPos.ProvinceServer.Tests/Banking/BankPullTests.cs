using System.Globalization;
using System.Text.Json;
using KioskPos.ProvinceServer.Banking;
using KioskPos.ProvinceServer.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Issue 19, pull as the fallback: a transfer whose webhook never came (booked at the provider's simulated list API,
/// never posted) is found by the pull within one interval and matched once, and a webhook for it arriving after
/// changes nothing.
/// </summary>
public sealed class BankPullTests
{
    [Theory]
    [InlineData("sepay")]
    [InlineData("casso")]
    public async Task A_dropped_webhook_is_recovered_by_the_pull_within_one_interval_once(string provider)
    {
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=1"]);
        var secret = provider == "sepay" ? ProviderSenders.SepayKey : ProviderSenders.CassoKey;
        await ProviderSenders.PutConnectionAsync(province, provider + "-1", provider, secret, apiKey: simulator.ApiKey, apiBaseUrl: new Uri(simulator.BaseUrl, "/" + provider).ToString());
        var (payment, code) = await PendingPayments.CreateAsync(province, 150_000);

        // The bank books the transfer; the provider's webhook is dropped on the way.
        var id = simulator.Add(ProvinceHost.SchoolAccount, 150_000, $"HS240001 hoc phi {code}");
        simulator.Add(ProvinceHost.SchoolAccount, -20_000, "phi dich vu"); // money out: never matched

        var started = DateTime.UtcNow;
        while (await PendingPayments.StateAsync(province, payment) is { State: not "completed" } && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        var recovered = DateTime.UtcNow - started;
        Assert.Equal(("completed", 150_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.True(recovered < TimeSpan.FromSeconds(2.5), $"recovered after {recovered.TotalSeconds:F1} s with a 1 s interval");
        Assert.Equal("pull", await province.ScalarAsync("SELECT source FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));

        // Later pulls bring it again, and the late webhook comes: still once.
        var calls = simulator.Calls[provider];
        while (simulator.Calls[provider] < calls + 2)
        {
            await Task.Delay(100);
        }

        var late = ProviderPost.Transfer(province.BaseUrl, provider, id, 150_000, code);
        Assert.Equal(200, (await ProviderSenders.SendAsync(late)).Status);
        Assert.Equal(("completed", 150_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers WHERE connection_id = $c", ("$c", provider + "-1")), CultureInfo.InvariantCulture));
        Assert.NotNull(await province.ScalarAsync("SELECT last_pull_at FROM bank_connections WHERE id = $c AND last_pull_error IS NULL", ("$c", provider + "-1")));
    }

    [Theory]
    [InlineData("sepay")]
    [InlineData("casso")]
    public async Task A_pulled_transfer_into_the_schools_virtual_account_pays_as_the_webhook_would(string provider)
    {
        // The connection names the bank's main account (the one the provider's list is of); the payer paid into the
        // school's virtual account, which the list names beside it (SePay sub_account, Casso's virtual account).
        const string mainAccount = "8800112233";
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=1"]);
        var secret = provider == "sepay" ? ProviderSenders.SepayKey : ProviderSenders.CassoKey;
        await ProviderSenders.PutConnectionAsync(province, provider + "-main", provider, secret, account: mainAccount, apiKey: simulator.ApiKey, apiBaseUrl: new Uri(simulator.BaseUrl, "/" + provider).ToString());
        var (payment, code) = await PendingPayments.CreateAsync(province, 160_000);
        simulator.Add(mainAccount, 160_000, $"HS240001 hoc phi {code}", subAccount: ProvinceHost.SchoolAccount);

        var started = DateTime.UtcNow;
        while (await PendingPayments.StateAsync(province, payment) is { State: not "completed" } && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.Equal(("completed", 160_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(ProvinceHost.SchoolAccount, await province.ScalarAsync("SELECT account_number FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));
    }

    [Fact]
    public async Task A_pull_the_provider_refuses_records_nothing_and_the_connection_shows_the_error_never_the_key()
    {
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=1"]);
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey, apiKey: "wrong-api-key-0123456789",
            apiBaseUrl: new Uri(simulator.BaseUrl, "/sepay").ToString());
        var (payment, code) = await PendingPayments.CreateAsync(province, 90_000);
        simulator.Add(ProvinceHost.SchoolAccount, 90_000, code);

        var started = DateTime.UtcNow;
        JsonElement view;
        do
        {
            await Task.Delay(200);
            view = JsonDocument.Parse(await province.Admin.GetStringAsync("/api/v1/admin/bank/connections/sepay-1")).RootElement;
        }
        while ((!view.TryGetProperty("lastPullError", out var error) || error.ValueKind == JsonValueKind.Null) && DateTime.UtcNow - started < TimeSpan.FromSeconds(10));

        Assert.Contains("401", view.GetProperty("lastPullError").GetString(), StringComparison.Ordinal);
        Assert.True(view.GetProperty("hasApiKey").GetBoolean());
        Assert.DoesNotContain("wrong-api-key-0123456789", view.GetRawText(), StringComparison.Ordinal);
        Assert.False(simulator.Calls.ContainsKey("sepay")); // refused at the key: no list served
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(0L, await PendingPayments.TransfersAsync(province, "sepay-1"));
    }

    // The pull run by hand (the interval 0 leaves the timer off), so each test says exactly what lies between two pulls.
    private static BankPullWorker Worker(ProvinceHost province) => province.App.Services.GetRequiredService<BankPullWorker>();

    private static Task<object?> ConnectionFieldAsync(ProvinceHost province, string connection, string column) =>
        province.ScalarAsync($"SELECT {column} FROM bank_connections WHERE id = $c", ("$c", connection));

    private static Task PutListConnectionAsync(ProvinceHost province, ProviderApiSimulator simulator, string id, string provider) =>
        ProviderSenders.PutConnectionAsync(province, id, provider, provider == "sepay" ? ProviderSenders.SepayKey : ProviderSenders.CassoKey,
            apiKey: simulator.ApiKey, apiBaseUrl: new Uri(simulator.BaseUrl, "/" + provider).ToString());

    [Fact]
    public async Task A_record_no_reader_expects_is_refused_with_its_reason_and_the_server_keeps_running()
    {
        // Review finding 3: Casso's list with amount long.MinValue made Math.Abs throw OverflowException, which no
        // catch of the worker took: the BackgroundService failed and .NET stopped the whole province server.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=1"]);
        var lifetime = province.App.Services.GetRequiredService<IHostApplicationLifetime>();
        await PutListConnectionAsync(province, simulator, "casso-1", "casso");
        var (payment, code) = await PendingPayments.CreateAsync(province, 120_000);
        var bad = simulator.Add(ProvinceHost.SchoolAccount, long.MinValue, "not money");
        simulator.Add(ProvinceHost.SchoolAccount, 120_000, $"HS240001 hoc phi {code}");

        await Wait.UntilAsync(async () => lifetime.ApplicationStopping.IsCancellationRequested || (await PendingPayments.StateAsync(province, payment)).State == "completed",
            TimeSpan.FromSeconds(10), "the pull to record the good transfer");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the province server is stopping");
        var calls = simulator.Calls["casso"];
        await Wait.UntilAsync(() => Task.FromResult(simulator.Calls["casso"] >= calls + 2), TimeSpan.FromSeconds(10), "two more pulls");

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the province server is stopping");
        Assert.Equal(("completed", 120_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(1L, await PendingPayments.TransfersAsync(province, "casso-1")); // the bad record is never recorded
        var error = (string?)await ConnectionFieldAsync(province, "casso-1", "last_pull_error");
        Assert.Contains($"{bad}: amount must be a whole number", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sepay", "1999-12-31 23:59:59", "transaction_date")]
    [InlineData("casso", "2100-01-01 08:00:00", "when")]
    public async Task A_pulled_record_booked_outside_2000_to_2099_is_refused_with_its_reason_never_booked_at_the_time_of_the_pull(string provider, string written, string field)
    {
        // BankProviders.ParseTime gives null for a year no bank books in; the webhooks refuse it with a 400 naming the
        // field, but the pull booked such a record at the time of the pull (`?? now`), paying a payment with a time
        // the bank never wrote. The rest of the page is still recorded.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        var connection = provider + "-1";
        await PutListConnectionAsync(province, simulator, connection, provider);
        var (before, beforeCode) = await PendingPayments.CreateAsync(province, 130_000);
        var (broken, brokenCode) = await PendingPayments.CreateAsync(province, 90_000);
        var (after, afterCode) = await PendingPayments.CreateAsync(province, 70_000);
        var now = DateTimeOffset.UtcNow;
        simulator.Add(ProvinceHost.SchoolAccount, 130_000, $"HS240001 hoc phi {beforeCode}", now.AddMinutes(-3));
        var bad = simulator.Add(ProvinceHost.SchoolAccount, 90_000, $"HS240001 hoc phi {brokenCode}", now.AddMinutes(-2), writtenAt: written);
        simulator.Add(ProvinceHost.SchoolAccount, 70_000, $"HS240001 hoc phi {afterCode}", now.AddMinutes(-1));

        Assert.Equal(2, await Worker(province).PullAllAsync(CancellationToken.None));

        Assert.Equal(("completed", 130_000L, 1L), await PendingPayments.StateAsync(province, before));
        Assert.Equal(("completed", 70_000L, 1L), await PendingPayments.StateAsync(province, after));
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, broken));
        Assert.Null(await province.ScalarAsync("SELECT id FROM bank_transfers WHERE connection_id = $c AND bank_txn_id = $x",
            ("$c", connection), ("$x", bad.ToString(CultureInfo.InvariantCulture))));
        var error = (string?)await ConnectionFieldAsync(province, connection, "last_pull_error");
        Assert.Contains($"refused 1 transaction(s): {bad}: {BankProviders.TimeProblem(field)}", error, StringComparison.Ordinal);

        // A later pull (Casso's reads the page again, SePay's goes on from the highest id) records it no more than this one.
        await Worker(province).PullAllAsync(CancellationToken.None);
        Assert.Equal(2L, await PendingPayments.TransfersAsync(province, connection));
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, broken));
    }

    [Fact]
    public Task SePay_newest_first_pages_reach_every_transfer_when_more_than_a_page_came_between_two_pulls() =>
        SepayWalkAsync(ProvinceEngine.Sqlite);

    internal static async Task SepayWalkAsync(ProvinceEngine engine)
    {
        // Review finding 5: SePay's list shows "the most recent" transactions and since_id is inclusive
        // (developer.sepay.vn/en/sepay-api/v1/api-giao-dich). A full page is the newest 100; the old pull moved its
        // cursor to their highest id and never asked for the ones beneath.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutListConnectionAsync(province, simulator, "sepay-1", "sepay");
        simulator.Add(ProvinceHost.SchoolAccount, 10_000, "truoc do", DateTimeOffset.UtcNow.AddMinutes(-10));
        Assert.Equal(1, await Worker(province).PullAllAsync(CancellationToken.None));

        // A fee day while the pull was down: the payment's transfer is the oldest of 151, one a second.
        var (payment, code) = await PendingPayments.CreateAsync(province, 150_000);
        var start = DateTimeOffset.UtcNow.AddSeconds(-300);
        simulator.Add(ProvinceHost.SchoolAccount, 150_000, $"HS240001 hoc phi {code}", start);
        for (var i = 1; i <= 150; i++)
        {
            simulator.Add(ProvinceHost.SchoolAccount, 1_000 + i, $"chuyen tien {i}", start.AddSeconds(i));
        }

        Assert.Equal(151, await Worker(province).PullAllAsync(CancellationToken.None));
        Assert.Equal(("completed", 150_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(152L, await PendingPayments.TransfersAsync(province, "sepay-1"));
        Assert.Null(await ConnectionFieldAsync(province, "sepay-1", "last_pull_error"));

        // The walk is over: the cursor is the highest id, and the next pull brings nothing new.
        Assert.DoesNotContain("=", (string?)await ConnectionFieldAsync(province, "sepay-1", "pull_cursor"), StringComparison.Ordinal);
        Assert.Equal(0, await Worker(province).PullAllAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Casso_pull_starts_from_its_stored_cursor_after_an_outage_longer_than_a_day()
    {
        // Review finding 6: the Casso pull asked from yesterday whatever its cursor said, so after a weekend's outage
        // the transfers of the days before were never pulled.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutListConnectionAsync(province, simulator, "casso-1", "casso");
        await Worker(province).PullAllAsync(CancellationToken.None);

        // The last pull that worked was four days ago (the cursor as the old pull wrote it: a day); the transfer, three.
        var fourDaysAgo = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).AddDays(-4).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await province.ExecuteAsync("UPDATE bank_connections SET pull_cursor = $c WHERE id = 'casso-1'", ("$c", fourDaysAgo));
        var (payment, code) = await PendingPayments.CreateAsync(province, 80_000);
        simulator.Add(ProvinceHost.SchoolAccount, 80_000, $"HS240001 {code}", DateTimeOffset.UtcNow.AddDays(-3));

        Assert.Equal(1, await Worker(province).PullAllAsync(CancellationToken.None));
        Assert.Equal(("completed", 80_000L, 1L), await PendingPayments.StateAsync(province, payment));
    }

    [Fact]
    public async Task Casso_pull_past_its_pages_per_round_goes_on_at_the_next_pull_instead_of_stopping()
    {
        // Review finding 6: the Casso pull stopped at 20 pages and called the list done; with ascending pages the
        // newest transfers, the ones that matter, were never reached. Here each page holds one record.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        simulator.CassoMaxPageSize = 1;
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0", "--Province:BankPull:PagesPerRound=15"]);
        await PutListConnectionAsync(province, simulator, "casso-1", "casso");
        var (payment, code) = await PendingPayments.CreateAsync(province, 60_000);
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        for (var i = 0; i < 21; i++)
        {
            simulator.Add(ProvinceHost.SchoolAccount, -1_000, $"phi {i}", start.AddSeconds(i)); // money out: never recorded
        }

        simulator.Add(ProvinceHost.SchoolAccount, 60_000, $"HS240001 {code}", start.AddMinutes(1)); // the 22nd page

        await Worker(province).PullAllAsync(CancellationToken.None);
        Assert.Equal("pending", (await PendingPayments.StateAsync(province, payment)).State);
        Assert.Contains("page=16", (string?)await ConnectionFieldAsync(province, "casso-1", "pull_cursor"), StringComparison.Ordinal);

        Assert.Equal(1, await Worker(province).PullAllAsync(CancellationToken.None));
        Assert.Equal(("completed", 60_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.DoesNotContain("=", (string?)await ConnectionFieldAsync(province, "casso-1", "pull_cursor"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pull_that_brings_only_recorded_transfers_takes_no_write_lock_for_them()
    {
        // Review finding 6: each pull sent every transaction of its window through BankLedger.RecordAsync, one write
        // transaction under the province's writers' lock each, only to learn it was a duplicate.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutListConnectionAsync(province, simulator, "casso-1", "casso");
        for (var i = 0; i < 30; i++)
        {
            simulator.Add(ProvinceHost.SchoolAccount, 5_000 + i, $"chuyen tien {i}", DateTimeOffset.UtcNow.AddMinutes(-40 + i));
        }

        Assert.Equal(30, await Worker(province).PullAllAsync(CancellationToken.None));
        var writes = province.Database.WriterCounters!.Writes;
        Assert.Equal(0, await Worker(province).PullAllAsync(CancellationToken.None));
        var written = province.Database.WriterCounters!.Writes - writes;
        Assert.True(written < 5, $"a pull of 30 recorded transfers wrote {written} times");
        Assert.Equal(30L, await PendingPayments.TransfersAsync(province, "casso-1"));
    }

    [Fact]
    public async Task SePay_connections_pulled_one_after_another_keep_within_SePay_s_rate_per_IP()
    {
        // Review finding 10: SePay allows 3 requests a second per IP, before authentication (developer.sepay.vn,
        // API overview). The old pull spaced calls only within one connection, so a fourth SePay connection's first
        // call met 429 on every pull.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        for (var c = 1; c <= 4; c++)
        {
            await PutListConnectionAsync(province, simulator, $"sepay-{c}", "sepay");
        }

        var (_, code) = await PendingPayments.CreateAsync(province, 70_000);
        simulator.Add(ProvinceHost.SchoolAccount, 70_000, $"HS240001 {code}");

        await Worker(province).PullAllAsync(CancellationToken.None);
        Assert.Equal(0, simulator.SepayRateLimited);
        for (var c = 1; c <= 4; c++)
        {
            Assert.Null(await ConnectionFieldAsync(province, $"sepay-{c}", "last_pull_error"));
            Assert.Equal(1L, await PendingPayments.TransfersAsync(province, $"sepay-{c}"));
        }
    }

    [Fact]
    public async Task A_429_from_SePay_is_waited_out_for_the_seconds_it_names_and_the_pull_goes_on()
    {
        // Review finding 10: SePay answers 429 with x-sepay-userapi-retry-after (developer.sepay.vn/en/sepay-api/v1/gioi-thieu);
        // another client on the province's IP can use up the rate, and the pull then waits rather than fails.
        await using var simulator = await ProviderApiSimulator.StartAsync("sim-api-key-0123456789");
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutListConnectionAsync(province, simulator, "sepay-1", "sepay");
        var (payment, code) = await PendingPayments.CreateAsync(province, 40_000);
        simulator.Add(ProvinceHost.SchoolAccount, 40_000, $"HS240001 {code}");
        simulator.ExhaustSepayRate(TimeSpan.FromSeconds(1));

        Assert.Equal(1, await Worker(province).PullAllAsync(CancellationToken.None));
        Assert.True(simulator.SepayRateLimited >= 1);
        Assert.Equal(("completed", 40_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Null(await ConnectionFieldAsync(province, "sepay-1", "last_pull_error"));
    }
}

/// <summary>The SePay walk and the read of what is already recorded (an IN list of parameters) on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class BankPullPostgresTests
{
    [Fact]
    public Task SePay_newest_first_pages_reach_every_transfer_on_PostgreSQL() => BankPullTests.SepayWalkAsync(ProvinceEngine.Postgres);
}
