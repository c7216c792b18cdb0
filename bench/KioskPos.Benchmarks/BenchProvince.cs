using System.Globalization;
using System.Net.Http.Headers;
using KioskPos.ProvinceServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace KioskPos.Benchmarks;

/// <summary>
/// A real province server on loopback over a throwaway SQLite file, with the demo school and hospital
/// (<c>Province:SeedDemoData</c>, no generated province around them) and an administrator's token: what the import
/// and statement runs post to. Rows a run needs in bulk (pupils, patients, open payments) are written straight into
/// the file beforehand in one transaction; what is timed always goes through the server's HTTP API.
/// </summary>
internal sealed class BenchProvince : IAsyncDisposable
{
    private const string AdminToken = "bench-admin";

    private BenchProvince(string folder, WebApplication app)
    {
        Folder = folder;
        App = app;
        Admin = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public string Folder { get; }

    public WebApplication App { get; }

    public HttpClient Admin { get; }

    public string Database => Path.Combine(Folder, "province.db");

    /// <summary>
    /// When set, each request may carry up to 200 MB, what <c>POST /api/v1/admin/bills/import</c> says it takes for XML
    /// and spreadsheets: the server as shipped keeps Kestrel's 16 MB for every request (ProvinceApp), so a larger file
    /// is refused before the import reads it. The runs try without it first and say so when they need it.
    /// </summary>
    public bool LiftBodyLimit { get; set; }

    public static async Task<BenchProvince> StartAsync(string name)
    {
        var folder = Directory.CreateTempSubdirectory($"kioskpos-{name}-").FullName;
        var app = ProvinceApp.Build([
            "--urls=http://127.0.0.1:0", $"--Province:DataDirectory={folder}", $"--Province:AdminToken={AdminToken}",
            "--Province:SeedDemoData=true", "--Province:DemoInstitutions=0", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            "--Logging:LogLevel:Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware=None"]);
        BenchProvince? province = null;
        app.Use((http, next) =>
        {
            if (province is { LiftBodyLimit: true } && http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = 200L * 1024 * 1024;
            }

            return next(http);
        });
        await app.StartAsync();
        return province = new BenchProvince(folder, app);
    }

    /// <summary>Runs <paramref name="sql"/> on the server's file (its own connection; the server's writers wait on the lock).</summary>
    public async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Pooling=False;Default Timeout=60");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        foreach (var (n, v) in parameters)
        {
            command.Parameters.AddWithValue(n, v ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>The last lines every run prints: its time, the baseline measured in the same run, the ratio, and the verdict against the target.</summary>
internal static class Verdict
{
    /// <summary>The machine's load (1-minute average, from /proc/loadavg) and its cores, for the figures' context.</summary>
    public static string Load() =>
        $"load average {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?")} on {Environment.ProcessorCount} cores";

    /// <summary>This process's CPU time so far (the server runs in it, so an import's CPU is the difference across the request).</summary>
    public static TimeSpan Cpu() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    public static bool Print(string what, TimeSpan time, string baselineName, TimeSpan baseline, TimeSpan target, TimeSpan? cpu = null)
    {
        var pass = time < target;
        Console.WriteLine();
        Console.WriteLine($"({Load()} at the end{(cpu is { } c ? $"; the process's CPU time over the timed part {Format(c)}" : string.Empty)})");
        Console.WriteLine($"| {what} | time | baseline ({baselineName}) | ratio | target | verdict |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        Console.WriteLine($"| | {Format(time)} | {Format(baseline)} | {time / baseline:0.0}× | < {Format(target)} | {(pass ? "PASS" : "FAIL")} |");
        Console.WriteLine($"{(pass ? "PASS" : "FAIL")}: {what} in {Format(time)} (target under {Format(target)}); baseline {baselineName} {Format(baseline)}, ratio {time / baseline:0.0}×");
        return pass;
    }

    public static string Format(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.00} s" : t.TotalMilliseconds >= 1 ? $"{t.TotalMilliseconds:0.0} ms" : $"{t.TotalMicroseconds:0} µs";
}
