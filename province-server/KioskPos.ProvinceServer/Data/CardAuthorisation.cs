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
        var card = await connection.ReadFirstAsync<CardAccountRow>(
            "SELECT a.balance, a.blocked, c.denied_at, a.pin_hash, a.pin_failures FROM accounts a JOIN cards c ON c.account_code = a.code WHERE a.code = $a AND c.uid = $u AND a.institution_id = $i",
            null, cancellationToken, ("$a", request.AccountCode), ("$u", request.CardUid), ("$i", terminal.InstitutionId)).ConfigureAwait(false);
        if (card is null)
        {
            return new AuthoriseResponse(false, 0, "card_not_recognised");
        }

        var (balance, blocked, pinHash, pinFailures) = (card.Balance, card.Blocked != 0 || card.DeniedAt is not null, card.PinHash, (int)card.PinFailures);
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
        var version = await ChangeVersions.NextForAccountAsync(connection, transaction, accountCode, cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync("UPDATE accounts SET blocked = 0, pin_failures = 0, version = $v WHERE code = $c", transaction, cancellationToken, ("$v", version), ("$c", accountCode)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    private sealed record CardAccountRow
    {
        public long Balance { get; init; }

        public long Blocked { get; init; }

        public string? DeniedAt { get; init; }

        public string? PinHash { get; init; }

        public long PinFailures { get; init; }
    }
}
