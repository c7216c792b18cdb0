using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// The review of the statement file (items 1 to 3): a statement is the connection's own account's, its lines follow
/// from its running balance, the same bank line under another key is held rather than credited twice, and an old .xls or
/// an HTML "Excel" export is answered with what to do.
/// </summary>
public sealed partial class StatementImportTests
{
    private const string OtherAccount = "1122334455";

    private static readonly string[] s_vietinbankHeader =
        ["STT", "Ngày giao dịch / Transaction date", "Mô tả giao dịch / Transaction description", "Nợ / Debit", "Có / Credit", "Số dư TK / Account balance", "Số giao dịch / Transaction number"];

    [Fact]
    public async Task A_connection_without_an_account_number_is_listed_with_what_it_lacks_and_its_statement_refused_before_it_is_read()
    {
        // The settings' webhook connection (demo-bank under make run) takes signed notifications for any account and has
        // none of its own; the imports page offered it, and every statement sent through it was refused after the
        // upload for naming "no account" ("(none set)"), whatever the file held.
        var choices = await Province.Admin.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/admin/bank/statement-connections", UriKind.Relative));
        var connections = choices.GetProperty("connections").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal("account_number", connections[ProvinceHost.BankConnection].GetProperty("missing").GetString());
        Assert.False(connections["sepay-1"].TryGetProperty("missing", out _));

        var (transfers, statementLines) = await RecordedAsync();
        var (status, body) = await PostAsync(ProvinceHost.BankConnection, VietcombankWorkbook([s_today, "5213." + ProviderPost.NextId(), null, "100.000", "NOP TIEN"]), Xlsx);

        Assert.Equal((400, "connection_without_account"), (status, body.GetProperty("code").GetString()));
        Assert.StartsWith($"Không nhập sao kê được qua kết nối {ProvinceHost.BankConnection}: kết nối chưa có số tài khoản nhận tiền", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("has no accountNumber", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((transfers, statementLines), await RecordedAsync());
    }

    [Fact]
    public async Task Another_accounts_statement_is_refused_naming_its_account_and_records_nothing()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 915_000);
        var workbook = Workbook("Lich su giao dich",
        [
            ["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM"],
            ["LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY"],
            ["Số tài khoản / Account No:", OtherAccount],
            [],
            s_vietinbankHeader,
            [1, $"{s_today} 09:15:22", $"CT DEN:{ProviderPost.NextId()} NGUYEN VAN R {code}", null, "915.000", "4.915.000", "FT" + ProviderPost.NextId()],
            ["Tổng / Total"],
        ]);
        var (transfers, statementLines) = await RecordedAsync();

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);

        Assert.Equal(400, status);
        Assert.Equal("statement_other_account", body.GetProperty("code").GetString());
        Assert.Contains(OtherAccount, body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(ProvinceHost.SchoolAccount, body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains($"of account {OtherAccount}, not of this connection's account {ProvinceHost.SchoolAccount}", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((transfers, statementLines), await RecordedAsync());
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment));

        // A file without the title rows names no account: refused too, saying so.
        var csv = new StringBuilder()
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendLine(CultureInfo.InvariantCulture, $"{s_today},5213.{ProviderPost.NextId()},,\"915.000\",MBVCB.1.NGUYEN VAN R {code}")
            .ToString();
        var (untitled, refusal) = await PostAsync("sepay-1", Encoding.UTF8.GetBytes(csv), "text/csv", "vietcombank");
        Assert.Equal((400, "statement_no_account"), (untitled, refusal.GetProperty("code").GetString()));
        Assert.Equal((transfers, statementLines), await RecordedAsync());
    }

    [Fact]
    public async Task Of_a_file_with_several_accounts_only_the_connections_own_section_is_read_and_who_uploaded_it_is_kept()
    {
        // Another account's section first (a statement of all the institution's accounts), the connection's second.
        var (other, otherCode) = await PendingPayments.CreateAsync(Province, 905_000);
        var (own, ownCode) = await PendingPayments.CreateAsync(Province, 610_000);
        var reference = "FT" + ProviderPost.NextId();
        var workbook = Workbook("Lich su giao dich",
        [
            ["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM"],
            ["LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY"],
            ["Số tài khoản / Account No:", OtherAccount],
            [],
            s_vietinbankHeader,
            [1, $"{s_today} 09:00:00", $"CT DEN:{ProviderPost.NextId()} LY VAN S {otherCode}", null, "905.000", "5.905.000", "FT" + ProviderPost.NextId()],
            ["Tổng / Total", null, null, "0", "905.000"],
            [],
            ["Số tài khoản / Account No:", ProvinceHost.SchoolAccount],
            [],
            s_vietinbankHeader,
            [1, $"{s_today} 09:05:00", $"CT DEN:{ProviderPost.NextId()} TO THI T {ownCode}", null, "610.000", "3.610.000", reference],
            ["Tổng / Total", null, null, "0", "610.000"],
        ]);

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);

