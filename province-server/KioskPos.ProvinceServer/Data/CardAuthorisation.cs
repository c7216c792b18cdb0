using System.Globalization;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Card payments the terminals ask the server to authorise, and the card holders' PINs and blocks behind them.</summary>
internal sealed class CardAuthorisation(ProvinceDatabase database)
{
    /// <summary>Wrong card PINs in a row before the PIN is locked (the school office or hospital clears it).</summary>
    public const int MaxPinFailures = 3;

    /// <summary>
    /// Authorises a card payment against the balance the server holds (no hold is placed; the push follows at once),
    /// and the card holder's PIN when the terminal sends one: wrong PINs are counted here, across every terminal.
    /// </summary>
    public async Task<AuthoriseResponse> AuthoriseAsync(TerminalRecord terminal, AuthoriseRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        long balance;
        bool blocked;
        string? pinHash;
        int pinFailures;
        await using (var command = connection.Command(
            "SELECT a.balance, CASE WHEN a.blocked <> 0 OR c.denied_at IS NOT NULL THEN 1 ELSE 0 END, a.pin_hash, a.pin_failures FROM accounts a JOIN cards c ON c.account_code = a.code WHERE a.code = $a AND c.uid = $u AND a.institution_id = $i",
            null, ("$a", request.AccountCode), ("$u", request.CardUid), ("$i", terminal.InstitutionId)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new AuthoriseResponse(false, 0, "card_not_recognised");
            }

            (balance, blocked, pinHash, pinFailures) = (reader.GetLong(0), reader.GetLong(1) != 0, reader.GetNullableString(2), (int)reader.GetLong(3));
        }

        if (blocked)
        {
            return new AuthoriseResponse(false, balance, "card_blocked");
        }

        if (request.Pin is { } pin)
        {
            if (pinFailures >= MaxPinFailures)
            {
                return new AuthoriseResponse(false, balance, "pin_locked", 0);
            }

            if (pinHash is null)
            {
                return new AuthoriseResponse(false, balance, "pin_not_set");
            }

            if (!KioskPos.Shared.Security.PinHash.Verify(pin, pinHash))
            {
                var failures = Convert.ToInt32(await connection.ScalarAsync(
                    "UPDATE accounts SET pin_failures = pin_failures + 1 WHERE code = $c RETURNING pin_failures", null, cancellationToken, ("$c", request.AccountCode)).ConfigureAwait(false), CultureInfo.InvariantCulture);
                return new AuthoriseResponse(false, balance, failures >= MaxPinFailures ? "pin_locked" : "pin_wrong", Math.Max(0, MaxPinFailures - failures));
            }

            if (pinFailures > 0)
            {
                await connection.ExecuteAsync("UPDATE accounts SET pin_failures = 0 WHERE code = $c", null, cancellationToken, ("$c", request.AccountCode)).ConfigureAwait(false);
            }
        }

        return balance < request.Amount ? new AuthoriseResponse(false, balance, "insufficient_balance") : new AuthoriseResponse(true, balance, null);
    }

    /// <summary>Sets an account's card PIN (the holder chose it at the office) and clears a PIN lock; false for an unknown account.</summary>
    public async Task<bool> SetPinAsync(string accountCode, string pin, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("UPDATE accounts SET pin_hash = $h, pin_failures = 0 WHERE code = $c", null, cancellationToken,
            ("$h", KioskPos.Shared.Security.PinHash.Create(pin)), ("$c", accountCode)).ConfigureAwait(false) == 1;
    }

    /// <summary>An operator clears a blocked account (after settling an overdraft); terminals learn it at their next pull.</summary>
    public async Task<bool> UnblockAsync(string accountCode, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var version = await ChangeVersions.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync("UPDATE accounts SET blocked = 0, pin_failures = 0, version = $v WHERE code = $c", transaction, cancellationToken, ("$v", version), ("$c", accountCode)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }
}
