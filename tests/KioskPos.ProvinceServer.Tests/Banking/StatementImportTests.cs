using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Issue 19, the last resort: the account statement a bank's internet banking exports, built here as Vietcombank's and
/// VietinBank's exports look (title rows above the header, Vietnamese headers, amounts like 1.250.000, dates
/// dd/MM/yyyy), posted to <c>/api/v1/admin/bank/connections/{id}/statement</c> and matched by the same ledger as the
/// webhooks: exactly once with what the notifications brought.
/// </summary>
public sealed partial class StatementImportTests(ProviderWebhookFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ProviderWebhookFixture>
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly string s_today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    private ProvinceHost Province => fixture.Province;

    [Fact]
    public async Task A_Vietcombank_statement_completes_the_payment_no_notification_reported_once_and_a_reimport_changes_nothing()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 1_250_000);
        var reference = "5213." + ProviderPost.NextId();
        var workbook = VietcombankWorkbook(
            [s_today, reference, null, "1.250.000", $"MBVCB.4525077405.029552.NGUYEN VAN A chuyen tien {code}.CT tu 0351000646393 NGUYEN VAN A toi {ProvinceHost.SchoolAccount}"],
            [s_today, "5213." + ProviderPost.NextId(), "500.000", null, "Chi tiền điện tháng 11"]);
        var before = await PendingPayments.TransfersAsync(Province, "sepay-1");

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);
        Assert.Equal(200, status);
        Assert.Equal("vietcombank", body.GetProperty("layout").GetString());
        Assert.Equal((1, 1, 0, 0, 1), Counts(body));
        var line = body.GetProperty("results")[0];
        Assert.Equal((8, reference, "recorded", "paid", payment), (line.GetProperty("row").GetInt32(), line.GetProperty("reference").GetString(),
            line.GetProperty("status").GetString(), line.GetProperty("outcome").GetString(), line.GetProperty("paymentId").GetString()));
        Assert.Equal(("completed", 1_250_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal("statement", await Province.ScalarAsync("SELECT source FROM bank_transfers WHERE payment_id = $p", ("$p", payment)));
        Assert.Equal(before + 1, await PendingPayments.TransfersAsync(Province, "sepay-1")); // money out is not recorded

        // The accountant imports the same export again (or next week's, which overlaps): nothing changes.
        var (again, second) = await PostAsync("sepay-1", workbook, Xlsx);
        Assert.Equal(200, again);
        Assert.Equal((1, 0, 0, 1, 1), Counts(second));
        Assert.Equal(("completed", 1_250_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal(before + 1, await PendingPayments.TransfersAsync(Province, "sepay-1"));
    }

    [Fact]
    public async Task A_VietinBank_statement_completes_the_payment_no_notification_reported_once()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 2_400_000);
        var workbook = VietinbankWorkbook(
            [1, $"{s_today} 09:15:22", $"CT DEN:{ProviderPost.NextId()} TRAN THI B nop hoc phi {code}", null, "2.400.000", "12.600.000", "FT" + ProviderPost.NextId()],
            [2, $"{s_today} 10:02:10", "PHI QUAN LY TAI KHOAN", "11.000", null, "12.589.000", "FT" + ProviderPost.NextId()]);

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);
        Assert.Equal(200, status);
        Assert.Equal("vietinbank", body.GetProperty("layout").GetString());
        Assert.Equal((1, 1, 0, 0, 1), Counts(body));
        Assert.Equal(("completed", 2_400_000L, 1L), await PendingPayments.StateAsync(Province, payment));

        var (again, second) = await PostAsync("sepay-1", workbook, Xlsx);
        Assert.Equal(200, again);
        Assert.Equal((1, 0, 0, 1, 1), Counts(second));
        Assert.Equal(("completed", 2_400_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }

    [Fact]
    public async Task A_line_a_webhook_already_brought_changes_nothing_and_only_the_line_no_notification_reported_is_a_gap()
    {
        var (reported, reportedCode) = await PendingPayments.CreateAsync(Province, 350_000);
        var (missed, missedCode) = await PendingPayments.CreateAsync(Province, 150_000);
        var (webhook, _) = await ProviderSenders.SendAsync(ProviderPost.Transfer(Province.BaseUrl, "sepay", ProviderPost.NextId(), 350_000, $"PHAM VAN C {reportedCode}"));
        Assert.Equal(200, webhook);
        Assert.Equal(("completed", 350_000L, 1L), await PendingPayments.StateAsync(Province, reported));
        var before = await PendingPayments.TransfersAsync(Province, "sepay-1");

        // VietinBank's export saved as CSV: the statement's text carries the bank's prefix the webhook's did not.
        var csv = new StringBuilder()
            .AppendLine("NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM")
            .AppendLine("LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY")
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account No:,{ProvinceHost.SchoolAccount}")
            .AppendLine()
            .AppendLine("STT,Ngày giao dịch / Transaction date,Mô tả giao dịch / Transaction description,Nợ / Debit,Có / Credit,Số dư TK / Account balance,Số giao dịch / Transaction number")
            .AppendLine(CultureInfo.InvariantCulture, $"1,{s_today} 08:01:00,\"CT DEN:0912 PHAM VAN C {reportedCode}\",,\"350.000\",\"1.350.000\",FT{ProviderPost.NextId()}")
            .AppendLine(CultureInfo.InvariantCulture, $"2,{s_today} 08:30:00,\"CT DEN:0913 LE THI D {missedCode}\",,\"150.000\",\"1.500.000\",FT{ProviderPost.NextId()}")
            .AppendLine("Tổng / Total,,,0,\"500.000\",,")
            .ToString();
        var (status, body) = await PostAsync("sepay-1", Encoding.UTF8.GetBytes(csv), "text/csv", "vietinbank");
        Assert.Equal(200, status);
        Assert.Equal((2, 1, 1, 0, 0), Counts(body));
        Assert.Equal(("reported", "paid", reported), (body.GetProperty("results")[0].GetProperty("status").GetString(),
            body.GetProperty("results")[0].GetProperty("outcome").GetString(), body.GetProperty("results")[0].GetProperty("paymentId").GetString()));
        Assert.Equal(("completed", 350_000L, 1L), await PendingPayments.StateAsync(Province, reported)); // not paid twice
        Assert.Equal(("completed", 150_000L, 1L), await PendingPayments.StateAsync(Province, missed));
        Assert.Equal(before + 1, await PendingPayments.TransfersAsync(Province, "sepay-1"));

        using var gaps = await Province.Admin.GetAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement/gaps", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, gaps.StatusCode);
        var rows = (await gaps.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        static string? PaymentOf(JsonElement gap) => gap.TryGetProperty("paymentId", out var p) ? p.GetString() : null;
        Assert.Contains(rows, g => PaymentOf(g) == missed && g.GetProperty("amount").GetInt64() == 150_000 && g.GetProperty("outcome").GetString() == "paid");
        Assert.DoesNotContain(rows, g => PaymentOf(g) == reported);
    }

    [Fact]
    public async Task A_webhook_that_comes_after_the_statement_recorded_its_money_changes_nothing_and_closes_the_gap()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 430_000);
        var (status, body) = await PostAsync("sepay-1", VietcombankWorkbook([s_today, "5213." + ProviderPost.NextId(), null, "430.000", $"MBVCB.99.HOANG VAN G {code}"]), Xlsx);
        Assert.Equal((200, 1), (status, body.GetProperty("recorded").GetInt32()));
        Assert.Equal(("completed", 430_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        var before = await PendingPayments.TransfersAsync(Province, "sepay-1");

        // SePay was down that morning and delivers late; then it retries.
        var id = ProviderPost.NextId();
        foreach (var attempt in new[] { 1, 2 })
        {
            var (late, answer) = await ProviderSenders.SendAsync(ProviderPost.Transfer(Province.BaseUrl, "sepay", id, 430_000, $"HOANG VAN G {code}"));
            Assert.Equal(200, late);
            Assert.True(answer.GetProperty("success").GetBoolean());
        }

        Assert.Equal(("completed", 430_000L, 1L), await PendingPayments.StateAsync(Province, payment)); // not paid twice
        Assert.Equal(before, await PendingPayments.TransfersAsync(Province, "sepay-1"));
        Assert.Equal("webhook", await Province.ScalarAsync("SELECT reported_by FROM bank_statement_lines WHERE notified_txn_id = $x", ("$x", id.ToString(CultureInfo.InvariantCulture))));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_10000_line_statement_matches_exactly_the_transfers_not_yet_matched_and_a_reimport_records_nothing()
    {
        // A month of a busy account as VietinBank's CSV: 50 lines pay pending payments (10 of them a webhook already
        // brought), 9,453 are other money in, 497 are money out.
        var payments = new List<(string Id, string Code, long Amount)>();
        for (var i = 0; i < 50; i++)
        {
            var amount = 3_000_000L + (i * 1_000);
            var (id, code) = await PendingPayments.CreateAsync(Province, amount);
            payments.Add((id, code, amount));
        }

        foreach (var (_, code, amount) in payments.Take(10))
        {
            var (status, _) = await ProviderSenders.SendAsync(ProviderPost.Transfer(Province.BaseUrl, "sepay", ProviderPost.NextId(), amount, $"NOP HOC PHI {code}"));
            Assert.Equal(200, status);
        }

        var csv = new StringBuilder("LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY\n\n")
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account No:,{ProvinceHost.SchoolAccount}")
            .AppendLine("STT,Ngày giao dịch / Transaction date,Mô tả giao dịch / Transaction description,Nợ / Debit,Có / Credit,Số dư TK / Account balance,Số giao dịch / Transaction number");
        var run = ProviderPost.NextId();
        var vi = CultureInfo.GetCultureInfo("vi-VN");
        var balance = 500_000_000L;
        for (var n = 0; n < 10_000; n++)
        {
            var (text, debit, credit) = n < 50 ? ($"CT DEN NOP HOC PHI {payments[n].Code}", 0L, payments[n].Amount)
                : n % 20 == 0 ? ("PHI DICH VU", 11_000L, 0L)
                : ($"CT DEN UNG HO QUY LOP {n}", 0L, 10_000L + n);
            balance += credit - debit;
            csv.AppendLine(CultureInfo.InvariantCulture,
                $"{n + 1},{s_today} 08:00:00,{text},\"{(debit == 0 ? "" : debit.ToString("#,0", vi))}\",\"{(credit == 0 ? "" : credit.ToString("#,0", vi))}\",\"{balance.ToString("#,0", vi)}\",R{run}-{n}");
        }

        var file = Encoding.UTF8.GetBytes(csv.ToString());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (first, body) = await PostAsync("sepay-1", file, "text/csv");
        var took = clock.Elapsed;
        output.WriteLine($"10,000-line statement imported in {took.TotalSeconds:F2} s");
        Assert.Equal(200, first);
        Assert.Equal((9_503, 9_493, 10, 0, 497), Counts(body)); // money out: each line numbered a multiple of 20 past the first 50
        foreach (var (id, _, amount) in payments)
        {
            Assert.Equal(("completed", amount, 1L), await PendingPayments.StateAsync(Province, id));
        }

        Assert.True(took < TimeSpan.FromSeconds(30), $"took {took.TotalSeconds:F1} s"); // 5 s is the target on an idle machine (issue 19)

        var (again, second) = await PostAsync("sepay-1", file, "text/csv");
        Assert.Equal((200, (9_503, 0, 0, 9_503, 497)), (again, Counts(second)));
    }

    [Fact]
    public async Task A_broken_line_refuses_the_whole_file_with_a_400_naming_its_sheet_row_and_column_and_records_nothing()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 700_000);
        var workbook = VietcombankWorkbook(
            [s_today, "5213." + ProviderPost.NextId(), null, "700.000", $"NGUYEN VAN E {code}"],
            [s_today, "5213." + ProviderPost.NextId(), null, "1.25O.000", "NGUYEN VAN F"]);
        var before = await PendingPayments.TransfersAsync(Province, "sepay-1");

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);
        Assert.Equal(400, status);
        Assert.Equal("invalid_statement", body.GetProperty("code").GetString());
        var detail = body.GetProperty("detail").GetString()!;
        Assert.Contains("sheet 'Sao ke'", detail, StringComparison.Ordinal);
        Assert.Contains("row 9", detail, StringComparison.Ordinal);
        Assert.Contains("column D (Số tiền ghi có)", detail, StringComparison.Ordinal);
        Assert.Contains("dòng 9", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment)); // the good line before it was not recorded either
        Assert.Equal(before, await PendingPayments.TransfersAsync(Province, "sepay-1"));

        var (notXlsx, junk) = await PostAsync("sepay-1", "PK not a workbook"u8.ToArray(), Xlsx);
        Assert.Equal((400, "invalid_statement"), (notXlsx, junk.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Every_broken_line_of_a_refused_statement_is_listed_each_cell_on_its_row_and_nothing_is_recorded()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 720_000);
        var workbook = VietcombankWorkbook(
            [s_today, "5213." + ProviderPost.NextId(), null, "720.000", $"NGUYEN VAN E {code}"],
            [s_today, "5213." + ProviderPost.NextId(), null, "1.25O.000", "NGUYEN VAN F"],
            ["32/12/2026", "5213." + ProviderPost.NextId(), "5O.000", "2.5OO.000", "NGUYEN VAN G"],
            [s_today, "5213." + ProviderPost.NextId(), null, 1, 800, 0, "TRAN THI L"]);
        var recorded = await RecordedAsync();

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);

        // The title and the detail as before, of the first broken line, saying how many more there are.
        Assert.Equal((400, "invalid_statement"), (status, body.GetProperty("code").GetString()));
        Assert.StartsWith("Không đọc được sao kê (trang “Sao ke”, dòng 9, cột D (Số tiền ghi có)): “1.25O.000” không phải số tiền đồng nguyên (như 1.250.000); và 4 lỗi khác.",
            body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("sheet 'Sao ke', row 9, column D (Số tiền ghi có): '1.25O.000' is not an amount in whole đồng", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("and 4 more problems", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Each, as a bills file's: its row, sheet and column, a code, in Vietnamese and in English; row 10 three times.
        var errors = body.GetProperty("errors").EnumerateArray().Select(e => (
            e.GetProperty("line").GetInt32(), e.GetProperty("sheet").GetString(), e.GetProperty("column").GetString(), e.GetProperty("code").GetString())).ToList();
        Assert.Equal(
        [
            (9, "Sao ke", "D (Số tiền ghi có)", "amount_invalid"),
            (10, "Sao ke", "A (Ngày giao dịch)", "not_a_date"),
            (10, "Sao ke", "D (Số tiền ghi có)", "amount_invalid"),
            (10, "Sao ke", "C (Số tiền ghi nợ)", "amount_invalid"),
            (11, "Sao ke", "F", "beyond_header"),
        ], errors);
        var first = body.GetProperty("errors")[0];
        Assert.Equal("“1.25O.000” không phải số tiền đồng nguyên (như 1.250.000)", first.GetProperty("message").GetString());
        Assert.Equal("'1.25O.000' is not an amount in whole đồng (like 1.250.000)", first.GetProperty("messageEn").GetString());
        Assert.Equal(0, body.GetProperty("errorsLeftOut").GetInt32());

        Assert.Equal(recorded, await RecordedAsync());
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment)); // the good line before them was not recorded either
    }

    [Fact]
    public async Task A_statement_of_many_broken_lines_lists_the_first_200_and_counts_the_rest_and_records_nothing()
    {
        var csv = new StringBuilder()
            .AppendLine("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT")
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{ProvinceHost.SchoolAccount}")
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendLine(CultureInfo.InvariantCulture, $"{s_today},5213.{ProviderPost.NextId()},,\"150.000\",TRAN VAN A");
        for (var i = 0; i < 300; i++)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{s_today},5213.{ProviderPost.NextId()},,\"1{i}O.000\",LINE {i}");
        }

        var recorded = await RecordedAsync();
        var (status, body) = await PostAsync("sepay-1", Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "vietcombank");

        Assert.Equal((400, "invalid_statement"), (status, body.GetProperty("code").GetString()));
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal((200, 100), (errors.Count, body.GetProperty("errorsLeftOut").GetInt32()));
        Assert.Equal(Enumerable.Range(5, 200), errors.Select(e => e.GetProperty("line").GetInt32()));
        Assert.All(errors, e => Assert.False(e.TryGetProperty("sheet", out _))); // a CSV has no sheet: its column alone
        Assert.Contains("và 299 lỗi khác", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(recorded, await RecordedAsync());
    }

    [Fact]
    public async Task An_xlsx_line_with_a_value_right_of_the_headers_last_column_refuses_the_file_naming_its_row_and_column_and_records_nothing()
    {
        // Vietcombank's CSV with a line's 1,800,000 unquoted, opened in Excel and saved as .xlsx: Excel split the
        // amount into 1, 800 and 0, each a number in a column of its own, and pushed the description to G, right of
        // the header's last column (E). Read by its named columns, the line would be 1 đồng described as "800".
        var (good, goodCode) = await PendingPayments.CreateAsync(Province, 640_000);
        var (split, splitCode) = await PendingPayments.CreateAsync(Province, 1_800_000);
        var workbook = VietcombankWorkbook(
            [s_today, "5213." + ProviderPost.NextId(), null, "640.000", $"MBVCB.4525077405.NGUYEN VAN K {goodCode}"],
            [s_today, "5213." + ProviderPost.NextId(), null, 1, 800, 0, $"MBVCB.4525077406.TRAN THI L {splitCode}"]);
        var (transfers, statementLines) = await RecordedAsync();

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);

        Assert.Equal(400, status);
        Assert.Equal("invalid_statement", body.GetProperty("code").GetString());
        var detail = body.GetProperty("detail").GetString()!;
        Assert.Contains("row 9, column F:", detail, StringComparison.Ordinal);
        Assert.Contains("right of the header's last column E", detail, StringComparison.Ordinal);
        Assert.Contains("dòng 9", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal((transfers, statementLines), await RecordedAsync());
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, good)); // the good line before it is not recorded either
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, split));
    }

    [Fact]
    public async Task An_xlsx_description_merged_wider_than_its_header_is_read_not_refused()
    {
        // A report engine's export: the print date at the title's right edge (G3) and a line's description merged
        // E:G where the header's label is in E alone. The merged range's copies in F and G are formatting, not values
        // right of the header: the line is read.
        var (payment, code) = await PendingPayments.CreateAsync(Province, 275_000);
        var workbook = Workbook("Sao ke",
        [
            ["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"],
            ["SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT"],
            ["Số tài khoản / Account number:", null, ProvinceHost.SchoolAccount, null, null, null, $"Ngày in / Printed: {s_today}"],
            [],
            ["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả"],
            [s_today, "5213." + ProviderPost.NextId(), null, "275.000", $"MBVCB.4525077407.PHAN VAN M {code}"],
            ["Tổng", null, null, "275.000"],
        ], ["E6:G6"]);

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);

        Assert.True(status == 200, body.ToString());
        Assert.Equal(1, body.GetProperty("recorded").GetInt32());
        Assert.Equal(("completed", 275_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }

    [Fact]
    public async Task A_money_cell_with_a_leading_zero_refuses_the_statement_naming_its_row_and_column_and_records_nothing()
    {
        // A bank fee of 1,050 đồng with no description, its amount unquoted: the line has exactly the header's five
        // fields, so its width passes, and it would read as 1 đồng out and 50 đồng in ("050").
        var (payment, code) = await PendingPayments.CreateAsync(Province, 650_000);
        var csv = new StringBuilder()
            .AppendLine("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT")
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{ProvinceHost.SchoolAccount}")
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendLine(CultureInfo.InvariantCulture, $"{s_today},5213.{ProviderPost.NextId()},,\"650.000\",MBVCB.4525077408.VO THI N {code}")
            .AppendLine(CultureInfo.InvariantCulture, $"{s_today},5213.{ProviderPost.NextId()},1,050,")
            .AppendLine("Tổng,,\"1.050\",\"650.000\",")
            .ToString();
        var (transfers, statementLines) = await RecordedAsync();

        var (status, body) = await PostAsync("sepay-1", Encoding.UTF8.GetBytes(csv), "text/csv", "vietcombank");

        Assert.Equal(400, status);
        Assert.Equal("invalid_statement", body.GetProperty("code").GetString());
        var detail = body.GetProperty("detail").GetString()!;
        Assert.Contains("row 5, column D (Số tiền ghi có): '050' starts with a zero", detail, StringComparison.Ordinal);
        Assert.Contains("tệp CSV, dòng 5, cột D (Số tiền ghi có)): “050” bắt đầu bằng số 0", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("thousands separator", detail, StringComparison.Ordinal);
        Assert.Equal((transfers, statementLines), await RecordedAsync());
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment));

        // Zero itself is how banks write an empty side of a line, as 0 or 0,00: still read.
        var zero = csv.Replace(",1,050,", ",\"1.050\",\"0,00\",", StringComparison.Ordinal);
        var (read, answer) = await PostAsync("sepay-1", Encoding.UTF8.GetBytes(zero), "text/csv", "vietcombank");
        Assert.True(read == 200, answer.ToString());
        Assert.Equal((1, 1, 0, 0, 1), Counts(answer)); // the fee is money out, passed over
        Assert.Equal(("completed", 650_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }

    [Fact]
    public async Task The_statement_is_refused_before_its_body_is_read_without_an_administrator_or_for_an_unknown_connection()
    {
        using var anonymous = new HttpClient { BaseAddress = Province.BaseUrl };
        using var content = new ByteArrayContent(VietcombankWorkbook([s_today, "1", null, "1.000", "x"]));
        content.Headers.ContentType = new MediaTypeHeaderValue(Xlsx);
        using var refused = await anonymous.PostAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var (unknown, body) = await PostAsync("no-such-connection", VietcombankWorkbook([s_today, "1", null, "1.000", "x"]), Xlsx);
        Assert.Equal((404, "unknown_connection"), (unknown, body.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_province_reads_its_own_banks_export_by_a_layout_it_writes_in_its_layouts_file()
    {
        // An Agribank-style export the shipped layouts do not know: its own header texts, amounts with commas.
        var folder = Directory.CreateTempSubdirectory("kioskpos-layouts-").FullName;
        var file = Path.Combine(folder, "layouts.json");
        await File.WriteAllTextAsync(file, """
            {"layouts": [{"id": "agribank", "bank": "Agribank", "source": "this test",
              "date": ["Ngày GD"], "credit": ["Phát sinh có"], "debit": ["Phát sinh nợ"], "description": ["Nội dung giao dịch"],
              "reference": ["Số bút toán"], "accountNumber": [], "dateFormats": ["dd/MM/yyyy"], "endMarkers": ["Cộng"]}]}
            """);
        await using var province = await ProvinceHost.StartAsync(settings: [$"--Province:StatementLayoutsFile={file}"]);
        await ProviderSenders.PutConnectionAsync(province, "sepay-own", "sepay", ProviderSenders.SepayKey);

        // A layout that reads no account number takes the first section as the connection's: the settings' connection,
        // which has none, can then have a statement imported and is offered as any other.
        var choices = await province.Admin.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/admin/bank/statement-connections", UriKind.Relative));
        Assert.DoesNotContain(choices.GetProperty("connections").EnumerateArray(), c => c.TryGetProperty("missing", out _));
        var (payment, code) = await PendingPayments.CreateAsync(province, 1_800_000);

        // The same line with its amount unquoted splits it into 1, 800 and 000: refused as a whole, naming the line,
        // not booked as 1 đồng.
        var split = $"SAO KÊ TÀI KHOẢN\nSố bút toán,Ngày GD,Phát sinh nợ,Phát sinh có,Nội dung giao dịch\nAG{ProviderPost.NextId()},{s_today},,1,800,000,NOP TIEN {code}\n";
        using (var splitContent = new ByteArrayContent(Encoding.UTF8.GetBytes(split)))
        {
            splitContent.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var refused = await province.Admin.PostAsync(new Uri("/api/v1/admin/bank/connections/sepay-own/statement", UriKind.Relative), splitContent);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("invalid_statement", problem.GetProperty("code").GetString());
            Assert.Contains("row 3", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("has 7 fields where the header has 5", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(province, payment));
        }

        var csv = $"SAO KÊ TÀI KHOẢN\nSố bút toán,Ngày GD,Phát sinh nợ,Phát sinh có,Nội dung giao dịch\nAG{ProviderPost.NextId()},{s_today},,\"1,800,000\",NOP TIEN {code}\nCộng,,,\"1,800,000\",\n";

        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await province.Admin.PostAsync(new Uri("/api/v1/admin/bank/connections/sepay-own/statement", UriKind.Relative), content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("agribank", 1), (body.GetProperty("layout").GetString(), body.GetProperty("recorded").GetInt32()));
        Assert.Equal(("completed", 1_800_000L, 1L), await PendingPayments.StateAsync(province, payment));
    }

    [Fact]
    public async Task Every_broken_workbook_the_fuzzer_found_is_refused_in_words_by_the_statement_import_too()
    {
        // The findings of make fuzz's bill-import-xlsx target (kept in its corpus) go through the same workbook reader
        // here; the statement import caught fewer exceptions than the bill import and answered some with a 500.
        var findings = Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "tests", "KioskPos.Fuzz", "Corpus", "bill-import-xlsx"), "finding-*");
        Assert.True(findings.Length >= 3, $"only {findings.Length} findings");
        var transfers = Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers"));
        foreach (var finding in findings)
        {
            // None is a statement: each is refused as a whole, named, and nothing of it is recorded.
            var (status, body) = await PostAsync("sepay-1", await File.ReadAllBytesAsync(finding), Xlsx);
            Assert.True(status == 400, $"{Path.GetFileName(finding)}: {status}");
            Assert.Equal("invalid_statement", body.GetProperty("code").GetString());
            Assert.StartsWith("Không đọc được sao kê", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(transfers, Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers")));
    }

    // Every transfer of the province and every statement line any import kept, whatever the connection.
    private async Task<(long Transfers, long StatementLines)> RecordedAsync() =>
        (Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_transfers"), CultureInfo.InvariantCulture),
            Convert.ToInt64(await Province.ScalarAsync("SELECT COUNT(*) FROM bank_statement_lines"), CultureInfo.InvariantCulture));

    private static (int Lines, int Recorded, int Reported, int Imported, int Outgoing) Counts(JsonElement body) =>
        (body.GetProperty("lines").GetInt32(), body.GetProperty("recorded").GetInt32(), body.GetProperty("alreadyReported").GetInt32(),
            body.GetProperty("alreadyImported").GetInt32(), body.GetProperty("outgoingIgnored").GetInt32());

    private async Task<(int Status, JsonElement Body)> PostAsync(string connection, byte[] file, string type, string? layout = null)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        using var response = await Province.Admin.PostAsync(new Uri($"/api/v1/admin/bank/connections/{connection}/statement" + (layout is null ? "" : $"?layout={layout}"), UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    // Vietcombank's export: the bank's title rows, the account, the period, an empty row, the header in row 7, the
    // lines from row 8, the totals row and the closing balance below them.
    private static byte[] VietcombankWorkbook(params object?[][] lines) => Workbook("Sao ke", VietcombankRows(lines));

    private static object?[][] VietcombankRows(params object?[][] lines) =>
    [
        ["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"],
        ["SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT"],
        ["Số tài khoản / Account number:", null, ProvinceHost.SchoolAccount],
        ["Loại tiền / Currency:", null, "VND"],
        [$"Từ ngày {s_today} đến ngày {s_today}"],
        [],
        ["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả"],
        .. lines,
        ["Tổng", null, "500.000", "1.250.000"],
        ["Số dư cuối kỳ / Closing balance:", null, "19.390.547"],
    ];

    // VietinBank's transaction history: the bank's name, the title, the account, an empty row, the bilingual header.
    private static byte[] VietinbankWorkbook(params object?[][] lines) => Workbook("Lich su giao dich",
    [
        ["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM"],
        ["LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY"],
        ["Số tài khoản / Account No:", ProvinceHost.SchoolAccount],
        [],
        ["STT", "Ngày giao dịch / Transaction date", "Mô tả giao dịch / Transaction description", "Nợ / Debit", "Có / Credit", "Số dư TK / Account balance", "Số giao dịch / Transaction number"],
        .. lines,
        ["Tổng / Total"],
    ]);

    // A number cell shown by a custom number format (0.00 shows 5213.1 as 5213.10).
    private sealed record FormattedNumber(double Value, string Format);

    // Rows from row 1 (an empty array is an empty row); strings in the shared string table as Excel writes them,
    // numbers as numbers, a FormattedNumber with its number format; merged ranges (A1:C1) as Excel keeps them, the value in the range's top-left cell only;
    // then shape changes the workbook as a test needs (its date system, a hidden row, its styles).
    private static byte[] Workbook(string sheetName, object?[][] rows, string[]? merges = null, Action<WorkbookPart, WorksheetPart>? shape = null)
    {
        using var memory = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(memory, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var strings = workbook.AddNewPart<SharedStringTablePart>();
            strings.SharedStringTable = new SharedStringTable();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var formats = new List<string>();
            var data = new SheetData();
            for (var r = 0; r < rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    var reference = $"{(char)('A' + c)}{r + 1}";
                    switch (rows[r][c])
                    {
                        case string s:
                            if (!index.TryGetValue(s, out var i))
                            {
                                index[s] = i = index.Count;
                                strings.SharedStringTable.AppendChild(new SharedStringItem(new Text(s)));
                            }

                            row.Append(new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(i.ToString(CultureInfo.InvariantCulture)) });
                            break;
                        case FormattedNumber formatted:
                            if (!formats.Contains(formatted.Format))
                            {
                                formats.Add(formatted.Format);
                            }

                            row.Append(new Cell
                            {
                                CellReference = reference, StyleIndex = (uint)(formats.IndexOf(formatted.Format) + 1),
                                CellValue = new CellValue(formatted.Value.ToString(CultureInfo.InvariantCulture)),
                            });
                            break;
                        case { } number:
                            row.Append(new Cell { CellReference = reference, CellValue = new CellValue(Convert.ToDouble(number, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)) });
                            break;
                    }
                }

                data.Append(row);
            }

            if (formats.Count > 0)
            {
                // As Excel writes a custom number format: numFmt 164 on, each referred to by a cell format (xf) whose index the cell's s names.
                var xfs = new List<OpenXmlElement> { new CellFormat { NumberFormatId = 0 } };
                xfs.AddRange(formats.Select((_, i) => new CellFormat { NumberFormatId = (uint)(164 + i), ApplyNumberFormat = true }));
                var numFmts = formats.Select((f, i) => (OpenXmlElement)new NumberingFormat { NumberFormatId = (uint)(164 + i), FormatCode = f }).ToList();
                var styles = workbook.AddNewPart<WorkbookStylesPart>();
                styles.Stylesheet = new Stylesheet(
                    new NumberingFormats(numFmts) { Count = (uint)formats.Count },
                    new Fonts(new Font()) { Count = 1 }, new Fills(new Fill()) { Count = 1 }, new Borders(new Border()) { Count = 1 },
                    new CellFormats(xfs) { Count = (uint)xfs.Count });
            }

            var sheet = workbook.AddNewPart<WorksheetPart>();
            sheet.Worksheet = new Worksheet(data);
            if (merges is { Length: > 0 })
            {
                sheet.Worksheet.Append(new MergeCells(merges.Select(m => new MergeCell { Reference = m })));
            }

            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheet), SheetId = 1, Name = sheetName }));
            shape?.Invoke(workbook, sheet);
        }

        return memory.ToArray();
    }
}
