using System.Diagnostics;
using KioskPos.Tests.Shared;

namespace KioskPos.Tests.Shared;

/// <summary>Starts and stops the real executables built beside the tests.</summary>
public static class Processes
{
    private static readonly string s_repository = RepositoryRoot.Find();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Text.StringBuilder> s_logs = new();

    // The test runs from tests/X/bin/{Configuration}/net10.0; the executables were built alongside.
    private static readonly string s_configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    /// <summary>What a server process printed so far.</summary>
    public static string Log(Process process)
    {
        if (!s_logs.TryGetValue(process.Id, out var log))
        {
            return string.Empty;
        }

        // The output handlers append under the same lock; a read without it can meet the builder mid-append.
        lock (log)
        {
            return log.ToString();
        }
    }

    /// <summary>Starts a server process; what it prints is drained into its log, so that a full pipe never blocks it.</summary>
    public static Process Start(string project, string dll, params string[] args) => StartWith(null, project, dll, args);

    /// <summary>As <see cref="Start"/>, with <paramref name="environment"/> added to the process's environment.</summary>
    public static Process StartWith(IReadOnlyDictionary<string, string>? environment, string project, string dll, params string[] args) =>
        Drained(Launch(project, dll, args, environment: environment));

    private static Process Drained(Process process)
    {
        var log = s_logs.GetOrAdd(process.Id, _ => new System.Text.StringBuilder());
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// As <see cref="Start"/>, for an executable of its own (a native AOT or published build, given by path) instead of
    /// the dll built beside the tests.
    /// </summary>
    public static Process StartExecutable(string executable, params string[] args)
    {
        Assert.True(File.Exists(executable), $"{executable} does not exist");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Drained(Process.Start(start)!);
    }

    /// <summary>Runs a terminal command to its end: exit code, what it printed, what it printed as errors.</summary>
    public static Task<(int Exit, string Output, string Error)> RunTerminalCliAsync(params string[] args) => RunTerminalCliWithInputAsync(null, args);

    /// <summary>A terminal command with <paramref name="environment"/> added to its environment.</summary>
    public static Task<(int Exit, string Output, string Error)> RunTerminalCliWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunCliAsync(null, environment, args);

    /// <summary>The terminal's command line with <paramref name="input"/> on its standard input (a PIN).</summary>
    public static Task<(int Exit, string Output, string Error)> RunTerminalCliWithInputAsync(string? input, params string[] args) => RunCliAsync(input, null, args);

    private static async Task<(int Exit, string Output, string Error)> RunCliAsync(string? input, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        using var process = Launch("kiosk-app/KioskPos.Terminal", "kioskpos-terminal.dll", args, redirectInput: true, environment);
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    private static Process Launch(string project, string dll, string[] args, bool redirectInput = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(s_repository, project, "bin", s_configuration, "net10.0", dll);
        Assert.True(File.Exists(path), $"{path} is not built");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = redirectInput, UseShellExecute = false };
        start.ArgumentList.Add(path);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    /// <summary>Polls <paramref name="url"/> every <paramref name="poll"/> (100 ms unless told) until it answers 2xx, for up to 30 s.</summary>
    public static async Task WaitHealthyAsync(HttpClient http, string url, Process process, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                Assert.Fail($"The process exited ({process.ExitCode}): {Log(process)}");
            }

            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }

        Assert.Fail($"{url} did not become healthy");
    }

    public static async Task<int> StopAsync(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }
}
