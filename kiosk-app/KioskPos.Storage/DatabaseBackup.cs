using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>A copy of the terminal's database, consistent while the terminal runs, checked before it is trusted.</summary>
public static class DatabaseBackup
{
    /// <summary>
    /// Copies <paramref name="database"/> to the new file <paramref name="to"/> with SQLite's backup API and verifies
    /// the copy's journal (a copy whose chain does not verify is no backup).
    /// </summary>
    public static async Task<JournalVerification> CopyAsync(SqliteDatabase database, string to, CancellationToken cancellationToken)
    {
        await using (var source = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = to, Pooling = false }.ToString()))
        {
            await destination.OpenAsync(cancellationToken).ConfigureAwait(false);
            source.BackupDatabase(destination);
        }

        var check = await new JournalVerifier(TerminalSchema.Open(to)).VerifyAsync(cancellationToken).ConfigureAwait(false);

        // The check's pooled connections would keep the copy open for as long as the process runs.
        SqliteConnection.ClearAllPools();
        return check;
    }
}
