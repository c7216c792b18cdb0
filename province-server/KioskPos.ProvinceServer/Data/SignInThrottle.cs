using System.Globalization;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// Wrong passwords counted per account name and per source address (<c>sign_in_throttle</c>). Each count is raised
/// in one statement (<c>INSERT … ON CONFLICT DO UPDATE … RETURNING</c>, on SQLite and PostgreSQL alike), so parallel
/// guesses are each counted. Past a threshold each further failure doubles a wait before the next try, capped at
/// <see cref="SignInOptions.MaxDelay"/>; a try during the wait is answered "wait" without checking (or counting)
/// the password, so nobody can keep a person out for longer than the cap, and the right password after it works.
/// An account name is counted whether or not it exists: the answers do not tell which names do.
/// </summary>
internal sealed class SignInThrottle(ProvinceDatabase database, Alerts alerts, IOptions<ProvinceOptions> options, TimeProvider time)
{
    private SignInOptions Limits => options.Value.SignIn;

    /// <summary>The counter of an account name (known or not; names are compared without case).</summary>
    public static string AccountKey(string username) => "user:" + (username.Length > 128 ? username[..128] : username).ToLowerInvariant();

    /// <summary>The counter of a source (its address, an IPv6 client's /64: <see cref="KioskPos.Shared.Security.SourceAddress"/>).</summary>
    public static string SourceKey(string address) => "source:" + address;

    /// <summary>How long the next try must still wait for either counter (null: it may go ahead now).</summary>
    public async Task<TimeSpan?> WaitAsync(string accountKey, string sourceKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var notBefore = await connection.ScalarAsync(
            "SELECT MAX(not_before) FROM sign_in_throttle WHERE subject IN ($a, $s)", null, cancellationToken, ("$a", accountKey), ("$s", sourceKey)).ConfigureAwait(false);
        return Remaining(notBefore is null ? 0 : Convert.ToInt64(notBefore, CultureInfo.InvariantCulture));
    }

    /// <summary>Counts a wrong password against both counters; returns the wait now in effect (null: none).</summary>
    public async Task<TimeSpan?> FailedAsync(string accountKey, string sourceKey, CancellationToken cancellationToken)
    {
        var account = await CountAsync(accountKey, Limits.AccountFailuresBeforeDelay, "sign_in.account", cancellationToken).ConfigureAwait(false);
        var source = await CountAsync(sourceKey, Limits.SourceFailuresBeforeDelay, "sign_in.source", cancellationToken).ConfigureAwait(false);
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            // Counts nobody added to for a while are gone anyway (the statement above restarts them): keep the table small.
            await connection.ExecuteAsync("DELETE FROM sign_in_throttle WHERE last_failure < $forget", null, cancellationToken,
                ("$forget", time.GetUtcNow().ToUnixTimeMilliseconds() - (long)Limits.ForgetAfter.TotalMilliseconds)).ConfigureAwait(false);
        }

        return Remaining(Math.Max(account, source));
    }

    /// <summary>The account's count starts again (a right password, or an administrator's new one).</summary>
    public async Task ClearAsync(string accountKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM sign_in_throttle WHERE subject = $k", null, cancellationToken, ("$k", accountKey)).ConfigureAwait(false);
    }

    /// <summary>The wait after the <paramref name="failures"/>th failure with <paramref name="threshold"/> free ones: first, then doubling, capped.</summary>
    public static TimeSpan Delay(long failures, int threshold, TimeSpan first, TimeSpan max)
    {
        if (failures < threshold)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(failures - threshold, 30);
        var delay = first.Ticks * (1L << (int)doublings);
        return delay <= 0 || delay > max.Ticks ? max : TimeSpan.FromTicks(delay);
    }

    // Raises the count in one statement and sets the wait it earns; returns the counter's not-before (unix ms).
    private async Task<long> CountAsync(string key, int threshold, string alertKind, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var failures = Convert.ToInt64(await connection.ScalarAsync(
            """
            INSERT INTO sign_in_throttle (subject, failures, last_failure, not_before) VALUES ($k, 1, $now, 0)
            ON CONFLICT (subject) DO UPDATE SET
                failures = CASE WHEN sign_in_throttle.last_failure < $forget THEN 1 ELSE sign_in_throttle.failures + 1 END,
                not_before = CASE WHEN sign_in_throttle.last_failure < $forget THEN 0 ELSE sign_in_throttle.not_before END,
                last_failure = $now
            RETURNING failures
            """,
            null, cancellationToken, ("$k", key), ("$now", now), ("$forget", now - (long)Limits.ForgetAfter.TotalMilliseconds)).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var delay = Delay(failures, threshold, Limits.FirstDelay, Limits.MaxDelay);
        if (failures == threshold)
        {
            // Exactly one request reads the threshold back from the statement above: one alert per episode.
            await alerts.RaiseAsync(alertKind, string.Create(CultureInfo.InvariantCulture,
                $"{key}: {failures} wrong passwords; the next try waits {delay.TotalSeconds:0} s, doubling with each further one up to {Limits.MaxDelay.TotalMinutes:0} min"), cancellationToken).ConfigureAwait(false);
        }

        if (delay <= TimeSpan.Zero)
        {
            return 0;
        }

        // Only ever later: a slower parallel failure with a smaller count cannot shorten the wait.
        var notBefore = now + (long)delay.TotalMilliseconds;
        await connection.ExecuteAsync("UPDATE sign_in_throttle SET not_before = $nb WHERE subject = $k AND not_before < $nb", null, cancellationToken,
            ("$k", key), ("$nb", notBefore)).ConfigureAwait(false);
        return notBefore;
    }

    private TimeSpan? Remaining(long notBeforeMs)
    {
        var left = notBeforeMs - time.GetUtcNow().ToUnixTimeMilliseconds();
        return left > 0 ? TimeSpan.FromMilliseconds(left) : null;
    }
}
