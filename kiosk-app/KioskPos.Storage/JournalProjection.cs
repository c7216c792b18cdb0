using System.Globalization;
using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Province.Contracts;
using KioskPos.Storage.Sqlite;

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
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var entries = new List<JournalEntryDto>();
        await using (var command = connection.Command("SELECT body FROM journal ORDER BY sequence", transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(JsonSerializer.Deserialize(reader.GetString(0), ContractsJsonContext.Default.JournalEntryDto)!);
            }
        }

        await connection.ExecuteAsync("DELETE FROM payment_allocations; DELETE FROM payments;", transaction, cancellationToken).ConfigureAwait(false);
        var payments = 0;
        foreach (var entry in entries)
        {
            if (entry is { Kind: EntryKinds.PaymentCreated, Payment: { } p })
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO payments (id, sequence, client_request_id, account_code, card_uid, method, amount, state, operator, created_at, offline)
                    VALUES ($id, $s, $k, $a, $c, $m, $amt, $st, $op, $t, $off)
                    """,
                    transaction, cancellationToken, ("$id", p.PaymentId), ("$s", entry.Sequence), ("$k", p.ClientRequestId), ("$a", p.AccountCode), ("$c", p.CardUid),
                    ("$m", p.Method), ("$amt", p.Amount), ("$st", PaymentState.Completed.WireName()), ("$op", p.Operator),
                    ("$t", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture)), ("$off", p.Offline ? 1 : 0)).ConfigureAwait(false);
                foreach (var allocation in p.Allocations)
                {
                    await connection.ExecuteAsync(
                        "INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($p, $b, $a)",
                        transaction, cancellationToken, ("$p", p.PaymentId), ("$b", allocation.BillId), ("$a", allocation.Amount)).ConfigureAwait(false);
                }

                payments++;
            }
            else if (entry is { Kind: EntryKinds.ReceiptPrinted, Receipt: { } r })
            {
                await connection.ExecuteAsync(
                    "UPDATE payments SET receipt_state = $s, receipt_detail = $d WHERE id = $id",
                    transaction, cancellationToken, ("$s", r.Outcome), ("$d", r.Detail), ("$id", r.PaymentId)).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return payments;
    }
}
