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
        Assert.Equal(("xml_total_differs", "T_BNCCT"), (error.GetProperty("code").GetString(), error.GetProperty("field").GetString()));
        Assert.Equal("XML1 T_BNCCT = 10.741 ₫ nhưng các dòng của XML2 và XML3 cộng lại được 10.740 ₫ (lệch -1 ₫).", error.GetProperty("message").GetString());
        Assert.Equal("XML1 T_BNCCT = 10.741 ₫ but the rows of XML2 and XML3 add up to 10.740 ₫ (-1 ₫ apart)", error.GetProperty("messageEn").GetString());
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
        Assert.Equal(210_740L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'XML-2612010001@TG-TTYT-CHAUTHANH'"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(11_241L, Convert.ToInt64(await province.ScalarAsync("SELECT total FROM bills WHERE id = 'XML-2612010002@TG-TTYT-CHAUTHANH'"), System.Globalization.CultureInfo.InvariantCulture));

        // The hospital counter (drugs of XML2 before the services of XML3, as in the file): the insurance part shown, the patient part collected, both printed.
        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var cashier = await terminal.StaffAsync(KioskPos.Storage.StaffRole.Cashier);
        var payer = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/payers/BN260002");
        var bill = payer.GetProperty("openBills").EnumerateArray().Single(b => b.GetProperty("id").GetString() == "XML-2612010001@TG-TTYT-CHAUTHANH");
        Assert.Equal(210_740, bill.GetProperty("outstanding").GetInt64());
        var lines = bill.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal([12_000L, 30_960L, 0L], lines.Select(l => l.GetProperty("insuranceCovered").GetInt64()));
        Assert.Equal([3_000L, 7_740L, 200_000L], lines.Select(l => l.GetProperty("payerPart").GetInt64()));

        using var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { payerCode = "BN260002", method = "external_card", approvalCode = "XM0001", cardLast4 = "4321", bills = new[] { new { billId = "XML-2612010001@TG-TTYT-CHAUTHANH" } } });
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
        Assert.Equal("bill_paid", refusedPaid.Body.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Contains("đã được nộp 210.740 ₫", refusedPaid.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("HOSO[1] MA_LK=2612010001", refusedPaid.Body.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task What_is_not_the_standard_is_refused_plainly_and_no_entity_is_resolved()
    {
        await using var province = await ProvinceHost.StartAsync();
        var notOurs = await ImportAsync(province, "<HOADON><TONG>1</TONG></HOADON>");
        Assert.Equal("xml_not_giamdinhhs", notOurs.Body.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.StartsWith("Tệp không phải tài liệu GIAMDINHHS", notOurs.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        var entity = await ImportAsync(province, "<?xml version=\"1.0\"?><!DOCTYPE GIAMDINHHS [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><GIAMDINHHS>&x;</GIAMDINHHS>");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, entity.Status);
        Assert.DoesNotContain("root:", entity.Body.ToString(), StringComparison.Ordinal);

        using var content = new StringContent(File("82012", [Base64Episode]), Encoding.UTF8, "application/xml");
        using var noInstitution = await province.Admin.PostAsync("/api/v1/admin/bills/import", content);
        Assert.Equal(HttpStatusCode.BadRequest, noInstitution.StatusCode);
    }

    [Fact]
    public async Task Two_hospitals_with_the_same_MA_LK_get_two_bills_and_neither_is_moved()
    {
        // MA_LK is unique within one facility only: two hospitals' HIS both number their episodes from 2612010001.
        // The id was XML-{MA_LK} and the upsert set the importer's institution: the second file moved the first
        // hospital's open bill to itself, with its own patient and lines.
        await using var province = await ProvinceHost.StartAsync();
        await AddHospitalAsync(province);

        var ours = await ImportAsync(province, File("82012", [Base64Episode]));
        Assert.True(ours.Status == HttpStatusCode.OK, ours.Body.ToString());
        var theirs = await ImportAsync(province, File("82001", [Base64Episode with { MaBn = OtherPatient, SoCccd = null, Rows = [s_rows[0]] }]), OtherHospital);
        Assert.True(theirs.Status == HttpStatusCode.OK, theirs.Body.ToString());
        Assert.Equal(1, theirs.Body.GetProperty("created").GetInt32());

        Assert.Equal($"XML-2612010001@{OtherHospital}|{OtherHospital}|{OtherPatient}|7740|\nXML-2612010001@{Hospital}|{Hospital}|BN260002|210740|\n",
            await province.RowsAsync("SELECT id, institution_id, account_code, total FROM bills WHERE id LIKE 'XML-2612010001%' ORDER BY id"));

        // Each hospital's repeat finds its own bill: nothing new, nothing moved.
        var again = await ImportAsync(province, File("82012", [Base64Episode]));
        Assert.Equal((0, 0, 1), (again.Body.GetProperty("created").GetInt32(), again.Body.GetProperty("updated").GetInt32(), again.Body.GetProperty("unchanged").GetInt32()));
        Assert.Equal(2L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id LIKE 'XML-2612010001%'"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_bill_imported_under_the_old_id_is_updated_by_its_own_hospital_and_never_by_another()
    {
        // Bills imported before ids were scoped are XML-{MA_LK}: the same hospital's re-import updates that bill (no
        // second bill for one episode); another hospital's episode with that MA_LK gets a bill of its own.
        await using var province = await ProvinceHost.StartAsync();
        await AddHospitalAsync(province);
        await province.ExecuteAsync(
            "INSERT INTO bills (id, institution_id, account_code, category, title, total, paid, version) VALUES ('XML-2612010001', $i, 'BN260002', 'vien_phi', 'Viện phí', 999, 0, 1)",
            ("$i", Hospital));

        var ours = await ImportAsync(province, File("82012", [Base64Episode]));
        Assert.True(ours.Status == HttpStatusCode.OK, ours.Body.ToString());
        Assert.Equal((0, 1), (ours.Body.GetProperty("created").GetInt32(), ours.Body.GetProperty("updated").GetInt32()));
        Assert.Equal($"XML-2612010001|{Hospital}|210740|\n", await province.RowsAsync("SELECT id, institution_id, total FROM bills WHERE id LIKE 'XML-2612010001%'"));
        var again = await ImportAsync(province, File("82012", [Base64Episode]));
        Assert.Equal(1, again.Body.GetProperty("unchanged").GetInt32());

        var theirs = await ImportAsync(province, File("82001", [Base64Episode with { MaBn = OtherPatient, SoCccd = null, Rows = [s_rows[0]] }]), OtherHospital);
        Assert.True(theirs.Status == HttpStatusCode.OK, theirs.Body.ToString());
        Assert.Equal(1, theirs.Body.GetProperty("created").GetInt32());
        Assert.Equal($"XML-2612010001|{Hospital}|BN260002|\nXML-2612010001@{OtherHospital}|{OtherHospital}|{OtherPatient}|\n",
            await province.RowsAsync("SELECT id, institution_id, account_code FROM bills WHERE id LIKE 'XML-2612010001%' ORDER BY id"));
    }

    [Fact]
    public async Task A_citizen_id_number_never_moves_to_another_patient_and_the_file_that_would_move_it_is_refused()
    {
        // The number finds its patient at the kiosk without a sign-in. Before, a file whose episode of BN260001 carried
        // another person's number silently replaced BN260001's: that person's card then opened BN260001's bills and
        // balance, and BN260001's own card found nobody (found by an exploratory pass with the fuzz seed).
        await using var province = await ProvinceHost.StartAsync();
        var demoPatient = await province.ScalarAsync("SELECT citizen_id_hash FROM accounts WHERE code = 'BN260001'");
        Assert.NotNull(demoPatient);
        const string other = "082190000123";

        // Another number for a patient who has one.
        var moved = await ImportAsync(province, File("82012", [Base64Episode with { MaBn = "BN260001", SoCccd = other }]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, moved.Status);
        var error = Assert.Single(moved.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal("HOSO[1] MA_LK=2612010001 XML1 SO_CCCD", error.GetProperty("path").GetString());
        Assert.Equal("cccd_changed", error.GetProperty("code").GetString());
        Assert.Contains("đã có ở đây", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Another patient's number.
        var taken = await ImportAsync(province, File("82012", [Base64Episode with { SoCccd = KioskPos.ProvinceServer.Data.DemoData.DemoPatientCitizenId }]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.Status);
        var takenError = Assert.Single(taken.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal("cccd_taken", takenError.GetProperty("code").GetString());
        Assert.Contains("một người bệnh khác", takenError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("BN260001", takenError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("BN260001", takenError.GetProperty("messageEn").GetString(), StringComparison.Ordinal);

        // One number for two patients in one file, and two numbers for one.
        var twice = await ImportAsync(province, File("82012", [Base64Episode with { SoCccd = other }, PlainEpisode with { SoCccd = other }]));
        Assert.Contains(twice.Body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("được ghi cho 2 người bệnh (MA_BN BN260002, BN260003)", StringComparison.Ordinal));
        var two = await ImportAsync(province, File("82012", [Base64Episode with { SoCccd = other }, Base64Episode with { MaLk = "2612010007", SoCccd = "082190000999" }]));
        Assert.Contains(two.Body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "cccd_two"
            && e.GetProperty("message").GetString()!.Contains("được ghi hai số căn cước", StringComparison.Ordinal));

        // Nothing was stored or linked by any of them.
        Assert.Equal(demoPatient, await province.ScalarAsync("SELECT citizen_id_hash FROM accounts WHERE code = 'BN260001'"));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM accounts WHERE code IN ('BN260002', 'BN260003') AND citizen_id_hash IS NOT NULL"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM bills WHERE id LIKE 'XML-%'"), System.Globalization.CultureInfo.InvariantCulture));

        // A patient's own number, the first time and again.
        var own = await ImportAsync(province, File("82012", [Base64Episode with { SoCccd = other }]));
        Assert.True(own.Status == HttpStatusCode.OK, own.Body.ToString());
        var linked = await province.ScalarAsync("SELECT citizen_id_hash FROM accounts WHERE code = 'BN260002'");
        Assert.NotNull(linked);
        var again = await ImportAsync(province, File("82012", [Base64Episode with { SoCccd = other }]));
        Assert.Equal((HttpStatusCode.OK, 1), (again.Status, again.Body.GetProperty("unchanged").GetInt32()));
        Assert.Equal(linked, await province.ScalarAsync("SELECT citizen_id_hash FROM accounts WHERE code = 'BN260002'"));
    }

    [Fact]
    public async Task A_patient_identified_by_passport_old_id_or_e_id_code_does_not_block_the_file_and_only_a_citizen_id_is_hashed()
    {
        // QĐ 130/4750: SO_CCCD (VARCHAR(15)) is the citizen-ID number, else the old 9-digit ID, a passport number, or
        // the e-ID account code. The import refused all but 12 digits, and so the whole file for one foreign patient.
        await using var province = await ProvinceHost.StartAsync();
        const string passport = "C7654321";
        Episode[] episodes =
        [
            Base64Episode,
            PlainEpisode with { SoCccd = passport },
            TextEpisode with { SoCccd = "312345678" },
            Base64Episode with { MaLk = "2612010005", MaBn = "BN260005", SoCccd = "VNEID0123456789" },
        ];

        var imported = await ImportAsync(province, File("82012", episodes));
        Assert.True(imported.Status == HttpStatusCode.OK, imported.Body.ToString());
        Assert.Equal(4, imported.Body.GetProperty("created").GetInt32());

        // The 12-digit number is hashed onto its patient; the others are kept nowhere, neither in clear nor hashed.
        Assert.NotNull(await province.ScalarAsync("SELECT citizen_id_hash FROM accounts WHERE code = 'BN260002'"));
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync("SELECT COUNT(*) FROM accounts WHERE code IN ('BN260003', 'BN260004', 'BN260005') AND citizen_id_hash IS NOT NULL"),
            System.Globalization.CultureInfo.InvariantCulture));
        foreach (var path in Directory.EnumerateFiles(province.Folder, "*", SearchOption.AllDirectories))
        {
            var bytes = await DatabaseFiles.ReadSharedAsync(path);
            foreach (var secret in new[] { passport, "312345678", "VNEID0123456789" })
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{Path.GetFileName(path)} holds '{secret}'");
            }
        }
    }

    [Fact]
    public async Task An_MA_LK_of_the_standards_100_characters_is_imported_and_a_longer_one_is_refused()
    {
        // QĐ 130/4750 gives MA_LK VARCHAR(100); the import refused more than 60 (what fitted its 64-character bill id).
        await using var province = await ProvinceHost.StartAsync();
        var long100 = "BVDKTG-" + new string('7', 93);
        var imported = await ImportAsync(province, File("82012", [TextEpisode with { MaLk = long100 }]));
        Assert.True(imported.Status == HttpStatusCode.OK, imported.Body.ToString());
        var id = (string)(await province.ScalarAsync("SELECT id FROM bills WHERE account_code = 'BN260004' AND id LIKE 'XML-%'"))!;
        Assert.True(id.Length <= 64, id);
        Assert.Contains(long100, (string)(await province.ScalarAsync("SELECT title FROM bills WHERE id = $id", ("$id", id)))!, StringComparison.Ordinal);
        Assert.Equal(1, (await ImportAsync(province, File("82012", [TextEpisode with { MaLk = long100 }]))).Body.GetProperty("unchanged").GetInt32());

        var refused = await ImportAsync(province, File("82012", [TextEpisode with { MaLk = long100 + "8" }]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("xml_ma_lk_too_long", refused.Body.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.StartsWith("MA_LK dài hơn 100 ký tự", refused.Body.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_in_the_old_QD_4210_format_gets_one_error_that_says_so()
    {
        // QĐ 4210 wrote T_TONGCHI and THANH_TIEN where QĐ 130 writes T_TONGCHI_BV and THANH_TIEN_BV: read as 130, every
        // row of every episode was refused for its parts not adding up to a THANH_TIEN_BV of 0.
        await using var province = await ProvinceHost.StartAsync();
        var file = File("82012", [PlainEpisode with { MaLk = "2612010011" }, PlainEpisode with { MaLk = "2612010012" }, PlainEpisode with { MaLk = "2612010013" }])
            .Replace("T_TONGCHI_BV", "T_TONGCHI", StringComparison.Ordinal).Replace("THANH_TIEN_BV", "THANH_TIEN", StringComparison.Ordinal);

        var refused = await ImportAsync(province, file);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        var error = Assert.Single(refused.Body.GetProperty("errors").EnumerateArray());
        Assert.Equal("xml_4210", error.GetProperty("code").GetString());
        Assert.StartsWith("Tệp theo định dạng cũ QĐ 4210", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("this is the old QĐ 4210 format", error.GetProperty("messageEn").GetString(), StringComparison.Ordinal);
    }

    private const string OtherHospital = "TG-BVDK-TIENGIANG";
    private const string OtherPatient = "BN990001";

    private static async Task AddHospitalAsync(ProvinceHost province)
    {
        using (var created = await province.Admin.PutAsJsonAsync($"/api/v1/admin/institutions/{OtherHospital}",
            new { name = "Bệnh viện Đa khoa Tiền Giang", type = "provincial_hospital", district = "Thành phố Mỹ Tho", commune = "Phường Mỹ Tho" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await province.ExecuteAsync("INSERT INTO accounts (code, institution_id, kind, full_name, balance, version) VALUES ($c, $i, 'patient', 'Người bệnh', 0, 0)",
            ("$c", OtherPatient), ("$i", OtherHospital));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(ProvinceHost province, string xml, string institution = Hospital)
    {
        using var content = new StringContent(xml, Encoding.UTF8, "application/xml");
        using var response = await province.Admin.PostAsync($"/api/v1/admin/bills/import?institution={institution}", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
