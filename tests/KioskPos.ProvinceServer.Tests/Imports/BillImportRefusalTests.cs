using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace KioskPos.ProvinceServer.Tests.Imports;

/// <summary>
/// What a refused bills file says, on a real SQLite province on loopback: every problem of a row, each in Vietnamese
/// from the catalogue with the English beside it and a code for programs, so an accountant corrects the file in one
/// pass; at most a handful a row and a bounded list for the file, the rest counted; and nothing of a refused file stored.
/// </summary>
public sealed partial class BillImportRefusalTests
{
    private const string Header = "Mã khoản thu,Mã đơn vị,Mã người nộp,Loại,Tiêu đề,Hạn nộp,Nội dung,Số lượng,Đơn giá,BHYT\n";

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex MachineCode();

    [Fact]
    public async Task Every_problem_of_a_row_is_reported_in_vietnamese_with_its_code_and_field_and_nothing_is_stored()
    {
        await using var province = await ProvinceHost.StartAsync();
        var bills = await CountAsync(province);

        // Line 2 is good; line 3 has four problems (category, due date, quantity, a price with dots); line 4 nine, of
        // which five are listed and four counted.
        var csv = Header +
            "HP-2901-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 1/2029,2029-01-31,Học phí,1,150000,\n" +
            "HP-2901-HS240002,TG-THCS-NGUYENDU,HS240002,hocphi,Học phí tháng 1/2029,31/01/2029,Học phí,0,1.250.000,\n" +
            ",TG-THCS-NGUYENDU,,hocphi,,31/01/2029,,0,abc,x\n";
        var (status, body) = await ImportAsync(province, csv);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal((0, 0, 0), (body.GetProperty("created").GetInt32(), body.GetProperty("updated").GetInt32(), body.GetProperty("unchanged").GetInt32()));
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        var third = errors.Where(e => e.GetProperty("line").GetInt32() == 3).ToList();
        Assert.Equal([("category_unknown", "category"), ("due_date_invalid", "due_date"), ("quantity_invalid", "quantity"), ("price_invalid", "unit_price")],
            third.Select(e => (e.GetProperty("code").GetString(), e.GetProperty("field").GetString())));
        Assert.Equal(
        [
            "Loại “hocphi” không hợp lệ: phải là một trong hoc_phi, ban_tru, vien_phi, tam_ung, khac.",
            "Hạn nộp “31/01/2029” không đúng dạng năm-tháng-ngày (yyyy-MM-dd, như 2026-12-31).",
            "Số lượng “0” không phải số nguyên từ 1 đến 10.000.",
            "Đơn giá “1.250.000” không phải số đồng nguyên viết liền, không dấu phân cách (như 150000), tối đa 9.999.999.999.999 ₫.",
        ], third.Select(e => e.GetProperty("message").GetString()));
        Assert.Equal("category 'hocphi' is not one of hoc_phi, ban_tru, vien_phi, tam_ung, khac", third[0].GetProperty("messageEn").GetString());

        // The row of nine: five listed, in the file's column order, and the answer counts the four left out.
        Assert.Equal(["bill_id_invalid", "empty", "category_unknown", "text_length", "due_date_invalid"],
            errors.Where(e => e.GetProperty("line").GetInt32() == 4).Select(e => e.GetProperty("code").GetString()));
        Assert.Equal(4, body.GetProperty("errorsLeftOut").GetInt32());
        Assert.All(errors, e => Assert.Matches(MachineCode(), e.GetProperty("code").GetString()!));
        Assert.Equal(bills, await CountAsync(province));
        Assert.Null(await province.ScalarAsync("SELECT id FROM bills WHERE id = 'HP-2901-HS240001'"));
    }

