using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The change counter and the writer lock per institution (migration 0028): two institutions' pushes commit side by
/// side on PostgreSQL, a writer that may touch any institution still excludes both, and a terminal pulling while
/// both institutions and the province write ends with exactly the server's rows (no row missed, though versions of
/// different institutions commit out of order).
/// </summary>
public abstract class InstitutionWritersTests(ProvinceEngine engine)
{
    private static readonly DateTimeOffset s_at = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    // A card payment of 1,000 ₫ on the account's bill, as the terminal's journal records it.
    private static JournalEntryDto Pay(string terminal, long sequence, string account, string bill) =>
        new(sequence, EntryKinds.PaymentCreated, s_at.AddSeconds(sequence),
            Payment: new PaymentCreatedDto($"{terminal}-{sequence:D8}", account, null, "card_balance", 1_000, [new AllocationDto(bill, 1_000)], "thu-ngan-01"));

    /// <summary>A terminal's journal: entries made on demand, hash-chained from the genesis hash.</summary>
    private sealed class Journal(string terminal, Func<long, (string Account, string Bill)> pick)
    {
        private long _sequence;
        private string _prevHash = EntryCanonicalForm.GenesisHash;

        public PushRequest Next(int count)
        {
            var entries = new List<JournalEntryDto>();
            for (var i = 0; i < count; i++)
            {
                var (account, bill) = pick(++_sequence);
                var entry = Pay(terminal, _sequence, account, bill);
                var hash = EntryCanonicalForm.ChainHash(_prevHash, entry);
                entries.Add(entry with { PrevHash = _prevHash, Hash = hash });
                _prevHash = hash;
            }

            return new PushRequest(terminal, entries);
        }
    }

    private static Journal SchoolJournal(string terminal = DemoData.SchoolTerminalId) =>
        new(terminal, s => ($"HS24{1 + (s % 5):D4}", $"HP-2611-HS24{1 + (s % 5):D4}"));

    private static Journal HospitalJournal(string terminal = DemoData.HospitalTerminalId) =>
        new(terminal, s => ($"BN26{1 + (s % 3):D4}", $"VP-BN26{1 + (s % 3):D4}-1"));

