using System.Globalization;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using KioskPos.ProvinceServer.Tests.Imports;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// A statement workbook is read by the bill import's reader: under its bounds, in its date system, with its hidden
/// rows known.
/// </summary>
public sealed partial class StatementImportTests
{
    [Fact]
    public async Task A_zip_bomb_or_a_workbook_over_a_limit_is_refused_400_workbook_over_limit_and_records_nothing()
    {
        // The statement import read the workbook a second time for its number formats, with no bound on what a part
        // unpacks to, and answered the bill reader's refusals as "not an .xlsx workbook".
        var (payment, code) = await PendingPayments.CreateAsync(Province, 720_000);
        var rows = VietcombankRows([s_today, "5213." + ProviderPost.NextId(), null, "720.000", $"MBVCB.4525077412.QUACH VAN Y {code}"]);
        var (transfers, statementLines) = await RecordedAsync();
        foreach (var (megabytes, reason) in new[] { (150, "unpacks to more than 100 MB"), (60, "times its packed size, more than 100") })
        {
            var bomb = SpreadsheetImportTests.Bomb(Workbook("Sao ke", rows), megabytes);
            Assert.True(bomb.Length < 1024 * 1024, $"{bomb.Length} bytes");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (status, body) = await PostAsync("sepay-1", bomb, Xlsx);
            Assert.True(status == 400, body.ToString());
            Assert.Equal("workbook_over_limit", body.GetProperty("code").GetString());
            Assert.StartsWith("Tệp Excel vượt giới hạn nhập", body.GetProperty("title").GetString(), StringComparison.Ordinal);
            Assert.Contains(reason, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{clock.Elapsed}");
        }

        // Styles of more cell formats than Excel makes (65,490), each an empty <xf/> so that the part stays under the
        // size from which its packing is checked: all were kept in memory to show a number as its cell does.
        var styled = Workbook("Sao ke", rows, shape: (workbook, _) =>
        {
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(new CellFormats(Enumerable.Range(0, 70_000).Select(_ => new CellFormat())));
        });
        var (over, refusal) = await PostAsync("sepay-1", styled, Xlsx);
        Assert.True(over == 400, refusal.ToString());
        Assert.Equal("workbook_over_limit", refusal.GetProperty("code").GetString());
        Assert.Contains("more than 65,490 number and cell formats", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("hơn 65.490 định dạng số và định dạng ô", refusal.GetProperty("title").GetString(), StringComparison.Ordinal);

        Assert.Equal((transfers, statementLines), await RecordedAsync());
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment));
    }

    [Fact]
    public async Task A_workbook_counting_dates_from_1904_books_its_lines_on_the_day_they_were()
    {
        // Saved by Excel for Mac with the 1904 date system: the date cells are serial numbers 1,462 days smaller.
        var (payment, code) = await PendingPayments.CreateAsync(Province, 335_000);
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).DateTime);
        var serial1904 = today.DayNumber - new DateOnly(1904, 1, 1).DayNumber;
        var reference = "5213." + ProviderPost.NextId();
        var workbook = Workbook("Sao ke", VietcombankRows([serial1904, reference, null, "335.000", $"MBVCB.4525077413.TRINH THI Z {code}"]),
            shape: (workbook, _) => workbook.Workbook.PrependChild(new WorkbookProperties { Date1904 = true }));

        var (status, body) = await PostAsync("sepay-1", workbook, Xlsx);

        Assert.True(status == 200, body.ToString());
        Assert.Equal(1, body.GetProperty("recorded").GetInt32());
        Assert.Equal(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            await Province.ScalarAsync("SELECT booked_on FROM bank_statement_lines WHERE reference = $r", ("$r", reference)));
        Assert.Equal(("completed", 335_000L, 1L), await PendingPayments.StateAsync(Province, payment));
    }

    [Fact]
    public async Task A_hidden_row_refuses_the_statement_naming_it_and_records_nothing()
    {
        // A bank's export hides no row: one hidden afterwards is either money someone does not want seen or money they
        // want imported unseen. The import read it as any other.
        var (payment, code) = await PendingPayments.CreateAsync(Province, 540_000);
        var (hiddenPayment, hiddenCode) = await PendingPayments.CreateAsync(Province, 260_000);
        var rows = VietcombankRows(
            [s_today, "5213." + ProviderPost.NextId(), null, "540.000", $"MBVCB.4525077414.KIEU VAN A {code}"],
            [s_today, "5213." + ProviderPost.NextId(), null, "260.000", $"MBVCB.4525077415.KIEU THI B {hiddenCode}"]);
        var (transfers, statementLines) = await RecordedAsync();

        var (status, body) = await PostAsync("sepay-1", Workbook("Sao ke", rows, shape: (_, sheet) => sheet.Worksheet.Descendants<Row>().Single(r => r.RowIndex!.Value == 9).Hidden = true), Xlsx);

        Assert.Equal(400, status);
        Assert.Equal("invalid_statement", body.GetProperty("code").GetString());
        Assert.Contains("sheet 'Sao ke', row 9: the row is hidden", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("dòng 9", body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal((transfers, statementLines), await RecordedAsync());
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, payment));
        Assert.Equal(("pending", 0L, 0L), await PendingPayments.StateAsync(Province, hiddenPayment));

        // The same file with the row shown imports both lines.
        var (shown, answer) = await PostAsync("sepay-1", Workbook("Sao ke", rows), Xlsx);
        Assert.True(shown == 200, answer.ToString());
        Assert.Equal(2, answer.GetProperty("recorded").GetInt32());
        Assert.Equal(("completed", 260_000L, 1L), await PendingPayments.StateAsync(Province, hiddenPayment));
    }
}
