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
/// Writers of one institution are serialised on both engines: each institution's change counter
/// (<see cref="ChangeVersions"/>) must be committed in the order it is taken, or a pull could pass over a row
/// committed late with a lower version. On SQLite every writer goes through the process's writer lane
/// (<see cref="SqliteWriteLane"/>, then <c>BEGIN IMMEDIATE</c>): one writer, as SQLite allows. On PostgreSQL the locks
/// are transaction-scoped advisory locks in two levels: a writer of named institutions (a group of pushes) holds the
/// province's lock shared and each institution's lock, taken in a fixed order; any other writer (bank matching,
/// imports, the administration) holds the province's lock exclusively, which excludes every institution's writer.
/// So writers of different institutions commit side by side, and a writer that may touch any institution is alone.
/// Reads run beside the writers on a snapshot and wait for none of them.
/// </remarks>
internal sealed class ProvinceDatabase : IAsyncDisposable
{
    /// <summary>
    /// The province's advisory lock, held until commit: exclusively by a writer that may touch any institution, shared
    /// by a writer of named institutions.
    /// </summary>
    private const long WriterLock = 0x4B696F736B506F73; // "KioskPos"

    /// <summary>The first key of an institution's advisory lock (the second is the hash of its id); "KPIn".</summary>
    private const int InstitutionLocks = 0x4B50496E;

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
    /// A connection for statements that write without <see cref="BeginWriteAsync(DbConnection, CancellationToken)"/> (one statement, autocommit): on
    /// SQLite it enters the writer lane as a write transaction does, and leaves it when closed.
    /// </summary>
    /// <remarks>Not an async method, for the reason <see cref="BeginWriteAsync(DbConnection, CancellationToken)"/> is not.</remarks>
    public Task<DbConnection> OpenWriterAsync(CancellationToken cancellationToken = default) => _sqlite is not null
        ? Widen(_sqlite.OpenWriterAsync(cancellationToken))
        : Widen(_postgres!.OpenConnectionAsync(cancellationToken).AsTask());

    private static async Task<DbConnection> Widen<T>(Task<T> opening)
        where T : DbConnection => await opening.ConfigureAwait(false);

    /// <summary>A read transaction: every statement in it sees the same snapshot.</summary>
    public async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken = default) => connection is SqliteConnection sqlite
        ? sqlite.BeginTransaction(deferred: true)
        : await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A write transaction that may change any institution's rows; it holds the writers' lock from its start until it
    /// ends (on PostgreSQL the province's lock, exclusively: no institution's writer runs beside it).
    /// </summary>
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

    /// <summary>
    /// A write transaction that changes only <paramref name="institutions"/>' rows (and versions only theirs): it
    /// holds their writer locks from its start until it ends. On PostgreSQL writers of other institutions run beside
    /// it; on SQLite it is a write transaction like any other (one writer).
    /// </summary>
    /// <remarks>Not an async method, for the reason <see cref="BeginWriteAsync(DbConnection, CancellationToken)"/> is not.</remarks>
    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, IReadOnlyCollection<string> institutions, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection || institutions.Count == 0
            ? BeginWriteAsync(connection, cancellationToken)
            : BeginPostgresInstitutionWriteAsync(connection, institutions, cancellationToken);

    /// <summary>
    /// A write transaction that versions nothing terminals pull and needs no writer held back (the request nonces and
    /// the terminals' last-seen times): on SQLite a write transaction like any other (the lane); on PostgreSQL it takes
    /// no advisory lock, so it waits for no group of pushes and holds none back (row locks order it with them).
    /// </summary>
    /// <remarks>Not an async method, for the reason <see cref="BeginWriteAsync(DbConnection, CancellationToken)"/> is not.</remarks>
    public Task<DbTransaction> BeginUnversionedWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) => connection is SqliteConnection
        ? BeginWriteAsync(connection, cancellationToken)
        : BeginReadCommittedAsync(connection, cancellationToken);

    private static async Task<DbTransaction> BeginReadCommittedAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    /// <summary>The second key of <paramref name="institutionId"/>'s advisory lock (two institutions may share one: a partition, still correct).</summary>
    internal static int InstitutionLockKey(string institutionId)
    {
        // FNV-1a over the id's UTF-16 units: stable across processes and runs (string.GetHashCode is not).
        var hash = 2166136261u;
        foreach (var c in institutionId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return unchecked((int)hash);
    }

    private static async Task<DbTransaction> BeginPostgresInstitutionWriteAsync(DbConnection connection, IReadOnlyCollection<string> institutions, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        try
        {
            // The province's lock shared first, then the institutions' in ascending key order: every writer takes its
            // locks in the same order, so two writers never wait for each other in a circle.
            var keys = institutions.Select(InstitutionLockKey).Distinct().Order().Select(k => k.ToString(CultureInfo.InvariantCulture));
            await connection.ExecuteAsync(
                $"SELECT pg_advisory_xact_lock_shared({WriterLock}); " + string.Concat(keys.Select(k => $"SELECT pg_advisory_xact_lock({InstitutionLocks}, {k}); ")),
                transaction, cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
