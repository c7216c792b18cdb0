using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer;
using KioskPos.ProvinceServer.Data;
using KioskPos.Sync;
using KioskPos.Terminal;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Tests.Shared;

/// <summary>
/// A folder and a port kept for a province server that a test stops and starts again (an outage, then the server back
/// with its data); the folder is removed at the end of the test.
/// </summary>
public sealed class KeptProvince(ProvinceEngine engine = ProvinceEngine.Sqlite) : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("kioskpos-province-").FullName;

    public int Port { get; } = LoopbackPort.Next();

    /// <summary>Starts the province on <see cref="Folder"/> and <see cref="Port"/>: the first time, the demo province; again, the same data.</summary>
    public Task<ProvinceHost> StartAsync() => ProvinceHost.StartAsync(Folder, Port, engine);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>The problem details of a refused request, as the servers write them.</summary>
public static class Problems
{
    public static async Task<ProblemDto> ProblemAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;

    /// <summary>The problem answered with <paramref name="status"/> as <c>application/problem+json</c>; fails naming <paramref name="what"/> otherwise.</summary>
    public static async Task<ProblemDto> ProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status && response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{what}: {(int)response.StatusCode} {response.Content.Headers.ContentType} '{body}'");
        var problem = await response.ProblemAsync();
        Assert.Equal((int)status, problem.Status);
        return problem;
    }
}

/// <summary>A real province server (Kestrel on 127.0.0.1, SQLite in a temp folder) with the demo province.</summary>
public sealed class ProvinceHost : IAsyncDisposable
{
    public const string AdminToken = "admin-test-token";
    public const string BankConnection = "test-bank";
    public const string BankSecret = "test-bank-secret-0123456789";
    public const string SchoolAccount = "1023456789";
    private readonly List<string> _keyFolders = [];

