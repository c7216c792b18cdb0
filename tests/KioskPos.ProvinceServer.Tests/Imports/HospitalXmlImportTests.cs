using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static KioskPos.ProvinceServer.Tests.Imports.MohXmlFixture;

namespace KioskPos.ProvinceServer.Tests.Imports;

/// <summary>
/// Bills from the Ministry of Health's XML (QĐ 130/4750; the fixture's shape and its sources: <see cref="MohXmlFixture"/>):
/// several episodes a file (base64, plain elements, escaped text), checked to the đồng against XML1, refused naming
/// the episode and row, idempotent, never changing a paid bill; then the hospital terminal shows the insurance part and
/// collects exactly the patient's, and prints both.
/// </summary>
public sealed class HospitalXmlImportTests
{
    private const string Hospital = "TG-TTYT-CHAUTHANH";

    // 80 % coverage: the examination 38.700 (insurance 30.960, co-payment 7.740), ten tablets at 1.500 (12.000 / 3.000),
    // an ultrasound outside coverage (the patient pays it in full, T_BNTT).
    private static readonly Row[] s_rows =
    [
        new(false, "02.1896", "Khám Nội", 1, 38_700, 30_960, 7_740, 0),
        new(true, "40.17", "Paracetamol 500mg", 10, 1_500, 12_000, 3_000, 0),
        new(false, "18.0001.0001", "Siêu âm ổ bụng (theo yêu cầu)", 1, 200_000, 0, 0, 200_000),
    ];

    private static Episode Base64Episode => new("2612010001", "BN260002", "Trần Văn Hai", "082190000123", "199001150000", s_rows);

    private static Episode PlainEpisode => new("2612010002", "BN260003", "Lê Thị Ba", null, "198503020000",
        [new(false, "02.1896", "Khám Nội", 1, 38_700, 30_960, 7_740, 0), new(true, "40.30", "Amoxicillin 500mg", 14, 1_250.5m, 14_005.6m, 3_501.4m, 0)], Packing.PlainElements);

    private static Episode TextEpisode => new("2612010003", "BN260004", "Phạm Văn Tư", null, "197011110000",
        [new(false, "02.1896", "Khám Nội", 1, 38_700, 30_960, 7_740, 0)], Packing.PlainText);

    [Fact]
    public async Task Episodes_become_bills_checked_to_the_dong_idempotent_and_the_terminal_collects_the_patient_part()
    {
        await using var province = await ProvinceHost.StartAsync();

        // One đồng off in XML1's co-payment: the whole file is refused, naming the episode and the total.
        var offByOne = new Episode("2612010004", "BN260005", "Võ Thị Năm", null, "200001010000", s_rows,
            TotalsOverride: new Dictionary<string, decimal> { ["T_BNCCT"] = 10_741 });
        var refused = await ImportAsync(province, File("82012", [Base64Episode, PlainEpisode, TextEpisode, offByOne]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var error = Assert.Single(refused.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal("HOSO[4] MA_LK=2612010004 XML1 T_BNCCT", error.GetProperty("path").GetString());
        Assert.Contains("XML1 T_BNCCT = 10741 but the rows of XML2 and XML3 add up to 10740 (-1 đồng apart)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id LIKE 'XML-%'"), System.Globalization.CultureInfo.InvariantCulture));

        // A row whose parts do not make its amount: named by table and STT.
        var badRow = Base64Episode with { MaLk = "2612010009", Rows = [s_rows[0], s_rows[1] with { Bncct = 2_999 }] , TotalsOverride = null };
        var rowRefused = await ImportAsync(province, File("82012", [badRow]));
        Assert.Contains(rowRefused.Body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == "HOSO[1] MA_LK=2612010009 XML2 STT 1");

        // The three good episodes: base64, plain elements, escaped text.
        var file = File("82012", [Base64Episode, PlainEpisode, TextEpisode]);
        var first = await ImportAsync(province, file);
        Assert.True(first.Status == HttpStatusCode.OK, first.Body.ToString());
        Assert.Equal(3, first.Body.GetProperty("created").GetInt32());
        var again = await ImportAsync(province, file);
        Assert.Equal((0, 0, 3), (again.Body.GetProperty("created").GetInt32(), again.Body.GetProperty("updated").GetInt32(), again.Body.GetProperty("unchanged").GetInt32()));

        // What is owed is T_BNCCT + T_BNTT: 7.740 + 3.000 + 200.000; the fractions of the plain episode round to XML1's total.
        Assert.Equal(210_740L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'XML-2612010001'"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(11_241L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'XML-2612010002'"), System.Globalization.CultureInfo.InvariantCulture));

