using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// The statement's SQL on PostgreSQL: the lines kept with who uploaded them and the file's SHA-256, the look for a
/// stored line of the same day, amount and text, the held lines (written, found again on a re-import, listed beside the
/// gaps), and another account's statement refused before any of it.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class StatementImportPostgresTests
{
    private static readonly string s_today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_same_line_with_and_without_its_reference_is_credited_once_and_held_once_on_PostgreSQL()
    {
        await using var province = await ProvinceHost.StartAsync(engine: ProvinceEngine.Postgres, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey);
        var (payment, code) = await PendingPayments.CreateAsync(province, 385_000);
        var reference = "5213." + ProviderPost.NextId();

        var first = VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},{reference},,\"385.000\",MBVCB.4525077409.PHAM THI Q nop tien {code}");
        var (status, body) = await PostAsync(province, first);
        Assert.True(status == 200, body.ToString());
        Assert.Equal(1, body.GetProperty("recorded").GetInt32());
        Assert.Equal(("completed", 385_000L, 1L), await PendingPayments.StateAsync(province, payment));
        Assert.Equal("admin-token", await province.ScalarAsync("SELECT imported_by FROM bank_statement_lines WHERE reference = $r", ("$r", reference)));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(first)), await province.ScalarAsync("SELECT file_sha256 FROM bank_statement_lines WHERE reference = $r", ("$r", reference)));
        var transfers = await PendingPayments.TransfersAsync(province, "sepay-1");

        var again = VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},,,\"385.000\",\"MBVCB.4525077409.PHAM THI Q\nnop tien {code}\"");
        foreach (var attempt in new[] { 1, 2 })
        {
            var (second, held) = await PostAsync(province, again);
            Assert.True(second == 200, held.ToString());
            Assert.Equal((0, 1), (held.GetProperty("recorded").GetInt32(), held.GetProperty("held").GetInt32()));
            Assert.Equal(transfers, await PendingPayments.TransfersAsync(province, "sepay-1"));
        }

        using var gaps = await province.Admin.GetAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement/gaps", UriKind.Relative));
        var rows = (await gaps.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.Single(rows, g => g.GetProperty("status").GetString() == "held" && g.GetProperty("duplicateOf").GetString() == "ref:" + reference
            && g.GetProperty("importedBy").GetString() == "admin-token");
        Assert.Single(rows, g => g.GetProperty("status").GetString() == "recorded" && g.GetProperty("reference").GetString() == reference);

        var (other, refused) = await PostAsync(province, VietcombankCsv.Statement("1122334455", $"{s_today},5213.{ProviderPost.NextId()},,\"99.000\",NOP TIEN"));
        Assert.Equal((400, "statement_other_account"), (other, refused.GetProperty("code").GetString()));
        Assert.Equal(2L, Convert.ToInt64(await province.ScalarAsync("SELECT (SELECT COUNT(*) FROM bank_statement_lines) + (SELECT COUNT(*) FROM bank_statement_held_lines)"),
            CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_held_line_credited_completes_its_payment_once_and_one_dismissed_credits_nothing_on_PostgreSQL()
    {
        await using var province = await ProvinceHost.StartAsync(engine: ProvinceEngine.Postgres, settings: ["--Province:BankPull:IntervalSeconds=0"]);
        await ProviderSenders.PutConnectionAsync(province, "sepay-1", "sepay", ProviderSenders.SepayKey);
        var (payment, code) = await PendingPayments.CreateAsync(province, 2 * 315_000);
        var text = $"MBVCB.{ProviderPost.NextId()}.TRAN VAN H nop hoc phi {code}";
        Assert.Equal(200, (await PostAsync(province, VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},5213.{ProviderPost.NextId()},,\"315.000\",{text}"))).Status);
        var (status, body) = await PostAsync(province, VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},5213.{ProviderPost.NextId()},,\"315.000\",{text}"));
        Assert.True(status == 200 && body.GetProperty("held").GetInt32() == 1, body.ToString());
        Assert.Equal(("underpaid", 315_000L, 1L), await PendingPayments.StateAsync(province, payment));
        var heldId = Convert.ToInt64(await province.ScalarAsync("SELECT MAX(id) FROM bank_statement_held_lines"), CultureInfo.InvariantCulture);

        foreach (var attempt in new[] { false, true })
        {
            using var credit = await province.Admin.PostAsJsonAsync($"/api/v1/admin/bank/connections/sepay-1/statement/held/{heldId}/credit", new { reason = "second transfer" });
            var decision = await credit.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(credit.IsSuccessStatusCode, decision.ToString());
            Assert.Equal(("credited", "paid", attempt), (decision.GetProperty("decision").GetString(), decision.GetProperty("outcome").GetString(), decision.GetProperty("repeated").GetBoolean()));
            Assert.Equal(("completed", 630_000L, 2L), await PendingPayments.StateAsync(province, payment));
        }

        // A line held beside another stored one, dismissed: nothing credited, listed as dismissed.
        var other = $"UNG HO {ProviderPost.NextId()}";
        Assert.Equal(200, (await PostAsync(province, VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},5213.{ProviderPost.NextId()},,\"50.000\",{other}"))).Status);
        Assert.Equal(200, (await PostAsync(province, VietcombankCsv.Statement(ProvinceHost.SchoolAccount, $"{s_today},5213.{ProviderPost.NextId()},,\"50.000\",{other}"))).Status);
        var dismissedId = Convert.ToInt64(await province.ScalarAsync("SELECT MAX(id) FROM bank_statement_held_lines"), CultureInfo.InvariantCulture);
        var transfers = await PendingPayments.TransfersAsync(province, "sepay-1");
        using (var dismiss = await province.Admin.PostAsJsonAsync($"/api/v1/admin/bank/connections/sepay-1/statement/held/{dismissedId}/dismiss", new { reason = "same transfer" }))
        {
            Assert.True(dismiss.IsSuccessStatusCode, await dismiss.Content.ReadAsStringAsync());
        }

        Assert.Equal(transfers, await PendingPayments.TransfersAsync(province, "sepay-1"));
        using var gaps = await province.Admin.GetAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement/gaps", UriKind.Relative));
        var rows = (await gaps.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Where(g => g.TryGetProperty("heldId", out var id) && id.ValueKind == JsonValueKind.Number)
            .ToDictionary(g => g.GetProperty("heldId").GetInt64(), g => (g.GetProperty("status").GetString(), g.GetProperty("outcome").GetString()));
        Assert.Equal(("credited", "paid"), rows[heldId]);
        Assert.Equal(("dismissed", "duplicate"), rows[dismissedId]);
    }

    private static async Task<(int Status, JsonElement Body)> PostAsync(ProvinceHost province, byte[] file)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await province.Admin.PostAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement?layout=vietcombank", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
