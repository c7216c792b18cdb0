using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// Applies a bank transfer to the VietQR payment its text names, inside the caller's transaction: the bills are
/// credited in the payment's allocation order (the terminal derives the same split), the payment's state moves,
/// and a confirmation is queued for the terminal. Every real outcome is a fact to record, never an error: exact,
/// underpaid, overpaid, paid twice, late, held until the terminal's entry arrives, unmatched.
/// </summary>
internal static class TransferMatching
{
    /// <summary>What became of one transfer.</summary>
    public sealed record Outcome(string Name, string? PaymentId, string? TerminalId, string? TransferCode, IReadOnlyList<string> Flags, long RefundDue)
    {
        /// <summary>The transfer is a payer's whose data was erased before it was matched: it is stored erased (<see cref="Erasure"/>).</summary>
        public bool PayerErased { get; init; }
    }

    /// <summary>Matches transfer <paramref name="transferId"/> and records the outcome on its row.</summary>
    public static async Task<Outcome> MatchAsync(DbConnection connection, DbTransaction transaction, long transferId, string now, CancellationToken cancellationToken)
    {
        var row = (await connection.ReadFirstAsync<TransferRow>(
            "SELECT description, account_number, amount, transaction_time, bank_txn_id FROM bank_transfers WHERE id = $id", transaction, cancellationToken, ("$id", transferId)).ConfigureAwait(false))!;
        var transfer = new Transfer(transferId, row.BankTxnId, row.Description, row.AccountNumber, row.Amount,
            DateTimeOffset.Parse(row.TransactionTime, CultureInfo.InvariantCulture));

        var (description, amount) = (transfer.Description, transfer.Amount);
        var outcome = await DecideAsync(connection, transaction, transfer, now, cancellationToken).ConfigureAwait(false);

        // A transfer of a payer erased before it arrived (or before the payment it waited for did) names them again: it
        // is stored as the erasure left their others, the text its transfer code only and the delivery's body gone, and
        // so is the alert below. Only a transfer with a payer can be one: the others name nobody the ledger knows.
        var erased = (outcome.PaymentId is not null || outcome.Name == TransferOutcomes.ToppedUp)
            && await Erasure.OfErasedPayerAsync(connection, transaction, transferId, outcome.PaymentId, cancellationToken).ConfigureAwait(false);
        if (erased)
        {
            description = Erasure.Text(outcome.TransferCode);
            await connection.ExecuteAsync(
                "UPDATE bank_deliveries SET body = $e WHERE body <> $e AND id = (SELECT delivery_id FROM bank_transfers WHERE id = $id)",
                transaction, cancellationToken, ("$e", Erasure.DeliveryBody), ("$id", transferId)).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(
            """
            UPDATE bank_transfers SET outcome = $o, payment_id = $p, transfer_code = $c, flags = $f, refund_due = $r, description = $d,
                resolved_at = CASE WHEN $o IN ('held', 'unmatched') THEN NULL ELSE $now END
            WHERE id = $id
            """,
            transaction, cancellationToken, ("$o", outcome.Name), ("$p", outcome.PaymentId), ("$c", outcome.TransferCode), ("$f", string.Join(' ', outcome.Flags)),
            ("$r", outcome.RefundDue), ("$d", description), ("$now", now), ("$id", transferId)).ConfigureAwait(false);
        if (outcome.Flags.Count > 0 || outcome.Name is TransferOutcomes.Unmatched)
        {
            await connection.ExecuteAsync(
                "INSERT INTO alerts (at, terminal_id, kind, detail) VALUES ($a, $t, 'transfer_flagged', $d)",
                transaction, cancellationToken, ("$a", now), ("$t", outcome.TerminalId),
                ("$d", $"bank transfer {transferId} ({amount} VND, '{description}'): {outcome.Name} {string.Join(' ', outcome.Flags)}".TrimEnd())).ConfigureAwait(false);
        }

        return outcome with { PayerErased = erased };
    }

    /// <summary>Keeps transfer <paramref name="transferId"/> unmatched with <paramref name="flag"/> for a person to review: it pays nothing.</summary>
    public static async Task<BankNotificationResult> SetAsideAsync(DbConnection connection, DbTransaction transaction, long transferId, string flag, string now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("UPDATE bank_transfers SET outcome = $o, flags = $f, refund_due = amount WHERE id = $id", transaction, cancellationToken,
            ("$o", TransferOutcomes.Unmatched), ("$f", flag), ("$id", transferId)).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO alerts (at, terminal_id, kind, detail) VALUES ($a, NULL, 'transfer_flagged', $d)", transaction, cancellationToken,
            ("$a", now), ("$d", $"bank transfer {transferId}: unmatched {flag}")).ConfigureAwait(false);
        return new BankNotificationResult("accepted", TransferOutcomes.Unmatched, null);
    }

