using KioskPos.Shared.Security;
using System.Diagnostics.CodeAnalysis;
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
/// compared in constant time. Wrong PINs are counted per id in <c>pin_failures</c>, whether or not the id exists:
/// five in a row lock the id for 15 minutes, and an unknown id answers exactly as a known one with a wrong PIN (the
/// same tries left, the same lockout, the same time), so ids cannot be probed. A session ends after
/// <see cref="IdleTimeout"/> without use, and after <see cref="SessionLifetime"/> whatever happens.
/// </summary>
public sealed class StaffStore(SqliteDatabase database, TimeProvider time)
{
    /// <summary>Wrong PINs in a row before a lockout.</summary>
    public const int MaxFailures = 5;

    /// <summary>The fewest digits of a staff PIN set from now on (older, shorter PINs must be changed to sign in).</summary>
    public const int MinPinLength = 6;

    /// <summary>How long a lockout lasts.</summary>
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    /// <summary>How long a session lasts at most (a working day), used or not.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(10);


    /// <summary>A session ends after this long without a request that needed it (10 minutes unless configured).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Adds a person or replaces their name, role and PIN (and clears a lockout).</summary>
    /// <exception cref="ArgumentException">The id is not 1 to 32 letters, digits, '-' or '_', or the PIN is not 6 to 8 digits.</exception>
    public async Task AddOrUpdateAsync(string id, string name, StaffRole role, string pin, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException("The staff id is 1 to 32 letters, digits, '-' or '_'.", nameof(id));
        }

