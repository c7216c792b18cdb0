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
        var folder = Path.Combine(Path.GetTempPath(), "kioskpos-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var server = await PgCluster.StartAsync(repository, folder, LoopbackPort.Next(), durable: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => PgCluster.Stop(repository, folder);
        return server;
    }
}