    /// <summary>Matches the transfers held for <paramref name="transferCode"/> (they arrived before the terminal's entry); returns the terminals to wake.</summary>
    public static async Task<IReadOnlyList<string>> MatchHeldAsync(DbConnection connection, DbTransaction transaction, string transferCode, string now, CancellationToken cancellationToken)
    {
        var held = await connection.ReadAllAsync<HeldRow>(
            "SELECT id FROM bank_transfers WHERE outcome = 'held' AND transfer_code = $c ORDER BY id", transaction, cancellationToken, ("$c", transferCode)).ConfigureAwait(false);
        var woken = new List<string>();
        foreach (var id in held.Select(h => h.Id))
        {
            if ((await MatchAsync(connection, transaction, id, now, cancellationToken).ConfigureAwait(false)).TerminalId is { } terminal)
            {
                woken.Add(terminal);
            }
        }

        return woken;
    }

    private static async Task<Outcome> DecideAsync(DbConnection connection, DbTransaction transaction, Transfer transfer, string now, CancellationToken cancellationToken)
    {
        var found = TransferCode.FindSplitIn(transfer.Description);
        var codes = found.Select(f => f.Code).ToList();
        if (codes.Count == 0)
        {
            // No payment's code: a transfer from home naming an account's standing top-up code, or nothing known.
            return await TopUpFromHomeAsync(connection, transaction, transfer, now, cancellationToken).ConfigureAwait(false)
                ?? new Outcome(TransferOutcomes.Unmatched, null, null, null, ["no_code"], transfer.Amount);
        }

        // A text may hold more than one code-shaped run (a payer pasting two); the first that names a payment wins.
        TransferCode? heldFor = null;
        foreach (var code in codes)
        {
            var payment = await ReadPaymentAsync(connection, transaction, code.Value, cancellationToken).ConfigureAwait(false);
            if (payment is null)
            {
                var terminal = await connection.ScalarAsync("SELECT acked_through FROM terminals WHERE qr_tag = $t", transaction, cancellationToken, ("$t", code.TerminalTag)).ConfigureAwait(false);
                if (terminal is not null && Convert.ToInt64(terminal, CultureInfo.InvariantCulture) < code.Sequence)
                {
                    heldFor ??= code;
                }

                continue;
            }

            // The account the payer was shown is the one in the payment's QR: one shown before the institution changed
            // its account and paid after is the institution's money all the same.
            if (payment.BankAccount != transfer.Account && await QrAccountAsync(connection, transaction, payment.Id, cancellationToken).ConfigureAwait(false) != transfer.Account)
            {
                return new Outcome(TransferOutcomes.Unmatched, payment.Id, payment.TerminalId, code.Value, ["wrong_account"], transfer.Amount);
            }

            // A code read across a separator may be a cut code completed by the next word (one in 32 passes the
            // check): it pays only exactly what its payment owes; any other amount is for a person to review.
            if (found.Single(f => f.Code.Equals(code)).Split && transfer.Amount != payment.Amount - payment.Received)
            {
                return new Outcome(TransferOutcomes.Unmatched, payment.Id, payment.TerminalId, code.Value, ["split_code"], transfer.Amount);
            }

            return await ApplyAsync(connection, transaction, transfer, payment, code.Value, now, cancellationToken).ConfigureAwait(false);
        }

        if (heldFor is { } waiting)
        {
            return new Outcome(TransferOutcomes.Held, null, null, waiting.Value, [], 0);
        }

        return await TopUpFromHomeAsync(connection, transaction, transfer, now, cancellationToken).ConfigureAwait(false)
            ?? new Outcome(TransferOutcomes.Unmatched, null, null, codes[0].Value, ["unknown_code"], transfer.Amount);
    }

