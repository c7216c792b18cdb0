using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Xunit.Abstractions;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// What a refund may give back, end to end against a real province server and real SQLite files (the review of
/// 2026-12-06, findings 1 to 3): a top-up never; an underpaid transfer the bills the bank's money reached, which the
/// province reopens as the terminal named them; a deposit only what is still on the balance.
/// </summary>
public sealed class RefundRulesTests(ITestOutputHelper output)
{
    private static object Approval(long amount, string destination, string? reference) =>
        new { amount, destination, bankReference = reference, reason = "Kiem tra", supervisorId = "gs01", supervisorPin = "975319" };

    [Fact]
    public async Task A_confirmed_top_up_is_not_refunded_nor_voided_and_the_balances_stay_as_the_province_holds_them()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "online");
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);

        string id, code;
        using (var started = await cashier.PostAsJsonAsync("/api/v1/top-ups", new { payerCode = "HS240002", amount = 300_000 }))
        {
            var view = await started.Content.ReadFromJsonAsync<JsonElement>();
            (id, code) = (view.GetProperty("id").GetString()!, view.GetProperty("qr").GetProperty("transferCode").GetString()!);
        }

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await province.NotifyAsync(300_000, code, "FT-REFUND-TOPUP"))
        {
            Assert.Equal(HttpStatusCode.OK, notified.StatusCode);
        }

        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(20), "top-up confirmed");
        await Wait.UntilAsync(async () => await province.BalanceAsync("HS240002") == 450_000, TimeSpan.FromSeconds(20), "balance credited");
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        var availableBefore = (await cashier.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240002")).GetProperty("availableBalance").GetInt64();

        using var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/refund", Approval(300_000, "card_balance", null));
        using var byTransfer = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/refund", Approval(300_000, "bank_transfer", "FT26112399011"));
        using var voided = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/void", new { reason = "Kiem tra", supervisorId = "gs01", supervisorPin = "975319" });
        foreach (var answer in new[] { refunded, byTransfer, voided })
        {
            var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
            output.WriteLine($"{(int)answer.StatusCode} {problem}");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
            Assert.Equal("top_up_not_refundable", problem.GetProperty("code").GetString());
            Assert.Contains("nạp tiền", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Equal("0|\n", await TerminalRowsAsync(terminal, "SELECT COUNT(*) FROM reversals"));
        Assert.Equal(0, status.GetProperty("sync").GetProperty("rejected").GetInt32());
        Assert.Equal(availableBefore, (await cashier.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240002")).GetProperty("availableBalance").GetInt64());
        Assert.Equal(450_000, await province.BalanceAsync("HS240002"));
        Assert.True((await cashier.GetFromJsonAsync<JsonElement>("/api/v1/shifts/current")).GetProperty("net").GetInt64() >= 0);

        // The counter's list offers nothing to refund on it (the page shows Refund only when refundable > 0).
        var listed = (await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!.Single(p => p.GetProperty("id").GetString() == id);
        Assert.Equal(0, listed.GetProperty("refundable").GetInt64());
    }

    [Fact]
    public async Task Refunding_an_underpaid_transfer_reopens_the_bill_the_bank_credited_at_the_terminal_and_the_province()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "online");
        string id, code;
        using (var created = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240007", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240007" }, new { billId = "BT-2611-HS240007" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var view = await created.Content.ReadFromJsonAsync<JsonElement>();
            (id, code) = (view.GetProperty("id").GetString()!, view.GetProperty("qr").GetProperty("transferCode").GetString()!);
        }

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await province.NotifyAsync(150_000, code, "FT-REFUND-UNDER"))
        {
            Assert.Equal(HttpStatusCode.OK, notified.StatusCode);
        }

        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("state").GetString() == "underpaid", TimeSpan.FromSeconds(20), "underpaid");
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal("BT-2611-HS240007|0|\nHP-2611-HS240007|150000|\n", await province.RowsAsync("SELECT id, paid FROM bills WHERE account_code = 'HS240007' ORDER BY id"));

        using var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/refund", Approval(150_000, "bank_transfer", "FT26112399010"));
        output.WriteLine($"refund: {(int)refunded.StatusCode} {await refunded.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.OK, refunded.StatusCode);
        await terminal.Sync.RunRoundAsync(CancellationToken.None);

        // The money went back, so the bill it paid is owed again: at the province, and as the terminal journalled it.
        Assert.Equal("BT-2611-HS240007|0|\nHP-2611-HS240007|0|\n", await province.RowsAsync("SELECT id, paid FROM bills WHERE account_code = 'HS240007' ORDER BY id"));
        Assert.Equal("HP-2611-HS240007|150000|\n", await TerminalRowsAsync(terminal, "SELECT bill_id, amount FROM reversal_allocations"));
        Assert.Equal(string.Empty, await province.RowsAsync("SELECT detail FROM alerts WHERE kind = 'reversal_flagged'"));
        Assert.Equal(0, (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("sync").GetProperty("rejected").GetInt32());
        Assert.Equal(0, (await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payments"))!.Single(p => p.GetProperty("id").GetString() == id).GetProperty("refundable").GetInt64());
    }

    [Fact]
    public async Task An_older_terminals_refund_of_an_underpaid_transfer_reopens_at_the_province_the_bill_the_bank_credited()
    {
        // A terminal from before the fix named the last allocation (BT, which the bank's money never reached).
        await using var province = await ProvinceHost.StartAsync();
        using var client = await province.SignedClientAsync("KP-THCS-ND-09");
        var pull = await client.GetFromJsonAsync(SyncProtocol.PullPath, ContractsJsonContext.Default.PullResponse);
        var code = KioskPos.Core.VietQr.TransferCode.Create(pull!.QrTag!.Value, 1).Value;
        var payload = KioskPos.Core.VietQr.VietQrBuilder.Build(new KioskPos.Core.VietQr.VietQrPayload(true, "970436", "1023456789", Amount: 750_000, Additional: new(Purpose: code)));
        var payment = new JournalEntryDto(1, EntryKinds.PaymentCreated, DateTimeOffset.UtcNow,
            new PaymentCreatedDto("KP-THCS-ND-09-00000001", "HS240007", null, "vietqr", 750_000, [new AllocationDto("HP-2611-HS240007", 150_000), new AllocationDto("BT-2611-HS240007", 600_000)], null,
                Qr: new VietQrDto(code, payload, DateTimeOffset.UtcNow.AddMinutes(15))),
            PrevHash: EntryCanonicalForm.GenesisHash);
        payment = payment with { Hash = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, payment) };
        using (var push = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [payment]), ContractsJsonContext.Default.PushRequest))
        {
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        }

        using (var notified = await province.NotifyAsync(150_000, "CT " + code, "FT-OLD-UNDER"))
        {
            Assert.Equal(HttpStatusCode.OK, notified.StatusCode);
        }

        Assert.Equal("BT-2611-HS240007|0|\nHP-2611-HS240007|150000|\n", await province.RowsAsync("SELECT id, paid FROM bills WHERE account_code = 'HS240007' ORDER BY id"));
        var refund = new JournalEntryDto(2, EntryKinds.PaymentRefunded, DateTimeOffset.UtcNow,
            Reversal: new PaymentReversalDto("KP-THCS-ND-09-00000001", 150_000, [new AllocationDto("BT-2611-HS240007", 150_000)], ReversalDestinations.BankTransfer, "FT26112399014", "Kiem tra", "tn01", "gs01"),
            PrevHash: payment.Hash);
        refund = refund with { Hash = EntryCanonicalForm.ChainHash(payment.Hash!, refund) };
        using (var push = await client.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [refund]), ContractsJsonContext.Default.PushRequest))
        {
            output.WriteLine(await push.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        }

        Assert.Equal("BT-2611-HS240007|0|\nHP-2611-HS240007|0|\n", await province.RowsAsync("SELECT id, paid FROM bills WHERE account_code = 'HS240007' ORDER BY id"));
        Assert.Contains("reopened_as_credited", await province.RowsAsync("SELECT detail FROM alerts WHERE kind = 'reversal_flagged'"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deposit_is_refunded_only_up_to_what_is_left_of_it_on_the_balance()
    {
        await using var province = await ProvinceHost.StartAsync();
        await province.ExecuteAsync("UPDATE accounts SET balance = 0 WHERE code = 'BN260001'");
        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);
        const string Patient = "BN260001", Card = "0472A9C1B2D380", Bill = "VP-BN260001-1", Deposit = "TU-BN260001-1";

        string deposit;
        using (var taken = await cashier.PostAsJsonAsync("/api/v1/payments", new { payerCode = Patient, method = "external_card", approvalCode = "TU0001", cardLast4 = "1234", bills = new[] { new { billId = Deposit } } }))
        {
            Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
            deposit = (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        await terminal.TapAsync(Card);
        using (var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method = "card_balance", bills = new[] { new { billId = Bill } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        Assert.Equal(1_574_640, (await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payers/{Patient}")).GetProperty("availableBalance").GetInt64());

        // All of it: refused, saying what is left; nothing journalled.
        using (var all = await cashier.PostAsJsonAsync($"/api/v1/payments/{deposit}/refund", Approval(2_000_000, "bank_transfer", "FT26112399009")))
        {
            var problem = await all.Content.ReadFromJsonAsync<JsonElement>();
            output.WriteLine($"{(int)all.StatusCode} {problem}");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, all.StatusCode);
            Assert.Equal("deposit_spent", problem.GetProperty("code").GetString());
            Assert.Contains("1.574.640 ₫", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
            Assert.Equal("0|\n", await TerminalRowsAsync(terminal, "SELECT COUNT(*) FROM reversals"));
        }

        // What is left: given back, and until the province has it, counted off what this terminal lets the card spend.
        using (var left = await cashier.PostAsJsonAsync($"/api/v1/payments/{deposit}/refund", Approval(1_574_640, "bank_transfer", "FT26112399009")))
        {
            Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        }

        Assert.Equal(0, (await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payers/{Patient}")).GetProperty("availableBalance").GetInt64());
        using (var more = await cashier.PostAsJsonAsync($"/api/v1/payments/{deposit}/refund", Approval(1, "bank_transfer", "FT26112399012")))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, more.StatusCode);
            Assert.Equal("deposit_spent", (await more.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal(0, await province.BalanceAsync(Patient));
        Assert.Equal(string.Empty, await province.RowsAsync("SELECT detail FROM alerts WHERE kind = 'reversal_flagged'"));
    }

    [Fact]
    public async Task A_deposit_refunded_before_it_was_pushed_counts_what_was_taken_here()
    {
        await using var province = await ProvinceHost.StartAsync();
        await province.ExecuteAsync("UPDATE accounts SET balance = 0 WHERE code = 'BN260001'");
        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);

        // Taken in error and given back at once, before a sync round: the province does not hold it yet.
        string deposit;
        using (var taken = await cashier.PostAsJsonAsync("/api/v1/payments", new { payerCode = "BN260001", method = "external_card", approvalCode = "TU0002", cardLast4 = "1234", bills = new[] { new { billId = "TU-BN260001-1" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
            deposit = (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        using (var back = await cashier.PostAsJsonAsync($"/api/v1/payments/{deposit}/refund", Approval(2_000_000, "bank_transfer", "FT26112399013")))
        {
            output.WriteLine(await back.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal(0, await province.BalanceAsync("BN260001"));
    }

    [Fact]
    public async Task A_refund_or_void_retried_with_its_key_is_taken_once_and_the_key_with_another_request_is_refused()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);
        var refunded = await PayByCardAsync(terminal, cashier, "HP-2611-HS240001");
        var voided = await PayByCardAsync(terminal, cashier, "BT-2611-HS240001");

        // The answer was lost; the counter sends the same request again with the same key.
        var views = new List<JsonElement>();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/payments/{refunded}/refund") { Content = JsonContent.Create(Approval(50_000, "card_balance", null)) };
            request.Headers.Add("Idempotency-Key", "counter-refund-1");
            using var answer = await cashier.SendAsync(request);
            var view = await answer.Content.ReadFromJsonAsync<JsonElement>();
            output.WriteLine($"{(int)answer.StatusCode} {view}");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            views.Add(view);
        }

        Assert.Equal("1|\n", await TerminalRowsAsync(terminal, $"SELECT COUNT(*) FROM reversals WHERE payment_id = '{refunded}'"));
        Assert.Equal(views[0].GetProperty("sequence").GetInt64(), views[1].GetProperty("sequence").GetInt64());
        Assert.Equal([false, true], views.Select(v => v.GetProperty("replayed").GetBoolean()));

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var answer = await cashier.PostAsJsonAsync($"/api/v1/payments/{voided}/void", new { clientRequestId = "counter-void-1", reason = "Thu nham", supervisorId = "gs01", supervisorPin = "975319" });
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("voided", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paymentState").GetString());
        }

        using (var other = await cashier.PostAsJsonAsync($"/api/v1/payments/{refunded}/refund", new { clientRequestId = "counter-refund-1", amount = 60_000, destination = "card_balance", reason = "Kiem tra", supervisorId = "gs01", supervisorPin = "975319" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
            Assert.Equal("idempotency_key_reused", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        Assert.Equal("2|\n", await TerminalRowsAsync(terminal, "SELECT COUNT(*) FROM reversals"));
        Assert.Equal(50_000, (await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{refunded}")).GetProperty("refundable").GetInt64());
    }

    [Fact]
    public async Task A_refund_whose_slip_cannot_be_queued_is_answered_as_recorded_with_a_warning()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);
        var id = await PayByCardAsync(terminal, cashier, "HP-2611-HS240001");

        // The print queue's table refuses the slip, as a full disk or a failing database would, after the commit.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(terminal.Folder, "terminal.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TRIGGER test_no_slips BEFORE INSERT ON print_jobs WHEN NEW.kind = 'slip' BEGIN SELECT RAISE(ABORT, 'no room for the slip'); END;";
            await command.ExecuteNonQueryAsync();
        }

        using var answer = await cashier.PostAsJsonAsync($"/api/v1/payments/{id}/refund", Approval(50_000, "card_balance", null));
        var body = await answer.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)answer.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var view = JsonDocument.Parse(body).RootElement;
        Assert.Equal(50_000, view.GetProperty("amount").GetInt64());
        Assert.Contains("Đã ghi nhận", view.GetProperty("warning").GetString(), StringComparison.Ordinal);
        Assert.Equal("1|\n", await TerminalRowsAsync(terminal, "SELECT COUNT(*) FROM reversals"));
    }

    private static async Task<string> PayByCardAsync(TerminalHost terminal, HttpClient cashier, string bill)
    {
        await terminal.TapAsync("04A1B2C3");
        using var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", method = "card_balance", bills = new[] { new { billId = bill, amount = 100_000 } } });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        return (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<string> TerminalRowsAsync(TerminalHost terminal, string sql)
    {
        var text = new System.Text.StringBuilder();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(terminal.Folder, "terminal.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
