using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests.Imports;

/// <summary>
/// A CSV row is read by position, so a row wider than its header (an unquoted <c>50,000</c>) would shift its values
/// into the wrong columns: it is refused with its line, and so is a short row that leaves out more than the optional
/// trailing columns (found by the hostile-input sweep: the shifted row was stored with 50 đồng of insurance).
/// </summary>
public sealed class BillImportRowWidthTests
{
    private const string Header = "bill_id,institution_id,payer_code,category,title,due_date,description,quantity,unit_price,insurance_covered\n";

    [Fact]
    public async Task A_row_with_more_fields_than_the_header_is_refused_with_its_line_and_changes_nothing()
    {
        await using var province = await ProvinceHost.StartAsync();
        var stored = await ImportAsync(province, Header + "B1,TG-THCS-NGUYENDU,HS240001,vien_phi,T,2026-12-31,D,1,100000,0\n");
        Assert.Equal((HttpStatusCode.OK, 1), (stored.Status, stored.Body.GetProperty("created").GetInt32()));

        var shifted = await ImportAsync(province, Header + "B1,TG-THCS-NGUYENDU,HS240001,vien_phi,T,2026-12-31,D,1,100000,50,000\n");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, shifted.Status);
        var error = Assert.Single(shifted.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Equal("row_too_wide", error.GetProperty("code").GetString());
        Assert.StartsWith("Dòng có 11 ô trong khi dòng tiêu đề có 10", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("ngoặc kép", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("11 fields where the header has 10", error.GetProperty("messageEn").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT insurance_covered FROM bill_lines WHERE bill_id = 'B1'")));
        Assert.Equal(100_000L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'B1'")));

        // Quoted, the same amount is one field: the import reads it as a number it refuses, never as 50.
        var quoted = await ImportAsync(province, Header + "B1,TG-THCS-NGUYENDU,HS240001,vien_phi,T,2026-12-31,D,1,100000,\"50,000\"\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, quoted.Status);
        Assert.Equal(("insurance_invalid", "insurance_covered"), (quoted.Body.GetProperty("errors")[0].GetProperty("code").GetString(), quoted.Body.GetProperty("errors")[0].GetProperty("field").GetString()));
        Assert.StartsWith("BHYT “50,000”", quoted.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_row_may_leave_out_only_the_optional_trailing_columns()
    {
        await using var province = await ProvinceHost.StartAsync();
        var csv = Header +
            "B2,TG-THCS-NGUYENDU,HS240001,hoc_phi,T,2026-12-31,D,1,100000\n" + // insurance_covered left out: read as 0
            "B3,TG-THCS-NGUYENDU,HS240001,hoc_phi,T,2026-12-31,D,1\n" + // unit_price left out
            "B4,TG-THCS-NGUYENDU,HS240001,hoc_phi,T,2026-12-31,D,1,100,000,0\n"; // 100,000 unquoted

        var refused = await ImportAsync(province, csv);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var errors = refused.Body.GetProperty("errors").EnumerateArray().Select(e => (Line: e.GetProperty("line").GetInt32(), Code: e.GetProperty("code").GetString(), Message: e.GetProperty("message").GetString()!)).ToList();
        Assert.Equal([(3, "row_too_short"), (4, "row_too_wide")], errors.Select(e => (e.Line, e.Code)));
        Assert.StartsWith("Dòng có 8 ô trong khi dòng tiêu đề có 10", errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("Dòng có 11 ô trong khi dòng tiêu đề có 10", errors[1].Message, StringComparison.Ordinal);
        Assert.Null(await province.ScalarAsync("SELECT id FROM bills WHERE id IN ('B2', 'B3', 'B4')"));

        var good = await ImportAsync(province, Header + "B2,TG-THCS-NGUYENDU,HS240001,hoc_phi,T,2026-12-31,D,1,100000\n");
        Assert.Equal((HttpStatusCode.OK, 1), (good.Status, good.Body.GetProperty("created").GetInt32()));
        Assert.Equal(100_000L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'B2'")));
    }

    [Fact]
    public async Task A_price_split_at_its_thousands_comma_that_fits_the_headers_width_is_refused_naming_the_column_and_stores_nothing()
    {
        // insurance_covered left off the end and the price written 100,000 unquoted: exactly the header's ten fields,
        // so the width check passes, and the row read as a price of 100 with "000" of insurance. 150,050 likewise
        // read as 150 with 50 of insurance. An amount is never written with a leading zero; the tail of a split one is.
        await using var province = await ProvinceHost.StartAsync();
        var before = await StoredAsync(province);
        var csv = Header +
            "B5,TG-THCS-NGUYENDU,HS240001,hoc_phi,T,2026-12-31,D,1,100,000\n" +
            "B6,TG-THCS-NGUYENDU,HS240001,hoc_phi,T,2026-12-31,D,1,150,050\n";

        var refused = await ImportAsync(province, csv);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var errors = refused.Body.GetProperty("errors").EnumerateArray()
            .Select(e => (Line: e.GetProperty("line").GetInt32(), Code: e.GetProperty("code").GetString(), Field: e.GetProperty("field").GetString(), Message: e.GetProperty("message").GetString()!)).ToList();
        Assert.Equal([(2, "split_amount", "insurance_covered"), (3, "split_amount", "insurance_covered")], errors.Select(e => (e.Line, e.Code, e.Field)));
        Assert.StartsWith("Cột “BHYT” ghi “000”, bắt đầu bằng số 0", errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("Cột “BHYT” ghi “050”, bắt đầu bằng số 0", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("dấu phân cách hàng nghìn", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(before, await StoredAsync(province));

        // Zero written as 0 is an amount, and the same price quoted is read whole.
        var good = await ImportAsync(province, Header + "B5,TG-THCS-NGUYENDU,HS240001,hoc_phi,T,2026-12-31,D,1,\"100000\",0\n");
        Assert.Equal((HttpStatusCode.OK, 1), (good.Status, good.Body.GetProperty("created").GetInt32()));
        Assert.Equal(100_000L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'B5'")));
    }

    // Every bill and bill line in the province's database, whoever imported them.
    private static async Task<(long Bills, long Lines)> StoredAsync(ProvinceHost province) =>
        (Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills")), Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bill_lines")));

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(ProvinceHost province, string csv)
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await province.Admin.PostAsync("/api/v1/admin/bills/import", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
