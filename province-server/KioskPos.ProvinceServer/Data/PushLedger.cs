using System.Data.Common;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.ProvinceServer.Ledger;
using KioskPos.Shared.Contracts;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// Storage for a group of pushes: loads what the group's entries name, hands it to the ledger
/// (<see cref="PushBooking"/>, where the booking rules are) and writes what the ledger made and changed with a few
/// statements.
/// </summary>
/// <remarks>
/// The group holds its institutions' writer locks, and every writer of balances, bills and payments takes the lock of
/// the institution it writes (or the province's): what it reads at its start stays true until it commits. So the accounts, bills, cards and payments its entries name are read once
/// (a query each), the entries are booked in memory in order, and only the rows that changed are written — one
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

    // The journal rows to insert, in the order they were made.
    private readonly List<object?[]> _journalRows = [];

    private PushLedger(DbConnection connection, DbTransaction transaction, string now, IReadOnlyList<JournalEntryDto> entries)
    {
        (_connection, _transaction, _now, _entries) = (connection, transaction, now, entries);
        Booking = new PushBooking(now, institution => ChangeVersions.Next(transaction, institution));
    }

    /// <summary>The group's ledger: book entries on it; <see cref="FlushAsync"/> writes what it holds.</summary>
    public PushBooking Booking { get; }

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

    /// <summary>Writes what is pending, so that work reading the database sees it; then reads again what that work may change.</summary>
    public async Task SyncAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        await FlushAsync([], cancellationToken).ConfigureAwait(false);
        await work().ConfigureAwait(false);
        Booking.Forget();
        await LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes every row inserted or changed since the last flush, then <paramref name="after"/>, in one batch.</summary>
    public async Task FlushAsync(IReadOnlyList<Statement> after, CancellationToken cancellationToken)
    {
        var statements = new List<Statement>();
        var booking = Booking;

        // Parents before children: the entry's row, the payment that references it, the allocations that reference the payment.
        Insert(statements, "journal_entries", [("terminal_id", false), ("sequence", true), ("kind", false), ("digest", false), ("body", false), ("result", false), ("received_at", false), ("prev_hash", false), ("hash", false)], _journalRows);
        Insert(statements, "payments",
            [("id", false), ("terminal_id", false), ("sequence", true), ("institution_id", false), ("account_code", false), ("card_uid", false), ("method", false), ("amount", true), ("created_at", false),
             ("received_at", false), ("balance_after", true), ("flags", false), ("state", false), ("received", true), ("transfer_code", false), ("expires_at", false), ("reversed", true),
             ("purpose", false)],
            [.. booking.NewPayments.Select(InsertRow)]);
        Update(statements, "payments", "payments.id = r.id", [("id", false), ("reversed", true), ("state", false)],
            [.. booking.Payments.Values.Where(p => p is { Changed: true, Arrival: null }).Select(p => new object?[] { p.Id, p.Reversed, p.State.WireName() })]);
        Insert(statements, "payment_allocations", [("payment_id", false), ("bill_id", false), ("amount", true), ("credited", true)],
            [.. booking.NewAllocations.Select(a => new object?[] { a.PaymentId, a.BillId, a.Amount, a.Credited })]);
        Update(statements, "payment_allocations", "payment_allocations.payment_id = r.payment_id AND payment_allocations.bill_id = r.bill_id", [("payment_id", false), ("bill_id", false), ("credited", true)],
            [.. booking.Allocations.Values.Where(a => a is { Changed: true, New: false }).Select(a => new object?[] { a.PaymentId, a.BillId, a.Credited })]);
        Insert(statements, "reversals",
            [("terminal_id", false), ("sequence", true), ("payment_id", false), ("kind", false), ("amount", true), ("destination", false), ("bank_reference", false), ("supervisor", false), ("created_at", false)],
            [.. booking.Reversals.Select(r => new object?[] { r.TerminalId, r.Sequence, r.PaymentId, r.Kind, r.Amount, r.Destination, r.BankReference, r.Supervisor, r.CreatedAt })]);
        Update(statements, "accounts", "accounts.code = r.code", [("code", false), ("balance", true), ("version", true)],
            [.. booking.Accounts.Values.Where(a => a.Changed).Select(a => new object?[] { a.Code, a.Balance, a.Version })]);
        Update(statements, "bills", "bills.id = r.id", [("id", false), ("paid", true), ("version", true)],
            [.. booking.Bills.Values.Where(b => b.Changed).Select(b => new object?[] { b.Id, b.Paid, b.Version })]);
        Insert(statements, "cards", [("uid", false), ("account_code", false)],
            [.. booking.Cards.Values.Where(c => c.New).Select(c => new object?[] { c.Uid, c.AccountCode })]);
        Insert(statements, "card_changes",
            [("terminal_id", false), ("sequence", true), ("action", false), ("account_code", false), ("card_uid", false), ("replaced_uid", false), ("operator", false), ("created_at", false), ("flags", false)],
            [.. booking.CardChanges.Select(c => new object?[] { c.TerminalId, c.Sequence, c.Action, c.AccountCode, c.CardUid, c.ReplacedUid, c.Operator, c.CreatedAt, c.Flags })]);
        Update(statements, "cards", "cards.uid = r.uid", [("uid", false), ("denied_reason", false), ("denied_at", false)],
            [.. booking.Cards.Values.Where(c => c.Changed).Select(c => new object?[] { c.Uid, c.DeniedHere!.Value.Reason, c.DeniedHere.Value.At })]);
        Insert(statements, "alerts", [("at", false), ("terminal_id", false), ("kind", false), ("detail", false)],
            [.. booking.Alerts.Select(a => new object?[] { a.At, a.TerminalId, a.Kind, a.Detail })]);
        statements.AddRange(after);
        await _connection.ExecuteAllAsync(statements, _transaction, cancellationToken).ConfigureAwait(false);

        // Written: from here on these rows are the database's, and only later changes are pending.
        _journalRows.Clear();
        booking.Written();
    }

    /// <summary>A new payment's row in the column order of the flush's insert.</summary>
    private static object?[] InsertRow(BookedPayment p) =>
        [p.Id, p.TerminalId, p.Arrival!.Sequence, p.Arrival.InstitutionId, p.AccountCode, p.Arrival.CardUid, p.Method.WireName(), p.Amount, p.Arrival.CreatedAt, p.Arrival.ReceivedAt,
         p.Arrival.BalanceAfter, p.Arrival.Flags, p.State.WireName(), p.Received, p.Arrival.TransferCode, p.Arrival.ExpiresAt, p.Reversed, p.Arrival.Purpose.WireName()];

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
        var booking = Booking;

        // Payments named by reversals and expiries, and what they were allocated.
        var paymentIds = _entries.Select(e => e.Reversal?.PaymentId ?? e.Expiry?.PaymentId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        foreach (var p in await ReadAsync<PaymentRow>("SELECT id, terminal_id, account_code, method, amount, received, reversed, state FROM payments WHERE id IN", paymentIds, cancellationToken).ConfigureAwait(false))
        {
            booking.Payments[p.Id] = new BookedPayment(p.Id, p.TerminalId, p.AccountCode, PaymentWireNames.ParseMethod(p.Method), p.Amount, p.Received, p.Reversed, PaymentWireNames.ParseState(p.State));
        }

        // In the order they were written, which is the order a transfer credits them (a refund reopens them backwards).
        foreach (var a in await ReadAsync<AllocationRow>("SELECT payment_id, bill_id, amount, credited FROM payment_allocations WHERE payment_id IN", [.. booking.Payments.Keys], cancellationToken, " ORDER BY rowid").ConfigureAwait(false))
        {
            booking.Allocated(new BookedAllocation(a.PaymentId, a.BillId, a.Amount, a.Credited));
        }

        var codes = _entries.Select(e => e.Payment?.AccountCode ?? e.Card?.AccountCode).OfType<string>().Concat(booking.Payments.Values.Select(p => p.AccountCode)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var a in await ReadAsync<AccountRow>("SELECT code, institution_id, balance, version FROM accounts WHERE code IN", codes, cancellationToken).ConfigureAwait(false))
        {
            booking.Accounts[a.Code] = new BookedAccount(a.Code, a.InstitutionId, a.Balance, a.Version);
        }

        // The cards card payments were made with: an overdraft denies its card.
        // And the cards issued, lost and replaced.
        var uids = _entries.Select(e => e.Payment is { Method: "card_balance" } p ? p.CardUid : null)
            .Concat(_entries.SelectMany(e => e.Card is { } c ? new[] { c.CardUid, c.ReplacedUid } : []))
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        foreach (var c in await ReadAsync<CardRow>("SELECT uid, account_code, denied_at FROM cards WHERE uid IN", uids, cancellationToken).ConfigureAwait(false))
        {
            booking.Cards[c.Uid] = new BookedCard(c.Uid, c.AccountCode, c.DeniedAt is not null);
        }

        // The bills the entries name, and those of the payments reversals name: a VietQR reversal may reopen a bill it
        // did not name (PushBooking.AsCredited).
        var billIds = _entries.SelectMany(e => (IEnumerable<AllocationDto>?)e.Payment?.Allocations ?? e.Reversal?.Allocations ?? []).Select(a => a.BillId)
            .Concat(booking.Allocations.Keys.Select(k => k.Bill)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var b in await ReadAsync<BillRow>("SELECT id, institution_id, account_code, paid, total, category, version FROM bills WHERE id IN", billIds, cancellationToken).ConfigureAwait(false))
        {
            booking.Bills[b.Id] = new BookedBill(b.Id, b.InstitutionId, b.AccountCode, b.Paid, b.Total, BillCategories.FromWireName(b.Category), b.Version);
        }

        // Money that arrived while the terminal was offline waits for the entry of its payment.
        var transferCodes = _entries.Select(e => e.Payment?.Qr?.TransferCode).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        foreach (var held in await ReadAsync<HeldTransferRow>("SELECT transfer_code FROM bank_transfers WHERE outcome = 'held' AND transfer_code IN", transferCodes, cancellationToken).ConfigureAwait(false))
        {
            booking.HeldTransferCodes.Add(held.TransferCode);
        }
    }

    // Runs "<sql> (SELECT k FROM <keys>)<orderBy>" and maps its rows by column name; nothing when there are no keys.
    private async Task<List<T>> ReadAsync<T>(string sql, IReadOnlyList<string> keys, CancellationToken cancellationToken, string orderBy = "")
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var (source, parameters) = _connection.Rows("keys", [("k", false)], [.. keys.Select(k => new object?[] { k })]);
        return await _connection.ReadAllAsync<T>($"{sql} (SELECT k FROM {source}){orderBy}", _transaction, cancellationToken, parameters).ConfigureAwait(false);
    }

    private sealed record PaymentRow
    {
        public required string Id { get; init; }

        public required string TerminalId { get; init; }

        public required string AccountCode { get; init; }

        public required string Method { get; init; }

        public long Amount { get; init; }

        public long Received { get; init; }

        public long Reversed { get; init; }

        public required string State { get; init; }
    }

    private sealed record AllocationRow
    {
        public required string PaymentId { get; init; }

        public required string BillId { get; init; }

        public long Amount { get; init; }

        public long Credited { get; init; }
    }

    private sealed record AccountRow
    {
        public required string Code { get; init; }

        public required string InstitutionId { get; init; }

        public long Balance { get; init; }

        public long Version { get; init; }
    }

    private sealed record CardRow
    {
        public required string Uid { get; init; }

        public required string AccountCode { get; init; }

        public string? DeniedAt { get; init; }
    }

    private sealed record HeldTransferRow
    {
        public required string TransferCode { get; init; }
    }

    private sealed record BillRow
    {
        public required string Id { get; init; }

        public required string InstitutionId { get; init; }

        public required string AccountCode { get; init; }

        public long Paid { get; init; }

        public long Total { get; init; }

        public required string Category { get; init; }

        public long Version { get; init; }
    }
}
