using Microsoft.Data.Sqlite;

namespace KioskPos.Shared.Sqlite;

/// <summary>Small helpers that keep the hand-written SQL readable.</summary>
public static class SqliteExtensions
{
    /// <summary>Creates a command in <paramref name="transaction"/> with <c>$name</c> parameters.</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>Runs a statement and returns the rows changed.</summary>
    public static async Task<int> ExecuteAsync(this SqliteConnection connection, string sql, SqliteTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.Command(sql, transaction, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a query and returns the first column of the first row, or null.</summary>
    public static async Task<object?> ScalarAsync(this SqliteConnection connection, string sql, SqliteTransaction? transaction, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.Command(sql, transaction, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <summary>Reads a nullable text column.</summary>
    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>True when the exception means the disk (or the file's quota) is full.</summary>
    public static bool IsDiskFull(this SqliteException exception) => exception.SqliteErrorCode is 13 /* SQLITE_FULL */ || exception.SqliteExtendedErrorCode == 778 /* SQLITE_IOERR_WRITE */;
}
