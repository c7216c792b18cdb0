using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// A person settles a held statement line: credited (a second transfer after all), it completes the payment its code
/// names once, as an imported line would, and a second credit or an import of it again changes nothing; dismissed (the
/// same transfer), nothing is credited. Each with a reason, by the connection's institution's accountant or the
/// administrator; shown with its decision in the gaps list.
/// </summary>
public sealed partial class StatementImportTests
{
    private const string SchoolAccountant = "ketoan.nguyendu";
    private const string AccountantPassword = "KeToan@2026";

    [Fact]
    public async Task A_held_line_an_accountant_credits_completes_the_payment_its_code_names_once_and_a_second_credit_changes_nothing()
    {
        // The parent paid 930.000 in two transfers of 465.000 with the same text; the second export of the day has the
        // second one under its own reference, and the import holds it as possibly the first one again.
        var held = await HeldSecondHalfAsync(465_000);
        Assert.Equal(("underpaid", 465_000L, 1L), await PendingPayments.StateAsync(Province, held.Payment));
        var transfers = await PendingPayments.TransfersAsync(Province, "sepay-1");
        using var accountant = await Province.SignInAsync(SchoolAccountant, AccountantPassword);

        var (status, decision) = await SettleAsync(accountant, held.Id, "credit", """{"reason": "Phụ huynh chuyển hai lần, sao kê ngân hàng xác nhận"}""");

        Assert.True(status == 200, decision.ToString());
        Assert.Equal(("credited", "paid", held.Payment, false), (decision.GetProperty("decision").GetString(), decision.GetProperty("outcome").GetString(),
            decision.GetProperty("paymentId").GetString(), decision.GetProperty("repeated").GetBoolean()));
        Assert.Equal(SchoolAccountant, decision.GetProperty("decidedBy").GetString());
        Assert.Equal(("completed", 930_000L, 2L), await PendingPayments.StateAsync(Province, held.Payment));
        Assert.Equal(transfers + 1, await PendingPayments.TransfersAsync(Province, "sepay-1"));
        Assert.Equal("statement", await Province.ScalarAsync(
            "SELECT t.source FROM bank_statement_held_lines h JOIN bank_statement_lines s ON s.id = h.statement_line_id JOIN bank_transfers t ON t.id = s.transfer_id WHERE h.id = $h",
            ("$h", held.Id)));

        // Pressed again (or by a colleague): the first decision, nothing credited twice.
        var (again, repeated) = await SettleAsync(accountant, held.Id, "credit", """{"reason": "again"}""");
        Assert.True(again == 200, repeated.ToString());
        Assert.True(repeated.GetProperty("repeated").GetBoolean());
        Assert.Equal("Phụ huynh chuyển hai lần, sao kê ngân hàng xác nhận", repeated.GetProperty("reason").GetString());
        Assert.Equal(("completed", 930_000L, 2L), await PendingPayments.StateAsync(Province, held.Payment));
        Assert.Equal(transfers + 1, await PendingPayments.TransfersAsync(Province, "sepay-1"));

        // Dismissing it now is refused; importing its file again credits nothing.
        var (other, refusal) = await SettleAsync(Province.Admin, held.Id, "dismiss", """{"reason": "nham"}""");
        Assert.Equal((409, "held_line_decided"), (other, refusal.GetProperty("code").GetString()));
        var (reimport, body) = await PostAsync("sepay-1", held.SecondFile, "text/csv", "vietcombank");
        Assert.True(reimport == 200, body.ToString());
        Assert.Equal((1, 0, 0, 1, 0), Counts(body));
        Assert.Equal(0, body.GetProperty("held").GetInt32());
        Assert.Equal(("completed", 930_000L, 2L), await PendingPayments.StateAsync(Province, held.Payment));
        Assert.Equal(transfers + 1, await PendingPayments.TransfersAsync(Province, "sepay-1"));

        // Listed once, no longer as held: credited, with what it became, the reason, who and when.
        var rows = (await GapsAsync(accountant)).Where(g => g.TryGetProperty("reference", out var r) && r.GetString() == held.Reference).ToList();
        var row = Assert.Single(rows);
        Assert.Equal(("credited", "paid", held.Payment, held.Id), (row.GetProperty("status").GetString(), row.GetProperty("outcome").GetString(),
            row.GetProperty("paymentId").GetString(), row.GetProperty("heldId").GetInt64()));
        Assert.Equal((SchoolAccountant, "Phụ huynh chuyển hai lần, sao kê ngân hàng xác nhận"), (row.GetProperty("decidedBy").GetString(), row.GetProperty("reason").GetString()));
        Assert.True(row.TryGetProperty("decidedAt", out var at) && at.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task A_held_line_dismissed_credits_nothing_and_shows_as_dismissed()
    {
        var held = await HeldSecondHalfAsync(355_000);
        var transfers = await PendingPayments.TransfersAsync(Province, "sepay-1");

        var (status, decision) = await SettleAsync(Province.Admin, held.Id, "dismiss", """{"reason": "The same transfer, exported twice"}""");

        Assert.True(status == 200, decision.ToString());
        Assert.Equal(("dismissed", "duplicate", false), (decision.GetProperty("decision").GetString(), decision.GetProperty("outcome").GetString(),
            decision.GetProperty("repeated").GetBoolean()));
        Assert.Equal(("underpaid", 355_000L, 1L), await PendingPayments.StateAsync(Province, held.Payment));
        Assert.Equal(transfers, await PendingPayments.TransfersAsync(Province, "sepay-1"));

        // Credit after a dismissal is refused; the file again holds it still, as dismissed.
        var (credit, refusal) = await SettleAsync(Province.Admin, held.Id, "credit", """{"reason": "changed my mind"}""");
        Assert.Equal((409, "held_line_decided"), (credit, refusal.GetProperty("code").GetString()));
        var (reimport, body) = await PostAsync("sepay-1", held.SecondFile, "text/csv", "vietcombank");
        Assert.True(reimport == 200, body.ToString());
        Assert.Equal(("held", "duplicate"), (body.GetProperty("results")[0].GetProperty("status").GetString(), body.GetProperty("results")[0].GetProperty("outcome").GetString()));
        Assert.Equal(("underpaid", 355_000L, 1L), await PendingPayments.StateAsync(Province, held.Payment));
        Assert.Equal(transfers, await PendingPayments.TransfersAsync(Province, "sepay-1"));

        var row = Assert.Single(await GapsAsync(Province.Admin), g => g.TryGetProperty("heldId", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt64() == held.Id);
        Assert.Equal(("dismissed", "duplicate", "admin-token", "The same transfer, exported twice"), (row.GetProperty("status").GetString(), row.GetProperty("outcome").GetString(),
            row.GetProperty("decidedBy").GetString(), row.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_held_line_is_settled_only_with_a_short_reason_by_its_own_institutions_people_and_an_unknown_one_is_404()
    {
        var held = await HeldSecondHalfAsync(245_000);
        var transfers = await PendingPayments.TransfersAsync(Province, "sepay-1");

        // No reason, an empty one, one too long, one of two lines: 400 naming reason.
        foreach (var body in new string?[] { null, "{}", """{"reason": "   "}""", JsonSerializer.Serialize(new { reason = new string('x', 201) }), """{"reason": "a\nb"}""" })
        {
            var (status, problem) = await SettleAsync(Province.Admin, held.Id, "credit", body);
            Assert.True(status == 400, $"{body}: {status} {problem}");
            Assert.Equal("invalid_request", problem.GetProperty("code").GetString());
            Assert.StartsWith("reason", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("reason", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        }

        // A hospital's accountant: the school's connection is unknown to them, its gaps too.
        using var hospital = await Province.SignInAsync("ketoan.ttytchauthanh", AccountantPassword);
        var (foreign, unknown) = await SettleAsync(hospital, held.Id, "credit", """{"reason": "mine"}""");
        Assert.Equal((404, "unknown_connection"), (foreign, unknown.GetProperty("code").GetString()));
        using (var gaps = await hospital.GetAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement/gaps", UriKind.Relative)))
        {
            Assert.Equal(404, (int)gaps.StatusCode);
        }

        // An id that names no held line of the connection.
        foreach (var id in new[] { "999999999", "0", "abc", "-1" })
        {
            var (status, problem) = await SettleAsync(Province.Admin, id, "dismiss", """{"reason": "x"}""");
            Assert.Equal((404, "unknown_held_line"), (status, problem.GetProperty("code").GetString()));
        }

        Assert.Equal(("underpaid", 245_000L, 1L), await PendingPayments.StateAsync(Province, held.Payment));
        Assert.Equal(transfers, await PendingPayments.TransfersAsync(Province, "sepay-1"));
        Assert.Single(await GapsAsync(Province.Admin), g => g.TryGetProperty("heldId", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt64() == held.Id
            && g.GetProperty("status").GetString() == "held");
    }

    private sealed record HeldHalf(string Payment, long Id, string Reference, byte[] SecondFile);

    // A payment of twice `half`, its first half credited by one statement import, the second half (same day, amount and
    // text, its own reference) held by the next import.
    private async Task<HeldHalf> HeldSecondHalfAsync(long half)
    {
        var (payment, code) = await PendingPayments.CreateAsync(Province, 2 * half);
        var text = $"MBVCB.{ProviderPost.NextId()}.TRAN VAN H nop hoc phi {code}";
        var amount = half.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', '.');
        var (first, second) = ("5213." + ProviderPost.NextId(), "5213." + ProviderPost.NextId());
        static byte[] Csv(string line) => Encoding.UTF8.GetBytes(new StringBuilder()
            .AppendLine("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT")
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{ProvinceHost.SchoolAccount}")
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendLine(line)
            .ToString());

        var (status, body) = await PostAsync("sepay-1", Csv($"{s_today},{first},,\"{amount}\",{text}"), "text/csv", "vietcombank");
        Assert.True(status == 200, body.ToString());
        Assert.Equal("underpaid", body.GetProperty("results")[0].GetProperty("outcome").GetString());
        var secondFile = Csv($"{s_today},{second},,\"{amount}\",{text}");
        (status, body) = await PostAsync("sepay-1", secondFile, "text/csv", "vietcombank");
        Assert.True(status == 200, body.ToString());
        Assert.Equal(1, body.GetProperty("held").GetInt32());

        var row = Assert.Single(await GapsAsync(Province.Admin), g => g.TryGetProperty("reference", out var r) && r.GetString() == second);
        Assert.Equal(("held", "possible_duplicate", "ref:" + first), (row.GetProperty("status").GetString(), row.GetProperty("outcome").GetString(), row.GetProperty("duplicateOf").GetString()));
        return new HeldHalf(payment, row.GetProperty("heldId").GetInt64(), second, secondFile);
    }

    private static async Task<List<JsonElement>> GapsAsync(HttpClient client)
    {
        using var gaps = await client.GetAsync(new Uri("/api/v1/admin/bank/connections/sepay-1/statement/gaps?limit=1000", UriKind.Relative));
        Assert.Equal(200, (int)gaps.StatusCode);
        return [.. (await gaps.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    private static Task<(int Status, JsonElement Body)> SettleAsync(HttpClient client, long heldId, string action, string? json) =>
        SettleAsync(client, heldId.ToString(CultureInfo.InvariantCulture), action, json);

    private static async Task<(int Status, JsonElement Body)> SettleAsync(HttpClient client, string heldId, string action, string? json)
    {
        using var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri($"/api/v1/admin/bank/connections/sepay-1/statement/held/{heldId}/{action}", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