        // The hospital counter (drugs of XML2 before the services of XML3, as in the file): the insurance part shown, the patient part collected, both printed.
        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var cashier = await terminal.StaffAsync(KioskPos.Storage.StaffRole.Cashier);
        var payer = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/payers/BN260002");
        var bill = payer.GetProperty("openBills").EnumerateArray().Single(b => b.GetProperty("id").GetString() == "XML-2612010001");
        Assert.Equal(210_740, bill.GetProperty("outstanding").GetInt64());
        var lines = bill.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal([12_000L, 30_960L, 0L], lines.Select(l => l.GetProperty("insuranceCovered").GetInt64()));
        Assert.Equal([3_000L, 7_740L, 200_000L], lines.Select(l => l.GetProperty("payerPart").GetInt64()));

        using var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { payerCode = "BN260002", method = "external_card", approvalCode = "XM0001", cardLast4 = "4321", bills = new[] { new { billId = "XML-2612010001" } } });
        var payment = await paid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(paid.StatusCode == HttpStatusCode.Created, payment.ToString());
        Assert.Equal(210_740, payment.GetProperty("amount").GetInt64());
        var id = payment.GetProperty("id").GetString()!;
        await Wait.UntilAsync(() => Task.FromResult(System.IO.File.Exists(Path.Combine(terminal.ReceiptsFolder, id + ".txt"))), TimeSpan.FromSeconds(20), "the receipt");
        var receipt = await System.IO.File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + ".txt"));
        Assert.Contains("210.740 ₫", receipt, StringComparison.Ordinal);
        Assert.Matches(@"BHYT chi trả \(không thu\):\s+42\.960 ₫", receipt);

        // Paid: the same episode with another amount is refused, and the rest of the file with it.
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        var changed = Base64Episode with { Rows = [s_rows[0], s_rows[1] with { Quantity = 20, Bhtt = 24_000, Bncct = 6_000 }, s_rows[2]] };
        var refusedPaid = await ImportAsync(province, File("82012", [changed, PlainEpisode]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refusedPaid.Status);
        Assert.Contains("210740 đồng paid on it", refusedPaid.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("HOSO[1] MA_LK=2612010001", refusedPaid.Body.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task What_is_not_the_standard_is_refused_plainly_and_no_entity_is_resolved()
    {
        await using var province = await ProvinceHost.StartAsync();
        var notOurs = await ImportAsync(province, "<HOADON><TONG>1</TONG></HOADON>");
        Assert.Contains("not a GIAMDINHHS document", notOurs.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        var entity = await ImportAsync(province, "<?xml version=\"1.0\"?><!DOCTYPE GIAMDINHHS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><GIAMDINHHS>&x;</GIAMDINHHS>");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, entity.Status);
        Assert.DoesNotContain("root:", entity.Body.ToString(), StringComparison.Ordinal);

        using var content = new StringContent(File("82012", [Base64Episode]), Encoding.UTF8, "application/xml");
        using var noInstitution = await province.Admin.PostAsync("/api/v1/admin/bills/import", content);
        Assert.Equal(HttpStatusCode.BadRequest, noInstitution.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(ProvinceHost province, string xml)
    {
        using var content = new StringContent(xml, Encoding.UTF8, "application/xml");
        using var response = await province.Admin.PostAsync($"/api/v1/admin/bills/import?institution={Hospital}", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
