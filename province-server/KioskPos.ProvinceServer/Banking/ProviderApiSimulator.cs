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
    private readonly ConcurrentQueue<SimulatedTransaction> _transactions = new();
    private readonly WebApplication _app;
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
    public long Add(string account, long amount, string text, DateTimeOffset? at = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        _transactions.Enqueue(new SimulatedTransaction(id, account, amount, text, at ?? DateTimeOffset.UtcNow));
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

    private IResult SepayList(HttpContext http)
    {
        if (http.Request.Headers.Authorization.ToString() != "Bearer " + ApiKey)
        {
            return Results.Json(new Dictionary<string, object?> { ["status"] = 401, ["error"] = "unauthorized" }, statusCode: 401);
        }

        Calls.AddOrUpdate(BankProviders.Sepay, 1, (_, n) => n + 1);
        var q = http.Request.Query;
        var account = q["account_number"].ToString();
        var since = long.TryParse(q["since_id"], out var s) ? s : 0;
        var limit = Math.Clamp(int.TryParse(q["limit"], out var l) ? l : 100, 1, 5000);
        var rows = _transactions.Where(t => (account.Length == 0 || t.Account == account) && t.Id > since).OrderBy(t => t.Id).Take(limit)
            .Select(t => new Dictionary<string, object?>
            {
                ["id"] = t.Id.ToString(CultureInfo.InvariantCulture),
                ["bank_brand_name"] = "Vietcombank",
                ["account_number"] = t.Account,
                ["transaction_date"] = Local(t.At),
                ["amount_out"] = (t.Amount < 0 ? -t.Amount : 0).ToString("0.00", CultureInfo.InvariantCulture),
                ["amount_in"] = (t.Amount > 0 ? t.Amount : 0).ToString("0.00", CultureInfo.InvariantCulture),
                ["accumulated"] = "0.00",
                ["transaction_content"] = t.Text,
                ["reference_number"] = "FT" + t.Id,
                ["code"] = null,
                ["sub_account"] = null,
                ["bank_account_id"] = "1",
            }).ToList();
        return Results.Json(new Dictionary<string, object?> { ["status"] = 200, ["error"] = null, ["messages"] = new Dictionary<string, bool> { ["success"] = true }, ["transactions"] = rows });
    }

    private IResult CassoList(HttpContext http)
    {
        if (http.Request.Headers.Authorization.ToString() != "Apikey " + ApiKey)
        {
            return Results.Json(new Dictionary<string, object?> { ["error"] = 401, ["message"] = "unauthorized" }, statusCode: 401);
        }

        Calls.AddOrUpdate(BankProviders.Casso, 1, (_, n) => n + 1);
        var q = http.Request.Query;
        var from = DateTime.TryParseExact(q["fromDate"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var f) ? f : DateTime.MinValue;
        var page = Math.Max(1, int.TryParse(q["page"], out var p) ? p : 1);
        var size = Math.Clamp(int.TryParse(q["pageSize"], out var z) ? z : 20, 1, 100);
        var all = _transactions.Where(t => t.At.ToOffset(BankProviders.VietnamOffset).DateTime >= from).OrderBy(t => t.Id).ToList();
        var records = all.Skip((page - 1) * size).Take(size).Select(t => new Dictionary<string, object?>
        {
            ["id"] = t.Id,
            ["tid"] = "FT" + t.Id,
            ["description"] = t.Text,
            ["amount"] = t.Amount,
            ["cusumBalance"] = 0,
            ["when"] = Local(t.At),
            ["bookingDate"] = Local(t.At)[..10],
            ["bankSubAccId"] = t.Account,
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

    private sealed record SimulatedTransaction(long Id, string Account, long Amount, string Text, DateTimeOffset At);
}