    private static async Task<PushResponse> PushAsync(HttpClient client, PushRequest request)
    {
        using var response = await client.PostAsJsonAsync(SyncProtocol.PushPath, request, ContractsJsonContext.Default.PushRequest);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request.TerminalId} from {request.Entries[0].Sequence}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
    }

    [Fact]
    public async Task A_terminal_pulling_while_both_institutions_and_the_province_write_ends_with_exactly_the_servers_rows()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var schoolPusher = await province.SignedClientAsync(DemoData.SchoolTerminalId, DemoData.SchoolId);
        using var hospitalPusher = await province.SignedClientAsync(DemoData.HospitalTerminalId, DemoData.HospitalId);
        using var schoolPuller = await province.SignedClientAsync("KP-THCS-ND-PULL", DemoData.SchoolId);
        using var hospitalPuller = await province.SignedClientAsync("KP-TTYT-CT-PULL", DemoData.HospitalId);
        var database = province.Database;
        var pushing = new CancellationTokenSource();

        // Each institution's terminal pushes batches; a second school terminal pushes too (two writers of one institution).
        async Task PushAllAsync(HttpClient client, Journal journal)
        {
            for (var b = 0; b < 12; b++)
            {
                await PushAsync(client, journal.Next(5));
            }
        }

        using var schoolSecond = await province.SignedClientAsync("KP-THCS-ND-02", DemoData.SchoolId);
        var writers = new List<Task>
        {
            PushAllAsync(schoolPusher, SchoolJournal()),
            PushAllAsync(schoolSecond, SchoolJournal("KP-THCS-ND-02")),
            PushAllAsync(hospitalPusher, HospitalJournal()),

            // The province's writer (a change to accounts of both institutions in one transaction, as an import or
            // the bank's matching may make), between the pushes.
            Task.Run(async () =>
            {
                for (var n = 0; n < 15; n++)
                {
                    await using var connection = await database.OpenAsync();
                    await using var transaction = await database.BeginWriteAsync(connection);
                    foreach (var code in new[] { $"HS24{1 + (n % 7):D4}", $"BN26{1 + (n % 3):D4}" })
                    {
                        var version = await ChangeVersions.NextForAccountAsync(connection, transaction, code, CancellationToken.None);
                        Assert.True(version > 0);
                        await connection.ExecuteAsync("UPDATE accounts SET group_name = $g, version = $v WHERE code = $c", transaction, CancellationToken.None,
                            ("$g", $"nhóm {n}"), ("$v", version), ("$c", code));
                    }

                    await transaction.CommitAsync();
                    await Task.Delay(15);
                }
            }),
        };

        // Each puller follows its institution's changes with its cursor the whole time, as a terminal's sync does.
        async Task<(Dictionary<string, AccountDto> Accounts, Dictionary<string, BillDto> Bills, int Pulls)> FollowAsync(HttpClient client)
        {
            var accounts = new Dictionary<string, AccountDto>(StringComparer.Ordinal);
            var bills = new Dictionary<string, BillDto>(StringComparer.Ordinal);
            string? cursor = null;
            var pulls = 0;
            var last = false;
            while (true)
            {
                var stopping = pushing.IsCancellationRequested;
                var page = (await client.GetFromJsonAsync($"{SyncProtocol.PullPath}?limit=7{(cursor is null ? string.Empty : "&cursor=" + cursor)}", ContractsJsonContext.Default.PullResponse))!;
                pulls++;
                if (page.Full)
                {
                    accounts.Clear();
                    bills.Clear();
                }

                foreach (var a in page.Accounts)
                {
                    accounts[a.Code] = a;
                }

                foreach (var b in page.Bills)
                {
                    bills[b.Id] = b;
                }

                cursor = page.Cursor;
                if (page.HasMore)
                {
                    continue;
                }

                // One more round after the writers stopped, taken wholly after them.
                if (last)
                {
                    return (accounts, bills, pulls);
                }

                last = stopping;
                await Task.Delay(5);
            }
        }

        var followers = new[] { FollowAsync(schoolPuller), FollowAsync(hospitalPuller) };
        await Task.WhenAll(writers);
        await pushing.CancelAsync();
        var followed = await Task.WhenAll(followers);

        foreach (var (institution, (accounts, bills, pulls)) in new[] { (DemoData.SchoolId, followed[0]), (DemoData.HospitalId, followed[1]) })
        {
            Assert.True(pulls > 3, $"{institution}: {pulls} pulls");
            var held = await AccountsAsync(province, institution);
            Assert.Equal(held, accounts.Values.Select(a => (a.Code, a.Balance, a.Group, a.Version)).OrderBy(a => a.Code, StringComparer.Ordinal).ToList());
            var heldBills = await BillsAsync(province, institution);
            Assert.Equal(heldBills, bills.Values.Select(b => (b.Id, b.Paid, b.Version)).OrderBy(b => b.Id, StringComparer.Ordinal).ToList());
        }

        // Every push was booked: 60 payments of 1.000 ₫ from each of the three terminals, each paying its bill.
        Assert.Equal(180L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM payments WHERE terminal_id IN ('KP-THCS-ND-01', 'KP-THCS-ND-02', 'KP-TTYT-CT-01')")));
        Assert.Equal(180_000L, Convert.ToInt64(await province.ScalarAsync(
            "SELECT SUM(paid) FROM bills WHERE id IN ('HP-2611-HS240001', 'HP-2611-HS240002', 'HP-2611-HS240003', 'HP-2611-HS240004', 'HP-2611-HS240005', 'VP-BN260001-1', 'VP-BN260002-1', 'VP-BN260003-1')")));

        // Every institution's counter moved on its own, and the province's old counter (the floor) did not move.
        var school = Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", DemoData.SchoolId)));
        var hospital = Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", DemoData.HospitalId)));
        var floor = Convert.ToInt64(await province.ScalarAsync("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'change_version'"));
        Assert.True(school > floor && hospital > floor, $"school {school}, hospital {hospital}, floor {floor}");
        Assert.Equal(school, Convert.ToInt64(await province.ScalarAsync("SELECT MAX(version) FROM (SELECT version FROM accounts WHERE institution_id = $i UNION ALL SELECT version FROM bills WHERE institution_id = $i) v", ("$i", DemoData.SchoolId))));
        Assert.Equal(hospital, Convert.ToInt64(await province.ScalarAsync("SELECT MAX(version) FROM (SELECT version FROM accounts WHERE institution_id = $i UNION ALL SELECT version FROM bills WHERE institution_id = $i) v", ("$i", DemoData.HospitalId))));
    }

    private static async Task<List<(string Code, long Balance, string? Group, long Version)>> AccountsAsync(ProvinceHost province, string institution)
    {
        await using var connection = await province.Database.OpenAsync();
        return [.. (await connection.ReadAllAsync<AccountState>("SELECT code, balance, group_name, version FROM accounts WHERE institution_id = $i ORDER BY code", null, CancellationToken.None, ("$i", institution)))
            .Select(a => (a.Code, a.Balance, a.GroupName, a.Version))
            .OrderBy(a => a.Code, StringComparer.Ordinal)];
    }

    private static async Task<List<(string Id, long Paid, long Version)>> BillsAsync(ProvinceHost province, string institution)
    {
        await using var connection = await province.Database.OpenAsync();
        return [.. (await connection.ReadAllAsync<BillState>("SELECT id, paid, version FROM bills WHERE institution_id = $i ORDER BY id", null, CancellationToken.None, ("$i", institution)))
            .Select(b => (b.Id, b.Paid, b.Version))
            .OrderBy(b => b.Id, StringComparer.Ordinal)];
    }

    private sealed record AccountState
    {
        public required string Code { get; init; }

        public long Balance { get; init; }

        public string? GroupName { get; init; }

        public long Version { get; init; }
    }

    private sealed record BillState
    {
        public required string Id { get; init; }

        public long Paid { get; init; }

        public long Version { get; init; }
    }

    /// <summary>PostgreSQL only: the locks are PostgreSQL's (SQLite has one writer, and the lane is tested in <see cref="WriterLaneTests"/>).</summary>
    protected async Task Institutions_write_side_by_side_and_a_province_writer_excludes_them()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var school = await province.SignedClientAsync(DemoData.SchoolTerminalId, DemoData.SchoolId);
        using var hospital = await province.SignedClientAsync(DemoData.HospitalTerminalId, DemoData.HospitalId);
        var schoolJournal = SchoolJournal();
        var hospitalJournal = HospitalJournal();
        var database = province.Database;
        var wait = TimeSpan.FromSeconds(30);
        var schoolBefore = Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", DemoData.SchoolId)));

        // The school's writer held open (as a long group of the school's pushes would be): the hospital's push
        // commits beside it; the school's next push waits for it.
        await using (var held = await database.OpenAsync())
        {
            await using var schoolWriter = await database.BeginWriteAsync(held, [DemoData.SchoolId]);
            var hospitalPushed = await PushAsync(hospital, hospitalJournal.Next(3)).WaitAsync(wait);
            Assert.Equal(3, hospitalPushed.HighestContiguous);
            Assert.All(hospitalPushed.Results, r => Assert.Equal("accepted", r.Status));
            Assert.Equal(3, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM payments WHERE terminal_id = $t", ("$t", DemoData.HospitalTerminalId))));

            var schoolPush = PushAsync(school, schoolJournal.Next(2));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.False(schoolPush.IsCompleted, "the school's push committed while the school's writer lock was held");
            Assert.Equal(schoolBefore, Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", DemoData.SchoolId))));

            // Another hospital push still goes through while the school's waits.
            Assert.Equal(5, (await PushAsync(hospital, hospitalJournal.Next(2)).WaitAsync(wait)).HighestContiguous);
            await schoolWriter.RollbackAsync();
            Assert.Equal(2, (await schoolPush.WaitAsync(wait)).HighestContiguous);
        }

        Assert.True(Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", DemoData.SchoolId))) > schoolBefore);

        // A writer that may touch any institution (the province's lock, exclusively) holds back every institution's push.
        await using (var held = await database.OpenAsync())
        {
            await using var provinceWriter = await database.BeginWriteAsync(held);
            var hospitalPush = PushAsync(hospital, hospitalJournal.Next(1));
            var schoolPush = PushAsync(school, schoolJournal.Next(1));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.False(hospitalPush.IsCompleted, "the hospital's push committed while the province's writer held its lock");
            Assert.False(schoolPush.IsCompleted, "the school's push committed while the province's writer held its lock");

            // Pulls read a snapshot: they wait for no writer, the province's neither.
            var pulled = Stopwatch.StartNew();
            using (var pull = await hospital.GetAsync(SyncProtocol.PullPath).WaitAsync(wait))
            {
                Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
            }

            Assert.True(pulled.Elapsed < TimeSpan.FromSeconds(10), $"a pull took {pulled.Elapsed} beside the province's writer");
            Assert.False(hospitalPush.IsCompleted);
            await provinceWriter.CommitAsync();
            Assert.Equal(6, (await hospitalPush.WaitAsync(wait)).HighestContiguous);
            Assert.Equal(3, (await schoolPush.WaitAsync(wait)).HighestContiguous);
        }
    }
}

/// <summary>InstitutionWriters on the embedded SQLite file (one writer: the pull half), and a database from before migration 0028.</summary>
public sealed class InstitutionWritersSqliteTests() : InstitutionWritersTests(ProvinceEngine.Sqlite)
{
    [Fact]
    public async Task A_cursor_taken_before_the_counter_per_institution_misses_no_row_written_after_it()
    {
        // A province database at schema 27, when one counter versioned every row: the school's account at 40, the
        // hospital's at 41, the counter at 41 (the terminal's cursor).
        var folder = Directory.CreateTempSubdirectory("kioskpos-province-").FullName;
        try
        {
            var file = Path.Combine(folder, "province.db");
            var before = new KioskPos.Shared.Sqlite.SqliteDatabase(file, [.. ProvinceSchema.Migrations.Where(m => m.Version <= 27)]);
            Assert.Equal(27, await before.MigrateAsync());
            await using (var connection = await before.OpenAsync())
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO institutions (id, name, type, district, commune) VALUES
                        ('TG-THCS-CU', 'Trường THCS Cũ', 'lower_secondary', 'Thành phố Mỹ Tho', NULL),
                        ('TG-TTYT-CU', 'Trung tâm Y tế Cũ', 'district_health_centre', 'Huyện Châu Thành', NULL);
                    INSERT INTO accounts (code, institution_id, kind, full_name, group_name, balance, blocked, version) VALUES
                        ('HS990001', 'TG-THCS-CU', 'pupil', 'Nguyễn Văn Cũ', '6A', 500000, 1, 40),
                        ('BN990001', 'TG-TTYT-CU', 'patient', 'Trần Thị Cũ', NULL, 0, 0, 41);
                    UPDATE meta SET value = '41' WHERE key = 'change_version';
                    """;
                await command.ExecuteNonQueryAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var epoch = string.Empty;

            // The server of this version migrates it (0028 starts every institution's counter at 41) and seeds nothing.
            await using var province = await ProvinceHost.StartAsync(folder);
            epoch = (string)(await province.ScalarAsync("SELECT value FROM meta WHERE key = 'epoch'"))!;
            Assert.Equal(41L, Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", "TG-THCS-CU"))));
            Assert.Equal(41L, Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", "TG-TTYT-CU"))));
            using var school = await province.SignedClientAsync("KP-THCS-CU-01", "TG-THCS-CU");

            // The cursor from before: nothing new, and it is not taken for one from the future (no full resync).
            var cursor = $"{epoch}.41";
            var page = (await school.GetFromJsonAsync($"{SyncProtocol.PullPath}?cursor={cursor}", ContractsJsonContext.Default.PullResponse))!;
            Assert.False(page.Full);
            Assert.Empty(page.Accounts);
            Assert.Equal(cursor, page.Cursor);

            // The school's account unblocked after the migration: the old cursor brings it.
            using (var unblock = await province.Admin.PostAsync("/api/v1/admin/accounts/HS990001/unblock", null))
            {
                Assert.True(unblock.IsSuccessStatusCode, $"unblock: {(int)unblock.StatusCode}");
            }

            page = (await school.GetFromJsonAsync($"{SyncProtocol.PullPath}?cursor={cursor}", ContractsJsonContext.Default.PullResponse))!;
            var account = Assert.Single(page.Accounts);
            Assert.Equal(("HS990001", false, 42L), (account.Code, account.Blocked, account.Version));
            Assert.Equal($"{epoch}.42", page.Cursor);

            // The hospital's counter did not move; an institution made later counts from the old counter too.
            Assert.Equal(41L, Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", "TG-TTYT-CU"))));
            Assert.Equal(41L, Convert.ToInt64(await province.ScalarAsync(ChangeVersions.CurrentSql, ("$i", "TG-CHUA-CO"))));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>InstitutionWriters on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class InstitutionWritersPostgresTests() : InstitutionWritersTests(ProvinceEngine.Postgres)
{
    [Fact]
    public Task Two_institutions_pushes_commit_side_by_side_and_a_province_writer_excludes_both() => Institutions_write_side_by_side_and_a_province_writer_excludes_them();

    [Fact]
    public async Task Many_terminals_first_requests_at_once_do_not_hold_the_connection_pool_while_their_nonces_are_written()
    {
        // A terminal's first signed request writes its nonce at once, on a connection of its own. The signature check
        // held its connection meanwhile, so as many first requests as the pool has connections held all of them and
        // the write waited 15 s for one (make loadtest's 1,000 terminals stalled on it). With a pool of 4, 24 first
        // requests at once must all answer, well within one pool timeout.
        var folder = Directory.CreateTempSubdirectory("kioskpos-province-").FullName;
        try
        {
            var connectionString = await PostgresCluster.DatabaseAsync(folder);
            await using var province = await ProvinceHost.StartAsync(folder, engine: ProvinceEngine.Postgres,
                settings: [$"--Province:ConnectionString={connectionString};Maximum Pool Size=4;Timeout=15"]);
            var clients = new List<HttpClient>();
            for (var t = 0; t < 24; t++)
            {
                clients.Add(await province.SignedClientAsync($"KP-POOL-{t:D2}", t % 2 == 0 ? DemoData.SchoolId : DemoData.HospitalId));
            }

            var clock = Stopwatch.StartNew();
            var statuses = await Task.WhenAll(clients.Select(async client =>
            {
                using var response = await client.GetAsync(SyncProtocol.PullPath);
                return response.StatusCode;
            }));
            Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), $"24 first requests took {clock.Elapsed}");
            Assert.Equal(24L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM terminals WHERE id LIKE 'KP-POOL-%' AND last_seen_at IS NOT NULL")));
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
