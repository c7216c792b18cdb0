using System.Data.Common;
using System.Security.Cryptography;

namespace KioskPos.ProvinceServer.Data;

/// <summary>Everything the province holds on one payer, as <c>GET /api/v1/admin/payers/{code}/export</c> answers it.</summary>
/// <param name="Code">The payer code (the ledger's key, kept after an erasure).</param>
/// <param name="InstitutionId">The school or hospital.</param>
/// <param name="Kind">pupil or patient.</param>
/// <param name="FullName">The name (a pseudonym after an erasure).</param>
/// <param name="Group">The class or ward.</param>
/// <param name="Balance">The card balance, in đồng.</param>
/// <param name="Blocked">Blocked (wrong PINs, an overdraft).</param>
/// <param name="PinSet">A card PIN is set (its hash is never exported).</param>
/// <param name="Erased">The payer's personal data was erased.</param>
/// <param name="Cards">The payer's cards.</param>
/// <param name="Bills">The payer's bills with their lines.</param>
/// <param name="Payments">Payments taken from the payer, with their allocations.</param>
/// <param name="BankTransfers">Bank transfers matched to those payments, with the bank's text.</param>
/// <param name="StatementLines">The lines of imported bank statements that are those transfers, and the lines held as possible duplicates of them, with their text.</param>
/// <param name="ExportedAt">When this was read.</param>
public sealed record PayerExport(
    string Code, string InstitutionId, string Kind, string FullName, string? Group, long Balance, bool Blocked, bool PinSet, bool Erased,
    IReadOnlyList<PayerCardExport> Cards, IReadOnlyList<PayerBillExport> Bills, IReadOnlyList<PayerPaymentExport> Payments,
    IReadOnlyList<PayerTransferExport> BankTransfers, IReadOnlyList<PayerStatementLineExport> StatementLines, DateTimeOffset ExportedAt);

/// <summary>A card of the payer.</summary>
public sealed record PayerCardExport(string Uid, string? DeniedReason, string? DeniedAt);

/// <summary>A bill of the payer.</summary>
public sealed record PayerBillExport(string Id, string Category, string Title, string? DueDate, long Total, long Paid, IReadOnlyList<PayerBillLineExport> Lines);

/// <summary>A line of a bill.</summary>
public sealed record PayerBillLineExport(string Description, long Quantity, long UnitPrice, long Amount, long InsuranceCovered);

/// <summary>A payment taken from the payer.</summary>
public sealed record PayerPaymentExport(string Id, string TerminalId, long Sequence, string Method, long Amount, string State, string CreatedAt, string? CardUid, string? TransferCode,
    IReadOnlyList<PayerAllocationExport> Allocations);

/// <summary>A payment's share of one bill.</summary>
public sealed record PayerAllocationExport(string BillId, long Amount);

/// <summary>A bank transfer matched to one of the payer's payments.</summary>
public sealed record PayerTransferExport(long Id, string BankTxnId, long Amount, string Description, string TransactionTime, string Outcome, string? PaymentId);

/// <summary>
/// A line of an imported bank statement: the line that is one of the payer's transfers (<paramref name="TransferId"/>),
/// or one held as a possible duplicate of such a line (<paramref name="HeldId"/>, with a person's decision once settled).
/// </summary>
public sealed record PayerStatementLineExport(string ConnectionId, string BookedOn, long Amount, string Description, string? Reference, string ImportedAt, long? TransferId,
    long? HeldId, string? Decision);

/// <summary>What an erasure changed.</summary>
/// <param name="Code">The payer code (kept: the ledger's key).</param>
/// <param name="Pseudonym">The name the payer now has everywhere.</param>
/// <param name="BankTransfers">Bank transfers whose text (the sender's name) was blanked.</param>
/// <param name="Deliveries">Logged webhook bodies blanked.</param>
/// <param name="StatementLines">Imported bank statement lines whose text was blanked.</param>
/// <param name="HeldStatementLines">Statement lines held as possible duplicates whose text was blanked.</param>
public sealed record PayerErasure(string Code, string Pseudonym, int BankTransfers, int Deliveries, int StatementLines, int HeldStatementLines);

