using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Shared.Tests;

public class SqliteDatabaseTests
{
    [Fact]
    public async Task Migrates_an_empty_file_to_the_latest_version_and_is_then_ready()
    {
        await using var temp = new TempDatabase();
        Assert.False(await temp.Database.IsReadyAsync());
        Assert.Equal(0, await temp.Database.GetSchemaVersionAsync());
        Assert.Equal(TerminalSchema.Migrations.Count, await temp.Database.MigrateAsync());
        Assert.True(await temp.Database.IsReadyAsync());

        // Migrating again changes nothing.
        Assert.Equal(TerminalSchema.Migrations.Count, await temp.Database.MigrateAsync());
        await using var connection = await temp.Database.OpenAsync();
        Assert.Equal(TerminalSchema.Migrations.Count, Convert.ToInt32(await connection.ScalarAsync("SELECT COUNT(*) FROM schema_migrations", null, default)));
        foreach (var table in new[] { "settings", "accounts", "bills", "journal", "payments", "outbox" })
        {
            Assert.NotNull(await connection.ScalarAsync("SELECT name FROM sqlite_master WHERE type = 'table' AND name = $n", null, default, ("$n", table)));
        }
    }

    [Fact]
    public void The_schema_steps_are_the_embedded_SQL_files_versions_1_to_n()
    {
        var resources = typeof(TerminalSchema).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("KioskPos.Storage.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(resources);
        Assert.Equal(resources.Count, TerminalSchema.Migrations.Count);
        Assert.Equal(Enumerable.Range(1, resources.Count), TerminalSchema.Migrations.Select(m => m.Version));
        Assert.All(TerminalSchema.Migrations, m => Assert.False(string.IsNullOrWhiteSpace(m.Sql)));
        Assert.Equal("cache, journal, payments, outbox, settings", TerminalSchema.Migrations[0].Name);
    }

    [Fact]
    public async Task Every_connection_gets_WAL_synchronous_FULL_and_the_terminals_cache_size_pooled_ones_too()
    {
        await using var temp = new TempDatabase();
        await temp.Database.MigrateAsync();
        for (var i = 0; i < 5; i++)
        {
            await using var connection = await temp.Database.OpenAsync();

            // Change the per-connection setting, so that a pooled connection handed back would carry it.
            Assert.Equal("wal", (string?)await connection.ScalarAsync("PRAGMA journal_mode", null, default));
            Assert.Equal(2L, await connection.ScalarAsync("PRAGMA synchronous", null, default)); // 2 = FULL
            Assert.Equal(1L, await connection.ScalarAsync("PRAGMA foreign_keys", null, default));
            Assert.Equal(-(long)TerminalSchema.CacheKibibytes, await connection.ScalarAsync("PRAGMA cache_size", null, default)); // KiB, not SQLite's 2,000
            await connection.ExecuteAsync("PRAGMA synchronous=OFF; PRAGMA cache_size=-4000", null, default);
        }
    }

    [Fact]
    public async Task A_file_from_a_newer_program_is_refused_untouched()
    {
        await using var temp = new TempDatabase();
        await temp.Database.MigrateAsync();
        var newer = new SqliteDatabase(temp.Database.Path, TerminalSchema.Migrations.Take(TerminalSchema.Migrations.Count).Append(new Migration(TerminalSchema.Migrations.Count + 1, "future", "CREATE TABLE future (x INTEGER);")).ToList());
        await newer.MigrateAsync();

        var e = await Assert.ThrowsAsync<SchemaTooNewException>(() => temp.Database.MigrateAsync());
        Assert.Equal(TerminalSchema.Migrations.Count + 1, e.Found);
        Assert.Contains("newer than this program", e.Message);
        Assert.False(await temp.Database.IsReadyAsync());
    }

    [Fact]
    public void Migration_versions_must_run_without_gaps() =>
        Assert.Throws<ArgumentException>(() => new SqliteDatabase("x.db", [new Migration(2, "two", "SELECT 1;")]));

    [Fact]
    public async Task A_failing_migration_step_leaves_the_previous_version_intact()
    {
        await using var temp = new TempDatabase();
        var broken = new SqliteDatabase(temp.Database.Path, [.. TerminalSchema.Migrations, new Migration(TerminalSchema.Migrations.Count + 1, "broken", "CREATE TABLE ok_table (x INTEGER); SELECT * FROM no_such_table;")]);
        await Assert.ThrowsAsync<SqliteException>(() => broken.MigrateAsync());
        Assert.Equal(TerminalSchema.Migrations.Count, await temp.Database.GetSchemaVersionAsync());
        await using var connection = await temp.Database.OpenAsync();
        Assert.Null(await connection.ScalarAsync("SELECT name FROM sqlite_master WHERE name = 'ok_table'", null, default));
    }
}