        if (!IsValidStaffPin(pin))
        {
            throw new ArgumentException($"A staff PIN is {MinPinLength} to 8 digits.", nameof(pin));
        }

        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO staff (id, name, role, pin_hash) VALUES ($id, $n, $r, $h)
            ON CONFLICT (id) DO UPDATE SET name = $n, role = $r, pin_hash = $h, active = 1;
            DELETE FROM pin_failures WHERE staff_id = $id
            """,
            null, cancellationToken, ("$id", id), ("$n", name.Trim()), ("$r", RoleName(role)), ("$h", PinHash.Create(pin))).ConfigureAwait(false);
    }

    /// <summary>Checks a PIN, counting wrong ones towards the id's lockout (an unknown id's too).</summary>
    public async Task<PinCheck> CheckPinAsync(string id, string pin, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        cancellationToken.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        var stamp = now.ToString("O", CultureInfo.InvariantCulture);
        StaffMember? member = null;
        string? stored = null;
        if (await connection.QuerySingleOrDefaultAsync<StaffRow>(
            "SELECT name, role, pin_hash FROM staff WHERE id = $id AND active = 1", new { id }, transaction).ConfigureAwait(false) is { } row)
        {
            member = new StaffMember(id, row.Name, ParseRole(row.Role));
            stored = row.PinHash;
        }

        var failures = await connection.QuerySingleOrDefaultAsync<PinFailureRow>(
            "SELECT failed, locked_until FROM pin_failures WHERE staff_id = $id", new { id }, transaction).ConfigureAwait(false);
        var failed = failures is null ? 0 : checked((int)failures.Failed);
        if (StoredNames.ToTimeOrNull(failures?.LockedUntil) is { } lockedUntil && lockedUntil > now)
        {
            return new PinCheck(null, LockedUntil: lockedUntil);
        }

        // The hash is computed whether or not the id exists: the same time either way.
        var right = PinHash.Verify(pin, stored ?? PinHash.Dummy) && member is not null;
        if (right)
        {
            await connection.ExecuteAsync("DELETE FROM pin_failures WHERE staff_id = $id", transaction, cancellationToken, ("$id", id)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PinCheck(member);
        }

        failed++;
        DateTimeOffset? until = failed >= MaxFailures ? now + Lockout : null;
        await connection.ExecuteAsync(
            """
            DELETE FROM pin_failures WHERE updated_at < $old AND (locked_until IS NULL OR locked_until < $now);
            INSERT INTO pin_failures (staff_id, failed, locked_until, updated_at) VALUES ($id, $f, $u, $now)
            ON CONFLICT (staff_id) DO UPDATE SET failed = $f, locked_until = $u, updated_at = $now
            """,
            transaction, cancellationToken, ("$old", (now - TimeSpan.FromDays(1)).ToString("O", CultureInfo.InvariantCulture)), ("$now", stamp), ("$id", id),
            ("$f", until is null ? failed : 0), ("$u", until?.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return until is { } locked ? new PinCheck(null, LockedUntil: locked) : new PinCheck(null, RemainingTries: MaxFailures - failed);
    }

    /// <summary>
    /// Opens a session for <paramref name="member"/>: the token for the cookie (kept here only as its hash), and when it
    /// ends at the latest (it ends sooner when idle for <see cref="IdleTimeout"/>).
    /// </summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> OpenSessionAsync(StaffMember member, CancellationToken cancellationToken = default)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow();
        var latest = now + SessionLifetime;

        // expires_at is when the session ends if nothing uses it: the idle expiry, capped by the shift limit.
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "DELETE FROM sessions WHERE expires_at < $now; INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES ($h, $s, $c, $e)",
            null, cancellationToken, ("$now", now.ToString("O", CultureInfo.InvariantCulture)), ("$h", TokenHash(token)), ("$s", member.Id),
            ("$c", now.ToString("O", CultureInfo.InvariantCulture)), ("$e", Min(now + IdleTimeout, latest).ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        return (token, latest);
    }

    /// <summary>
    /// The person signed in with <paramref name="token"/>, or null (unknown, idle too long, past the shift limit, or
    /// no longer active). Finding it counts as using it: its idle expiry moves on.
    /// </summary>
    public async Task<StaffMember?> FindSessionAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return null;
        }

        var hash = TokenHash(token);
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        var session = await connection.QuerySingleOrDefaultAsync<SessionRow>(
            "SELECT s.id, s.name, s.role, x.created_at, x.expires_at FROM sessions x JOIN staff s ON s.id = x.staff_id WHERE x.token_hash = $h AND s.active = 1",
            new { h = hash }).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (session is null || StoredNames.ToTime(session.ExpiresAt) <= now)
        {
            return null;
        }

        var next = Min(now + IdleTimeout, StoredNames.ToTime(session.CreatedAt) + SessionLifetime);
        // The idle expiry moves forward only when it would move by a twentieth of the idle time (15 s at most): not a
        // write per request.
        if (next - StoredNames.ToTime(session.ExpiresAt) > TimeSpan.FromTicks(Math.Min(IdleTimeout.Ticks / 20, TimeSpan.TicksPerSecond * 15)))
        {
            await connection.ExecuteAsync("UPDATE sessions SET expires_at = $e WHERE token_hash = $h AND expires_at > $now", null, cancellationToken,
                ("$e", next.ToString("O", CultureInfo.InvariantCulture)), ("$h", hash), ("$now", now.ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        }

        return new StaffMember(session.Id, session.Name, ParseRole(session.Role));
    }

    /// <summary>Ends a session.</summary>
    public async Task CloseSessionAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM sessions WHERE token_hash = $h", null, cancellationToken, ("$h", TokenHash(token))).ConfigureAwait(false);
    }

    /// <summary>True for a PIN as a PIN check takes it: 4 to 8 ASCII digits (a card holder's, or an older staff PIN).</summary>
    public static bool IsValidPin(string? pin) => PinHash.IsValid(pin);

    /// <summary>True for a staff PIN as one is set now: <see cref="MinPinLength"/> to 8 ASCII digits.</summary>
    public static bool IsValidStaffPin(string? pin) => PinHash.IsValid(pin) && pin!.Length >= MinPinLength;

    /// <summary>True for a staff id's form: 1 to 32 letters, digits, '-' or '_'.</summary>
    public static bool IsValidId([NotNullWhen(true)] string? id) =>
        id is { Length: >= 1 and <= 32 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The role's wire name.</summary>
    public static string RoleName(StaffRole role) => role.ToString().ToLowerInvariant();

    private static StaffRole ParseRole(string role) => Enum.Parse<StaffRole>(role, ignoreCase: true);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>What a PIN check reads of a <c>staff</c> row.</summary>
internal sealed record StaffRow(string Name, string Role, string PinHash);

/// <summary>An id's wrong PINs in a row, and its lockout.</summary>
internal sealed record PinFailureRow(long Failed, string? LockedUntil);

/// <summary>A signed-in session with its person.</summary>
internal sealed record SessionRow(string Id, string Name, string Role, string CreatedAt, string ExpiresAt);
