using System.Data;
using Microsoft.Data.Sqlite;

namespace KioskPos.Shared.Sqlite;

/// <summary>One forward-only schema step.</summary>
/// <param name="Version">The schema version after this step; steps run in ascending order, from 1.</param>
/// <param name="Name">What the step does, recorded in the database.</param>
/// <param name="Sql">The statements, run in one transaction.</param>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>The database file was written by a newer program; this one must not touch it.</summary>
public sealed class SchemaTooNewException(string path, int found, int known)
    : Exception($"The database {path} has schema version {found}, newer than this program knows ({known}). Install the newer program version or restore a backup; the file was not changed.")
{
    /// <summary>The version found in the file.</summary>
    public int Found { get; } = found;

    /// <summary>The newest version this program knows.</summary>
    public int Known { get; } = known;
}

/// <summary>
/// A SQLite database file: opens connections with the durability settings applied to every one of them (pooled
/// connections included) and brings the schema up to date with forward-only migrations.
/// </summary>
/// <remarks>
/// WAL with <c>synchronous=FULL</c>: a transaction whose commit has returned survives a power cut, which is
/// what "a payment is acknowledged only after its commit returns" rests on.
/// </remarks>
public sealed class SqliteDatabase
{
    /// <summary>SQLite's own busy timeout on every connection: what a writer outside the lane (another process) may wait.</summary>
    public const int BusyTimeoutMilliseconds = 10000;

    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly string _connectionString;
    private readonly string _pragmas;

    /// <summary>Describes the database at <paramref name="path"/>; nothing is opened until asked.</summary>
    /// <param name="path">The file; its folder is created when missing.</param>
    /// <param name="migrations">The schema steps, versions 1..n without gaps.</param>
    /// <param name="cacheKibibytes">
    /// The most each connection keeps of the file's pages in memory (<c>PRAGMA cache_size</c>); null for SQLite's
    /// 2,000 KiB. Pooled connections keep theirs, so a process holds up to this times its open connections, filled as
    /// the file grows past it.
    /// </param>
    public SqliteDatabase(string path, IReadOnlyList<Migration> migrations, int? cacheKibibytes = null)
    {
        if (cacheKibibytes is < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(cacheKibibytes), cacheKibibytes, "At least 64 KiB a connection.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new ArgumentException($"Migration {i} has version {migrations[i].Version}; versions must run 1..n without gaps.", nameof(migrations));
            }
        }

        Path = System.IO.Path.GetFullPath(path);
        _migrations = migrations;
        _pragmas = cacheKibibytes is { } cache ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Pragmas} PRAGMA cache_size=-{cache};") : Pragmas;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>The one writer lane of this file in this process (<see cref="OpenWriterAsync"/>).</summary>
    public SqliteWriteLane Lane => SqliteWriteLane.For(Path);

    /// <summary>
    /// Opens a connection to write with: it enters the file's <see cref="Lane"/> (waiting its turn behind this
    /// process's other writer, never in SQLite's busy sleep) and leaves it when it is closed. Begin its transaction
    /// with <c>BeginTransaction(deferred: false)</c> and keep reads that need no lock on <see cref="OpenAsync"/>.
    /// </summary>
    public Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken = default)
    {
        // Not an async method: the lane marks this flow as its writer before anything waits (see SqliteWriteLane.Claim).
        return Lane.Claim() is { } claim ? OpenInLaneAsync(claim, cancellationToken) : OpenAsync(cancellationToken);
    }

    /// <summary>The schema version this program brings the file to.</summary>
    public int LatestVersion => _migrations.Count;

    /// <summary>Opens a connection with WAL, <c>synchronous=FULL</c>, foreign keys and a busy timeout set.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // Pragmas other than journal_mode are per connection; a pooled connection may come from anywhere,
            // so they are set on every open, not once.
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<SqliteConnection> OpenInLaneAsync(SqliteWriteLane.FlowClaim claim, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Lane.EnterCoreAsync(connection, claim, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The schema version recorded in the file; 0 for a new file.</summary>
    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the migrations the file lacks, each in its own transaction, and returns the version reached.
    /// Never goes backwards: a file newer than this program is refused untouched.
    /// </summary>
    /// <exception cref="SchemaTooNewException">The file's schema is newer than <see cref="LatestVersion"/>.</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                );
                """;
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var current = await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (current > LatestVersion)
        {
            throw new SchemaTooNewException(Path, current, LatestVersion);
        }

        foreach (var migration in _migrations.Where(m => m.Version > current))
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);

            // Re-read inside the write lock: another process may have migrated meanwhile.
            if (await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false) >= migration.Version)
            {
                continue;
            }

            await using (var step = connection.CreateCommand())
            {
                step.Transaction = transaction;
                step.CommandText = migration.Sql;
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)";
                record.Parameters.AddWithValue("$v", migration.Version);
                record.Parameters.AddWithValue("$n", migration.Name);
                record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O"));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return LatestVersion;
    }

    /// <summary>True when the file opens and its schema is at <see cref="LatestVersion"/>: what health checks ask.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false) == LatestVersion;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            return 0;
        }

        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
