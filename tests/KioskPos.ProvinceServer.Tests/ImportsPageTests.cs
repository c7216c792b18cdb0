using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KioskPos.ProvinceServer.Tests.Banking;
using Microsoft.Playwright;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>
/// The imports page (<c>/imports</c>): an institution's accountant, signed in through the form, uploads a bills file and
/// bank statements and reads what became of them in words (bills new, each refusal with its row and what is wrong;
/// lines recorded, matched, held), then credits a held line with a reason and sees the decision. Another institution's
/// accountant is offered only their own connection, and the school's connection, its gaps and held lines and the
/// school's bills are not theirs to import or settle. The files are built as <see cref="BillImportTests"/> and
/// <c>StatementImportTests</c> build theirs (Vietnamese headers, Vietcombank's statement with its title rows).
/// </summary>
public sealed partial class ImportsPageTests
{
    private const string BillsHeader = "Mã khoản thu,Mã đơn vị,Mã người nộp,Loại,Tiêu đề,Hạn nộp,Nội dung,Số lượng,Đơn giá,BHYT\n";
    private const string Password = "KeToan@2026";

    private static readonly string s_today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
    private static readonly LocatorAssertionsToContainTextOptions s_wait = new() { Timeout = 30_000 };

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_an_accountant_imports_bills_and_statements_reads_the_answers_in_words_and_credits_a_held_line()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutConnectionsAsync(province);
        var (payment, code) = await PendingPayments.CreateAsync(province, 930_000);
        var text = $"MBVCB.{ProviderPost.NextId()}.TRAN VAN H nop hoc phi {code}";
        var (first, second) = ("5213." + ProviderPost.NextId(), "5213." + ProviderPost.NextId());

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await SignInAsync(page, province, "ketoan.nguyendu");
        Assert.Contains("Nhập tệp", await page.InnerTextAsync("nav.bar"), StringComparison.Ordinal);

        // Bills: the school's two bills are imported; a file with a wrong category and a hospital's bill imports nothing,
        // each refusal on its row with the field the API names.
        Assert.Equal(["TG-THCS-NGUYENDU"], await page.Locator("#bills select[name=institution] option").EvaluateAllAsync<string[]>("o => o.map((x) => x.value)"));
        await UploadAsync(page, "#bills", "khoan-thu.csv", "text/csv", Encoding.UTF8.GetBytes(BillsHeader +
            "HP-2612-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 12/2026,2026-12-31,Học phí tháng 12/2026,1,150000,\n" +
            "BT-2612-HS240001,TG-THCS-NGUYENDU,HS240001,ban_tru,Bán trú tháng 12/2026,2026-12-31,\"Tiền ăn, 21 ngày\",21,25000,\n"));
        await Expect(page.Locator("#bills-result")).ToContainTextAsync("Đã nhập khoan-thu.csv: 2 khoản thu mới, 0 khoản thu cập nhật, 0 khoản thu không đổi.", s_wait);
        await Browser.ShotAsync(page, "province-imports-bills");

        await UploadAsync(page, "#bills", "khoan-thu-loi.csv", "text/csv", Encoding.UTF8.GetBytes(BillsHeader +
            "HP-2701-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 1/2027,2027-01-31,Học phí,1,150000,\n" +
            "HP-2701-HS240002,TG-THCS-NGUYENDU,HS240002,hocphi,Học phí tháng 1/2027,2027-01-31,Học phí,1,150000,\n" +
            "VP-BN260002-2,TG-TTYT-CHAUTHANH,BN260002,vien_phi,Viện phí đợt 2,2026-12-05,Khám bệnh,1,38700,30960\n"));
        await Expect(page.Locator("#bills-result")).ToContainTextAsync("Chưa nhập khoản thu nào từ khoan-thu-loi.csv: tệp có 2 lỗi.", s_wait);
        var refusals = await page.Locator("#bills-result table.refusals tbody tr").AllInnerTextsAsync();
        Assert.Equal(2, refusals.Count);
        Assert.StartsWith("3", refusals[0], StringComparison.Ordinal);
        Assert.Contains("Loại “hocphi” không hợp lệ", refusals[0], StringComparison.Ordinal);
        Assert.Contains("category 'hocphi'", refusals[0], StringComparison.Ordinal); // the English beneath
        Assert.StartsWith("4", refusals[1], StringComparison.Ordinal);
        Assert.Contains("Mã đơn vị là TG-TTYT-CHAUTHANH, nhưng lần nhập này chỉ được có khoản thu của đơn vị TG-THCS-NGUYENDU", refusals[1], StringComparison.Ordinal);
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id IN ('HP-2701-HS240001', 'VP-BN260002-2')"), CultureInfo.InvariantCulture));

