using System.Net.Http.Json;
using System.Text;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The server books a batch in memory and writes it at the end. Whether a terminal sends its journal an entry at a
/// time, all at once, or cut anywhere, the ledger must come out the same, row for row, and right by hand.
/// </summary>
public abstract class PushBatchTests(ProvinceEngine engine)
{
    private const string Terminal = DemoData.HospitalTerminalId;
    private static readonly DateTimeOffset s_at = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private static JournalEntryDto Pay(long sequence, string account, string? card, string bill, long amount, string method = "card_balance") =>
        new(sequence, EntryKinds.PaymentCreated, s_at.AddMinutes(sequence),
            Payment: new PaymentCreatedDto($"{Terminal}-{sequence:D8}", account, card, method, amount, [new AllocationDto(bill, amount)], "thu-ngan-01",
                External: method == "external_card" ? new ExternalCardDto("A1B2C3", "4242") : null));

    private static JournalEntryDto Reverse(long sequence, string kind, long payment, string bill, long amount, string destination = ReversalDestinations.CardBalance) =>
        new(sequence, kind, s_at.AddMinutes(sequence),
            Reversal: new PaymentReversalDto($"{Terminal}-{payment:D8}", amount, [new AllocationDto(bill, amount)], destination,
                destination == ReversalDestinations.BankTransfer ? $"FT2611230{sequence:D4}" : null, "Thu nhầm", "thu-ngan-01", "giam-sat-01"));

    private static JournalEntryDto[] Journal(string overdraftCard)
    {
        JournalEntryDto[] entries =
        [
            Pay(1, "BN260001", "0472A9C1B2D380", "VP-BN260001-1", 100_000),
            Pay(2, "BN260001", "0472A9C1B2D380", "TU-BN260001-1", 2_000_000),        // a deposit: held on the account
            Pay(3, "BN260001", "0472A9C1B2D380", "VP-BN260001-1", 50_000),
            Reverse(4, EntryKinds.PaymentVoided, 1, "VP-BN260001-1", 100_000),
            Reverse(5, EntryKinds.PaymentRefunded, 2, "TU-BN260001-1", 500_000),     // part of the deposit given back
            Pay(6, "BN260004", overdraftCard, "VP-BN260004-1", 20_000_000),           // more than the card holds, more than the bill
            Pay(7, "BN260002", null, "VP-BN260002-1", 30_000, "external_card"),
            Pay(8, "BN999999", "04FFFFFFFFFFFF", "VP-BN260002-1", 10_000),             // no such patient
            Pay(9, "BN260003", null, "VP-KHONG-CO", 10_000),                          // no such bill
            Reverse(10, EntryKinds.PaymentRefunded, 99, "VP-BN260001-1", 10_000, ReversalDestinations.BankTransfer), // no such payment
            Reverse(11, EntryKinds.PaymentRefunded, 3, "VP-BN260001-1", 60_000, ReversalDestinations.BankTransfer),  // more than was paid
            Pay(12, "BN260001", "0472A9C1B2D380", "VP-BN260001-1", 10_000),
        ];
        var prevHash = EntryCanonicalForm.GenesisHash;
        for (var i = 0; i < entries.Length; i++)
        {
            var hash = EntryCanonicalForm.ChainHash(prevHash, entries[i]);
            entries[i] = entries[i] with { PrevHash = prevHash, Hash = hash };
            prevHash = hash;
        }

        return entries;
    }

