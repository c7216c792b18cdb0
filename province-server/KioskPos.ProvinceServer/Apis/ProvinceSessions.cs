using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// People's sessions, kept in the database (<c>sessions</c>) so that they can be ended: the cookie holds a random
/// token and the row only its SHA-256. A session ends at sign-out, when the person's password or role is changed
/// (<see cref="ProvinceUsers.SaveAsync"/> deletes their rows), after <see cref="IdleTimeout"/> without a request, and
/// <see cref="Lifetime"/> after sign-in, whichever comes first. Each request reads the user as stored now, so a changed
/// role takes effect at once; sessions survive a restart and are shared by replicas.
/// </summary>
internal sealed class ProvinceSessions(ProvinceDatabase database, TimeProvider time)
{
    public const string Cookie = "kp_province";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    // A session's last request is written at most this often (not on every request).
    private static readonly TimeSpan s_touchEvery = TimeSpan.FromMinutes(1);

    /// <summary>Starts a session for <paramref name="username"/>; returns the cookie's value.</summary>
    public async Task<string> IssueAsync(string username, CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM sessions WHERE expires_at <= $now OR last_seen_at <= $idle", null, cancellationToken,
            ("$now", now), ("$idle", now - (long)IdleTimeout.TotalSeconds)).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO sessions (token_hash, username, created_at, last_seen_at, expires_at) VALUES ($h, $u, $now, $now, $exp)", null, cancellationToken,
            ("$h", Hash(token)), ("$u", username), ("$now", now), ("$exp", now + (long)Lifetime.TotalSeconds)).ConfigureAwait(false);
        return token;
    }

    /// <summary>The user whose live session <paramref name="cookie"/> is, as stored now; null for none, an ended or an idle one.</summary>
    public async Task<ProvinceUser?> ResolveAsync(string? cookie, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 100)
        {
            return null;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.ReadFirstAsync<SessionRow>(
            """
            SELECT u.username, u.full_name, u.role, u.institution_id, s.last_seen_at, s.expires_at
            FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = $h
            """, null, cancellationToken, ("$h", Hash(cookie))).ConfigureAwait(false);
        if (row is null || row.ExpiresAt <= now || row.LastSeenAt <= now - (long)IdleTimeout.TotalSeconds)
        {
            return null;
        }

        if (row.LastSeenAt <= now - (long)s_touchEvery.TotalSeconds)
        {
            await connection.ExecuteAsync("UPDATE sessions SET last_seen_at = $now WHERE token_hash = $h", null, cancellationToken,
                ("$now", now), ("$h", Hash(cookie))).ConfigureAwait(false);
        }

        return new ProvinceUser(row.Username, row.FullName, row.Role, row.InstitutionId);
    }

    /// <summary>Ends the session <paramref name="cookie"/> is (sign-out).</summary>
    public async Task EndAsync(string? cookie, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 100)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM sessions WHERE token_hash = $h", null, cancellationToken, ("$h", Hash(cookie))).ConfigureAwait(false);
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record SessionRow
    {
        public required string Username { get; init; }

        public required string FullName { get; init; }

        public required string Role { get; init; }

        public string? InstitutionId { get; init; }

        public long LastSeenAt { get; init; }

        public long ExpiresAt { get; init; }
    }
}
