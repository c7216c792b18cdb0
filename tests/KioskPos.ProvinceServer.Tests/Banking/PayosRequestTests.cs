using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Banking;
using KioskPos.ProvinceServer.Data;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Issue 19, payOS's payment requests: a terminal's VietQR payment becomes a payOS request (created on payOS's
/// simulated API, signed as payOS checks it), the webhook naming that request's order code completes that payment
/// once even when the bank text lacks the transfer code, and a dropped webhook is recovered by the status pull
/// within one interval, once. On SQLite and on the PostgreSQL the tests start (migration 0023 and the requests'
/// queries on both engines).
/// </summary>
public abstract class PayosRequestTests(ProvinceEngine engine)
{
    private const string ClientId = "sim-payos-client-0123";
    private const string ApiKey = "sim-api-key-0123456789";
    private static int s_sequence = Random.Shared.Next(1000, 100_000);

    [Fact]
    public async Task A_terminals_payment_becomes_one_payos_request_and_its_webhook_completes_that_payment_once_by_order_code()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutPayosAsync(province, simulator);
        using var terminal = await province.SignedClientAsync();
        var (payment, code) = await CreatePaymentAsync(province, "KP-THCS-ND-01", 180_000);

        var answer = await RequestAsync(terminal, payment, code, 180_000);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("payos", answer.Body.GetProperty("provider").GetString());
        var request = Assert.Single(simulator.PayosRequests);
        Assert.Equal((code.Value, 180_000L, ((long)code.TerminalTag << 30) | code.Sequence), (request.Description, request.Amount, request.OrderCode));
        Assert.Equal(0, simulator.PayosBadSignatures); // payOS checked the request's signature with the checksum key
        Assert.Equal((province.BaseUrl.ToString(), province.BaseUrl.ToString()), (request.ReturnUrl, request.CancelUrl)); // no Province:PublicUrl: the address asked
        var qr = VietQrParser.Parse(answer.Body.GetProperty("qrCode").GetString()!);
        Assert.Equal(("970436", ProvinceHost.SchoolAccount, 180_000L, code.Value), (qr.BankBin, qr.AccountNumber, qr.Amount!.Value, qr.Purpose));
        Assert.Equal(request.PaymentLinkId, answer.Body.GetProperty("paymentLinkId").GetString());
        Assert.StartsWith(simulator.BaseUrl.ToString(), answer.Body.GetProperty("checkoutUrl").GetString(), StringComparison.Ordinal);

        // The terminal asks again (its answer was lost): the same request, none created twice.
        var again = await RequestAsync(terminal, payment, code, 180_000);
        Assert.Equal(request.PaymentLinkId, again.Body.GetProperty("paymentLinkId").GetString());
        Assert.Single(simulator.PayosRequests);

        // The payer's bank wrote payOS's own words, not the transfer code: the order code names the payment.
        var webhook = simulator.PayPayos(request.OrderCode, text: "CSU3X2LYN23 chuyen tien");
        Assert.Equal(200, await PostWebhookAsync(province, webhook));
        Assert.Equal(("completed", 180_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(200, await PostWebhookAsync(province, webhook)); // payOS retries: still once
        Assert.Equal(("completed", 180_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal("paid", await province.ScalarAsync("SELECT state FROM payos_requests WHERE order_code = $o", ("$o", request.OrderCode)));
    }

    [Fact]
    public async Task A_dropped_payos_webhook_is_recovered_by_the_status_pull_within_one_interval_once()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=1", "--Province:PublicUrl=https://thanhtoan.dongthap.example/"]);
        await PutPayosAsync(province, simulator);
        using var terminal = await province.SignedClientAsync();
        var (payment, code) = await CreatePaymentAsync(province, "KP-THCS-ND-01", 240_000);
        Assert.Equal("payos", (await RequestAsync(terminal, payment, code, 240_000)).Body.GetProperty("provider").GetString());
        var request = Assert.Single(simulator.PayosRequests);
        Assert.Equal("https://thanhtoan.dongthap.example/", request.ReturnUrl); // the public address, not the one the terminal used

        // The payer pays; payOS's webhook is lost on the way.
        var webhook = simulator.PayPayos(request.OrderCode, text: "CSQ7PZ chuyen tien");
        var started = DateTime.UtcNow;
        while (await PendingPayments.StateAsync(province, payment) is { State: not "completed" } && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        var recovered = DateTime.UtcNow - started;
        Assert.Equal(("completed", 240_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.True(recovered < TimeSpan.FromSeconds(2.5), $"recovered after {recovered.TotalSeconds:F1} s with a 1 s interval");
        Assert.Equal("pull", await province.ScalarAsync("SELECT source FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));

        // The request is closed as paid: later pulls do not ask for it again; the late webhook changes nothing.
        var calls = simulator.Calls["payos"];
        await Task.Delay(2500);
        Assert.Equal(calls, simulator.Calls["payos"]);
        Assert.Equal(200, await PostWebhookAsync(province, webhook));
        Assert.Equal(("completed", 240_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal(1L, await PendingPayments.TransfersAsync(province, "payos-1"));
    }

    [Fact]
    public async Task A_short_payos_transfer_is_booked_as_underpaid_and_leaves_its_request_open_until_what_arrived_covers_it()
    {
        // payOS posts one webhook per transaction, data.amount what that transaction brought (payos.vn/docs/du-lieu-tra-ve/webhook);
        // the province marked the request paid on any of them, so after a short one the status pull never asked again
        // and a lost webhook for the rest was never found.
        await using var simulator = await StartSimulatorAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutPayosAsync(province, simulator);
        using var terminal = await province.SignedClientAsync();
        var (payment, code) = await CreatePaymentAsync(province, "KP-THCS-ND-01", 200_000);
        Assert.Equal("payos", (await RequestAsync(terminal, payment, code, 200_000)).Body.GetProperty("provider").GetString());
        var request = Assert.Single(simulator.PayosRequests);

        // 120,000 of 200,000: money received, booked as any provider's short transfer; the request stays open.
        Assert.Equal(200, await PostWebhookAsync(province, simulator.PayPayos(request.OrderCode, amount: 120_000)));
        Assert.Equal(("underpaid", 120_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal("underpaid", await province.ScalarAsync("SELECT outcome FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));
        Assert.Equal("open", await RequestStateAsync(province, request.OrderCode));

        // 50,000 more, its webhook lost: the status pull still asks for the open request and records it (payOS: UNDERPAID).
        simulator.PayPayos(request.OrderCode, amount: 50_000);
        var calls = simulator.Calls.GetValueOrDefault("payos");
        Assert.Equal(1, await province.App.Services.GetRequiredService<BankPullWorker>().PullAllAsync(CancellationToken.None));
        Assert.Equal(calls + 1, simulator.Calls["payos"]);
        Assert.Equal(("underpaid", 170_000L, 2L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal("open", await RequestStateAsync(province, request.OrderCode));

        // The last 30,000 by webhook: what arrived covers the request, which is closed as paid.
        Assert.Equal(200, await PostWebhookAsync(province, simulator.PayPayos(request.OrderCode, amount: 30_000)));
        Assert.Equal(("completed", 200_000L, 3L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal("paid", await RequestStateAsync(province, request.OrderCode));
    }

    [Fact]
    public async Task A_payos_transaction_booked_outside_2000_to_2099_is_refused_by_name_and_the_other_requests_are_still_pulled()
    {
        // PayosApi.GetAsync threw on a transaction whose transactionDateTime did not read (as BankProviders.ParseTime
        // reads it: a year from 2000 to 2099): the status pull of the whole connection failed there, every round, and
        // the requests asked after it (older ones) were never asked.
        await using var simulator = await StartSimulatorAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutPayosAsync(province, simulator);
        using var terminal = await province.SignedClientAsync();
        var (good, goodCode) = await CreatePaymentAsync(province, "KP-THCS-ND-01", 110_000);
        Assert.Equal("payos", (await RequestAsync(terminal, good, goodCode, 110_000)).Body.GetProperty("provider").GetString());
        var (broken, brokenCode) = await CreatePaymentAsync(province, "KP-THCS-ND-01", 90_000);
        Assert.Equal("payos", (await RequestAsync(terminal, broken, brokenCode, 90_000)).Body.GetProperty("provider").GetString()); // the newest: asked first

        // Both are paid; both webhooks are lost; payOS writes one transaction's time in 1999.
        simulator.PayPayos(simulator.PayosRequests.Single(r => r.Description == goodCode.Value).OrderCode);
        var webhook = simulator.PayPayos(simulator.PayosRequests.Single(r => r.Description == brokenCode.Value).OrderCode, writtenAt: "1999-12-31 23:59:59");
        var reference = JsonDocument.Parse(webhook).RootElement.GetProperty("data").GetProperty("reference").GetString();

        Assert.Equal(1, await province.App.Services.GetRequiredService<BankPullWorker>().PullAllAsync(CancellationToken.None));
        Assert.Equal(("completed", 110_000L, 1L), await PendingPayments.StateAsync(province, good));
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, broken));
        var error = (string?)await province.ScalarAsync("SELECT last_pull_error FROM bank_connections WHERE id = 'payos-1'");
        Assert.Contains($"refused 1 transaction(s): {reference}: {BankProviders.TimeProblem("transactionDateTime")}", error, StringComparison.Ordinal);
    }

    private static Task<object?> RequestStateAsync(ProvinceHost province, long orderCode) =>
        province.ScalarAsync("SELECT state FROM payos_requests WHERE order_code = $o", ("$o", orderCode));

    [Fact]
    public async Task Without_a_payos_connection_or_with_payos_failing_the_answer_has_no_qr_and_bad_requests_name_the_field()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutPayosAsync(province, simulator);
        using var school = await province.SignedClientAsync();
        using var hospital = await province.SignedClientAsync("KP-TTYT-CT-01", "TG-TTYT-CHAUTHANH");

        // The hospital has no payOS connection: its terminal shows its own QR.
        var hospitalTag = Convert.ToInt32(await province.ScalarAsync("SELECT qr_tag FROM terminals WHERE id = 'KP-TTYT-CT-01'"), CultureInfo.InvariantCulture);
        var hospitalCode = TransferCode.Create(hospitalTag, 7);
        var none = await RequestAsync(hospital, "P-HOSPITAL-7", hospitalCode, 50_000);
        Assert.Equal((HttpStatusCode.OK, "no_provider"), (none.Status, none.Body.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Null, none.Body.GetProperty("qrCode").ValueKind);

        // payOS failing: no QR, and nothing kept, so the next payment asks again.
        simulator.PayosFailing = true;
        var (payment, code) = await CreatePaymentAsync(province, "KP-THCS-ND-01", 70_000);
        var failed = await RequestAsync(school, payment, code, 70_000);
        Assert.Equal((HttpStatusCode.OK, "provider_failed"), (failed.Status, failed.Body.GetProperty("reason").GetString()));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM payos_requests"), CultureInfo.InvariantCulture));

        // Another terminal's code, or a zero amount: 400 naming the field; nothing asked of payOS.
        simulator.PayosFailing = false;
        var calls = simulator.Calls.GetValueOrDefault("payos-create");
        var foreign = await RequestAsync(school, payment, hospitalCode, 70_000);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.Status);
        Assert.Contains("transferCode", foreign.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var zero = await RequestAsync(school, payment, code, 0);
        Assert.Equal(HttpStatusCode.BadRequest, zero.Status);
        Assert.Contains("amount", zero.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(calls, simulator.Calls.GetValueOrDefault("payos-create"));
    }

    internal static Task<ProviderApiSimulator> StartSimulatorAsync() =>
        ProviderApiSimulator.StartAsync(ApiKey, new PayosAccount(ClientId, ProviderSenders.PayosChecksum, "970436", ProvinceHost.SchoolAccount, "TRUONG THCS NGUYEN DU"));

    internal static async Task PutPayosAsync(ProvinceHost province, ProviderApiSimulator simulator)
    {
        using var response = await province.Admin.PutAsJsonAsync("/api/v1/admin/bank/connections/payos-1", new
        {
            provider = "payos", institutionId = "TG-THCS-NGUYENDU", accountNumber = ProvinceHost.SchoolAccount, secret = ProviderSenders.PayosChecksum,
            apiKey = ApiKey, clientId = ClientId, apiBaseUrl = new Uri(simulator.BaseUrl, "/payos").ToString(),
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A VietQR payment of enrolled terminal <paramref name="terminalId"/>, as its pushed entry leaves it in the ledger.</summary>
    internal static async Task<(string PaymentId, TransferCode Code)> CreatePaymentAsync(ProvinceHost province, string terminalId, long amount)
    {
        var sequence = Interlocked.Increment(ref s_sequence);
        var tag = Convert.ToInt32(await province.ScalarAsync("SELECT qr_tag FROM terminals WHERE id = $t", ("$t", terminalId)), CultureInfo.InvariantCulture);
        var institution = (string)(await province.ScalarAsync("SELECT institution_id FROM terminals WHERE id = $t", ("$t", terminalId)))!;
        var code = TransferCode.Create(tag, sequence);
        var id = $"P-PAYOS-{sequence}";
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await province.ExecuteAsync("INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ($t, $s, 'payment', '', '{}', 'ok', $now)",
            ("$t", terminalId), ("$s", sequence), ("$now", now));
        await province.ExecuteAsync(
            """
            INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at, state, received, transfer_code, expires_at)
            VALUES ($id, $t, $s, $i, 'HS240001', 'vietqr', $a, $now, $now, 'pending', 0, $c, $exp)
            """,
            ("$id", id), ("$t", terminalId), ("$s", sequence), ("$i", institution), ("$a", amount), ("$now", now), ("$c", code.Value),
            ("$exp", DateTimeOffset.UtcNow.AddHours(1).ToString("O", CultureInfo.InvariantCulture)));
        await province.ExecuteAsync("INSERT INTO payment_allocations (payment_id, bill_id, amount) VALUES ($id, 'BT-2611-HS240001', $a)", ("$id", id), ("$a", amount));
        return (id, code);
    }

    [Fact]
    public async Task A_malformed_payment_request_is_refused_with_a_400_naming_the_field_and_reaches_no_provider()
    {
        await using var simulator = await StartSimulatorAsync();
        await using var province = await ProvinceHost.StartAsync(engine: engine, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutPayosAsync(province, simulator);
        using var terminal = await province.SignedClientAsync();
        var (payment, code) = await CreatePaymentAsync(province, "KP-THCS-ND-01", 180_000);
        var expiresAt = DateTimeOffset.UtcNow.AddMinutes(15);

        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { paymentId = payment, transferCode = code.Value, amount = 0, expiresAt }, "amount"),
            (new { paymentId = payment, transferCode = "KHONG-PHAI-MA", amount = 180_000, expiresAt }, "transferCode"),
            (new { paymentId = "", transferCode = code.Value, amount = 180_000, expiresAt }, "paymentId"),
        })
        {
            using var response = await terminal.PostAsJsonAsync("/api/v1/sync/payment-requests", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{field}: {response.StatusCode} {text}");
            Assert.Contains(field, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(simulator.PayosRequests);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> RequestAsync(HttpClient terminal, string payment, TransferCode code, long amount)
    {
        using var response = await terminal.PostAsJsonAsync("/api/v1/sync/payment-requests",
            new { paymentId = payment, transferCode = code.Value, amount, expiresAt = DateTimeOffset.UtcNow.AddMinutes(15) });
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<int> PostWebhookAsync(ProvinceHost province, string body)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(province.BaseUrl, "/api/v1/bank/payos/payos-1"), new StringContent(body, Encoding.UTF8, "application/json"));
        return (int)response.StatusCode;
    }
}

/// <summary>On SQLite.</summary>
public sealed class PayosRequestSqliteTests() : PayosRequestTests(ProvinceEngine.Sqlite);

/// <summary>On the PostgreSQL the tests start.</summary>
[Trait("Category", "Postgres")]
public sealed class PayosRequestPostgresTests() : PayosRequestTests(ProvinceEngine.Postgres);