        // The statement: only the school's own connection is offered. The first export credits half the payment (a day
        // no notification reported); the second, the same transfer text under another reference, is held.
        Assert.Equal(["sepay-school"], await page.Locator("#statement select[name=connection] option").EvaluateAllAsync<string[]>("o => o.map((x) => x.value)"));
        await page.SelectOptionAsync("#statement select[name=layout]", "vietcombank");
        await UploadAsync(page, "#statement", "SaoKe-1.csv", "text/csv", StatementCsv($"{s_today},{first},,\"465.000\",{text}"));
        await Expect(page.Locator("#statement-result")).ToContainTextAsync("1 dòng tiền vào — 1 ghi nhận mới (1 khớp với giao dịch), 0 ngân hàng đã báo trước", s_wait);
        Assert.Contains("trả thiếu", await page.InnerTextAsync("#statement-result table"), StringComparison.Ordinal);
        await Expect(page.Locator("#missing-days")).ToContainTextAsync($"{s_today} (1 dòng)", s_wait);
        Assert.Equal(("underpaid", 465_000L, 1L), await PendingPayments.StateAsync(province, payment));

        await UploadAsync(page, "#statement", "SaoKe-2.csv", "text/csv", StatementCsv($"{s_today},{second},,\"465.000\",{text}"));
        await Expect(page.Locator("#statement-result")).ToContainTextAsync("0 ghi nhận mới (0 khớp với giao dịch), 0 ngân hàng đã báo trước, 0 đã nhập trước đó, 1 giữ lại chờ xem xét", s_wait);
        var held = page.Locator("#gaps tbody tr", new() { HasText = second });
        await Expect(held).ToContainTextAsync("giữ lại: có thể trùng", s_wait);
        await Browser.ShotAsync(page, "province-imports-held", fullPage: true);

        // Credit needs a reason: without one the browser sends nothing.
        await held.Locator("button[value=credit]").ClickAsync();
        Assert.Equal(1, await held.Locator("input[name=reason]:invalid").CountAsync());
        Assert.Equal(("underpaid", 465_000L, 1L), await PendingPayments.StateAsync(province, payment));

        await held.Locator("input[name=reason]").FillAsync("Phụ huynh chuyển hai lần, sao kê xác nhận");
        await held.Locator("button[value=credit]").ClickAsync();
        await Expect(page.Locator("#settle-result")).ToContainTextAsync($"Đã ghi có dòng 465.000 ₫ ngày {s_today}: trả đủ.", s_wait);
        Assert.DoesNotContain("null", await page.InnerTextAsync("#settle-result"), StringComparison.Ordinal);
        await Expect(held).ToContainTextAsync("đã ghi có bởi ketoan.nguyendu", s_wait);
        Assert.Contains("Phụ huynh chuyển hai lần, sao kê xác nhận", await held.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await held.Locator("form").CountAsync());
        Assert.Equal(("completed", 930_000L, 2L), await PendingPayments.StateAsync(province, payment));
        await Browser.ShotAsync(page, "province-imports-credited", fullPage: true);

