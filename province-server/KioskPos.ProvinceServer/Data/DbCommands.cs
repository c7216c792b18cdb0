using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace KioskPos.ProvinceServer.Data;

/// <summary>One statement and its parameters, to run among others (<see cref="DbCommands.ExecuteAllAsync"/>).</summary>
internal sealed record Statement(string Sql, params (string Name, object? Value)[] Parameters);

/// <summary>
/// Commands on either engine from one text of SQL. The server writes the SQL both engines share, with
/// <c>$name</c> parameters; for PostgreSQL the few SQLite words it uses are translated once per text:
/// <c>$name</c> → <c>@name</c>, scalar <c>MAX(0, x)</c> → <c>GREATEST</c>, scalar <c>MIN(a, b)</c> → <c>LEAST</c>,
/// <c>instr</c> → <c>strpos</c>, the local day <c>date(x, '+7 hours')</c> (<see cref="LocalDay"/>) → <c>to_char</c>.
/// </summary>
internal static partial class DbCommands
{
    private static readonly ConcurrentDictionary<string, string> s_postgresText = new(StringComparer.Ordinal);

    /// <summary>Creates a command in <paramref name="transaction"/>.</summary>
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        var postgres = connection is NpgsqlConnection;
        command.CommandText = postgres ? s_postgresText.GetOrAdd(sql, ToPostgres) : sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(Parameter(command.CreateParameter(), name, value, postgres));
        }

        return command;
    }

    /// <summary>
    /// Runs <paramref name="statements"/> in order: in one round trip where the engine takes a batch (PostgreSQL),
    /// one after another where it does not (SQLite, which runs in the process anyway).
    /// </summary>
    public static async Task ExecuteAllAsync(this DbConnection connection, IReadOnlyList<Statement> statements, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (statements.Count == 0)
        {
            return;
        }

        if (!connection.CanCreateBatch)
        {
            foreach (var statement in statements)
            {
                await connection.ExecuteAsync(statement.Sql, transaction, cancellationToken, statement.Parameters).ConfigureAwait(false);
            }

            return;
        }

        var postgres = connection is NpgsqlConnection;
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var statement in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = postgres ? s_postgresText.GetOrAdd(statement.Sql, ToPostgres) : statement.Sql;
            foreach (var (name, value) in statement.Parameters)
            {
                command.Parameters.Add(Parameter(command.CreateParameter(), name, value, postgres));
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rows handed to the database as parameters, to select from (<c>INSERT … SELECT</c>, <c>IN (SELECT …)</c>,
    /// <c>UPDATE … FROM</c>): <c>unnest</c> of one array per column on PostgreSQL, <c>json_each</c> of one JSON array
    /// on SQLite. The SQL text is the same whatever the number of rows, so it is parsed once, and one statement
    /// carries thousands of rows. The source is named <paramref name="name"/>, with <paramref name="columns"/> and
    /// an <c>ord</c> column that keeps the rows' order.
    /// </summary>
    /// <returns>The source for a FROM clause, and its parameters.</returns>
    public static (string Sql, (string Name, object? Value)[] Parameters) Rows(this DbConnection connection, string name, IReadOnlyList<(string Column, bool Integer)> columns, IReadOnlyCollection<object?[]> rows)
    {
        if (connection is NpgsqlConnection)
        {
            var arrays = new (string, object?)[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                arrays[c] = ($"${name}{c}", columns[c].Integer
                    ? rows.Select(r => r[c] is null ? (long?)null : Convert.ToInt64(r[c], CultureInfo.InvariantCulture)).ToArray()
                    : rows.Select(r => (string?)r[c]).ToArray());
            }

            var unnest = string.Join(", ", columns.Select((column, c) => $"${name}{c}::{(column.Integer ? "bigint" : "text")}[]"));
            return ($"unnest({unnest}) WITH ORDINALITY AS {name} ({string.Join(", ", columns.Select(c => c.Column))}, ord)", arrays);
        }

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartArray();
                foreach (var value in row)
                {
                    switch (value)
                    {
                        case null: writer.WriteNullValue(); break;
                        case string text: writer.WriteStringValue(text); break;
                        default: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        var select = string.Join(", ", columns.Select((column, c) => $"json_extract(value, '$[{c}]') AS {column.Column}"));
        return ($"(SELECT {select}, key AS ord FROM json_each(${name})) AS {name}", [($"${name}", Encoding.UTF8.GetString(json.WrittenSpan))]);
    }

    private static DbParameter Parameter(DbParameter parameter, string name, object? value, bool postgres)
    {
        parameter.ParameterName = postgres ? name.TrimStart('$') : name;

        // Flags are 0/1 integers on both engines.
        parameter.Value = value switch
        {
            null => DBNull.Value,
            bool flag => flag ? 1L : 0L,
            _ => value,
        };
        if (value is null && parameter is NpgsqlParameter npgsql)
        {
            // Typed by where it stands (a column, a comparison), as SQLite does.
            npgsql.NpgsqlDbType = NpgsqlDbType.Unknown;
        }

        return parameter;
    }

    /// <summary>Runs a statement and returns the rows changed.</summary>
    public static async Task<int> ExecuteAsync(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.Command(sql, transaction, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a query and returns the first column of the first row, or null.</summary>
    public static async Task<object?> ScalarAsync(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.Command(sql, transaction, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// Runs a query and maps each row by column name into a <typeparamref name="T"/> (Dapper's row parser:
    /// <c>snake_case</c> columns to PascalCase properties, integers widened as the property needs, so SQLite's
    /// INTEGER and PostgreSQL's integer, bigint or numeric sums all fit a <c>long</c>). The command is built by
    /// <see cref="Command"/>, so the SQL and its <c>$name</c> parameters are translated as for every other statement.
    /// </summary>
    public static async Task<List<T>> ReadAllAsync<T>(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        await using var command = connection.Command(sql, transaction, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await RowsAsync<T>(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first row of a query mapped by column name (see <see cref="ReadAllAsync{T}"/>), or null when there is none.</summary>
    public static async Task<T?> ReadFirstAsync<T>(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        where T : class
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        await using var command = connection.Command(sql, transaction, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await FirstRowAsync<T>(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a command of several statements (separated by <c>;</c>) and hands back their results, to be read in the
    /// order the statements stand. Npgsql sends the statements in one round trip, so a reader that needs several small
    /// answers pays the network and the database's turn once; SQLite runs them one after another in the process. The
    /// parameters are the command's, so each statement may use any of them (Npgsql binds a parameter to every
    /// statement that names it, SQLite to every statement it appears in).
    /// </summary>
    public static async Task<Results> ReadResultsAsync(this DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var command = connection.Command(sql, transaction, parameters);
        try
        {
            return new Results(command, await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await command.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<List<T>> RowsAsync<T>(DbDataReader reader, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var parse = reader.GetRowParser<T>();
            do
            {
                rows.Add(parse(reader));
            }
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false));
        }

        return rows;
    }

    private static async Task<T?> FirstRowAsync<T>(DbDataReader reader, CancellationToken cancellationToken)
        where T : class =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetRowParser<T>()(reader) : null;

    /// <summary>
    /// The results of a command of several statements (<see cref="ReadResultsAsync"/>): each read takes the next
    /// statement's result, mapped by column name as <see cref="ReadAllAsync{T}"/> maps it. Disposing it ends the
    /// command; results not read are skipped.
    /// </summary>
    internal sealed class Results(DbCommand command, DbDataReader reader) : IAsyncDisposable
    {
        private bool _started;

        /// <summary>Every row of the next result.</summary>
        public async Task<List<T>> ReadAllAsync<T>(CancellationToken cancellationToken)
        {
            await NextAsync(cancellationToken).ConfigureAwait(false);
            return await RowsAsync<T>(reader, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The first row of the next result, or null when it has none.</summary>
        public async Task<T?> ReadFirstAsync<T>(CancellationToken cancellationToken)
            where T : class
        {
            await NextAsync(cancellationToken).ConfigureAwait(false);
            return await FirstRowAsync<T>(reader, cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc/>
        public async ValueTask DisposeAsync()
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            await command.DisposeAsync().ConfigureAwait(false);
        }

        private async Task NextAsync(CancellationToken cancellationToken)
        {
            // The reader stands on the first result when the command returns; every later read moves it on one. A
            // read past the last result is the caller's SQL and its reads disagreeing: refused, never an empty list.
            if (_started && !await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The command has fewer results than were read from it.");
            }

            _started = true;
        }
    }

    /// <summary>True when the statement broke a unique or primary key constraint.</summary>
    public static bool IsUniqueViolation(this DbException exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>True when the database could not write for want of space.</summary>
    public static bool IsDiskFull(this DbException exception) => exception switch
    {
        SqliteException sqlite => KioskPos.Shared.Sqlite.SqliteExtensions.IsDiskFull(sqlite),
        PostgresException postgres => postgres.SqlState is PostgresErrorCodes.DiskFull or PostgresErrorCodes.InsufficientResources,
        _ => false,
    };

    private static string ToPostgres(string sql)
    {
        sql = Parameter().Replace(sql, "@$1");
        sql = ScalarMaxZero().Replace(sql, "GREATEST(0, ");
        sql = ScalarMin().Replace(sql, "LEAST($1, $2)");
        sql = LocalDate().Replace(sql, "to_char(CAST($1 AS timestamptz) AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD')");
        return Instr().Replace(sql, "strpos(");
    }

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\bMAX\(0, ")]
    private static partial Regex ScalarMaxZero();

    [GeneratedRegex(@"\bMIN\(([A-Za-z_][\w.]*), ([A-Za-z_][\w.]*)\)")]
    private static partial Regex ScalarMin();

    [GeneratedRegex(@"\bdate\(([A-Za-z_][\w.]*), '\+7 hours'\)")]
    private static partial Regex LocalDate();

    [GeneratedRegex(@"\binstr\(")]
    private static partial Regex Instr();
}
