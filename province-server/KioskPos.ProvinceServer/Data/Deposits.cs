using System.Data.Common;
using System.Globalization;
using KioskPos.Core.Domain;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Hospital deposits (tạm ứng): money paid towards a bill that is held on the payer's account.</summary>
internal static class Deposits
{
    /// <summary>
    /// A deposit (tạm ứng) paid is held on the payer's account, where the final bill is paid from at discharge (and
    /// what is left refunded); <paramref name="amount"/> is negative when a deposit is given back. Nothing for other bills.
    /// </summary>
    /// <returns>The account's balance and version after, or null when the bill is not a deposit.</returns>
    internal static async Task<(long Balance, long Version)?> HoldAsync(DbConnection connection, DbTransaction transaction, string billId, string accountCode, long amount, CancellationToken cancellationToken)
    {
        if (amount == 0 || await connection.ScalarAsync("SELECT category FROM bills WHERE id = $b AND account_code = $c", transaction, cancellationToken, ("$b", billId), ("$c", accountCode)).ConfigureAwait(false) as string != BillCategory.Deposit.WireName())
        {
            return null;
        }

        var version = await ChangeVersions.NextForAccountAsync(connection, transaction, accountCode, cancellationToken).ConfigureAwait(false);
        var balance = Convert.ToInt64(await connection.ScalarAsync(
            "UPDATE accounts SET balance = balance + $a, version = $v WHERE code = $c RETURNING balance",
            transaction, cancellationToken, ("$a", amount), ("$v", version), ("$c", accountCode)).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return (balance, version);
    }
}