        // The hospital's accountant is offered the hospital's connection only, and not the school's gaps.
        var hospital = await browser.NewPageAsync();
        await SignInAsync(hospital, province, "ketoan.ttytchauthanh");
        Assert.Equal(["sepay-hospital"], await hospital.Locator("#statement select[name=connection] option").EvaluateAllAsync<string[]>("o => o.map((x) => x.value)"));
        await Expect(hospital.Locator("#missing-days")).ToContainTextAsync("Không có ngày nào thiếu dòng.", s_wait);
        Assert.DoesNotContain(second, await hospital.InnerTextAsync("#gaps"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_institutions_accountant_neither_sees_nor_acts_on_the_connection_nor_imports_that_institutions_bills()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutConnectionsAsync(province);
        using var school = await province.SignInAsync("ketoan.nguyendu", Password);
        using var hospital = await province.SignInAsync("ketoan.ttytchauthanh", Password);

        // A held line on the school's connection, by the school's accountant.
        var (payment, code) = await PendingPayments.CreateAsync(province, 490_000);
        var text = $"MBVCB.{ProviderPost.NextId()}.TRAN VAN H nop hoc phi {code}";
        Assert.Equal(HttpStatusCode.OK, (await PostStatementAsync(school, "sepay-school", StatementCsv($"{s_today},5213.{ProviderPost.NextId()},,\"245.000\",{text}"))).Status);
        var (status, imported) = await PostStatementAsync(school, "sepay-school", StatementCsv($"{s_today},5213.{ProviderPost.NextId()},,\"245.000\",{text}"));
        Assert.True(status == HttpStatusCode.OK, imported.ToString());
        Assert.Equal(1, imported.GetProperty("held").GetInt32());
        var heldId = (await GapsAsync(school, "sepay-school")).Single(g => g.GetProperty("status").GetString() == "held").GetProperty("heldId").GetInt64();

        // What each may choose: their own institution's connection; the administrator every one (the settings' too), no secret.
        Assert.Equal(["sepay-school"], await ChoicesAsync(school));
        Assert.Equal(["sepay-hospital"], await ChoicesAsync(hospital));
        Assert.Equal(["sepay-hospital", "sepay-school", ProvinceHost.BankConnection], await ChoicesAsync(province.Admin));
        var answer = await hospital.GetStringAsync(new Uri("/api/v1/admin/bank/statement-connections", UriKind.Relative));
        Assert.DoesNotContain(ProviderSenders.SepayKey, answer, StringComparison.Ordinal);
        Assert.DoesNotContain("hasSecret", answer, StringComparison.Ordinal);
        using (var list = await hospital.GetAsync(new Uri("/api/v1/admin/bank/connections", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode); // the connections themselves stay the administrator's
        }

        // The school's connection is unknown to the hospital's accountant: its statement, its gaps, its held line.
        var (foreign, problem) = await PostStatementAsync(hospital, "sepay-school", StatementCsv($"{s_today},5213.{ProviderPost.NextId()},,\"245.000\",{text} B"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown_connection"), (foreign, problem.GetProperty("code").GetString()));
        using (var gaps = await hospital.GetAsync(new Uri("/api/v1/admin/bank/connections/sepay-school/statement/gaps", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, gaps.StatusCode);
        }

        foreach (var action in new[] { "credit", "dismiss" })
        {
            using var settle = await hospital.PostAsJsonAsync(new Uri($"/api/v1/admin/bank/connections/sepay-school/statement/held/{heldId}/{action}", UriKind.Relative), new { reason = "mine" });
            Assert.Equal(HttpStatusCode.NotFound, settle.StatusCode);
        }

        var held = (await GapsAsync(province.Admin, "sepay-school")).Single(g => g.TryGetProperty("heldId", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt64() == heldId);
        Assert.Equal("held", held.GetProperty("status").GetString());
        Assert.Equal(("underpaid", 245_000L, 1L), await PendingPayments.StateAsync(province, payment));

        // Bills: the school's accountant imports the school's; the hospital's may neither name the school (403 before
        // the body is read) nor bring its bills in a file (the row refused), nor learn whose a taken bill id is.
        var schoolBill = BillsHeader + "HP-2612-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 12/2026,2026-12-31,Học phí tháng 12/2026,1,150000,\n";
        var (ownStatus, own) = await PostBillsAsync(school, schoolBill);
        Assert.True(ownStatus == HttpStatusCode.OK, own.ToString());
        Assert.Equal(1, own.GetProperty("created").GetInt32());

        var (named, refusal) = await PostBillsAsync(hospital, schoolBill, "?institution=TG-THCS-NGUYENDU");
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (named, refusal.GetProperty("code").GetString()));
        var otherBill = BillsHeader + "HP-2701-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 1/2027,2027-01-31,Học phí,1,150000,\n";
        var (rowStatus, rows) = await PostBillsAsync(hospital, otherBill);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rowStatus);
        var error = Assert.Single(rows.GetProperty("errors").EnumerateArray());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Equal("institution_not_allowed", error.GetProperty("code").GetString());
        Assert.Contains("Mã đơn vị là TG-THCS-NGUYENDU, nhưng lần nhập này chỉ được có khoản thu của đơn vị TG-TTYT-CHAUTHANH", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("institution_id is TG-THCS-NGUYENDU, but this import may hold bills of institution TG-TTYT-CHAUTHANH only", error.GetProperty("messageEn").GetString(), StringComparison.Ordinal);
        var (takenStatus, taken) = await PostBillsAsync(hospital, BillsHeader + "HP-2612-HS240001,TG-TTYT-CHAUTHANH,BN260002,vien_phi,Viện phí,2026-12-05,Khám bệnh,1,38700,\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, takenStatus);
        var takenError = Assert.Single(taken.GetProperty("errors").EnumerateArray());
        Assert.Equal("bill_of_another_institution", takenError.GetProperty("code").GetString());
        Assert.Contains("là khoản thu của một đơn vị khác", takenError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("TG-THCS-NGUYENDU", takenError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("TG-THCS-NGUYENDU", takenError.GetProperty("messageEn").GetString(), StringComparison.Ordinal);
        Assert.Equal("TG-THCS-NGUYENDU", await province.ScalarAsync("SELECT institution_id FROM bills WHERE id = 'HP-2612-HS240001'"));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id = 'HP-2701-HS240001'"), CultureInfo.InvariantCulture));

        // The page is each accountant's; no one signed in goes to sign-in.
        Assert.Equal(HttpStatusCode.OK, (await hospital.GetAsync(new Uri("/imports", UriKind.Relative))).StatusCode);
        using var anyone = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = province.BaseUrl };
        using var redirect = await anyone.GetAsync(new Uri("/imports", UriKind.Relative));
        Assert.Equal((HttpStatusCode.Redirect, "/login?return=%2Fimports"), (redirect.StatusCode, redirect.Headers.Location?.OriginalString));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_every_problem_of_a_row_is_said_in_vietnamese_and_a_long_list_says_how_many_more()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutConnectionsAsync(province);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await SignInAsync(page, province, "ketoan.nguyendu");

        // One row with three problems: each on the page in Vietnamese, the English beneath.
        await UploadAsync(page, "#bills", "khoan-thu-loi.csv", "text/csv", Encoding.UTF8.GetBytes(BillsHeader +
            "HP-2701-HS240002,TG-THCS-NGUYENDU,HS240002,hocphi,Học phí tháng 1/2027,31/01/2027,Học phí,1,150.000,\n"));
        await Expect(page.Locator("#bills-result")).ToContainTextAsync("Chưa nhập khoản thu nào từ khoan-thu-loi.csv: tệp có 3 lỗi.", s_wait);
        var refusals = await page.Locator("#bills-result table.refusals tbody tr").AllInnerTextsAsync();
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, r => Assert.StartsWith("2", r, StringComparison.Ordinal));
        Assert.Contains("Loại “hocphi” không hợp lệ: phải là một trong hoc_phi, ban_tru, vien_phi, tam_ung, khac.", refusals[0], StringComparison.Ordinal);
        Assert.Contains("Hạn nộp “31/01/2027” không đúng dạng năm-tháng-ngày", refusals[1], StringComparison.Ordinal);
        Assert.Contains("Đơn giá “150.000” không phải số đồng nguyên viết liền", refusals[2], StringComparison.Ordinal);
        Assert.Contains("unit_price '150.000' is not whole đồng", refusals[2], StringComparison.Ordinal);
        await Browser.ShotAsync(page, "province-imports-refusals");

        // A file of 300 broken rows, two problems each: the first 200 listed, and the page says how many more there are.
        var many = new StringBuilder(BillsHeader);
        for (var i = 0; i < 300; i++)
        {
            many.Append(CultureInfo.InvariantCulture, $"HP-2702-{i:D4},TG-THCS-NGUYENDU,HS240001,hocphi,Học phí tháng 2/2027,2027-02-28,Học phí,0,150000,\n");
        }

        await UploadAsync(page, "#bills", "khoan-thu-nhieu-loi.csv", "text/csv", Encoding.UTF8.GetBytes(many.ToString()));
        await Expect(page.Locator("#bills-result")).ToContainTextAsync("Chưa nhập khoản thu nào từ khoan-thu-nhieu-loi.csv: tệp có 600 lỗi.", s_wait);
        await Expect(page.Locator("#bills-result")).ToContainTextAsync("Dưới đây là 200 lỗi đầu tiên; 400 lỗi khác chưa liệt kê", s_wait);
        Assert.Equal(200, await page.Locator("#bills-result table.refusals tbody tr").CountAsync());
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id LIKE 'HP-2702-%' OR id = 'HP-2701-HS240002'"), CultureInfo.InvariantCulture));
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_a_connection_without_an_account_is_listed_not_offered_and_what_it_lacks_is_said()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutConnectionsAsync(province);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await SignInAsync(page, province, "tinh.admin", "QuanTri@2026");

        // The settings' webhook connection (demo-bank under make run) has no account to check a statement against: every
        // statement sent through it was refused after the upload. It is listed, not chosen, and the page says what it
        // lacks before any file is sent; the connections of receiving accounts are offered as before.
        var options = page.Locator("#statement select[name=connection] option");
        Assert.Equal(["sepay-hospital", "sepay-school", ProvinceHost.BankConnection], await options.EvaluateAllAsync<string[]>("o => o.map((x) => x.value)"));
        Assert.Equal(new[] { false, false, true }, await options.EvaluateAllAsync<bool[]>("o => o.map((x) => x.disabled)"));
        Assert.Equal("sepay-hospital", await page.InputValueAsync("#statement select[name=connection]"));
        Assert.StartsWith($"Kết nối {ProvinceHost.BankConnection} (generic): chưa có số tài khoản nhận tiền / ", await options.Nth(2).InnerTextAsync(), StringComparison.Ordinal); // the English after
        await Expect(page.Locator("#without-account")).ToContainTextAsync(
            $"Không nhập sao kê được qua kết nối {ProvinceHost.BankConnection}: kết nối chưa có số tài khoản nhận tiền", s_wait);
        Assert.True(await page.Locator("#statement button[type=submit]").IsEnabledAsync());
        await Browser.ShotAsync(page, "province-imports-connection-without-account");
    }

    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_a_refused_statement_lists_every_broken_line_in_vietnamese_and_records_none()
    {
        await using var province = await ProvinceHost.StartAsync(settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await PutConnectionsAsync(province);
        var (payment, code) = await PendingPayments.CreateAsync(province, 310_000);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await SignInAsync(page, province, "ketoan.nguyendu");
        var lines = Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_statement_lines"), CultureInfo.InvariantCulture);

        // A good line, then three broken ones (row 6 twice): each listed on its row with its column, the English beneath.
        await page.SelectOptionAsync("#statement select[name=layout]", "vietcombank");
        await UploadAsync(page, "#statement", "SaoKe-loi.csv", "text/csv", StatementCsv(string.Join('\n',
            $"{s_today},5213.{ProviderPost.NextId()},,\"310.000\",MBVCB.{ProviderPost.NextId()}.LE VAN P {code}",
            $"{s_today},5213.{ProviderPost.NextId()},,\"1.25O.000\",NGUYEN VAN F",
            $"32/12/2026,5213.{ProviderPost.NextId()},,\"2.5OO.000\",NGUYEN VAN G")));
        await Expect(page.Locator("#statement-result")).ToContainTextAsync("Chưa ghi nhận dòng nào từ SaoKe-loi.csv: sao kê có 3 lỗi.", s_wait);
        var title = await page.InnerTextAsync("#statement-result p.warn");
        Assert.Contains("Không đọc được sao kê (tệp CSV, dòng 5, cột D (Số tiền ghi có)): “1.25O.000” không phải số tiền đồng nguyên", title, StringComparison.Ordinal);
        Assert.Contains("và 2 lỗi khác", title, StringComparison.Ordinal);
        var refusals = await page.Locator("#statement-result table.refusals tbody tr").AllInnerTextsAsync();
        Assert.Equal(3, refusals.Count);
        Assert.StartsWith("5", refusals[0], StringComparison.Ordinal);
        Assert.Contains("Cột D (Số tiền ghi có)", refusals[0], StringComparison.Ordinal);
        Assert.Contains("“1.25O.000” không phải số tiền đồng nguyên (như 1.250.000)", refusals[0], StringComparison.Ordinal);
        Assert.Contains("'1.25O.000' is not an amount in whole đồng", refusals[0], StringComparison.Ordinal); // the English beneath
        Assert.StartsWith("6", refusals[1], StringComparison.Ordinal);
        Assert.Contains("Cột A (Ngày giao dịch)", refusals[1], StringComparison.Ordinal);
        Assert.Contains("“32/12/2026” không phải ngày", refusals[1], StringComparison.Ordinal);
        Assert.StartsWith("6", refusals[2], StringComparison.Ordinal);
        Assert.Contains("“2.5OO.000” không phải số tiền đồng nguyên", refusals[2], StringComparison.Ordinal);
        await Browser.ShotAsync(page, "province-imports-statement-refusals");

        // Nothing stored: not the good line before the broken ones either.
        Assert.Equal(lines, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bank_statement_lines"), CultureInfo.InvariantCulture));
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, payment));
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    // The school's connection (its receiving account) and the hospital's, as the administrator sets them up.
    private static async Task PutConnectionsAsync(ProvinceHost province)
    {
        await ProviderSenders.PutConnectionAsync(province, "sepay-school", "sepay", ProviderSenders.SepayKey);
        using var put = await province.Admin.PutAsJsonAsync("/api/v1/admin/bank/connections/sepay-hospital",
            new { provider = "sepay", institutionId = "TG-TTYT-CHAUTHANH", accountNumber = "2034567891", secret = ProviderSenders.SepayKey });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    // Signs person in through the form, starting from /imports (which sends to sign-in and back), and waits for the page to fill in.
    private static async Task SignInAsync(IPage page, ProvinceHost province, string username, string password = Password)
    {
        await page.GotoAsync(new Uri(province.BaseUrl, "/imports").ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", username);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
        await Browser.WaitForAddressAsync(page, ImportsAddress());
        await page.WaitForSelectorAsync("#statement select[name=connection] option", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
    }

    private static async Task UploadAsync(IPage page, string form, string name, string type, byte[] file)
    {
        await page.SetInputFilesAsync($"{form} input[name=file]", new FilePayload { Name = name, MimeType = type, Buffer = file });
        await page.ClickAsync($"{form} button[type=submit]");
    }

    // Vietcombank's statement saved as CSV: its title rows with the school's account, the header, one line of money in.
    private static byte[] StatementCsv(string line) => Encoding.UTF8.GetBytes(new StringBuilder()
        .AppendLine("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT")
        .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{ProvinceHost.SchoolAccount}")
        .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
        .AppendLine(line)
        .ToString());

    private static async Task<string[]> ChoicesAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/admin/bank/statement-connections", UriKind.Relative))).GetProperty("connections").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!)];

    private static async Task<List<JsonElement>> GapsAsync(HttpClient client, string connection) =>
        [.. (await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/admin/bank/connections/{connection}/statement/gaps", UriKind.Relative))).EnumerateArray()];

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostStatementAsync(HttpClient client, string connection, byte[] file)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync(new Uri($"/api/v1/admin/bank/connections/{connection}/statement?layout=vietcombank", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostBillsAsync(HttpClient client, string csv, string query = "")
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.PostAsync(new Uri("/api/v1/admin/bills/import" + query, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [GeneratedRegex("/imports$")]
    private static partial Regex ImportsAddress();
}
