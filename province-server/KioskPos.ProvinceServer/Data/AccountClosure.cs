using System.Data.Common;
using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>The body of <c>POST /api/v1/admin/accounts/{code}/close</c>.</summary>
/// <param name="BankReference">The reference of the institution's bank transfer that pays the remainder back.</param>
/// <param name="Reason">Why (the pupil left, the patient was discharged).</param>
public sealed record CloseAccountRequest(string? BankReference, string? Reason);

/// <summary>An account closed.</summary>
/// <param name="AccountCode">The account.</param>
/// <param name="Refunded">The remainder refunded by bank transfer, whole đồng (0 when nothing was left).</param>
/// <param name="BankReference">The transfer's reference.</param>
/// <param name="CardsClosed">The account's cards, all deny-listed as <c>closed</c>.</param>
/// <param name="ClosedAt">When.</param>
public sealed record AccountClosedView(string AccountCode, long Refunded, string BankReference, IReadOnlyList<string> CardsClosed, string ClosedAt);

/// <summary>
/// A payer leaving (issue 27): the remainder of the account's balance goes back by a bank transfer recorded with its
/// reference, the balance becomes zero, the account is blocked and its cards deny-listed — all in one write, with a new
/// version, so every terminal refuses the cards from its next pull (and the province's authorisation at once).
/// </summary>
internal static class AccountClosure
{
    /// <summary>The most characters of the reason, as the terminal's counter close takes it (it is printed on the slip and kept with the closure).</summary>
    public const int MaxReason = 200;

    /// <summary>Why an account cannot be closed.</summary>
    public enum Refusal
    {
        /// <summary>No such account.</summary>
        NotFound,

        /// <summary>Closed before.</summary>
        AlreadyClosed,

        /// <summary>The balance is below zero (an overdraft): a person settles it first.</summary>
        Overdrawn,

        /// <summary>The account belongs to another institution than the closing terminal's.</summary>
        OtherInstitution,

        /// <summary>The balance is not the remainder the supervisor refunded (a payment or top-up came between).</summary>
        BalanceChanged,
    }

    /// <summary>Closes <paramref name="code"/>; the refusal when it cannot be.</summary>
    public static async Task<(AccountClosedView? Closed, Refusal? Refusal)> CloseAsync(ProvinceDatabase database, TimeProvider time, string code, string bankReference, string reason, string by, CancellationToken cancellationToken)
    {
        var (closed, refusal, _) = await CloseAsync(database, time, code, bankReference, reason, by, null, null, cancellationToken).ConfigureAwait(false);
        return (closed, refusal);
    }

    /// <summary>
    /// Closes <paramref name="code"/> for a terminal's counter: only an account of <paramref name="institution"/> (when
    /// given), and only when its balance is exactly <paramref name="expected"/> (when given), the remainder the
    /// supervisor refunded. The refusal when it cannot be, and the balance the province holds.
    /// </summary>
    public static async Task<(AccountClosedView? Closed, Refusal? Refusal, long Balance)> CloseAsync(
        ProvinceDatabase database, TimeProvider time, string code, string bankReference, string reason, string by, string? institution, long? expected, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var account = (await connection.ReadAllAsync<AccountStateRow>("SELECT balance, closed_at, institution_id FROM accounts WHERE code = $c", transaction, cancellationToken, ("$c", code)).ConfigureAwait(false)).SingleOrDefault();
        if (account is null)
        {
            return (null, Refusal.NotFound, 0);
        }

        // Another institution's account is refused without saying what it holds.
        if (institution is not null && account.InstitutionId != institution)
        {
            return (null, Refusal.OtherInstitution, 0);
        }

        if (account.ClosedAt is not null)
        {
            return (null, Refusal.AlreadyClosed, 0);
        }

        if (account.Balance < 0)
        {
            return (null, Refusal.Overdrawn, account.Balance);
        }

        if (expected is { } remainder && remainder != account.Balance)
        {
            return (null, Refusal.BalanceChanged, account.Balance);
        }

        var now = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var version = await ChangeVersions.NextForAccountAsync(connection, transaction, code, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO account_closures (account_code, refunded, bank_reference, reason, closed_by, closed_at) VALUES ($c, $a, $r, $why, $by, $t)",
            transaction, cancellationToken, ("$c", code), ("$a", account.Balance), ("$r", bankReference), ("$why", reason), ("$by", by), ("$t", now)).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE accounts SET balance = 0, blocked = 1, closed_at = $t, version = $v WHERE code = $c",
            transaction, cancellationToken, ("$t", now), ("$v", version), ("$c", code)).ConfigureAwait(false);
        var cards = await connection.ReadAllAsync<CardUidRow>("SELECT uid FROM cards WHERE account_code = $c ORDER BY uid", transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE cards SET denied_reason = 'closed', denied_at = $t WHERE account_code = $c AND denied_at IS NULL",
            transaction, cancellationToken, ("$t", now), ("$c", code)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (new AccountClosedView(code, account.Balance, bankReference, [.. cards.Select(c => c.Uid)], now), null, account.Balance);
    }

    private sealed record AccountStateRow
    {
        public long Balance { get; init; }

        public string? ClosedAt { get; init; }

        public string InstitutionId { get; init; } = string.Empty;
    }

    private sealed record CardUidRow
    {
        public required string Uid { get; init; }
    }
}
