using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// An account's movements in a month, as the province holds them from every terminal of the institution and the bank:
/// payments from the balance (debits), voids and refunds to the balance, deposits (tạm ứng) held on the account,
/// top-ups by VietQR at a kiosk and by transfer from home with the standing code (the <c>top_ups</c> rows, as much as
/// was credited), and the closing refund. The month is Vietnam's (<see cref="LocalDay"/>). At most
/// <see cref="MaxMovements"/> rows, the latest, so a page stays small whatever the account did.
/// </summary>
internal static class AccountStatements
{
    /// <summary>The most movements a month's statement shows.</summary>
    public const int MaxMovements = 200;

    /// <summary>The account a statement is of.</summary>
    public sealed record AccountRow
    {
        public required string Code { get; init; }

        public required string InstitutionId { get; init; }

        public required string InstitutionName { get; init; }

        public required string FullName { get; init; }

        public required string Kind { get; init; }

        public long Balance { get; init; }

        public string? ClosedAt { get; init; }
    }

    /// <summary>One movement: signed đồng (positive credits), where (a terminal, 'home' for a bank transfer, 'office').</summary>
    public sealed record MovementRow
    {
        public required string At { get; init; }

        public required string Kind { get; init; }

        public long Amount { get; init; }

        public required string Reference { get; init; }

        public string? Place { get; init; }
    }

    /// <summary>
    /// One account's movements of a period (<c>$a</c>, <c>$from</c> to <c>$to</c>, at most <c>$n</c>, the latest): its
    /// card payments, the voids and refunds back to its card, its deposits, its top-ups and its closure's refund. Every
    /// part is read through an index of the account (<c>payments_account</c>, migration 0039, for the payments), never by
    /// scanning what the province holds (<c>AccountStatementPlanTests</c>).
    /// </summary>
    internal const string MovementsSql =
    """
    SELECT at, kind, amount, reference, place FROM (
        SELECT p.created_at AS at, 'payment' AS kind, -p.amount AS amount, p.id AS reference, p.terminal_id AS place
        FROM payments p WHERE p.account_code = $a AND p.method = 'card_balance' AND p.created_at >= $from AND p.created_at < $to
        UNION ALL
        SELECT r.created_at, r.kind, r.amount, r.payment_id, r.terminal_id
        FROM reversals r JOIN payments p ON p.id = r.payment_id
        WHERE p.account_code = $a AND r.destination = 'card_balance' AND r.created_at >= $from AND r.created_at < $to
        UNION ALL
        SELECT p.created_at, 'deposit', CAST(SUM(pa.amount) AS BIGINT), p.id, p.terminal_id
        FROM payments p JOIN payment_allocations pa ON pa.payment_id = p.id JOIN bills b ON b.id = pa.bill_id
        WHERE p.account_code = $a AND b.category = 'tam_ung' AND p.state = 'completed' AND p.created_at >= $from AND p.created_at < $to
        GROUP BY p.id, p.created_at, p.terminal_id
        UNION ALL
        SELECT t.credited_at, CASE WHEN t.source = 'home' THEN 'top_up_home' ELSE 'top_up' END, t.amount,
               COALESCE(t.payment_id, 'CK-' || CAST(t.transfer_id AS TEXT)), CASE WHEN t.source = 'home' THEN 'home' ELSE p.terminal_id END
        FROM top_ups t LEFT JOIN payments p ON p.id = t.payment_id
        WHERE t.account_code = $a AND t.credited_at >= $from AND t.credited_at < $to
        UNION ALL
        SELECT c.closed_at, 'closure', -c.refunded, c.bank_reference, 'office'
        FROM account_closures c WHERE c.account_code = $a AND c.refunded > 0 AND c.closed_at >= $from AND c.closed_at < $to
    ) m
    ORDER BY at DESC, reference DESC LIMIT $n
    """;

    /// <summary>The account <paramref name="code"/>, or null.</summary>
    public static async Task<AccountRow?> AccountAsync(ProvinceDatabase database, string code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ReadFirstAsync<AccountRow>(
            """
            SELECT a.code, a.institution_id, i.name AS institution_name, a.full_name, a.kind, a.balance, a.closed_at
            FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.code = $c
            """,
            null, cancellationToken, ("$c", code)).ConfigureAwait(false);
    }

    /// <summary>The movements of <paramref name="code"/> in local month <paramref name="month"/> (yyyy-MM), oldest first; at most <paramref name="limit"/>, the latest.</summary>
    public static async Task<IReadOnlyList<MovementRow>> MovementsAsync(ProvinceDatabase database, string code, string month, int limit, CancellationToken cancellationToken)
    {
        var first = DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<MovementRow>(
            MovementsSql,
            null, cancellationToken, ("$a", code), ("$from", LocalDay.StartUtc(first)), ("$to", LocalDay.StartUtc(first.AddMonths(1))), ("$n", limit)).ConfigureAwait(false);
        rows.Reverse();
        return rows;
    }
}
