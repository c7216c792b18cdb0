using KioskPos.ProvinceServer;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// One province database for the targets whose parser ends in a lookup (the bill imports ask whether the payer
/// exists and whether the bill has money on it): a real SQLite file in a temporary folder with the demo province,
/// made once per process. Imports that pass every check are stored in it, as on a server.
/// </summary>
internal static class ProvinceDatabaseFixture
{
    private static readonly Lazy<ProvinceDatabase> s_database = new(Create);

    public static ProvinceDatabase Database => s_database.Value;

    private static ProvinceDatabase Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"kioskpos-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
        var database = ProvinceDatabase.Create(new ProvinceOptions { DataDirectory = folder });
        database.MigrateAsync().GetAwaiter().GetResult();
        using var connection = database.OpenAsync().GetAwaiter().GetResult();
        DemoData.SeedAsync(database, connection, CancellationToken.None).GetAwaiter().GetResult();
        return database;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
