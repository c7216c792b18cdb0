using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>The cards terminals must refuse, offline too: the list travels to them with the cards' accounts.</summary>
internal sealed class DenyList(ProvinceDatabase database, TimeProvider time)
{
    /// <summary>Puts a card on the deny list (<paramref name="reason"/> set) or takes it off (null); false for an unknown card.</summary>
    public async Task<bool> SetDeniedAsync(string uid, string? reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var account = (string?)await connection.ScalarAsync(
            "UPDATE cards SET denied_reason = $r, denied_at = CASE WHEN CAST($r AS TEXT) IS NULL THEN NULL ELSE $t END WHERE uid = $u RETURNING account_code",
            transaction, cancellationToken, ("$r", reason), ("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), ("$u", uid)).ConfigureAwait(false);
        if (account is null)
        {
            return false;
        }

        // The card list travels with its account: a new version sends the change to the terminals.
        var version = await ChangeVersions.NextForAccountAsync(connection, transaction, account, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE accounts SET version = $v WHERE code = $c", transaction, cancellationToken, ("$v", version), ("$c", account)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
