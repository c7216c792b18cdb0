using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Ledger;

/// <summary>
/// The ledger effect of a group of pushes, worked out in memory: the storage layer loads the accounts, bills, cards
/// and payments the entries name, the entries are booked here in order, and the storage layer writes the rows that
/// changed and the rows made.
/// </summary>
/// <remarks>
/// Sound because the group holds the writer locks of its terminals' institutions: what was loaded at its start stays
/// true until it commits. Versions come from <paramref name="nextVersion"/>, the institution's change counter the
/// storage layer keeps; a push changes only rows of its terminal's institution (an account or bill of another is
/// flagged, never touched), so it only ever takes versions of the institution whose lock it holds.
/// </remarks>
/// <param name="now">When the group is written (ISO-8601, UTC), stamped on what it records.</param>
/// <param name="nextVersion">The next value of an institution's change counter, which versions what its terminals pull.</param>
internal sealed class PushBooking(string now, Func<string, long> nextVersion)
{
    /// <summary>The accounts the group touches, by code.</summary>
    public Dictionary<string, BookedAccount> Accounts { get; } = new(StringComparer.Ordinal);

    /// <summary>The bills the group touches, by id.</summary>
    public Dictionary<string, BookedBill> Bills { get; } = new(StringComparer.Ordinal);

    /// <summary>The cards the group's card payments were made with, by UID.</summary>
    public Dictionary<string, BookedCard> Cards { get; } = new(StringComparer.Ordinal);

    /// <summary>The payments the group names or makes, by id.</summary>
    public Dictionary<string, BookedPayment> Payments { get; } = new(StringComparer.Ordinal);

    /// <summary>What those payments were allocated, by payment and bill.</summary>
    public Dictionary<(string Payment, string Bill), BookedAllocation> Allocations { get; } = [];

    /// <summary>The same allocations per payment, in the order they were written (the order a transfer credits them).</summary>
    public Dictionary<string, List<BookedAllocation>> AllocationOrder { get; } = new(StringComparer.Ordinal);

    /// <summary>Transfer codes whose money arrived before the terminal's entry did.</summary>
    public HashSet<string> HeldTransferCodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Payments made since the last write, in order.</summary>
    public List<BookedPayment> NewPayments { get; } = [];

    /// <summary>Allocations made since the last write, in order.</summary>
    public List<BookedAllocation> NewAllocations { get; } = [];

    /// <summary>Voids and refunds booked since the last write, in order.</summary>
    public List<ReversalRecord> Reversals { get; } = [];

    /// <summary>Card changes booked since the last write, in order.</summary>
    public List<CardChangeRecord> CardChanges { get; } = [];

    /// <summary>Alerts raised since the last write, in order.</summary>
    public List<AlertRecord> Alerts { get; } = [];

    /// <summary>Every loaded row, for the storage layer to pick what changed.</summary>
    public IEnumerable<IBookedRow> Rows => Payments.Values.Concat<IBookedRow>(Allocations.Values).Concat(Accounts.Values).Concat(Bills.Values).Concat(Cards.Values);

    /// <summary>Raises an alert about a terminal.</summary>
    public void Alert(string terminalId, string kind, string detail) => Alerts.Add(new AlertRecord(now, terminalId, kind, detail));

