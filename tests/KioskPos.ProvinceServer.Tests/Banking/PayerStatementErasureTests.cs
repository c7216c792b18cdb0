using System.Data.Common;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// A payer's erasure (Law 91/2025/QH15) and the bank statements accountants import: the lines that are the payer's
/// transfers, and the lines held beside them as possible duplicates, name the sender too, so their text is blanked
/// (the transfer code stays, as on the transfers). The import compares a new line's text with the stored lines' to hold
/// the same bank line exported under another key, so each line keeps a digest of its text (migration 0038) and the
/// same line is still held, not credited twice, after its text is gone. Lines stored before 0038 have no digest until
/// an erasure stores it; until then their text is compared.
/// </summary>
public abstract class PayerStatementErasureTests(ProvinceEngine engine)
{
    private const string Payer = "HS240001";
    private const string Sender = "NGUYEN MINH ANH";
    private const string Erased = "[đã xoá / erased]";

    private static readonly DateTimeOffset s_now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7));
    private static readonly string s_today = s_now.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
    private static readonly string s_day = s_now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_erasure_blanks_the_payers_statement_lines_and_held_lines_and_the_same_bank_line_in_another_export_is_still_held()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey);

        // The parent paid half of a payment; the accountant imported the day's export, then another export of the day
        // with the same line under another reference (held as a possible duplicate, not credited).
        var (payment, code) = await PendingPayments.CreateAsync(province, 2 * 275_000);
        var text = $"MBVCB.{ProviderPost.NextId()}.{Sender} nop hoc phi {code}";
        var (first, second) = ("5213." + ProviderPost.NextId(), "5213." + ProviderPost.NextId());
        var withReference = VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},{first},,\"275.000\",{text}");
        var otherReference = VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},{second},,\"275.000\",{text}");
        Assert.Equal((1, 0), Counts(await VietcombankCsv.ImportAsync(province, "sepay-1", withReference)));
        Assert.Equal((0, 1), Counts(await VietcombankCsv.ImportAsync(province, "sepay-1", otherReference)));
        Assert.Equal(("underpaid", 275_000L, 1L), await PendingPayments.StateAsync(province, payment));
        var transfers = await PendingPayments.TransfersAsync(province, "sepay-1");

        // The payer's export shows both lines as the bank wrote them.
        var export = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/payers/{Payer}/export");
        var lines = export.GetProperty("statementLines").EnumerateArray().ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(text, l.GetProperty("description").GetString()));
        Assert.Single(lines, l => l.GetProperty("reference").GetString() == first && l.GetProperty("transferId").ValueKind == JsonValueKind.Number);
        Assert.Single(lines, l => l.GetProperty("reference").GetString() == second && l.GetProperty("heldId").ValueKind == JsonValueKind.Number);

        using (var erase = await province.Admin.PostAsync($"/api/v1/admin/payers/{Payer}/erase", null))
        {
            var erasure = await erase.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(erase.IsSuccessStatusCode, erasure.ToString());
            Assert.Equal((1, 1), (erasure.GetProperty("statementLines").GetInt32(), erasure.GetProperty("heldStatementLines").GetInt32()));
        }

        // The name is gone from both tables; the transfer code stays; the digest is of the text the bank wrote.
        Assert.Equal(0L, await CountAsync(province, $"SELECT COUNT(*) FROM bank_statement_lines WHERE description LIKE '%{Sender}%'"));
        Assert.Equal(0L, await CountAsync(province, $"SELECT COUNT(*) FROM bank_statement_held_lines WHERE description LIKE '%{Sender}%'"));
        Assert.Equal($"{code} {Erased}|{VietcombankCsv.TextDigest(text)}|\n", await province.RowsAsync($"SELECT description, text_digest FROM bank_statement_lines WHERE reference = '{first}'"));
        Assert.Equal($"{code} {Erased}|{VietcombankCsv.TextDigest(text)}|\n", await province.RowsAsync($"SELECT description, text_digest FROM bank_statement_held_lines WHERE reference = '{second}'"));
        var after = await province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/payers/{Payer}/export");
        Assert.Equal(2, after.GetProperty("statementLines").GetArrayLength());
        Assert.DoesNotContain(Sender, after.GetRawText(), StringComparison.OrdinalIgnoreCase);

        // Again: nothing more to blank.
        using (var again = await province.Admin.PostAsync($"/api/v1/admin/payers/{Payer}/erase", null))
        {
            var erasure = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((0, 0), (erasure.GetProperty("statementLines").GetInt32(), erasure.GetProperty("heldStatementLines").GetInt32()));
        }

        // The same files again change nothing, and the same line in an export without references, its text wrapped,
        // is held by its digest: not credited a second time.
        var withoutReference = VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},,,\"275.000\",\"{text.Replace(" nop ", "\nnop ", StringComparison.Ordinal)}\"");
        Assert.Equal((0, 0), Counts(await VietcombankCsv.ImportAsync(province, "sepay-1", withReference)));
        Assert.Equal((0, 1), Counts(await VietcombankCsv.ImportAsync(province, "sepay-1", otherReference)));
        Assert.Equal((0, 1), Counts(await VietcombankCsv.ImportAsync(province, "sepay-1", withoutReference)));
        Assert.Equal(("underpaid", 275_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(transfers, await PendingPayments.TransfersAsync(province, "sepay-1"));

        // The line held now is of the erased payer's text: it is held erased, with the digest of the file's text.
        Assert.Equal($"{code} {Erased}|{VietcombankCsv.TextDigest(text)}|\n{code} {Erased}|{VietcombankCsv.TextDigest(text)}|\n",
            await province.RowsAsync("SELECT description, text_digest FROM bank_statement_held_lines ORDER BY id"));
    }

    [Fact]
    public async Task Lines_stored_before_migration_0038_keep_their_text_until_an_erasure_stores_their_digest_and_are_held_by_it_after()
    {
        // A province database at schema 37: a transfer from home imported from a statement, its money on the card, and
        // a second export's line held as a possible duplicate of it, both with the sender's name.
        var folder = Directory.CreateTempSubdirectory("kioskpos-province-").FullName;
        const string account = "1029384756";
        var standing = StandingTransferCode.For("HS990001").Value;
        var text = $"MBVCB.990001.Tran Thi Cu nap the {standing}";
        try
        {
            await using (var before = await OpenAtVersion37Async(folder))
            {
                await before.ExecuteAsync(
                    $"""
                    INSERT INTO institutions (id, name, type, district, commune) VALUES ('TG-THCS-CU', 'THCS Cu', 'lower_secondary', 'My Tho', NULL);
                    INSERT INTO accounts (code, institution_id, kind, full_name, group_name, balance, blocked, version, top_up_code)
                        VALUES ('HS990001', 'TG-THCS-CU', 'pupil', 'Tran Van Cu', '6A', 200000, 0, 1, '{standing}');
                    INSERT INTO bank_connections (id, provider, institution_id, account_number, secret, created_at, updated_at)
                        VALUES ('sepay-cu', 'sepay', 'TG-THCS-CU', '{account}', 'sepay-cu-secret-0123456789', '2026-11-20T02:00:00Z', '2026-11-20T02:00:00Z');
                    INSERT INTO bank_transfers (connection_id, bank_txn_id, account_number, amount, description, transaction_time, received_at, transfer_code, outcome, source)
                        VALUES ('sepay-cu', 'statement:ref:5213.990001', '{account}', 200000, '{text}', '{s_day}T00:00:00.0000000+07:00', '2026-11-20T02:00:00Z',
                                '{standing}', 'topped_up', 'statement');
                    INSERT INTO top_ups (transfer_id, account_code, institution_id, source, amount, balance_after, credited_at)
                        SELECT id, 'HS990001', 'TG-THCS-CU', 'home', 200000, 200000, '2026-11-20T02:00:00Z' FROM bank_transfers WHERE bank_txn_id = 'statement:ref:5213.990001';
                    INSERT INTO bank_statement_lines (connection_id, line_key, booked_on, amount, description, reference, layout, transfer_id, imported_by, file_sha256, imported_at)
                        SELECT 'sepay-cu', 'ref:5213.990001', '{s_day}', 200000, '{text}', '5213.990001', 'vietcombank', id, 'ketoan.cu', '{new string('a', 64)}', '2026-11-20T02:00:00Z'
                        FROM bank_transfers WHERE bank_txn_id = 'statement:ref:5213.990001';
                    INSERT INTO bank_statement_held_lines (connection_id, line_key, booked_on, amount, description, reference, layout, duplicate_of, imported_by, file_sha256, imported_at)
                        SELECT 'sepay-cu', 'ref:5213.990002', '{s_day}', 200000, '{text}', '5213.990002', 'vietcombank', id, 'ketoan.cu', '{new string('b', 64)}', '2026-11-21T02:00:00Z'
                        FROM bank_statement_lines WHERE line_key = 'ref:5213.990001';
                    """,
                    null, CancellationToken.None);
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            // The server of this version takes the database to 0038: the lines have no digest yet, and their text still
            // holds the same line in another export.
            await using var province = await ProvinceHost.StartAsync(folder, engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
            Assert.True(ProvinceSchema.Migrations.Count >= 38);
            Assert.Equal((long)ProvinceSchema.Migrations.Count, await CountAsync(province, "SELECT MAX(version) FROM schema_migrations"));
            Assert.Equal("null|\n", await province.RowsAsync("SELECT text_digest FROM bank_statement_lines"));
            Assert.Equal("null|\n", await province.RowsAsync("SELECT text_digest FROM bank_statement_held_lines"));
            Assert.Equal((0, 1), Counts(await VietcombankCsv.ImportAsync(province, "sepay-cu", VietcombankCsv.Statement(account, $"{s_today},,,\"200.000\",{text}"))));

            using (var erase = await province.Admin.PostAsync("/api/v1/admin/payers/HS990001/erase", null))
            {
                var erasure = await erase.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(erase.IsSuccessStatusCode, erasure.ToString());
                Assert.Equal((1, 2), (erasure.GetProperty("statementLines").GetInt32(), erasure.GetProperty("heldStatementLines").GetInt32()));
            }

            Assert.Equal($"{standing} {Erased}|{VietcombankCsv.TextDigest(text)}|\n", await province.RowsAsync("SELECT description, text_digest FROM bank_statement_lines"));
            Assert.Equal($"{standing} {Erased}|{VietcombankCsv.TextDigest(text)}|\n{standing} {Erased}|{VietcombankCsv.TextDigest(text)}|\n",
                await province.RowsAsync("SELECT description, text_digest FROM bank_statement_held_lines ORDER BY id"));

            // Another export of the same line, under a reference of its own: held by the digest, the card not credited twice.
            Assert.Equal((0, 1), Counts(await VietcombankCsv.ImportAsync(province, "sepay-cu", VietcombankCsv.Statement(account, $"{s_today},5213.990003,,\"200.000\",{text}"))));
            Assert.Equal(0L, await CountAsync(province, "SELECT COUNT(*) FROM bank_statement_held_lines WHERE description LIKE '%Tran Thi Cu%'"));
            Assert.Equal(200_000L, await province.BalanceAsync("HS990001"));
            Assert.Equal(1L, await CountAsync(province, "SELECT COUNT(*) FROM bank_transfers WHERE connection_id = 'sepay-cu'"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // A database for `folder` at schema version 37, as the migrations of that version left it, open.
    private protected abstract Task<DbConnection> OpenAtVersion37Async(string folder);

    private static (int Recorded, int Held) Counts(JsonElement result) => (result.GetProperty("recorded").GetInt32(), result.GetProperty("held").GetInt32());

    private static async Task<long> CountAsync(ProvinceHost province, string sql) => Convert.ToInt64(await province.ScalarAsync(sql), CultureInfo.InvariantCulture);
}

/// <summary>The erasure of statement lines on the embedded SQLite file, and a file from before migration 0038.</summary>
public sealed class PayerStatementErasureSqliteTests() : PayerStatementErasureTests(ProvinceEngine.Sqlite)
{
    private protected override async Task<DbConnection> OpenAtVersion37Async(string folder)
    {
        var before = new KioskPos.Shared.Sqlite.SqliteDatabase(Path.Combine(folder, "province.db"), [.. ProvinceSchema.Migrations.Where(m => m.Version <= 37)]);
        Assert.Equal(37, await before.MigrateAsync());
        return await before.OpenAsync();
    }
}

/// <summary>The erasure of statement lines on PostgreSQL, and a database from before migration 0038.</summary>
[Trait("Category", "Postgres")]
public sealed class PayerStatementErasurePostgresTests() : PayerStatementErasureTests(ProvinceEngine.Postgres)
{
    // The steps up to 37 as the server's runner applies them (ProvinceDatabase.MigrateAsync), in one transaction.
    private protected override async Task<DbConnection> OpenAtVersion37Async(string folder)
    {
        var connection = new Npgsql.NpgsqlConnection(await PostgresCluster.DatabaseAsync(folder));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)", transaction, CancellationToken.None);
        foreach (var step in ProvinceSchema.PostgresMigrations.Where(m => m.Version <= 37))
        {
            await connection.ExecuteAsync(step.Sql, transaction, CancellationToken.None);
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)", transaction, CancellationToken.None,
                ("$v", step.Version), ("$n", step.Name), ("$t", "2026-11-20T02:00:00Z"));
        }

        await transaction.CommitAsync();
        return connection;
    }
}