    /// <summary>
    /// A transfer whose text names an account's standing top-up code (<see cref="StandingTransferCode"/>) among the
    /// accounts of the institutions it was paid to: all of it goes on that account's balance (the excess over the
    /// limits flagged for refund). A standing code that names no account, or more than one, is kept for review; a
    /// text with no standing code gives null.
    /// </summary>
    private static async Task<Outcome?> TopUpFromHomeAsync(DbConnection connection, DbTransaction transaction, Transfer transfer, string now, CancellationToken cancellationToken)
    {
        var standing = StandingTransferCode.FindIn(transfer.Description);
        if (standing.Count == 0)
        {
            return null;
        }

        foreach (var code in standing)
        {
            var accounts = await TopUps.FindByStandingCodeAsync(connection, transaction, transfer.Account, code, cancellationToken).ConfigureAwait(false);
            if (accounts.Count > 1)
            {
                return new Outcome(TransferOutcomes.Unmatched, null, null, code.Value, ["ambiguous_code"], transfer.Amount);
            }

            if (accounts.Count == 1)
            {
                var credit = await TopUps.CreditAsync(connection, transaction, transfer.Id, accounts[0], transfer.Amount, TopUpSource.Home, null, now, cancellationToken).ConfigureAwait(false);
                return new Outcome(TransferOutcomes.ToppedUp, null, null, code.Value, credit.RefundDue > 0 ? ["over_limit", "refund_due"] : [], credit.RefundDue);
            }
        }

        return new Outcome(TransferOutcomes.Unmatched, null, null, standing[0].Value, ["unknown_code"], transfer.Amount);
    }

    private static async Task<Outcome> ApplyAsync(DbConnection connection, DbTransaction transaction, Transfer transfer, Payment payment, string code, string now, CancellationToken cancellationToken)
    {
        var amount = transfer.Amount;
        var flags = new List<string>();
        if (payment.State == "expired" || (payment.ExpiresAt is { } expires && transfer.BookedAt > expires))
        {
            flags.Add("late");
        }

        string outcome;
        long refund;
        long totalReceived;
        long? balanceAfter = null;
        if (payment.Received >= payment.Amount)
        {
            // Paid in full before: this money is not owed. All of it is to be refunded.
            outcome = TransferOutcomes.PaidTwice;
            refund = amount;
            totalReceived = payment.Received + amount;
            flags.Add("refund_due");
            await connection.ExecuteAsync("UPDATE payments SET received = $r WHERE id = $id", transaction, cancellationToken, ("$r", totalReceived), ("$id", payment.Id)).ConfigureAwait(false);
        }
        else
        {
            var due = payment.Amount - payment.Received;
            var credit = Math.Min(amount, due);
            totalReceived = payment.Received + amount;
            var topUp = payment.Purpose == PaymentPurpose.TopUp;
            var elsewhere = false;
            if (!topUp)
            {
                // What this payment still owes is not what its bills still owe: another payment may have paid them
                // meanwhile (its QR expired and the payer paid another way; an underpaid payment's remainder QR paid
                // the rest while its own code was used again). A bill is credited at most what it still owes; the
                // rest of this money is the payer's, flagged for refund, never credited twice.
                var credited = await CreditBillsAsync(connection, transaction, payment.Id, credit, cancellationToken).ConfigureAwait(false);
                if (credited < credit)
                {
                    elsewhere = true;
                    flags.Add("bills_paid_elsewhere");
                }

                credit = credited;
            }

            refund = amount - credit;

            // Nothing of it reached a bill: the bills were paid another way, so the payment is paid twice and its
            // state stays (as the terminal keeps it for paid_twice); otherwise the payment's own amount decides.
            outcome = elsewhere && credit == 0 ? TransferOutcomes.PaidTwice
                : totalReceived < payment.Amount ? TransferOutcomes.Underpaid : refund > 0 ? TransferOutcomes.Overpaid : TransferOutcomes.Paid;
            if (topUp)
            {
                // A top-up's money goes on the balance, up to what the QR asked; above the limits it is still
                // credited, and what passed them is due back.
                var credited = await TopUps.CreditAsync(connection, transaction, transfer.Id, payment.AccountCode, credit, TopUpSource.Kiosk, payment.Id, now, cancellationToken).ConfigureAwait(false);
                balanceAfter = credited.BalanceAfter;
                if (credited.RefundDue > 0)
                {
                    refund += credited.RefundDue;
                    flags.Add("over_limit");
                }
            }

            if (refund > 0)
            {
                flags.Add("refund_due");
            }

            // Short, it stays underpaid (a payment of bills is documented whole, once completed); a short top-up too, though what arrived is on the balance.
            await connection.ExecuteAsync(
                "UPDATE payments SET received = $r, state = CASE WHEN $twice = 1 THEN state ELSE $s END WHERE id = $id",
                transaction, cancellationToken, ("$r", totalReceived), ("$twice", outcome == TransferOutcomes.PaidTwice ? 1 : 0),
                ("$s", totalReceived < payment.Amount ? "underpaid" : "completed"), ("$id", payment.Id)).ConfigureAwait(false);
        }

        if (refund > 0)
        {
            var flag = outcome == TransferOutcomes.PaidTwice ? "paid_twice" : flags.Contains("bills_paid_elsewhere") ? "bills_paid_elsewhere"
                : outcome == TransferOutcomes.Overpaid ? "overpaid" : "over_limit";
            await connection.ExecuteAsync(
                "UPDATE payments SET flags = trim(flags || ' ' || $f) WHERE id = $id AND instr(flags, $f) = 0",
                transaction, cancellationToken, ("$f", flag), ("$id", payment.Id)).ConfigureAwait(false);
        }

        var id = Convert.ToInt64(await connection.ScalarAsync(
            "INSERT INTO confirmations (terminal_id, payment_id, transfer_id, body) VALUES ($t, $p, $x, '') RETURNING id",
            transaction, cancellationToken, ("$t", payment.TerminalId), ("$p", payment.Id), ("$x", transfer.Id)).ConfigureAwait(false), CultureInfo.InvariantCulture);
        // Still due: what the payment's amount lacks, but never more than its bills still owe through it. Bills paid
        // elsewhere meanwhile owe nothing, and a QR for "the rest" of them would only bring money to refund; 0 tells
        // the terminal there is nothing left to ask for (the outcome stays underpaid: the payment's own amount was not met).
        var remaining = Math.Max(0, payment.Amount - totalReceived);
        if (remaining > 0 && payment.Purpose != PaymentPurpose.TopUp)
        {
            remaining = Math.Min(remaining, await StillOwedAsync(connection, transaction, payment.Id, cancellationToken).ConfigureAwait(false));
        }

        var confirmation = new ConfirmationDto(id, payment.Id, code, outcome, amount, totalReceived, payment.Amount, remaining, transfer.BankTransactionId,
            DateTimeOffset.Parse(now, CultureInfo.InvariantCulture), flags, balanceAfter);
        await connection.ExecuteAsync("UPDATE confirmations SET body = $b WHERE id = $id", transaction, cancellationToken,
            ("$b", JsonSerializer.Serialize(confirmation, ContractsJsonContext.Default.ConfirmationDto)), ("$id", id)).ConfigureAwait(false);
        return new Outcome(outcome, payment.Id, payment.TerminalId, code, flags, refund);
    }

