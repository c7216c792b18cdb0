using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A payer leaving, closed by a supervisor at the counter (issue 27): the terminal forwards the request, signed, to a
/// real province server, which refunds the remainder to the đồng with its transfer reference and closes the cards;
/// another terminal of the institution refuses the card, online at once and offline after its pull.
/// </summary>
public abstract class CounterAccountClosureTests(ProvinceEngine engine)
{
    [Fact]
    public async Task A_supervisor_closes_an_account_at_the_counter_the_remainder_refunded_to_the_dong_and_the_card_refused_at_the_kiosk()
    {
        // A text-mode printer at the counter, so that the emulator decodes the closing slip's ESC/POS text bytes (Windows-1258) back to text.
        await using var school = await CounterAndKiosk.StartAsync(engine, counterArgs: ["--Hardware:PrinterTextMode=Windows1258"]);
        var (province, counter, kiosk) = (school.Province, school.Counter, school.Kiosk);
        using (var paid = await counter.TapAndPayAsync("04A1B2C3", "BT-2611-HS240001", 123_456))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await Wait.UntilDrainedAsync(counter.Http, TimeSpan.FromSeconds(15));
        Assert.Equal(1_876_544, await province.BalanceAsync("HS240001"));
        var cashier = await counter.StaffAsync(StaffRole.Cashier);
        var supervisor = await counter.StaffAsync(StaffRole.Supervisor);

        // The counter shows the supervisor the remainder to refund: the balance this terminal knows.
        var payer = await supervisor.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240001");
        Assert.Equal(1_876_544, payer.GetProperty("availableBalance").GetInt64());

        // A cashier may not close; a supervisor must give the transfer's reference (400 naming it) and the amount.
        using (var refused = await cashier.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { amount = 1_876_544, bankReference = "FT26120500001" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var noReference = await supervisor.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { amount = 1_876_544, reason = "Chuyển trường" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReference.StatusCode);
            var problem = await noReference.ProblemAsync();
            Assert.Equal("invalid_request", problem.Code);
            Assert.Contains("bankReference", problem.Title, StringComparison.Ordinal);
            Assert.StartsWith("bankReference", problem.Detail, StringComparison.Ordinal);
        }

        // Review #12: the reason prints on the slip the payer signs; a line break would forge a line of it.
        using (var twoLines = await supervisor.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { amount = 1_876_544, bankReference = "FT26120500001", reason = "Chuyển trường\nĐã nhận đủ" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, twoLines.StatusCode);
            Assert.StartsWith("reason", (await twoLines.ProblemAsync()).Detail, StringComparison.Ordinal);
        }

        using (var noAmount = await supervisor.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { bankReference = "FT26120500001" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noAmount.StatusCode);
            Assert.StartsWith("amount", (await noAmount.ProblemAsync()).Detail, StringComparison.Ordinal);
        }

        // The province closes only what it holds to the đồng: one đồng off is refused, and nothing changes.
        using (var off = await supervisor.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { amount = 1_876_543, bankReference = "FT26120500001" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, off.StatusCode);
            var problem = await off.ProblemAsync();
            Assert.Equal("balance_changed", problem.Code);
            Assert.Contains("1.876.544", problem.Title, StringComparison.Ordinal);
        }

        Assert.Equal(1_876_544, await province.BalanceAsync("HS240001"));
        Assert.Null(await province.ScalarAsync("SELECT closed_at FROM accounts WHERE code = 'HS240001'"));

        // Another institution's terminal cannot close this school's account (it is not there for it).
        await using (var hospital = await TerminalHost.StartHospitalAsync(province))
        {
            var other = await hospital.StaffAsync(StaffRole.Supervisor);
            using var foreign = await other.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { amount = 1_876_544, bankReference = "FT26120500001" });
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
            Assert.Equal("account_not_found", (await foreign.ProblemAsync()).Code);
        }

        var printer = (KioskPos.Hardware.Simulators.Printer.EmulatedReceiptPrinter)counter.App.Services.GetRequiredService<KioskPos.Firmware.Devices.IReceiptPrinter>();
        var pagesBefore = printer.Emulator.PagesPrinted;
        using (var closed = await supervisor.PostAsJsonAsync("/api/v1/accounts/hs240001/close", new { amount = 1_876_544, bankReference = " FT26120500001 ", reason = "Chuyển trường" }))
        {
            var view = await closed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(closed.StatusCode == HttpStatusCode.OK, view.ToString());
            Assert.Equal("HS240001", view.GetProperty("accountCode").GetString());
            Assert.Equal(1_876_544, view.GetProperty("refunded").GetInt64());
            Assert.Equal("FT26120500001", view.GetProperty("bankReference").GetString());
            Assert.Equal(["04A1B2C3"], view.GetProperty("cardsClosed").EnumerateArray().Select(c => c.GetString()));
            Assert.StartsWith("Đã tất toán tài khoản HS240001: hoàn 1.876.544", view.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("printed", view.GetProperty("slip").GetProperty("state").GetString());
        }

        // The slip the payer signs for the refund, twice (theirs and the school's), as the emulator decoded the driver's bytes.
        var slip = string.Join('\n', printer.Emulator.Pages.Where(p => p.Number > pagesBefore).Last(p => p.Complete).Text).Normalize(System.Text.NormalizationForm.FormC);
        void Has(string pattern, int times = 2) =>
            Assert.True(System.Text.RegularExpressions.Regex.Matches(slip, pattern).Count == times, $"'{pattern}' not {times} times on the closing slip:\n{slip}");
        Has("PHIẾU TẤT TOÁN");
        Has(@"SỐ TIỀN HOÀN:\s+1\.876\.544 [₫đ]");
        Has(@"Mã giao dịch CK:\s+FT26120500001");
        Has(@"Lý do:\s+Chuyển trường");
        Has(@"Người lập:\s+Demo Supervisor \(gs01\)");
        Has("Liên 1: giao người nhận tiền", 1);
        Has("Liên 2: lưu tại đơn vị", 1);
        Assert.DoesNotContain("04A1B2C3", slip, StringComparison.Ordinal); // the card masked, as on receipts

        // The province's record: the remainder, the reference, the supervisor by name at this terminal.
        Assert.Equal(0, await province.BalanceAsync("HS240001"));
        Assert.Equal(1_876_544L, Convert.ToInt64(await province.ScalarAsync("SELECT refunded FROM account_closures WHERE account_code = 'HS240001' AND bank_reference = 'FT26120500001'")));
        Assert.Equal("Demo Supervisor (gs01) @ KP-THCS-ND-01", await province.ScalarAsync("SELECT closed_by FROM account_closures WHERE account_code = 'HS240001'"));
        Assert.Equal("Chuyển trường", await province.ScalarAsync("SELECT reason FROM account_closures WHERE account_code = 'HS240001'"));
        Assert.Equal("closed", await province.ScalarAsync("SELECT denied_reason FROM cards WHERE uid = '04A1B2C3'"));
        using (var again = await supervisor.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { amount = 0, bankReference = "FT26120500002" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("account_closed", (await again.ProblemAsync()).Code);
        }

        // The kiosk (another terminal, which has pulled nothing since) is refused by the province's authorisation at once...
        using (var online = await kiosk.TapAndPayAsync("04A1B2C3", "HP-2611-HS240001", 1_000))
        {
            Assert.Equal("card_blocked", (await online.ProblemAsync()).Code);
        }

        // ...and after its pull refuses the card with the province gone.
        Assert.Null((await kiosk.Sync.RunRoundAsync(CancellationToken.None)).Error);
        await province.StopAsync();
        using var offline = await kiosk.TapAndPayAsync("04A1B2C3", "HP-2611-HS240001", 1_000);
        Assert.Equal("card_blocked", (await offline.ProblemAsync()).Code);
    }
}

/// <summary>CounterAccountClosure on SQLite.</summary>
public sealed class CounterAccountClosureSqliteTests() : CounterAccountClosureTests(ProvinceEngine.Sqlite)
{
    [Fact]
    public async Task Offline_the_counter_refuses_to_close_with_a_clear_503_and_nothing_changes()
    {
        using var kept = new KeptProvince();
        var province = await kept.StartAsync();
        await using var counter = await TerminalHost.StartAsync(province);
        var supervisor = await counter.StaffAsync(StaffRole.Supervisor);
        var journalled = await counter.JournalCountAsync();
        await province.StopAsync();
        await province.DisposeAsync();
        using var refused = await supervisor.PostAsJsonAsync("/api/v1/accounts/HS240001/close", new { amount = 2_000_000, bankReference = "FT26120500001" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!;
        Assert.Equal("server_unreachable", problem.Code);
        Assert.StartsWith("Không kết nối được máy chủ tỉnh: tất toán tài khoản cần máy chủ tỉnh", problem.Title, StringComparison.Ordinal);
        Assert.Contains("holds the balance", problem.Detail, StringComparison.Ordinal);

        // Nothing changed: the terminal journalled nothing, and the province, back with its data, holds the account
        // open with its whole balance.
        Assert.Equal(journalled, await counter.JournalCountAsync());
        await using var back = await kept.StartAsync();
        Assert.Equal(2_000_000, await back.BalanceAsync("HS240001"));
        Assert.Null(await back.ScalarAsync("SELECT closed_at FROM accounts WHERE code = 'HS240001'"));
    }

}

/// <summary>CounterAccountClosure on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class CounterAccountClosurePostgresTests() : CounterAccountClosureTests(ProvinceEngine.Postgres);
