using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The change counters that version every row terminals pull, one per institution (<c>institution_versions</c>,
/// migration 0028): a writer takes the next value of the institution whose rows it changes, inside a transaction that
/// holds that institution's writer lock (<see cref="ProvinceDatabase.BeginWriteAsync(DbConnection, IReadOnlyCollection{string}, CancellationToken)"/>)
/// or the province's, so one institution's versions commit in the order they are taken. A pull compares versions of
/// one institution only, so two institutions' counters need no order between them and their writers run side by side.
/// </summary>
/// <remarks>
/// The province's old single counter (<c>meta.change_version</c>) stays as the floor: every institution's counter
/// starts from it (the migration copies it to every institution; an institution without a row counts from it), so a
/// cursor a terminal took before the migration is never ahead of its institution's counter.
/// </remarks>
internal static class ChangeVersions
{
    // The next value for one institution: its row moved on, or made from the floor the first time.
    private const string NextSql =
        """
        INSERT INTO institution_versions (institution_id, version)
        SELECT $i, CAST(value AS BIGINT) + 1 FROM meta WHERE key = 'change_version'
        ON CONFLICT (institution_id) DO UPDATE SET version = institution_versions.version + 1
        RETURNING version
        """;

    /// <summary>The institution's counter as a snapshot sees it (what a pull reads).</summary>
    internal const string CurrentSql =
        "SELECT COALESCE((SELECT version FROM institution_versions WHERE institution_id = $i), (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'change_version'))";

    /// <summary>The next value of <paramref name="institutionId"/>'s change counter.</summary>
    internal static async Task<long> NextAsync(DbConnection connection, DbTransaction transaction, string institutionId, CancellationToken cancellationToken) =>
        s_versionClocks.TryGetValue(transaction, out var clock)
            ? clock.Next(institutionId)
            : Convert.ToInt64(await connection.ScalarAsync(NextSql, transaction, cancellationToken, ("$i", institutionId)).ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>The next version for the account <paramref name="accountCode"/> (its institution's counter); 0 for an unknown account.</summary>
    internal static Task<long> NextForAccountAsync(DbConnection connection, DbTransaction transaction, string accountCode, CancellationToken cancellationToken) =>
        NextForRowAsync(connection, transaction, "SELECT institution_id FROM accounts WHERE code = $k", accountCode, cancellationToken);

    /// <summary>The next version for the bill <paramref name="billId"/> (its institution's counter); 0 for an unknown bill.</summary>
    internal static Task<long> NextForBillAsync(DbConnection connection, DbTransaction transaction, string billId, CancellationToken cancellationToken) =>
        NextForRowAsync(connection, transaction, "SELECT institution_id FROM bills WHERE id = $k", billId, cancellationToken);

    private static async Task<long> NextForRowAsync(DbConnection connection, DbTransaction transaction, string institutionOf, string key, CancellationToken cancellationToken) =>
        await connection.ScalarAsync(institutionOf, transaction, cancellationToken, ("$k", key)).ConfigureAwait(false) is string institution
            ? await NextAsync(connection, transaction, institution, cancellationToken).ConfigureAwait(false)
            : 0; // no such row: the caller's statement changes nothing

    // A push takes many versions: it reads its institutions' counters once, counts in memory, and writes them back
    // before its commit. Sound because the transaction holds those institutions' writer locks from its start (no one
    // else moves their counters).
    private static readonly ConditionalWeakTable<DbTransaction, VersionClock> s_versionClocks = new();

    private sealed class VersionClock(Dictionary<string, (long Start, long Last)> counters)
    {
        public Dictionary<string, (long Start, long Last)> Counters { get; } = counters;

        public long Next(string institutionId)
        {
            // A push versions only its own institutions' rows; anything else is a bug, refused rather than misordered.
            var (start, last) = Counters.TryGetValue(institutionId, out var counter)
                ? counter
                : throw new InvalidOperationException($"The transaction's version clock does not hold institution '{institutionId}'.");
            Counters[institutionId] = (start, last + 1);
            return last + 1;
        }
    }

    /// <summary>
    /// Starts counting versions in memory for <paramref name="transaction"/>, which holds the writer locks of
    /// <paramref name="institutions"/>: one read of their counters.
    /// </summary>
    internal static async Task StartClockAsync(DbConnection connection, DbTransaction transaction, IReadOnlyCollection<string> institutions, CancellationToken cancellationToken)
    {
        var counters = new Dictionary<string, (long Start, long Last)>(StringComparer.Ordinal);
        foreach (var institution in institutions.Distinct(StringComparer.Ordinal))
        {
            var current = Convert.ToInt64(await connection.ScalarAsync(CurrentSql, transaction, cancellationToken, ("$i", institution)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            counters[institution] = (current, current);
        }

        s_versionClocks.AddOrUpdate(transaction, new VersionClock(counters));
    }

    /// <summary>The next value of <paramref name="institutionId"/>'s counter, in a push (whose transaction started the clock).</summary>
    internal static long Next(DbTransaction transaction, string institutionId) =>
        s_versionClocks.TryGetValue(transaction, out var clock) ? clock.Next(institutionId) : throw new InvalidOperationException("The transaction has no version clock.");

    /// <summary>The statements that write the counters back and stop the clock (the caller runs them before its commit).</summary>
    internal static IEnumerable<Statement> ClockStatements(DbTransaction transaction)
    {
        var clock = s_versionClocks.TryGetValue(transaction, out var c) ? c : throw new InvalidOperationException("The transaction has no version clock.");
        s_versionClocks.Remove(transaction);
        return clock.Counters.Where(p => p.Value.Last != p.Value.Start).Select(p => new Statement(
            "INSERT INTO institution_versions (institution_id, version) VALUES ($i, $v) ON CONFLICT (institution_id) DO UPDATE SET version = excluded.version",
            ("$i", p.Key), ("$v", p.Value.Last))).ToList();
    }
}
