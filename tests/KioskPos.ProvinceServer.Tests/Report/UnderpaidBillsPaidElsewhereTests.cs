using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.Tests.Banking;

namespace KioskPos.ProvinceServer.Tests.Report;

/// <summary>
/// The reconciliation of an underpaid VietQR payment whose bills were paid another way. It was listed as missing
/// <c>amount - received</c> though its bills owe nothing more (its confirmation's remaining is 0): an accountant would
/// chase the payer for money nobody owes. What it is: nothing missing, and the money that reached no bill is to be
/// refunded, as an overpayment's excess is (an item of the transfer that brought it, never again one of the payment's).
/// Read as the school's accountant reads it, through <c>GET /api/v1/reconciliation</c>, on a real database.
/// </summary>
public abstract class UnderpaidBillsPaidElsewhereTests(ProvinceEngine engine)
{
    private static int s_bill;

    [Fact]
    public async Task An_underpaid_payment_whose_bills_were_paid_another_way_is_not_missing_money_and_what_paid_nothing_is_a_refund()
    {
        await using var province = await ProvinceHost.StartAsync(engine: engine);

        // The bill of 600.000: a QR for all of it (P1) is shown; meanwhile 400.000 of it is paid another way, by a second
        // QR (P2) whose money arrives first. Then the payer sends 300.000 for P1: 200.000 reaches the bill, 100.000 pays
        // nothing; P1 is short of its own amount (300.000 of 600.000) and its bill owes nothing more.
        var bill = await BillAsync(province, 600_000);
        var (p1, code1) = await PendingPayments.CreateAsync(province, 600_000, bill);
        var (_, code2) = await PendingPayments.CreateAsync(province, 400_000, bill);
        await NotifyAsync(province, 400_000, code2, "FT-ELSEWHERE-P2");
        await NotifyAsync(province, 300_000, code1, "FT-ELSEWHERE-P1");
        Assert.Equal(("underpaid", 300_000L), await StateAsync(province, p1));
        Assert.Equal(600_000L, await PaidAsync(province, bill));

        // Control: a plain short payment whose bill still owes the rest is still missing it.
        var open = await BillAsync(province, 300_000);
        var (p3, code3) = await PendingPayments.CreateAsync(province, 300_000, open);
        await NotifyAsync(province, 100_000, code3, "FT-ELSEWHERE-P3");

        // Short first, the rest paid another way afterwards (a QR for the rest, P5): nothing is missing any more, and
        // the 400.000 that arrived paid the bill, so nothing is to be refunded either.
        var later = await BillAsync(province, 600_000);
        var (p4, code4) = await PendingPayments.CreateAsync(province, 600_000, later);
        await NotifyAsync(province, 400_000, code4, "FT-ELSEWHERE-P4");
        Assert.Contains(await WorklistAsync(province), i => i.GetProperty("item").GetString() == $"underpaid:{p4}" && i.GetProperty("amount").GetInt64() == 200_000);
        var (_, code5) = await PendingPayments.CreateAsync(province, 200_000, later);
        await NotifyAsync(province, 200_000, code5, "FT-ELSEWHERE-P5");
        Assert.Equal(("underpaid", 400_000L), await StateAsync(province, p4));
        Assert.Equal(600_000L, await PaidAsync(province, later));

        var worklist = await WorklistAsync(province);

        // P1 is not listed as missing 300.000; the 100.000 that paid nothing is listed once, as a refund, under the
        // transfer that brought it, naming P1.
        Assert.DoesNotContain(worklist, i => i.GetProperty("item").GetString() == $"underpaid:{p1}");
        var refund = Assert.Single(worklist, i => i.GetProperty("detail").GetString()!.StartsWith("FT-ELSEWHERE-P1 ", StringComparison.Ordinal));
        Assert.Equal(("paid_elsewhere_refund_due", 100_000L), (refund.GetProperty("kind").GetString(), refund.GetProperty("amount").GetInt64()));
        Assert.Contains($"cho giao dịch {p1}", refund.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("khoản thu đã được trả theo cách khác", refund.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(100_000L, worklist.Where(i => i.GetProperty("detail").GetString()!.Contains(p1, StringComparison.Ordinal)).Sum(i => i.GetProperty("amount").GetInt64()));

        // The short payment whose bill still owes: missing 200.000, as before.
        var shortOne = Assert.Single(worklist, i => i.GetProperty("item").GetString() == $"underpaid:{p3}");
        Assert.Equal(("underpaid", 200_000L), (shortOne.GetProperty("kind").GetString(), shortOne.GetProperty("amount").GetInt64()));

        // Paid up afterwards by another way: neither missing nor to refund.
        Assert.DoesNotContain(worklist, i => i.GetProperty("item").GetString() == $"underpaid:{p4}");
        Assert.DoesNotContain(worklist, i => i.GetProperty("detail").GetString()!.StartsWith("FT-ELSEWHERE-P4 ", StringComparison.Ordinal)
            || i.GetProperty("detail").GetString()!.StartsWith("FT-ELSEWHERE-P5 ", StringComparison.Ordinal));
    }

    // The school's accountant's reconciliation, from the first of November to tomorrow (Vietnam's day).
    private static async Task<List<JsonElement>> WorklistAsync(ProvinceHost province)
    {
        using var accountant = await province.SignInAsync("ketoan.nguyendu", "KeToan@2026");
        var to = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7)).AddDays(1);
        var view = await accountant.GetFromJsonAsync<JsonElement>($"/api/v1/reconciliation?from=2026-11-01&to={to:yyyy-MM-dd}");
        Assert.Equal(DemoData.SchoolId, view.GetProperty("institutionId").GetString());
        return view.GetProperty("worklist").EnumerateArray().ToList();
    }

    private static async Task NotifyAsync(ProvinceHost province, long amount, string code, string transaction)
    {
        using var response = await province.NotifyAsync(amount, $"chuyen khoan {code}", transaction);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> BillAsync(ProvinceHost province, long total)
    {
        var id = $"BT-RECON-{Interlocked.Increment(ref s_bill)}-{Guid.NewGuid():N}"[..40];
        await province.ExecuteAsync(
            "INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($b, 'TG-THCS-NGUYENDU', 'HS240001', 'ban_tru', 'Bán trú', '2026-11-30', $t, 0, 0)",
            ("$b", id), ("$t", total));
        return id;
    }

    private static async Task<(string State, long Received)> StateAsync(ProvinceHost province, string payment)
    {
        var (state, received, _) = await PendingPayments.StateAsync(province, payment);
        return (state, received);
    }

    private static async Task<long> PaidAsync(ProvinceHost province, string bill) =>
        Convert.ToInt64(await province.ScalarAsync("SELECT paid FROM bills WHERE id = $b", ("$b", bill)), CultureInfo.InvariantCulture);
}

/// <summary>On SQLite (a file in the test's folder).</summary>
public sealed class UnderpaidBillsPaidElsewhereSqliteTests() : UnderpaidBillsPaidElsewhereTests(ProvinceEngine.Sqlite);

/// <summary>On the PostgreSQL the tests start.</summary>
[Trait("Category", "Postgres")]
public sealed class UnderpaidBillsPaidElsewherePostgresTests() : UnderpaidBillsPaidElsewhereTests(ProvinceEngine.Postgres);
