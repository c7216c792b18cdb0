using System.Globalization;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>What the terminal answers the upgrade helper when it asks whether to upgrade now.</summary>
/// <param name="Go">True when the lock was taken and the helper may upgrade to <paramref name="Version"/>.</param>
/// <param name="Due">True when the province wants a version other than the installed one.</param>
/// <param name="Version">The target version, when one is due.</param>
/// <param name="Reason">Why not now (machine-facing, English), when not.</param>
public sealed record UpgradeGate(bool Go, bool Due, string? Version, string? Reason);

/// <summary>The self-test a version ran at its start while the upgrade lock was held.</summary>
/// <param name="At">When it ran.</param>
/// <param name="Version">The running version.</param>
/// <param name="Ok">True when every check passed.</param>
/// <param name="Failed">The failed checks, each as <c>name (detail)</c>; empty when none.</param>
public sealed record UpgradeSelfTest(DateTimeOffset At, string Version, bool Ok, string Failed);

/// <summary>The outcome of comparing the live database with the pre-upgrade backup before a rollback.</summary>
public enum RestoreOutcome
{
    /// <summary>Nothing was journalled after the backup: the backup is now the database.</summary>
    Restored,

    /// <summary>Entries were journalled after the backup: nothing was restored.</summary>
    WrittenSince,
}

/// <summary>
/// The terminal's side of a fleet update: the target the province sent at the pull, the upgrade lock the helper
/// takes, and the result it records for the next report. The lock is a settings row written under SQLite's write
/// lock (BEGIN IMMEDIATE) after checking that nothing is left to sync or print and no payment is open; a payment is
/// created under the same write lock and refused while the lock is held, so the two cannot interleave: either the
/// payment committed before the check (and the check sees it) or it is refused.
/// </summary>
public sealed class UpgradeStore(SqliteDatabase database, TimeProvider time)
{
    /// <summary>The settings key of the province's target (<see cref="UpgradeTargetDto"/> as JSON).</summary>
    public const string TargetKey = "upgrade.target";

    /// <summary>The settings key of the upgrade lock (when it was taken, ISO 8601, and the version).</summary>
    public const string LockKey = "upgrade.lock";

    /// <summary>The settings key of the last attempt's result (<see cref="UpgradeResultDto"/> as JSON).</summary>
    public const string ResultKey = "upgrade.result";

    /// <summary>
    /// The settings key of the self-test a version ran at its start while the lock was held (the upgrade helper's
    /// check of a new version): <c>when (ISO 8601) TAB version TAB ok|failed TAB the failed checks</c>.
    /// </summary>
    public const string SelfTestKey = "upgrade.selftest";

    /// <summary>
    /// The lock's value once the helper stopped with an alert (a rollback that would have run an older binary on a
    /// newer database): it never expires, unlike a lock a killed helper left; a technician clears it.
    /// </summary>
    public const string AlertPrefix = "alert ";

    /// <summary>
    /// A lock older than this no longer refuses payments: a helper killed half-way (power cut) must not stop the
    /// terminal taking payments for good. The helper's longest path (download, install, the health wait, a rollback)
    /// stays well inside it.
    /// </summary>
    public static readonly TimeSpan LockLifetime = TimeSpan.FromHours(1);

    /// <summary>Vietnam keeps UTC+7 all year; the province's windows are in its time.</summary>
    private static readonly TimeSpan s_vietnam = TimeSpan.FromHours(7);

    /// <summary>Keeps the province's target from a pull (null: none assigned).</summary>
    public async Task SetTargetAsync(UpgradeTargetDto? target, CancellationToken cancellationToken = default) =>
        await new SettingsStore(database).SetAsync(TargetKey, target is null ? null : JsonSerializer.Serialize(target, ContractsJsonContext.Default.UpgradeTargetDto), cancellationToken).ConfigureAwait(false);

