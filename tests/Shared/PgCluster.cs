using System.Diagnostics;
using Npgsql;

namespace KioskPos.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL cluster through <c>scripts/pg-cluster.sh</c> (run as an unprivileged user, on a loopback
/// port), and databases in it created as the province server needs them (UTF-8, C collation: text sorts as on
/// SQLite).
/// </summary>
internal static class PgCluster
{
    /// <summary>Starts the cluster in <paramref name="folder"/> and returns the server's connection string; <paramref name="durable"/> keeps fsync on.</summary>
    public static async Task<string> StartAsync(string repository, string folder, int port, bool durable)
    {
        using var process = Process.Start(Script(repository, ["start", folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. durable ? new[] { "--durable" } : []]))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg-cluster.sh start failed ({process.ExitCode}): {await output}{await error}");
        }

        return (await output).Trim().Split('\n')[^1];
    }

    /// <summary>Stops the cluster (synchronous: also called as the process exits) and deletes its folder.</summary>
    public static void Stop(string repository, string folder)
    {
        NpgsqlConnection.ClearAllPools();
        using (var process = Process.Start(Script(repository, ["stop", folder, "--remove"])))
        {
            process?.WaitForExit(30_000);
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Removed by the script already, or left for the next run's sweep (PostgresCluster).
        }
    }

    /// <summary>The connection string of database <paramref name="name"/>, created when missing.</summary>
    public static async Task<NpgsqlConnectionStringBuilder> DatabaseAsync(string server, string name)
    {
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", connection);
            exists.Parameters.AddWithValue("n", name);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", connection);
                await create.ExecuteNonQueryAsync();
            }
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name };
    }

    private static ProcessStartInfo Script(string repository, string[] arguments) =>
        new("bash", [Path.Combine(repository, "scripts", "pg-cluster.sh"), .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
}
