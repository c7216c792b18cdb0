using System.Data.Common;
using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.VietQr;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Where a top-up's money came from.</summary>
internal enum TopUpSource
{
    /// <summary>A kiosk's VietQR top-up (a payment without bills).</summary>
    Kiosk,

    /// <summary>A transfer from home naming the account's standing code.</summary>
    Home,
}

/// <summary>
/// Money put on an account's balance (nạp tiền vào thẻ), inside the matching transaction of the bank transfer that
/// brought it: the balance moves, one <c>top_ups</c> row records it (one per transfer: the table's UNIQUE
/// <c>transfer_id</c> makes a second credit of the same money impossible), and what the credit brought above the
/// province's limits for the institution's type is recorded as due for refund. Over the limits the money is still
/// credited: it is the payer's, and a person gives the excess back from the worklist.
/// </summary>
internal static class TopUps
{
    /// <summary>A credit made: the balance after it and what of it is due back (above the limits).</summary>
    public sealed record Credit(long BalanceAfter, long RefundDue);

    /// <summary>The wire name of a source as stored.</summary>
    public static string WireName(this TopUpSource source) => source == TopUpSource.Kiosk ? "kiosk" : "home";

    /// <summary>The limits of <paramref name="institutionType"/> (the type's defaults when the province set none).</summary>
    public static async Task<TopUpLimits> LimitsAsync(DbConnection connection, DbTransaction? transaction, string institutionType, CancellationToken cancellationToken)
    {
        var row = await connection.ReadFirstAsync<LimitsRow>("SELECT max_balance, max_per_day FROM top_up_limits WHERE institution_type = $t", transaction, cancellationToken,
            ("$t", institutionType)).ConfigureAwait(false);
        if (row is not null)
        {
            return new TopUpLimits(new Vnd(row.MaxBalance), new Vnd(row.MaxPerDay));
        }

        return TopUpLimits.DefaultFor(InstitutionTypes.TryParseWireName(institutionType, out var type) ? type : InstitutionType.Primary);
    }

    /// <summary>Credits <paramref name="amount"/> of transfer <paramref name="transferId"/> to <paramref name="accountCode"/>'s balance, once.</summary>
    public static async Task<Credit> CreditAsync(DbConnection connection, DbTransaction transaction, long transferId, string accountCode, long amount, TopUpSource source, string? paymentId,
        string now, CancellationToken cancellationToken)
    {
        var account = (await connection.ReadFirstAsync<AccountRow>(
            "SELECT a.balance, a.institution_id, i.type AS institution_type FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.code = $c",
            transaction, cancellationToken, ("$c", accountCode)).ConfigureAwait(false))!;
        var limits = await LimitsAsync(connection, transaction, account.InstitutionType, cancellationToken).ConfigureAwait(false);

        // The province's day (Vietnam's), by when the money is credited.
        var day = DateOnly.FromDateTime(DateTimeOffset.Parse(now, CultureInfo.InvariantCulture).ToOffset(LocalDay.Offset).DateTime);
        var today = Convert.ToInt64(await connection.ScalarAsync("SELECT COALESCE(SUM(amount), 0) FROM top_ups WHERE account_code = $c AND credited_at >= $d",
            transaction, cancellationToken, ("$c", accountCode), ("$d", LocalDay.StartUtc(day))).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var excess = limits.Excess(new Vnd(amount), new Vnd(account.Balance), new Vnd(today)).Value;

        var version = await ChangeVersions.NextForAccountAsync(connection, transaction, accountCode, cancellationToken).ConfigureAwait(false);
        var balance = Convert.ToInt64(await connection.ScalarAsync(
            "UPDATE accounts SET balance = balance + $a, version = $v WHERE code = $c RETURNING balance",
            transaction, cancellationToken, ("$a", amount), ("$v", version), ("$c", accountCode)).ConfigureAwait(false), CultureInfo.InvariantCulture);
        await connection.ExecuteAsync(
            """
            INSERT INTO top_ups (transfer_id, account_code, institution_id, source, payment_id, amount, balance_after, refund_due, credited_at)
            VALUES ($t, $c, $i, $s, $p, $a, $b, $r, $now)
            """,
            transaction, cancellationToken, ("$t", transferId), ("$c", accountCode), ("$i", account.InstitutionId), ("$s", source.WireName()), ("$p", paymentId),
            ("$a", amount), ("$b", balance), ("$r", excess), ("$now", now)).ConfigureAwait(false);
        return new Credit(balance, excess);
    }

    /// <summary>
    /// The accounts, among those of the institutions whose receiving account is <paramref name="bankAccount"/>, whose
    /// standing code is <paramref name="code"/>: one, none, or (a shared code) more. Accounts whose code was never
    /// worked out are given theirs first, so every importer's accounts take part.
    /// </summary>
    public static async Task<IReadOnlyList<string>> FindByStandingCodeAsync(DbConnection connection, DbTransaction transaction, string bankAccount, StandingTransferCode code, CancellationToken cancellationToken)
    {
        var missing = await connection.ReadAllAsync<CodeRow>(
            "SELECT a.code FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.bank_account = $b AND a.top_up_code IS NULL",
            transaction, cancellationToken, ("$b", bankAccount)).ConfigureAwait(false);
        foreach (var account in missing)
        {
            await connection.ExecuteAsync("UPDATE accounts SET top_up_code = $t WHERE code = $c", transaction, cancellationToken,
                ("$t", StandingTransferCode.For(account.Code).Value), ("$c", account.Code)).ConfigureAwait(false);
        }

        var found = await connection.ReadAllAsync<CodeRow>(
            "SELECT a.code FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.bank_account = $b AND a.top_up_code = $t ORDER BY a.code",
            transaction, cancellationToken, ("$b", bankAccount), ("$t", code.Value)).ConfigureAwait(false);
        return found.Select(f => f.Code).ToList();
    }

    private sealed record LimitsRow
    {
        public long MaxBalance { get; init; }

        public long MaxPerDay { get; init; }
    }

    private sealed record AccountRow
    {
        public long Balance { get; init; }

        public required string InstitutionId { get; init; }

        public required string InstitutionType { get; init; }
    }

    private sealed record CodeRow
    {
        public required string Code { get; init; }
    }
}