    /// <summary>The last attempt's result, for the report to the province.</summary>
    public async Task<UpgradeResultDto?> GetResultAsync(CancellationToken cancellationToken = default) =>
        await new SettingsStore(database).GetAsync(ResultKey, cancellationToken).ConfigureAwait(false) is { } json
            ? JsonSerializer.Deserialize(json, ContractsJsonContext.Default.UpgradeResultDto)
            : null;

    /// <summary>
    /// Takes the upgrade lock when an upgrade is due (a target other than <paramref name="installed"/>), it is the
    /// maintenance window, the outbox and the print queue are empty and no payment is open; otherwise says why not.
    /// </summary>
    public async Task<UpgradeGate> BeginAsync(string installed, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var target = await SettingsStore.GetAsync(connection, transaction, TargetKey, cancellationToken).ConfigureAwait(false) is { } json
            ? JsonSerializer.Deserialize(json, ContractsJsonContext.Default.UpgradeTargetDto)
            : null;
        if (target is null || target.Version == installed)
        {
            return new UpgradeGate(false, false, null, target is null ? "no version assigned" : $"already on {installed}");
        }

        var now = time.GetUtcNow();
        if (!InWindow(target, now))
        {
            return new UpgradeGate(false, true, target.Version, $"outside the maintenance window {target.WindowStart}-{target.WindowEnd} (UTC+7)");
        }

        var queued = await CountAsync(connection, transaction, $"SELECT COUNT(*) FROM outbox WHERE state IN {OutboxStore.UnsentStates}", cancellationToken).ConfigureAwait(false);
        if (queued > 0)
        {
            return new UpgradeGate(false, true, target.Version, $"{queued} journal entries not yet accepted by the province");
        }

        var printing = await CountAsync(connection, transaction, "SELECT COUNT(*) FROM print_jobs WHERE state IN ('queued', 'held')", cancellationToken).ConfigureAwait(false);
        if (printing > 0)
        {
            return new UpgradeGate(false, true, target.Version, $"{printing} print jobs waiting");
        }

        var open = await CountAsync(connection, transaction, "SELECT COUNT(*) FROM payments WHERE state = 'pending'", cancellationToken).ConfigureAwait(false);
        if (open > 0)
        {
            return new UpgradeGate(false, true, target.Version, $"{open} payments open (a QR waiting for its transfer)");
        }

        await SettingsStore.SetAsync(connection, transaction, LockKey, $"{now.ToString("O", CultureInfo.InvariantCulture)} {target.Version}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new UpgradeGate(true, true, target.Version, null);
    }

    /// <summary>Releases the lock and keeps the attempt's result for the next report to the province.</summary>
    public async Task EndAsync(string result, string version, string detail, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await connection.ExecuteAsync("DELETE FROM settings WHERE key = $k", transaction, cancellationToken, ("$k", LockKey)).ConfigureAwait(false);
        var outcome = new UpgradeResultDto(result, version, detail, time.GetUtcNow());
        await SettingsStore.SetAsync(connection, transaction, ResultKey, JsonSerializer.Serialize(outcome, ContractsJsonContext.Default.UpgradeResultDto), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True while the helper holds the upgrade lock: the version starting now is the one being checked.</summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken = default) =>
        await new SettingsStore(database).GetAsync(LockKey, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Keeps the outcome of the self-test a version ran at its start under the lock, for the helper's check.</summary>
    public async Task RecordSelfTestAsync(UpgradeSelfTest outcome, CancellationToken cancellationToken = default)
    {
        var failed = outcome.Failed.Replace('\t', ' ').Replace('\n', ' ');
        await new SettingsStore(database).SetAsync(
            SelfTestKey,
            $"{outcome.At.ToString("O", CultureInfo.InvariantCulture)}\t{outcome.Version}\t{(outcome.Ok ? "ok" : "failed")}\t{(failed.Length > 400 ? failed[..400] : failed)}",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last self-test a version ran at its start under the lock; null when none.</summary>
    public async Task<UpgradeSelfTest?> GetSelfTestAsync(CancellationToken cancellationToken = default)
    {
        var parts = (await new SettingsStore(database).GetAsync(SelfTestKey, cancellationToken).ConfigureAwait(false))?.Split('\t', 4);
        return parts is { Length: 4 } && DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? new UpgradeSelfTest(at, parts[1], parts[2] == "ok", parts[3])
            : null;
    }

    /// <summary>
    /// The helper stopped with an alert: the lock becomes one that never expires (no payment until a technician
    /// acts) and the result <c>stopped</c> is kept for the next report to the province, which shows it.
    /// </summary>
    public async Task AlertAsync(string version, string detail, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var now = time.GetUtcNow();
        await SettingsStore.SetAsync(connection, transaction, LockKey, $"{AlertPrefix}{now.ToString("O", CultureInfo.InvariantCulture)} {version}", cancellationToken).ConfigureAwait(false);
        var outcome = new UpgradeResultDto("stopped", version, detail, now);
        await SettingsStore.SetAsync(connection, transaction, ResultKey, JsonSerializer.Serialize(outcome, ContractsJsonContext.Default.UpgradeResultDto), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// True while the helper holds a lock younger than <see cref="LockLifetime"/>, or the lock of an alert (which
    /// never expires): no payment may start.
    /// </summary>
    internal static async Task<bool> IsLockedAsync(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var value = await SettingsStore.GetAsync(connection, transaction, LockKey, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return false;
        }

        if (value.StartsWith(AlertPrefix, StringComparison.Ordinal))
        {
            return true;
        }

        var taken = value.Split(' ', 2)[0];
        return !DateTimeOffset.TryParse(taken, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) || now - at < LockLifetime;
    }

    /// <summary>True when <paramref name="now"/> falls in the target's window (Vietnam's time; start inclusive, end exclusive).</summary>
    public static bool InWindow(UpgradeTargetDto target, DateTimeOffset now)
    {
        var start = TimeOnly.ParseExact(target.WindowStart, "HH:mm", CultureInfo.InvariantCulture);
        var end = TimeOnly.ParseExact(target.WindowEnd, "HH:mm", CultureInfo.InvariantCulture);
        var local = TimeOnly.FromTimeSpan(now.ToOffset(s_vietnam).TimeOfDay);
        return start == end || (start < end ? local >= start && local < end : local >= start || local < end);
    }

    /// <summary>
    /// Makes the pre-upgrade backup the database again, with the terminal stopped, but only when the live database
    /// journalled nothing after it: the live journal's last entry must be the backup's. Otherwise nothing is touched.
    /// </summary>
    public static async Task<RestoreOutcome> RestoreAsync(string databasePath, string backupPath, CancellationToken cancellationToken = default)
    {
        var live = await LastEntryAsync(databasePath, cancellationToken).ConfigureAwait(false);
        var before = await LastEntryAsync(backupPath, cancellationToken).ConfigureAwait(false);
        if (live != before)
        {
            return RestoreOutcome.WrittenSince;
        }

        SqliteConnection.ClearAllPools();
        var restoring = databasePath + ".restoring";
        File.Copy(backupPath, restoring, overwrite: true);
        using (var handle = File.OpenHandle(restoring, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.FlushToDisk(handle);
        }

        // The live WAL belongs to the database being replaced: left beside the backup it would be replayed into it.
        File.Delete(databasePath + "-wal");
        File.Delete(databasePath + "-shm");
        File.Move(restoring, databasePath, overwrite: true);
        return RestoreOutcome.Restored;
    }

    private static async Task<(long Sequence, string? Hash)> LastEntryAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("No database to compare.", path);
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, hash FROM journal ORDER BY sequence DESC LIMIT 1";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetString(1)) : (0, null);
    }

    private static async Task<long> CountAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken) =>
        Convert.ToInt64(await connection.ScalarAsync(sql, transaction, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
}
