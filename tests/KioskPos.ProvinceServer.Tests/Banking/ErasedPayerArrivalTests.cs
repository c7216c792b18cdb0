using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// What arrives after a payer's erasure (Law 91/2025/QH15) for that payer's transfer codes: a provider's webhook, a
/// repeat of it, a line of an imported bank statement. Each names the sender again, so each is stored already erased,
/// as the erasure left the payer's others (the text its transfer code and the marker, the logged body gone, the
/// statement line's digest of the bank's text kept), and the money goes exactly where it went before the erasure: no
/// credit lost, none doubled. Each test looks through every table of the database for the sender's name.
/// </summary>
public abstract class ErasedPayerArrivalTests(ProvinceEngine engine)
{
    private const string Payer = "HS240001";
    private const string Sender = "TRAN THI BICH NGOC";
    private const string Erased = "[đã xoá / erased]";
    private const string ErasedBody = "{\"erased\":true}";

    private static readonly string s_today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    public static TheoryData<string> Providers => new() { "sepay", "payos", "casso" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_webhook_after_the_erasure_is_stored_erased_and_pays_its_payment_once(string provider)
    {
        await using var province = await StartAsync();
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey);
        await ProviderSenders.PutConnectionAsync(province, "payos-1", "payos", ProviderSenders.PayosChecksum);
        await ProviderSenders.PutConnectionAsync(province, "casso-1", "casso", ProviderSenders.CassoKey);
        var (payment, code) = await PendingPayments.CreateAsync(province, 275_000);
        await EraseAsync(province);

        // The parent pays 25,000 đồng more than due: the payment is paid, the rest flagged for refund (an alert with the
        // transfer's text); the provider posts it again, as it does when it missed the answer.
        var id = ProviderPost.NextId();
        for (var round = 0; round < 2; round++)
        {
            var (status, answer) = await ProviderSenders.SendAsync(Webhook(province, provider, id, 300_000, $"{Sender} nop hoc phi {code}"));
            Assert.True(status == 200, answer.ToString());
        }

        Assert.Equal(("completed", 300_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal($"overpaid|25000|{code}|{code} {Erased}|\n",
            await province.RowsAsync($"SELECT outcome, refund_due, transfer_code, description FROM bank_transfers WHERE payment_id = '{payment}'"));
        Assert.Equal(275_000L, Convert.ToInt64(await province.ScalarAsync("SELECT paid FROM bills WHERE id IN (SELECT bill_id FROM payment_allocations WHERE payment_id = $p)",
            ("$p", payment)), CultureInfo.InvariantCulture));
        Assert.Equal($"{ErasedBody}|\n{ErasedBody}|\n", await province.RowsAsync("SELECT body FROM bank_deliveries ORDER BY id"));
        Assert.Equal(1L, await CountAsync(province, $"SELECT COUNT(*) FROM alerts WHERE kind = 'transfer_flagged' AND detail LIKE '%{code} {Erased}%'"));
        Assert.Empty(await TablesHoldingAsync(province, Sender));
    }

    [Fact]
    public async Task A_transfer_from_home_after_the_erasure_is_stored_erased_and_its_statement_line_pairs_with_it()
    {
        await using var province = await StartAsync();
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey);
        var standing = StandingTransferCode.For(Payer).Value;
        await EraseAsync(province);
        var balance = await province.BalanceAsync(Payer);

        // A transfer from home with the account's standing code: on the card, its text erased.
        var (status, answer) = await ProviderSenders.SendAsync(Webhook(province, "sepay", ProviderPost.NextId(), 100_000, $"{Sender} nap the {standing}"));
        Assert.True(status == 200, answer.ToString());
        Assert.Equal(balance + 100_000, await province.BalanceAsync(Payer));
        Assert.Equal($"topped_up|{standing}|{standing} {Erased}|\n", await province.RowsAsync("SELECT outcome, transfer_code, description FROM bank_transfers"));
        Assert.Equal($"{ErasedBody}|\n", await province.RowsAsync("SELECT body FROM bank_deliveries"));

        // The day's statement has the same money with the bank's own text: paired with the transfer, not credited again,
        // and stored erased with the digest of what the bank wrote.
        var text = $"MBVCB.{ProviderPost.NextId()}.{Sender} nap the {standing}";
        var result = await VietcombankCsv.ImportAsync(province, "sepay-1", VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},5213.{ProviderPost.NextId()},,\"100.000\",{text}"));
        Assert.Equal((0, 1, 0), Counts(result));
        Assert.Equal(balance + 100_000, await province.BalanceAsync(Payer));
        Assert.Equal(1L, await PendingPayments.TransfersAsync(province, "sepay-1"));
        Assert.Equal($"{standing} {Erased}|{VietcombankCsv.TextDigest(text)}|\n", await province.RowsAsync("SELECT description, text_digest FROM bank_statement_lines"));
        Assert.Empty(await TablesHoldingAsync(province, Sender));
    }

    [Fact]
    public async Task A_statement_line_of_a_transfer_from_home_erased_since_pairs_with_it_and_is_stored_erased()
    {
        await using var province = await StartAsync();
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey);
        var standing = StandingTransferCode.For(Payer).Value;
        var balance = await province.BalanceAsync(Payer);

        // The transfer from home came before the erasure; the erasure left its text the standing code only.
        var (status, answer) = await ProviderSenders.SendAsync(Webhook(province, "sepay", ProviderPost.NextId(), 100_000, $"{Sender} nap the {standing}"));
        Assert.True(status == 200, answer.ToString());
        await EraseAsync(province);
        Assert.Equal($"{standing} {Erased}|\n", await province.RowsAsync("SELECT description FROM bank_transfers"));

        // The statement after it: its line is that money (the standing code the erased text kept), not a second top-up.
        var text = $"MBVCB.{ProviderPost.NextId()}.{Sender} nap the {standing}";
        Assert.Equal((0, 1, 0), Counts(await VietcombankCsv.ImportAsync(province, "sepay-1", VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},5213.{ProviderPost.NextId()},,\"100.000\",{text}"))));
        Assert.Equal(balance + 100_000, await province.BalanceAsync(Payer));
        Assert.Equal(1L, await PendingPayments.TransfersAsync(province, "sepay-1"));
        Assert.Equal($"{standing} {Erased}|{VietcombankCsv.TextDigest(text)}|\n", await province.RowsAsync("SELECT description, text_digest FROM bank_statement_lines"));
        Assert.Empty(await TablesHoldingAsync(province, Sender));
    }

    [Fact]
    public async Task A_statement_line_after_the_erasure_is_stored_erased_and_the_webhook_of_its_money_after_it_credits_nothing_more()
    {
        await using var province = await StartAsync();
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey);
        var (payment, code) = await PendingPayments.CreateAsync(province, 2 * 150_000);
        await EraseAsync(province);

        // The statement brings half of the payment before any notification: recorded, matched, stored erased.
        var text = $"MBVCB.{ProviderPost.NextId()}.{Sender} nop hoc phi {code}";
        var result = await VietcombankCsv.ImportAsync(province, "sepay-1", VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},5213.{ProviderPost.NextId()},,\"150.000\",{text}"));
        Assert.Equal((1, 0, 0), Counts(result));
        Assert.Equal(("underpaid", 150_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal($"{code} {Erased}|{VietcombankCsv.TextDigest(text)}|\n", await province.RowsAsync("SELECT description, text_digest FROM bank_statement_lines"));
        Assert.Equal($"{code} {Erased}|\n", await province.RowsAsync("SELECT description FROM bank_transfers"));

        // SePay's webhook of the same money comes late: it is that line's, nothing more is credited, its body goes.
        var (status, answer) = await ProviderSenders.SendAsync(Webhook(province, "sepay", ProviderPost.NextId(), 150_000, $"{Sender} nop hoc phi {code}"));
        Assert.True(status == 200, answer.ToString());
        Assert.Equal(("underpaid", 150_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(1L, await PendingPayments.TransfersAsync(province, "sepay-1"));
        Assert.Equal("webhook|\n", await province.RowsAsync("SELECT reported_by FROM bank_statement_lines"));
        Assert.Equal($"{ErasedBody}|duplicate underpaid {payment}|\n", await province.RowsAsync("SELECT body, result FROM bank_deliveries"));
        Assert.Empty(await TablesHoldingAsync(province, Sender));
    }

    [Fact]
    public async Task A_transfer_held_for_its_payment_is_stored_erased_once_the_payment_of_an_erased_payer_comes()
    {
        await using var province = await StartAsync();
        await EraseAsync(province);

        // The money comes before the terminal's entry of its payment: held, for no payer the ledger knows yet.
        var sequence = Random.Shared.Next(200_000, 900_000);
        var code = TransferCode.Create(30_000, sequence).Value;
        await province.ExecuteAsync("INSERT INTO terminals (id, institution_id, name, qr_tag) VALUES ('KP-TEST-QR', 'TG-THCS-NGUYENDU', 'test QR terminal', 30000) ON CONFLICT DO NOTHING");
        using (var notified = await province.NotifyAsync(120_000, $"{Sender} nop hoc phi {code}"))
        {
            Assert.True(notified.IsSuccessStatusCode, await notified.Content.ReadAsStringAsync());
        }

        Assert.Equal($"held|{code}|\n", await province.RowsAsync("SELECT outcome, transfer_code FROM bank_transfers"));

        // The payment arrives (as the terminal's push stores it); the delivery is run again: paid once, stored erased.
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var (payment, bill) = ($"P-TEST-{sequence}", $"BT-TEST-{sequence}");
        await province.ExecuteAsync("INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ('KP-TEST-QR', $s, 'payment', '', '{}', 'ok', $now)",
            ("$s", sequence), ("$now", now));
        await province.ExecuteAsync(
            """
            INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, transfer_code, expires_at)
            VALUES ($id, 'KP-TEST-QR', $s, 'TG-THCS-NGUYENDU', $a, 'vietqr', 120000, $now, $now, 'pending', 0, $c, $exp)
            """,
            ("$id", payment), ("$s", sequence), ("$a", Payer), ("$now", now), ("$c", code), ("$exp", DateTimeOffset.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture)));
        await province.ExecuteAsync(
            "INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($b, 'TG-THCS-NGUYENDU', $a, 'ban_tru', 'test bill', '2026-11-30', 120000, 0, 0)",
            ("$b", bill), ("$a", Payer));
        await province.ExecuteAsync("INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($id, $b, 120000)", ("$id", payment), ("$b", bill));
        var delivery = await CountAsync(province, "SELECT MAX(id) FROM bank_deliveries");
        using (var replay = await province.Admin.PostAsync($"/api/v1/admin/bank/deliveries/{delivery}/replay", null))
        {
            Assert.True(replay.IsSuccessStatusCode, await replay.Content.ReadAsStringAsync());
        }

        Assert.Equal(("completed", 120_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal($"paid|{code}|{code} {Erased}|\n", await province.RowsAsync("SELECT outcome, transfer_code, description FROM bank_transfers"));
        Assert.Equal($"{ErasedBody}|\n", await province.RowsAsync("SELECT body FROM bank_deliveries"));
        Assert.Empty(await TablesHoldingAsync(province, Sender));
    }

    private Task<ProvinceHost> StartAsync() => ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);

    private static async Task EraseAsync(ProvinceHost province)
    {
        using var erase = await province.Admin.PostAsync($"/api/v1/admin/payers/{Payer}/erase", null);
        Assert.True(erase.IsSuccessStatusCode, await erase.Content.ReadAsStringAsync());
    }

    // One incoming transfer as the provider posts it, its sender's name where the provider puts one.
    private static HttpRequestMessage Webhook(ProvinceHost province, string provider, long id, long amount, string text)
    {
        switch (provider)
        {
            case "payos":
                var data = ProviderSenders.PayosData(id, amount, ProvinceHost.SchoolAccount, text, "TF" + id);
                data["counterAccountName"] = Sender;
                return ProviderPost.Payos(province.BaseUrl, data);
            case "casso":
                var transaction = ProviderSenders.CassoTransaction(id, ProvinceHost.SchoolAccount, amount, text);
                transaction["counterAccountName"] = Sender;
                return ProviderSenders.CassoRequest(province.BaseUrl, "casso-1", new Dictionary<string, object?> { ["error"] = 0, ["data"] = transaction });
            default:
                return ProviderPost.Transfer(province.BaseUrl, provider, id, amount, text);
        }
    }

    // Every table of the database, each row of it as text, where `text` is found (in any case).
    private async Task<List<string>> TablesHoldingAsync(ProvinceHost province, string text)
    {
        var tables = await province.RowsAsync(engine == ProvinceEngine.Postgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
            : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1");
        var names = tables.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('|')).ToList();
        Assert.Contains("bank_transfers", names);
        var found = new List<string>();
        foreach (var table in names)
        {
            var rows = await province.RowsAsync($"SELECT * FROM \"{table}\"");
            found.AddRange(rows.Split('\n').Where(r => r.Contains(text, StringComparison.OrdinalIgnoreCase)).Select(r => $"{table}: {r}"));
        }

        return found;
    }

    private static (int Recorded, int Reported, int Held) Counts(JsonElement result) =>
        (result.GetProperty("recorded").GetInt32(), result.GetProperty("alreadyReported").GetInt32(), result.GetProperty("held").GetInt32());

    private static async Task<long> CountAsync(ProvinceHost province, string sql) => Convert.ToInt64(await province.ScalarAsync(sql), CultureInfo.InvariantCulture);
}

/// <summary>What arrives after an erasure, on the embedded SQLite file.</summary>
public sealed class ErasedPayerArrivalSqliteTests() : ErasedPayerArrivalTests(ProvinceEngine.Sqlite);

/// <summary>What arrives after an erasure, on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class ErasedPayerArrivalPostgresTests() : ErasedPayerArrivalTests(ProvinceEngine.Postgres);
