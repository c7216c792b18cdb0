using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests;

/// <summary>Bills imported as CSV: Vietnamese headers, line-numbered errors, idempotent, paid bills never changed, pulled by terminals.</summary>
public abstract class BillImportTests(ProvinceEngine engine)
{
    private const string Header = "Mã khoản thu,Mã đơn vị,Mã người nộp,Loại,Tiêu đề,Hạn nộp,Nội dung,Số lượng,Đơn giá,BHYT\n";

    [Fact]
    public async Task A_csv_of_bills_is_checked_line_by_line_stored_once_and_reaches_the_terminal()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        await using var terminal = await TerminalHost.StartAsync(province);
        var csv = Header +
            "HP-2612-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 12/2026,2026-12-31,Học phí tháng 12/2026,1,150000,\n" +
            "BT-2612-HS240001,TG-THCS-NGUYENDU,HS240001,ban_tru,Bán trú tháng 12/2026,2026-12-31,\"Tiền ăn, 21 ngày\",21,25000,\n" +
            "BT-2612-HS240001,TG-THCS-NGUYENDU,HS240001,ban_tru,Bán trú tháng 12/2026,2026-12-31,Phí phục vụ,1,100000,\n" +
            "VP-BN260002-2,TG-TTYT-CHAUTHANH,BN260002,vien_phi,Viện phí đợt 2,2026-12-05,Khám bệnh,1,38700,30960\n";

        var first = await ImportAsync(province, csv);
        Assert.Equal((HttpStatusCode.OK, 3, 0, 0), (first.Status, first.Body.GetProperty("created").GetInt32(), first.Body.GetProperty("updated").GetInt32(), first.Body.GetProperty("unchanged").GetInt32()));
        var again = await ImportAsync(province, csv);
        Assert.Equal((HttpStatusCode.OK, 0, 3), (again.Status, again.Body.GetProperty("created").GetInt32(), again.Body.GetProperty("unchanged").GetInt32()));

        // The terminal pulls them: the boarding bill with its two lines, 625.000 ₫.
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        var payer = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240001");
        var boarding = payer.GetProperty("openBills").EnumerateArray().Single(b => b.GetProperty("id").GetString() == "BT-2612-HS240001");
        Assert.Equal(625_000, boarding.GetProperty("outstanding").GetInt64());
        Assert.Equal("Tiền ăn, 21 ngày", boarding.GetProperty("lines")[0].GetProperty("description").GetString());

