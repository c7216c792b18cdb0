using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The change counter in <c>meta</c> that versions every row terminals pull: a writer takes the next value inside its
/// transaction, which holds the writers' lock, so versions commit in the order they are taken.
/// </summary>
internal static class ChangeVersions
{
    /// <summary>The next value of the change counter that versions what terminals pull.</summary>
    internal static async Task<long> NextAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        s_versionClocks.TryGetValue(transaction, out var clock)
            ? ++clock.Last
            : long.Parse((string)(await connection.ScalarAsync(
                "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'change_version' RETURNING value",
                transaction, cancellationToken).ConfigureAwait(false))!, CultureInfo.InvariantCulture);

    // A push takes many versions: it reads the counter once, counts in memory, and writes it back before its
    // commit. Sound because the transaction holds the writers' lock from its start (no one else moves the counter).
    private static readonly ConditionalWeakTable<DbTransaction, VersionClock> s_versionClocks = new();

    private sealed class VersionClock(long start)
    {
        public long Start { get; } = start;

        public long Last { get; set; } = start;
    }

    /// <summary>Starts counting versions in memory for <paramref name="transaction"/> (which holds the writers' lock).</summary>
    internal static async Task StartClockAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var current = long.Parse((string)(await connection.ScalarAsync("SELECT value FROM meta WHERE key = 'change_version'", transaction, cancellationToken).ConfigureAwait(false))!, CultureInfo.InvariantCulture);
        s_versionClocks.AddOrUpdate(transaction, new VersionClock(current));
    }

    /// <summary>The next value of the change counter, in a push (whose transaction started the clock).</summary>
    internal static long Next(DbTransaction transaction) =>
        s_versionClocks.TryGetValue(transaction, out var clock) ? ++clock.Last : throw new InvalidOperationException("The transaction has no version clock.");

    /// <summary>The statement that writes the counter back and stops the clock (the caller runs it before its commit).</summary>
    internal static Statement ClockStatement(DbTransaction transaction)
    {
        var clock = s_versionClocks.TryGetValue(transaction, out var c) ? c : throw new InvalidOperationException("The transaction has no version clock.");
        s_versionClocks.Remove(transaction);
        return new Statement("UPDATE meta SET value = $v WHERE key = 'change_version'", ("$v", clock.Last.ToString(CultureInfo.InvariantCulture)));
    }
}