    [Fact]
    public async Task A_journal_pushed_an_entry_at_a_time_at_once_or_cut_anywhere_books_the_same_ledger()
    {
        var ledgers = new List<(string How, string Ledger)>();
        foreach (var (how, cuts) in new (string, int[])[] { ("one push", []), ("an entry a push", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), ("cut after 3 and 9", [3, 9]) })
        {
            await using var province = await ProvinceHost.StartAsync(engine: engine);
            using var client = await province.SignedClientAsync(Terminal, DemoData.HospitalId);
            var overdraftCard = (string)(await province.ScalarAsync("SELECT uid FROM cards WHERE account_code = 'BN260004'"))!;
            var overdraftBalance = await province.BalanceAsync("BN260004");
            var journal = Journal(overdraftCard);
            var results = new List<PushEntryResult>();
            foreach (var part in Cut(journal, cuts))
            {
                using var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(Terminal, part), ContractsJsonContext.Default.PushRequest);
                response.EnsureSuccessStatusCode();
                var pushed = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
                Assert.Equal(part[^1].Sequence, pushed.HighestContiguous);
                results.AddRange(pushed.Results);
            }

            // By hand: 5.000.000 − 100.000 − 2.000.000 + 2.000.000 held − 50.000 + 100.000 voided + 500.000 refunded
            // − 500.000 deposit given back − 10.000; the bank-transfer refund does not touch the card.
            Assert.Equal(4_940_000, await province.BalanceAsync("BN260001"));
            Assert.Equal(10_000L, await LongAsync(province, "SELECT paid FROM bills WHERE id = 'VP-BN260001-1'"));
            Assert.Equal(1_500_000L, await LongAsync(province, "SELECT paid FROM bills WHERE id = 'TU-BN260001-1'"));
            Assert.Equal(overdraftBalance - 20_000_000, await province.BalanceAsync("BN260004"));
            Assert.Equal(30_000L, await LongAsync(province, "SELECT paid FROM bills WHERE id = 'VP-BN260002-1'"));
            Assert.Equal(["overdraft", "card_denied", "bill_overpaid:VP-BN260004-1"], results[5].Flags);
            Assert.Equal(["unknown_account", "unknown_bill:VP-BN260002-1"], results[7].Flags);
            Assert.Equal(["unknown_bill:VP-KHONG-CO"], results[8].Flags);
            Assert.Equal(["unknown_payment"], results[9].Flags);
            Assert.Equal(["reversed_more_than_paid"], results[10].Flags);
            Assert.Equal((4_950_000L, 0L), (results[4].BalanceAfter!.Value, results[10].Bills.Single().Paid));
            Assert.Equal("voided", (string)(await province.ScalarAsync($"SELECT state FROM payments WHERE id = '{Terminal}-00000001'"))!);
            Assert.Equal("refunded", (string)(await province.ScalarAsync($"SELECT state FROM payments WHERE id = '{Terminal}-00000003'"))!);
            Assert.Equal(5L, await LongAsync(province, "SELECT COUNT(*) FROM alerts WHERE kind IN ('payment_flagged', 'reversal_flagged')"));

            // A second push of everything changes nothing and answers with the original results.
            using (var again = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(Terminal, journal), ContractsJsonContext.Default.PushRequest))
            {
                var repeated = (await again.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
                Assert.Equal(results.Select(r => r with { Status = "duplicate" }).Select(Describe), repeated.Results.Select(Describe));
            }

            ledgers.Add((how, await LedgerAsync(province) + string.Join('\n', results.Select(Describe))));
        }

