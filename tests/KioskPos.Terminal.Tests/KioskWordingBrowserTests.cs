using System.Net;
using System.Net.Http.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Playwright;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The screens' words follow the place and the page's language, in Debian's Chromium: the kiosk of a hospital speaks of
/// patients (người bệnh, mã người bệnh, the department) and a school's of pupils (học sinh, mã học sinh, the class),
/// by the institution's type and not the code prefix; the card statement's labels are in the page's language only;
/// and the counter's name-search choices go away with a new search, a code or a card.
/// </summary>
public sealed class KioskWordingBrowserTests : TerminalBrowserTest
{
    private const string PupilCard = "04A1B2C3";
    private const string PatientCard = "0472A9C1B2D380";

    // The school's kiosk (KP-THCS-ND-01); a test that needs the hospital starts its terminal beside it.
    protected override Task<TerminalHost> StartTerminalAsync(ProvinceHost province) => TerminalHost.StartAsync(province);

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_hospital_kiosk_speaks_of_patients_and_their_department_in_both_languages()
    {
        await using var hospital = await TerminalHost.StartHospitalAsync(Province);
        var page = await OpenKioskAsync(hospital, "/kiosk?prefix=BN");

        var home = await page.InnerTextAsync("#s-home");
        Assert.Contains("Chạm thẻ người bệnh hoặc nhập mã người bệnh", home, StringComparison.Ordinal);
        Assert.DoesNotContain("học sinh", home, StringComparison.Ordinal);
        Assert.Equal("KioskPos — Ki-ốt thu viện phí", await page.TitleAsync());

        // A code nobody has.
        await TypeAsync(page, "999999");
        await page.ClickAsync("#find");
        await page.WaitForSelectorAsync("body[data-screen=msg]");
        Assert.Equal("Không tìm thấy mã người bệnh", await page.InnerTextAsync("#mtitle"));
        Assert.Equal("BN999999", await page.InnerTextAsync("#mtext"));
        await page.ClickAsync("#back2");

        // A card nobody has.
        await hospital.TapAsync("04FFEE01");
        await page.WaitForFunctionAsync("document.body.dataset.screen === 'msg' && document.getElementById('mtext').textContent.length > 0");
        Assert.Contains("mã người bệnh", await page.InnerTextAsync("#mtext"), StringComparison.Ordinal);
        Assert.DoesNotContain("học sinh", await page.InnerTextAsync("#mtext"), StringComparison.Ordinal);
        await page.ClickAsync("#back2");

        // The patient: their department as the hospital names it, never a class.
        await TypeAsync(page, "260001");
        await page.ClickAsync("#find");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        Assert.Equal("BN260001 · Khoa Nội", await page.InnerTextAsync("#pinfo"));
        await ShotAsync(page, "kiosk-hospital-patient");

        await page.ClickAsync("#lang");
        Assert.Equal("BN260001 · Department: Khoa Nội", await page.InnerTextAsync("#pinfo"));
        Assert.DoesNotContain("Class", await page.InnerTextAsync("#s-payer"), StringComparison.Ordinal);
        await page.ClickAsync("#back1");
        await page.WaitForSelectorAsync("body[data-screen=home]");
        home = await page.InnerTextAsync("#s-home");
        Assert.Contains("Tap the patient's card or type the patient code", home, StringComparison.Ordinal);
        Assert.DoesNotContain("pupil", home, StringComparison.Ordinal);
        await TypeAsync(page, "999999");
        await page.ClickAsync("#find");
        await page.WaitForSelectorAsync("body[data-screen=msg]");
        Assert.Equal("No patient with this code", await page.InnerTextAsync("#mtitle"));
        await page.ClickAsync("#back2");
        await hospital.TapAsync("04FFEE01");
        await page.WaitForFunctionAsync("document.body.dataset.screen === 'msg' && document.getElementById('mtext').textContent.length > 0");
        Assert.Equal("Please type the patient code or ask at the cashier's counter.", await page.InnerTextAsync("#mtext"));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task A_school_kiosk_speaks_of_pupils_and_their_class_whatever_the_prefix()
    {
        // The prefix names the code only: a school's kiosk opened with the patients' prefix still speaks of pupils.
        var page = await OpenKioskAsync(Terminal, "/kiosk?prefix=BN");
        Assert.Contains("Chạm thẻ học sinh hoặc nhập mã học sinh", await page.InnerTextAsync("#s-home"), StringComparison.Ordinal);
        await TypeAsync(page, "999999");
        await page.ClickAsync("#find");
        await page.WaitForSelectorAsync("body[data-screen=msg]");
        Assert.Equal("Không tìm thấy mã học sinh", await page.InnerTextAsync("#mtitle"));
        await page.ClickAsync("#back2");

        page = await OpenKioskAsync(Terminal, "/kiosk");
        await TypeAsync(page, "240002");
        await page.ClickAsync("#find");
        await page.WaitForSelectorAsync("body[data-screen=payer]");
        Assert.Equal("HS240002 · Lớp 6B", await page.InnerTextAsync("#pinfo"));
        await page.ClickAsync("#lang");
        Assert.Equal("HS240002 · Class 6B", await page.InnerTextAsync("#pinfo"));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_card_statement_is_in_the_pages_language_only_and_follows_a_switch()
    {
        // HS240001 pays both its bills from the card here: nothing is owed, so a tap opens the statement.
        await PayAsync("HP-2611-HS240001", 150_000);
        await PayAsync("BT-2611-HS240001", 600_000);
        var page = await OpenKioskAsync(Terminal, "/kiosk");
        await Terminal.TapAsync(PupilCard);
        await page.WaitForSelectorAsync("body[data-screen=statement]");

        var rows = await page.Locator("#moves tr").AllInnerTextsAsync();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Contains("Thanh toán", row, StringComparison.Ordinal));
        Assert.All(rows, row => Assert.DoesNotContain("Payment", row, StringComparison.Ordinal));
        var total = await page.InnerTextAsync("#s-statement .total");
        Assert.StartsWith("Số dư", total, StringComparison.Ordinal);
        Assert.Contains("1.250.000 ₫", total, StringComparison.Ordinal);
        var scope = await page.InnerTextAsync("#sscope");
        Assert.Contains("quét mã QR", scope, StringComparison.Ordinal);
        Assert.DoesNotContain("terminal", scope, StringComparison.Ordinal);

        await page.ClickAsync("#sprint");
        await page.WaitForFunctionAsync("document.getElementById('smsg').textContent === 'Đã in sao kê.'", null, new() { Timeout = 20_000 });

        // English: every label of the screen, and the printer's answer given before the switch.
        await page.ClickAsync("#lang");
        rows = await page.Locator("#moves tr").AllInnerTextsAsync();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Contains("Payment", row, StringComparison.Ordinal));
        Assert.All(rows, row => Assert.DoesNotContain("Thanh toán", row, StringComparison.Ordinal));
        total = await page.InnerTextAsync("#s-statement .total");
        Assert.StartsWith("Balance", total, StringComparison.Ordinal);
        scope = await page.InnerTextAsync("#sscope");
        Assert.StartsWith("Movements at this terminal.", scope, StringComparison.Ordinal);
        Assert.DoesNotContain("Giao dịch", scope, StringComparison.Ordinal);
        Assert.Equal("The statement is printed.", await page.InnerTextAsync("#smsg"));
        await ShotAsync(page, "kiosk-statement-en");

        await page.ClickAsync("#lang");
        Assert.Equal("Đã in sao kê.", await page.InnerTextAsync("#smsg"));
        Assert.StartsWith("Số dư", await page.InnerTextAsync("#s-statement .total"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task The_counters_name_matches_go_away_with_a_new_search_a_code_or_a_card()
    {
        await using var hospital = await WithStaffAsync(TerminalHost.StartHospitalAsync(Province), StaffRole.Cashier);
        var context = await Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, BaseURL = hospital.Http.BaseAddress!.ToString() });
        var page = await context.NewPageAsync();
        Watch(page);
        await page.GotoAsync("/counter");
        await page.WaitForSelectorAsync("body[data-screen=login]");
        await SignInAtCounterAsync(page, "tn01", "246813");

        // A search with nobody found: the message alone, none of the last search's names above it.
        await SearchAsync(page, "Hà");
        await SearchAsync(page, "%%%");
        await page.WaitForFunctionAsync("document.getElementById('findmsg').textContent.length > 0");
        Assert.Contains("Không tìm thấy", await page.InnerTextAsync("#findmsg"), StringComparison.Ordinal);
        Assert.False(await page.IsVisibleAsync("#matches"));
        Assert.Equal(0, await page.Locator("#matches button").CountAsync());

        // A payer found by code: their bills, with no list of names above them.
        await SearchAsync(page, "Hà");
        await page.FillAsync("#code", "BN260002");
        await page.PressAsync("#code", "Enter");
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden && document.getElementById('pinfo').textContent.indexOf('BN260002') === 0");
        Assert.False(await page.IsVisibleAsync("#matches"));
        Assert.Equal(0, await page.Locator("#matches button").CountAsync());

        // ... and by card.
        await SearchAsync(page, "Hà");
        await hospital.TapAsync(PatientCard);
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden && document.getElementById('pinfo').textContent.indexOf('BN260001') === 0");
        Assert.False(await page.IsVisibleAsync("#matches"));
        Assert.Equal(0, await page.Locator("#matches button").CountAsync());

        // A choice from the list: the list goes, the chosen payer stays.
        await SearchAsync(page, "Hà");
        await page.ClickAsync("#matches button[data-code='BN260001']");
        await page.WaitForFunctionAsync("!document.getElementById('payer').hidden && document.getElementById('pinfo').textContent.indexOf('BN260001') === 0");
        Assert.False(await page.IsVisibleAsync("#matches"));
    }

    // A name search that finds people: the list of their names shows.
    private static async Task SearchAsync(IPage page, string words)
    {
        await page.FillAsync("#code", words);
        await page.PressAsync("#code", "Enter");
        if (words.Any(char.IsLetter))
        {
            await page.WaitForFunctionAsync("document.querySelectorAll('#matches button').length >= 2");
            Assert.True(await page.IsVisibleAsync("#matches"));
        }
    }

    private async Task<IPage> OpenKioskAsync(TerminalHost terminal, string path)
    {
        var context = await Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 600 }, BaseURL = terminal.Http.BaseAddress!.ToString() });
        var page = await context.NewPageAsync();
        Watch(page);
        await page.GotoAsync(path);
        await page.WaitForFunctionAsync("document.getElementById('inst').textContent !== 'KioskPos' && document.body.dataset.screen === 'home'");
        return page;
    }

    private static async Task TypeAsync(IPage page, string digits)
    {
        foreach (var key in digits)
        {
            await page.ClickAsync($"#keypad button[data-key='{key}']");
        }
    }

    private async Task PayAsync(string bill, long amount)
    {
        await Terminal.TapAsync(PupilCard);
        using var paid = await Terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = PupilCard, bills = new[] { new { billId = bill, amount } } });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
    }
}
