using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.Receipts;
using KioskPos.Province.Contracts;
using KioskPos.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>A request to take a payment.</summary>
/// <param name="ClientRequestId">The caller's idempotency key: the same key returns the same payment, never a second one.</param>
/// <param name="AccountCode">The payer.</param>
/// <param name="CardUid">The card presented (required for a card-balance payment).</param>
/// <param name="Method">How it is paid.</param>
/// <param name="Bills">The bills to pay.</param>
/// <param name="Operator">The cashier, if any.</param>
/// <param name="AuthorisedBalance">The balance the province server reported when it authorised the payment; null offline.</param>
/// <param name="Offline">True when taken within the offline limits, without the server's authorisation.</param>
public sealed record CreatePaymentCommand(
    string? ClientRequestId,
    string AccountCode,
    string? CardUid,
    PaymentMethod Method,
    IReadOnlyList<RequestedAllocation> Bills,
    string? Operator,
    Core.Money.Vnd? AuthorisedBalance = null,
    bool Offline = false);

/// <summary>A payment taken, or found again by its idempotency key.</summary>
/// <param name="Payment">The payment.</param>
/// <param name="Replayed">True when the key had been used before and this is the original payment.</param>
public sealed record PaymentResult(Payment Payment, bool Replayed);

/// <summary>Takes payments: the checks, the journal entry, the payment row and the outbox row in one transaction.</summary>
public sealed class PaymentStore(SqliteDatabase database, string terminalId, TimeProvider time)
{
    /// <summary>
    /// Takes a payment. When this returns, the payment is committed with <c>synchronous=FULL</c> and may be
    /// acknowledged to the payer; when it throws, nothing was written.
    /// </summary>
    /// <exception cref="PaymentRefusedException">The payment must not be taken; the refusal says why.</exception>
    public async Task<PaymentResult> CreateAsync(CreatePaymentCommand command, CancellationToken cancellationToken = default)
    {
        if (command.Method != PaymentMethod.CardBalance)
        {
            throw new PaymentRefusedException(PaymentRefusal.MethodNotAvailable(command.Method.WireName()));
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE: the balance check and the write happen under one write lock, so two payments on the
        // same card cannot both pass the check.
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (command.ClientRequestId is { } key &&
            await connection.ScalarAsync("SELECT id FROM payments WHERE client_request_id = $k", transaction, cancellationToken, ("$k", key)).ConfigureAwait(false) is string existingId)
        {
            var existing = await ReadPaymentAsync(connection, transaction, existingId, cancellationToken).ConfigureAwait(false);
            return new PaymentResult(existing!, Replayed: true);
        }

        var account = await CatalogueStore.FindAccountAsync(connection, transaction, null, command.AccountCode, cancellationToken).ConfigureAwait(false)
            ?? throw new PaymentRefusedException(PaymentRefusal.PayerNotFound(command.AccountCode));
        if (command.CardUid is null)
        {
            throw new PaymentRefusedException(PaymentRefusal.CardNotPresented());
        }

        if (!account.CardUids.Contains(command.CardUid, StringComparer.Ordinal))
        {
            throw new PaymentRefusedException(PaymentRefusal.CardNotRecognised(command.CardUid));
        }

        if (account.Refuses(command.CardUid))
        {
            throw new PaymentRefusedException(PaymentRefusal.CardBlocked());
        }

        var bills = await CatalogueStore.ReadBillsAsync(connection, transaction, account.Code, cancellationToken).ConfigureAwait(false);
        // Online, the server's balance is the truth (the cache may be behind a top-up or another terminal's debit);
        // offline, the cached one. Either way less what this terminal took that the server does not have yet.
        var available = (command.AuthorisedBalance ?? account.Balance) - await CatalogueStore.UnsyncedDebitsAsync(connection, transaction, account.Code, cancellationToken).ConfigureAwait(false);
        var allocations = PaymentPlanner.PlanCardBalancePayment(account, bills, command.Bills, available);
        var amount = Vnd.Sum(allocations.Select(a => a.Amount));

        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var id = Payment.MakeId(terminalId, sequence);
        var entry = new JournalEntryDto(
            sequence,
            EntryKinds.PaymentCreated,
            now,
            Payment: new PaymentCreatedDto(id, account.Code, command.CardUid, command.Method.WireName(), amount.Value,
                allocations.Select(a => new AllocationDto(a.BillId, a.Amount.Value)).ToList(), command.Operator, command.Offline, command.ClientRequestId));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, id, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO payments (id, sequence, client_request_id, account_code, card_uid, method, amount, state, operator, created_at, offline)
            VALUES ($id, $s, $k, $a, $c, $m, $amt, $st, $op, $t, $off)
            """,
            transaction, cancellationToken, ("$id", id), ("$s", sequence), ("$k", command.ClientRequestId), ("$a", account.Code), ("$c", command.CardUid),
            ("$m", command.Method.WireName()), ("$amt", amount.Value), ("$st", PaymentState.Completed.WireName()), ("$op", command.Operator),
            ("$t", now.ToString("O", CultureInfo.InvariantCulture)), ("$off", command.Offline ? 1 : 0)).ConfigureAwait(false);
        foreach (var allocation in allocations)
        {
            await connection.ExecuteAsync(
                "INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($p, $b, $a)",
                transaction, cancellationToken, ("$p", id), ("$b", allocation.BillId), ("$a", allocation.Amount.Value)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PaymentResult(
            new Payment(id, terminalId, sequence, command.Method, amount, account.Code, command.CardUid, allocations, PaymentState.Completed, SyncState.Queued, now, command.Operator, [], command.Offline),
            Replayed: false);
    }

    /// <summary>
    /// What this terminal has at stake offline: what <paramref name="cardUid"/> paid offline since
    /// <paramref name="dayStart"/>, and all offline payments the server does not have yet.
    /// </summary>
    public async Task<(Vnd CardToday, Vnd UnsyncedTotal)> GetOfflineExposureAsync(string cardUid, DateTimeOffset dayStart, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var card = Convert.ToInt64(await connection.ScalarAsync(
            "SELECT COALESCE(SUM(amount), 0) FROM payments WHERE offline = 1 AND card_uid = $c AND created_at >= $d",
            null, cancellationToken, ("$c", cardUid), ("$d", dayStart.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var unsynced = Convert.ToInt64(await connection.ScalarAsync(
            "SELECT COALESCE(SUM(p.amount), 0) FROM payments p JOIN outbox o ON o.sequence = p.sequence WHERE p.offline = 1 AND o.state <> 'sent'",
            null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return (new Vnd(card), new Vnd(unsynced));
    }

    /// <summary>The payment taken earlier under an idempotency key, or null.</summary>
    public async Task<Payment?> FindByClientRequestIdAsync(string clientRequestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var id = (string?)await connection.ScalarAsync("SELECT id FROM payments WHERE client_request_id = $k", null, cancellationToken, ("$k", clientRequestId)).ConfigureAwait(false);
        return id is null ? null : await ReadPaymentAsync(connection, null, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The payment with <paramref name="id"/>, or null.</summary>
    public async Task<Payment?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadPaymentAsync(connection, null, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The most recent payments, newest first.</summary>
    public async Task<IReadOnlyList<Payment>> ListRecentAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        await using (var command = connection.Command("SELECT id FROM payments ORDER BY sequence DESC LIMIT $n", null, ("$n", Math.Clamp(limit, 1, 500))))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetString(0));
            }
        }

        var payments = new List<Payment>(ids.Count);
        foreach (var id in ids)
        {
            payments.Add((await ReadPaymentAsync(connection, null, id, cancellationToken).ConfigureAwait(false))!);
        }

        return payments;
    }

    /// <summary>Records a print outcome as a journal entry and on the payment, in one transaction.</summary>
    public async Task RecordReceiptAsync(string paymentId, bool printed, string? detail, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var outcome = printed ? "printed" : "failed";
        var changed = await connection.ExecuteAsync(
            "UPDATE payments SET receipt_state = $s, receipt_detail = $d WHERE id = $id",
            transaction, cancellationToken, ("$s", outcome), ("$d", detail), ("$id", paymentId)).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new KeyNotFoundException($"No payment {paymentId}.");
        }

        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var entry = new JournalEntryDto(sequence, EntryKinds.ReceiptPrinted, time.GetUtcNow(), Receipt: new ReceiptPrintedDto(paymentId, outcome, detail));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, paymentId, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Everything the receipt of <paramref name="paymentId"/> shows, read from the database (also for reprints).</summary>
    public async Task<Receipt?> BuildReceiptAsync(string paymentId, TimeZoneInfo localZone, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var payment = await ReadPaymentAsync(connection, null, paymentId, cancellationToken).ConfigureAwait(false);
        var institution = await CatalogueStore.ReadInstitutionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (payment is null || institution is null)
        {
            return null;
        }

        var account = await CatalogueStore.FindAccountAsync(connection, null, null, payment.AccountCode, cancellationToken).ConfigureAwait(false);
        var bills = (await CatalogueStore.ReadBillsAsync(connection, null, payment.AccountCode, cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Id);
        var items = payment.Allocations
            .Select(a => bills.TryGetValue(a.BillId, out var bill)
                ? new ReceiptItem(bill.Title, bill.Category, a.Amount, bill.Outstanding)
                : new ReceiptItem(a.BillId, BillCategory.Other, a.Amount, Vnd.Zero))
            .ToList();
        Vnd? balanceAfter = null;
        if (payment.Method == PaymentMethod.CardBalance && account is not null)
        {
            balanceAfter = account.Balance - await CatalogueStore.UnsyncedDebitsAsync(connection, null, account.Code, cancellationToken).ConfigureAwait(false);
        }

        return new Receipt(
            institution, payment.TerminalId, payment.Id, TimeZoneInfo.ConvertTime(payment.CreatedAt, localZone),
            payment.AccountCode, account?.FullName ?? payment.AccountCode, account?.Kind ?? PayerKind.Pupil, account?.Group,
            items, payment.Amount, payment.Method, payment.CardUid, balanceAfter, payment.Operator);
    }

    private async Task<Payment?> ReadPaymentAsync(SqliteConnection connection, SqliteTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        Payment payment;
        await using (var command = connection.Command(
            """
            SELECT p.id, p.sequence, p.method, p.amount, p.account_code, p.card_uid, p.state, o.state, p.created_at, p.operator, o.server_flags, p.offline,
                   p.receipt_state, p.receipt_detail
            FROM payments p JOIN outbox o ON o.sequence = p.sequence WHERE p.id = $id
            """,
            transaction, ("$id", id)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            PaymentWireNames.TryParseMethod(reader.GetString(2), out var method);
            var state = Enum.Parse<PaymentState>(reader.GetString(6), ignoreCase: true);
            var sync = reader.GetString(7) switch
            {
                "sent" => SyncState.Synced,
                "rejected" => SyncState.Rejected,
                _ => SyncState.Queued,
            };
            payment = new Payment(
                reader.GetString(0), terminalId, reader.GetInt64(1), method, new Vnd(reader.GetInt64(3)), reader.GetString(4), reader.GetNullableString(5),
                [], state, sync, DateTimeOffset.Parse(reader.GetString(8), CultureInfo.InvariantCulture), reader.GetNullableString(9),
                reader.GetString(10).Split(' ', StringSplitOptions.RemoveEmptyEntries), reader.GetInt64(11) != 0,
                reader.GetString(12), reader.GetNullableString(13));
        }

        var allocations = new List<PaymentAllocation>();
        await using var allocationCommand = connection.Command("SELECT bill_id, amount FROM payment_allocations WHERE payment_id = $id ORDER BY rowid", transaction, ("$id", id));
        await using var allocationReader = await allocationCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await allocationReader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            allocations.Add(new PaymentAllocation(allocationReader.GetString(0), new Vnd(allocationReader.GetInt64(1))));
        }

        return payment with { Allocations = allocations };
    }
}
