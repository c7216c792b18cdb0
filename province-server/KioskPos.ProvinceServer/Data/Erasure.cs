using System.Data.Common;
using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The marks a payer's erasure (Law 91/2025/QH15, <see cref="PayerData.EraseAsync"/>) leaves, shared by the erasure and
/// by the bank ledger, which stores what arrives after it for the same payer (a webhook, the pull, a statement line)
/// erased the same way. The account's pseudonym is the erasure's record: nothing writes a name over it again, so a
/// payer whose name starts with <see cref="PseudonymPrefix"/> is erased for good. A bank's text of an erased payer
/// keeps the transfer code that matched it (what the matching and the duplicate checks still read) and the marker.
/// </summary>
internal static class Erasure
{
    /// <summary>How an erased payer's name starts.</summary>
    public const string PseudonymPrefix = "Đã xoá ";

    /// <summary>What a logged webhook body of an erased payer becomes.</summary>
    public const string DeliveryBody = "{\"erased\":true}";

    /// <summary>What ends a bank's text an erasure blanked.</summary>
    public const string Marker = "[đã xoá / erased]";

    /// <summary>True for a payer's name an erasure replaced.</summary>
    public static bool IsPseudonym(string name) => name.StartsWith(PseudonymPrefix, StringComparison.Ordinal);

    /// <summary>True for a bank's text an erasure blanked (what stays of it is the transfer code).</summary>
    public static bool IsErased(string text) => text.EndsWith(Marker, StringComparison.Ordinal);

    /// <summary>A bank's text as an erasure leaves it: the transfer code that matched it, if any, and the marker.</summary>
    public static string Text(string? transferCode) => (transferCode ?? string.Empty) + " " + Marker;

    /// <summary>The code an erased text kept; null for a text not erased, or one that kept none.</summary>
    public static string? KeptCode(string text) =>
        IsErased(text) && text[..^Marker.Length].Trim() is { Length: > 0 } code ? code : null;

    /// <summary>
    /// Whether transfer <paramref name="transferId"/>, matched to <paramref name="paymentId"/> (or to none), is an erased
    /// payer's: the account of its payment, or the account its money topped up, has a pseudonym. Run for every transfer
    /// matched: each part is a look-up by key (payments' and accounts' primary keys, top_ups' unique transfer), never a
    /// pass over the accounts.
    /// </summary>
    public static async Task<bool> OfErasedPayerAsync(DbConnection connection, DbTransaction transaction, long transferId, string? paymentId, CancellationToken cancellationToken) =>
        Convert.ToInt64(await connection.ScalarAsync(
            """
            SELECT COUNT(*) FROM (
                SELECT account_code FROM payments WHERE id = $p
                UNION ALL
                SELECT account_code FROM top_ups WHERE transfer_id = $t) o
            JOIN accounts a ON a.code = o.account_code
            WHERE a.full_name LIKE $n
            """,
            transaction, cancellationToken, ("$p", paymentId ?? string.Empty), ("$t", transferId), ("$n", PseudonymPrefix + "%")).ConfigureAwait(false), CultureInfo.InvariantCulture) > 0;
}