        Assert.True(status == 200, body.ToString());
        Assert.Equal(ProvinceHost.SchoolAccount, body.GetProperty("account").GetString());
        Assert.Equal((1, 1, 0, 0, 0), Counts(body));
        Assert.Equal(("completed", 610_000L, 1L), await PendingPayments.StateAsync(Province, own));
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, other)); // another account's money never arrived here
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(workbook));
        Assert.Equal("admin-token", await Province.ScalarAsync("SELECT imported_by FROM bank_statement_lines WHERE reference = $r", ("$r", reference)));
        Assert.Equal(sha256, await Province.ScalarAsync("SELECT file_sha256 FROM bank_statement_lines WHERE reference = $r", ("$r", reference)));
    }

    [Fact]
    public async Task A_credit_edited_in_the_file_breaks_the_running_balance_and_refuses_the_file_naming_the_row_and_the_bank_s_own_file_imports()
    {
        var (first, firstCode) = await PendingPayments.CreateAsync(Province, 1_230_000);
        var (second, secondCode) = await PendingPayments.CreateAsync(Province, 470_000);
        object?[][] Lines(string secondCredit) =>
        [
            [1, $"{s_today} 09:15:22", $"CT DEN:{ProviderPost.NextId()} DO VAN U {firstCode}", null, "1.230.000", "8.230.000", "FT" + ProviderPost.NextId()],
            [2, $"{s_today} 10:02:10", "PHI QUAN LY TAI KHOAN", "11.000", null, "8.219.000", "FT" + ProviderPost.NextId()],
            [3, $"{s_today} 11:40:00", $"CT DEN:{ProviderPost.NextId()} VU THI V {secondCode}", null, secondCredit, "8.689.000", "FT" + ProviderPost.NextId()],
        ];
        var (transfers, statementLines) = await RecordedAsync();

        // The bank wrote 470.000; someone made it 4.700.000 in Excel and left the balance as it was.
        var (status, body) = await PostAsync("sepay-1", VietinbankWorkbook(Lines("4.700.000")), Xlsx);

        Assert.Equal(400, status);
        Assert.Equal("invalid_statement", body.GetProperty("code").GetString());
        var detail = body.GetProperty("detail").GetString()!;
        Assert.Contains("row 8, column F (Số dư TK / Account balance)", detail, StringComparison.Ordinal);
        Assert.Contains("the balance 8.689.000 ₫ is not the balance before the line 8.219.000 ₫ + credit 4.700.000 ₫", detail, StringComparison.Ordinal);
        Assert.Contains("dòng 8", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("số dư 8.689.000 ₫ không bằng số dư trước dòng 8.219.000 ₫ + ghi có 4.700.000 ₫", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal((transfers, statementLines), await RecordedAsync());
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, first)); // the good line before it is not recorded either

        // The bank's own file, its balances following line by line, imports.
        var (read, answer) = await PostAsync("sepay-1", VietinbankWorkbook(Lines("470.000")), Xlsx);
        Assert.True(read == 200, answer.ToString());
        Assert.Equal((2, 2, 0, 0, 1), Counts(answer));
        Assert.Equal(("completed", 1_230_000L, 1L), await PendingPayments.StateAsync(Province, first));
        Assert.Equal(("completed", 470_000L, 1L), await PendingPayments.StateAsync(Province, second));
    }

    [Fact]
    public async Task The_same_line_imported_with_its_reference_and_again_without_it_is_credited_once_and_held_the_second_time()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 385_000);
        var reference = "5213." + ProviderPost.NextId();
        static byte[] Csv(params string[] lines) => Encoding.UTF8.GetBytes(new StringBuilder()
            .AppendLine("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT")
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{ProvinceHost.SchoolAccount}")
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendJoin("", lines.Select(l => l + "\n"))
            .ToString());

        var (status, body) = await PostAsync("sepay-1", Csv($"{s_today},{reference},,\"385.000\",MBVCB.4525077409.PHAM THI Q nop tien {code}"), "text/csv", "vietcombank");
        Assert.True(status == 200, body.ToString());
        Assert.Equal((1, 1, 0, 0, 0), Counts(body));
        Assert.Equal(("completed", 385_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        var transfers = await PendingPayments.TransfersAsync(Province, "sepay-1");

        // Another export of the same day: no reference, the description wrapped at another place.
        var again = Csv($"{s_today},,,\"385.000\",\"MBVCB.4525077409.PHAM THI Q\nnop  tien {code}\"");
        foreach (var attempt in new[] { 1, 2 })
        {
            var (second, held) = await PostAsync("sepay-1", again, "text/csv", "vietcombank");
            Assert.True(second == 200, held.ToString());
            Assert.Equal((1, 0, 0, 0, 0), Counts(held));
            Assert.Equal(1, held.GetProperty("held").GetInt32());
            var line = held.GetProperty("results")[0];
            Assert.Equal(("held", "possible_duplicate"), (line.GetProperty("status").GetString(), line.GetProperty("outcome").GetString()));
            Assert.Equal(transfers, await PendingPayments.TransfersAsync(Province, "sepay-1")); // not credited
            Assert.Equal(("completed", 385_000L, 1L), await PendingPayments.StateAsync(Province, payment));
        }

        // Listed for a person to look at, beside the line it may be.
        using var gaps = await Province.Admin.GetAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement/gaps?limit=1000", UriKind.Relative));
        var rows = (await gaps.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.Single(rows, g => g.GetProperty("status").GetString() == "held" && g.TryGetProperty("duplicateOf", out var of) && of.GetString() == "ref:" + reference);

        // A second transfer of the same text on the same day, each line under its own reference: both credited.
        var text = $"UNG HO QUY LOP 7A {ProviderPost.NextId()}";
        var (r1, r2) = ("5213." + ProviderPost.NextId(), "5213." + ProviderPost.NextId());
        var (morning, _) = await PostAsync("sepay-1", Csv($"{s_today},{r1},,\"200.000\",{text}"), "text/csv", "vietcombank");
        var (day, both) = await PostAsync("sepay-1", Csv($"{s_today},{r1},,\"200.000\",{text}", $"{s_today},{r2},,\"200.000\",{text}"), "text/csv", "vietcombank");
        Assert.Equal((200, 200), (morning, day));
        Assert.Equal((2, 1, 0, 1, 0), Counts(both));
    }

    [Fact]
    public async Task A_reference_Excel_turned_into_a_number_is_read_as_its_cell_shows_it_and_is_the_same_line()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 265_000);
        var id = ProviderPost.NextId();
        var csv = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{ProvinceHost.SchoolAccount}")
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendLine(CultureInfo.InvariantCulture, $"{s_today},{id}.10,,\"265.000\",MBVCB.4525077410.HA VAN W {code}")
            .ToString();
        var (status, body) = await PostAsync("sepay-1", Encoding.UTF8.GetBytes(csv), "text/csv", "vietcombank");
        Assert.True(status == 200, body.ToString());
        Assert.Equal($"{id}.10", body.GetProperty("results")[0].GetProperty("reference").GetString());

        // The same statement after Excel: the reference a number (id.1) shown as id.10 by the cell's format 0.00.
        var workbook = VietcombankWorkbook([s_today, new FormattedNumber(id + 0.1, "0.00"), null, "265.000", $"MBVCB.4525077410.HA VAN W {code}"]);
        var (again, second) = await PostAsync("sepay-1", workbook, Xlsx);
        Assert.True(again == 200, second.ToString());
        var line = second.GetProperty("results")[0];
        Assert.Equal(($"{id}.10", "already_imported"), (line.GetProperty("reference").GetString(), line.GetProperty("status").GetString()));
        Assert.Equal(("completed", 265_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }

    [Theory]
    [InlineData(Xlsx)]
    [InlineData("text/csv")]
    [InlineData("application/vnd.ms-excel")]
    public async Task An_old_xls_or_an_HTML_export_is_answered_415_saying_to_save_it_as_xlsx_whatever_type_it_is_sent_as(string type)
    {
        var (transfers, statementLines) = await RecordedAsync();
        byte[] xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]];
        var (status, body) = await PostAsync("sepay-1", xls, type);
        Assert.Equal((415, "unsupported_statement_format"), (status, body.GetProperty("code").GetString()));
        Assert.StartsWith("Tệp là sổ Excel 97-2003 (.xls) cũ", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(".xlsx", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("save it as Excel Workbook (.xlsx)", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // What some internet banking serves as SaoKe.xls: an HTML table Excel opens.
        var html = Encoding.UTF8.GetBytes(
            "\uFEFF\r\n<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><head><meta charset=\"utf-8\"></head><body><table>"
            + $"<tr><td>Số tài khoản</td><td>{ProvinceHost.SchoolAccount}</td></tr><tr><td>Ngày giao dịch</td><td>Số tiền ghi có</td><td>Mô tả</td></tr></table></body></html>");
        var (page, answer) = await PostAsync("sepay-1", html, type);
        Assert.Equal((415, "unsupported_statement_format"), (page, answer.GetProperty("code").GetString()));
        Assert.StartsWith("Tệp là trang HTML", answer.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal((transfers, statementLines), await RecordedAsync());
    }

    [Fact]
    public async Task An_xlsx_sent_under_another_type_is_read_as_the_workbook_it_is()
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 145_000);
        var (status, body) = await PostAsync("sepay-1", VietcombankWorkbook([s_today, "5213." + ProviderPost.NextId(), null, "145.000", $"MBVCB.4525077411.LAM VAN X {code}"]),
            "application/octet-stream");
        Assert.True(status == 200, body.ToString());
        Assert.Equal(("completed", 145_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }
}
