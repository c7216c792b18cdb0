using System.Globalization;
using Dapper;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.Receipts;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>A card change written: its journal sequence and what it did.</summary>
/// <param name="Sequence">The journal entry.</param>
/// <param name="Change">The entry's body.</param>
public sealed record CardChangeResult(long Sequence, CardChangeDto Change);

/// <summary>
/// Cards issued, reported lost and replaced at this terminal: each is one journal entry written in one transaction with
/// its effect on the cached cards, so the card is refused (or taken) here at once, online or not, and the province
/// applies the entry once when it arrives; other terminals learn it at their pull. Who may do it is the caller's
/// check; what may be done is checked here against what this terminal knows.
/// </summary>
/// <remarks>
/// The balance lives on the account, not on the card: a replacement moves no money, the new card simply pays from the
/// same account. Refusals are <see cref="PaymentRefusedException"/>s with the catalogue's <c>card.*</c> texts.
/// </remarks>
public sealed class CardStore(SqliteDatabase database, TimeProvider time)
{
    /// <summary>Issues <paramref name="uid"/> to <paramref name="accountCode"/>.</summary>
    /// <exception cref="PaymentRefusedException">Unknown account, an account whose cards are blocked, or a card that already belongs to an account.</exception>
    public async Task<CardChangeResult> IssueAsync(string accountCode, string uid, string staff, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await RequireAccountAsync(connection, transaction, accountCode, cancellationToken).ConfigureAwait(false);
        await RequireUnusedAsync(connection, transaction, uid, cancellationToken).ConfigureAwait(false);
        var result = await AppendAsync(connection, transaction, new CardChangeDto(CardActions.Issued, accountCode, uid, null, staff), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Reports <paramref name="uid"/> lost: refused here from this moment, everywhere once the province has it.</summary>
    /// <exception cref="PaymentRefusedException">Unknown card, or a card already refused.</exception>
    public async Task<CardChangeResult> ReportLostAsync(string uid, string staff, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var card = await RequireCardAsync(connection, transaction, uid, cancellationToken).ConfigureAwait(false);
        if (card.Denied != 0)
        {
            throw new PaymentRefusedException(PaymentRefusal.Of("card_already_denied", "card.already_denied", RefusalKind.Refused, uid));
        }

        var result = await AppendAsync(connection, transaction, new CardChangeDto(CardActions.Lost, card.AccountCode, uid, null, staff), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Replaces <paramref name="oldUid"/> (lost or not) by <paramref name="newUid"/>: the old card is refused, the new one
    /// pays from the same account, so it carries the balance.
    /// </summary>
    /// <exception cref="PaymentRefusedException">Unknown old card, the same card twice, or a new card that already belongs to an account.</exception>
    public async Task<CardChangeResult> ReplaceAsync(string oldUid, string newUid, string staff, CancellationToken cancellationToken = default)
    {
        if (string.Equals(oldUid, newUid, StringComparison.Ordinal))
        {
            throw new PaymentRefusedException(PaymentRefusal.InvalidRequest("card.invalid_field", "newCardUid", "another card than the old one"));
        }

        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var card = await RequireCardAsync(connection, transaction, oldUid, cancellationToken).ConfigureAwait(false);
        await RequireUnusedAsync(connection, transaction, newUid, cancellationToken).ConfigureAwait(false);
        var result = await AppendAsync(connection, transaction, new CardChangeDto(CardActions.Replaced, card.AccountCode, newUid, oldUid, staff), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The last <paramref name="limit"/> movements of <paramref name="accountCode"/>'s balance that this terminal made,
    /// oldest first: payments from the balance (debits), voids and refunds to the balance, deposits taken here and
    /// top-ups by VietQR offered here once the bank's money is confirmed, as much as was credited (credits). Movements made elsewhere (other terminals, bank transfers) are in the province's statement.
    /// </summary>
    public async Task<IReadOnlyList<StatementMovement>> GetMovementsAsync(string accountCode, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MovementRow>(
            """
            SELECT at, kind, amount, reference FROM (
                SELECT p.created_at AS at, 'payment' AS kind, -p.amount AS amount, p.id AS reference, p.sequence AS sequence
                FROM payments p WHERE p.account_code = $a AND p.method = 'card_balance'
                UNION ALL
                SELECT j.created_at, r.kind, r.amount, r.payment_id, r.sequence
                FROM reversals r JOIN journal j ON j.sequence = r.sequence WHERE r.account_code = $a AND r.destination = 'card_balance'
                UNION ALL
                SELECT p.created_at, 'deposit', SUM(pa.amount), p.id, p.sequence
                FROM payments p JOIN payment_allocations pa ON pa.payment_id = p.id JOIN bills b ON b.id = pa.bill_id
                WHERE p.account_code = $a AND b.category = 'tam_ung' AND p.method <> 'vietqr' GROUP BY p.id
                UNION ALL
                SELECT p.created_at, 'top_up', MIN(p.received, p.amount), p.id, p.sequence
                FROM payments p WHERE p.account_code = $a AND p.purpose = 'top_up' AND p.received > 0)
            ORDER BY sequence DESC LIMIT $n
            """,
            new { a = accountCode, n = limit }).ConfigureAwait(false);
        return [.. rows.Reverse().Select(r => new StatementMovement(StoredNames.ToTime(r.At), r.Kind, new Vnd(r.Amount), r.Reference))];
    }

    /// <summary>
    /// Applies a card change to the cached cards: a lost or replaced card is refused, an issued or new card pays from
    /// its account. Used when the change is made, when the journal is replayed, and after a pull for changes the
    /// province does not hold yet.
    /// </summary>
    internal static async Task ApplyAsync(SqliteConnection connection, SqliteTransaction transaction, CardChangeDto change, CancellationToken cancellationToken)
    {
        var denied = change.Action == CardActions.Lost ? change.CardUid : change.ReplacedUid;
        if (denied is not null)
        {
            await connection.ExecuteAsync("UPDATE account_cards SET denied = 1 WHERE uid = $u", transaction, cancellationToken, ("$u", denied)).ConfigureAwait(false);
        }

        if (change.Action is CardActions.Issued or CardActions.Replaced)
        {
            await connection.ExecuteAsync(
                "INSERT INTO account_cards (uid, account_code, denied) SELECT $u, $a, 0 WHERE EXISTS (SELECT 1 FROM accounts WHERE code = $a) ON CONFLICT (uid) DO NOTHING",
                transaction, cancellationToken, ("$u", change.CardUid), ("$a", change.AccountCode)).ConfigureAwait(false);
        }
    }

    /// <summary>Records a card change entry's row (when it is made and when the journal is replayed).</summary>
    internal static Task RecordAsync(SqliteConnection connection, SqliteTransaction transaction, JournalEntryDto entry, CancellationToken cancellationToken)
    {
        var c = entry.Card!;
        return connection.ExecuteAsync(
            "INSERT INTO card_changes (sequence, action, account_code, card_uid, replaced_uid, operator, created_at) VALUES ($s, $a, $c, $u, $r, $o, $t)",
            transaction, cancellationToken, ("$s", entry.Sequence), ("$a", c.Action), ("$c", c.AccountCode), ("$u", c.CardUid), ("$r", c.ReplacedUid), ("$o", c.Operator),
            ("$t", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture)));
    }

    /// <summary>Whether a change of this terminal that gives <paramref name="cardUid"/> an account waits to reach the province.</summary>
    public async Task<bool> IsIssuedHereUnsentAsync(string cardUid, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ScalarAsync(
            "SELECT 1 FROM card_changes c JOIN outbox o ON o.sequence = c.sequence WHERE c.card_uid = $u AND c.action <> $lost AND o.state = 'pending' LIMIT 1",
            null, cancellationToken, ("$u", cardUid), ("$lost", CardActions.Lost)).ConfigureAwait(false) is not null;
    }

    /// <summary>Re-applies the changes the province has not acknowledged yet, after a pull replaced the cached cards.</summary>
    internal static async Task ReapplyPendingAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var pending = await connection.QueryAsync<CardChangeRow>(
            "SELECT c.action, c.account_code, c.card_uid, c.replaced_uid, c.operator FROM card_changes c JOIN outbox o ON o.sequence = c.sequence WHERE o.state = 'pending' ORDER BY c.sequence",
            transaction: transaction).ConfigureAwait(false);
        foreach (var row in pending)
        {
            await ApplyAsync(connection, transaction, new CardChangeDto(row.Action, row.AccountCode, row.CardUid, row.ReplacedUid, row.Operator), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<CardChangeResult> AppendAsync(SqliteConnection connection, SqliteTransaction transaction, CardChangeDto change, CancellationToken cancellationToken)
    {
        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var entry = new JournalEntryDto(sequence, EntryKinds.CardChanged, time.GetUtcNow(), Card: change);
        await Journal.AppendAsync(connection, transaction, entry, prevHash, null, cancellationToken).ConfigureAwait(false);
        await RecordAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(connection, transaction, change, cancellationToken).ConfigureAwait(false);
        return new CardChangeResult(sequence, change);
    }

    private static async Task RequireAccountAsync(SqliteConnection connection, SqliteTransaction transaction, string accountCode, CancellationToken cancellationToken)
    {
        var blocked = await connection.ScalarAsync("SELECT blocked FROM accounts WHERE code = $c", transaction, cancellationToken, ("$c", accountCode)).ConfigureAwait(false);
        if (blocked is null)
        {
            throw new PaymentRefusedException(PaymentRefusal.PayerNotFound(accountCode));
        }

        if (Convert.ToInt64(blocked, CultureInfo.InvariantCulture) != 0)
        {
            throw new PaymentRefusedException(PaymentRefusal.Of("account_blocked", "card.account_blocked", RefusalKind.Refused, accountCode));
        }
    }

    private static async Task RequireUnusedAsync(SqliteConnection connection, SqliteTransaction transaction, string uid, CancellationToken cancellationToken)
    {
        // A card once deny-listed stays refused: it is never given out again, to this account or another.
        if (await connection.ScalarAsync("SELECT account_code FROM account_cards WHERE uid = $u", transaction, cancellationToken, ("$u", uid)).ConfigureAwait(false) is not null)
        {
            throw new PaymentRefusedException(PaymentRefusal.Of("card_in_use", "card.in_use", RefusalKind.Refused, uid));
        }
    }

    private static async Task<CardRowWithAccount> RequireCardAsync(SqliteConnection connection, SqliteTransaction transaction, string uid, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<CardRowWithAccount>("SELECT uid, account_code, denied FROM account_cards WHERE uid = $u", new { u = uid }, transaction).ConfigureAwait(false)
        ?? throw new PaymentRefusedException(PaymentRefusal.CardNotRecognised(uid));
}

/// <summary>An <c>account_cards</c> row with its account.</summary>
internal sealed record CardRowWithAccount(string Uid, string AccountCode, long Denied);

/// <summary>One movement of a statement, as the query reads it.</summary>
internal sealed record MovementRow(string At, string Kind, long Amount, string Reference);

/// <summary>A <c>card_changes</c> row.</summary>
internal sealed record CardChangeRow(string Action, string AccountCode, string CardUid, string? ReplacedUid, string Operator);
