using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// Which account a transfer was paid to, when the provider names a virtual account beside the bank's main account.
/// SePay requires a virtual account (VA) at BIDV, MSB, KienlongBank and OCB and carries it in <c>subAccount</c>, the
/// main account staying in <c>accountNumber</c> (developer.sepay.vn/en/sepay-webhooks/tai-khoan-ngan-hang); Casso's
/// webhook v2 carries it in <c>virtualAccountNumber</c>. The payer transferred to the VA, so the VA is what the
/// institution's VietQR carries and what the matching engine compares; but SePay's memo VA ("TKP") arrives in the
/// same field and is a code in the text of a transfer to the main account, no account at all. So neither replaces the
/// other: the transfer is the connection's when either is the connection's account, and it is recorded on whichever
/// is an institution's receiving account (the one a QR carried), else on the one the connection names.
/// </summary>
internal static class ReceivingAccounts
{
    /// <summary>The account to record <paramref name="transfer"/> on, and whether the connection does not receive on it.</summary>
    public static async Task<(string Account, bool Unknown)> ResolveAsync(IncomingTransfer transfer, BankConnection connection, BankLedger ledger, CancellationToken cancellationToken)
    {
        string[] named = transfer.SubAccount is { Length: > 0 } sub && sub != transfer.AccountNumber ? [sub, transfer.AccountNumber] : [transfer.AccountNumber];
        var known = connection.AccountNumber.Length == 0 || named.Contains(connection.AccountNumber, StringComparer.Ordinal);
        if (named.Length == 1 || !known)
        {
            return (transfer.AccountNumber, !known);
        }

        foreach (var account in named)
        {
            if (account.Length is > 0 and <= 19 && await ledger.IsReceivingAccountAsync(account, connection.InstitutionId, cancellationToken).ConfigureAwait(false))
            {
                return (account, false);
            }
        }

        return (connection.AccountNumber.Length > 0 ? connection.AccountNumber : transfer.AccountNumber, false);
    }
}