        // Errors name their line, and nothing of the file is stored.
        var bad = Header +
            "HP-2701-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 1/2027,2027-01-31,Học phí,1,150000,\n" +
            "HP-2701-HS240002,TG-THCS-NGUYENDU,HS240002,hocphi,Học phí tháng 1/2027,2027-01-31,Học phí,1,150000,\n" +
            "HP-2701-HS240003,TG-THCS-NGUYENDU,HS240003,hoc_phi,Học phí tháng 1/2027,31/01/2027,Học phí,1,150000,\n" +
            "HP-2701-HS240004,TG-THCS-NGUYENDU,HS240004,hoc_phi,Học phí tháng 1/2027,2027-01-31,Học phí,1,150.000,\n" +
            "HP-2701-XX999999,TG-THCS-NGUYENDU,XX999999,hoc_phi,Học phí tháng 1/2027,2027-01-31,Học phí,1,150000,\n";
        var refused = await ImportAsync(province, bad);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var errors = refused.Body.GetProperty("errors").EnumerateArray().Select(e => (Line: e.GetProperty("line").GetInt32(), Code: e.GetProperty("code").GetString(), Message: e.GetProperty("message").GetString()!)).ToList();
        Assert.Equal([(3, "category_unknown"), (4, "due_date_invalid"), (5, "price_invalid"), (6, "unknown_payer")], errors.Select(e => (e.Line, e.Code)));
        Assert.StartsWith("Loại “hocphi” không hợp lệ", errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("Hạn nộp “31/01/2027”", errors[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("Đơn giá “150.000”", errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("không có người nộp XX999999", errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("no payer XX999999", refused.Body.GetProperty("errors")[3].GetProperty("messageEn").GetString(), StringComparison.Ordinal);
        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        Assert.DoesNotContain((await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/payers/HS240001")).GetProperty("openBills").EnumerateArray(),
            b => b.GetProperty("id").GetString() == "HP-2701-HS240001");

        // A bill with money on it is not changed by an import.
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2612-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        var changed = await ImportAsync(province, Header + "HP-2612-HS240001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 12/2026,2026-12-31,Học phí tháng 12/2026,1,120000,\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, changed.Status);
        Assert.Equal("bill_paid", changed.Body.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Contains("đã được nộp 150.000 ₫", changed.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        // A header it does not know is named.
        var unknown = await ImportAsync(province, "bill,institution\nx,y\n");
        Assert.Contains(unknown.Body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "unknown_column"
            && e.GetProperty("message").GetString()!.StartsWith("Cột “bill” không có trong mẫu nhập", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_bills_follow_the_csv_rules_errors_name_their_place_and_a_repeat_changes_nothing()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        var good = new
        {
            bills = new object[]
            {
                new { billId = "HP-2612-HS240002", institutionId = "TG-THCS-NGUYENDU", payerCode = "HS240002", category = "hoc_phi", title = "Học phí tháng 12/2026", dueDate = "2026-12-31",
                      lines = new object[] { new { description = "Học phí", quantity = 1, unitPrice = 150_000 } } },
                new { billId = "VP-BN260002-3", institutionId = "TG-TTYT-CHAUTHANH", payerCode = "BN260002", category = "vien_phi", title = "Viện phí đợt 3", dueDate = (string?)null,
                      lines = new object[] { new { description = "Xét nghiệm máu", quantity = 2, unitPrice = 60_000, insuranceCovered = 96_000 }, new { description = "Thuốc", quantity = 1, unitPrice = 45_000 } } },
            },
        };
        using (var first = await province.Admin.PostAsJsonAsync("/api/v1/admin/bills", good))
        {
            var body = await first.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((HttpStatusCode.OK, 2), (first.StatusCode, body.GetProperty("created").GetInt32()));
        }

        using (var again = await province.Admin.PostAsJsonAsync("/api/v1/admin/bills", good))
        {
            Assert.Equal(2, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unchanged").GetInt32());
        }

        // 2 × 60.000 − 96.000 BHYT + 45.000: what the patient owes, read straight from the database.
        Assert.Equal(69_000L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'VP-BN260002-3'")));

        var bad = new
        {
            bills = new object[]
            {
                new { billId = "HP-2701-HS240002", institutionId = "TG-THCS-NGUYENDU", payerCode = "HS240002", category = "hoc_phi", title = "Học phí tháng 1/2027", dueDate = "31/01/2027",
                      lines = new object[] { new { description = "Học phí", quantity = 1, unitPrice = 150_000 } } },
                new { billId = "HP-2701-HS240003", institutionId = "TG-THCS-NGUYENDU", payerCode = "HS240003", category = "hoc_phi", title = "Học phí tháng 1/2027", dueDate = "2027-01-31",
                      lines = new object[] { new { description = "Học phí", quantity = 1, unitPrice = 150_000 }, new { description = "", quantity = 0, unitPrice = 1 } } },
            },
        };
        using (var refused = await province.Admin.PostAsJsonAsync("/api/v1/admin/bills", bad))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
            // The second bill's second line has two problems, both said.
            Assert.Equal([("bills[0].lines[0]", "due_date_invalid"), ("bills[1].lines[1]", "text_length"), ("bills[1].lines[1]", "quantity_invalid")],
                errors.Select(e => (e.GetProperty("path").GetString(), e.GetProperty("code").GetString())));
            Assert.Contains("31/01/2027", errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Null(await province.ScalarAsync("SELECT id FROM bills WHERE id = 'HP-2701-HS240003'"));
        using (var malformed = await province.Admin.PostAsync("/api/v1/admin/bills", new StringContent("{\"bills\": [", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        using var anyone = new HttpClient { BaseAddress = province.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anyone.PostAsJsonAsync("/api/v1/admin/bills", good)).StatusCode);
    }

    [Fact]
    public async Task A_bill_id_another_institution_holds_is_refused_naming_the_line_and_the_bill_is_not_moved()
    {
        // Bill ids are the institutions' own and unique only within each: the upsert moved the school's open bill to
        // the hospital whose file reused the id, with the hospital's patient and lines.
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        var school = await ImportAsync(province, Header + "HP-2612-0001,TG-THCS-NGUYENDU,HS240001,hoc_phi,Học phí tháng 12/2026,2026-12-31,Học phí,1,150000,\n");
        Assert.Equal(HttpStatusCode.OK, school.Status);

        var csv = await ImportAsync(province, Header +
            "VP-2612-0009,TG-TTYT-CHAUTHANH,BN260002,vien_phi,Viện phí,2026-12-05,Khám bệnh,1,38700,30960\n" +
            "HP-2612-0001,TG-TTYT-CHAUTHANH,BN260002,vien_phi,Viện phí,2026-12-05,Khám bệnh,1,38700,30960\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, csv.Status);
        var error = Assert.Single(csv.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        Assert.Equal("bill_of_institution", error.GetProperty("code").GetString());
        Assert.StartsWith("Khoản thu HP-2612-0001 là khoản thu của đơn vị TG-THCS-NGUYENDU: lần nhập cho đơn vị TG-TTYT-CHAUTHANH không được sửa", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var json = new
        {
            bills = new object[]
            {
                new { billId = "HP-2612-0001", institutionId = "TG-TTYT-CHAUTHANH", payerCode = "BN260002", category = "vien_phi", title = "Viện phí", dueDate = (string?)null,
                      lines = new object[] { new { description = "Khám bệnh", quantity = 1, unitPrice = 38_700 } } },
            },
        };
        using (var refused = await province.Admin.PostAsJsonAsync("/api/v1/admin/bills", json))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var jsonError = Assert.Single((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
            Assert.Equal("bills[0].lines[0]", jsonError.GetProperty("path").GetString());
        }

        Assert.Equal("TG-THCS-NGUYENDU|HS240001|150000|\n", await province.RowsAsync("SELECT institution_id, account_code, total FROM bills WHERE id = 'HP-2612-0001'"));
        Assert.Null(await province.ScalarAsync("SELECT id FROM bills WHERE id = 'VP-2612-0009'"));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(ProvinceHost province, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await province.Admin.PostAsync("/api/v1/admin/bills/import", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}

/// <summary>BillImport on the embedded SQLite file.</summary>
public sealed class BillImportSqliteTests() : BillImportTests(ProvinceEngine.Sqlite);

/// <summary>BillImport on PostgreSQL.</summary>
[Trait("Category", "Postgres")]
public sealed class BillImportPostgresTests() : BillImportTests(ProvinceEngine.Postgres);
