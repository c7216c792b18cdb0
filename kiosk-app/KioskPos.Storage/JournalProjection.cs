using System.Text.Json;
using Dapper;
using KioskPos.Core.Domain;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage;

/// <summary>
/// The payments and their receipt states are derived from the journal: they are written in the same transaction
/// as each entry for speed, and <see cref="RebuildAsync"/> derives them again from the journal alone (after a
/// repair, or to prove that nothing but the journal is the record).
/// </summary>
public static class JournalProjection
{
    /// <summary>Replaces the payment rows with what the journal says, in one transaction; returns the payments derived.</summary>
    public static async Task<int> RebuildAsync(SqliteDatabase database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var entries = new List<JournalEntryDto>();
        await foreach (var body in connection.QueryUnbufferedAsync<string>("SELECT body FROM journal ORDER BY sequence", transaction: transaction).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(JsonSerializer.Deserialize(body, ContractsJsonContext.Default.JournalEntryDto)!);
        }

        await connection.ExecuteAsync("DELETE FROM card_changes; DELETE FROM reversal_allocations; DELETE FROM reversals; DELETE FROM shifts; DELETE FROM confirmations; DELETE FROM payment_allocations; DELETE FROM payments;", transaction, cancellationToken).ConfigureAwait(false);
        var payments = 0;
        foreach (var entry in entries)
        {
            switch (entry)
            {
                case { Kind: EntryKinds.PaymentCreated, Payment: { } p }:
                    var state = PaymentRules.InitialState(StoredNames.ToPaymentMethod(p.Method));
                    await PaymentStore.InsertPaymentAsync(connection, transaction, entry, state, cancellationToken).ConfigureAwait(false);
                    payments++;
                    break;
                case { Kind: EntryKinds.ReceiptPrinted, Receipt: { } r }:
                    await connection.ExecuteAsync(
                        "UPDATE payments SET receipt_state = $s, receipt_detail = $d WHERE id = $id",
                        transaction, cancellationToken, ("$s", r.Outcome), ("$d", r.Detail), ("$id", r.PaymentId)).ConfigureAwait(false);
                    break;
                case { Kind: EntryKinds.PaymentConfirmed, Confirmation: { } c }:
                    await PaymentStore.ApplyConfirmationAsync(connection, transaction, c, entry.Sequence, cancellationToken).ConfigureAwait(false);
                    break;
                case { Kind: EntryKinds.PaymentVoided or EntryKinds.PaymentRefunded, Reversal: not null }:
                    await ReversalStore.ApplyReversalAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
                    break;
                case { Kind: EntryKinds.ShiftClosed, Shift: not null }:
                    await ReversalStore.RecordShiftAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
                    break;
                case { Kind: EntryKinds.CardChanged, Card: not null }:
                    await CardStore.RecordAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
                    break;
                case { Kind: EntryKinds.PaymentExpired, Expiry: { } x }:
                    await connection.ExecuteAsync("UPDATE payments SET state = $expired WHERE id = $id AND state = $pending",
                        transaction, cancellationToken, ("$expired", PaymentState.Expired.ToStored()), ("$pending", PaymentState.Pending.ToStored()), ("$id", x.PaymentId)).ConfigureAwait(false);
                    break;
            }
        }

        await CardStore.ReapplyPendingAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return payments;
    }
}
