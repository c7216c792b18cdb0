using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using static KioskPos.ProvinceServer.Tests.Imports.MohXmlFixture;

namespace KioskPos.ProvinceServer.Tests.Imports;

/// <summary>
/// A hospital's facility code (MA_CSKCB, migration 0036): the XML import took any facility's file for any hospital, so
/// one hospital's accountant could load another facility's episodes as their own hospital's bills. With a code set, a
/// file naming another facility (in its envelope or an episode's XML1) or none is refused whole, naming the code found
/// and the one expected; a hospital with no code yet imports and is told the file was not checked. The code is set by
/// the province administrator (in the institution's details or on its own), checked, unique and shown.
/// </summary>
public abstract class FacilityCodeTests(ProvinceEngine engine)
{
    private const string Hospital = DemoData.HospitalId;
    private const string OtherHospital = "TG-BVDK-TIENGIANG";

    private static Episode Visit(string maLk) =>
        new(maLk, "BN260002", "Trần Văn Hai", null, "199001150000",
            [new(false, "02.1896", "Khám Nội", 1, 38_700, 30_960, 7_740, 0), new(true, "40.17", "Paracetamol 500mg", 10, 1_500, 12_000, 3_000, 0)], Packing.PlainElements);

    [Fact]
    public async Task Another_facilitys_file_is_refused_naming_the_code_found_and_the_one_expected_and_nothing_is_imported()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        Assert.Equal(DemoData.HospitalFacilityCode, await FacilityCodeAsync(province, Hospital)); // the demo's, as its XML files write it

