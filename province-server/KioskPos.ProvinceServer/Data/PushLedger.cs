using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The ledger effect of a group of pushes, worked out in memory and written at the end with a few statements.
/// </summary>
/// <remarks>
/// The group holds the writers' lock, and every writer of balances, bills and payments takes it: what it reads at
/// its start stays true until it commits. So the accounts, bills and payments its entries name are read once (a
/// query each), the entries are applied to them here in order, and only the rows that changed are written — one
/// statement per table, its rows passed as parameters (<see cref="DbCommands.Rows"/>) — before the commit. The
/// results are the same as applying each entry with its own statements; an entry no longer costs a round trip per
/// statement. Work that reads the database itself (a bank transfer that was waiting for the entry) first writes
/// what is pending and reads again afterwards.
/// </remarks>
internal sealed class PushLedger
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly string _now;
    private readonly IReadOnlyList<JournalEntryDto> _entries;

    // What the group touches and the database holds, keyed by code, bill id, payment id.
    private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Bill> _bills = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Payment> _payments = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Payment, string Bill), Allocation> _allocations = [];
    private readonly HashSet<string> _heldTransferCodes = new(StringComparer.Ordinal);

    // Rows to insert, in the order they were made.
    private readonly List<object?[]> _journalRows = [];
    private readonly List<Payment> _newPayments = [];
    private readonly List<Allocation> _newAllocations = [];
    private readonly List<object?[]> _reversalRows = [];
    private readonly List<object?[]> _alertRows = [];

    private PushLedger(DbConnection connection, DbTransaction transaction, string now, IReadOnlyList<JournalEntryDto> entries) =>
        (_connection, _transaction, _now, _entries) = (connection, transaction, now, entries);

    /// <summary>Reads what the terminals' <paramref name="pushes"/> touch, inside the writer's <paramref name="transaction"/>.</summary>
    public static async Task<PushLedger> OpenAsync(DbConnection connection, DbTransaction transaction, string now, IReadOnlyList<(TerminalRecord Terminal, IReadOnlyList<JournalEntryDto> Entries)> pushes, CancellationToken cancellationToken)
    {
        var ledger = new PushLedger(connection, transaction, now, [.. pushes.SelectMany(p => p.Entries)]);
        await ledger.LoadAsync(cancellationToken).ConfigureAwait(false);
        return ledger;
    }

    /// <summary>Records the entry's row with the result a repeated push will get back; returns that result as stored.</summary>
    public string AddEntry(TerminalRecord terminal, JournalEntryDto entry, string digest, string body, PushEntryResult result)
    {
        var stored = JsonSerializer.Serialize(result, ContractsJsonContext.Default.PushEntryResult);
        _journalRows.Add([terminal.Id, entry.Sequence, entry.Kind, digest, body, stored, _now, entry.PrevHash, entry.Hash]);
        return stored;
    }

    /// <summary>Raises an alert about <paramref name="terminal"/>, written with the rest.</summary>
    public void Alert(TerminalRecord terminal, string kind, string detail) => _alertRows.Add([_now, terminal.Id, kind, detail]);

    /// <summary>True when a bank transfer arrived for <paramref name="transferCode"/> before the terminal's entry did.</summary>
    public bool HasHeldTransfer(string transferCode) => _heldTransferCodes.Contains(transferCode);

    /// <summary>
    /// Books a payment: the card's debit, the bills it pays (a deposit held on the account), the payment and its
    /// allocations; a payment that cannot be booked as it stands is kept and flagged for a person.
    /// </summary>
    public async Task<PushEntryResult> ApplyPaymentAsync(TerminalRecord terminal, JournalEntryDto entry, CancellationToken cancellationToken)
    {
        var p = entry.Payment!;
        var flags = new List<string>();
        long? balanceAfter = null;
        long? accountVersion = null;
        var account = _accounts.GetValueOrDefault(p.AccountCode) is { } known && known.InstitutionId == terminal.InstitutionId ? known : null;
        if (account is null)
        {
            // Taken at the terminal, so a fact; but no account of this institution to charge. A person must look.
            flags.Add("unknown_account");
        }
        else
        {
            if (p.Method == "card_balance")
            {
                (balanceAfter, accountVersion) = account.Move(-p.Amount, NextVersion());
                if (balanceAfter < 0)
                {
                    // An overdraft (one card used offline at two terminals, say) is a fact: it is booked, flagged,
                    // and the card is deny-listed until an operator clears it. Terminals learn it at their next
                    // pull (the account's version moved with the debit).
                    flags.Add("overdraft");
                    if (await _connection.ExecuteAsync(
                        "UPDATE cards SET denied_reason = 'overdraft', denied_at = $t WHERE uid = $u AND account_code = $c AND denied_at IS NULL",
                        _transaction, cancellationToken, ("$t", _now), ("$u", p.CardUid), ("$c", p.AccountCode)).ConfigureAwait(false) == 1)
                    {
                        flags.Add("card_denied");
                    }
                }
            }
        }

        var billStates = new List<BillStateDto>();
        var awaitingBank = p.Method == "vietqr";
        foreach (var allocation in awaitingBank ? [] : p.Allocations)
        {
            if (_bills.GetValueOrDefault(allocation.BillId) is not { } bill || bill.AccountCode != p.AccountCode)
            {
                flags.Add($"unknown_bill:{allocation.BillId}");
                continue;
            }

            var version = bill.Pay(allocation.Amount, NextVersion());
            if (bill.Paid > bill.Total)
            {
                flags.Add($"bill_overpaid:{allocation.BillId}");
            }

            billStates.Add(new BillStateDto(allocation.BillId, bill.Paid, version));
            if (account is not null && bill.Category == Deposits.Category)
            {
                // A deposit (tạm ứng) is held on the payer's account, where the final bill is paid from at discharge.
                (balanceAfter, accountVersion) = account.Move(allocation.Amount, NextVersion());
            }
        }

        var payment = new Payment(p.PaymentId, terminal.Id, p.AccountCode, p.Method, p.Amount, awaitingBank ? 0 : p.Amount, 0, awaitingBank ? "pending" : "completed")
        {
            Arrival = new Arrival(entry.Sequence, terminal.InstitutionId, p.CardUid, entry.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), _now,
                balanceAfter, string.Join(' ', flags), p.Qr?.TransferCode, p.Qr?.ExpiresAt.ToString("O", CultureInfo.InvariantCulture)),
        };
        _payments[p.PaymentId] = payment;
        _newPayments.Add(payment);
        foreach (var allocation in p.Allocations)
        {
            var row = new Allocation(p.PaymentId, allocation.BillId, allocation.Amount, awaitingBank ? 0 : allocation.Amount) { New = true };
            _allocations[(p.PaymentId, allocation.BillId)] = row;
            _newAllocations.Add(row);
        }

        if (flags.Count > 0)
        {
            _alertRows.Add([_now, terminal.Id, "payment_flagged", $"{p.PaymentId}: {string.Join(' ', flags)}"]);
        }

        return new PushEntryResult(entry.Sequence, "accepted", account?.Code, balanceAfter, accountVersion, billStates, flags);
    }

    /// <summary>
    /// Books a void or refund: the money goes back (to the card's balance, or by the institution's transfer) and the
    /// bills reopen by the reversal's allocations. A reversal of a payment the server does not hold, or of more than
    /// was paid, is a fact recorded and flagged for a person, like an overdraft.
    /// </summary>
    public PushEntryResult ApplyReversal(TerminalRecord terminal, JournalEntryDto entry)
    {
        var v = entry.Reversal!;
        var voided = entry.Kind == EntryKinds.PaymentVoided;
        var flags = new List<string>();
        string? accountCode = null;
        long? balanceAfter = null;
        long? accountVersion = null;
        var billStates = new List<BillStateDto>();
        if (_payments.GetValueOrDefault(v.PaymentId) is not { } payment || payment.TerminalId != terminal.Id)
        {
            flags.Add("unknown_payment");
        }
        else
        {
            accountCode = payment.AccountCode;
            var account = _accounts.GetValueOrDefault(accountCode);
            var paid = payment.Method == "vietqr" ? Math.Min(payment.Received, payment.Amount) : payment.Amount;
            if (payment.Reversed + v.Amount > paid || payment.State == "voided")
            {
                flags.Add("reversed_more_than_paid");
            }

            payment.Reverse(v.Amount, voided);
            if (v.Destination == ReversalDestinations.CardBalance && account is not null)
            {
                (balanceAfter, accountVersion) = account.Move(v.Amount, NextVersion());
            }

            foreach (var allocation in v.Allocations)
            {
                if (_bills.GetValueOrDefault(allocation.BillId) is not { } bill || bill.AccountCode != accountCode)
                {
                    flags.Add($"unknown_bill:{allocation.BillId}");
                    continue;
                }

                var version = bill.Pay(-Math.Min(allocation.Amount, bill.Paid), NextVersion());
                _allocations.GetValueOrDefault((payment.Id, allocation.BillId))?.Uncredit(allocation.Amount);
                billStates.Add(new BillStateDto(allocation.BillId, bill.Paid, version));

                // A deposit given back leaves the patient's account with it; spent already, the account goes below
                // zero and a person looks (like an overdraft).
                if (bill.Category == Deposits.Category && account is not null)
                {
                    (balanceAfter, accountVersion) = account.Move(-allocation.Amount, NextVersion());
                    if (balanceAfter < 0)
                    {
                        flags.Add("deposit_spent");
                    }
                }
            }
        }

        _reversalRows.Add([terminal.Id, entry.Sequence, v.PaymentId, voided ? "void" : "refund", v.Amount, v.Destination, v.BankReference, v.Supervisor,
            entry.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)]);
        if (flags.Count > 0)
        {
            _alertRows.Add([_now, terminal.Id, "reversal_flagged", $"{v.PaymentId} (entry {entry.Sequence}): {string.Join(' ', flags)}"]);
        }

        return new PushEntryResult(entry.Sequence, "accepted", accountCode, balanceAfter, accountVersion, billStates, flags);
    }

    /// <summary>
    /// Records that a VietQR payment expired or was cancelled, so that money still arriving is flagged late; a
    /// payment already (partly) paid keeps its state.
    /// </summary>
    public void Expire(TerminalRecord terminal, string paymentId)
    {
        if (_payments.GetValueOrDefault(paymentId) is { State: "pending" } payment && payment.TerminalId == terminal.Id)
        {
            payment.State = "expired";
            payment.Changed = true;
        }
    }

    /// <summary>Writes what is pending, so that work reading the database sees it; then reads again what that work may change.</summary>
    public async Task SyncAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        await FlushAsync([], cancellationToken).ConfigureAwait(false);
        await work().ConfigureAwait(false);
        _accounts.Clear();
        _bills.Clear();
        _payments.Clear();
        _allocations.Clear();
        _heldTransferCodes.Clear();
        await LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes every row inserted or changed since the last flush, then <paramref name="after"/>, in one batch.</summary>
    public async Task FlushAsync(IReadOnlyList<Statement> after, CancellationToken cancellationToken)
    {
        var statements = new List<Statement>();

        // Parents before children: the entry's row, the payment that references it, the allocations that reference the payment.
        Insert(statements, "journal_entries", [("terminal_id", false), ("sequence", true), ("kind", false), ("digest", false), ("body", false), ("result", false), ("received_at", false), ("prev_hash", false), ("hash", false)], _journalRows);
        Insert(statements, "payments",
            [("id", false), ("terminal_id", false), ("sequence", true), ("institution_id", false), ("account_code", false), ("card_uid", false), ("method", false), ("amount", true), ("created_at", false),
             ("received_at", false), ("balance_after", true), ("flags", false), ("state", false), ("received", true), ("transfer_code", false), ("expires_at", false), ("reversed", true)],
            [.. _newPayments.Select(p => p.InsertRow())]);
        Update(statements, "payments", "payments.id = r.id", [("id", false), ("reversed", true), ("state", false)],
            [.. _payments.Values.Where(p => p is { Changed: true, Arrival: null }).Select(p => new object?[] { p.Id, p.Reversed, p.State })]);
        Insert(statements, "payment_allocations", [("payment_id", false), ("bill_id", false), ("amount", true), ("credited", true)],
            [.. _newAllocations.Select(a => new object?[] { a.PaymentId, a.BillId, a.Amount, a.Credited })]);
        Update(statements, "payment_allocations", "payment_allocations.payment_id = r.payment_id AND payment_allocations.bill_id = r.bill_id", [("payment_id", false), ("bill_id", false), ("credited", true)],
            [.. _allocations.Values.Where(a => a is { Changed: true, New: false }).Select(a => new object?[] { a.PaymentId, a.BillId, a.Credited })]);
        Insert(statements, "reversals",
            [("terminal_id", false), ("sequence", true), ("payment_id", false), ("kind", false), ("amount", true), ("destination", false), ("bank_reference", false), ("supervisor", false), ("created_at", false)],
            _reversalRows);
        Update(statements, "accounts", "accounts.code = r.code", [("code", false), ("balance", true), ("version", true)],
            [.. _accounts.Values.Where(a => a.Changed).Select(a => new object?[] { a.Code, a.Balance, a.Version })]);
        Update(statements, "bills", "bills.id = r.id", [("id", false), ("paid", true), ("version", true)],
            [.. _bills.Values.Where(b => b.Changed).Select(b => new object?[] { b.Id, b.Paid, b.Version })]);
        Insert(statements, "alerts", [("at", false), ("terminal_id", false), ("kind", false), ("detail", false)], _alertRows);
        statements.AddRange(after);
        await _connection.ExecuteAllAsync(statements, _transaction, cancellationToken).ConfigureAwait(false);

        // Written: from here on these rows are the database's, and only later changes are pending.
        _journalRows.Clear();
        _reversalRows.Clear();
        _alertRows.Clear();
        _newPayments.Clear();
        _newAllocations.Clear();
        foreach (var row in _payments.Values.Concat<IRow>(_allocations.Values).Concat(_accounts.Values).Concat(_bills.Values))
        {
            row.Written();
        }
    }

    private long NextVersion() => ChangeVersions.Next(_transaction);

    // One INSERT of all the rows, in their order: one statement, one text, whatever their number.
    private void Insert(List<Statement> statements, string table, IReadOnlyList<(string Column, bool Integer)> columns, IReadOnlyCollection<object?[]> rows)
    {
        if (rows.Count > 0)
        {
            var names = string.Join(", ", columns.Select(c => c.Column));
            var (source, parameters) = _connection.Rows("r", columns, rows);
            statements.Add(new Statement($"INSERT INTO {table} ({names}) SELECT {names} FROM {source} ORDER BY ord", parameters));
        }
    }

    // One UPDATE of every changed row to its new values; the first column finds the row (with the match).
    private void Update(List<Statement> statements, string table, string match, IReadOnlyList<(string Column, bool Integer)> columns, IReadOnlyCollection<object?[]> rows)
    {
        if (rows.Count > 0)
        {
            var (source, parameters) = _connection.Rows("r", columns, rows);
            var set = string.Join(", ", columns.Where(c => !match.Contains($"r.{c.Column}", StringComparison.Ordinal)).Select(c => $"{c.Column} = r.{c.Column}"));
            statements.Add(new Statement($"UPDATE {table} SET {set} FROM {source} WHERE {match}", parameters));
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        // Payments named by reversals and expiries, and what they were allocated.
        var paymentIds = _entries.Select(e => e.Reversal?.PaymentId ?? e.Expiry?.PaymentId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        await ReadAsync("SELECT id, terminal_id, account_code, method, amount, received, reversed, state FROM payments WHERE id IN", paymentIds, reader =>
            _payments[reader.GetString(0)] = new Payment(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetLong(4), reader.GetLong(5), reader.GetLong(6), reader.GetString(7)),
            cancellationToken).ConfigureAwait(false);
        await ReadAsync("SELECT payment_id, bill_id, amount, credited FROM payment_allocations WHERE payment_id IN", [.. _payments.Keys], reader =>
            _allocations[(reader.GetString(0), reader.GetString(1))] = new Allocation(reader.GetString(0), reader.GetString(1), reader.GetLong(2), reader.GetLong(3)),
            cancellationToken).ConfigureAwait(false);

        var codes = _entries.Select(e => e.Payment?.AccountCode).OfType<string>().Concat(_payments.Values.Select(p => p.AccountCode)).Distinct(StringComparer.Ordinal).ToList();
        await ReadAsync("SELECT code, institution_id, balance, version FROM accounts WHERE code IN", codes, reader =>
            _accounts[reader.GetString(0)] = new Account(reader.GetString(0), reader.GetString(1), reader.GetLong(2), reader.GetLong(3)),
            cancellationToken).ConfigureAwait(false);

        var billIds = _entries.SelectMany(e => (IEnumerable<AllocationDto>?)e.Payment?.Allocations ?? e.Reversal?.Allocations ?? []).Select(a => a.BillId).Distinct(StringComparer.Ordinal).ToList();
        await ReadAsync("SELECT id, account_code, paid, total, category, version FROM bills WHERE id IN", billIds, reader =>
            _bills[reader.GetString(0)] = new Bill(reader.GetString(0), reader.GetString(1), reader.GetLong(2), reader.GetLong(3), reader.GetString(4), reader.GetLong(5)),
            cancellationToken).ConfigureAwait(false);

        // Money that arrived while the terminal was offline waits for the entry of its payment.
        var transferCodes = _entries.Select(e => e.Payment?.Qr?.TransferCode).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        await ReadAsync("SELECT transfer_code FROM bank_transfers WHERE outcome = 'held' AND transfer_code IN", transferCodes, reader =>
            _heldTransferCodes.Add(reader.GetString(0)), cancellationToken).ConfigureAwait(false);
    }

    // Runs "<sql> (SELECT k FROM <keys>)" and hands each row to read; nothing when there are no keys.
    private async Task ReadAsync(string sql, IReadOnlyList<string> keys, Action<DbDataReader> read, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var (source, parameters) = _connection.Rows("keys", [("k", false)], [.. keys.Select(k => new object?[] { k })]);
        await using var command = _connection.Command($"{sql} (SELECT k FROM {source})", _transaction, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            read(reader);
        }
    }

    private interface IRow
    {
        void Written();
    }

    private sealed class Account(string code, string institutionId, long balance, long version) : IRow
    {
        public string Code { get; } = code;

        public string InstitutionId { get; } = institutionId;

        public long Balance { get; private set; } = balance;

        public long Version { get; private set; } = version;

        public bool Changed { get; private set; }

        /// <summary>Adds <paramref name="amount"/> (negative: takes it) and returns the balance and version after.</summary>
        public (long Balance, long Version) Move(long amount, long version)
        {
            (Balance, Version, Changed) = (Balance + amount, version, true);
            return (Balance, Version);
        }

        public void Written() => Changed = false;
    }

    private sealed class Bill(string id, string accountCode, long paid, long total, string category, long version) : IRow
    {
        public string Id { get; } = id;

        public string AccountCode { get; } = accountCode;

        public long Paid { get; private set; } = paid;

        public long Total { get; } = total;

        public string Category { get; } = category;

        public long Version { get; private set; } = version;

        public bool Changed { get; private set; }

        /// <summary>Adds <paramref name="amount"/> to what is paid (negative: reopens it) and returns the new version.</summary>
        public long Pay(long amount, long version)
        {
            (Paid, Version, Changed) = (Paid + amount, version, true);
            return version;
        }

        public void Written() => Changed = false;
    }

    private sealed class Payment(string id, string terminalId, string accountCode, string method, long amount, long received, long reversed, string state) : IRow
    {
        public string Id { get; } = id;

        public string TerminalId { get; } = terminalId;

        public string AccountCode { get; } = accountCode;

        public string Method { get; } = method;

        public long Amount { get; } = amount;

        public long Received { get; } = received;

        public long Reversed { get; private set; } = reversed;

        public string State { get; set; } = state;

        public bool Changed { get; set; }

        /// <summary>For a payment made in this group, what its row also holds; null once the row is written.</summary>
        public Arrival? Arrival { get; set; }

        public void Reverse(long amount, bool voided)
        {
            Reversed += amount;
            State = voided ? "voided" : Reversed >= Amount ? "refunded" : State;
            Changed = true;
        }

        /// <summary>The row in the column order of the flush's insert.</summary>
        public object?[] InsertRow() =>
            [Id, TerminalId, Arrival!.Sequence, Arrival.InstitutionId, AccountCode, Arrival.CardUid, Method, Amount, Arrival.CreatedAt, Arrival.ReceivedAt,
             Arrival.BalanceAfter, Arrival.Flags, State, Received, Arrival.TransferCode, Arrival.ExpiresAt, Reversed];

        public void Written() => (Changed, Arrival) = (false, null);
    }

    private sealed record Arrival(long Sequence, string InstitutionId, string? CardUid, string CreatedAt, string ReceivedAt, long? BalanceAfter, string Flags, string? TransferCode, string? ExpiresAt);

    private sealed class Allocation(string paymentId, string billId, long amount, long credited) : IRow
    {
        public string PaymentId { get; } = paymentId;

        public string BillId { get; } = billId;

        public long Amount { get; } = amount;

        public long Credited { get; private set; } = credited;

        public bool Changed { get; private set; }

        /// <summary>True until the row is first written.</summary>
        public bool New { get; set; }

        public void Uncredit(long amount) => (Credited, Changed) = (Math.Max(0, Credited - amount), true);

        public void Written() => (Changed, New) = (false, false);
    }
}
