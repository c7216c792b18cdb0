using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.EInvoices;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KioskPos.ProvinceServer.Tests.EInvoices;

/// <summary>
/// Money documented once, when it is used (review finding 3, migration 0031), on both engines: a kiosk top-up and a
/// hospital deposit (tạm ứng) put money on the payer's account and owe no e-document; the bills paid from that balance
/// owe theirs; a reversal of a payment that has no document queues no adjustment.
/// </summary>
public abstract class EDocumentAtUseTests(ProvinceEngine engine)
{
    private const string SchoolTerminal = "KP-THCS-ND-01";
    private const string HospitalTerminal = "KP-TTYT-CT-01";
    private const string HospitalAccount = "114000123456";
    private static readonly DateTimeOffset s_at = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private const string Originals = "SELECT payment_id FROM edocuments WHERE purpose = 'original' ORDER BY payment_id";
    private const string Adjustments = "SELECT COUNT(*) FROM edocuments WHERE purpose = 'adjustment'";

    [Fact]
    public async Task A_kiosk_top_up_gets_no_document_and_the_bill_then_paid_from_its_balance_gets_the_one_document()
    {
        await using var viettel = await ViettelSInvoiceSimulator.StartAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--EDocuments:Worker=false"]);
        using (var configured = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{EInvoiceFixture.School}/e-documents", EInvoiceFixture.ViettelSettings(viettel.BaseUrl)))
        {
            Assert.Equal(HttpStatusCode.NoContent, configured.StatusCode);
        }

        using var journal = await Journal.StartAsync(province, SchoolTerminal, EInvoiceFixture.School);

        // HS240002 tops up 300.000 đ at the kiosk; the bank's money arrives and goes on the balance.
        var topUp = await journal.TopUpAsync("HS240002", "04D4E5F6", 300_000);
        await CompleteAsync(province, journal, 1, 300_000, ProvinceHost.SchoolAccount);
        Assert.Equal("completed", await province.ScalarAsync("SELECT state FROM payments WHERE id = $p", ("$p", topUp)));
        Assert.Equal(450_000, await province.BalanceAsync("HS240002"));

        // The tuition is then paid from that balance: the one document of this money is the bill's.
        await journal.PushAsync(journal.Pay("HS240002", "card_balance", ("HP-2611-HS240002", 150_000)));
        var bill = journal.IdOf(2);
        Assert.Equal($"{bill}|\n", await province.RowsAsync(Originals));

        var issuer = ActivatorUtilities.CreateInstance<EDocumentIssuer>(province.App.Services, new FakeTimeProvider(s_at.AddHours(1)));
        Assert.Equal(1, await issuer.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, await issuer.RunOnceAsync(CancellationToken.None));
        var invoice = Assert.Single(viettel.Invoices.Values);
        Assert.Equal(150_000, (long)invoice.Body["summarizeInfo"]!["totalAmountWithTax"]!);
        Assert.Equal(EDocument.KeyOf(bill), Assert.Single(viettel.Invoices.Keys));
    }

    [Fact]
    public async Task A_deposit_gets_no_document_and_a_bill_paid_in_the_same_push_gets_one_as_does_a_payment_of_a_deposit_and_a_bill()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--EDocuments:Worker=false"]);
        using var journal = await Journal.StartAsync(province, HospitalTerminal, DemoData.HospitalId);

        // One push, so one INSERT of the three payments and one of their allocations (the triggers run over them
        // together on PostgreSQL): a deposit at the bank-card terminal, a hospital bill, and a payment of a deposit
        // and a bill, its deposit listed first (on SQLite the allocations' triggers run row by row, in that order).
        await journal.PushAsync(
            journal.Pay("BN260001", "external_card", ("TU-BN260001-1", 2_000_000)),
            journal.Pay("BN260002", "external_card", ("VP-BN260002-1", 100_000)),
            journal.Pay("BN260004", "external_card", ("TU-BN260004-1", 2_000_000), ("VP-BN260004-1", 100_000)));
        Assert.Equal($"{journal.IdOf(2)}|\n{journal.IdOf(3)}|\n", await province.RowsAsync(Originals));
        Assert.Equal(5_000_000 + 2_000_000, await province.BalanceAsync("BN260001")); // the deposit is held on the account

        // A deposit by VietQR completes when its money arrives (an update of the payment): no document either.
        var viaQr = await journal.VietQrAsync("BN260008", ("TU-BN260008-1", 2_000_000));
        await CompleteAsync(province, journal, 4, 2_000_000, HospitalAccount);
        Assert.Equal("completed", await province.ScalarAsync("SELECT state FROM payments WHERE id = $p", ("$p", viaQr)));
        Assert.Equal($"{journal.IdOf(2)}|\n{journal.IdOf(3)}|\n", await province.RowsAsync(Originals));

        // A deposit refunded by the institution's transfer has no document to adjust: no adjustment is queued.
        await journal.PushAsync(journal.Refund(1, "FT26112300001", ("TU-BN260001-1", 500_000)));
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM reversals WHERE payment_id = $p", ("$p", journal.IdOf(1))), CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync(Adjustments), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_void_of_a_top_up_queues_no_adjustment()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--EDocuments:Worker=false"]);
        using var journal = await Journal.StartAsync(province, SchoolTerminal, EInvoiceFixture.School);
        var topUp = await journal.TopUpAsync("HS240002", "04D4E5F6", 300_000);
        await CompleteAsync(province, journal, 1, 300_000, ProvinceHost.SchoolAccount);

        // A terminal cannot push a reversal without allocations today (the push refuses it), so the reversal's row is
        // written as the ledger writes one, after its journal row.
        var at = s_at.AddMinutes(5).ToString("O", CultureInfo.InvariantCulture);
        await province.ExecuteAsync(
            "INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ($t, 2, $k, 'd2', '{}', '{}', $at)",
            ("$t", SchoolTerminal), ("$k", EntryKinds.PaymentVoided), ("$at", at));
        await province.ExecuteAsync(
            "INSERT INTO reversals (terminal_id, sequence, payment_id, kind, amount, destination, supervisor, created_at) VALUES ($t, 2, $p, 'void', 300000, 'card_balance', 'giam-sat-01', $at)",
            ("$t", SchoolTerminal), ("$p", topUp), ("$at", at));

        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync(Adjustments), CultureInfo.InvariantCulture));
        Assert.Equal(string.Empty, await province.RowsAsync("SELECT id FROM edocuments"));
    }

    // The bank's money for the VietQR payment of entry sequence arrives, in full.
    private static async Task CompleteAsync(ProvinceHost province, Journal journal, long sequence, long amount, string account)
    {
        using var notified = await province.NotifyAsync(amount, $"MBVCB.123.{journal.CodeOf(sequence).ToLowerInvariant()} chuyen tien", account: account);
        Assert.Equal(HttpStatusCode.OK, notified.StatusCode);
    }

    /// <summary>A terminal's journal, pushed signed and chained entry by entry as the terminal pushes it.</summary>
    private sealed class Journal : IDisposable
    {
        private readonly HttpClient _client;
        private readonly string _terminal;
        private readonly int _qrTag;
        private readonly string _bankBin;
        private readonly string _bankAccount;
        private long _next = 1;
        private string _previous = EntryCanonicalForm.GenesisHash;

        private Journal(HttpClient client, string terminal, int qrTag, string bankBin, string bankAccount) =>
            (_client, _terminal, _qrTag, _bankBin, _bankAccount) = (client, terminal, qrTag, bankBin, bankAccount);

        public static async Task<Journal> StartAsync(ProvinceHost province, string terminal, string institution)
        {
            var client = await province.SignedClientAsync(terminal, institution);
            var tag = Convert.ToInt32(await province.ScalarAsync("SELECT qr_tag FROM terminals WHERE id = $t", ("$t", terminal)), CultureInfo.InvariantCulture);
            var bin = (string)(await province.ScalarAsync("SELECT bank_bin FROM institutions WHERE id = $i", ("$i", institution)))!;
            var account = (string)(await province.ScalarAsync("SELECT bank_account FROM institutions WHERE id = $i", ("$i", institution)))!;
            return new Journal(client, terminal, tag, bin, account);
        }

        public string IdOf(long sequence) => $"{_terminal}-{sequence:D8}";

        public string CodeOf(long sequence) => TransferCode.Create(_qrTag, sequence).Value;

        /// <summary>The next payment of <paramref name="bills"/> (not pushed yet); the entries made are numbered in order.</summary>
        public JournalEntryDto Pay(string account, string method, params (string Bill, long Amount)[] bills)
        {
            var sequence = _next++;
            return new JournalEntryDto(sequence, EntryKinds.PaymentCreated, s_at.AddMinutes(sequence),
                Payment: new PaymentCreatedDto(IdOf(sequence), account, null, method, bills.Sum(b => b.Amount), [.. bills.Select(b => new AllocationDto(b.Bill, b.Amount))], "thu-ngan-01",
                    External: method == "external_card" ? new ExternalCardDto("A1B2C3", "4242") : null));
        }

        /// <summary>A refund of the payment of entry <paramref name="sequence"/> by the institution's bank transfer.</summary>
        public JournalEntryDto Refund(long sequence, string bankReference, params (string Bill, long Amount)[] bills)
        {
            var entry = _next++;
            return new JournalEntryDto(entry, EntryKinds.PaymentRefunded, s_at.AddMinutes(entry),
                Reversal: new PaymentReversalDto(IdOf(sequence), bills.Sum(b => b.Amount), [.. bills.Select(b => new AllocationDto(b.Bill, b.Amount))], ReversalDestinations.BankTransfer,
                    bankReference, "Ra viện", "thu-ngan-01", "giam-sat-01"));
        }

        /// <summary>Pushes a kiosk top-up by VietQR (no bills); returns its id.</summary>
        public async Task<string> TopUpAsync(string account, string card, long amount)
        {
            var sequence = _next++;
            await PushAsync(new JournalEntryDto(sequence, EntryKinds.PaymentCreated, s_at.AddMinutes(sequence),
                Payment: new PaymentCreatedDto(IdOf(sequence), account, card, "vietqr", amount, [], null, Qr: Qr(sequence, amount), Purpose: "top_up")));
            return IdOf(sequence);
        }

        /// <summary>Pushes a VietQR payment of <paramref name="bills"/>, waiting for the bank; returns its id.</summary>
        public async Task<string> VietQrAsync(string account, params (string Bill, long Amount)[] bills)
        {
            var sequence = _next++;
            var amount = bills.Sum(b => b.Amount);
            await PushAsync(new JournalEntryDto(sequence, EntryKinds.PaymentCreated, s_at.AddMinutes(sequence),
                Payment: new PaymentCreatedDto(IdOf(sequence), account, null, "vietqr", amount, [.. bills.Select(b => new AllocationDto(b.Bill, b.Amount))], "thu-ngan-01", Qr: Qr(sequence, amount))));
            return IdOf(sequence);
        }

        /// <summary>Pushes <paramref name="entries"/> in one request; every one must be accepted.</summary>
        public async Task PushAsync(params JournalEntryDto[] entries)
        {
            var chained = new List<JournalEntryDto>();
            foreach (var entry in entries)
            {
                var hash = EntryCanonicalForm.ChainHash(_previous, entry);
                chained.Add(entry with { PrevHash = _previous, Hash = hash });
                _previous = hash;
            }

            using var response = await _client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest(_terminal, chained), ContractsJsonContext.Default.PushRequest);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var answer = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
            Assert.All(answer.Results, r => Assert.Equal("accepted", r.Status));
        }

        public void Dispose() => _client.Dispose();

        private VietQrDto Qr(long sequence, long amount)
        {
            var code = CodeOf(sequence);
            var payload = VietQrBuilder.Build(new VietQrPayload(true, _bankBin, _bankAccount, Amount: amount, Additional: new VietQrAdditionalData(Purpose: code)));
            return new VietQrDto(code, payload, DateTimeOffset.UtcNow.AddHours(1));
        }
    }
}

