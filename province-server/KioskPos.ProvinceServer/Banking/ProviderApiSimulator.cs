using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// SePay's and Casso's transaction list APIs and payOS's payment requests (ProviderApiSimulator.Payos.cs) as local simulators (never their real hosts), for the tests and the demo:
/// a bank account's incoming transactions held in memory, served as each provider's list API serves them, behind
/// each provider's API key header. <see cref="Add"/> books a transaction as the bank would, without any webhook
/// (a webhook lost on the way); the pull must find it. Listens on 127.0.0.1 only.
/// </summary>
public sealed partial class ProviderApiSimulator : IAsyncDisposable
{
    private const int SepayCallsPerSecond = 3;
    private readonly ConcurrentQueue<SimulatedTransaction> _transactions = new();
    private readonly Queue<DateTimeOffset> _sepayCalls = new();
    private readonly WebApplication _app;
    private DateTimeOffset _sepayBusyUntil;
    private int _sepayRateLimited;
    private long _nextId = 700_000;

    private ProviderApiSimulator(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
    }

    /// <summary>The key both list APIs ask for.</summary>
    public string ApiKey { get; }

    /// <summary>The address to give a connection as <c>apiBaseUrl</c>: this and <c>/sepay</c> or <c>/casso</c>.</summary>
    public Uri BaseUrl => new(_app.Urls.First());

    /// <summary>
    /// The most records one page of Casso's list holds, whatever <c>pageSize</c> asks (100 unless a test plays an
    /// account whose pages are short); the pull follows <c>nextPage</c>, never its own arithmetic.
    /// </summary>
    public int CassoMaxPageSize { get; set; } = 100;

    /// <summary>How many list calls each provider's API answered.</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts the simulator on loopback port <paramref name="port"/> (a free one when 0); 127.0.0.1 only.</summary>
    public static async Task<ProviderApiSimulator> StartAsync(string apiKey, PayosAccount? payos = null, int port = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new ProviderApiSimulator(app, apiKey);
        app.MapGet("/health", () => Results.Text("ok"));
        app.MapGet("/sepay/userapi/transactions/list", simulator.SepayList);
        app.MapGet("/casso/v2/transactions", simulator.CassoList);
        if (payos is not null)
        {
            simulator.MapPayos(app, payos);
        }

        await app.StartAsync().ConfigureAwait(false);
        return simulator;
    }

    /// <summary>Books an incoming transfer on <paramref name="account"/> (a negative amount is money out); returns its id.</summary>
    /// <remarks>
    /// <paramref name="subAccount"/>: the virtual account the payer paid into, beside the main <paramref name="account"/>.
    /// <paramref name="writtenAt"/>: the time as the list writes it when that is not <paramref name="at"/> (a provider's
    /// broken field, such as a year no bank books in); the list still selects and orders the record by <paramref name="at"/>.
    /// </remarks>
    public long Add(string account, long amount, string text, DateTimeOffset? at = null, string? subAccount = null, string? writtenAt = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        _transactions.Enqueue(new SimulatedTransaction(id, account, amount, text, at ?? DateTimeOffset.UtcNow, subAccount, writtenAt));
        return id;
    }

    /// <summary>Runs until the process is asked to stop (SIGTERM, Ctrl+C) or <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the simulator.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string Local(DateTimeOffset at) => at.ToOffset(BankProviders.VietnamOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>How many SePay calls were refused 429 for SePay's per-IP rate limit.</summary>
    public int SepayRateLimited => _sepayRateLimited;

    /// <summary>
    /// Plays another client on the same IP that has used up SePay's rate for <paramref name="retryAfter"/>: every
    /// SePay call until then is refused 429 with <c>x-sepay-userapi-retry-after</c>.
    /// </summary>
    public void ExhaustSepayRate(TimeSpan retryAfter)
    {
        lock (_sepayCalls)
        {
            _sepayBusyUntil = DateTimeOffset.UtcNow + retryAfter;
        }
    }