    /// <summary>
    /// Books a payment: the card's debit, the bills it pays (a deposit held on the account), the payment and its
    /// allocations; a payment that cannot be booked as it stands is kept and flagged for a person.
    /// </summary>
    public PushEntryResult ApplyPayment(string terminalId, string institutionId, JournalEntryDto entry)
    {
        var p = entry.Payment!;
        var method = PaymentWireNames.ParseMethod(p.Method); // checked when the push was read
        var flags = new List<string>();
        long? balanceAfter = null;
        long? accountVersion = null;
        var account = Accounts.GetValueOrDefault(p.AccountCode) is { } known && known.InstitutionId == institutionId ? known : null;
        if (account is null)
        {
            // Taken at the terminal, so a fact; but no account of this institution to charge. A person must look.
            flags.Add("unknown_account");
        }
        else
        {
            if (method == PaymentMethod.CardBalance)
            {
                (balanceAfter, accountVersion) = account.Move(-p.Amount, nextVersion(institutionId));
                if (balanceAfter < 0)
                {
                    // An overdraft (one card used offline at two terminals, say) is a fact: it is booked, flagged,
                    // and the card is deny-listed until an operator clears it. Terminals learn it at their next
                    // pull (the account's version moved with the debit).
                    flags.Add("overdraft");
                    if (p.CardUid is { } uid && Cards.GetValueOrDefault(uid) is { Denied: false } card && card.AccountCode == p.AccountCode)
                    {
                        card.Deny("overdraft", now);
                        flags.Add("card_denied");
                    }
                }
            }
        }

        var billStates = new List<BillStateDto>();
        var awaitingBank = method == PaymentMethod.VietQr;
        foreach (var allocation in awaitingBank ? [] : p.Allocations)
        {
            if (Bills.GetValueOrDefault(allocation.BillId) is not { } bill || bill.AccountCode != p.AccountCode || bill.InstitutionId != institutionId)
            {
                flags.Add($"unknown_bill:{allocation.BillId}");
                continue;
            }

            var version = bill.Pay(allocation.Amount, nextVersion(institutionId));
            if (bill.Paid > bill.Total)
            {
                flags.Add($"bill_overpaid:{allocation.BillId}");
            }

            billStates.Add(new BillStateDto(allocation.BillId, bill.Paid, version));
            if (account is not null && bill.Category == BillCategory.Deposit)
            {
                // A deposit (tạm ứng) is held on the payer's account, where the final bill is paid from at discharge.
                (balanceAfter, accountVersion) = account.Move(allocation.Amount, nextVersion(institutionId));
            }
        }

        var payment = new BookedPayment(p.PaymentId, terminalId, p.AccountCode, method, p.Amount, awaitingBank ? 0 : p.Amount, 0, awaitingBank ? PaymentState.Pending : PaymentState.Completed)
        {
            Arrival = new PaymentArrival(entry.Sequence, institutionId, p.CardUid, entry.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), now,
                balanceAfter, string.Join(' ', flags), p.Qr?.TransferCode, p.Qr?.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
                PaymentWireNames.TryParsePurpose(p.Purpose, out var purpose) ? purpose : PaymentPurpose.Bills),
        };
        Payments[p.PaymentId] = payment;
        NewPayments.Add(payment);
        foreach (var allocation in p.Allocations)
        {
            var row = new BookedAllocation(p.PaymentId, allocation.BillId, allocation.Amount, awaitingBank ? 0 : allocation.Amount) { New = true };
            Allocated(row);
            NewAllocations.Add(row);
        }

        if (flags.Count > 0)
        {
            Alert(terminalId, "payment_flagged", $"{p.PaymentId}: {string.Join(' ', flags)}");
        }