/// <summary>Money documented when used, on SQLite; and what migration 0031 does to rows queued before it.</summary>
public sealed class EDocumentAtUseSqliteTests() : EDocumentAtUseTests(ProvinceEngine.Sqlite)
{
    [Fact]
    public async Task Migration_0031_removes_only_the_waiting_untried_rows_of_top_ups_and_deposits()
    {
        // A province database at schema 30, whose triggers queued an original for every completed payment and an
        // adjustment for every reversal; the issuer had tried one top-up's document and issued another's.
        var folder = Directory.CreateTempSubdirectory("kioskpos-province-").FullName;
        try
        {
            var file = Path.Combine(folder, "province.db");
            var before = new KioskPos.Shared.Sqlite.SqliteDatabase(file, [.. ProvinceSchema.Migrations.Where(m => m.Version <= 30)]);
            Assert.Equal(30, await before.MigrateAsync());
            await using (var connection = await before.OpenAsync())
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    INSERT INTO institutions (id, name, type, district, commune) VALUES ('TG-TTYT-CU', 'Trung tâm Y tế Cũ', 'district_health_centre', 'Huyện Châu Thành', NULL);
                    INSERT INTO terminals (id, institution_id, name) VALUES ('KP-CU-01', 'TG-TTYT-CU', 'Quầy cũ');
                    INSERT INTO accounts (code, institution_id, kind, full_name, group_name, balance, blocked, version) VALUES ('BN990001', 'TG-TTYT-CU', 'patient', 'Trần Thị Cũ', NULL, 0, 0, 1);
                    INSERT INTO bills (id, institution_id, account_code, category, title, total, version) VALUES
                        ('TU-990001', 'TG-TTYT-CU', 'BN990001', 'tam_ung', 'Tạm ứng viện phí', 1000000, 2),
                        ('VP-990001', 'TG-TTYT-CU', 'BN990001', 'vien_phi', 'Viện phí đợt 1', 300000, 3);
                    INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at)
                        SELECT 'KP-CU-01', value, 'payment.created', 'd', '{}', '{}', '2026-11-20T02:00:00.000Z' FROM json_each('[1, 2, 3, 4, 5, 6]');
                    INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, purpose) VALUES
                        ('P1', 'KP-CU-01', 1, 'TG-TTYT-CU', 'BN990001', 'vietqr', 100000, '2026-11-20T02:00:00Z', '2026-11-20T02:00:00Z', 'completed', 100000, 'top_up'),
                        ('P2', 'KP-CU-01', 2, 'TG-TTYT-CU', 'BN990001', 'vietqr', 100000, '2026-11-20T02:00:00Z', '2026-11-20T02:00:00Z', 'completed', 100000, 'top_up'),
                        ('P3', 'KP-CU-01', 3, 'TG-TTYT-CU', 'BN990001', 'vietqr', 100000, '2026-11-20T02:00:00Z', '2026-11-20T02:00:00Z', 'completed', 100000, 'top_up'),
                        ('P4', 'KP-CU-01', 4, 'TG-TTYT-CU', 'BN990001', 'external_card', 1000000, '2026-11-20T02:00:00Z', '2026-11-20T02:00:00Z', 'completed', 0, 'bills'),
                        ('P5', 'KP-CU-01', 5, 'TG-TTYT-CU', 'BN990001', 'external_card', 300000, '2026-11-20T02:00:00Z', '2026-11-20T02:00:00Z', 'completed', 0, 'bills');
                    INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ('P4', 'TU-990001', 1000000), ('P5', 'VP-990001', 300000);
                    INSERT INTO reversals (terminal_id, sequence, payment_id, kind, amount, destination, bank_reference, supervisor, created_at) VALUES
                        ('KP-CU-01', 6, 'P4', 'refund', 200000, 'bank_transfer', 'FT1', 'giam-sat-01', '2026-11-21T02:00:00Z');
                    UPDATE edocuments SET attempts = 1, next_attempt_at = '2026-11-20T03:00:00.000Z', reason = 'HTTP 500' WHERE id = 'P2';
                    UPDATE edocuments SET state = 'issued', attempts = 1, document_number = 'C26TNC0000001' WHERE id = 'P3';
                    """;
                await command.ExecuteNonQueryAsync();
            }

            Assert.Equal("P1|waiting|\nP2|waiting|\nP3|issued|\nP4|waiting|\nP4/KP-CU-01/6|waiting|\nP5|waiting|\n", await RowsAsync(before, "SELECT id, state FROM edocuments ORDER BY id"));

            // P1 (a top-up never tried) and P4 (a deposit) with the refund's adjustment behind it go; the top-up an
            // attempt may have reached the provider with, the issued one and the bill's stay.
            var after = new KioskPos.Shared.Sqlite.SqliteDatabase(file, ProvinceSchema.Migrations);
            Assert.Equal(ProvinceSchema.Migrations.Count, await after.MigrateAsync());
            Assert.Equal("P2|waiting|1|\nP3|issued|1|\nP5|waiting|0|\n", await RowsAsync(after, "SELECT id, state, attempts FROM edocuments ORDER BY id"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> RowsAsync(KioskPos.Shared.Sqlite.SqliteDatabase database, string sql)
    {
        var text = new System.Text.StringBuilder();
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('|');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}

/// <summary>Money documented when used, on the PostgreSQL the tests start.</summary>
[Trait("Category", "Postgres")]
public sealed class EDocumentAtUsePostgresTests() : EDocumentAtUseTests(ProvinceEngine.Postgres);
