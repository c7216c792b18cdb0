using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Receipts;

/// <summary>An account closed at the counter, as its slip shows it: the payer signs for the refund, the institution keeps a copy.</summary>
/// <param name="Institution">Whose account it was.</param>
/// <param name="TerminalId">Where it was closed.</param>
/// <param name="At">When the province closed it (local time).</param>
/// <param name="AccountCode">The account.</param>
/// <param name="MaskedName">The holder, masked as on receipts (<see cref="PersonalData.MaskName"/>).</param>
/// <param name="Refunded">The remainder refunded by bank transfer.</param>
/// <param name="BankReference">The transfer's reference.</param>
/// <param name="MaskedCards">The account's cards, closed, masked (<see cref="PersonalData.MaskCardUid"/>).</param>
/// <param name="Reason">Why, when given.</param>
/// <param name="ClosedBy">The supervisor who closed it (name and id).</param>
public sealed record AccountClosureSlip(Institution Institution, string TerminalId, DateTimeOffset At, string AccountCode, string MaskedName, Vnd Refunded,
    string BankReference, IReadOnlyList<string> MaskedCards, string? Reason, string ClosedBy);

/// <summary>The closing slip's paper layout, in the receipts' style: two copies, one for the payer and one kept.</summary>
public static class AccountClosureLayout
{
    /// <summary>The slip: header, the account and holder, the refund and its transfer, the cards closed, who and why, signatures; twice (liên 1, liên 2).</summary>
    public static PrintDocument Slip(AccountClosureSlip slip)
    {
        var reference = $"tat-toan-{slip.AccountCode}-{slip.At.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        var doc = new PrintDocumentBuilder(L("title") + " " + slip.AccountCode, reference);
        foreach (var copy in new[] { "copy.payer", "copy.kept" })
        {
            doc.Centre(slip.Institution.Name.ToUpperInvariant(), bold: true)
                .Centre(L("title"), bold: true, large: true)
                .Centre(L(copy))
                .Rule()
                .Pair(Messages.Vi("receipt.at"), slip.At.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture))
                .Pair(Messages.Vi("receipt.terminal"), slip.TerminalId)
                .Pair(Messages.Vi("receipt.statement.payer"), slip.AccountCode)
                .Text(slip.MaskedName, bold: true)
                .Rule()
                .Pair(L("refunded"), slip.Refunded.ToString(), bold: true)
                .Pair(L("method"), L("transfer"))
                .Pair(L("reference"), slip.BankReference)
                .Pair(L("cards"), slip.MaskedCards.Count == 0 ? L("noCards") : string.Join(", ", slip.MaskedCards));
            if (!string.IsNullOrWhiteSpace(slip.Reason))
            {
                doc.Pair(L("reason"), slip.Reason);
            }

            doc.Pair(L("by"), slip.ClosedBy)
                .Rule()
                .Text(L("after"))
                .Feed()
                .Pair(L("sign.payer"), L("sign.staff"))
                .Feed(3)
                .Rule();
        }

        return doc.Build();
    }

    private static string L(string key) => Messages.Vi("receipt.closure." + key);
}