        Assert.All(ledgers, l => Assert.Equal(ledgers[0].Ledger, l.Ledger));
    }

    [Fact]
    public async Task A_journal_of_150_payments_books_the_same_ledger_in_one_push_as_in_pushes_of_ten()
    {
        // One push of 150 entries is written as one statement per table of 150 rows (each trigger on the payments
        // running once over them on PostgreSQL); pushes of ten as fifteen of ten. The ledger must not tell them apart.
        string[] accounts = ["BN260001", "BN260002", "BN260003"];
        var entries = new JournalEntryDto[150];
        var prevHash = EntryCanonicalForm.GenesisHash;
        for (var i = 0; i < entries.Length; i++)
        {
            var account = accounts[i % accounts.Length];
            var entry = Pay(i + 1, account, null, $"VP-{account}-1", 1_000 + i, i % 5 == 0 ? "external_card" : "card_balance");
            entries[i] = entry with { PrevHash = prevHash, Hash = EntryCanonicalForm.ChainHash(prevHash, entry) };
            prevHash = entries[i].Hash!;
        }

        var ledgers = new List<string>();
        foreach (var cuts in new[] { Array.Empty<int>(), [.. Enumerable.Range(1, 14).Select(n => n * 10)] })
        {
            await using var province = await ProvinceHost.StartAsync(engine: engine);
            using var client = await province.SignedClientAsync(Terminal, DemoData.HospitalId);
            foreach (var part in Cut(entries, cuts))
            {
                using var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(Terminal, part), ContractsJsonContext.Default.PushRequest);
                response.EnsureSuccessStatusCode();
                Assert.Equal(part[^1].Sequence, (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!.HighestContiguous);
            }

            Assert.Equal(150L, await LongAsync(province, $"SELECT COUNT(*) FROM payments WHERE terminal_id = '{Terminal}'"));
            Assert.Equal(150L, await LongAsync(province, $"SELECT COUNT(*) FROM edocuments WHERE payment_id LIKE '{Terminal}-%' AND purpose = 'original'"));
            ledgers.Add(await LedgerAsync(province));
        }

        Assert.Equal(ledgers[0], ledgers[1]);
    }

    [Fact]
    public async Task A_push_the_database_refuses_fails_alone_and_the_pushes_waiting_with_it_are_written()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        var clients = new Dictionary<string, HttpClient>();
        foreach (var id in new[] { "KP-NHOM-A", "KP-NHOM-B", "KP-NHOM-C" })
        {
            clients[id] = await province.SignedClientAsync(id, DemoData.SchoolId);
        }

        // A fault no validation foresees (here, a trigger an operator left behind): the database refuses one payment.
        await province.ExecuteAsync(engine == ProvinceEngine.Sqlite
            ? "CREATE TRIGGER test_refuse BEFORE INSERT ON payments WHEN NEW.account_code = 'HS240005' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            : "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.account_code = 'HS240005' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$; " +
              "CREATE TRIGGER test_refuse BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION test_refuse()");
        var before = (await province.BalanceAsync("HS240004"), await province.BalanceAsync("HS240005"), await province.BalanceAsync("HS240006"));

        Task<HttpResponseMessage> Push(string terminal, string account) => clients[terminal].PostAsJsonAsync(SyncProtocol.PushPath,
            new PushRequest(terminal, [SchoolPayment(terminal, account)]), ContractsJsonContext.Default.PushRequest);

        // The writers' lock is held while the pushes arrive, so that those behind the first queue and are written as
        // one group; whatever the grouping, the answers below must hold.
        Task<HttpResponseMessage> first, refused, good;
        await using (var connection = await province.Database.OpenAsync())
        await using (var transaction = await province.Database.BeginWriteAsync(connection))
        {
            first = Push("KP-NHOM-A", "HS240004");
            await Task.Delay(300);
            (refused, good) = (Push("KP-NHOM-B", "HS240005"), Push("KP-NHOM-C", "HS240006"));
            await Task.Delay(300);
            await transaction.RollbackAsync();
        }

        Assert.Equal(System.Net.HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await good).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, (await refused).StatusCode);
        Assert.Equal((before.Item1 - 100_000, before.Item2, before.Item3 - 100_000),
            (await province.BalanceAsync("HS240004"), await province.BalanceAsync("HS240005"), await province.BalanceAsync("HS240006")));
        Assert.Equal(0L, await LongAsync(province, "SELECT COUNT(*) FROM journal_entries WHERE terminal_id = 'KP-NHOM-B'"));

        // The fault cleared, the terminal's next push of the same entry is booked once.
        await province.ExecuteAsync("DROP TRIGGER test_refuse" + (engine == ProvinceEngine.Sqlite ? string.Empty : " ON payments"));
        using (var retried = await Push("KP-NHOM-B", "HS240005"))
        {
            retried.EnsureSuccessStatusCode();
        }

        Assert.Equal(before.Item2 - 100_000, await province.BalanceAsync("HS240005"));
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }
    }

    private static JournalEntryDto SchoolPayment(string terminal, string account)
    {
        var entry = new JournalEntryDto(1, EntryKinds.PaymentCreated, s_at,
            Payment: new PaymentCreatedDto($"{terminal}-00000001", account, null, "card_balance", 100_000, [new AllocationDto($"BT-2611-{account}", 100_000)], null));
        return entry with { PrevHash = EntryCanonicalForm.GenesisHash, Hash = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, entry) };
    }

    private static IEnumerable<JournalEntryDto[]> Cut(JournalEntryDto[] journal, int[] cuts)
    {
        var start = 0;
        foreach (var end in cuts.Append(journal.Length))
        {
            yield return journal[start..end];
            start = end;
        }
    }

    private static string Describe(PushEntryResult r) =>
        $"{r.Sequence} {r.Status} {r.AccountCode} {r.BalanceAfter} {r.AccountVersion} [{string.Join(", ", r.Bills)}] [{string.Join(", ", r.Flags)}]";

    private static async Task<long> LongAsync(ProvinceHost province, string sql) => Convert.ToInt64(await province.ScalarAsync(sql));

    // Every row the push writes or changes, as text (not the times of receipt, which differ from run to run).
    private static async Task<string> LedgerAsync(ProvinceHost province)
    {
        var text = new StringBuilder();
        foreach (var sql in new[]
        {
            "SELECT code, balance, version FROM accounts ORDER BY code",
            "SELECT uid, denied_reason FROM cards ORDER BY uid",
            "SELECT id, paid, version FROM bills ORDER BY id",
            "SELECT id, sequence, account_code, card_uid, method, amount, created_at, balance_after, flags, state, received, reversed FROM payments ORDER BY id",
            "SELECT payment_id, bill_id, amount, credited FROM payment_allocations ORDER BY payment_id, bill_id",
            "SELECT sequence, payment_id, kind, amount, destination, bank_reference, supervisor FROM reversals ORDER BY sequence",
            "SELECT terminal_id, kind, detail FROM alerts ORDER BY id",
            "SELECT sequence, kind, digest, result, prev_hash, hash FROM journal_entries ORDER BY terminal_id, sequence",
            "SELECT institution_id, day, counted, kept FROM payment_daily ORDER BY institution_id, day",
            "SELECT value FROM meta WHERE key = 'change_version'",
            "SELECT id, acked_through, anchor_hash FROM terminals ORDER BY id",
        })
        {
            text.Append(await province.RowsAsync(sql));
        }

        return text.ToString();
    }
}

/// <summary>PushBatch on the embedded SQLite file.</summary>
public sealed class PushBatchSqliteTests() : PushBatchTests(ProvinceEngine.Sqlite);

/// <summary>PushBatch on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class PushBatchPostgresTests() : PushBatchTests(ProvinceEngine.Postgres);