        return new PushEntryResult(entry.Sequence, "accepted", account?.Code, balanceAfter, accountVersion, billStates, flags);
    }

    /// <summary>Holds an allocation loaded or made, after the ones of its payment before it.</summary>
    public void Allocated(BookedAllocation allocation)
    {
        ArgumentNullException.ThrowIfNull(allocation);
        Allocations[(allocation.PaymentId, allocation.BillId)] = allocation;
        if (!AllocationOrder.TryGetValue(allocation.PaymentId, out var order))
        {
            AllocationOrder[allocation.PaymentId] = order = [];
        }

        var index = order.FindIndex(a => a.BillId == allocation.BillId);
        if (index >= 0)
        {
            order[index] = allocation;
        }
        else
        {
            order.Add(allocation);
        }
    }

    /// <summary>
    /// Books a void or refund: the money goes back (to the card's balance, or by the institution's transfer) and the
    /// bills reopen by the reversal's allocations. A reversal of a payment the server does not hold, or of more than
    /// was paid, is a fact recorded and flagged for a person, like an overdraft. For a VietQR payment a bill reopens
    /// by at most what the bank's money credited it (less what was given back); what a reversal names beyond that
    /// reopens the payment's other credited bills, last credited first (<see cref="PaymentRules.ReopenedBills"/>, the
    /// terminal's rule), and is flagged <c>reopened_as_credited</c>: money refunded never leaves a bill paid by it.
    /// </summary>
    public PushEntryResult ApplyReversal(string terminalId, string institutionId, JournalEntryDto entry)
    {
        var v = entry.Reversal!;
        var voided = entry.Kind == EntryKinds.PaymentVoided;
        var flags = new List<string>();
        string? accountCode = null;
        long? balanceAfter = null;
        long? accountVersion = null;
        var billStates = new List<BillStateDto>();
        if (Payments.GetValueOrDefault(v.PaymentId) is not { } payment || payment.TerminalId != terminalId)
        {
            flags.Add("unknown_payment");
        }
        else
        {
            accountCode = payment.AccountCode;
            var account = Accounts.GetValueOrDefault(accountCode) is { } known && known.InstitutionId == institutionId ? known : null;
            var paid = payment.Method == PaymentMethod.VietQr ? Math.Min(payment.Received, payment.Amount) : payment.Amount;
            if (payment.Reversed + v.Amount > paid || payment.State == PaymentState.Voided)
            {
                flags.Add("reversed_more_than_paid");
            }

            payment.Reverse(v.Amount, voided);
            if (v.Destination == ReversalDestinations.CardBalance && account is not null)
            {
                (balanceAfter, accountVersion) = account.Move(v.Amount, nextVersion(institutionId));
            }

            foreach (var allocation in payment.Method == PaymentMethod.VietQr ? AsCredited(payment.Id, v.Allocations, flags) : v.Allocations)
            {
                if (Bills.GetValueOrDefault(allocation.BillId) is not { } bill || bill.AccountCode != accountCode || bill.InstitutionId != institutionId)
                {
                    flags.Add($"unknown_bill:{allocation.BillId}");
                    continue;
                }

                var version = bill.Pay(-Math.Min(allocation.Amount, bill.Paid), nextVersion(institutionId));
                Allocations.GetValueOrDefault((payment.Id, allocation.BillId))?.Uncredit(allocation.Amount);
                billStates.Add(new BillStateDto(allocation.BillId, bill.Paid, version));

                // A deposit given back leaves the patient's account with it; spent already, the account goes below
                // zero and a person looks (like an overdraft).
                if (bill.Category == BillCategory.Deposit && account is not null)
                {
                    (balanceAfter, accountVersion) = account.Move(-allocation.Amount, nextVersion(institutionId));
                    if (balanceAfter < 0)
                    {
                        flags.Add("deposit_spent");
                    }
                }
            }
        }

        Reversals.Add(new ReversalRecord(terminalId, entry.Sequence, v.PaymentId, voided ? "void" : "refund", v.Amount, v.Destination, v.BankReference, v.Supervisor,
            entry.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));
        if (flags.Count > 0)
        {
            Alert(terminalId, "reversal_flagged", $"{v.PaymentId} (entry {entry.Sequence}): {string.Join(' ', flags)}");
        }

        return new PushEntryResult(entry.Sequence, "accepted", accountCode, balanceAfter, accountVersion, billStates, flags);
    }

    /// <summary>
    /// A VietQR reversal's allocations as they may reopen the bills: each bill by at most what the payment credited it
    /// (the bank's money, spread in allocation order); the rest over the payment's other credited bills, last first.
    /// A terminal's reversal follows the same rule and passes unchanged; an older terminal's, which reopened by the
    /// allocations' amounts, is corrected here and flagged.
    /// </summary>
    private List<AllocationDto> AsCredited(string paymentId, IReadOnlyList<AllocationDto> asked, List<string> flags)
    {
        var order = AllocationOrder.GetValueOrDefault(paymentId) ?? [];
        var left = order.ToDictionary(a => a.BillId, a => a.Credited, StringComparer.Ordinal);
        var reopened = new List<AllocationDto>();
        var excess = 0L;
        foreach (var allocation in asked)
        {
            var share = Math.Min(allocation.Amount, left.GetValueOrDefault(allocation.BillId));
            if (share > 0)
            {
                reopened.Add(allocation with { Amount = share });
                left[allocation.BillId] -= share;
            }

            excess += allocation.Amount - share;
        }

        if (excess > 0)
        {
            var rest = PaymentRules.ReopenedBills(order.Select(a => new ReversibleAllocation(a.BillId, new Vnd(left[a.BillId]), Vnd.Zero)).ToList(), new Vnd(excess));
            foreach (var extra in rest)
            {
                var index = reopened.FindIndex(a => a.BillId == extra.BillId);
                if (index >= 0)
                {
                    reopened[index] = reopened[index] with { Amount = reopened[index].Amount + extra.Amount.Value };
                }
                else
                {
                    reopened.Add(new AllocationDto(extra.BillId, extra.Amount.Value));
                }
            }

            flags.Add("reopened_as_credited");
        }

        return reopened;
    }

    /// <summary>
    /// Books a card change: a lost or replaced card is deny-listed, an issued or new card pays from the account (a
    /// replacement moves no money: the balance lives on the account). The account's version moves so that every
    /// terminal of the institution learns it at its next pull. A change that contradicts what the province holds (a
    /// card of another account, an unknown account or card) is recorded and flagged for a person, not applied.
    /// </summary>
    public PushEntryResult ApplyCardChange(string terminalId, string institutionId, JournalEntryDto entry)
    {
        var c = entry.Card!;
        var flags = new List<string>();
        var account = Accounts.GetValueOrDefault(c.AccountCode) is { } known && known.InstitutionId == institutionId ? known : null;
        if (account is null)
        {
            flags.Add("unknown_account");
        }
        else
        {
            var denied = c.Action == CardActions.Lost ? c.CardUid : c.ReplacedUid;
            if (denied is not null)
            {
                if (Cards.GetValueOrDefault(denied) is not { } card || card.AccountCode != account.Code)
                {
                    flags.Add($"unknown_card:{denied}");
                }
                else if (!card.Denied)
                {
                    card.Deny(c.Action, now);
                }
            }

            if (c.Action is CardActions.Issued or CardActions.Replaced)
            {
                if (Cards.GetValueOrDefault(c.CardUid) is { } existing)
                {
                    // Issued twice to the same account is the same fact; a card of another account is not taken from it.
                    if (existing.AccountCode != account.Code)
                    {
                        flags.Add($"card_in_use:{c.CardUid}");
                    }
                }
                else
                {
                    Cards[c.CardUid] = new BookedCard(c.CardUid, account.Code, denied: false) { New = true };
                }
            }

            account.Move(0, nextVersion(institutionId));
        }

        CardChanges.Add(new CardChangeRecord(terminalId, entry.Sequence, c.Action, c.AccountCode, c.CardUid, c.ReplacedUid, c.Operator,
            entry.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), string.Join(' ', flags)));
        if (flags.Count > 0)
        {
            Alert(terminalId, "card_change_flagged", $"{c.Action} {c.CardUid} (entry {entry.Sequence}): {string.Join(' ', flags)}");
        }

        // No balance in the answer: the terminal's cache learns the cards at its next pull, from the account's new version.
        return new PushEntryResult(entry.Sequence, "accepted", account?.Code, null, null, [], flags);
    }

    /// <summary>
    /// Records that a VietQR payment expired or was cancelled, so that money still arriving is flagged late; a
    /// payment already (partly) paid keeps its state.
    /// </summary>
    public void Expire(string terminalId, string paymentId)
    {
        if (Payments.GetValueOrDefault(paymentId) is { State: PaymentState.Pending } payment && payment.TerminalId == terminalId)
        {
            payment.State = PaymentState.Expired;
            payment.Changed = true;
        }
    }

    /// <summary>The rows made and changed are written: only later changes are pending.</summary>
    public void Written()
    {
        Reversals.Clear();
        CardChanges.Clear();
        Alerts.Clear();
        NewPayments.Clear();
        NewAllocations.Clear();
        foreach (var row in Rows)
        {
            row.Written();
        }
    }

    /// <summary>Forgets what was loaded (the storage layer loads it again after work that changed the database).</summary>
    public void Forget()
    {
        Accounts.Clear();
        Bills.Clear();
        Cards.Clear();
        Payments.Clear();
        Allocations.Clear();
        AllocationOrder.Clear();
        HeldTransferCodes.Clear();
    }
}
