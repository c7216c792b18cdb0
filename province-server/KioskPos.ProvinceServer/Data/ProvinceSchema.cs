using KioskPos.Shared.Sqlite;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The province server's schema, forward-only: one SQL file a step under <c>Data/Migrations/&lt;engine&gt;/</c>,
/// embedded. Never edit a released step.
/// </summary>
/// <remarks>
/// PostgreSQL's first step is a baseline at version 10, the schema SQLite reaches through steps 1–10; every later
/// step is added to both folders under the same number. Integers there are <c>bigint</c> (whole đồng, sequences),
/// flags 0/1 integers as on SQLite, times ISO-8601 text in UTC (the database is created with the C collation, so
/// text orders as SQLite's BINARY does). Only the version is compared when migrating; the name is a record.
/// </remarks>
internal static class ProvinceSchema
{
    /// <summary>The SQLite steps, versions 1..n.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } = MigrationFiles.Load(typeof(ProvinceSchema).Assembly, "KioskPos.ProvinceServer.Migrations.Sqlite.");

    /// <summary>The PostgreSQL steps: the baseline at version 10, then the same numbers as SQLite.</summary>
    public static IReadOnlyList<Migration> PostgresMigrations { get; } = MigrationFiles.Load(typeof(ProvinceSchema).Assembly, "KioskPos.ProvinceServer.Migrations.Postgres.");
}
