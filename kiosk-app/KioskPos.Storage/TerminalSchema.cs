using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage;

/// <summary>
/// The terminal database's schema, one forward-only step at a time: the SQL files in <c>Migrations/</c>
/// (<c>NNNN_name.sql</c>, embedded). Never edit a released step; add the next file.
/// </summary>
public static class TerminalSchema
{
    /// <summary>The resource prefix the steps are embedded under.</summary>
    internal const string ResourcePrefix = "KioskPos.Storage.Migrations.";

    /// <summary>All steps, in order.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } = MigrationFiles.Load(typeof(TerminalSchema).Assembly, ResourcePrefix);

    /// <summary>The most a connection keeps of the file in memory (KiB): SQLite's 2,000 filled up as the terminal's
    /// file grew past it, one cache per pooled connection (bench/README.md, <c>payments</c>, issue #26). Lookups go by
    /// index; the kernel's page cache holds the rest of the file.</summary>
    public const int CacheKibibytes = 512;

    /// <summary>The terminal database at <paramref name="path"/>.</summary>
    public static SqliteDatabase Open(string path) => new(path, Migrations, CacheKibibytes);
}
