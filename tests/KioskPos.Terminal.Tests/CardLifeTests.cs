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
/// Cards issued, lost and replaced (issue 27) on real terminals (Kestrel on 127.0.0.1, SQLite files) syncing with a real
/// province server: the change is journalled at one terminal, refused or taken there at once, applied once by the
/// province, and learnt by another terminal at its pull — which then refuses the old card with the province gone.
/// </summary>
public abstract class CardLifeTests(ProvinceEngine engine)
{
    [Fact]
    public async Task A_lost_card_is_replaced_the_new_card_carries_the_balance_and_the_old_is_refused_at_another_terminal_online_and_offline()
    {
        await using var school = await CounterAndKiosk.StartAsync(engine);
        var (province, counter, kiosk) = (school.Province, school.Counter, school.Kiosk);
        var cashier = await counter.StaffAsync(StaffRole.Cashier);

        // Reported lost at the counter: refused there at once, before anything reached the province.
        using (var lost = await cashier.PostAsync("/api/v1/cards/04:a1:b2:c3/lost", null))
        {
            Assert.Equal(HttpStatusCode.OK, lost.StatusCode);
            var view = await lost.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("lost", view.GetProperty("action").GetString());
            Assert.Equal("HS240001", view.GetProperty("accountCode").GetString());
            Assert.Equal("N. M. Anh", view.GetProperty("maskedName").GetString());
            Assert.Equal(2_000_000, view.GetProperty("balance").GetInt64());
            Assert.StartsWith("Đã báo mất thẻ", view.GetProperty("message").GetString());
        }

        using (var refused = await counter.TapAndPayAsync("04A1B2C3", "BT-2611-HS240001", 10_000))
        {
            Assert.Equal("card_blocked", (await refused.ProblemAsync()).Code);
        }

        // Pushed like a payment: the province deny-lists it, and the other terminal's online authorisation refuses
        // it before that terminal has pulled anything.
        Assert.Null((await counter.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.Equal("lost", await province.ScalarAsync("SELECT denied_reason FROM cards WHERE uid = '04A1B2C3'"));
        using (var online = await kiosk.TapAndPayAsync("04A1B2C3", "BT-2611-HS240001", 10_000))
        {
            Assert.Equal("card_blocked", (await online.ProblemAsync()).Code);
        }

        // Replaced by tapping the new card at the counter: it pays from the same account, so it carries the balance.
        await counter.TapAsync("04BEEF01");
        using (var replaced = await cashier.PostAsJsonAsync("/api/v1/cards/04A1B2C3/replace", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            var view = await replaced.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("replaced", view.GetProperty("action").GetString());
            Assert.Equal("04BEEF01", view.GetProperty("cardUid").GetString());
            Assert.Equal("04A1B2C3", view.GetProperty("replacedUid").GetString());
            Assert.Equal(2_000_000, view.GetProperty("balance").GetInt64());
        }

        Assert.Null((await counter.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.Equal("HS240001", await province.ScalarAsync("SELECT account_code FROM cards WHERE uid = '04BEEF01'"));
        Assert.Null(await province.ScalarAsync("SELECT denied_at FROM cards WHERE uid = '04BEEF01'"));

        // The other terminal pulls, then loses the province: it refuses the old card on its own and takes the new one
        // offline, against the balance the account carried.
        Assert.Null((await kiosk.Sync.RunRoundAsync(CancellationToken.None)).Error);
        var payer = await (await kiosk.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04BEEF01");
        Assert.Equal("HS240001", payer.GetProperty("code").GetString());
        Assert.Equal(2_000_000, payer.GetProperty("availableBalance").GetInt64());
        Assert.True((await (await kiosk.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04A1B2C3")).GetProperty("blocked").GetBoolean());
        await province.StopAsync();

        using (var offlineOld = await kiosk.TapAndPayAsync("04A1B2C3", "BT-2611-HS240001", 10_000))
        {
            Assert.Equal("card_blocked", (await offlineOld.ProblemAsync()).Code);
        }

        using (var offlineNew = await kiosk.TapAndPayAsync("04BEEF01", "BT-2611-HS240001", 100_000))
        {
            Assert.Equal(HttpStatusCode.Created, offlineNew.StatusCode);
            Assert.True((await offlineNew.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offline").GetBoolean());
        }

        // The province back: the offline payment lands once, on the account, made with the new card.
        await using var back = await school.Kept.StartAsync();
        await Wait.UntilAsync(async () => (await back.PaymentsAsync("HS240001")).Length == 1, TimeSpan.FromSeconds(20), "the offline payment at the province");
        Assert.Equal(2_000_000 - 100_000, await back.BalanceAsync("HS240001"));
        Assert.Equal("04BEEF01", await back.ScalarAsync("SELECT card_uid FROM payments WHERE account_code = 'HS240001'"));
        Assert.Equal(2L, Convert.ToInt64(await back.ScalarAsync("SELECT COUNT(*) FROM card_changes WHERE account_code = 'HS240001'")));
    }

    [Fact]
    public async Task A_cashier_issues_a_card_by_tapping_it_and_another_terminal_takes_it_after_its_pull()
    {
        // The kiosk pulls only when this test says so (or when it has a payment of its own to push): with the hosts'
        // one-second interval its worker could take the new card before the check that it does not know it yet (it did
        // on a loaded CI machine).
        await using var school = await CounterAndKiosk.StartAsync(engine, kioskArgs: ["--ProvinceServer:Interval=01:00:00"]);
        var (province, tech, kiosk) = (school.Province, school.Counter, school.Kiosk);
        var cashier = await tech.StaffAsync(StaffRole.Cashier);

        await tech.TapAsync("04CAFE01");
        using (var issued = await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "hs240004" }))
        {
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            var view = await issued.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("issued", view.GetProperty("action").GetString());
            Assert.Equal("04CAFE01", view.GetProperty("cardUid").GetString());
            Assert.Equal("HS240004", view.GetProperty("accountCode").GetString());
        }

        // Known here at once; at the other terminal after the push and its pull.
        Assert.Equal("HS240004", (await (await tech.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04CAFE01")).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await (await kiosk.CashierAsync()).GetAsync("/api/v1/payers/by-card/04CAFE01")).StatusCode);
        Assert.Null((await tech.Sync.RunRoundAsync(CancellationToken.None)).Error);
        Assert.Null((await kiosk.Sync.RunRoundAsync(CancellationToken.None)).Error);
        var before = await province.BalanceAsync("HS240004");
        using (var paid = await kiosk.TapAndPayAsync("04CAFE01", "BT-2611-HS240004", 20_000))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            Assert.False((await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offline").GetBoolean());
        }

        // The payment wakes the kiosk's sync and is pushed at once (its receipt's outcome, journalled after the print,
        // wakes it again and follows).
        await Wait.UntilAsync(async () => await province.BalanceAsync("HS240004") == before - 20_000, TimeSpan.FromSeconds(15), "the kiosk's payment at the province");

        // Once given out, a card is not given out again (here, nor to another account).
        await tech.TapAsync("04CAFE01");
        using var again = await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240005" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Equal("card_in_use", (await again.ProblemAsync()).Code);
    }

    [Fact]
    public async Task The_province_applies_a_card_change_once_however_often_it_is_pushed_and_flags_one_it_cannot_apply()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using var other = await province.SignedClientAsync("KP-THCS-ND-09");
        var entry = new JournalEntryDto(1, EntryKinds.CardChanged, DateTimeOffset.UtcNow, Card: new CardChangeDto(CardActions.Lost, "HS240002", "04D4E5F6", null, "tn01"));
        var chained = entry with { PrevHash = EntryCanonicalForm.GenesisHash, Hash = EntryCanonicalForm.ChainHash(EntryCanonicalForm.GenesisHash, entry) };
        var version = Convert.ToInt64(await province.ScalarAsync("SELECT version FROM accounts WHERE code = 'HS240002'"));
        for (var push = 0; push < 2; push++)
        {
            using var response = await other.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [chained]), ContractsJsonContext.Default.PushRequest);
            var result = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
            Assert.Equal(push == 0 ? "accepted" : "duplicate", result.Results[0].Status);
            Assert.Empty(result.Results[0].Flags);
        }

        Assert.Equal("lost", await province.ScalarAsync("SELECT denied_reason FROM cards WHERE uid = '04D4E5F6'"));
        Assert.Equal(1L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM card_changes WHERE card_uid = '04D4E5F6'")));
        Assert.True(Convert.ToInt64(await province.ScalarAsync("SELECT version FROM accounts WHERE code = 'HS240002'")) > version);

        // Another account's card is not taken from it: recorded, flagged for a person, not applied.
        var second = new JournalEntryDto(2, EntryKinds.CardChanged, DateTimeOffset.UtcNow, Card: new CardChangeDto(CardActions.Issued, "HS240004", "04A1B2C3", null, "tn01"));
        var chainedSecond = second with { PrevHash = chained.Hash, Hash = EntryCanonicalForm.ChainHash(chained.Hash!, second) };
        using (var response = await other.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [chainedSecond]), ContractsJsonContext.Default.PushRequest))
        {
            var result = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PushResponse))!;
            Assert.Contains("card_in_use:04A1B2C3", result.Results[0].Flags);
        }

        Assert.Equal("HS240001", await province.ScalarAsync("SELECT account_code FROM cards WHERE uid = '04A1B2C3'"));
        Assert.Equal("card_in_use:04A1B2C3", await province.ScalarAsync("SELECT flags FROM card_changes WHERE card_uid = '04A1B2C3'"));

        // A card change without its card, or a replacement without the old card, is refused whole.
        var bad = new JournalEntryDto(3, EntryKinds.CardChanged, DateTimeOffset.UtcNow, Card: new CardChangeDto(CardActions.Replaced, "HS240004", "04CAFE02", null, "tn01"));
        var chainedBad = bad with { PrevHash = chainedSecond.Hash, Hash = EntryCanonicalForm.ChainHash(chainedSecond.Hash!, bad) };
        using var refused = await other.PostAsJsonAsync(SyncProtocol.PushPath, new PushRequest("KP-THCS-ND-09", [chainedBad]), ContractsJsonContext.Default.PushRequest);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("replacement", (await refused.ProblemAsync()).Detail);
    }
}

/// <summary>CardLife on the embedded SQLite file.</summary>
public sealed class CardLifeSqliteTests() : CardLifeTests(ProvinceEngine.Sqlite);

/// <summary>CardLife on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class CardLifePostgresTests() : CardLifeTests(ProvinceEngine.Postgres);

/// <summary>The card endpoints' input checks and roles, on a real terminal.</summary>
public sealed class CardApiInputTests
{
    [Fact]
    public async Task Malformed_card_requests_answer_400_naming_the_field_and_roles_are_checked()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        var technician = await terminal.StaffAsync(StaffRole.Technician);

        async Task ExpectFieldAsync(HttpResponseMessage response, string field)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                var problem = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto);
                Assert.StartsWith(field + " ", problem!.Detail);
                Assert.Contains($"Trường {field} không hợp lệ", problem.Title);
            }
        }

        await ExpectFieldAsync(await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240004", cardUid = "not-a-card" }), "cardUid");
        await ExpectFieldAsync(await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "", cardUid = "04CAFE01" }), "accountCode");
        await ExpectFieldAsync(await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240004" }), "cardUid"); // nothing tapped
        await ExpectFieldAsync(await cashier.PostAsync("/api/v1/cards/zz/lost", null), "uid");
        await ExpectFieldAsync(await cashier.PostAsJsonAsync("/api/v1/cards/04A1B2C3/replace", new { newCardUid = "04A1B2C3" }), "newCardUid");
        using (var malformed = await cashier.PostAsync("/api/v1/cards", new StringContent("{\"accountCode\": 5", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Equal("malformed_json", (await malformed.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
        }

        using (var unknown = await cashier.PostAsync("/api/v1/cards/04000001/lost", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var noPayer = await cashier.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS999999", cardUid = "04CAFE01" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, noPayer.StatusCode);
        }

        // Issuing and replacing both hand the account's balance to a card: not a technician's (review #7: a
        // technician issued 0BADCAFE to HS240001 and it paid from the pupil's balance at the kiosk); nothing at all
        // without a sign-in.
        using (var techIssue = await technician.PostAsJsonAsync("/api/v1/cards", new { accountCode = "HS240001", cardUid = "0BADCAFE" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, techIssue.StatusCode);
            Assert.Equal("role_not_allowed", (await techIssue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await (await terminal.CashierAsync()).GetAsync("/api/v1/payers/by-card/0BADCAFE")).StatusCode);
        using (var techReplace = await technician.PostAsJsonAsync("/api/v1/cards/04A1B2C3/replace", new { newCardUid = "04CAFE01" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, techReplace.StatusCode);
            Assert.Equal("role_not_allowed", (await techReplace.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
        }

        using (var kiosk = await terminal.Http.PostAsync("/api/v1/cards/04A1B2C3/lost", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, kiosk.StatusCode);
        }

        // None of the refused requests changed anything: the card still pays.
        Assert.False((await (await terminal.CashierAsync()).GetFromJsonAsync<JsonElement>("/api/v1/payers/by-card/04A1B2C3")).GetProperty("blocked").GetBoolean());
    }
}

/// <summary>A card's statement at the kiosk: its movements at this terminal, shown and printed on the emulated ESC/POS printer.</summary>
public sealed class CardStatementTests
{
    [Fact]
    public async Task After_a_tap_the_kiosk_shows_and_prints_the_cards_last_movements_with_the_name_masked()
    {
        await using var province = await ProvinceHost.StartAsync();
        // A text-mode printer, so that the emulator decodes the driver's ESC/POS text bytes (Windows-1258) back to text.
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Hardware:PrinterTextMode=Windows1258"]);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        await terminal.StaffAsync(StaffRole.Supervisor);

        async Task<string> PayAsync(string bill, long amount)
        {
            await terminal.TapAsync("04A1B2C3");
            using var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = bill, amount } } });
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            return (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var first = await PayAsync("BT-2611-HS240001", 150_000);
        await PayAsync("HP-2611-HS240001", 50_000);
        using (var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{first}/refund",
            new { amount = 30_000, destination = "card_balance", reason = "Nghỉ học 1 ngày", supervisorId = "gs01", supervisorPin = "975319" }))
        {
            Assert.Equal(HttpStatusCode.OK, refunded.StatusCode);
        }

        // Another payer's payment is not on this card's statement.
        await terminal.TapAsync("04D4E5F6");
        using (var other = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04D4E5F6", bills = new[] { new { billId = "BT-2611-HS240002", amount = 10_000 } } }))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        // The kiosk knows the card only by its tap's reference; a UID alone opens no statement to it.
        // (the kiosk has the reference from its event stream; the test asks the terminal, which is the same value).
        await terminal.TapAsync("04A1B2C3");
        var reference = terminal.App.Services.GetRequiredService<KioskPos.Terminal.Services.CardPresence>().Last!.Reference!;
        using (var byUid = await terminal.Http.GetAsync("/api/v1/cards/04A1B2C3/statement"))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, byUid.StatusCode);
        }

        using var shown = await terminal.Http.GetAsync($"/api/v1/cards/{reference}/statement");
        Assert.True(shown.IsSuccessStatusCode, await shown.Content.ReadAsStringAsync());
        var statement = await shown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("N. M. Anh", statement.GetProperty("maskedName").GetString());
        var moves = statement.GetProperty("movements").EnumerateArray().Select(m => (m.GetProperty("kind").GetString(), m.GetProperty("amount").GetInt64())).ToList();
        Assert.Equal([("payment", -150_000L), ("payment", -50_000L), ("refund", 30_000L)], moves);
        Assert.Equal(2_000_000 - 150_000 - 50_000 + 30_000, statement.GetProperty("balance").GetInt64());

        // Printed: what the emulator decoded from the driver's bytes holds the movements, the balance, the masked name.
        var printer = (KioskPos.Hardware.Simulators.Printer.EmulatedReceiptPrinter)terminal.App.Services.GetRequiredService<KioskPos.Firmware.Devices.IReceiptPrinter>();
        var pagesBefore = printer.Emulator.PagesPrinted;
        using (var print = await terminal.Http.PostAsync($"/api/v1/cards/{reference}/statement/print", null))
        {
            Assert.Equal(HttpStatusCode.OK, print.StatusCode);
        }

        var page = printer.Emulator.Pages.Where(p => p.Number > pagesBefore).Last(p => p.Complete);
        var text = string.Join('\n', page.Text).Normalize(System.Text.NormalizationForm.FormC);
        Assert.Contains("SAO KÊ THẺ", text, StringComparison.Ordinal);
        Assert.Contains("N. M. Anh", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Nguyễn", text, StringComparison.Ordinal);
        void Has(string pattern) => Assert.True(System.Text.RegularExpressions.Regex.IsMatch(text, pattern), $"'{pattern}' not in the printed statement:\n{text}");
        Has(@"Thanh toán\s+-150\.000 [₫đ]");
        Has(@"Thanh toán\s+-50\.000 [₫đ]");
        Has(@"Hoàn tiền\s+\+30\.000 [₫đ]");
        Has(@"SỐ DƯ:\s+1\.830\.000 [₫đ]");
        Assert.DoesNotContain("-10.000", text, StringComparison.Ordinal);
        Assert.Contains("thực hiện tại máy", text, StringComparison.Ordinal);
    }
}

/// <summary>A payer leaving: the account closed at the province, its remainder refunded by a recorded transfer, its cards refused.</summary>
public sealed class AccountClosureTests
{
    [Fact]
    public async Task A_closed_account_is_refunded_to_the_dong_by_a_recorded_transfer_and_its_card_is_refused_offline_too()
    {
        using var kept = new KeptProvince();
        var province = await kept.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount = 123_456 } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(15));
        Assert.Equal(2_000_000 - 123_456, await province.BalanceAsync("HS240001"));

        // The refund's transfer reference is the record: without it, 400 naming the field; an accountant may not close.
        using (var noReference = await province.Admin.PostAsJsonAsync("/api/v1/admin/accounts/HS240001/close", new { reason = "Chuyển trường" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReference.StatusCode);
            Assert.StartsWith("bankReference", (await noReference.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Detail);
        }

        using (var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026"))
        using (var refused = await accountant.PostAsJsonAsync("/api/v1/admin/accounts/HS240001/close", new { bankReference = "FT26120500001" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var closed = await province.Admin.PostAsJsonAsync("/api/v1/admin/accounts/HS240001/close", new { bankReference = "FT26120500001", reason = "Chuyển trường" }))
        {
            Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
            var view = await closed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1_876_544, view.GetProperty("refunded").GetInt64());
            Assert.Equal("FT26120500001", view.GetProperty("bankReference").GetString());
            Assert.Equal(["04A1B2C3"], view.GetProperty("cardsClosed").EnumerateArray().Select(c => c.GetString()));
        }

        Assert.Equal(0, await province.BalanceAsync("HS240001"));
        Assert.Equal(1_876_544L, Convert.ToInt64(await province.ScalarAsync("SELECT refunded FROM account_closures WHERE account_code = 'HS240001' AND bank_reference = 'FT26120500001'")));
        Assert.Equal("closed", await province.ScalarAsync("SELECT denied_reason FROM cards WHERE uid = '04A1B2C3'"));
        using (var again = await province.Admin.PostAsJsonAsync("/api/v1/admin/accounts/HS240001/close", new { bankReference = "FT26120500002" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        // The terminal learns it at its pull and refuses the card with the province gone.
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        await province.StopAsync();
        await terminal.TapAsync("04A1B2C3");
        using var offline = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "HP-2611-HS240001", amount = 1_000 } } });
        Assert.Equal("card_blocked", (await offline.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProblemDto))!.Code);
    }
}
