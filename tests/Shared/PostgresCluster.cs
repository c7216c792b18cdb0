using System.Security.Cryptography;
using System.Text;
using KioskPos.Tests.Shared;

namespace KioskPos.Tests.Shared;

/// <summary>
/// One throwaway PostgreSQL cluster for the whole test run, started on first use (<see cref="PgCluster"/>) and
/// stopped when the test process exits. Each province host gets its own database in it.
/// </summary>
internal static class PostgresCluster
{
    private static readonly Lazy<Task<string>> s_server = new(StartAsync);

    /// <summary>The connection string of a database for <paramref name="key"/> (a host's folder): created when missing, the same one again for the same key.</summary>
    public static async Task<string> DatabaseAsync(string key)
    {
        var name = "kp_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];
        var database = await PgCluster.DatabaseAsync(await s_server.Value, name);
        database.MaxPoolSize = 20;
        return database.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        var repository = RepositoryRoot.Find();
        SweepStale();
        var folder = Path.Combine(Path.GetTempPath(), "kioskpos-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await PgCluster.StartAsync(repository, folder, LoopbackPort.Next(), durable: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => PgCluster.Stop(repository, folder);
        return server;
    }

    /// <summary>
    /// Removes the clusters of earlier runs that were stopped but not removed (a run killed, or its test process ended
    /// by the runner before the folder went): no server running in them (no <c>postmaster.pid</c>) and untouched for an
    /// hour, so never a cluster being made or used by a run beside this one. On a developer's machine each one left
    /// held up to a gigabyte of /tmp, and a day of test runs filled the disk.
    /// </summary>
    private static void SweepStale()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "kioskpos-pg-*"))
        {
            try
            {
                if (!File.Exists(Path.Combine(folder, "data", "postmaster.pid")) && Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow.AddHours(-1))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another run's, or gone meanwhile.
            }
        }
    }
}
