using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using KioskPos.ProvinceServer;
using Microsoft.Data.Sqlite;

using KioskPos.Tests.Shared;

namespace KioskPos.Benchmarks;

/// <summary>
/// The terminal under the JIT (the framework-dependent build) against its native AOT build (<c>make publish-aot</c>),
/// both as real processes with simulated hardware against a province server on loopback: the time from start to
/// <c>/health</c> answering 200 (median of restarts on a migrated data folder), then the resident memory after
/// 1,000 card payments (tap, pay, receipt printed on the emulator), and the payments per second.
/// </summary>
internal static class AotBenchmark
{
    private const string AdminToken = "aot-bench-admin";

    public static async Task<int> RunAsync(int payments)
    {
        var repository = RepositoryRoot.Find();
        var jit = Path.Combine(repository, "kiosk-app/KioskPos.Terminal/bin/Release/net10.0/kioskpos-terminal.dll");
        var aot = Path.Combine(repository, "artifacts/aot/kioskpos-terminal");
        if (!File.Exists(aot))
        {
            Console.Error.WriteLine($"{aot} is missing: run 'make publish-aot' first (make bench does).");
            return 2;
        }

        var results = new List<(string Name, double StartMs, double RssMb, double PerSecond)>
        {
            await MeasureAsync("JIT (dotnet kioskpos-terminal.dll)", "dotnet", [jit], payments),
            await MeasureAsync("native AOT (linux-x64)", aot, [], payments),
        };
        var (baseline, native) = (results[0], results[1]);
        Console.WriteLine();
        Console.WriteLine("| Build | Start to /health 200, median (ms) | Resident memory after payments (MB) | Payments/s | Start ratio | Memory ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(FormattableString.Invariant($"| {r.Name} | {r.StartMs:0} | {r.RssMb:0.0} | {r.PerSecond:0} | {r.StartMs / baseline.StartMs:0.00} | {r.RssMb / baseline.RssMb:0.00} |"));
        }

        Console.WriteLine(FormattableString.Invariant($"\n{payments:N0} payments each; ratios are native AOT over JIT measured in this run (lower is better)."));
        return native.RssMb > 0 ? 0 : 1;
    }

    private static async Task<(string, double, double, double)> MeasureAsync(string name, string program, string[] prefix, int payments)
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-aot-bench-").FullName;
        try
        {
            var province = ProvinceApp.Build(["--urls=http://127.0.0.1:0", $"--Province:DataDirectory={Path.Combine(folder, "province")}", $"--Province:AdminToken={AdminToken}", "--Province:SeedDemoData=true", "--Logging:LogLevel:Default=Warning"]);
            await province.StartAsync();
            var provinceUrl = province.Urls.First();
            using var admin = new HttpClient { BaseAddress = new Uri(provinceUrl) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            using var issued = await admin.PostAsJsonAsync("/api/v1/admin/enrolment-codes", new { institutionId = "TG-THCS-NGUYENDU", terminalId = "KP-THCS-ND-01" });
            var code = (await issued.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString()!;
            var data = Path.Combine(folder, "terminal");
            using (var enrol = Process.Start(Start(program, [.. prefix, "enroll", "--server", provinceUrl, "--code", code, "--data", data]))!)
            {
                await enrol.WaitForExitAsync();
                if (enrol.ExitCode != 0)
                {
                    throw new InvalidOperationException($"{name}: enroll failed ({enrol.ExitCode}): {await enrol.StandardError.ReadToEndAsync()}");
                }
            }

            var port = LoopbackPort.Next();
            string[] arguments = [.. prefix, $"--urls=http://127.0.0.1:{port}", $"--Terminal:DataDirectory={data}", $"--ProvinceServer:BaseUrl={provinceUrl}", "--Hardware:ReaderPollMs=10", "--Terminal:DevEndpoints=true", "--Hardware:AllowSimulated=true", "--Logging:LogLevel:Default=Warning"];
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            // The first start migrates the new database; the restarts after it are what a terminal does each morning.
            (await StartAsync(program, arguments, http)).Kill(entireProcessTree: true);
            var starts = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var restarted = await StartAsync(program, arguments, http);
                starts.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                restarted.Kill(entireProcessTree: true);
                await restarted.WaitForExitAsync();
            }

            using var terminal = await StartAsync(program, arguments, http);
            await WaitForInstitutionAsync(http);
            var stopwatch = Stopwatch.StartNew();
            for (var i = 1; i <= payments; i++)
            {
                // The same two pupils in turn as the payments benchmark: one card tapped again at once is still the
                // same presence to the reader, and a tap a loaded machine missed is tapped again.
                var (uid, bill) = SimulatedTaps.Pupil(i);
                await SimulatedTaps.TapAsync(http, uid, i);
                using var paid = await http.PostAsJsonAsync("/api/v1/payments", new { cardUid = uid, method = "card_balance", bills = new[] { new { billId = bill, amount = 100L } } });
                if (paid.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"{name}: payment {i} answered {(int)paid.StatusCode}: {await paid.Content.ReadAsStringAsync()}");
                }
            }

            var perSecond = payments / stopwatch.Elapsed.TotalSeconds;
            var rss = ResidentMegabytes(terminal.Id);
            terminal.Kill(entireProcessTree: true);
            await terminal.WaitForExitAsync();
            await province.StopAsync();
            await province.DisposeAsync();
            Console.WriteLine(FormattableString.Invariant($"{name}: start {Stats.Percentile(starts, 0.5):0} ms, {rss:0.0} MB after {payments} payments, {perSecond:0}/s"));
            return (name, Stats.Percentile(starts, 0.5), rss, perSecond);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ProcessStartInfo Start(string program, string[] arguments)
    {
        return new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
    }

    internal static async Task<Process> StartAsync(string program, string[] arguments, HttpClient http)
    {
        var process = Process.Start(Start(program, arguments))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var health = await http.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{program} exited with {process.ExitCode} before /health answered.");
            }

            await Task.Delay(5);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{program}: /health did not answer 200 within 60 s.");
    }

    internal static async Task WaitForInstitutionAsync(HttpClient http)
    {
        for (var i = 0; i < 400; i++)
        {
            var status = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/status");
            if (status.GetProperty("cachedAccounts").GetInt32() > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The terminal did not pull its institution.");
    }

    /// <summary>A /proc/pid/status figure in MB: VmRSS (all resident), RssAnon (private, what the process alone costs) or RssFile (clean file pages, shared and reclaimable).</summary>
    internal static double ResidentMegabytes(int pid, string field = "VmRSS:")
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
