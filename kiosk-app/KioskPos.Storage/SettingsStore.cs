using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>Key-value settings kept in the terminal database (sync cursor, last sync outcome, ...).</summary>
public sealed class SettingsStore(SqliteDatabase database)
{
    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(connection, null, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets <paramref name="key"/>; a null value removes it.</summary>
    public async Task SetAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            await connection.ExecuteAsync("DELETE FROM settings WHERE key = $k", null, cancellationToken, ("$k", key)).ConfigureAwait(false);
            return;
        }

        await SetAsync(connection, null, key, value, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value of <paramref name="key"/> inside the caller's transaction, or null.</summary>
    internal static async Task<string?> GetAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, CancellationToken cancellationToken) =>
        (string?)await connection.ScalarAsync("SELECT value FROM settings WHERE key = $k", transaction, cancellationToken, ("$k", key)).ConfigureAwait(false);

    /// <summary>Sets <paramref name="key"/> inside the caller's transaction.</summary>
    internal static Task SetAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, string value, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "INSERT INTO settings (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            transaction,
            cancellationToken,
            ("$k", key),
            ("$v", value));
}
