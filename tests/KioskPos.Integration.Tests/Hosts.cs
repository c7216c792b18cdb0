using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using KioskPos.ProvinceServer;
using KioskPos.Sync;
using KioskPos.Terminal;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Integration.Tests;

/// <summary>A real province server (Kestrel on 127.0.0.1, SQLite in a temp folder) with the demo province.</summary>
public sealed class ProvinceHost : IAsyncDisposable
{
    public const string SchoolToken = "school-terminal-test-token";
    public const string HospitalToken = "hospital-terminal-test-token";
    public const string AdminToken = "admin-test-token";

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

    public static async Task<ProvinceHost> StartAsync(string? folder = null, int port = 0)
    {
        var ownsFolder = folder is null;
        folder ??= Directory.CreateTempSubdirectory("kioskpos-province-").FullName;
        var app = ProvinceApp.Build([
            $"--urls=http://127.0.0.1:{port}",
            $"--Province:DataDirectory={folder}",
            $"--Province:AdminToken={AdminToken}",
            $"--Province:DemoSchoolTerminalToken={SchoolToken}",
            $"--Province:DemoHospitalTerminalToken={HospitalToken}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        return new ProvinceHost(app, folder, ownsFolder);
    }

    /// <summary>An HTTP client authenticated as a terminal.</summary>
    public HttpClient TerminalClient(string terminalId = "KP-THCS-ND-01", string token = SchoolToken)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        client.DefaultRequestHeaders.Add("KioskPos-Terminal", terminalId);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
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

    public static async Task<TerminalHost> StartAsync(Uri province, string terminalId = "KP-THCS-ND-01", string token = ProvinceHost.SchoolToken, bool syncFirst = true, string? folder = null, Action<IServiceCollection>? configureFirst = null)
    {
        folder ??= Directory.CreateTempSubdirectory("kioskpos-terminal-").FullName;
        var app = TerminalApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--Terminal:Id={terminalId}",
            $"--Terminal:DataDirectory={folder}",
            $"--ProvinceServer:BaseUrl={province}",
            $"--ProvinceServer:TerminalToken={token}",
            "--ProvinceServer:Interval=00:00:01",
            "--ProvinceServer:MaxBackoff=00:00:02",
            "--ProvinceServer:RequestTimeout=00:00:05",
            "--Logging:LogLevel:Default=Warning",
        ],
            configureFirst);
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

    public Task<HttpResponseMessage> PayAsync(string? cardUid, params string[] billIds) =>
        Http.PostAsJsonAsync("/api/v1/payments", new { cardUid, method = "card_balance", bills = billIds.Select(b => new { billId = b }).ToArray() });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
