using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.Tests.EInvoices;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>
/// The reconciliation as an officer reads it (issue 21): institutions by name, not only by code, and a worklist
/// item's flags in the catalogue's Vietnamese words, the stored flags kept for programs.
/// </summary>
public abstract class ReconciliationWordsTests(ProvinceEngine engine)
{
    [Fact]
    public async Task A_payment_flagged_with_an_unknown_bill_and_a_transfer_without_a_code_read_in_words_under_their_institutions_names()
    {
        await using var f = await EInvoiceFixture.StartAsync(engine);
        var id = await f.PayAsync("HP-KHONG-CO-THAT", 150_000);
        using (var transfer = await f.Province.NotifyAsync(2_500_000, "NOP TIEN KHONG RO MA")) // received now
        {
            Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);
        }

        var to = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7)).AddDays(1);
        var view = await f.Province.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/reconciliation?from=2026-11-01&to={to:yyyy-MM-dd}");
        var worklist = view.GetProperty("worklist").EnumerateArray().ToList();

        var payment = Assert.Single(worklist, i => i.GetProperty("item").GetString() == $"payment:{id}");
        Assert.Equal(("unknown_bill", "Trường THCS Nguyễn Du"), (payment.GetProperty("kind").GetString(), payment.GetProperty("institutionName").GetString()));
        Assert.EndsWith(": khoản thu không rõ HP-KHONG-CO-THAT", payment.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["unknown_bill:HP-KHONG-CO-THAT"], payment.GetProperty("flags").EnumerateArray().Select(x => x.GetString()));

        var unmatched = Assert.Single(worklist, i => i.GetProperty("kind").GetString() == "unmatched_transfer");
        Assert.Equal("Trường THCS Nguyễn Du", unmatched.GetProperty("institutionName").GetString());
        Assert.EndsWith("không có mã chuyển khoản", unmatched.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("no_code", unmatched.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["no_code"], unmatched.GetProperty("flags").EnumerateArray().Select(x => x.GetString()));

        var day = Assert.Single(view.GetProperty("days").EnumerateArray(), d => d.GetProperty("institutionId").GetString() == EInvoiceFixture.School && d.GetProperty("day").GetString() == "2026-11-23");
        Assert.Equal(("Trường THCS Nguyễn Du", 1), (day.GetProperty("institutionName").GetString(), day.GetProperty("openMismatches").GetInt32()));
    }

    [Fact]
    public void A_flag_the_catalogue_does_not_know_is_shown_as_stored_and_one_it_knows_in_words_with_its_argument() =>
        Assert.Equal("tiền đến sau khi giao dịch hết hạn; khoản thu HP-1 trả thừa; something_new:x", Reconciliation.FlagWords(["late", "bill_overpaid:HP-1", "something_new:x"]));
}

/// <summary>On SQLite.</summary>
public sealed class ReconciliationWordsSqliteTests() : ReconciliationWordsTests(ProvinceEngine.Sqlite);

/// <summary>On the PostgreSQL the tests start.</summary>
[Trait("Category", "Postgres")]
public sealed class ReconciliationWordsPostgresTests() : ReconciliationWordsTests(ProvinceEngine.Postgres);