    private ProvinceHost(WebApplication app, string folder, bool ownsFolder)
    {
        App = app;
        Folder = folder;
        OwnsFolder = ownsFolder;
        BaseUrl = new Uri(app.Urls.First());
        Admin = new HttpClient { BaseAddress = BaseUrl };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public WebApplication App { get; }

    public string Folder { get; }

    public bool OwnsFolder { get; }

    public Uri BaseUrl { get; }

    public HttpClient Admin { get; }

    /// <summary>
    /// Starts the demo province (asked for explicitly: a server on shipped settings seeds nothing); <paramref name="settings"/>
    /// (<c>--Province:Key=value</c>) come last and win; <paramref name="configure"/> adds to the builder (a test's services).
    /// </summary>
    public static async Task<ProvinceHost> StartAsync(string? folder = null, int port = 0, ProvinceEngine engine = ProvinceEngine.Sqlite, IReadOnlyList<string>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var ownsFolder = folder is null;
        folder ??= Directory.CreateTempSubdirectory("kioskpos-province-").FullName;

        // On PostgreSQL the folder still names the data: the same folder gives the same database after a restart.
        string[] storage = engine == ProvinceEngine.Postgres
            ? ["--Province:Engine=Postgres", $"--Province:ConnectionString={await PostgresCluster.DatabaseAsync(folder)}"]
            : [];
        var app = ProvinceApp.Build([
            .. storage,
            $"--urls=http://127.0.0.1:{port}",
            $"--Province:DataDirectory={folder}",
            $"--Province:AdminToken={AdminToken}",
            $"--Province:BankConnections:0:Id={BankConnection}",
            $"--Province:BankConnections:0:Secret={BankSecret}",
            "--Province:SeedDemoData=true",
            "--Province:BankSimulator=true",
            "--Logging:LogLevel:Default=Warning",
            .. settings ?? [],
        ], builder =>
        {
            TestLog.Configure(builder);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new ProvinceHost(app, folder, ownsFolder);
    }

    /// <summary>Enrols <paramref name="terminalId"/> into <paramref name="folder"/> as the terminal's own `enroll` does.</summary>
    public Task<EnrolResponse> EnrolAsync(string folder, string terminalId = "KP-THCS-ND-01", string institutionId = "TG-THCS-NGUYENDU") =>
        Enrolment.EnrolAsync(BaseUrl, Admin, folder, terminalId, institutionId);

    /// <summary>An HTTP client that signs its requests as an enrolled terminal.</summary>
    public async Task<HttpClient> SignedClientAsync(string terminalId = "KP-THCS-ND-01", string institutionId = "TG-THCS-NGUYENDU")
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-key-").FullName;
        _keyFolders.Add(folder);
        await EnrolAsync(folder, terminalId, institutionId);
        return Enrolment.SignedClient(BaseUrl, folder, terminalId);
    }

    /// <summary>Posts a bank notification signed as the bank's service signs it (or with <paramref name="secret"/> / <paramref name="at"/> to test refusals).</summary>
    public async Task<HttpResponseMessage> NotifyAsync(long amount, string text, string? transactionId = null, string account = SchoolAccount, string? secret = null, DateTimeOffset? at = null, string connection = BankConnection)
    {
        var notification = new BankNotification(transactionId ?? "FT" + Guid.NewGuid().ToString("N")[..12], account, amount, text, DateTimeOffset.UtcNow, "970436");
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(notification, ContractsJsonContext.Default.BankNotification);
        using var request = BankSignature.CreateRequest(new Uri(BaseUrl, SyncProtocol.BankNotificationsPath), connection, secret ?? BankSecret, body, at ?? DateTimeOffset.UtcNow);
        using var http = new HttpClient();
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>The server's database, on whichever engine it runs.</summary>
    internal ProvinceDatabase Database => App.Services.GetRequiredService<ProvinceDatabase>();

    /// <summary>Reads one value straight from the server's database (SQL with <c>$name</c> parameters, as the server writes it).</summary>
    public async Task<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ScalarAsync(sql, null, CancellationToken.None, parameters);
    }

    /// <summary>
    /// Reads rows straight from the server's database as text, a line per row, each value followed by <c>|</c>
    /// (<c>null</c> for NULL): for comparing what two runs stored, or a table against figures by hand.
    /// </summary>
    public async Task<string> RowsAsync(string sql)
    {
        var text = new System.Text.StringBuilder();
        await using var connection = await Database.OpenAsync();
        await using var command = connection.Command(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Runs one statement straight on the server's database, as an operator with a SQL prompt would.</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteAsync(sql, null, CancellationToken.None, parameters);
    }

    /// <summary>Signs a person in at /login; the client carries the session cookie and does not follow redirects.</summary>
    public async Task<HttpClient> SignInAsync(string username, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = BaseUrl };
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = username, ["password"] = password, ["return"] = "/" }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public async Task<long> BalanceAsync(string code) =>
        (await Admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/admin/accounts/{code}")).GetProperty("balance").GetInt64();

    public async Task<System.Text.Json.JsonElement[]> PaymentsAsync(string? account = null) =>
        (await Admin.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"/api/v1/admin/payments{(account is null ? string.Empty : "?account=" + account)}"))!;

    public async Task StopAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // Stopped by the test already.
        }

        if (OwnsFolder)
        {
            Directory.Delete(Folder, recursive: true);
        }

        foreach (var folder in _keyFolders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>A real terminal (Kestrel on 127.0.0.1, SQLite in a temp folder, simulated hardware) syncing to a province host.</summary>
public sealed class TerminalHost : IAsyncDisposable
{
    private TerminalHost(WebApplication app, string folder)
    {
        App = app;
        Folder = folder;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }

    public string Folder { get; }

    public HttpClient Http { get; }

    public SyncWorker Sync => App.Services.GetRequiredService<SyncWorker>();

    public string ReceiptsFolder => Path.Combine(Folder, "receipts");

    /// <summary>How many entries the terminal's journal holds, read from its SQLite file.</summary>
    public async Task<long> JournalCountAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Folder, "terminal.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Enrols a terminal with an in-process province host and starts it (syncing through <paramref name="syncUrl"/> if given).</summary>
    public static Task<TerminalHost> StartAsync(ProvinceHost province, Uri? syncUrl = null, bool syncFirst = true, string? folder = null, Action<IServiceCollection>? configureFirst = null, string[]? extraArgs = null) =>
        StartAsync(province.BaseUrl, province.Admin, syncUrl, syncFirst, folder, configureFirst, extraArgs);

    /// <summary>A counter terminal at the demo hospital (district health centre of Châu Thành), enrolled and synced.</summary>
    public static Task<TerminalHost> StartHospitalAsync(ProvinceHost province) =>
        StartAsync(province.BaseUrl, province.Admin, terminalId: "KP-TTYT-CT-01", institutionId: "TG-TTYT-CHAUTHANH");

    /// <summary>Enrols a terminal with the province server at <paramref name="provinceUrl"/> (codes through <paramref name="admin"/>) and starts it.</summary>
    public static async Task<TerminalHost> StartAsync(Uri provinceUrl, HttpClient admin, Uri? syncUrl = null, bool syncFirst = true, string? folder = null, Action<IServiceCollection>? configureFirst = null, string[]? extraArgs = null,
        string terminalId = "KP-THCS-ND-01", string institutionId = "TG-THCS-NGUYENDU")
    {
        folder ??= Directory.CreateTempSubdirectory("kioskpos-terminal-").FullName;
        await Enrolment.EnrolAsync(provinceUrl, admin, folder, terminalId, institutionId);
        var app = TerminalApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--Terminal:DataDirectory={folder}",
            $"--ProvinceServer:BaseUrl={syncUrl ?? provinceUrl}",
            "--ProvinceServer:Interval=00:00:01",
            "--ProvinceServer:MaxBackoff=00:00:02",
            "--ProvinceServer:RequestTimeout=00:00:05",
            "--ProvinceServer:AuthoriseTimeout=00:00:10", // a loaded CI machine must not turn an online payment into an offline one
            "--Terminal:CardPinAbove=100000000", // the card PIN has its own tests (CardPinTests), which set their own amount
            // Tests look payers up by code anonymously, from 127.0.0.1, far more often than a person at the kiosk (polling a
            // balance, sweeps of hostile input); the limit has its own tests (PayerLookupLimitTests), which set their own.
            "--Terminal:PayerLookupsPerWindow=1000000",
            "--Terminal:PayerLookupMissesPerWindow=1000000",
            "--Hardware:ReaderPollMs=20", // the emulated reader polls faster, so repeated taps of one card take less time
            "--Terminal:DevEndpoints=true", // the tests tap cards on the simulated reader through /dev, as make run does
            "--Hardware:AllowSimulated=true", // and run on the simulators, which a terminal uses only when asked

            "--Logging:LogLevel:Default=Warning",
            .. extraArgs ?? [],
        ],
            services =>
            {
                TestLog.Configure(services);
                configureFirst?.Invoke(services);
            });
        await app.StartAsync();
        var host = new TerminalHost(app, folder);
        if (syncFirst)
        {
            var round = await host.Sync.RunRoundAsync(CancellationToken.None);
            Assert.Null(round.Error);
        }

        return host;
    }

    public async Task<System.Text.Json.JsonElement> TapAsync(string uid)
    {
        using var response = await Http.PostAsJsonAsync("/dev/card-taps", new { uid });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    }

    /// <summary>
    /// Taps <paramref name="uid"/> and returns the tap's reference (<c>tap-…</c>), what the kiosk sends as <c>cardUid</c>
    /// with no one signed in (it has it from its event stream; here it is asked of the terminal, the same value).
    /// </summary>
    public async Task<string> TapReferenceAsync(string uid)
    {
        await TapAsync(uid);
        return App.Services.GetRequiredService<KioskPos.Terminal.Services.CardPresence>().Last!.Reference!;
    }

    /// <summary>The demo staff: id and PIN per role.</summary>
    public static readonly IReadOnlyDictionary<KioskPos.Storage.StaffRole, (string Id, string Pin)> StaffPins = new Dictionary<KioskPos.Storage.StaffRole, (string, string)>
    {
        [KioskPos.Storage.StaffRole.Cashier] = ("tn01", "246813"),
        [KioskPos.Storage.StaffRole.Supervisor] = ("gs01", "975319"),
        [KioskPos.Storage.StaffRole.Technician] = ("kt01", "864271"),
    };

    private readonly List<HttpClient> _staffClients = [];

    /// <summary>A client of its own (with a cookie jar) signed in as the demo member of staff of <paramref name="role"/>.</summary>
    public async Task<HttpClient> StaffAsync(KioskPos.Storage.StaffRole role)
    {
        var staff = App.Services.GetRequiredService<KioskPos.Storage.StaffStore>();
        var (id, pin) = StaffPins[role];
        await staff.AddOrUpdateAsync(id, $"Demo {role}", role, pin);
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = Http.BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/v1/sessions", new { staffId = id, pin });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _staffClients.Add(client);
        return client;
    }

    private HttpClient? _cashier;

    /// <summary>One client signed in as the demo cashier, made once (a typed card UID is looked up by staff only).</summary>
    public async Task<HttpClient> CashierAsync() => _cashier ??= await StaffAsync(KioskPos.Storage.StaffRole.Cashier);

    /// <summary>
    /// A payment's own endpoint as the kiosk that took it calls it: with the payment's view token (the kiosk has it
    /// from the payment's answer; here it is asked of the terminal, which is the same key).
    /// </summary>
    public string PaymentUrl(string id, string suffix = "") =>
        $"/api/v1/payments/{Uri.EscapeDataString(id)}{suffix}?t={App.Services.GetRequiredService<KioskPos.Terminal.Services.PaymentViewTokens>().Issue(id)}";

    /// <summary>The payment as the kiosk that took it sees it.</summary>
    public async Task<System.Text.Json.JsonElement> PaymentAsync(string id) =>
        await Http.GetFromJsonAsync<System.Text.Json.JsonElement>(PaymentUrl(id));

    /// <summary>
    /// Waits until the receipt of payment <paramref name="id"/> is printed or failed and returns the payment as read
    /// then: a card payment's answer goes before its receipt reaches the paper (issue #26), so a test that reads the
    /// paper or the receipt's state after paying waits for it here, as the kiosk's screen does.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> ReceiptSettledAsync(string id, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var payment = await PaymentAsync(id);
            if (payment.GetProperty("receipt").GetProperty("state").GetString() is "printed" or "failed")
            {
                return payment;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The receipt of {id} is still {payment.GetProperty("receipt")} after {within ?? TimeSpan.FromSeconds(20)}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Another terminal of the same school (KP-THCS-ND-02), enrolled with <paramref name="province"/>.</summary>
    public static Task<TerminalHost> StartSecondAsync(ProvinceHost province, string[]? extraArgs = null) =>
        StartAsync(province.BaseUrl, province.Admin, extraArgs: extraArgs, terminalId: "KP-THCS-ND-02");

    /// <summary>Taps <paramref name="card"/> and pays <paramref name="bill"/> from it: <paramref name="amount"/>, or what is owed when null.</summary>
    public async Task<HttpResponseMessage> TapAndPayAsync(string card, string bill, long? amount = null)
    {
        await TapAsync(card);
        return await Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = card, bills = new[] { new { billId = bill, amount } } });
    }

