using BenchmarkDotNet.Attributes;
using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using Microsoft.Data.Sqlite;

namespace KioskPos.Benchmarks;

/// <summary>
/// What durability costs and what our journal adds to it. The baseline is the least a durable write can be: a
/// raw Microsoft.Data.Sqlite insert + commit on a connection with the same pragmas (WAL, synchronous=FULL). The
/// journal append adds the sequence read, the hash chain and the outbox row; the payment adds the checks.
/// Ratio = mean / baseline mean, measured in the same run.
/// </summary>
[MemoryDiagnoser]
public class JournalAppendBenchmarks
{
    private string _folder = string.Empty;
    private SqliteDatabase _raw = null!;
    private SqliteDatabase _terminal = null!;
    private PaymentStore _payments = null!;
    private long _rawSequence;
    private int _card;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("kioskpos-bench-").FullName;
        _raw = new SqliteDatabase(Path.Combine(_folder, "raw.db"), [new Migration(1, "raw", "CREATE TABLE entries (sequence INTEGER PRIMARY KEY, body TEXT NOT NULL);")]);
        await _raw.MigrateAsync();

        _terminal = TerminalSchema.Open(Path.Combine(_folder, "terminal.db"));
        await _terminal.MigrateAsync();
        var catalogue = new CatalogueStore(_terminal);

        // Enough accounts with large balances and open bills that every iteration pays a fresh bill.
        var accounts = Enumerable.Range(0, 200).Select(i => new AccountDto($"HS{i:D6}", "pupil", "Nguyễn Minh Anh", "6A", 1_000_000_000, false, [$"04{i:X6}"], i + 1)).ToList();
        var bills = accounts.Select((a, i) => new BillDto($"B{i:D6}", a.Code, "ban_tru", "Bán trú", null, 900_000_000, 0, [], 1000 + i)).ToList();
        await catalogue.ApplyPullAsync(new PullResponse("bench.1", true, false, new InstitutionDto("I", "Trường", "lower_secondary", "Mỹ Tho"), accounts, bills, DateTimeOffset.UtcNow));
        _payments = new PaymentStore(_terminal, "KP-BENCH-01", TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw insert+commit (same pragmas)")]
    public async Task RawInsertCommitAsync()
    {
        await using var connection = await _raw.OpenAsync();
        await using var transaction = connection.BeginTransaction(deferred: false);
        await connection.ExecuteAsync(
            "INSERT INTO entries (sequence, body) VALUES ($s, $b)", transaction, default,
            ("$s", ++_rawSequence), ("$b", "{\"sequence\":1,\"kind\":\"receipt.printed\",\"createdAt\":\"2026-11-23T02:00:00Z\",\"receipt\":{\"paymentId\":\"KP-01-00000001\",\"outcome\":\"printed\",\"detail\":null}}"));
        await transaction.CommitAsync();
    }

    [Benchmark(Description = "journal append (hash chain + outbox)")]
    public async Task JournalAppendAsync()
    {
        await using var connection = await _terminal.OpenAsync();
        await using var transaction = connection.BeginTransaction(deferred: false);
        var (sequence, prevHash) = await Journal.NextAsync(connection, transaction, default);
        var entry = new JournalEntryDto(sequence, EntryKinds.ReceiptPrinted, DateTimeOffset.UtcNow, Receipt: new ReceiptPrintedDto("KP-01-00000001", "printed", null));
        await Journal.AppendAsync(connection, transaction, entry, prevHash, null, default);
        await transaction.CommitAsync();
    }

    [Benchmark(Description = "card-balance payment (checks + journal)")]
    public async Task CardPaymentAsync()
    {
        var i = _card++ % 200;
        await _payments.CreateAsync(new CreatePaymentCommand(null, $"HS{i:D6}", $"04{i:X6}", PaymentMethod.CardBalance, [new RequestedAllocation($"B{i:D6}", 1_000)], null));
    }
}
