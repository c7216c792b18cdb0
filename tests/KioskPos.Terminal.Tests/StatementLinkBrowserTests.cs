using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Core.VietQr;
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using KioskPos.Sync;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A card's statement for parents (issue 27) in Debian's Chromium: the kiosk's statement screen after a tap (the
/// movements here, the standing transfer code, the month's phone link as a QR), printed on the emulated ESC/POS printer
/// with the same link as a native QR; and the province's month page that link opens, with the movements of every
/// terminal (payments, a refund to the card), a top-up from home and the closing refund, the holder's name masked, and a link for another account, tampered, malformed or
/// expired refused without showing anyone's data. Screenshots go to artifacts/screenshots.
/// </summary>
public abstract class StatementLinkBrowserTests(ProvinceEngine engine) : TerminalBrowserTest
{
    private const string Card = "04A1B2C3";
    private const string Account = "HS240001";

    protected override Task<ProvinceHost> StartProvinceAsync() => ProvinceHost.StartAsync(engine: engine);

    // A text-mode printer, so that the emulator decodes the driver's ESC/POS text bytes (Windows-1258) back to text.
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province, extraArgs: ["--Hardware:PrinterTextMode=Windows1258"]);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_card_with_nothing_owed_shows_its_statement_and_prints_it_with_the_months_phone_link()
    {
        // HS240001 pays both its bills from the card here: nothing is owed, so a tap opens the statement.
        await PayAsync(Terminal, "HP-2611-HS240001", 150_000);
        await PayAsync(Terminal, "BT-2611-HS240001", 600_000);

        var page = await NewPageAsync(1024, 600);
        await page.GotoAsync(new Uri(Terminal.Http.BaseAddress!, "/kiosk").ToString());
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos'");
        await Terminal.TapAsync(Card);
        await page.WaitForSelectorAsync("body[data-screen=statement]");
        Assert.Equal("N. M. Anh", await page.InnerTextAsync("#sname"));
        var rows = await page.Locator("#moves tr").AllInnerTextsAsync();
        Assert.Equal(2, rows.Count);
        Assert.Contains("Thanh toán", rows[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Payment", rows[0], StringComparison.Ordinal); // the page's language only (KioskWordingBrowserTests)
        Assert.Contains("-150.000 ₫", rows[0], StringComparison.Ordinal);
        Assert.Contains("-600.000 ₫", rows[1], StringComparison.Ordinal);
        Assert.Equal("1.250.000 ₫", await page.InnerTextAsync("#sbalance"));
        var standing = StandingTransferCode.For(Account).Value;
        Assert.Equal(standing, await page.InnerTextAsync("#scode"));
        Assert.Contains("quét mã QR", await page.InnerTextAsync("#sscope"), StringComparison.Ordinal);

        // The screen's QR is the month's link at the province, signed for this account and month.
        Assert.True(await page.IsVisibleAsync("#slookup svg"));
        var shown = (await page.GetAttributeAsync("#slookup", "data-url"))!;
        var month = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"{Province.BaseUrl.ToString().TrimEnd('/')}/s/{Account}/{month}?t=KP-THCS-ND-01&e=", shown, StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "the page scrolls sideways at 1024×600");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "kiosk-statement.png") });

        // Printed: what the emulator decoded from the driver's bytes holds the movements, the standing code and the link as a QR.
        var printer = (EmulatedReceiptPrinter)Terminal.App.Services.GetRequiredService<KioskPos.Firmware.Devices.IReceiptPrinter>();
        var pagesBefore = printer.Emulator.PagesPrinted;
        await page.ClickAsync("#sprint");
        await page.WaitForFunctionAsync("document.getElementById('smsg').textContent === 'Đã in sao kê.'", null, new() { Timeout = 20_000 });
        var slip = printer.Emulator.Pages.Where(p => p.Number > pagesBefore).Last(p => p.Complete);
        var text = string.Join('\n', slip.Text).Normalize(System.Text.NormalizationForm.FormC);
        void Has(string pattern) => Assert.True(System.Text.RegularExpressions.Regex.IsMatch(text, pattern), $"'{pattern}' not in the printed statement:\n{text}");
        Has(@"Thanh toán\s+-150\.000 [₫đ]");
        Has(@"Thanh toán\s+-600\.000 [₫đ]");
        Has(@"SỐ DƯ:\s+1\.250\.000 [₫đ]");
        Assert.Contains(standing, text, StringComparison.Ordinal);
        Assert.Contains("N. M. Anh", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Minh Anh", text, StringComparison.Ordinal);
        // The same link as the screen's, but for the signature (ECDSA signs with a fresh random number each time).
        var printed = Assert.Single(slip.QrCodes);
        Assert.Equal(shown[..shown.IndexOf("&k=", StringComparison.Ordinal)], printed[..printed.IndexOf("&k=", StringComparison.Ordinal)]);
        Assert.NotEqual(shown, printed);

        // The printed link opens the month at the province (once the payments have reached it), on a phone-sized page.
        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        var phone = await NewPageAsync(390, 844);
        var opened = await phone.GotoAsync(printed);
        Assert.Equal(200, opened!.Status);
        await phone.WaitForSelectorAsync("#found:not([hidden])");
        Assert.Equal(2, await phone.Locator("#moves tbody tr[data-kind=payment]").CountAsync());
        Assert.Equal(standing, await phone.InnerTextAsync("#standing"));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_months_page_holds_every_terminals_movements_and_the_top_up_from_home_and_refuses_any_other_link()
    {
        // Two terminals of the school: HS240001's tuition paid here, the boarding fee at the second one; another pupil pays here.
        await using var second = await TerminalHost.StartAsync(Province.BaseUrl, Province.Admin, terminalId: "KP-THCS-ND-02");
        var tuition = await PayAsync(Terminal, "HP-2611-HS240001", 150_000);
        await PayAsync(second, "BT-2611-HS240001", 600_000);

        // 30.000 ₫ of the tuition refunded to the card at the first terminal (a cashier, a supervisor's PIN).
        var cashier = await Terminal.StaffAsync(KioskPos.Storage.StaffRole.Cashier);
        await Terminal.StaffAsync(KioskPos.Storage.StaffRole.Supervisor);
        using (var refunded = await cashier.PostAsJsonAsync($"/api/v1/payments/{tuition}/refund",
            new { amount = 30_000, destination = "card_balance", reason = "Nghỉ học 1 ngày", supervisorId = "gs01", supervisorPin = "975319" }))
        {
            Assert.Equal(HttpStatusCode.OK, refunded.StatusCode);
        }

        await Terminal.TapAsync("04D4E5F6");
        using (var other = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04D4E5F6", bills = new[] { new { billId = "BT-2611-HS240002", amount = 10_000 } } }))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        await Wait.UntilDrainedAsync(Terminal.Http, TimeSpan.FromSeconds(20));
        await Wait.UntilDrainedAsync(second.Http, TimeSpan.FromSeconds(20));

        // A parent tops up from home with the standing code, in any words around it.
        var standing = StandingTransferCode.For(Account).Value;
        using (var notified = await Province.NotifyAsync(300_000, $"CT DEN:0123 {standing} nap the cho con", "FT-HOME-STMT-1"))
        {
            notified.EnsureSuccessStatusCode();
        }

        Assert.Equal(2_000_000 - 150_000 - 600_000 + 30_000 + 300_000, await Province.BalanceAsync(Account));

        // The link the kiosk gives after a tap.
        await Terminal.TapAsync(Card);
        var reference = Terminal.App.Services.GetRequiredService<KioskPos.Terminal.Services.CardPresence>().Last!.Reference!;
        var statement = await Terminal.Http.GetFromJsonAsync<JsonElement>($"/api/v1/cards/{reference}/statement");
        var link = new Uri(statement.GetProperty("lookupUrl").GetString()!);
        Assert.Equal(standing, statement.GetProperty("standingCode").GetString());

        // The JSON behind the page: every terminal's movements and the transfer from home, oldest first, the name masked.
        using var http = new HttpClient();
        var api = new Uri(Province.BaseUrl, "/api/v1/statements" + link.AbsolutePath["/s".Length..] + link.Query);
        var month = await http.GetFromJsonAsync<JsonElement>(api);
        var moves = month.GetProperty("movements").EnumerateArray()
            .Select(m => (m.GetProperty("kind").GetString(), m.GetProperty("amount").GetInt64(), m.GetProperty("place").GetString())).ToList();
        Assert.Equal([("payment", -150_000L, "KP-THCS-ND-01"), ("payment", -600_000L, "KP-THCS-ND-02"), ("refund", 30_000L, "KP-THCS-ND-01"), ("top_up_home", 300_000L, "home")], moves);
        Assert.Equal("N. M. Anh", month.GetProperty("holderName").GetString());
        Assert.Equal(standing, month.GetProperty("standingCode").GetString());
        Assert.Equal(1_580_000, month.GetProperty("balance").GetInt64());
        Assert.Equal((330_000L, 750_000L), (month.GetProperty("credits").GetInt64(), month.GetProperty("debits").GetInt64()));
        var body = month.GetRawText();
        Assert.DoesNotContain("Minh Anh", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Card, body, StringComparison.Ordinal);
        Assert.DoesNotContain("HS240002", body, StringComparison.Ordinal);

        // The page a phone opens: Vietnamese first, English beside it.
        var phone = await NewPageAsync(390, 844);
        Assert.Equal(200, (await phone.GotoAsync(link.ToString()))!.Status);
        await phone.WaitForSelectorAsync("#found:not([hidden])");
        Assert.StartsWith("Sao kê thẻ tháng ", await phone.InnerTextAsync("#title"), StringComparison.Ordinal);
        Assert.Contains("Card statement", await phone.InnerTextAsync("#title"), StringComparison.Ordinal);
        var rows = await phone.Locator("#moves tbody tr").AllInnerTextsAsync();
        Assert.Equal(4, rows.Count);
        Assert.Contains("KP-THCS-ND-02", rows[1], StringComparison.Ordinal);
        Assert.Contains("Hoàn tiền", rows[2], StringComparison.Ordinal);
        Assert.Contains("+30.000 ₫", rows[2], StringComparison.Ordinal);
        Assert.Contains("Chuyển khoản nạp tiền", rows[3], StringComparison.Ordinal);
        Assert.Contains("Chuyển khoản ngân hàng", rows[3], StringComparison.Ordinal);
        Assert.Contains("+300.000 ₫", rows[3], StringComparison.Ordinal);
        var content = await phone.InnerTextAsync("main");
        Assert.Contains("N. M. Anh", content, StringComparison.Ordinal);
        Assert.DoesNotContain("Minh Anh", content, StringComparison.Ordinal);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "the month's page scrolls sideways on a phone");
        await phone.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "province-statement.png"), FullPage = true });

        // The same signature for another account of the school, or tampered: the same refusal, nobody's data.
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        var (terminalId, expires, signature) = (query["t"]!, long.Parse(query["e"]!, System.Globalization.CultureInfo.InvariantCulture), query["k"]!);
        var monthText = link.Segments[^1];
        var tampered = signature[..40] + (signature[40] == 'A' ? 'B' : 'A') + signature[41..];
        foreach (var wrong in new[]
        {
            $"/s/HS240002/{monthText}{link.Query}",
            $"/s/{Account}/{monthText}?t={terminalId}&e={expires}&k={tampered}",
            $"/s/{Account}/{monthText}?t={terminalId}&e={expires + 86_400}&k={signature}",
            $"/s/{Account}/{monthText}?t=KP-THCS-ND-02&e={expires}&k={signature}",
            $"/s/{Account}/2026-01?t={terminalId}&e={expires}&k={signature}",
        })
        {
            await AssertRefusedAsync(phone, wrong, 404, "Không mở được sao kê", "statement_not_found");
        }

        // A hospital's terminal signing for a pupil of the school: refused too (a terminal speaks for its institution only).
        await using var hospital = await TerminalHost.StartHospitalAsync(Province);
        var hospitalLink = new Uri(hospital.App.Services.GetRequiredService<StatementLinkSigner>().Link(Province.BaseUrl.ToString(), Account, monthText, DateTimeOffset.UtcNow.AddDays(30))!);
        await AssertRefusedAsync(phone, hospitalLink.PathAndQuery, 404, "Không mở được sao kê", "statement_not_found");

        // Signed by this terminal but expired, or claiming to work for longer than any link is made to: expired.
        var signer = Terminal.App.Services.GetRequiredService<StatementLinkSigner>();
        foreach (var until in new[] { DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(200) })
        {
            var old = new Uri(signer.Link(Province.BaseUrl.ToString(), Account, monthText, until)!);
            await AssertRefusedAsync(phone, old.PathAndQuery, 410, "Đường dẫn sao kê đã hết hạn", "statement_link_expired");
        }

        // Not a statement link at all: 400, never a 500.
        foreach (var malformed in new[]
        {
            $"/s/{Account}/{monthText}",
            $"/s/{Account}/{monthText}?t={terminalId}&e=soon&k={signature}",
            $"/s/{Account}/2026-13?t={terminalId}&e={expires}&k={signature}",
            $"/s/{Account}/{monthText}?t={terminalId}&e={expires}&k={signature[..80]}",
            $"/s/{new string('X', 80)}/{monthText}?t={terminalId}&e={expires}&k={signature}",
        })
        {
            await AssertRefusedAsync(phone, malformed, 400, "Đường dẫn sao kê không hợp lệ", "invalid_statement_link");
        }

        await phone.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "province-statement-refused.png") });

        // The pupil leaves: the remainder refunded by the school's transfer is the month's last movement, from the office.
        using (var closed = await Province.Admin.PostAsJsonAsync($"/api/v1/admin/accounts/{Account}/close", new { bankReference = "FT26120500077", reason = "Chuyển trường" }))
        {
            Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        }

        var after = await http.GetFromJsonAsync<JsonElement>(api);
        var last = after.GetProperty("movements").EnumerateArray().Last();
        Assert.Equal(("closure", -1_580_000L, "office", "FT26120500077"),
            (last.GetProperty("kind").GetString(), last.GetProperty("amount").GetInt64(), last.GetProperty("place").GetString(), last.GetProperty("reference").GetString()));
        Assert.True(after.GetProperty("closed").GetBoolean());
        Assert.Equal(0, after.GetProperty("balance").GetInt64());

        // A busy month is bounded: another pupil with 205 card payments this month (written as the ledger writes
        // them) after the real one gets the latest 200 and the page says so.
        var now = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 205; i++)
        {
            var at = now.AddSeconds(i).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            await Province.ExecuteAsync("INSERT INTO journal_entries (terminal_id, sequence, kind, digest, body, result, received_at) VALUES ('KP-THCS-ND-01', $s, 'payment.created', 'test', '{}', 'booked', $t)",
                ("$s", 1_000_000 + i), ("$t", at));
            await Province.ExecuteAsync(
                "INSERT INTO payments (id, terminal_id, sequence, institution_id, account_code, method, amount, created_at, received_at) VALUES ($id, 'KP-THCS-ND-01', $s, 'TG-THCS-NGUYENDU', 'HS240002', 'card_balance', 1000, $t, $t)",
                ("$id", $"KP-THCS-ND-01-X{i:D7}"), ("$s", 1_000_000 + i), ("$t", at));
        }

        var busy = new Uri(signer.Link(Province.BaseUrl.ToString(), "HS240002", monthText, StatementLink.ExpiresFor(now.ToOffset(TimeSpan.FromHours(7))))!);
        var bounded = await http.GetFromJsonAsync<JsonElement>(new Uri(Province.BaseUrl, "/api/v1/statements" + busy.AbsolutePath["/s".Length..] + busy.Query));
        var shownMoves = bounded.GetProperty("movements").EnumerateArray().ToList();
        Assert.Equal(200, shownMoves.Count);
        Assert.True(bounded.GetProperty("truncated").GetBoolean());
        Assert.Equal("KP-THCS-ND-01-X0000006", shownMoves[0].GetProperty("reference").GetString());
        Assert.Equal("KP-THCS-ND-01-X0000205", shownMoves[^1].GetProperty("reference").GetString());
        Assert.Equal("T. T. B. Ngọc", bounded.GetProperty("holderName").GetString());
        Assert.Equal(200, (await phone.GotoAsync(busy.ToString()))!.Status);
        await phone.WaitForSelectorAsync("#found:not([hidden])");
        Assert.Equal(200, await phone.Locator("#moves tbody tr").CountAsync());
        Assert.Contains("200", await phone.InnerTextAsync("#truncated"), StringComparison.Ordinal);
        Assert.True(await phone.IsVisibleAsync("#truncated"));
    }

    private async Task AssertRefusedAsync(IPage phone, string pathAndQuery, int status, string title, string code)
    {
        var answer = await phone.GotoAsync(new Uri(Province.BaseUrl, pathAndQuery).ToString());
        Assert.Equal(status, answer!.Status);
        await phone.WaitForSelectorAsync("#refused:not([hidden])");
        Assert.Equal(title, await phone.InnerTextAsync("#title"));
        Assert.True(await phone.IsHiddenAsync("#found"));
        var content = await phone.InnerTextAsync("main");
        Assert.DoesNotContain("N. M. Anh", content, StringComparison.Ordinal);
        Assert.DoesNotContain("₫", content, StringComparison.Ordinal);

        using var http = new HttpClient();
        var path = pathAndQuery.Split('?');
        using var json = await http.GetAsync(new Uri(Province.BaseUrl, "/api/v1/statements" + path[0]["/s".Length..] + (path.Length > 1 ? "?" + path[1] : string.Empty)));
        Assert.Equal(status, (int)json.StatusCode);
        var problem = await json.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.DoesNotContain("movements", problem.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<string> PayAsync(TerminalHost terminal, string bill, long amount)
    {
        await terminal.TapAsync(Card);
        using var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = Card, bills = new[] { new { billId = bill, amount } } });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        return (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}

/// <summary>The statement tests with the province on SQLite.</summary>
public sealed class StatementLinkSqliteBrowserTests() : StatementLinkBrowserTests(ProvinceEngine.Sqlite);

/// <summary>The statement tests with the province on PostgreSQL (the month's query runs on both engines).</summary>
[Trait("Category", "Postgres")]
public sealed class StatementLinkPostgresBrowserTests() : StatementLinkBrowserTests(ProvinceEngine.Postgres);
