using System.Globalization;
using System.Text.Json;
using Dapper;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Storage;

/// <summary>
/// Appends entries to the payment journal inside the caller's transaction: the next sequence without a gap,
/// SHA-256 chained to the previous entry's hash, and an outbox row so the entry reaches the province server.
/// </summary>
internal static class Journal
{
    /// <summary>The previous hash of the first entry.</summary>
    public const string GenesisHash = EntryCanonicalForm.GenesisHash;

    /// <summary>The sequence the next entry will take.</summary>
    public static async Task<(long Sequence, string PrevHash)> NextAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var last = await connection.QuerySingleOrDefaultAsync<ChainEndRow>("SELECT sequence, hash FROM journal ORDER BY sequence DESC LIMIT 1", transaction: transaction).ConfigureAwait(false);
        return last is null ? (1, GenesisHash) : (last.Sequence + 1, last.Hash);
    }

    /// <summary>Writes <paramref name="entry"/>, whose sequence must come from <see cref="NextAsync"/> in the same transaction.</summary>
    public static async Task AppendAsync(SqliteConnection connection, SqliteTransaction transaction, JournalEntryDto entry, string prevHash, string? paymentId, CancellationToken cancellationToken)
    {
        var hash = ChainHash(prevHash, entry);
        var body = JsonSerializer.Serialize(entry, ContractsJsonContext.Default.JournalEntryDto);
        await connection.ExecuteAsync(
            "INSERT INTO journal (sequence, kind, payment_id, created_at, body, prev_hash, hash) VALUES ($s, $k, $p, $t, $b, $ph, $h)",
            transaction,
            cancellationToken,
            ("$s", entry.Sequence),
            ("$k", entry.Kind),
            ("$p", paymentId),
            ("$t", entry.CreatedAt.ToString("O", CultureInfo.InvariantCulture)),
            ("$b", body),
            ("$ph", prevHash),
            ("$h", hash)).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO outbox (sequence, state) VALUES ($s, 'pending')",
            transaction,
            cancellationToken,
            ("$s", entry.Sequence)).ConfigureAwait(false);
    }

    /// <summary>SHA-256 over the previous hash and the entry's canonical encoding, lower-case hex.</summary>
    public static string ChainHash(string prevHash, JournalEntryDto entry) => EntryCanonicalForm.ChainHash(prevHash, entry);
}

/// <summary>The last journal entry: the chain's end.</summary>
internal sealed record ChainEndRow(long Sequence, string Hash);
