using System.Data.Common;
using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>The roles of people who sign in to the province server.</summary>
internal static class ProvinceRoles
{
    /// <summary>Everything: every institution's figures, the worklist's resolutions, the admin API.</summary>
    public const string Admin = "province_admin";

    /// <summary>An institution's accountant: that institution's report and reconciliation, read-only.</summary>
    public const string Accountant = "accountant";
}

/// <summary>Someone signed in (or the admin token's holder, a program acting as a province administrator).</summary>
internal sealed record ProvinceUser(string Username, string FullName, string Role, string? InstitutionId)
{
    public bool IsAdmin => Role == ProvinceRoles.Admin;

    /// <summary>True when this user may see <paramref name="institutionId"/>'s figures.</summary>
    public bool MaySee(string institutionId) => IsAdmin || InstitutionId == institutionId;
}

/// <summary>How a sign-in went.</summary>
internal enum SignInOutcome
{
    /// <summary>Signed in.</summary>
    SignedIn,

    /// <summary>Unknown name or wrong password (the same answer for both).</summary>
    Wrong,

    /// <summary>Too many wrong passwords for this name or from this address: try again after the wait.</summary>
    Wait,
}

/// <summary>A sign-in's answer: the user when signed in, else why not and (for a wait) how long.</summary>
internal sealed record SignInResult(SignInOutcome Outcome, ProvinceUser? User, TimeSpan Wait);

/// <summary>What <c>users add-admin</c> did.</summary>
internal enum AddAdminOutcome
{
    Created,
    AdminExists,
    UsernameTaken,
}

/// <summary>
/// The people who sign in: created by an administrator (the first one on the command line), passwords kept as
/// salted PBKDF2 hashes (<see cref="PasswordHash"/>). Wrong passwords slow the next tries down
/// (<see cref="SignInThrottle"/>); nothing locks a login for good.
/// </summary>
internal sealed class ProvinceUsers(ProvinceDatabase database, SignInThrottle throttle, TimeProvider time)
{
    /// <summary>Wrong passwords for one name before each further one makes the next try wait: the shipped <see cref="SignInOptions.AccountFailuresBeforeDelay"/>.</summary>
    public const int MaxFailures = 5;

    /// <summary>
    /// Creates a user, or replaces the password, name and role of an existing one. Either way the person's sessions
    /// end at once (a password reset or a role change must not leave an old cookie working), and a wait their name
    /// had earned is lifted.
    /// </summary>
    public Task SaveAsync(string username, string fullName, string role, string? institutionId, string password, CancellationToken cancellationToken) =>
        SaveHashedAsync(username, fullName, role, institutionId, PasswordHash.Create(password), cancellationToken);

