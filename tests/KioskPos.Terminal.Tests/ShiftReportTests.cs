using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The X and Z reports on real parts (a real SQLite file, Kestrel on loopback, the printer emulator's receipt files):
/// when the shift opened, which receipts it issued, what waits for the bank, and what THỰC THU counts.
/// </summary>
public sealed class ShiftReportTests
{
    [Fact]
    public async Task The_Z_report_prints_when_the_shift_opened_its_receipt_range_and_the_transfers_waiting_and_the_next_X_report_opens_at_that_close()
    {
        // Review #5: the Z report printed its close time as "Mở ca" and no receipt range nor pending transfers; an X
        // report before the first close said the shift opened at midnight while counting every entry since installation.
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "online");
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        var first = await PayAsync(terminal, "BT-2611-HS240001");
        var firstAt = Line(await ReceiptAsync(terminal, first), "Ngày giờ:");
        using (var qr = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240007", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240007" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, qr.StatusCode);
        }

        var second = await PayAsync(terminal, "BT-2611-HS240001");

        var x = await ReportAsync(terminal, cashier, "/api/v1/reports/x", "x-*.txt");
        Assert.Equal(firstAt, Line(x, "Mở ca:"));

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var z = await ReportAsync(terminal, cashier, "/api/v1/shifts/current/close", "z-*.txt");
        Assert.Equal(firstAt, Line(z, "Mở ca:"));
        Assert.NotEqual(Line(z, "Mở ca:"), Line(z, "Đóng ca:"));
        Assert.Equal((first, second), (Line(z, "Từ biên lai:"), Line(z, "Đến biên lai:")));
        Assert.Matches(@"Chờ ngân hàng \(1\):\s+150\.000 ₫", z);

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var third = await PayAsync(terminal, "BT-2611-HS240001");
        var next = await ReportAsync(terminal, cashier, "/api/v1/reports/x", "x-*.txt");
        Assert.Equal(Line(z, "Đóng ca:"), Line(next, "Mở ca:"));
        Assert.Equal((third, third), (Line(next, "Từ biên lai:"), Line(next, "Đến biên lai:")));
    }

    [Fact]
    public async Task A_deposit_and_the_bill_paid_from_it_count_once_in_the_takings()
    {
        // Review #6: a deposit taken on the bank-card terminal and the bill then paid from it made THỰC THU 2.425.360 ₫,
        // when 2.000.000 ₫ came in.
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartHospitalAsync(province);
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        using (var deposit = await cashier.PostAsJsonAsync("/api/v1/payments", new { payerCode = "BN260001", method = "external_card", approvalCode = "TU0001", cardLast4 = "1234", bills = new[] { new { billId = "TU-BN260001-1" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, deposit.StatusCode);
        }

        await terminal.Sync.RunRoundAsync(CancellationToken.None);
        await terminal.TapAsync("0472A9C1B2D380");
        using (var paid = await cashier.PostAsJsonAsync("/api/v1/payments", new { cardUid = "0472A9C1B2D380", method = "card_balance", bills = new[] { new { billId = "VP-BN260001-1" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        var shift = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/shifts/current");
        Assert.Equal(2_000_000, shift.GetProperty("net").GetInt64());

        // Both payments are listed by method; only the money that came in is THỰC THU, and the paper says so.
        var x = await ReportAsync(terminal, cashier, "/api/v1/reports/x", "x-*.txt");
        Assert.Contains("425.360", x, StringComparison.Ordinal);
        Assert.Matches(@"THỰC THU:\s+2\.000\.000 ₫", x);
        Assert.Contains("trả từ số dư thẻ không tính", System.Text.RegularExpressions.Regex.Replace(x, @"\s+", " "), StringComparison.Ordinal);
    }

    private static async Task<string> PayAsync(TerminalHost terminal, string bill)
    {
        await terminal.TapAsync("04A1B2C3");
        using var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = bill, amount = 10_000 } } });
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        return (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<string> ReceiptAsync(TerminalHost terminal, string id)
    {
        var file = Path.Combine(terminal.ReceiptsFolder, id + ".txt");
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(file)), TimeSpan.FromSeconds(20), "the receipt " + id);
        return await File.ReadAllTextAsync(file);
    }

    // Asks for a report and gives the text of the new report file matching pattern.
    private static async Task<string> ReportAsync(TerminalHost terminal, HttpClient staff, string path, string pattern)
    {
        var before = Directory.GetFiles(terminal.ReceiptsFolder, pattern).ToHashSet();
        using (var asked = await staff.PostAsync(path, null))
        {
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        }

        string? file = null;
        await Wait.UntilAsync(() => Task.FromResult((file = Directory.GetFiles(terminal.ReceiptsFolder, pattern).FirstOrDefault(f => !before.Contains(f))) is not null),
            TimeSpan.FromSeconds(20), "the report " + pattern);
        return await File.ReadAllTextAsync(file!);
    }

    // The value printed after label: on its line, or on the next when label and value do not fit one line of paper.
    private static string Line(string text, string label)
    {
        var lines = text.Split('\n');
        var at = Array.FindIndex(lines, l => l.Contains(label, StringComparison.Ordinal));
        Assert.True(at >= 0, $"no '{label}' in:\n{text}");
        Assert.Single(lines, l => l.Contains(label, StringComparison.Ordinal));
        var value = lines[at].Replace(label, string.Empty, StringComparison.Ordinal).Trim();
        return value.Length > 0 ? value : lines[at + 1].Trim();
    }
}