    // SePay's own API overview (developer.sepay.vn/en/sepay-api/v1/gioi-thieu, and v2's "Authentication & Rate
    // Limiting"): at most 3 requests a second per IP, checked before authentication; over it, 429 with the header
    // x-sepay-userapi-retry-after (v1; v2 says Retry-After) giving the seconds to wait. Every caller here is loopback,
    // so one IP: no more than 3 calls in any second, whichever connection or key makes them.
    private IResult? SepayRateRefusal(HttpContext http)
    {
        var now = DateTimeOffset.UtcNow;
        lock (_sepayCalls)
        {
            while (_sepayCalls.Count > 0 && now - _sepayCalls.Peek() >= TimeSpan.FromSeconds(1))
            {
                _sepayCalls.Dequeue();
            }

            var wait = now < _sepayBusyUntil ? _sepayBusyUntil - now
                : _sepayCalls.Count >= SepayCallsPerSecond ? _sepayCalls.Peek() + TimeSpan.FromSeconds(1) - now
                : TimeSpan.Zero;
            if (wait <= TimeSpan.Zero)
            {
                _sepayCalls.Enqueue(now);
                return null;
            }

            Interlocked.Increment(ref _sepayRateLimited);
            http.Response.Headers["x-sepay-userapi-retry-after"] = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Results.Json(new Dictionary<string, object?> { ["status"] = 429, ["error"] = "Too Many Requests" }, statusCode: 429);
        }
    }

    // SePay's v1 list (developer.sepay.vn/en/sepay-api/v1/api-giao-dich): "by default, only the 5000 most recent
    // transactions are displayed"; since_id is ">=" (inclusive), transaction_date_min ">=", transaction_date_max "<=",
    // limit at most 5000 and 5000 when left out. So the answer is the newest `limit` of what the filters let through,
    // newest first: a page that is full holds the newest, never the oldest after since_id.
    private IResult SepayList(HttpContext http)
    {
        if (SepayRateRefusal(http) is { } refused)
        {
            return refused;
        }

        if (http.Request.Headers.Authorization.ToString() != "Bearer " + ApiKey)
        {
            return Results.Json(new Dictionary<string, object?> { ["status"] = 401, ["error"] = "unauthorized" }, statusCode: 401);
        }

        Calls.AddOrUpdate(BankProviders.Sepay, 1, (_, n) => n + 1);
        var q = http.Request.Query;
        var account = q["account_number"].ToString();
        var since = long.TryParse(q["since_id"], out var s) ? s : long.MinValue;
        var min = SepayDate(q["transaction_date_min"], endOfDay: false) ?? DateTime.MinValue;
        var max = SepayDate(q["transaction_date_max"], endOfDay: true) ?? DateTime.MaxValue;
        var limit = Math.Clamp(int.TryParse(q["limit"], out var l) ? l : 5000, 1, 5000);
        var rows = _transactions.Where(t => (account.Length == 0 || t.Account == account) && t.Id >= since && LocalSecond(t.At) >= min && LocalSecond(t.At) <= max)
            .OrderByDescending(t => LocalSecond(t.At)).ThenByDescending(t => t.Id).Take(limit)
            .Select(t => new Dictionary<string, object?>
            {
                ["id"] = t.Id.ToString(CultureInfo.InvariantCulture),
                ["bank_brand_name"] = "Vietcombank",
                ["account_number"] = t.Account,
                ["transaction_date"] = t.WrittenAt ?? Local(t.At),
                ["amount_out"] = (t.Amount < 0 ? -(decimal)t.Amount : 0).ToString("0.00", CultureInfo.InvariantCulture),
                ["amount_in"] = (t.Amount > 0 ? t.Amount : 0).ToString("0.00", CultureInfo.InvariantCulture),
                ["accumulated"] = "0.00",
                ["transaction_content"] = t.Text,
                ["reference_number"] = "FT" + t.Id,
                ["code"] = null,
                ["sub_account"] = t.SubAccount,
                ["bank_account_id"] = "1",
            }).ToList();
        return Results.Json(new Dictionary<string, object?> { ["status"] = 200, ["error"] = null, ["messages"] = new Dictionary<string, bool> { ["success"] = true }, ["transactions"] = rows });
    }

