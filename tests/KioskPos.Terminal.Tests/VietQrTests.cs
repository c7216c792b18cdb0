using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// VietQR end to end on real parts: the terminal makes the QR, the province server receives signed bank
/// notifications on its real webhook, matches them, and the terminal learns of each outcome by its long poll.
/// </summary>
public abstract class VietQrTests(ProvinceEngine engine) : IAsyncLifetime
{
    private ProvinceHost _province = null!;
    private TerminalHost _terminal = null!;

    public async Task InitializeAsync()
    {
        _province = await ProvinceHost.StartAsync(engine: engine);
        _terminal = await TerminalHost.StartAsync(_province);
        await Wait.UntilAsync(async () => (await StatusAsync(_terminal)).GetProperty("provinceOnline").GetBoolean(), TimeSpan.FromSeconds(20), "the confirmations long poll to connect");
    }

    public async Task DisposeAsync()
    {
        await _terminal.DisposeAsync();
        await _province.DisposeAsync();
    }

    [Fact]
    public async Task Exact_payment_is_confirmed_on_the_terminal_with_a_receipt_and_a_repeated_delivery_counts_once()
    {
        var qr = await CreateQrAsync(_terminal, "HS240005", "HP-2611-HS240005", "BT-2611-HS240005");
        var payload = VietQrParser.Parse(qr.Payload);
        Assert.Equal((true, "970436", "1023456789", 750_000L, qr.Code), (payload.Dynamic, payload.BankBin, payload.AccountNumber, payload.Amount!.Value, payload.Purpose));
        Assert.True(TransferCode.TryParse(qr.Code, out _));
        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));

        // The payer's app lower-cases the code and splits it; the bank adds its own words around it.
        var mangled = $"MBVCB.3278729.CT tu 0123456789 NGUYEN VAN A {qr.Code[..6].ToLowerInvariant()} {qr.Code[6..]} hoc phi";
        var (status, outcome, paymentId) = await NotifyAsync(750_000, mangled, "FT-EXACT-1");
        Assert.Equal(("accepted", TransferOutcomes.Paid, qr.Id), (status, outcome, paymentId));

        var payment = await WaitForStateAsync(_terminal, qr.Id, "completed");
        Assert.Equal(750_000, payment.GetProperty("received").GetInt64());
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(ReceiptPath(_terminal, qr.Id))), TimeSpan.FromSeconds(10), "the receipt");
        var receipt = await File.ReadAllTextAsync(ReceiptPath(_terminal, qr.Id));
        Assert.Contains("BIÊN LAI THU HỌC PHÍ", receipt, StringComparison.Ordinal);
        Assert.Contains(qr.Code, receipt, StringComparison.Ordinal);
        Assert.Contains("750.000 ₫", receipt, StringComparison.Ordinal);
        Assert.DoesNotContain("Đã nhận", receipt, StringComparison.Ordinal); // the amount asked arrived: nothing to refund, nothing due
        // The screen follows the receipt: it says "paid" once the printer has handed the receipt out (a moment after the file).
        await Wait.UntilAsync(async () => (await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display")).GetProperty("state").GetString() == "confirmed",
            TimeSpan.FromSeconds(10), "the confirmation on the customer display");

        // The service retries: the same bank transaction again changes nothing.
        var (again, againOutcome, _) = await NotifyAsync(750_000, mangled, "FT-EXACT-1");
        Assert.Equal(("duplicate", TransferOutcomes.Paid), (again, againOutcome));

        // The bills are paid at the server, once, and the terminal sees it at its next pull.
        await Wait.UntilAsync(async () => (await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240005")).GetProperty("openBills").GetArrayLength() == 0,
            TimeSpan.FromSeconds(20), "the bills to be paid on the terminal");
        var ledger = (await _province.PaymentsAsync("HS240005")).Single(p => p.GetProperty("id").GetString() == qr.Id);
        Assert.Equal(("completed", 750_000L), (ledger.GetProperty("state").GetString(), ledger.GetProperty("received").GetInt64()));

        // A second transfer with the same code is money not owed: flagged for refund, nothing credited twice.
        var (_, twice, _) = await NotifyAsync(750_000, qr.Code, "FT-EXACT-2");
        Assert.Equal(TransferOutcomes.PaidTwice, twice);
        var refunds = await TransfersAsync("?refundDue=true");
        Assert.Contains(refunds, t => t.GetProperty("bankTransactionId").GetString() == "FT-EXACT-2" && t.GetProperty("refundDue").GetInt64() == 750_000);
        var journal = await (await _terminal.StaffAsync(StaffRole.Technician)).GetFromJsonAsync<JsonElement>("/api/v1/journal/verify");
        Assert.True(journal.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Underpayment_is_credited_and_a_new_qr_for_the_rest_is_shown_and_paid()
    {
        var qr = await CreateQrAsync(_terminal, "HS240006", "HP-2611-HS240006", "BT-2611-HS240006");
        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));
        var (_, outcome, _) = await NotifyAsync(500_000, "chuyen khoan " + qr.Code);
        Assert.Equal(TransferOutcomes.Underpaid, outcome);

        var first = await WaitForStateAsync(_terminal, qr.Id, "underpaid");
        Assert.Equal((500_000L, 250_000L), (first.GetProperty("received").GetInt64(), first.GetProperty("remaining").GetInt64()));
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(ReceiptPath(_terminal, qr.Id))), TimeSpan.FromSeconds(10), "the receipt for what arrived");
        var shortReceipt = await File.ReadAllTextAsync(ReceiptPath(_terminal, qr.Id));
        Assert.Matches(@"Đã nhận:\s+500\.000 ₫", shortReceipt);
        Assert.Matches(@"Còn thiếu:\s+250\.000 ₫", shortReceipt);

        // The rest is offered at once on the customer display, as a new QR for 250.000 ₫.
        JsonElement display = default;
        await Wait.UntilAsync(async () =>
        {
            display = await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display");
            return display.GetProperty("state").GetString() == "awaiting" && display.GetProperty("paymentId").GetString() != qr.Id;
        }, TimeSpan.FromSeconds(10), "the QR for the rest");
        Assert.Equal(250_000, display.GetProperty("amountValue").GetInt64());
        Assert.Equal(("500.000 ₫", "250.000 ₫"), (display.GetProperty("received").GetString(), display.GetProperty("remaining").GetString()));
        var rest = (await _terminal.PaymentAsync(display.GetProperty("paymentId").GetString()!));
        Assert.Equal(250_000, VietQrParser.Parse(rest.GetProperty("qr").GetProperty("payload").GetString()!).Amount);

        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));
        var (_, restOutcome, _) = await NotifyAsync(250_000, rest.GetProperty("qr").GetProperty("transferCode").GetString()!);
        Assert.Equal(TransferOutcomes.Paid, restOutcome);
        await WaitForStateAsync(_terminal, rest.GetProperty("id").GetString()!, "completed");
        await Wait.UntilAsync(
            async () => (await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240006")).GetProperty("openBills").EnumerateArray()
                .All(b => b.GetProperty("id").GetString() is not ("HP-2611-HS240006" or "BT-2611-HS240006")),
            TimeSpan.FromSeconds(20), "both bills paid (December's fee stays open)");
    }

    [Fact]
    public async Task Underpayment_whose_bills_were_paid_another_way_offers_no_qr_for_the_rest()
    {
        var qr = await CreateQrAsync(_terminal, "HS240006", "HP-2611-HS240006", "BT-2611-HS240006");
        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));

        // The second bill is paid at the province another way while the QR waits; the payer then sends the first bill's
        // amount only. The payment is short of what it asked, but its bills owe nothing more: the province confirms it
        // underpaid with nothing remaining, and a QR for the rest would only collect money to refund.
        await _province.ScalarAsync("UPDATE bills SET paid = total WHERE id = 'BT-2611-HS240006'");
        var first = Convert.ToInt64(await _province.ScalarAsync("SELECT total FROM bills WHERE id = 'HP-2611-HS240006'"), System.Globalization.CultureInfo.InvariantCulture);
        var (_, outcome, _) = await NotifyAsync(first, "chuyen khoan " + qr.Code, "FT-SETTLED-1");
        Assert.Equal(TransferOutcomes.Underpaid, outcome);

        var payment = await WaitForStateAsync(_terminal, qr.Id, "underpaid");
        Assert.Equal(first, payment.GetProperty("received").GetInt64());
        JsonElement display = default;
        await Wait.UntilAsync(async () =>
        {
            display = await _terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display");
            return display.GetProperty("paymentId").GetString() == qr.Id && display.GetProperty("state").GetString() == "underpaid";
        }, TimeSpan.FromSeconds(10), "the outcome on the customer display");
        Assert.Contains("thanh toán theo cách khác", display.GetProperty("message").GetString(), StringComparison.Ordinal);

        // No payment for the rest was made: the terminal's payment has no follow-on QR, and none is waiting.
        Assert.False(payment.TryGetProperty("rest", out var rest) && rest.ValueKind != JsonValueKind.Null);
        var recent = await (await _terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payments?limit=50");
        Assert.DoesNotContain(recent.EnumerateArray(), p => p.GetProperty("state").GetString() == "pending");
    }

    [Fact]
    public async Task Overpayment_pays_the_bills_and_flags_the_excess_for_refund()
    {
        var qr = await CreateQrAsync(_terminal, "HS240007", "HP-2611-HS240007");
        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));
        var (_, outcome, _) = await NotifyAsync(250_000, qr.Code, "FT-OVER-1");
        Assert.Equal(TransferOutcomes.Overpaid, outcome);
        await WaitForStateAsync(_terminal, qr.Id, "completed");
        var transfer = (await TransfersAsync("?refundDue=true")).Single(t => t.GetProperty("bankTransactionId").GetString() == "FT-OVER-1");
        Assert.Equal(100_000, transfer.GetProperty("refundDue").GetInt64());
        var ledger = (await _province.PaymentsAsync("HS240007")).Single(p => p.GetProperty("id").GetString() == qr.Id);
        Assert.Contains("overpaid", ledger.GetProperty("flags").GetString(), StringComparison.Ordinal);

        // The receipt says it too, as the screen does: the bill's 150.000 ₫ paid, 250.000 ₫ arrived, 100.000 ₫ to refund.
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(ReceiptPath(_terminal, qr.Id))), TimeSpan.FromSeconds(10), "the receipt");
        var receipt = await File.ReadAllTextAsync(ReceiptPath(_terminal, qr.Id));
        Assert.Matches(@"TỔNG CỘNG:\s+150\.000 ₫", receipt);
        Assert.Matches(@"Đã nhận:\s+250\.000 ₫", receipt);
        Assert.Matches(@"Thừa, sẽ hoàn lại:\s+100\.000 ₫", receipt);
        Assert.Contains("the excess of 100.000 ₫ will be refunded.", receipt.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Money_after_the_qr_was_cancelled_is_credited_and_flagged_late()
    {
        var qr = await CreateQrAsync(_terminal, "HS240008", "HP-2611-HS240008");
        using (var cancel = await _terminal.Http.PostAsync(_terminal.PaymentUrl(qr.Id, "/cancel"), null))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        Assert.Equal("expired", (await _terminal.PaymentAsync(qr.Id)).GetProperty("state").GetString());
        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));
        var (_, outcome, _) = await NotifyAsync(150_000, qr.Code, "FT-LATE-1");
        Assert.Equal(TransferOutcomes.Paid, outcome);
        await WaitForStateAsync(_terminal, qr.Id, "completed");
        var transfer = (await TransfersAsync(string.Empty)).Single(t => t.GetProperty("bankTransactionId").GetString() == "FT-LATE-1");
        Assert.Contains("late", transfer.GetProperty("flags").GetString(), StringComparison.Ordinal);

        // A payment with money on it can no longer be cancelled.
        using var again = await _terminal.Http.PostAsync(_terminal.PaymentUrl(qr.Id, "/cancel"), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_qr_that_runs_out_of_time_expires_on_the_terminal_and_the_display_and_money_after_it_is_flagged_late()
    {
        await using var terminal = await TerminalHost.StartAsync(_province, extraArgs: ["--Terminal:QrLifetime=00:00:02"]);
        await using var events = await DisplayEvents.OpenAsync(terminal);
        var qr = await CreateQrAsync(terminal, "HS240014", "HP-2611-HS240014");
        await WaitForStateAsync(terminal, qr.Id, "expired");
        await events.WaitForAsync(screen => screen.GetProperty("state").GetString() == "expired" && screen.GetProperty("paymentId").GetString() == qr.Id);

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        var (_, outcome, _) = await NotifyAsync(150_000, qr.Code, "FT-TIMEOUT-1");
        Assert.Equal(TransferOutcomes.Paid, outcome);
        await WaitForStateAsync(terminal, qr.Id, "completed");
        var transfer = (await TransfersAsync(string.Empty)).Single(t => t.GetProperty("bankTransactionId").GetString() == "FT-TIMEOUT-1");
        Assert.Contains("late", transfer.GetProperty("flags").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_confirmation_recorded_just_before_a_crash_still_gets_its_receipt_when_it_is_delivered_again()
    {
        await using var proxy = new FaultProxy(_province.BaseUrl, seed: 2) { Faulty = false };
        await using var terminal = await TerminalHost.StartAsync(_province.BaseUrl, _province.Admin, syncUrl: proxy.Url);
        var qr = await CreateQrAsync(terminal, "HS240015", "HP-2611-HS240015");
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        proxy.Down = true;
        await NotifyAsync(150_000, qr.Code);

        // As if the process died right after committing the confirmation, before printing and saving the cursor.
        using var signed = Enrolment.SignedClient(_province.BaseUrl, terminal.Folder, "KP-THCS-ND-01");
        var pending = await signed.GetFromJsonAsync($"{SyncProtocol.ConfirmationsPath}?after=0", ContractsJsonContext.Default.ConfirmationsResponse);
        var store = terminal.App.Services.GetRequiredService<KioskPos.Storage.PaymentStore>();
        var confirmation = Assert.Single(pending!.Confirmations);
        Assert.True((await store.RecordConfirmationAsync(confirmation))!.IsNew);
        Assert.False(File.Exists(ReceiptPath(terminal, qr.Id)));

        proxy.Down = false;
        // The receipt's job was queued with the confirmation: it prints, and is recorded as printed, once.
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(qr.Id)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(40), "the receipt of the confirmation recorded before the crash");

        // The listener's cursor never saw it: the province delivers it again, and the terminal passes it by — the
        // money counted once, one receipt job, no second print.
        var settings = terminal.App.Services.GetRequiredService<KioskPos.Storage.SettingsStore>();
        await Wait.UntilAsync(async () => long.TryParse(await settings.GetAsync(KioskPos.Terminal.Services.ConfirmationListener.CursorKey), out var cursor) && cursor >= confirmation.Id,
            TimeSpan.FromSeconds(40), "the confirmation delivered again");
        var payment = await terminal.PaymentAsync(qr.Id);
        Assert.Equal(("completed", 150_000L), (payment.GetProperty("state").GetString(), payment.GetProperty("received").GetInt64()));
        Assert.True(File.Exists(ReceiptPath(terminal, qr.Id)));
        Assert.Equal([qr.Id + ".txt"], Directory.GetFiles(terminal.ReceiptsFolder, qr.Id + "*.txt").Select(Path.GetFileName));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(terminal.Folder, "terminal.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var jobs = connection.CreateCommand();
        jobs.CommandText = "SELECT COUNT(*) FROM print_jobs WHERE kind = 'receipt' AND subject = $p";
        jobs.Parameters.AddWithValue("$p", qr.Id);
        Assert.Equal(1L, Convert.ToInt64(await jobs.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_confirmed_qr_payments_bill_is_paid_at_the_terminal_before_any_pull_brings_it_and_a_card_payment_for_it_is_refused()
    {
        await using var proxy = new FaultProxy(_province.BaseUrl, seed: 3) { Faulty = false };
        await using var terminal = await TerminalHost.StartAsync(_province.BaseUrl, _province.Admin, syncUrl: proxy.Url);
        var qr = await CreateQrAsync(terminal, "HS240001", "HP-2611-HS240001");
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));

        // No pull reaches the terminal from here: only the confirmation, applied as the listener applies it.
        proxy.Down = true;
        await NotifyAsync(150_000, qr.Code, "FT-AT-ONCE-1");
        using var signed = Enrolment.SignedClient(_province.BaseUrl, terminal.Folder, "KP-THCS-ND-01");
        var pending = await signed.GetFromJsonAsync($"{SyncProtocol.ConfirmationsPath}?after=0", ContractsJsonContext.Default.ConfirmationsResponse);
        await terminal.App.Services.GetRequiredService<KioskPos.Terminal.Services.PaymentService>().ApplyConfirmationAsync(Assert.Single(pending!.Confirmations), default);

        var payer = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240001");
        Assert.DoesNotContain(payer.GetProperty("openBills").EnumerateArray(), b => b.GetProperty("id").GetString() == "HP-2611-HS240001");
        using var card = await terminal.TapAndPayAsync("04A1B2C3", "HP-2611-HS240001");
        var problem = await card.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto);
        Assert.Equal("bill_not_payable", problem!.Code);
    }

    [Fact]
    public async Task Unmatched_transfers_wait_in_the_review_list_with_their_text_and_can_be_replayed()
    {
        var (_, none, _) = await NotifyAsync(200_000, "ung ho quy lop 6A", "FT-NONE-1");
        Assert.Equal(TransferOutcomes.Unmatched, none);

        // A code-shaped text whose check character is wrong (a mistyped code) is not guessed at.
        var code = TransferCode.Create(1, 999_999).Value;
        var typo = code[..^1] + (code[^1] == 'A' ? 'B' : 'A');
        var (_, mistyped, _) = await NotifyAsync(200_000, typo, "FT-NONE-2");
        Assert.Equal(TransferOutcomes.Unmatched, mistyped);

        var review = await TransfersAsync("?outcome=unmatched");
        Assert.Contains(review, t => t.GetProperty("description").GetString() == "ung ho quy lop 6A" && t.GetProperty("flags").GetString() == "no_code");
        var deliveries = await _province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/bank/deliveries");
        var delivery = deliveries!.First(d => d.GetProperty("body").GetString()!.Contains("FT-NONE-1", StringComparison.Ordinal));
        using var replay = await _province.Admin.PostAsync($"/api/v1/admin/bank/deliveries/{delivery.GetProperty("id").GetInt64()}/replay", null);
        var replayed = await replay.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("replayed", TransferOutcomes.Unmatched), (replayed.GetProperty("status").GetString(), replayed.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task Money_that_arrives_before_the_terminals_entry_is_held_then_matched_when_the_entry_comes()
    {
        using var client = await _province.SignedClientAsync("KP-THCS-ND-09");
        var pull = await client.GetFromJsonAsync(SyncProtocol.PullPath, ContractsJsonContext.Default.PullResponse);
        var code = TransferCode.Create(pull!.QrTag!.Value, 1).Value;

        var (_, held, _) = await NotifyAsync(150_000, "CT " + code, "FT-HELD-1");
        Assert.Equal(TransferOutcomes.Held, held);

        var payload = VietQrBuilder.Build(new VietQrPayload(true, "970436", "1023456789", Amount: 150_000, Additional: new(Purpose: code)));
        var entry = new JournalEntryDto(1, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
            new PaymentCreatedDto("KP-THCS-ND-09-00000001", "HS240009", null, "vietqr", 150_000, [new AllocationDto("HP-2611-HS240009", 150_000)], null,
                Qr: new VietQrDto(code, payload, DateTimeOffset.UtcNow.AddMinutes(15))),
            PrevHash: EntryCanonicalForm.GenesisHash);
        entry = entry with { Hash = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, entry) };
        using (var push = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [entry]), ContractsJsonContext.Default.PushRequest))
        {
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        }

        // A QR whose payload does not say what the entry says is refused (the payer would pay another amount).
        var lying = entry with { Sequence = 2, PrevHash = entry.Hash, Hash = null, Payment = entry.Payment! with { PaymentId = "KP-THCS-ND-09-00000002", Qr = entry.Payment.Qr! with { TransferCode = TransferCode.Create(pull.QrTag.Value, 2).Value } } };
        lying = lying with { Hash = EntryCanonicalForm.ChainHash(entry.Hash!, lying) };
        using (var refused = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [lying]), ContractsJsonContext.Default.PushRequest))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("QR payload", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var confirmations = await client.GetFromJsonAsync($"{SyncProtocol.ConfirmationsPath}?after=0&wait=5", ContractsJsonContext.Default.ConfirmationsResponse);
        var confirmation = Assert.Single(confirmations!.Confirmations);
        Assert.Equal(("KP-THCS-ND-09-00000001", TransferOutcomes.Paid, 150_000L), (confirmation.PaymentId, confirmation.Outcome, confirmation.TotalReceived));
        var transfer = (await TransfersAsync(string.Empty)).Single(t => t.GetProperty("bankTransactionId").GetString() == "FT-HELD-1");
        Assert.Equal(TransferOutcomes.Paid, transfer.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_tampered_signature_a_stale_timestamp_or_an_unknown_connection_is_refused_and_logged()
    {
        var before = (await TransfersAsync(string.Empty)).Length;
        using var tampered = await _province.NotifyAsync(100_000, "x", secret: "not-the-secret");
        using var stale = await _province.NotifyAsync(100_000, "x", at: DateTimeOffset.UtcNow.AddMinutes(-10));
        using var unknown = await _province.NotifyAsync(100_000, "x", connection: "other-bank");
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("bad_signature", (await tampered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal("stale_timestamp", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal("unknown_connection", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(before, (await TransfersAsync(string.Empty)).Length);
        // Refused deliveries are counted in the refusal summary, without their bodies, and not in the delivery log.
        var refusals = await _province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/bank/refusals");
        Assert.Equal(3, refusals!.Sum(r => r.GetProperty("deliveries").GetInt64()));
        Assert.Equal(["bad_signature", "stale_timestamp", "unknown_connection"], refusals!.Select(r => r.GetProperty("reason").GetString()).Order());
        Assert.All(refusals!, r => Assert.False(r.TryGetProperty("body", out _)));
        var log = await _province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/bank/deliveries");
        Assert.DoesNotContain(log!, d => d.GetProperty("result").GetString()!.StartsWith("refused", StringComparison.Ordinal));

        // A body changed after signing fails too: the MAC covers the exact bytes.
        var body = JsonSerializer.SerializeToUtf8Bytes(new BankNotification("FT-T-1", "1023456789", 100, "x", DateTimeOffset.UtcNow), ContractsJsonContext.Default.BankNotification);
        using var request = BankSignature.CreateRequest(new Uri(_province.BaseUrl, SyncProtocol.BankNotificationsPath), ProvinceHost.BankConnection, ProvinceHost.BankSecret, body, DateTimeOffset.UtcNow);
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new BankNotification("FT-T-1", "1023456789", 100_000_000, "x", DateTimeOffset.UtcNow), ContractsJsonContext.Default.BankNotification));
        request.Content.Headers.ContentType = new("application/json");
        using var http = new HttpClient();
        using var changed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, changed.StatusCode);
    }

    [Fact]
    public async Task Malformed_notifications_get_a_clear_error()
    {
        var (code, detail) = await PostRawAsync("{\"transactionId\":\"FT-BAD\",\"accountNumber\":\"1023456789\",\"amount\":-5,\"description\":\"x\",\"transactionTime\":\"2026-11-22T10:00:00Z\"}");
        Assert.Equal(("invalid_notification", true), (code, detail.Contains("amount", StringComparison.Ordinal)));
        (code, _) = await PostRawAsync("{not json");
        Assert.Equal("invalid_notification", code);
        (code, detail) = await PostRawAsync("{\"transactionId\":\"FT-BIG\",\"accountNumber\":\"1023456789\",\"amount\":9223372036854775807,\"description\":\"x\",\"transactionTime\":\"2026-11-22T10:00:00Z\"}");
        Assert.Equal(("invalid_notification", true), (code, detail.Contains("amount", StringComparison.Ordinal)));
        Assert.DoesNotContain(await TransfersAsync(string.Empty), t => t.GetProperty("bankTransactionId").GetString() is "FT-BAD" or "FT-BIG");
    }

    [Fact]
    public async Task A_terminal_without_the_network_still_offers_the_qr_prints_a_slip_and_prints_the_receipt_when_the_confirmation_arrives()
    {
        await using var proxy = new FaultProxy(_province.BaseUrl, seed: 1) { Faulty = false };
        await using var terminal = await TerminalHost.StartAsync(_province.BaseUrl, _province.Admin, syncUrl: proxy.Url);
        await Wait.UntilAsync(async () => (await StatusAsync(terminal)).GetProperty("provinceOnline").GetBoolean(), TimeSpan.FromSeconds(20), "online");
        proxy.Down = true;
        await Wait.UntilAsync(async () => !(await StatusAsync(terminal)).GetProperty("provinceOnline").GetBoolean(), TimeSpan.FromSeconds(20), "offline noticed");

        var qr = await CreateQrAsync(terminal, "HS240010", "HP-2611-HS240010");
        Assert.True(qr.View.GetProperty("provisionalSlipPrinted").GetBoolean());
        var slip = await File.ReadAllTextAsync(Path.Combine(terminal.Folder, "receipts", qr.Id + "-tam.txt"));
        Assert.Contains("PHIẾU TẠM", slip, StringComparison.Ordinal);
        Assert.Contains(qr.Code, slip, StringComparison.Ordinal);
        Assert.Equal(qr.Payload, ZbarImg.Decode(Path.Combine(terminal.Folder, "receipts", qr.Id + "-tam.png")));

        // The payer pays from the slip; the bank tells the server, which does not have the payment yet.
        var (_, outcome, _) = await NotifyAsync(150_000, qr.Code);
        Assert.Equal(TransferOutcomes.Held, outcome);

        proxy.Down = false;
        await WaitForStateAsync(terminal, qr.Id, "completed", seconds: 40);
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(ReceiptPath(terminal, qr.Id))), TimeSpan.FromSeconds(10), "the receipt after reconnecting");
    }

    [Fact]
    public async Task The_bank_simulator_page_and_command_post_signed_notifications_that_confirm_payments()
    {
        var first = await CreateQrAsync(_terminal, "HS240012", "HP-2611-HS240012");
        var second = await CreateQrAsync(_terminal, "HS240013", "HP-2611-HS240013");
        await Wait.UntilDrainedAsync(_terminal.Http, TimeSpan.FromSeconds(20));
        Assert.Contains(first.Code, await _province.Admin.GetStringAsync("/bank-sim/payments"), StringComparison.Ordinal); // what the page lists

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _province.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", ProvinceHost.AdminToken); // the simulator is the administrator's
        using var response = await http.PostAsync("/bank-sim/send", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["account"] = ProvinceHost.SchoolAccount, ["bin"] = "970436", ["text"] = "CT tu NGUYEN VAN A " + first.Code, ["amount"] = "150000",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("paid", Uri.UnescapeDataString(response.Headers.Location!.ToString()), StringComparison.Ordinal);
        await WaitForStateAsync(_terminal, first.Id, "completed");

        // The command line, with the secret from the environment as the README says.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(KioskPos.ProvinceServer.ProvinceApp).Assembly.Location);
        foreach (var arg in new[] { "bank-sim", "--server", _province.BaseUrl.ToString(), "--connection", ProvinceHost.BankConnection, "--account", ProvinceHost.SchoolAccount, "--amount", "150000", "--text", second.Code })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["KIOSKPOS_BANK_SECRET"] = ProvinceHost.BankSecret;
        using var cli = Process.Start(start)!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        Assert.True(cli.ExitCode == 0, output + await cli.StandardError.ReadToEndAsync());
        Assert.Contains("\"outcome\":\"paid\"", output, StringComparison.Ordinal);
        await WaitForStateAsync(_terminal, second.Id, "completed");
    }

    [Fact]
    public async Task Qr_parse_and_build_on_the_command_line_print_json_or_name_the_bad_field()
    {
        var (ok, json, _) = await Processes.RunTerminalCliAsync("qr", "parse", "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C");
        Assert.Equal(0, ok);
        var fields = JsonDocument.Parse(json).RootElement;
        Assert.Equal(("970415", 120_000L, "ung ho lu lut"), (fields.GetProperty("bankBin").GetString(), fields.GetProperty("amount").GetInt64(), fields.GetProperty("additionalData").GetProperty("purpose").GetString()));

        var (bad, _, error) = await Processes.RunTerminalCliAsync("qr", "parse", "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5");
        Assert.Equal(1, bad);
        Assert.Contains("38/01", error, StringComparison.Ordinal);

        var (built, payload, _) = await Processes.RunTerminalCliAsync("qr", "build", "--bin", "970436", "--account", "1023456789", "--amount", "150000", "--purpose", "Học phí KP223222223W");
        Assert.Equal(0, built);
        Assert.Equal(("Hoc phi KP223222223W", 150_000L), (VietQrParser.Parse(payload.Trim()).Purpose, VietQrParser.Parse(payload.Trim()).Amount!.Value));
    }

    internal sealed record Qr(string Id, string Code, string Payload, JsonElement View);

    internal static async Task<Qr> CreateQrAsync(TerminalHost terminal, string payer, params string[] bills)
    {
        using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = payer, method = "vietqr", bills = bills.Select(b => new { billId = b }).ToArray() });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.Equal("pending", body.GetProperty("state").GetString());
        var qr = body.GetProperty("qr");
        return new Qr(body.GetProperty("id").GetString()!, qr.GetProperty("transferCode").GetString()!, qr.GetProperty("payload").GetString()!, body);
    }

    private Task<(string Status, string Outcome, string? PaymentId)> NotifyAsync(long amount, string text, string? transactionId = null) =>
        NotifyAsync(_province, amount, text, transactionId);

    /// <summary>A signed bank notification to <paramref name="province"/>'s webhook, answered 200: its status, outcome and payment.</summary>
    internal static async Task<(string Status, string Outcome, string? PaymentId)> NotifyAsync(ProvinceHost province, long amount, string text, string? transactionId = null)
    {
        using var response = await province.NotifyAsync(amount, text, transactionId);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return (body.GetProperty("status").GetString()!, body.GetProperty("outcome").GetString()!, body.GetProperty("paymentId").GetString());
    }

    private async Task<(string Code, string Detail)> PostRawAsync(string json)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(json);
        using var request = BankSignature.CreateRequest(new Uri(_province.BaseUrl, SyncProtocol.BankNotificationsPath), ProvinceHost.BankConnection, ProvinceHost.BankSecret, body, DateTimeOffset.UtcNow);
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (problem.GetProperty("code").GetString()!, problem.GetProperty("detail").GetString() ?? string.Empty);
    }

    private async Task<JsonElement[]> TransfersAsync(string query) =>
        (await _province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/bank/transfers" + query))!;

    private static async Task<JsonElement> WaitForStateAsync(TerminalHost terminal, string id, string state, int seconds = 20)
    {
        JsonElement payment = default;
        await Wait.UntilAsync(async () =>
        {
            payment = (await terminal.PaymentAsync(id));
            return payment.GetProperty("state").GetString() == state;
        }, TimeSpan.FromSeconds(seconds), $"payment {id} to be {state}");
        return payment;
    }

    private static Task<JsonElement> StatusAsync(TerminalHost terminal) => terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");

    private static string ReceiptPath(TerminalHost terminal, string id) => Path.Combine(terminal.Folder, "receipts", id + ".txt");
}

/// <summary>VietQr on the embedded SQLite file.</summary>
public sealed class VietQrSqliteTests() : VietQrTests(ProvinceEngine.Sqlite);

/// <summary>VietQr on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class VietQrPostgresTests() : VietQrTests(ProvinceEngine.Postgres);

/// <summary>The customer display's server-sent events, read as the page reads them.</summary>
internal sealed class DisplayEvents : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly StreamReader _reader;

    private DisplayEvents(HttpClient http, StreamReader reader) => (_http, _reader) = (http, reader);

    public static async Task<DisplayEvents> OpenAsync(TerminalHost terminal)
    {
        var http = new HttpClient { BaseAddress = terminal.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var stream = await http.GetStreamAsync("/api/v1/display/events");
        return new DisplayEvents(http, new StreamReader(stream));
    }

    /// <summary>Reads events until one matches (or 20 s pass).</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await _reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonDocument.Parse(line[6..]).RootElement is var screen && match(screen))
            {
                return screen;
            }
        }

        throw new Xunit.Sdk.XunitException("the display's event stream ended");
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
