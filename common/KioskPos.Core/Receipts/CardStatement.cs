using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Receipts;

/// <summary>
/// The kinds of a card account's movements, as statements name them. A kind this list does not name (one added later)
/// still shows, as a credit or a debit by its sign.
/// </summary>
public static class MovementKinds
{
    /// <summary>A payment from the balance (a debit).</summary>
    public const string Payment = "payment";

    /// <summary>A card payment voided in its shift: the money back on the balance.</summary>
    public const string Void = "void";

    /// <summary>A refund to the balance.</summary>
    public const string Refund = "refund";

    /// <summary>A deposit (tạm ứng) paid at a hospital counter, held on the account.</summary>
    public const string Deposit = "deposit";

    /// <summary>Money put on the card by VietQR at a kiosk (nạp tiền vào thẻ), as the bank credited it.</summary>
    public const string TopUp = "top_up";

    /// <summary>Money put on the card by a transfer from home naming the account's standing code (the province's statement).</summary>
    public const string TopUpHome = "top_up_home";

    /// <summary>The account closed: its remainder refunded by bank transfer (a debit to zero).</summary>
    public const string Closure = "closure";

    /// <summary>The label for people, Vietnamese (the paper) or English, of <paramref name="kind"/> moving <paramref name="amount"/>.</summary>
    public static string Label(string kind, Vnd amount, Language language) => Messages.Format(kind switch
    {
        Payment => "receipt.statement.kind.payment",
        Void => "receipt.statement.kind.void",
        Refund => "receipt.statement.kind.refund",
        Deposit => "receipt.statement.kind.deposit",
        Closure => "receipt.statement.kind.closure",
        TopUp => "receipt.statement.kind.top_up",
        TopUpHome => "receipt.statement.kind.top_up_home",
        _ => amount.IsPositive ? "receipt.statement.kind.credit" : "receipt.statement.kind.debit",
    }, language);
}

/// <summary>One movement of a card account's balance.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">One of <see cref="MovementKinds"/>, or another kind (shown as a credit or a debit).</param>
/// <param name="Amount">Signed: positive credits the balance, negative debits it.</param>
/// <param name="Reference">The payment or entry it comes from.</param>
public sealed record StatementMovement(DateTimeOffset At, string Kind, Vnd Amount, string Reference);

/// <summary>A card's statement as the paper shows it: the holder masked as on receipts, the last movements, the balance.</summary>
/// <param name="Institution">Whose account it is.</param>
/// <param name="TerminalId">Where it is printed.</param>
/// <param name="At">When (local time).</param>
/// <param name="PayerCode">The account.</param>
/// <param name="MaskedName">The holder, masked (<see cref="PersonalData.MaskName"/>).</param>
/// <param name="MaskedCard">The card tapped, masked (<see cref="PersonalData.MaskCardUid"/>).</param>
/// <param name="Balance">The balance now.</param>
/// <param name="Movements">The movements, oldest first, times local.</param>
/// <param name="LookupUrl">The province's page of the month's full statement (a signed, expiring link), printed as a QR; null when unknown.</param>
/// <param name="StandingCode">The account's standing transfer code for a top-up from home; null when not shown.</param>
public sealed record CardStatement(Institution Institution, string TerminalId, DateTimeOffset At, string PayerCode, string MaskedName, string MaskedCard, Vnd Balance,
    IReadOnlyList<StatementMovement> Movements, string? LookupUrl, string? StandingCode = null);

/// <summary>The statement's paper layout, in the receipts' style.</summary>
public static class StatementLayout
{
    /// <summary>The statement slip: header, holder, one line per movement (signed amount), the balance, the standing code, the scope, the month's link.</summary>
    public static PrintDocument Statement(CardStatement statement)
    {
        var reference = $"sao-ke-{statement.PayerCode}-{statement.At.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        var doc = new PrintDocumentBuilder(L("title") + " " + statement.PayerCode, reference);
        doc.Centre(statement.Institution.Name.ToUpperInvariant(), bold: true)
            .Centre(L("title"), bold: true, large: true)
            .Rule()
            .Pair(Messages.Vi("receipt.at"), statement.At.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture))
            .Pair(Messages.Vi("receipt.terminal"), statement.TerminalId)
            .Pair(L("payer"), statement.PayerCode)
            .Text(statement.MaskedName, bold: true)
            .Pair(L("card"), statement.MaskedCard)
            .Rule();
        if (statement.Movements.Count == 0)
        {
            doc.Text(L("none"));
        }

        foreach (var m in statement.Movements)
        {
            var signed = m.Amount.IsPositive ? "+" + m.Amount : m.Amount.ToString();
            doc.Pair($"{m.At.ToString("dd/MM HH:mm", CultureInfo.InvariantCulture)} {MovementKinds.Label(m.Kind, m.Amount, Language.Vi)}", signed);
        }

        doc.Rule()
            .Pair(L("balance"), statement.Balance.ToString(), bold: true);
        if (statement.StandingCode is { } code)
        {
            doc.Text(L("standing")).Centre(code, bold: true);
        }

        doc.Text(L("scope"));
        if (statement.LookupUrl is { } url)
        {
            doc.Qr(url, L("lookup"));
        }

        return doc.Build();
    }

    private static string L(string key) => Messages.Vi("receipt.statement." + key);
}
