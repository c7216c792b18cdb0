using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// The canonical encoding of a journal entry: one <c>name=value</c> line per field in a fixed order, times as
/// Unix milliseconds, amounts as integers. Terminal and server both hash it, so that "the same entry" means the
/// same bytes whatever JSON formatting carried it.
/// </summary>
public static class EntryCanonicalForm
{
    /// <summary>The canonical bytes of <paramref name="entry"/> (UTF-8).</summary>
    public static byte[] Encode(JournalEntryDto entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = new StringBuilder(256);
        Field(text, "seq", entry.Sequence.ToString(CultureInfo.InvariantCulture));
        Field(text, "kind", entry.Kind);
        Field(text, "at", entry.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        if (entry.Payment is { } p)
        {
            Field(text, "payment.id", p.PaymentId);
            Field(text, "payment.account", p.AccountCode);
            Field(text, "payment.card", p.CardUid ?? string.Empty);
            Field(text, "payment.method", p.Method);
            Field(text, "payment.amount", p.Amount.ToString(CultureInfo.InvariantCulture));
            Field(text, "payment.operator", p.Operator ?? string.Empty);
            foreach (var a in p.Allocations)
            {
                Field(text, "payment.allocation", a.BillId + ":" + a.Amount.ToString(CultureInfo.InvariantCulture));
            }

            // Written only when set, so that entries from before the field existed keep their hashes.
            if (p.Offline)
            {
                Field(text, "payment.offline", "1");
            }

            if (p.ClientRequestId is { } key)
            {
                Field(text, "payment.request", key);
            }

            if (p.External is { } external)
            {
                Field(text, "payment.external.approval", external.ApprovalCode);
                Field(text, "payment.external.last4", external.Last4);
            }

            if (p.Purpose is { } purpose)
            {
                Field(text, "payment.purpose", purpose);
            }

            if (p.Qr is { } qr)
            {
                Field(text, "payment.qr.code", qr.TransferCode);
                Field(text, "payment.qr.payload", qr.Payload);
                Field(text, "payment.qr.expires", qr.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            }
        }

        if (entry.Receipt is { } r)
        {
            Field(text, "receipt.payment", r.PaymentId);
            Field(text, "receipt.outcome", r.Outcome);
            Field(text, "receipt.detail", r.Detail ?? string.Empty);
        }

        if (entry.Confirmation is { } c)
        {
            Field(text, "confirmation.payment", c.PaymentId);
            Field(text, "confirmation.id", c.ConfirmationId.ToString(CultureInfo.InvariantCulture));
            Field(text, "confirmation.outcome", c.Outcome);
            Field(text, "confirmation.amount", c.Amount.ToString(CultureInfo.InvariantCulture));
            Field(text, "confirmation.total", c.TotalReceived.ToString(CultureInfo.InvariantCulture));
            Field(text, "confirmation.remaining", c.Remaining.ToString(CultureInfo.InvariantCulture));
            Field(text, "confirmation.bank_txn", c.BankTransactionId);
            if (c.BalanceAfter is { } balance)
            {
                Field(text, "confirmation.balance_after", balance.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (entry.Expiry is { } x)
        {
            Field(text, "expiry.payment", x.PaymentId);
            Field(text, "expiry.reason", x.Reason);
        }

        if (entry.Reversal is { } v)
        {
            Field(text, "reversal.payment", v.PaymentId);
            Field(text, "reversal.amount", v.Amount.ToString(CultureInfo.InvariantCulture));
            foreach (var a in v.Allocations)
            {
                Field(text, "reversal.allocation", a.BillId + ":" + a.Amount.ToString(CultureInfo.InvariantCulture));
            }

            Field(text, "reversal.destination", v.Destination);
            Field(text, "reversal.bank_reference", v.BankReference ?? string.Empty);
            Field(text, "reversal.reason", v.Reason);
            Field(text, "reversal.operator", v.Operator);
            Field(text, "reversal.supervisor", v.Supervisor);
        }

        if (entry.Shift is { } s)
        {
            Field(text, "shift.number", s.Number.ToString(CultureInfo.InvariantCulture));
            Field(text, "shift.first", s.FirstSequence.ToString(CultureInfo.InvariantCulture));
            Field(text, "shift.last", s.LastSequence.ToString(CultureInfo.InvariantCulture));
            Field(text, "shift.operator", s.Operator);
            foreach (var m in s.ByMethod)
            {
                Field(text, "shift.method", $"{m.Method}:{m.Count.ToString(CultureInfo.InvariantCulture)}:{m.Amount.ToString(CultureInfo.InvariantCulture)}");
            }

            Field(text, "shift.voids", $"{s.Voids.ToString(CultureInfo.InvariantCulture)}:{s.Voided.ToString(CultureInfo.InvariantCulture)}");
            Field(text, "shift.refunds", $"{s.Refunds.ToString(CultureInfo.InvariantCulture)}:{s.Refunded.ToString(CultureInfo.InvariantCulture)}");
            Field(text, "shift.net", s.Net.ToString(CultureInfo.InvariantCulture));

            // Only when there were any, so the shifts closed before top-ups were counted keep their hashes.
            if (s.TopUps != 0 || s.ToppedUp != 0)
            {
                Field(text, "shift.top_ups", $"{s.TopUps.ToString(CultureInfo.InvariantCulture)}:{s.ToppedUp.ToString(CultureInfo.InvariantCulture)}");
            }

            // Likewise only when any went back by transfer (counted apart since THỰC THU became the money taken in).
            if (s.RefundedByTransfer != 0)
            {
                Field(text, "shift.refunded_by_transfer", s.RefundedByTransfer.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (entry.Card is { } card)
        {
            Field(text, "card.action", card.Action);
            Field(text, "card.account", card.AccountCode);
            Field(text, "card.uid", card.CardUid);
            Field(text, "card.replaced", card.ReplacedUid ?? string.Empty);
            Field(text, "card.operator", card.Operator);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The previous hash of a terminal's first entry.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>
    /// The journal's chain link: SHA-256 over the previous entry's hash (32 bytes) and this entry's canonical
    /// encoding, lower-case hex. Editing, deleting or reordering any entry changes every hash after it.
    /// </summary>
    public static string ChainHash(string prevHash, JournalEntryDto entry)
    {
        var canonical = Encode(entry);
        var buffer = new byte[32 + canonical.Length];
        Convert.FromHexString(prevHash).CopyTo(buffer, 0);
        canonical.CopyTo(buffer, 32);
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }

    /// <summary>SHA-256 of the canonical bytes, lower-case hex.</summary>
    public static string Digest(JournalEntryDto entry) => Convert.ToHexStringLower(SHA256.HashData(Encode(entry)));

    private static void Field(StringBuilder text, string name, string value)
    {
        // Values never hold a line break in canonical form: escape the two characters that could forge a field.
        text.Append(name).Append('=').Append(value.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
    }
}