/// <summary>
/// A payer's data on request (Law 91/2025/QH15): exported as JSON, or erased. An erasure replaces the name by a
/// pseudonym and drops the class or ward, the PIN's hash and the bank's texts that carry the sender's name (the
/// transfers', the logged webhook bodies, the imported statement lines' and those held beside them); the ledger
/// (payments, allocations, balances, journal entries with their hash chains) is kept as it is, under the payer code, so
/// that every total and every chain still verifies. Terminals learn the pseudonym at their next pull (the account's
/// version moves) and drop the name from their cache.
/// </summary>
internal sealed class PayerData(ProvinceDatabase database, TimeProvider time)
{
    // The bank transfers of account $c: its payments' and the top-ups credited to it (a transfer from home names no
    // payment, only the account's standing code).
    private const string TransfersOfPayer =
        "SELECT pt.id FROM bank_transfers pt WHERE pt.payment_id IN (SELECT id FROM payments WHERE account_code = $c) OR pt.id IN (SELECT transfer_id FROM top_ups WHERE account_code = $c)";

    // The imported statement lines that are those transfers.
    private const string StatementLinesOfPayer = $"SELECT ps.id FROM bank_statement_lines ps WHERE ps.transfer_id IN ({TransfersOfPayer})";

    /// <summary>What the province holds on <paramref name="code"/>, or null for an unknown payer.</summary>
    public async Task<PayerExport?> ExportAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
        var account = await connection.ReadFirstAsync<AccountRow>(
            "SELECT code, institution_id, kind, full_name, group_name, balance, blocked, pin_hash FROM accounts WHERE code = $c",
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        if (account is null)
        {
            return null;
        }

        var cards = await connection.ReadAllAsync<CardRow>(
            "SELECT uid, denied_reason, denied_at FROM cards WHERE account_code = $c ORDER BY uid", transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        var bills = await connection.ReadAllAsync<BillRow>(
            "SELECT id, category, title, due_date, total, paid FROM bills WHERE account_code = $c ORDER BY id", transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        var lines = await connection.ReadAllAsync<BillLineRow>(
            """
            SELECT l.bill_id, l.description, l.quantity, l.unit_price, l.amount, l.insurance_covered
            FROM bill_lines l JOIN bills b ON b.id = l.bill_id WHERE b.account_code = $c ORDER BY l.bill_id, l.line_no
            """,
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        var payments = await connection.ReadAllAsync<PaymentRow>(
            "SELECT id, terminal_id, sequence, method, amount, state, created_at, card_uid, transfer_code FROM payments WHERE account_code = $c ORDER BY created_at, id",
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        var allocations = await connection.ReadAllAsync<AllocationRow>(
            "SELECT a.payment_id, a.bill_id, a.amount FROM payment_allocations a JOIN payments p ON p.id = a.payment_id WHERE p.account_code = $c",
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        var transfers = await connection.ReadAllAsync<TransferRow>(
            """
            SELECT t.id, t.bank_txn_id, t.amount, t.description, t.transaction_time, t.outcome, t.payment_id
            FROM bank_transfers t
            WHERE t.payment_id IN (SELECT id FROM payments WHERE account_code = $c) OR t.id IN (SELECT transfer_id FROM top_ups WHERE account_code = $c)
            ORDER BY t.id
            """,
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        var statementLines = await connection.ReadAllAsync<StatementLineRow>(
            $"""
            SELECT connection_id, booked_on, amount, description, reference, imported_at, transfer_id, held_id, decision FROM (
              SELECT s.connection_id, s.booked_on, s.amount, s.description, s.reference, s.imported_at, s.transfer_id, CAST(NULL AS BIGINT) AS held_id,
                     CAST(NULL AS TEXT) AS decision
              FROM bank_statement_lines s WHERE s.transfer_id IN ({TransfersOfPayer})
              UNION ALL
              SELECT h.connection_id, h.booked_on, h.amount, h.description, h.reference, h.imported_at, CAST(NULL AS BIGINT), h.id, h.decision
              FROM bank_statement_held_lines h WHERE h.duplicate_of IN ({StatementLinesOfPayer}) OR h.statement_line_id IN ({StatementLinesOfPayer})) l
            ORDER BY booked_on, imported_at, COALESCE(held_id, 0)
            """,
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);

        return new PayerExport(
            account.Code, account.InstitutionId, account.Kind, account.FullName, account.GroupName, account.Balance, account.Blocked != 0, account.PinHash is not null,
            Erasure.IsPseudonym(account.FullName),
            cards.ConvertAll(c => new PayerCardExport(c.Uid, c.DeniedReason, c.DeniedAt)),
            bills.ConvertAll(b => new PayerBillExport(b.Id, b.Category, b.Title, b.DueDate, b.Total, b.Paid,
                lines.Where(l => l.BillId == b.Id).Select(l => new PayerBillLineExport(l.Description, l.Quantity, l.UnitPrice, l.Amount, l.InsuranceCovered)).ToList())),
            payments.ConvertAll(p => new PayerPaymentExport(p.Id, p.TerminalId, p.Sequence, p.Method, p.Amount, p.State, p.CreatedAt, p.CardUid, p.TransferCode,
                allocations.Where(a => a.PaymentId == p.Id).Select(a => new PayerAllocationExport(a.BillId, a.Amount)).ToList())),
            transfers.ConvertAll(t => new PayerTransferExport(t.Id, t.BankTxnId, t.Amount, t.Description, t.TransactionTime, t.Outcome, t.PaymentId)),
            statementLines.ConvertAll(l => new PayerStatementLineExport(l.ConnectionId, l.BookedOn, l.Amount, l.Description, l.Reference, l.ImportedAt, l.TransferId, l.HeldId, l.Decision)),
            time.GetUtcNow());
    }

    /// <summary>Erases <paramref name="code"/>'s personal data (once; again it changes nothing more), or null for an unknown payer.</summary>
    public async Task<PayerErasure?> EraseAsync(string code, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var name = (string?)await connection.ScalarAsync("SELECT full_name FROM accounts WHERE code = $c", transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        if (name is null)
        {
            return null;
        }

        // A random pseudonym: a hash of the name could be reversed by trying the names of a school's pupils.
        var pseudonym = Erasure.IsPseudonym(name) ? name : Erasure.PseudonymPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        var version = await ChangeVersions.NextForAccountAsync(connection, transaction, code, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE accounts SET full_name = $n, group_name = NULL, pin_hash = NULL, pin_failures = 0, version = $v WHERE code = $c",
            transaction, cancellationToken, ("$n", pseudonym), ("$v", version), ("$c", code)).ConfigureAwait(false);

        // The bank's texts name the sender: the logged bodies go (they were kept for replay), and the transfer's text
        // keeps its transfer code only (what matched it); amounts, ids and outcomes stay for reconciliation. That is
        // every transfer of the account: its payments' and the top-ups credited to it (a transfer from home names no
        // payment, only the account's standing code).
        var deliveries = await connection.ExecuteAsync(
            """
            UPDATE bank_deliveries SET body = $e
            WHERE body <> $e AND id IN (
                SELECT t.delivery_id FROM bank_transfers t
                WHERE t.payment_id IN (SELECT id FROM payments WHERE account_code = $c) OR t.id IN (SELECT transfer_id FROM top_ups WHERE account_code = $c))
            """,
            transaction, cancellationToken, ("$e", Erasure.DeliveryBody), ("$c", code)).ConfigureAwait(false);
        // A flagged transfer's alert quotes its text (TransferMatching.MatchAsync): the quote becomes what the transfer's
        // text becomes, before the transfer's text goes.
        await connection.ExecuteAsync(
            $"""
            UPDATE alerts SET detail = (
                SELECT replace(alerts.detail, ' VND, ''' || t.description || '''): ', ' VND, ''' || COALESCE(t.transfer_code, '') || ' ' || $e || '''): ')
                FROM bank_transfers t WHERE alerts.detail LIKE 'bank transfer ' || t.id || ' (%' AND t.id IN ({TransfersOfPayer}))
            WHERE kind = 'transfer_flagged'
              AND EXISTS (SELECT 1 FROM bank_transfers t WHERE alerts.detail LIKE 'bank transfer ' || t.id || ' (%' AND t.id IN ({TransfersOfPayer}))
            """,
            transaction, cancellationToken, ("$e", Erasure.Marker), ("$c", code)).ConfigureAwait(false);
        var transfers = await connection.ExecuteAsync(
            """
            UPDATE bank_transfers SET description = COALESCE(transfer_code, '') || ' ' || $e
            WHERE description NOT LIKE '%' || $e
              AND (payment_id IN (SELECT id FROM payments WHERE account_code = $c) OR id IN (SELECT transfer_id FROM top_ups WHERE account_code = $c))
            """,
            transaction, cancellationToken, ("$e", Erasure.Marker), ("$c", code)).ConfigureAwait(false);
        var (lines, held) = await EraseStatementLinesAsync(connection, transaction, code, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PayerErasure(code, pseudonym, transfers, deliveries, lines, held);
    }

    // The statement lines an accountant imported carry the sender's name too: those that are the account's transfers,
    // and those held as possible duplicates of them. Their text keeps the transfer code, as the transfers' does. The
    // statement import compares a new line's text with the stored lines' (BankLedger.ImportStatementAsync: the same
    // bank line in another export is held, not credited twice), so each line's text digest is stored before its text
    // goes; a line stored before migration 0038 has none until then.
    private static async Task<(int Lines, int Held)> EraseStatementLinesAsync(DbConnection connection, DbTransaction transaction, string code,
        CancellationToken cancellationToken)
    {
        var lines = await connection.ReadAllAsync<StatementTextRow>(
            $"SELECT s.id, s.description, s.text_digest, t.transfer_code FROM bank_statement_lines s JOIN bank_transfers t ON t.id = s.transfer_id WHERE s.transfer_id IN ({TransfersOfPayer})",
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);
        var held = await connection.ReadAllAsync<HeldTextRow>(
            $"""
            SELECT h.id, h.description, h.text_digest, h.duplicate_of, h.statement_line_id FROM bank_statement_held_lines h
            WHERE h.duplicate_of IN ({StatementLinesOfPayer}) OR h.statement_line_id IN ({StatementLinesOfPayer})
            """,
            transaction, cancellationToken, ("$c", code)).ConfigureAwait(false);

        // A held line keeps the transfer code of the line it became once credited, or else of the line it may duplicate.
        var codes = lines.ToDictionary(l => l.Id, l => l.TransferCode);
        string Blank(long lineId) => Erasure.Text(codes.GetValueOrDefault(lineId));
        List<Statement> updates =
        [
            .. lines.Where(l => !Erasure.IsErased(l.Description)).Select(l => new Statement(
                "UPDATE bank_statement_lines SET text_digest = $d, description = $t WHERE id = $id",
                ("$d", l.TextDigest ?? BankLedger.SameTextDigest(l.Description)), ("$t", Blank(l.Id)), ("$id", l.Id))),
        ];
        var erasedLines = updates.Count;
        updates.AddRange(held.Where(h => !Erasure.IsErased(h.Description)).Select(h => new Statement(
            "UPDATE bank_statement_held_lines SET text_digest = $d, description = $t WHERE id = $id",
            ("$d", h.TextDigest ?? BankLedger.SameTextDigest(h.Description)),
            ("$t", Blank(h.StatementLineId is { } credited && codes.ContainsKey(credited) ? credited : h.DuplicateOf)), ("$id", h.Id))));
        await connection.ExecuteAllAsync(updates, transaction, cancellationToken).ConfigureAwait(false);
        return (erasedLines, updates.Count - erasedLines);
    }

    private sealed record StatementLineRow
    {
        public required string ConnectionId { get; init; }

        public required string BookedOn { get; init; }

        public long Amount { get; init; }

        public required string Description { get; init; }

        public string? Reference { get; init; }

        public required string ImportedAt { get; init; }

        public long? TransferId { get; init; }

        public long? HeldId { get; init; }

        public string? Decision { get; init; }
    }

    private sealed record StatementTextRow
    {
        public long Id { get; init; }

        public required string Description { get; init; }

        public string? TextDigest { get; init; }

        public string? TransferCode { get; init; }
    }

    private sealed record HeldTextRow
    {
        public long Id { get; init; }

        public required string Description { get; init; }

        public string? TextDigest { get; init; }

        public long DuplicateOf { get; init; }

        public long? StatementLineId { get; init; }
    }

    private sealed record AccountRow
    {
        public required string Code { get; init; }

        public required string InstitutionId { get; init; }

        public required string Kind { get; init; }

        public required string FullName { get; init; }

        public string? GroupName { get; init; }

        public long Balance { get; init; }

        public long Blocked { get; init; }

        public string? PinHash { get; init; }
    }

    private sealed record CardRow
    {
        public required string Uid { get; init; }

        public string? DeniedReason { get; init; }

        public string? DeniedAt { get; init; }
    }

    private sealed record BillRow
    {
        public required string Id { get; init; }

        public required string Category { get; init; }

        public required string Title { get; init; }

        public string? DueDate { get; init; }

        public long Total { get; init; }

        public long Paid { get; init; }
    }

    private sealed record PaymentRow
    {
        public required string Id { get; init; }

        public required string TerminalId { get; init; }

        public long Sequence { get; init; }

        public required string Method { get; init; }

        public long Amount { get; init; }

        public required string State { get; init; }

        public required string CreatedAt { get; init; }

        public string? CardUid { get; init; }

        public string? TransferCode { get; init; }
    }

    private sealed record AllocationRow
    {
        public required string PaymentId { get; init; }

        public required string BillId { get; init; }

        public long Amount { get; init; }
    }

    private sealed record TransferRow
    {
        public long Id { get; init; }

        public required string BankTxnId { get; init; }

        public long Amount { get; init; }

        public required string Description { get; init; }

        public required string TransactionTime { get; init; }

        public required string Outcome { get; init; }

        public string? PaymentId { get; init; }
    }
}