        // The envelope names another facility: refused whole, nothing stored.
        var theirs = await ImportAsync(province, File("82001", [Visit("2612020001"), Visit("2612020002")]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, theirs.Status);
        var error = Assert.Single(theirs.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal("THONGTINDONVI/MACSKCB", error.GetProperty("path").GetString());
        Assert.Equal("facility_other", error.GetProperty("code").GetString());
        Assert.Equal($"Tệp là của cơ sở 82001 (THONGTINDONVI/MACSKCB), nhưng mã cơ sở của đơn vị {Hospital} là 82012: chưa nhập gì.", error.GetProperty("message").GetString());
        Assert.Contains($"institution {Hospital}'s facility code is 82012", error.GetProperty("messageEn").GetString(), StringComparison.Ordinal);
        var facility = theirs.Body.GetProperty("facility");
        Assert.Equal(("82001", "82012", true), (facility.GetProperty("file").GetString(), facility.GetProperty("expected").GetString(), facility.GetProperty("checked").GetBoolean()));
        Assert.Equal(0L, await BillsAsync(province, "XML-26120200%"));

        // The envelope is ours, but one episode's XML1 is another facility's: that episode named, the file refused.
        var mixed = File("82012", [Visit("2612020003"), Visit("2612020004")]);
        var second = mixed.IndexOf("<MA_CSKCB>82012</MA_CSKCB>", mixed.IndexOf("2612020004", StringComparison.Ordinal), StringComparison.Ordinal);
        mixed = mixed[..second] + "<MA_CSKCB>82001</MA_CSKCB>" + mixed[(second + "<MA_CSKCB>82012</MA_CSKCB>".Length)..];
        var mixedAnswer = await ImportAsync(province, mixed);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mixedAnswer.Status);
        var episodeError = Assert.Single(mixedAnswer.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal("HOSO[2] MA_LK=2612020004 XML1 MA_CSKCB", episodeError.GetProperty("path").GetString());
        Assert.Equal("facility_episode_other", episodeError.GetProperty("code").GetString());
        Assert.StartsWith("XML1 MA_CSKCB là 82001, nhưng mã cơ sở của đơn vị", episodeError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await BillsAsync(province, "XML-26120200%"));

        // A file that names no facility at all cannot be shown to be ours.
        var unnamed = await ImportAsync(province, File("82012", [Visit("2612020005")]).Replace("<THONGTINDONVI><MACSKCB>82012</MACSKCB></THONGTINDONVI>", string.Empty, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unnamed.Status);
        Assert.Equal("facility_none", unnamed.Body.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.StartsWith("Tệp không ghi cơ sở khám chữa bệnh nào", unnamed.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(unnamed.Body.GetProperty("facility").TryGetProperty("file", out _));

        // Our own file: imported, the answer saying it was checked.
        var ours = await ImportAsync(province, File("82012", [Visit("2612020001"), Visit("2612020002")]));
        Assert.True(ours.Status == HttpStatusCode.OK, ours.Body.ToString());
        Assert.Equal(2, ours.Body.GetProperty("created").GetInt32());
        Assert.Equal(("82012", "82012", true), (ours.Body.GetProperty("facility").GetProperty("file").GetString(), ours.Body.GetProperty("facility").GetProperty("expected").GetString(),
            ours.Body.GetProperty("facility").GetProperty("checked").GetBoolean()));
        Assert.Equal(2L, await BillsAsync(province, "XML-26120200%"));
    }

    [Fact]
    public async Task A_hospital_without_a_facility_code_imports_unchecked_and_is_told_so_until_the_administrator_sets_one()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        using (var created = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{OtherHospital}",
            new { name = "Bệnh viện Đa khoa Tiền Giang", type = "provincial_hospital", district = "Thành phố Mỹ Tho", commune = "Phường Mỹ Tho" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await province.ExecuteAsync("INSERT INTO accounts (code, institution_id, kind, full_name, balance, version) VALUES ('BN990001', $i, 'patient', 'Người bệnh', 0, 0)", ("$i", OtherHospital));
        Assert.Null(await FacilityCodeAsync(province, OtherHospital));

        // No code: imported, and the answer says the facility was not checked (no code is made up for it).
        var unverified = await ImportAsync(province, File("82001", [Visit("2612030001") with { MaBn = "BN990001" }]), OtherHospital);
        Assert.True(unverified.Status == HttpStatusCode.OK, unverified.Body.ToString());
        Assert.Equal(1, unverified.Body.GetProperty("created").GetInt32());
        var facility = unverified.Body.GetProperty("facility");
        Assert.False(facility.GetProperty("checked").GetBoolean());
        Assert.Equal("82001", facility.GetProperty("file").GetString());
        Assert.False(facility.TryGetProperty("expected", out _));
        Assert.Contains("was not checked", facility.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await FacilityCodeAsync(province, OtherHospital));

        // The administrator sets it (with the institution's details); then another facility's file is refused.
        using (var set = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{OtherHospital}",
            new { name = "Bệnh viện Đa khoa Tiền Giang", type = "provincial_hospital", district = "Thành phố Mỹ Tho", commune = "Phường Mỹ Tho", facilityCode = "82001" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        var refused = await ImportAsync(province, File("82099", [Visit("2612030002") with { MaBn = "BN990001" }]), OtherHospital);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Contains("Tệp là của cơ sở 82099", refused.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await BillsAsync(province, "XML-2612030002%"));
        var again = await ImportAsync(province, File("82001", [Visit("2612030002") with { MaBn = "BN990001" }]), OtherHospital);
        Assert.True(again.Status == HttpStatusCode.OK, again.Body.ToString());
        Assert.True(again.Body.GetProperty("facility").GetProperty("checked").GetBoolean());
    }

    [Fact]
    public async Task The_administrator_sets_shows_and_clears_the_code_and_a_wrong_or_taken_one_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);
        const string Details = $"/api/v1/admin/institutions/{Hospital}";
        object Body(string? facilityCode) => new { name = "Trung tâm Y tế khu vực Châu Thành", type = "district_health_centre", district = "Huyện Châu Thành", commune = "Xã Châu Thành", facilityCode };

        // Shown in the institution's details.
        var listed = (await province.Admin.GetFromJsonAsync<JsonElement[]>("/api/v1/admin/institutions"))!;
        Assert.Equal("82012", listed.Single(i => i.GetProperty("id").GetString() == Hospital).GetProperty("facilityCode").GetString());
        Assert.False(listed.Single(i => i.GetProperty("id").GetString() == DemoData.SchoolId).TryGetProperty("facilityCode", out _));

        // Not 5 digits: 400 naming the field, nothing changed; by the details and on its own.
        foreach (var wrong in new[] { "8201", "820123", "8201A", "82 12", "８２０１２" })
        {
            using var details = await province.Admin.PutAsJsonAsync(Details, Body(wrong));
            var problem = await details.ProblemAsync(HttpStatusCode.BadRequest, $"details with '{wrong}'");
            Assert.Equal("invalid_institution", problem.Code);
            Assert.StartsWith("facilityCode is 5 digits", problem.Detail, StringComparison.Ordinal);
            using var alone = await province.Admin.PutAsJsonAsync($"{Details}/facility-code", new { facilityCode = wrong });
            Assert.StartsWith("facilityCode is 5 digits", (await alone.ProblemAsync(HttpStatusCode.BadRequest, $"alone with '{wrong}'")).Detail, StringComparison.Ordinal);
        }

        Assert.Equal("82012", await FacilityCodeAsync(province, Hospital));

        // Details sent without the code (as programs written before it do) keep it; empty clears it.
        using (var kept = await province.Admin.PutAsJsonAsync(Details, Body(null)))
        {
            Assert.Equal(HttpStatusCode.NoContent, kept.StatusCode);
        }

        Assert.Equal("82012", await FacilityCodeAsync(province, Hospital));
        using (var cleared = await province.Admin.PutAsJsonAsync(Details, Body(string.Empty)))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        Assert.Null(await FacilityCodeAsync(province, Hospital));

        // On its own (the overview's form): set, and a code another institution holds is a 409 naming it.
        using (var set = await province.Admin.PutAsJsonAsync($"{Details}/facility-code", new { facilityCode = " 82012 " }))
        {
            Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        }

        Assert.Equal("82012", await FacilityCodeAsync(province, Hospital));
        using (var taken = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{DemoData.SchoolId}/facility-code", new { facilityCode = "82012" }))
        {
            var problem = await taken.ProblemAsync(HttpStatusCode.Conflict, "a code the hospital holds");
            Assert.Equal("facility_code_taken", problem.Code);
            Assert.Contains(Hospital, problem.Title, StringComparison.Ordinal);
        }

        using (var takenByDetails = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{DemoData.SchoolId}",
            new { name = "Trường THCS Nguyễn Du (đổi tên)", type = "lower_secondary", district = "Thành phố Mỹ Tho", commune = "Phường Mỹ Tho", facilityCode = "82012" }))
        {
            Assert.Equal("facility_code_taken", (await takenByDetails.ProblemAsync(HttpStatusCode.Conflict, "details with a taken code")).Code);
        }

        Assert.Equal("Trường THCS Nguyễn Du", await province.ScalarAsync("SELECT name FROM institutions WHERE id = $i", ("$i", DemoData.SchoolId))); // nothing of it saved
        Assert.Null(await FacilityCodeAsync(province, DemoData.SchoolId));

        using (var unknown = await province.Admin.PutAsJsonAsync("/api/v1/admin/institutions/TG-KHONG-CO/facility-code", new { facilityCode = "82077" }))
        {
            Assert.Equal("institution_not_found", (await unknown.ProblemAsync(HttpStatusCode.NotFound, "an unknown institution")).Code);
        }

        using (var clearedAlone = await province.Admin.PutAsJsonAsync($"{Details}/facility-code", new { facilityCode = (string?)null }))
        {
            Assert.Equal(HttpStatusCode.NoContent, clearedAlone.StatusCode);
        }

        Assert.Null(await FacilityCodeAsync(province, Hospital));
    }

    private static async Task<string?> FacilityCodeAsync(ProvinceHost province, string institution) =>
        await province.ScalarAsync("SELECT facility_code FROM institutions WHERE id = $i", ("$i", institution)) as string;

    private static async Task<long> BillsAsync(ProvinceHost province, string like) =>
        Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id LIKE $l", ("$l", like)), CultureInfo.InvariantCulture);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(ProvinceHost province, string xml, string institution = Hospital)
    {
        using var content = new StringContent(xml, Encoding.UTF8, "application/xml");
        using var response = await province.Admin.PostAsync($"/api/v1/admin/bills/import?institution={institution}", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}

/// <summary>The overview page's form: the administrator sets a hospital's code, the server's refusal is shown as it words it.</summary>
public sealed class FacilityCodePageTests
{
    [Fact]
    [Trait("Category", "Browser")]
    public async Task In_a_browser_the_administrator_sets_a_hospitals_facility_code_and_a_wrong_one_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(province.BaseUrl.ToString());
        await Browser.WaitForAddressAsync(page, Browser.SignIn);
        await page.FillAsync("input[name=username]", "tinh.admin");
        await page.FillAsync("input[name=password]", "QuanTri@2026");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#institutions tbody tr");

        // The institutions' table shows the code (the demo health centre's), the form the chosen institution's.
        var hospital = page.Locator("#institutions tbody tr", new() { HasText = DemoData.HospitalId });
        Assert.Equal("82012", await hospital.Locator("td:nth-child(7)").InnerTextAsync());
        await page.SelectOptionAsync("#facility select[name=institution]", DemoData.HospitalId);
        Assert.Equal("82012", await page.InputValueAsync("#facility input[name=facilityCode]"));

        await page.FillAsync("#facility input[name=facilityCode]", "8201");
        await page.ClickAsync("#facility button[type=submit]");
        await page.WaitForSelectorAsync("#facility output.warn");
        var refusal = await page.InnerTextAsync("#facility output");
        Assert.Contains("Thông tin đơn vị không hợp lệ.", refusal, StringComparison.Ordinal);
        Assert.Contains("facilityCode is 5 digits", refusal, StringComparison.Ordinal);
        Assert.Equal("82012", await province.ScalarAsync("SELECT facility_code FROM institutions WHERE id = $i", ("$i", DemoData.HospitalId)));

        await page.FillAsync("#facility input[name=facilityCode]", "82013");
        await page.ClickAsync("#facility button[type=submit]");
        await page.WaitForSelectorAsync("#facility output.ok");
        Assert.Contains("82013", await page.InnerTextAsync("#facility output"), StringComparison.Ordinal);
        await page.WaitForFunctionAsync($"[...document.querySelectorAll('#institutions tbody tr')].some((tr) => tr.textContent.includes('{DemoData.HospitalId}') && tr.cells[6].textContent === '82013')");
        Assert.Equal("82013", await province.ScalarAsync("SELECT facility_code FROM institutions WHERE id = $i", ("$i", DemoData.HospitalId)));
        await Browser.ShotAsync(page, "province-overview-facility-code", fullPage: true);
    }
}

/// <summary>On SQLite.</summary>
public sealed class FacilityCodeSqliteTests() : FacilityCodeTests(ProvinceEngine.Sqlite);

/// <summary>On the PostgreSQL the tests start.</summary>
[Trait("Category", "Postgres")]
public sealed class FacilityCodePostgresTests() : FacilityCodeTests(ProvinceEngine.Postgres);