    public Task<HttpResponseMessage> PayAsync(string? cardUid, params string[] billIds) =>
        Http.PostAsJsonAsync("/api/v1/payments", new { cardUid, method = "card_balance", bills = billIds.Select(b => new { billId = b }).ToArray() });

    /// <summary>Stops the terminal as a power cut would end it for its devices, keeping its data folder (for a restart test).</summary>
    public async Task StopKeepingDataAsync()
    {
        _keepData = true;
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Http.Dispose();
        _staffClients.ForEach(c => c.Dispose());
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_keepData)
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private bool _keepData;
    private bool _disposed;
}

/// <summary>Enrolment as a technician does it: a code from the administrator, then the terminal's own enrolment.</summary>
public static class Enrolment
{
    public static async Task<string> IssueCodeAsync(HttpClient admin, Uri province, string terminalId, string institutionId)
    {
        using var response = await admin.PostAsJsonAsync(new Uri(province, "/api/v1/admin/enrolment-codes"), new { institutionId, terminalId, name = terminalId, validMinutes = 10 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString()!;
    }

    public static async Task<EnrolResponse> EnrolAsync(Uri province, HttpClient admin, string folder, string terminalId, string institutionId)
    {
        var code = await IssueCodeAsync(admin, province, terminalId, institutionId);
        using var http = new HttpClient();
        return await DeviceIdentity.EnrolAsync(province, code, folder, http, CancellationToken.None);
    }

    /// <summary>A client that signs with the key enrolled in <paramref name="folder"/>.</summary>
    public static HttpClient SignedClient(Uri province, string folder, string terminalId, TimeProvider? clock = null)
    {
        var key = DeviceIdentity.LoadKey(Path.Combine(folder, DeviceIdentity.KeyFileName));
        return new HttpClient(new RequestSigner(() => (key, terminalId), clock ?? TimeProvider.System) { InnerHandler = new HttpClientHandler() }) { BaseAddress = province };
    }
}

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; across processes there is no event to wait on.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the terminal answering on <paramref name="terminal"/> has nothing left to push.</summary>
    public static Task UntilDrainedAsync(HttpClient terminal, TimeSpan timeout) =>
        UntilAsync(
            async () => (await terminal.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/status")).GetProperty("sync").GetProperty("queued").GetInt32() == 0,
            timeout,
            "the terminal's queue to drain");
}
