using System.Text.Json;
using Dapper;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;

namespace KioskPos.Storage;

/// <summary>One thing wrong with the journal.</summary>
/// <param name="Sequence">Where it was found.</param>
/// <param name="Kind"><c>missing</c>, <c>edited</c>, <c>reordered</c>, <c>chain_broken</c> or <c>projection_differs</c>.</param>
/// <param name="Message">What is wrong, in English.</param>
public sealed record JournalProblem(long Sequence, string Kind, string Message);

/// <summary>The outcome of <see cref="JournalVerifier.VerifyAsync"/>.</summary>
/// <param name="Ok">True when the journal is whole: no entry edited, deleted or reordered.</param>
/// <param name="Entries">How many entries were read.</param>
/// <param name="LastSequence">The last sequence.</param>
/// <param name="LastHash">The hash at the head of the chain (what the server anchors).</param>
/// <param name="Problems">What is wrong, at most 100 items.</param>
public sealed record JournalVerification(bool Ok, long Entries, long LastSequence, string LastHash, IReadOnlyList<JournalProblem> Problems);

/// <summary>
/// Walks the journal from its first entry: every sequence present without a gap, every entry's hash matching its
/// content and the hash before it, each payment row matching the entry that created it. An edited, deleted or
/// reordered entry breaks one of these.
/// </summary>
public sealed class JournalVerifier(SqliteDatabase database)
{
    private const int MaxProblems = 100;

    /// <summary>Verifies the whole journal (read-only; safe while the terminal runs).</summary>
    public async Task<JournalVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<JournalProblem>();
        void Report(long sequence, string kind, string message)
        {
            if (problems.Count < MaxProblems)
            {
                problems.Add(new JournalProblem(sequence, kind, message));
            }
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var payments = new Dictionary<string, (string Account, long Amount)>(StringComparer.Ordinal);
        await foreach (var payment in connection.QueryUnbufferedAsync<PaymentTotalRow>("SELECT id, account_code, amount FROM payments", transaction: transaction).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            payments[payment.Id] = (payment.AccountCode, payment.Amount);
        }

        long expected = 1, entries = 0, last = 0;
        var prev = EntryCanonicalForm.GenesisHash;
        await foreach (var stored in connection.QueryUnbufferedAsync<JournalRow>("SELECT sequence, body, prev_hash, hash FROM journal ORDER BY sequence", transaction: transaction).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var sequence = stored.Sequence;
            var storedPrev = stored.PrevHash;
            var storedHash = stored.Hash;
            entries++;
            last = sequence;
            if (sequence != expected)
            {
                Report(expected, "missing", sequence - expected == 1 ? $"Entry {expected} is missing." : $"Entries {expected} to {sequence - 1} are missing.");
            }

            if (storedPrev != prev)
            {
                Report(sequence, "chain_broken", $"Entry {sequence} does not link to the entry before it (deleted, inserted or reordered entries).");
            }

            JournalEntryDto? entry = null;
            try
            {
                entry = JsonSerializer.Deserialize(stored.Body, ContractsJsonContext.Default.JournalEntryDto);
            }
            catch (JsonException e)
            {
                Report(sequence, "edited", $"Entry {sequence} is not readable: {e.Message}");
            }

            if (entry is not null)
            {
                if (entry.Sequence != sequence)
                {
                    Report(sequence, "reordered", $"Entry at {sequence} says it is entry {entry.Sequence}.");
                }
                else if (EntryCanonicalForm.ChainHash(storedPrev, entry) != storedHash)
                {
                    Report(sequence, "edited", $"Entry {sequence} does not match its hash: its content was changed after it was written.");
                }

                if (entry.Payment is { } p && (!payments.TryGetValue(p.PaymentId, out var row) || row.Account != p.AccountCode || row.Amount != p.Amount))
                {
                    Report(sequence, "projection_differs", $"Payment {p.PaymentId} differs from (or is missing beside) the entry that created it.");
                }
            }

            prev = storedHash;
            expected = sequence + 1;
        }

        return new JournalVerification(problems.Count == 0, entries, last, prev, problems);
    }
}

/// <summary>A journal row as stored.</summary>
internal sealed record JournalRow(long Sequence, string Body, string PrevHash, string Hash);

/// <summary>What the verifier compares of a payment row with the entry that created it.</summary>
internal sealed record PaymentTotalRow(string Id, string AccountCode, long Amount);