    /// <summary>
    /// What payment <paramref name="paymentId"/>'s bills still owe through it: each allocation's part not yet credited,
    /// at most what its bill still owes (<c>total - paid</c>; a bill the province does not hold is not capped), as
    /// <see cref="CreditBillsAsync"/> would credit it.
    /// </summary>
    public static async Task<long> StillOwedAsync(DbConnection connection, DbTransaction? transaction, string paymentId, CancellationToken cancellationToken) =>
        Convert.ToInt64(await connection.ScalarAsync(
            """
            SELECT COALESCE(SUM(CASE WHEN b.id IS NULL OR b.total - b.paid >= a.amount - a.credited THEN a.amount - a.credited
                                     WHEN b.total - b.paid > 0 THEN b.total - b.paid ELSE 0 END), 0)
            FROM payment_allocations a LEFT JOIN bills b ON b.id = a.bill_id WHERE a.payment_id = $p AND a.amount > a.credited
            """, transaction, cancellationToken, ("$p", paymentId)).ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>
    /// Credits up to <paramref name="credit"/> to the payment's bills in allocation order, each up to its allocation
    /// and to what the bill still owes (<c>total - paid</c>; a bill the province does not hold is not capped);
    /// returns what was credited.
    /// </summary>
    private static async Task<long> CreditBillsAsync(DbConnection connection, DbTransaction transaction, string paymentId, long credit, CancellationToken cancellationToken)
    {
        var allocations = await connection.ReadAllAsync<AllocationRow>(
            """
            SELECT a.bill_id, a.amount - a.credited AS open_amount, b.total - b.paid AS owed FROM payment_allocations a LEFT JOIN bills b ON b.id = a.bill_id
            WHERE a.payment_id = $p AND a.amount > a.credited ORDER BY a.rowid
            """, transaction, cancellationToken, ("$p", paymentId)).ConfigureAwait(false);
        var credited = 0L;
        foreach (var (bill, open, owed) in allocations.Select(a => (a.BillId, a.OpenAmount, a.Owed)))
        {
            var share = Math.Min(Math.Min(open, credit - credited), owed is { } o ? Math.Max(0, o) : long.MaxValue);
            if (share <= 0)
            {
                continue;
            }

            credited += share;
            await connection.ExecuteAsync("UPDATE payment_allocations SET credited = credited + $a WHERE payment_id = $p AND bill_id = $b",
                transaction, cancellationToken, ("$a", share), ("$p", paymentId), ("$b", bill)).ConfigureAwait(false);
            var version = await ChangeVersions.NextForBillAsync(connection, transaction, bill, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync("UPDATE bills SET paid = paid + $a, version = $v WHERE id = $b",
                transaction, cancellationToken, ("$a", share), ("$v", version), ("$b", bill)).ConfigureAwait(false);
            if (await connection.ScalarAsync("SELECT account_code FROM bills WHERE id = $b", transaction, cancellationToken, ("$b", bill)).ConfigureAwait(false) is string account)
            {
                await Deposits.HoldAsync(connection, transaction, bill, account, share, cancellationToken).ConfigureAwait(false);
            }
        }

        return credited;
    }

    private sealed record Transfer(long Id, string BankTransactionId, string Description, string Account, long Amount, DateTimeOffset BookedAt);

    private sealed record Payment(string Id, string TerminalId, long Amount, long Received, string State, DateTimeOffset? ExpiresAt, string? BankAccount, string AccountCode, PaymentPurpose Purpose);

    private static async Task<Payment?> ReadPaymentAsync(DbConnection connection, DbTransaction transaction, string code, CancellationToken cancellationToken)
    {
        var row = await connection.ReadFirstAsync<PaymentRow>(
            """
            SELECT p.id, p.terminal_id, p.amount, p.received, p.state, p.expires_at, i.bank_account, p.account_code, p.purpose
            FROM payments p JOIN institutions i ON i.id = p.institution_id WHERE p.transfer_code = $c
            """,
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        return row is null ? null : new Payment(row.Id, row.TerminalId, row.Amount, row.Received, row.State,
            row.ExpiresAt is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture) : null, row.BankAccount, row.AccountCode,
            PaymentWireNames.TryParsePurpose(row.Purpose, out var purpose) ? purpose : throw new FormatException($"'{row.Purpose}' is not a payment purpose."));
    }

    /// <summary>The account number in the QR of payment <paramref name="paymentId"/>, as its journal entry carries it; null when it has none readable.</summary>
    private static async Task<string?> QrAccountAsync(DbConnection connection, DbTransaction transaction, string paymentId, CancellationToken cancellationToken)
    {
        var body = await connection.ScalarAsync(
            "SELECT j.body FROM payments p JOIN journal_entries j ON j.terminal_id = p.terminal_id AND j.sequence = p.sequence WHERE p.id = $p",
            transaction, cancellationToken, ("$p", paymentId)).ConfigureAwait(false) as string;
        var qr = body is null ? null : JsonSerializer.Deserialize(body, ContractsJsonContext.Default.JournalEntryDto)?.Payment?.Qr;
        return qr is not null && VietQrParser.TryParse(qr.Payload, out var parsed, out _) ? parsed.AccountNumber : null;
    }

    private sealed record TransferRow
    {
        public required string Description { get; init; }

        public required string AccountNumber { get; init; }

        public long Amount { get; init; }

        public required string TransactionTime { get; init; }

        public required string BankTxnId { get; init; }
    }

    private sealed record HeldRow
    {
        public long Id { get; init; }
    }

    /// <summary>What of a bill's allocation the bank has yet to pay.</summary>
    private sealed record AllocationRow
    {
        public required string BillId { get; init; }

        public long OpenAmount { get; init; }

        /// <summary>What the bill still owes (<c>total - paid</c>); null for a bill the province does not hold.</summary>
        public long? Owed { get; init; }
    }

    private sealed record PaymentRow
    {
        public required string Id { get; init; }

        public required string TerminalId { get; init; }

        public long Amount { get; init; }

        public long Received { get; init; }

        public required string State { get; init; }

        public string? ExpiresAt { get; init; }

        public string? BankAccount { get; init; }

        public required string AccountCode { get; init; }

        public required string Purpose { get; init; }
    }
}
