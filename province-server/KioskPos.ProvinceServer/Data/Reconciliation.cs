using System.Data.Common;
using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.ProvinceServer.Data;

/// <summary>One institution's day: what fell due, what its terminals took by method, what its bank account received.</summary>
/// <param name="InstitutionId">The institution.</param>
/// <param name="Day">The local day (yyyy-MM-dd).</param>
/// <param name="Due">What fell due that day, whole đồng.</param>
/// <param name="CardBalance">What its terminals took from card balances.</param>
/// <param name="VietQr">What they took by VietQR for bills (as far as the bank confirmed it; top-ups are <paramref name="TopUps"/>).</param>
/// <param name="ExternalCard">What they took by bank card.</param>
/// <param name="ReceivedByBank">What its bank account received.</param>
/// <param name="OpenMismatches">Worklist items of that day not resolved yet.</param>
/// <param name="InstitutionName">Its name, as people know it.</param>
/// <param name="TopUps">What its bank account received that went onto card balances (kiosk top-ups and transfers from home).</param>
public sealed record ReconciliationDay(string InstitutionId, string Day, long Due, long CardBalance, long VietQr, long ExternalCard, long ReceivedByBank, int OpenMismatches, string? InstitutionName = null,
    long TopUps = 0);

/// <summary>
/// A mismatch for a person to look at: a transfer the server could not match or that paid too much, a payment
/// flagged when it arrived (an offline overdraft, an unknown account or bill, more given back than paid), a VietQR
/// payment the bank paid short.
/// </summary>
/// <param name="Item">The item's key (<c>transfer:12</c>, <c>payment:…</c>, <c>underpaid:…</c>).</param>
/// <param name="InstitutionId">The institution, when known.</param>
/// <param name="Day">The local day.</param>
/// <param name="Kind">What kind of mismatch (<c>province.kind.*</c> in the catalogue).</param>
/// <param name="Amount">The amount at stake, whole đồng.</param>
/// <param name="Detail">What a person checks, its flags in Vietnamese words (<see cref="Reconciliation.FlagWords"/>).</param>
/// <param name="Flags">The flags as stored (machine words: <c>late</c>, <c>unknown_bill:HP-…</c>), for programs.</param>
/// <param name="ResolvedBy">Who resolved it.</param>
/// <param name="ResolvedAt">When.</param>
/// <param name="Note">What they found and did.</param>
/// <param name="InstitutionName">The institution's name, as people know it.</param>
public sealed record WorklistItem(
    string Item, string? InstitutionId, string Day, string Kind, long Amount, string Detail, string? ResolvedBy, string? ResolvedAt, string? Note,
    IReadOnlyList<string>? Flags = null, string? InstitutionName = null);

/// <summary>The reconciliation of a period: per institution and day, and the worklist.</summary>
public sealed record ReconciliationView(DateOnly From, DateOnly To, string? InstitutionId, IReadOnlyList<ReconciliationDay> Days, IReadOnlyList<WorklistItem> Worklist);

/// <summary>
/// One ledger seen two ways: the payments terminals pushed and the transfers banks notified, per institution and
/// day (the province's local day, <see cref="LocalDay"/>), with the mismatches between them as a worklist. Resolving
/// an item records who looked and what they found; the money itself is never changed here.
/// </summary>
internal sealed class Reconciliation(ProvinceDatabase database, TimeProvider time)
{
    // What a payment was flagged with when it arrived, as worklist kinds. Transfers' own flags (overpaid, paid twice)
    // are items of the transfer, not again of the payment.
    private static readonly string[] s_paymentKinds = ["overdraft", "unknown_account", "unknown_bill", "bill_overpaid", "reversed_more_than_paid"];

