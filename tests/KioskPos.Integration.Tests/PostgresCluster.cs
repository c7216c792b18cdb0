using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace KioskPos.Integration.Tests;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test run, started on first use by <c>scripts/pg-cluster.sh</c>
/// (as an unprivileged user, on a free port of 127.0.0.1) and stopped when the test process exits. Each province
/// host gets its own database in it.
/// </summary>
internal static class PostgresCluster
{
    private static readonly Lazy<Task<string>> s_server = new(StartAsync);
    private static string? s_folder;

    /// <summary>The connection string of a database for <paramref name="key"/> (a host's folder): created when missing, the same one again for the same key.</summary>
    public static async Task<string> DatabaseAsync(string key)
    {
        var server = await s_server.Value;
        var name = "kp_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", connection);
            exists.Parameters.AddWithValue("n", name);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 20 }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "kioskpos-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePort();
        var script = Path.Combine(Processes.FindRepository(), "scripts", "pg-cluster.sh");
        var (code, output) = await RunAsync("bash", script, "start", folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (code != 0)
        {
            throw new InvalidOperationException($"pg-cluster.sh start failed ({code}): {output}");
        }

        s_folder = folder;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(script);
        return output.Trim().Split('\n')[^1];
    }

    private static void Stop(string script)
    {
        if (s_folder is not { } folder)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        using (var stop = Process.Start(new ProcessStartInfo("bash", [script, "stop", folder]) { RedirectStandardOutput = true, RedirectStandardError = true }))
        {
            stop?.WaitForExit(30_000);
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the next reboot's /tmp cleaning.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output) + (await error));
    }
}
