using System.Data.Common;
using System.Globalization;
using KioskPos.Shared.Security;

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

/// <summary>Why a sign-in failed.</summary>
internal enum SignInFailure
{
    None,
    Wrong,
    Locked,
}

/// <summary>The people who sign in: created by an administrator, passwords kept as salted PBKDF2 hashes.</summary>
internal sealed class ProvinceUsers(ProvinceDatabase database, TimeProvider time)
{
    /// <summary>Wrong passwords in a row before the login locks (an administrator sets a new password to open it).</summary>
    public const int MaxFailures = 5;

    /// <summary>Creates a user, or replaces the password, name and role of an existing one (and opens a locked login).</summary>
    public async Task SaveAsync(string username, string fullName, string role, string? institutionId, string password, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO users (username, full_name, role, institution_id, password_hash, failures, created_at) VALUES ($u, $n, $r, $i, $h, 0, $t)
            ON CONFLICT (username) DO UPDATE SET full_name = excluded.full_name, role = excluded.role, institution_id = excluded.institution_id,
                password_hash = excluded.password_hash, failures = 0
            """,
            null, cancellationToken, ("$u", username), ("$n", fullName), ("$r", role), ("$i", institutionId), ("$h", PinHash.Create(password)),
            ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
    }

    /// <summary>Checks a password; wrong ones are counted, and the login locks at <see cref="MaxFailures"/>.</summary>
    public async Task<(ProvinceUser? User, SignInFailure Failure)> SignInAsync(string username, string password, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.ReadFirstAsync<SignInRow>(
            "SELECT username, full_name, role, institution_id, password_hash, failures FROM users WHERE username = $u", null, cancellationToken, ("$u", username)).ConfigureAwait(false);
        var user = row is null ? null : new ProvinceUser(row.Username, row.FullName, row.Role, row.InstitutionId);
        var (hash, failures) = (row?.PasswordHash, row?.Failures ?? 0);

        // An unknown name costs the same hash as a known one: the answer's time does not tell which names exist.
        var right = PinHash.Verify(password, hash ?? PinHash.Dummy);
        if (user is null)
        {
            return (null, SignInFailure.Wrong);
        }

        if (failures >= MaxFailures)
        {
            return (null, SignInFailure.Locked);
        }

        if (!right)
        {
            await connection.ExecuteAsync("UPDATE users SET failures = failures + 1 WHERE username = $u", null, cancellationToken, ("$u", username)).ConfigureAwait(false);
            return (null, failures + 1 >= MaxFailures ? SignInFailure.Locked : SignInFailure.Wrong);
        }

        if (failures > 0)
        {
            await connection.ExecuteAsync("UPDATE users SET failures = 0 WHERE username = $u", null, cancellationToken, ("$u", username)).ConfigureAwait(false);
        }

        return (user, SignInFailure.None);
    }

    /// <summary>The user as stored now (a session names its user; a deleted or changed user's session ends).</summary>
    public async Task<ProvinceUser?> FindAsync(string username, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.ReadFirstAsync<UserRow>(
            "SELECT username, full_name, role, institution_id, failures FROM users WHERE username = $u", null, cancellationToken, ("$u", username)).ConfigureAwait(false);
        return row is not null && row.Failures < MaxFailures ? new ProvinceUser(row.Username, row.FullName, row.Role, row.InstitutionId) : null;
    }

    /// <summary>Every user, for the administrator (no password hashes).</summary>
    public async Task<IReadOnlyList<ProvinceUserRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<UserRow>(
            "SELECT username, full_name, role, institution_id, failures FROM users ORDER BY username", null, cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(u => new ProvinceUserRow(u.Username, u.FullName, u.Role, u.InstitutionId, u.Failures >= MaxFailures));
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
    }

    /// <summary>A user with the password hash and failures, to check a sign-in against.</summary>
    private sealed record SignInRow
    {
        public required string Username { get; init; }

        public required string FullName { get; init; }

        public required string Role { get; init; }

        public string? InstitutionId { get; init; }

        public required string PasswordHash { get; init; }

        public long Failures { get; init; }
    }
}

/// <summary>A user as the administrator's list shows it.</summary>
public sealed record ProvinceUserRow(string Username, string FullName, string Role, string? InstitutionId, bool Locked);
