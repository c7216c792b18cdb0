using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The counter's endpoints on a real Kestrel: sign-in with a PIN (and its lockout), roles checked by the server,
/// a void and a refund approved with a supervisor's PIN, the slips and the Z report on the emulated printer.
/// </summary>
public class CounterApiTests
{
    [Fact]
    public async Task A_cashier_voids_and_refunds_with_a_supervisors_pin_and_closes_the_shift()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await SeedStaffAsync(terminal);
        using var cashier = await SignedInAsync(terminal, "tn01", "246813");

        // A payer found by name, with or without diacritics.
        var byName = await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payers?name=nguyen%20minh%20anh");
        Assert.Equal("HS240001", Assert.Single(byName!).GetProperty("code").GetString());
        Assert.Equal("Nguyễn Minh Anh", byName![0].GetProperty("name").GetString());
        Assert.Contains((await cashier.GetFromJsonAsync<JsonElement[]>("/api/v1/payers?name=Tr%E1%BA%A7n%20Th%E1%BB%8B%20B%E1%BA%A3o"))!, p => p.GetProperty("code").GetString() == "HS240002");
        Assert.Equal(HttpStatusCode.BadRequest, (await cashier.GetAsync("/api/v1/payers?name=a")).StatusCode);

        await terminal.TapAsync("04A1B2C3");
        var tuition = await PaidAsync(await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"));
        await terminal.TapAsync("04A1B2C3");
        var boarding = await PaidAsync(await terminal.PayAsync("04A1B2C3", "BT-2611-HS240001"));
        await terminal.ReceiptSettledAsync(tuition);
        await terminal.ReceiptSettledAsync(boarding); // the answers go before the receipts print (issue #26)
        var pagesBefore = await PagesAsync(terminal);

        // Approval: a reason and a supervisor's right PIN; the cashier cannot approve their own void.
        using (var missing = await cashier.PostAsJsonAsync($"/api/v1/payments/{tuition}/void", new { reason = "Thu nhầm" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        }

        using (var self = await cashier.PostAsJsonAsync($"/api/v1/payments/{tuition}/void", new { reason = "Thu nhầm", supervisorId = "tn01", supervisorPin = "246813" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        }

        using (var notSupervisor = await cashier.PostAsJsonAsync($"/api/v1/payments/{tuition}/void", new { reason = "Thu nhầm", supervisorId = "tn02", supervisorPin = "135790" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notSupervisor.StatusCode);
        }

        using (var wrongPin = await cashier.PostAsJsonAsync($"/api/v1/payments/{tuition}/void", new { reason = "Thu nhầm", supervisorId = "gs01", supervisorPin = "0000" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrongPin.StatusCode); // the cashier's session is fine; the approval is not
            Assert.Contains("còn 4 lần thử", await wrongPin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var voided = await cashier.PostAsJsonAsync($"/api/v1/payments/{tuition}/void", new { reason = "Thu nhầm", supervisorId = "gs01", supervisorPin = "975319" }))
        {
            var body = await voided.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(voided.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.Equal(("voided", 150_000L, "gs01"), (body.GetProperty("paymentState").GetString(), body.GetProperty("amount").GetInt64(), body.GetProperty("approvedBy").GetString()));
        }

        using (var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{boarding}/refund",
            new { amount = 100_000, destination = "bank_transfer", bankReference = "FT26112300077", reason = "Nghỉ học 4 ngày", supervisorId = "gs01", supervisorPin = "975319" }))
        {
            Assert.Equal(HttpStatusCode.OK, refunded.StatusCode);
            Assert.Equal("completed", (await refunded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paymentState").GetString());
        }

        // Payments from a card's balance bring no money in (it came with the top-ups); the refund by transfer takes
        // 100.000 out: the money taken in is -100.000.
        var open = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/shifts/current");
        Assert.Equal((-100_000L, 100_000L), (open.GetProperty("net").GetInt64(), open.GetProperty("refundedByTransfer").GetInt64()));

        // The X report prints the open shift so far: the payments by method, the void, the refund and its transfer.
        using (var x = await cashier.PostAsync("/api/v1/reports/x", null))
        {
            Assert.Equal(HttpStatusCode.OK, x.StatusCode);
        }

        var xReport = File.ReadAllText(Directory.GetFiles(terminal.ReceiptsFolder, "x-*.txt").Single());
        Assert.Matches(@"Hủy \(1\):\s+-150\.000 ₫", xReport);
        Assert.Matches(@"Hoàn tiền \(1\):\s+-100\.000 ₫", xReport);
        Assert.Matches(@"trong đó chuyển khoản:\s+-100\.000 ₫", xReport);
        Assert.Matches(@"THỰC THU:\s+-100\.000 ₫", xReport);
        Assert.Contains("Lê Thu Ngân", xReport, StringComparison.Ordinal);
        using (var close = await cashier.PostAsync("/api/v1/shifts/current/close", null))
        {
            var z = await close.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(close.StatusCode == HttpStatusCode.OK, z.ToString());
            Assert.Equal((1L, 1, 150_000L, 1, 100_000L), (z.GetProperty("number").GetInt64(), z.GetProperty("voids").GetInt32(), z.GetProperty("voided").GetInt64(), z.GetProperty("refunds").GetInt32(), z.GetProperty("refunded").GetInt64()));
        }

        // Two slips, the X and the Z report reached the paper.
        await Wait.UntilAsync(async () => await PagesAsync(terminal) >= pagesBefore + 4, TimeSpan.FromSeconds(20), "the slips and the Z report");
        var texts = Directory.GetFiles(terminal.ReceiptsFolder, "*.txt").Select(File.ReadAllText).ToList();
        Assert.Contains(texts, t => t.Contains("FT26112300077", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("gs01", StringComparison.Ordinal));

        // The void reached the province: the card has the money back.
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal(2_000_000 - 600_000, await province.BalanceAsync("HS240001"));

        // And the shift's close with its refund by transfer (in the entry's hash) was taken too.
        Assert.Equal(0, (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("sync").GetProperty("rejected").GetInt32());
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM journal_entries WHERE kind = 'shift.closed'")));
    }

    [Fact]
    public async Task Roles_are_checked_by_the_server_and_five_wrong_pins_lock_the_sign_in()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await SeedStaffAsync(terminal);

        // No session: refused, whatever the screen shows.
        using (var anonymous = await terminal.Http.PostAsJsonAsync("/api/v1/payments/KP-THCS-ND-01-00000001/void", new { reason = "x", supervisorId = "gs01", supervisorPin = "975319" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await terminal.Http.PostAsync("/api/v1/shifts/current/close", null)).StatusCode);

        // A technician may sign in but not touch payments.
        using var technician = await SignedInAsync(terminal, "kt01", "864271");
        Assert.Equal("technician", (await technician.GetFromJsonAsync<JsonElement>("/api/v1/sessions/current")).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.GetAsync("/api/v1/shifts/current")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await technician.PostAsync("/api/v1/shifts/current/close", null)).StatusCode);

        // Signing out ends the session at the server.
        Assert.Equal(HttpStatusCode.NoContent, (await technician.DeleteAsync("/api/v1/sessions/current")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await technician.GetAsync("/api/v1/sessions/current")).StatusCode);

        // Five wrong PINs: locked, and then even the right PIN is refused.
        for (var i = 1; i <= 4; i++)
        {
            using var wrong = await terminal.Http.PostAsJsonAsync("/api/v1/sessions", new { staffId = "tn01", pin = "1111" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var fifth = await terminal.Http.PostAsJsonAsync("/api/v1/sessions", new { staffId = "tn01", pin = "1111" }))
        {
            Assert.Equal((HttpStatusCode)423, fifth.StatusCode);
        }

        using (var right = await terminal.Http.PostAsJsonAsync("/api/v1/sessions", new { staffId = "tn01", pin = "246813" }))
        {
            Assert.Equal((HttpStatusCode)423, right.StatusCode);
            Assert.Contains("tạm khóa", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var malformed = await terminal.Http.PostAsync("/api/v1/sessions", new StringContent("{\"staffId\":", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }
    }

    private static async Task SeedStaffAsync(TerminalHost terminal)
    {
        var staff = terminal.App.Services.GetRequiredService<StaffStore>();
        await staff.AddOrUpdateAsync("tn01", "Lê Thu Ngân", StaffRole.Cashier, "246813");
        await staff.AddOrUpdateAsync("tn02", "Phạm Văn Ba", StaffRole.Cashier, "135790");
        await staff.AddOrUpdateAsync("gs01", "Trần Giám Sát", StaffRole.Supervisor, "975319");
        await staff.AddOrUpdateAsync("kt01", "Võ Kỹ Thuật", StaffRole.Technician, "864271");
    }

    // A client of its own with a cookie jar, signed in.
    private static async Task<HttpClient> SignedInAsync(TerminalHost terminal, string id, string pin)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = terminal.Http.BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/v1/sessions", new { staffId = id, pin });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        return client;
    }

    private static async Task<string> PaidAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }
    }

    private static async Task<int> PagesAsync(TerminalHost terminal) =>
        (await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/printer")).GetProperty("completePages").GetInt32();
}

/// <summary>Payments on the bank-card terminal beside the counter: approval code and last 4 digits only.</summary>
public class ExternalCardPaymentTests
{
    [Fact]
    public async Task A_cashier_records_a_bank_card_payment_with_its_approval_and_last_4_digits_only()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        object Body(string? approval, string? last4) => new { payerCode = "HS240007", method = "external_card", approvalCode = approval, cardLast4 = last4, bills = new[] { new { billId = "HP-2611-HS240007" } } };

        // The kiosk has no cashier: refused.
        using (var kiosk = await terminal.Http.PostAsJsonAsync("/api/v1/payments", Body("A1B2C3", "4242")))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, kiosk.StatusCode);
            Assert.Equal("counter_only", (await kiosk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        // A whole card number where the last 4 digits go: refused, and kept nowhere.
        using (var pan = await cashier.PostAsJsonAsync("/api/v1/payments", Body("A1B2C3", "4111111111111111")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, pan.StatusCode);
        }

        using (var noApproval = await cashier.PostAsJsonAsync("/api/v1/payments", Body(null, "4242")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noApproval.StatusCode);
        }

        using var paid = await cashier.PostAsJsonAsync("/api/v1/payments", Body("a1b2c3", "4242"));
        var view = await paid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(paid.StatusCode == HttpStatusCode.Created, view.ToString());
        Assert.Equal(("external_card", "completed", "tn01"), (view.GetProperty("method").GetString(), view.GetProperty("state").GetString(), view.GetProperty("operator").GetString()));
        Assert.Equal(("A1B2C3", "4242"), (view.GetProperty("externalCard").GetProperty("approvalCode").GetString(), view.GetProperty("externalCard").GetProperty("last4").GetString()));
        var id = view.GetProperty("id").GetString()!;
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(terminal.ReceiptsFolder, id + ".txt"))), TimeSpan.FromSeconds(20), "the receipt");
        var receipt = await File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + ".txt"));
        Assert.Contains("**** 4242", receipt, StringComparison.Ordinal);
        Assert.Contains("A1B2C3", receipt, StringComparison.Ordinal);

        // At the province: the bill paid, the card's balance untouched.
        var before = await province.BalanceAsync("HS240007");
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal(before, await province.BalanceAsync("HS240007"));
        Assert.Equal("external_card", (await province.PaymentsAsync("HS240007")).Single().GetProperty("method").GetString());
        var payer = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240007");
        Assert.DoesNotContain(payer.GetProperty("openBills").EnumerateArray(), b => b.GetProperty("id").GetString() == "HP-2611-HS240007");

        // Nothing on disk holds the whole number that was typed by mistake (the database and its write-ahead log).
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(terminal.Folder, "terminal.db*"))
        {
            Assert.DoesNotContain("4111111111111111", System.Text.Encoding.Latin1.GetString(await DatabaseFiles.ReadSharedAsync(file)), StringComparison.Ordinal);
        }
    }
}

/// <summary>
/// A hospital counter: bill lines with the part health insurance pays, a deposit (tạm ứng) taken on the bank-card
/// terminal and held on the patient's account, the hospital bill paid from it, and what is left given back.
/// </summary>
public class HospitalCounterTests
{
    [Fact]
    public async Task A_cashier_sees_the_insurance_part_takes_a_deposit_pays_the_bill_from_it_and_refunds_the_rest()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        const string Patient = "BN260001", Card = "0472A9C1B2D380", Bill = "VP-BN260001-1", Deposit = "TU-BN260001-1";

        // The hospital bill: each line with its insurance part; what is owed is the patient's part only.
        var payer = await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/payers/{Patient}");
        var bill = payer.GetProperty("openBills").EnumerateArray().Single(b => b.GetProperty("id").GetString() == Bill);
        var lines = bill.GetProperty("lines").EnumerateArray().ToList();
        var examination = lines.Single(l => l.GetProperty("description").GetString() == "Khám bệnh");
        Assert.Equal((38_700L, 30_960L, 7_740L), (examination.GetProperty("amount").GetInt64(), examination.GetProperty("insuranceCovered").GetInt64(), examination.GetProperty("payerPart").GetInt64()));
        var patientPart = lines.Sum(l => l.GetProperty("payerPart").GetInt64());
        Assert.All(lines, l => Assert.Equal(l.GetProperty("amount").GetInt64(), l.GetProperty("insuranceCovered").GetInt64() + l.GetProperty("payerPart").GetInt64()));
        Assert.True(lines.Sum(l => l.GetProperty("insuranceCovered").GetInt64()) > 0);
        Assert.Equal(patientPart, bill.GetProperty("outstanding").GetInt64());

        // A deposit is not paid from the balance it would be held on.
        await terminal.TapAsync(Card);
        using (var circular = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method = "card_balance", bills = new[] { new { billId = Deposit } } }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, circular.StatusCode);
            Assert.Contains("tạm ứng", await circular.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The deposit on the bank-card terminal: held on the patient's account at the province.
        var before = await province.BalanceAsync(Patient);
        using (var deposit = await cashier.PostAsJsonAsync("/api/v1/payments", new { payerCode = Patient, method = "external_card", approvalCode = "TU0001", cardLast4 = "1234", bills = new[] { new { billId = Deposit } } }))
        {
            Assert.Equal(HttpStatusCode.Created, deposit.StatusCode);
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal(before + 2_000_000, await province.BalanceAsync(Patient));

        // The hospital bill paid from the card balance (which holds the deposit); the receipt shows the insurance part.
        await terminal.TapAsync(Card);
        using var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, method = "card_balance", bills = new[] { new { billId = Bill } } });
        var payment = await paid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(paid.StatusCode == HttpStatusCode.Created, payment.ToString());
        Assert.Equal(patientPart, payment.GetProperty("amount").GetInt64());
        var id = payment.GetProperty("id").GetString()!;
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(terminal.ReceiptsFolder, id + ".txt"))), TimeSpan.FromSeconds(20), "the receipt");
        var receipt = await File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + ".txt"));
        Assert.Contains("BIÊN LAI THU VIỆN PHÍ", receipt, StringComparison.Ordinal);
        Assert.Matches(@"BHYT chi trả \(không thu\):\s+[0-9.]+ ₫", receipt);

        // At discharge the rest of the deposit goes back by transfer (not to the balance it already sits on).
        var depositPayment = (await province.PaymentsAsync(Patient)).Single(p => p.GetProperty("method").GetString() == "external_card").GetProperty("id").GetString()!;
        object Refund(string destination, string? reference) => new { amount = 500_000, destination, bankReference = reference, reason = "Ra viện", supervisorId = "gs01", supervisorPin = "975319" };
        await terminal.StaffAsync(StaffRole.Supervisor);
        using (var toBalance = await cashier.PostAsJsonAsync($"/api/v1/payments/{depositPayment}/refund", Refund("card_balance", null)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, toBalance.StatusCode);
        }

        using (var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{depositPayment}/refund", Refund("bank_transfer", "FT26112399001")))
        {
            Assert.Equal(HttpStatusCode.OK, refunded.StatusCode);
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.Equal(before + 2_000_000 - patientPart - 500_000, await province.BalanceAsync(Patient));
    }
}