    [Fact]
    public async Task A_file_of_twenty_thousand_broken_rows_answers_a_bounded_list_and_how_many_more_and_stores_nothing()
    {
        await using var province = await ProvinceHost.StartAsync();
        var bills = await CountAsync(province);
        var csv = new StringBuilder(Header);
        csv.Append("HP-2902-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 2/2029,2029-02-28,Học phí,1,150000,\n");
        for (var i = 0; i < 20_000; i++)
        {
            // Two problems a row: the category and the quantity.
            csv.Append(CultureInfo.InvariantCulture, $"HP-2902-{i:D6},TG-THCS-NGUYENDU,HS240001,hocphi,Học phí tháng 2/2029,2029-02-28,Học phí,0,150000,\n");
        }

        using var content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        using var response = await province.Admin.PostAsync(new Uri("/api/v1/admin/bills/import", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = JsonDocument.Parse(text).RootElement;
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(200, errors.Count);
        Assert.Equal(40_000 - 200, body.GetProperty("errorsLeftOut").GetInt32());
        Assert.Equal(3, errors[0].GetProperty("line").GetInt32()); // the first broken rows, in the file's order
        Assert.All(errors, e => Assert.Contains(e.GetProperty("code").GetString(), new[] { "category_unknown", "quantity_invalid" }));
        Assert.True(text.Length < 200_000, $"{text.Length} characters");
        Assert.Equal(bills, await CountAsync(province));
        Assert.Null(await province.ScalarAsync("SELECT id FROM bills WHERE id = 'HP-2902-HS240001'"));
    }

    [Fact]
    public async Task Json_bills_say_each_problem_of_a_line_and_a_bill_without_lines_beside_the_others()
    {
        await using var province = await ProvinceHost.StartAsync();
        var request = new
        {
            bills = new object[]
            {
                new { billId = "HP-2903-HS240001", institutionId = "TG-THCS-NGUYENDU", payerCode = "HS240001", category = "hoc_phi", title = "Học phí", dueDate = (string?)null, lines = Array.Empty<object>() },
                new { billId = "HP-2903-HS240002", institutionId = "TG-THCS-NGUYENDU", payerCode = "HS240002", category = "hocphi", title = "Học phí", dueDate = "2029-03-31",
                      lines = new object[] { new { description = "Học phí", quantity = 1, unitPrice = 150_000, insuranceCovered = 200_000 } } },
            },
        };

        using var response = await province.Admin.PostAsJsonAsync(new Uri("/api/v1/admin/bills", UriKind.Relative), request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal([("bills[0]", "no_lines"), ("bills[1].lines[0]", "category_unknown"), ("bills[1].lines[0]", "insurance_invalid")],
            body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("path").GetString(), e.GetProperty("code").GetString())));
        Assert.Equal("Khoản thu cần ít nhất một dòng chi tiết (lines).", body.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal("a bill needs at least one line", body.GetProperty("errors")[0].GetProperty("messageEn").GetString());
        Assert.Null(await province.ScalarAsync("SELECT id FROM bills WHERE id LIKE 'HP-2903-%'"));
    }

    [Fact]
    public async Task A_workbook_row_says_the_sheets_problem_and_the_csv_rules_problems_each_at_its_column()
    {
        // Row 5: a price typed with a letter O (the sheet's reading) and a category misspelt (the CSV's rule); before,
        // the price alone was said and the category only after the accountant had corrected it and sent the file again.
        await using var province = await ProvinceHost.StartAsync();
        var xlsx = Workbook(
            ["Mã khoản thu", "Mã học sinh", "Loại", "Tiêu đề", "Hạn nộp", "Nội dung", "Số lượng", "Đơn giá"],
            ["HP-2904-HS240001", "HS240001", "hocphi", "Học phí tháng 4/2029", "30/04/2029", "Học phí", "1", "15O.000"]);

        using var content = new ByteArrayContent(xlsx);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        using var response = await province.Admin.PostAsync(new Uri("/api/v1/admin/bills/import?institution=TG-THCS-NGUYENDU", UriKind.Relative), content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = body.GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal([(2, "H", "amount_invalid"), (2, "C", "category_unknown")],
            errors.Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("column").GetString(), e.GetProperty("code").GetString())));
        Assert.All(errors, e => Assert.Equal("Học phí", e.GetProperty("sheet").GetString()));
        Assert.Equal("“Đơn giá” ghi “15O.000”, không phải số tiền đồng (như 1.250.000 hoặc 1250000).", errors[0].GetProperty("message").GetString());
        Assert.StartsWith("Loại “hocphi” không hợp lệ", errors[1].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Null(await province.ScalarAsync("SELECT id FROM bills WHERE id = 'HP-2904-HS240001'"));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(ProvinceHost province, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await province.Admin.PostAsync(new Uri("/api/v1/admin/bills/import", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task<long> CountAsync(ProvinceHost province) =>
        Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills"), CultureInfo.InvariantCulture);

    // A sheet "Học phí" of text cells: the header in row 1, each row below it.
    private static byte[] Workbook(params string[][] rows)
    {
        using var memory = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(memory, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var part = workbook.AddNewPart<WorksheetPart>();
            part.Worksheet = new Worksheet(new SheetData(rows.Select((cells, r) => new Row(cells.Select((text, c) => new Cell
            {
                CellReference = $"{(char)('A' + c)}{r + 1}",
                DataType = CellValues.InlineString,
                InlineString = new InlineString(new Text(text)),
            })) { RowIndex = (uint)(r + 1) })));
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = "Học phí" }));
        }

        return memory.ToArray();
    }
}