    // SePay's table names yyyy-mm-dd, its own example sends "2023-04-30 08:00:00": both are read; a bare day as the
    // upper bound takes in the whole of that day.
    private static DateTime? SepayDate(string? text, bool endOfDay) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at
        : DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? (endOfDay ? day.AddDays(1).AddSeconds(-1) : day)
        : null;

    private static DateTime LocalSecond(DateTimeOffset at)
    {
        var local = at.ToOffset(BankProviders.VietnamOffset).DateTime;
        return local.AddTicks(-(local.Ticks % TimeSpan.TicksPerSecond));
    }

    private IResult CassoList(HttpContext http)
    {
        if (http.Request.Headers.Authorization.ToString() != "Apikey " + ApiKey)
        {
            return Results.Json(new Dictionary<string, object?> { ["error"] = 401, ["message"] = "unauthorized" }, statusCode: 401);
        }

        Calls.AddOrUpdate(BankProviders.Casso, 1, (_, n) => n + 1);
        var q = http.Request.Query;
        // Casso's v2 list (developer.casso.vn/casso-api/api/lay-giao-dich): fromDate (default the last 7 days), toDate
        // (default today), page (1), pageSize (10), sort ASC or DESC by the transaction's time (ASC when left out).
        var from = DateTime.TryParseExact(q["fromDate"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f) ? f : DateTime.UtcNow.AddHours(7).Date.AddDays(-7);
        var to = DateTime.TryParseExact(q["toDate"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var u) ? u.AddDays(1) : DateTime.MaxValue;
        var page = Math.Max(1, int.TryParse(q["page"], out var p) ? p : 1);
        var size = Math.Clamp(int.TryParse(q["pageSize"], out var z) ? z : 10, 1, CassoMaxPageSize);
        var chosen = _transactions.Where(t => LocalSecond(t.At) >= from && LocalSecond(t.At) < to);
        var all = (string.Equals(q["sort"], "DESC", StringComparison.OrdinalIgnoreCase)
            ? chosen.OrderByDescending(t => LocalSecond(t.At)).ThenByDescending(t => t.Id)
            : chosen.OrderBy(t => LocalSecond(t.At)).ThenBy(t => t.Id)).ToList();
        var records = all.Skip((page - 1) * size).Take(size).Select(t => new Dictionary<string, object?>
        {
            ["id"] = t.Id,
            ["tid"] = "FT" + t.Id,
            ["description"] = t.Text,
            ["amount"] = t.Amount,
            ["cusumBalance"] = 0,
            ["when"] = t.WrittenAt ?? Local(t.At),
            ["bookingDate"] = t.WrittenAt is { } written ? written[..Math.Min(10, written.Length)] : Local(t.At)[..10],
            ["bankSubAccId"] = t.Account,
            ["virtualAccount"] = t.SubAccount,
        }).ToList();
        var pages = Math.Max(1, (all.Count + size - 1) / size);
        return Results.Json(new Dictionary<string, object?>
        {
            ["error"] = 0,
            ["message"] = "success",
            ["data"] = new Dictionary<string, object?>
            {
                ["page"] = page, ["pageSize"] = size, ["nextPage"] = page < pages ? page + 1 : null, ["prevPage"] = page > 1 ? page - 1 : null,
                ["totalPages"] = pages, ["totalRecords"] = all.Count, ["records"] = records,
            },
        });
    }

    private sealed record SimulatedTransaction(long Id, string Account, long Amount, string Text, DateTimeOffset At, string? SubAccount, string? WrittenAt);
}
