using KioskPos.Shared.Security;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage;

/// <summary>What a person may do at the terminal.</summary>
public enum StaffRole
{
    /// <summary>Takes payments at the counter, reprints, closes the shift.</summary>
    Cashier,

    /// <summary>A cashier who may also approve voids and refunds with their PIN.</summary>
    Supervisor,

    /// <summary>Installs and services the terminal; sees no payment or personal data.</summary>
    Technician,
}

/// <summary>A member of staff, without their PIN.</summary>
/// <param name="Id">Their id (printed on slips).</param>
/// <param name="Name">Their name.</param>
/// <param name="Role">What they may do.</param>
public sealed record StaffMember(string Id, string Name, StaffRole Role);

/// <summary>The outcome of a PIN check.</summary>
/// <param name="Member">The person, when the PIN was right.</param>
/// <param name="RemainingTries">Wrong PINs left before the lockout, when it was wrong.</param>
/// <param name="LockedUntil">When the lockout ends, when locked.</param>
public sealed record PinCheck(StaffMember? Member, int? RemainingTries = null, DateTimeOffset? LockedUntil = null)
{
    /// <summary>True when the PIN was right.</summary>
    public bool Ok => Member is not null;
}

/// <summary>
/// Staff and their PINs, and their signed-in sessions. PINs are kept as PBKDF2-SHA256 hashes with their own salt and
/// compared in constant time; five wrong PINs in a row lock the person out for 15 minutes (an unknown id costs the
/// same time as a known one, so ids cannot be probed by timing).
/// </summary>
public sealed class StaffStore(SqliteDatabase database, TimeProvider time)
{
    /// <summary>Wrong PINs in a row before a lockout.</summary>
    public const int MaxFailures = 5;

    /// <summary>How long a lockout lasts.</summary>
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    /// <summary>How long a session lasts (a working day).</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(10);

    /// <summary>Adds a person or replaces their name, role and PIN (and clears a lockout).</summary>
    /// <exception cref="ArgumentException">The id is empty or the PIN is not 4 to 8 digits.</exception>
    public async Task AddOrUpdateAsync(string id, string name, StaffRole role, string pin, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 32 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException("The staff id is 1 to 32 letters, digits, '-' or '_'.", nameof(id));
        }

        if (!IsValidPin(pin))
        {
            throw new ArgumentException("A PIN is 4 to 8 digits.", nameof(pin));
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO staff (id, name, role, pin_hash) VALUES ($id, $n, $r, $h)
            ON CONFLICT (id) DO UPDATE SET name = $n, role = $r, pin_hash = $h, failed = 0, locked_until = NULL, active = 1
            """,
            null, cancellationToken, ("$id", id), ("$n", name.Trim()), ("$r", RoleName(role)), ("$h", PinHash.Create(pin))).ConfigureAwait(false);
    }

    /// <summary>Checks a PIN, counting wrong ones towards the lockout.</summary>
    public async Task<PinCheck> CheckPinAsync(string id, string pin, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        string? stored = null;
        StaffMember? member = null;
        var failed = 0;
        DateTimeOffset? lockedUntil = null;
        cancellationToken.ThrowIfCancellationRequested();
        if (await connection.QuerySingleOrDefaultAsync<StaffRow>(
            "SELECT name, role, pin_hash, failed, locked_until FROM staff WHERE id = $id AND active = 1", new { id }, transaction).ConfigureAwait(false) is { } row)
        {
            member = new StaffMember(id, row.Name, ParseRole(row.Role));
            stored = row.PinHash;
            failed = checked((int)row.Failed);
            lockedUntil = StoredNames.ToTimeOrNull(row.LockedUntil);
        }

        var now = time.GetUtcNow();
        if (lockedUntil > now)
        {
            return new PinCheck(null, LockedUntil: lockedUntil);
        }

        var right = PinHash.Verify(pin, stored ?? PinHash.Dummy) && member is not null;
        if (member is null)
        {
            return new PinCheck(null, RemainingTries: MaxFailures);
        }

        if (right)
        {
            await connection.ExecuteAsync("UPDATE staff SET failed = 0, locked_until = NULL WHERE id = $id", transaction, cancellationToken, ("$id", id)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PinCheck(member);
        }

        failed++;
        if (failed >= MaxFailures)
        {
            var until = now + Lockout;
            await connection.ExecuteAsync("UPDATE staff SET failed = 0, locked_until = $u WHERE id = $id", transaction, cancellationToken,
                ("$u", until.ToString("O", CultureInfo.InvariantCulture)), ("$id", id)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PinCheck(null, LockedUntil: until);
        }

        await connection.ExecuteAsync("UPDATE staff SET failed = $f WHERE id = $id", transaction, cancellationToken, ("$f", failed), ("$id", id)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PinCheck(null, RemainingTries: MaxFailures - failed);
    }

    /// <summary>Opens a session for <paramref name="member"/>: the token for the cookie (kept here only as its hash), and when it ends.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> OpenSessionAsync(StaffMember member, CancellationToken cancellationToken = default)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow();
        var expires = now + SessionLifetime;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "DELETE FROM sessions WHERE expires_at < $now; INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES ($h, $s, $c, $e)",
            null, cancellationToken, ("$now", now.ToString("O", CultureInfo.InvariantCulture)), ("$h", TokenHash(token)), ("$s", member.Id),
            ("$c", now.ToString("O", CultureInfo.InvariantCulture)), ("$e", expires.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        return (token, expires);
    }

    /// <summary>The person signed in with <paramref name="token"/>, or null (unknown, expired, or no longer active).</summary>
    public async Task<StaffMember?> FindSessionAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var session = await connection.QuerySingleOrDefaultAsync<SessionRow>(
            "SELECT s.id, s.name, s.role, x.expires_at FROM sessions x JOIN staff s ON s.id = x.staff_id WHERE x.token_hash = $h AND s.active = 1",
            new { h = TokenHash(token) }).ConfigureAwait(false);
        if (session is null || StoredNames.ToTime(session.ExpiresAt) <= time.GetUtcNow())
        {
            return null;
        }

        return new StaffMember(session.Id, session.Name, ParseRole(session.Role));
    }

    /// <summary>Ends a session.</summary>
    public async Task CloseSessionAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM sessions WHERE token_hash = $h", null, cancellationToken, ("$h", TokenHash(token))).ConfigureAwait(false);
    }

    /// <summary>True for 4 to 8 ASCII digits.</summary>
    public static bool IsValidPin(string? pin) => PinHash.IsValid(pin);

    /// <summary>The role's wire name.</summary>
    public static string RoleName(StaffRole role) => role.ToString().ToLowerInvariant();

    private static StaffRole ParseRole(string role) => Enum.Parse<StaffRole>(role, ignoreCase: true);

    private static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>What a PIN check reads of a <c>staff</c> row.</summary>
internal sealed record StaffRow(string Name, string Role, string PinHash, long Failed, string? LockedUntil);

/// <summary>A signed-in session with its person.</summary>
internal sealed record SessionRow(string Id, string Name, string Role, string ExpiresAt);