    public async Task<ReconciliationView> BuildAsync(DateOnly from, DateOnly to, string? institutionId, CancellationToken cancellationToken)
    {
        // Bills fall due on dates; payments and transfers happen at UTC times, counted on the province's local day.
        var (s, e) = (from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var (ts, te) = (LocalDay.StartUtc(from), LocalDay.StartUtc(to));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
        var days = new SortedDictionary<(string Institution, string Day), long[]>();
        long[] Day(string institution, string day) => days.TryGetValue((institution, day), out var row) ? row : days[(institution, day)] = new long[6];

        await ReadAsync<DueRow>(connection, transaction,
            "SELECT institution_id, due_date, SUM(total) AS due FROM bills WHERE due_date >= $s AND due_date < $e AND (CAST($i AS TEXT) IS NULL OR institution_id = $i) GROUP BY institution_id, due_date",
            r => Day(r.InstitutionId, r.DueDate[..10])[0] += r.Due, s, e, institutionId, cancellationToken).ConfigureAwait(false);
        await ReadAsync<TakenRow>(connection, transaction,
            $"""
            SELECT institution_id, {LocalDay.Of("created_at")} AS day, method,
                   SUM(MAX(0, (CASE WHEN method = 'vietqr' THEN MIN(received, amount) ELSE amount END) - reversed)) AS taken
            FROM payments WHERE created_at >= $s AND created_at < $e AND state <> 'voided' AND purpose <> 'top_up' AND (CAST($i AS TEXT) IS NULL OR institution_id = $i)
            GROUP BY institution_id, day, method
            """,
            r => Day(r.InstitutionId, r.Day)[r.Method switch { "card_balance" => 1, "vietqr" => 2, _ => 3 }] += r.Taken, ts, te, institutionId, cancellationToken).ConfigureAwait(false);

        // Money onto card balances, by the day it was credited: beside the payments, part of what the bank received.
        await ReadAsync<TopUpDayRow>(connection, transaction,
            $"""
            SELECT institution_id, {LocalDay.Of("credited_at")} AS day, SUM(amount) AS top_ups FROM top_ups
            WHERE credited_at >= $s AND credited_at < $e AND (CAST($i AS TEXT) IS NULL OR institution_id = $i) GROUP BY institution_id, day
            """,
            r => Day(r.InstitutionId, r.Day)[5] += r.TopUps, ts, te, institutionId, cancellationToken).ConfigureAwait(false);
        await ReadAsync<ReceivedRow>(connection, transaction,
            $"""
            SELECT i.id AS institution_id, {LocalDay.Of("t.received_at")} AS day, SUM(t.amount) AS received_by_bank FROM bank_transfers t JOIN institutions i ON i.bank_account = t.account_number
            WHERE t.received_at >= $s AND t.received_at < $e AND (CAST($i AS TEXT) IS NULL OR i.id = $i) GROUP BY i.id, day
            """,
            r => Day(r.InstitutionId, r.Day)[4] += r.ReceivedByBank, ts, te, institutionId, cancellationToken).ConfigureAwait(false);

        var resolutions = new Dictionary<string, (string By, string At, string Note)>();
        await ReadAsync<ResolutionRow>(connection, transaction, "SELECT item, resolved_by, resolved_at, note FROM worklist_resolutions WHERE CAST($i AS TEXT) IS NULL OR institution_id = $i",
            r => resolutions[r.Item] = (r.ResolvedBy, r.ResolvedAt, r.Note), s, e, institutionId, cancellationToken).ConfigureAwait(false);

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await ReadAsync<NameRow>(connection, transaction, "SELECT id, name FROM institutions WHERE CAST($i AS TEXT) IS NULL OR id = $i",
            r => names[r.Id] = r.Name, s, e, institutionId, cancellationToken).ConfigureAwait(false);
        string? NameOf(string? id) => id is not null && names.TryGetValue(id, out var name) ? name : null;

        var items = new List<WorklistItem>();
        void Add(string item, string? institution, string day, string kind, long amount, string detail, IReadOnlyList<string> flags) =>
            items.Add(resolutions.TryGetValue(item, out var done)
                ? new WorklistItem(item, institution, day, kind, amount, detail, done.By, done.At, done.Note, flags, NameOf(institution))
                : new WorklistItem(item, institution, day, kind, amount, detail, null, null, null, flags, NameOf(institution)));

        // Transfers: not matched to a payment, waiting for one, or paying more than was asked (a refund is due).
        await ReadAsync<TransferItemRow>(connection, transaction,
            $"""
            SELECT t.id, i.id AS institution_id, {LocalDay.Of("t.received_at")} AS day, t.outcome, t.amount, t.flags, t.refund_due, t.description, t.bank_txn_id, t.payment_id
            FROM bank_transfers t LEFT JOIN institutions i ON i.bank_account = t.account_number
            WHERE t.received_at >= $s AND t.received_at < $e AND (t.outcome IN ('unmatched', 'held') OR t.refund_due > 0 OR t.flags <> '')
              AND (CAST($i AS TEXT) IS NULL OR i.id = $i)
            ORDER BY t.id
            """,
            r =>
            {
                var (outcome, flags, refund) = (r.Outcome, r.Flags.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.RefundDue);
                var kind = outcome switch
                {
                    "unmatched" => "unmatched_transfer",
                    "held" => "transfer_waiting_for_payment",
                    _ when refund > 0 && flags.Contains("over_limit") => "top_up_over_limit",
                    // Money for bills another payment had paid: nothing was overpaid by the payer's own reckoning (an
                    // underpaid QR's money may be it), but it pays nothing and goes back, as an overpayment's excess does.
                    _ when refund > 0 && flags.Contains("bills_paid_elsewhere") => "paid_elsewhere_refund_due",
                    _ when refund > 0 => "overpaid_refund_due",
                    _ => "transfer_flagged",
                };
                // The kind names the outcome; the detail is what a person checks against the bank's statement.
                // Money for bills paid another way names the payment it came for: that payment is no longer listed as short.
                var payment = kind == "paid_elsewhere_refund_due" && r.PaymentId is { } paid ? " " + Messages.Both("province.recon.detail.payment", paid) : string.Empty;
                Add($"transfer:{r.Id}", r.InstitutionId, r.Day, kind, refund > 0 ? refund : r.Amount,
                    $"{r.BankTxnId} '{r.Description}' {(refund > 0 ? Messages.Both("province.recon.detail.transferred", Vnd.Format(r.Amount)) : string.Empty)}{payment} {FlagWords(flags)}".Trim(), flags);
            }, ts, te, institutionId, cancellationToken).ConfigureAwait(false);

        // Payments flagged on arrival, and VietQR payments the bank paid short.
        var flagged = await connection.ReadAllAsync<PaymentItemRow>(
            $"""
            SELECT id, institution_id, {LocalDay.Of("created_at")} AS day, amount, received, flags, state, method, purpose FROM payments
            WHERE created_at >= $s AND created_at < $e AND (flags <> '' OR state = 'underpaid') AND (CAST($i AS TEXT) IS NULL OR institution_id = $i)
            ORDER BY created_at, id
            """, transaction, cancellationToken, ("$s", ts), ("$e", te), ("$i", institutionId)).ConfigureAwait(false);
        foreach (var r in flagged)
        {
            var (id, flags, state) = (r.Id, r.Flags.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.State);
            var kinds = flags.Select(f => f.Split(':')[0]).Where(f => s_paymentKinds.Contains(f)).Distinct().ToList();
            if (kinds.Count > 0)
            {
                Add($"payment:{id}", r.InstitutionId, r.Day, kinds[0], r.Amount, $"{id} ({MethodName(r.Method)}): {FlagWords(flags)}", flags);
            }

            // A short top-up owes nothing: what arrived is on the balance, as the bank says.
            if (state != "underpaid" || r.Purpose == PaymentPurpose.TopUp.WireName())
            {
                continue;
            }

            // What is missing is what the payment lacks, as far as its bills still owe it (TransferMatching's rule for
            // the confirmation's remaining). Bills paid another way meanwhile owe nothing more: nothing is missing, and
            // money of the payment's that reached no bill is its transfers' refund (paid_elsewhere_refund_due), an item
            // of the transfer as an overpayment's excess is, never again one of the payment's.
            var missing = Math.Min(r.Amount - r.Received, await TransferMatching.StillOwedAsync(connection, transaction, id, cancellationToken).ConfigureAwait(false));
            if (missing > 0)
            {
                Add($"underpaid:{id}", r.InstitutionId, r.Day, "underpaid", missing,
                    Messages.Both("province.recon.detail.underpaid", id, Vnd.Format(r.Received), Vnd.Format(r.Amount)), flags);
            }
        }

        foreach (var item in items.Where(i => i.ResolvedAt is null && i.InstitutionId is not null))
        {
            Day(item.InstitutionId!, item.Day);
        }

        var rows = days.Select(d => new ReconciliationDay(d.Key.Institution, d.Key.Day, d.Value[0], d.Value[1], d.Value[2], d.Value[3], d.Value[4],
            items.Count(i => i.InstitutionId == d.Key.Institution && i.Day == d.Key.Day && i.ResolvedAt is null), NameOf(d.Key.Institution), d.Value[5])).ToList();
        return new ReconciliationView(from, to, institutionId, rows, items);
    }

    /// <summary>Records that <paramref name="item"/> was looked at; false when no such item exists, null when it was resolved before.</summary>
    public async Task<bool?> ResolveAsync(string item, string resolvedBy, string note, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var (kind, key) = item.IndexOf(':') is > 0 and var colon ? (item[..colon], item[(colon + 1)..]) : (string.Empty, string.Empty);
        var institution = kind switch
        {
            "transfer" when long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) => await connection.ScalarAsync(
                "SELECT COALESCE(i.id, '') FROM bank_transfers t LEFT JOIN institutions i ON i.bank_account = t.account_number WHERE t.id = $id",
                transaction, cancellationToken, ("$id", id)).ConfigureAwait(false),
            "payment" or "underpaid" => await connection.ScalarAsync("SELECT institution_id FROM payments WHERE id = $id", transaction, cancellationToken, ("$id", key)).ConfigureAwait(false),
            _ => null,
        };
        if (institution is not string institutionId)
        {
            return false;
        }

        var stored = await connection.ExecuteAsync(
            "INSERT INTO worklist_resolutions (item, institution_id, resolved_by, resolved_at, note) VALUES ($item, $i, $by, $at, $note) ON CONFLICT (item) DO NOTHING",
            transaction, cancellationToken, ("$item", item), ("$i", institutionId.Length == 0 ? null : institutionId), ("$by", resolvedBy),
            ("$at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)), ("$note", note)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored == 1 ? true : null;
    }

    // The catalogue's name of a payment method (card_balance → Số dư thẻ); the code when it has none.
    /// <summary>
    /// Flags as people read them: each <c>name</c> or <c>name:argument</c> in the catalogue's Vietnamese words
    /// (<c>province.flag.name</c>, the argument as {0}), joined by "; "; a flag the catalogue does not know is shown as stored.
    /// </summary>
    public static string FlagWords(IEnumerable<string> flags) => string.Join("; ", flags.Select(f =>
    {
        var (name, argument) = f.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? (f[..colon], f[(colon + 1)..]) : (f, string.Empty);
        return Messages.All.ContainsKey("province.flag." + name) ? Messages.Vi("province.flag." + name, argument) : f;
    }));

    private static string MethodName(string method) =>
        Messages.All.ContainsKey("domain.method." + method) ? Messages.Vi("domain.method." + method) : method;

    private static async Task ReadAsync<T>(DbConnection connection, DbTransaction transaction, string sql, Action<T> row, string s, string e, string? institutionId, CancellationToken cancellationToken)
    {
        foreach (var r in await connection.ReadAllAsync<T>(sql, transaction, cancellationToken, ("$s", s), ("$e", e), ("$i", institutionId)).ConfigureAwait(false))
        {
            row(r);
        }
    }

    /// <summary>What fell due on a date (<c>due_date</c> may carry a time; its first ten characters are the day).</summary>
    private sealed record DueRow
    {
        public required string InstitutionId { get; init; }

        public required string DueDate { get; init; }

        public long Due { get; init; }
    }

    /// <summary>What terminals took on a local day by one method.</summary>
    private sealed record TakenRow
    {
        public required string InstitutionId { get; init; }

        public required string Day { get; init; }

        public required string Method { get; init; }

        public long Taken { get; init; }
    }

    /// <summary>What went onto an institution's card balances on a local day.</summary>
    private sealed record TopUpDayRow
    {
        public required string InstitutionId { get; init; }

        public required string Day { get; init; }

        public long TopUps { get; init; }
    }

    /// <summary>What an institution's bank account received on a local day.</summary>
    private sealed record ReceivedRow
    {
        public required string InstitutionId { get; init; }

        public required string Day { get; init; }

        public long ReceivedByBank { get; init; }
    }

    private sealed record NameRow
    {
        public required string Id { get; init; }

        public required string Name { get; init; }
    }

    private sealed record ResolutionRow
    {
        public required string Item { get; init; }

        public required string ResolvedBy { get; init; }

        public required string ResolvedAt { get; init; }

        public required string Note { get; init; }
    }

    /// <summary>A transfer for the worklist; no institution when its account is none of theirs.</summary>
    private sealed record TransferItemRow
    {
        public long Id { get; init; }

        public string? InstitutionId { get; init; }

        public required string Day { get; init; }

        public required string Outcome { get; init; }

        public long Amount { get; init; }

        public required string Flags { get; init; }

        public long RefundDue { get; init; }

        public required string Description { get; init; }

        public required string BankTxnId { get; init; }

        /// <summary>The payment it was matched to, if any.</summary>
        public string? PaymentId { get; init; }
    }

    /// <summary>A payment flagged on arrival or paid short.</summary>
    private sealed record PaymentItemRow
    {
        public required string Id { get; init; }

        public required string InstitutionId { get; init; }

        public required string Day { get; init; }

        public long Amount { get; init; }

        public long Received { get; init; }

        public required string Flags { get; init; }

        public required string State { get; init; }

        public required string Method { get; init; }

        public required string Purpose { get; init; }
    }
}