    /// <summary><see cref="SaveAsync"/> with the password already hashed (<see cref="PasswordHash.Create"/>).</summary>
    public async Task SaveHashedAsync(string username, string fullName, string role, string? institutionId, string hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO users (username, full_name, role, institution_id, password_hash, created_at) VALUES ($u, $n, $r, $i, $h, $t)
            ON CONFLICT (username) DO UPDATE SET full_name = excluded.full_name, role = excluded.role, institution_id = excluded.institution_id,
                password_hash = excluded.password_hash
            """,
            transaction, cancellationToken, ("$u", username), ("$n", fullName), ("$r", role), ("$i", institutionId), ("$h", hash),
            ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM sessions WHERE username = $u", transaction, cancellationToken, ("$u", username)).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM sign_in_throttle WHERE subject = $k", transaction, cancellationToken, ("$k", SignInThrottle.AccountKey(username))).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a province administrator from the command line: refused when <paramref name="username"/> exists, and
    /// when an administrator exists unless <paramref name="another"/> (the first one is made this way; later ones
    /// normally by an administrator).
    /// </summary>
    public async Task<AddAdminOutcome> AddAdminAsync(string username, string fullName, string password, bool another, CancellationToken cancellationToken)
    {
        var hash = PasswordHash.Create(password);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (await connection.ScalarAsync("SELECT 1 FROM users WHERE username = $u", transaction, cancellationToken, ("$u", username)).ConfigureAwait(false) is not null)
        {
            return AddAdminOutcome.UsernameTaken;
        }

        if (!another && await connection.ScalarAsync("SELECT 1 FROM users WHERE role = $r", transaction, cancellationToken, ("$r", ProvinceRoles.Admin)).ConfigureAwait(false) is not null)
        {
            return AddAdminOutcome.AdminExists;
        }

        await connection.ExecuteAsync(
            "INSERT INTO users (username, full_name, role, institution_id, password_hash, created_at) VALUES ($u, $n, $r, NULL, $h, $t)",
            transaction, cancellationToken, ("$u", username), ("$n", fullName), ("$r", ProvinceRoles.Admin), ("$h", hash),
            ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return AddAdminOutcome.Created;
    }

    /// <summary>True when at least one person can sign in.</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ScalarAsync("SELECT 1 FROM users LIMIT 1", null, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Checks a password from <paramref name="source"/> (the client's address, an IPv6 client's /64). While the name or
    /// the source must wait, the answer is <see cref="SignInOutcome.Wait"/> without looking the password up (the same
    /// for a known and an unknown name). A wrong one is counted against both; a right one clears the name's count, and a hash made
    /// with fewer iterations than today's is made again.
    /// </summary>
    public async Task<SignInResult> SignInAsync(string username, string password, string source, CancellationToken cancellationToken)
    {
        var (accountKey, sourceKey) = (SignInThrottle.AccountKey(username), SignInThrottle.SourceKey(source));
        if (await throttle.WaitAsync(accountKey, sourceKey, cancellationToken).ConfigureAwait(false) is { } wait)
        {
            return new SignInResult(SignInOutcome.Wait, null, wait);
        }

        SignInRow? row;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            row = await connection.ReadFirstAsync<SignInRow>(
                "SELECT username, full_name, role, institution_id, password_hash FROM users WHERE username = $u", null, cancellationToken, ("$u", username)).ConfigureAwait(false);
        }

        // An unknown name costs the same hash as a known one: the answer's time does not tell which names exist.
        var right = PasswordHash.Verify(password, row?.PasswordHash ?? PasswordHash.Dummy);
        if (row is null || !right)
        {
            return await throttle.FailedAsync(accountKey, sourceKey, cancellationToken).ConfigureAwait(false) is { } earned
                ? new SignInResult(SignInOutcome.Wait, null, earned)
                : new SignInResult(SignInOutcome.Wrong, null, TimeSpan.Zero);
        }

        await throttle.ClearAsync(accountKey, cancellationToken).ConfigureAwait(false);
        if (PasswordHash.NeedsRehash(row.PasswordHash))
        {
            // Only if the hash is still the one checked: a password an administrator set meanwhile stays.
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync("UPDATE users SET password_hash = $new WHERE username = $u AND password_hash = $old", null, cancellationToken,
                ("$new", PasswordHash.Create(password)), ("$u", row.Username), ("$old", row.PasswordHash)).ConfigureAwait(false);
        }

        return new SignInResult(SignInOutcome.SignedIn, new ProvinceUser(row.Username, row.FullName, row.Role, row.InstitutionId), TimeSpan.Zero);
    }

    /// <summary>Every user, for the administrator (no password hashes), with the wrong passwords their name has had lately.</summary>
    public async Task<IReadOnlyList<ProvinceUserRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<UserRow>(
            """
            SELECT u.username, u.full_name, u.role, u.institution_id, COALESCE(t.failures, 0) AS failures, COALESCE(t.not_before, 0) AS not_before
            FROM users u LEFT JOIN sign_in_throttle t ON t.subject = 'user:' || lower(u.username)
            ORDER BY u.username
            """, null, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return rows.ConvertAll(u => new ProvinceUserRow(u.Username, u.FullName, u.Role, u.InstitutionId, u.Failures,
            u.NotBefore > now.ToUnixTimeMilliseconds() ? DateTimeOffset.FromUnixTimeMilliseconds(u.NotBefore) : null));
    }

    /// <summary>True when <paramref name="institutionId"/> is a known institution.</summary>
    public async Task<bool> InstitutionExistsAsync(string institutionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ScalarAsync("SELECT 1 FROM institutions WHERE id = $i", null, cancellationToken, ("$i", institutionId)).ConfigureAwait(false) is not null;
    }

    /// <summary>A user as stored, without the password hash.</summary>
    private sealed record UserRow
    {
        public required string Username { get; init; }

        public required string FullName { get; init; }

        public required string Role { get; init; }

        public string? InstitutionId { get; init; }

        public long Failures { get; init; }

        public long NotBefore { get; init; }
    }

    /// <summary>A user with the password hash, to check a sign-in against.</summary>
    private sealed record SignInRow
    {
        public required string Username { get; init; }

        public required string FullName { get; init; }

        public required string Role { get; init; }

        public string? InstitutionId { get; init; }

        public required string PasswordHash { get; init; }
    }
}

/// <summary>A user as the administrator's list shows it.</summary>
/// <param name="Username">The login.</param>
/// <param name="FullName">The name.</param>
/// <param name="Role"><c>province_admin</c> or <c>accountant</c>.</param>
/// <param name="InstitutionId">An accountant's institution.</param>
/// <param name="FailedSignIns">Wrong passwords for this name lately (forgotten after a quiet hour, cleared by a right one).</param>
/// <param name="WaitUntil">While set, tries for this name are answered "wait" until then.</param>
public sealed record ProvinceUserRow(string Username, string FullName, string Role, string? InstitutionId, long FailedSignIns, DateTimeOffset? WaitUntil);
