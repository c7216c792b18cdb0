using System.Data;
using System.Data.Common;
using System.Globalization;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KioskPos.ProvinceServer.Data;

/// <summary>The storage engines the province server runs on.</summary>
public enum ProvinceEngine
{
    /// <summary>One SQLite file: the embedded default (<c>make run</c>, a small province).</summary>
    Sqlite,

    /// <summary>PostgreSQL through Npgsql: a province with thousands of terminals.</summary>
    Postgres,
}

/// <summary>
/// The province's database on either engine: connections, the two kinds of transaction the server uses, and the
/// schema migrations. The SQL the server writes is the part both engines share; the few words that differ are
/// translated for PostgreSQL by <see cref="DbCommands"/>.
/// </summary>
/// <remarks>
/// Writers are serialised on both engines (on SQLite the process's writer lane, <see cref="SqliteWriteLane"/>, then
/// <c>BEGIN IMMEDIATE</c>; a transaction-scoped advisory lock on PostgreSQL): the change counter that versions what terminals pull must be committed in the order it is taken,
/// or a pull could pass over a row committed late with a lower version. Reads run beside the writer on a snapshot.
/// </remarks>
internal sealed class ProvinceDatabase : IAsyncDisposable
{
    /// <summary>The advisory lock every PostgreSQL writer holds until it commits.</summary>
    private const long WriterLock = 0x4B696F736B506F73; // "KioskPos"

    private readonly SqliteDatabase? _sqlite;
    private readonly NpgsqlDataSource? _postgres;

    private ProvinceDatabase(SqliteDatabase sqlite)
    {
        Engine = ProvinceEngine.Sqlite;
        _sqlite = sqlite;
        Description = sqlite.Path;
    }

    private ProvinceDatabase(NpgsqlDataSource postgres)
    {
        Engine = ProvinceEngine.Postgres;
        _postgres = postgres;
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        Description = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}"; // never the password
    }

    /// <summary>The engine in use.</summary>
    public ProvinceEngine Engine { get; }

    /// <summary>Where the data is, for logs: a file path, or host, port and database (no credentials).</summary>
    public string Description { get; }

    /// <summary>The schema version this program brings the database to (the same on both engines).</summary>
    public int LatestVersion => ProvinceSchema.Migrations.Count;

    /// <summary>The database <paramref name="options"/> name.</summary>
    public static ProvinceDatabase Create(ProvinceOptions options) => options.Engine switch
    {
        ProvinceEngine.Sqlite => new ProvinceDatabase(new SqliteDatabase(options.DatabasePath, ProvinceSchema.Migrations)),
        ProvinceEngine.Postgres when !string.IsNullOrWhiteSpace(options.ConnectionString) => new ProvinceDatabase(new NpgsqlDataSourceBuilder(options.ConnectionString).Build()),
        ProvinceEngine.Postgres => throw new InvalidOperationException("Province:Engine is postgres but Province:ConnectionString is empty (Host=…;Database=…;Username=…)."),
        _ => throw new InvalidOperationException($"Unknown Province:Engine '{options.Engine}'."),
    };

    /// <summary>Opens a connection (SQLite: WAL, synchronous=FULL, foreign keys, busy timeout).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) => _sqlite is not null
        ? await _sqlite.OpenAsync(cancellationToken).ConfigureAwait(false)
        : await _postgres!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The writer lane's counters on SQLite (writes, waits in the lane, writes that found the file's lock held
    /// outside it); null on PostgreSQL, where writers queue on the advisory lock inside the database.
    /// </summary>
    public SqliteWriteLaneCounters? WriterCounters => _sqlite?.Lane.Counters;

    /// <summary>
    /// A connection for statements that write without <see cref="BeginWriteAsync"/> (one statement, autocommit): on
    /// SQLite it enters the writer lane as a write transaction does, and leaves it when closed.
    /// </summary>
    /// <remarks>Not an async method, for the reason <see cref="BeginWriteAsync"/> is not.</remarks>
    public Task<DbConnection> OpenWriterAsync(CancellationToken cancellationToken = default) => _sqlite is not null
        ? Widen(_sqlite.OpenWriterAsync(cancellationToken))
        : Widen(_postgres!.OpenConnectionAsync(cancellationToken).AsTask());

    private static async Task<DbConnection> Widen<T>(Task<T> opening)
        where T : DbConnection => await opening.ConfigureAwait(false);

    /// <summary>A read transaction: every statement in it sees the same snapshot.</summary>
    public async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken = default) => connection is SqliteConnection sqlite
        ? sqlite.BeginTransaction(deferred: true)
        : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    /// <summary>A write transaction; it holds the writers' lock from its start until it ends.</summary>
    /// <remarks>Not an async method: on SQLite the writer lane marks the calling flow before anything waits.</remarks>
    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection sqlite)
        {
            // The process's one writer lane first (an async wait behind the writer before, never SQLite's busy
            // sleep), left when the connection closes; then the write lock, which is free by then.
            var entered = _sqlite!.Lane.EnterAsync(sqlite, cancellationToken);
            return entered.IsCompletedSuccessfully ? Task.FromResult<DbTransaction>(sqlite.BeginTransaction(deferred: false)) : BeginSqliteWriteAsync(entered, sqlite);
        }

        return BeginPostgresWriteAsync(connection, cancellationToken);
    }

    private static async Task<DbTransaction> BeginSqliteWriteAsync(Task entered, SqliteConnection sqlite)
    {
        await entered.ConfigureAwait(false);
        return sqlite.BeginTransaction(deferred: false);
    }

    private static async Task<DbTransaction> BeginPostgresWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync($"SELECT pg_advisory_xact_lock({WriterLock})", transaction, cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Applies the migrations the database lacks and returns the version reached; a newer schema is refused untouched.</summary>
    /// <exception cref="SchemaTooNewException">The database was written by a newer program.</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (_sqlite is not null)
        {
            return await _sqlite.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            transaction, cancellationToken).ConfigureAwait(false);
        var current = Convert.ToInt32(await connection.ScalarAsync("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", transaction, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (current > LatestVersion)
        {
            throw new SchemaTooNewException(Description, current, LatestVersion);
        }

        foreach (var step in ProvinceSchema.PostgresMigrations.Where(m => m.Version > current))
        {
            await connection.ExecuteAsync(step.Sql, transaction, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)", transaction, cancellationToken,
                ("$v", step.Version), ("$n", step.Name), ("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return LatestVersion;
    }

    /// <summary>True when the database answers and its schema is current: what the health check asks.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        if (_sqlite is not null)
        {
            return await _sqlite.IsReadyAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return Convert.ToInt32(await connection.ScalarAsync("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == LatestVersion;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }
}
