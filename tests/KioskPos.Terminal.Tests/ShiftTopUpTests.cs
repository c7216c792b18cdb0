using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Top-ups in the shift's X and Z reports (issue 27) on real parts: a top-up started at the counter, confirmed by a
/// signed bank notification to the real province, is counted on its own line of the printed reports (read from the
/// printer emulator's decoding of the driver's ESC/POS text bytes, Windows-1258), and in THỰC THU, the money taken in; the
/// payment from the card's balance is listed but not taken in again.
/// </summary>
public sealed class ShiftTopUpTests
{
    [Fact]
    public async Task A_top_up_confirmed_in_the_shift_has_its_own_line_in_the_X_and_Z_reports_and_is_money_taken_in_unlike_a_payment_from_the_balance()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Hardware:PrinterTextMode=Windows1258"]);
        var printer = (KioskPos.Hardware.Simulators.Printer.EmulatedReceiptPrinter)Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<KioskPos.Firmware.Devices.IReceiptPrinter>(terminal.App.Services);
        string PrintedSince(int pages) =>
            string.Join('\n', printer.Emulator.Pages.Where(p => p.Number > pages).Last(p => p.Complete).Text).Normalize(System.Text.NormalizationForm.FormC);
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "the confirmations long poll to connect");
        var cashier = await terminal.StaffAsync(StaffRole.Cashier);

        // A bill paid from a card: listed by method, but no money taken in (it came in when the balance was credited).
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount = 100_000 } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        // A top-up started by the cashier for the payer found at the counter: its QR goes to the customer display.
        string id, code;
        using (var started = await cashier.PostAsJsonAsync("/api/v1/top-ups", new { payerCode = "HS240002", amount = 300_000 }))
        {
            var view = await started.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(started.StatusCode == HttpStatusCode.Created, view.ToString());
            Assert.Equal(("top_up", 300_000L), (view.GetProperty("purpose").GetString(), view.GetProperty("amount").GetInt64()));
            (id, code) = (view.GetProperty("id").GetString()!, view.GetProperty("qr").GetProperty("transferCode").GetString()!);
        }

        var display = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/display");
        Assert.Contains(code, display.ToString(), StringComparison.Ordinal);

        // Not confirmed yet: the open shift has no top-up.
        Assert.Equal(0, (await cashier.GetFromJsonAsync<JsonElement>("/api/v1/shifts/current")).GetProperty("topUps").GetInt32());
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        using (var notified = await province.NotifyAsync(300_000, code, "FT-SHIFT-TOPUP-1"))
        {
            Assert.Equal(HttpStatusCode.OK, notified.StatusCode);
        }

        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("state").GetString() == "completed", TimeSpan.FromSeconds(20), "the top-up confirmed");

        var open = await cashier.GetFromJsonAsync<JsonElement>("/api/v1/shifts/current");
        Assert.Equal((1, 300_000L, 300_000L), (open.GetProperty("topUps").GetInt32(), open.GetProperty("toppedUp").GetInt64(), open.GetProperty("net").GetInt64()));
        Assert.Equal(["card_balance"], open.GetProperty("byMethod").EnumerateArray().Select(m => m.GetProperty("method").GetString()));

        var beforeX = printer.Emulator.PagesPrinted;
        using (var x = await cashier.PostAsync("/api/v1/reports/x", null))
        {
            Assert.Equal(HttpStatusCode.OK, x.StatusCode);
        }

        Assert.Single(Directory.GetFiles(terminal.ReceiptsFolder, "x-*.txt"));
        var xReport = PrintedSince(beforeX);
        Assert.Matches(@"Nạp tiền vào thẻ \(1\):\s+300\.000 [₫đ]", xReport);
        Assert.Matches(@"THỰC THU:\s+300\.000 [₫đ]", xReport);
        Assert.DoesNotContain("400.000", xReport, StringComparison.Ordinal);
        var beforeZ = printer.Emulator.PagesPrinted;

        using (var close = await cashier.PostAsync("/api/v1/shifts/current/close", null))
        {
            var z = await close.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(close.StatusCode == HttpStatusCode.OK, z.ToString());
            Assert.Equal((1, 300_000L, 300_000L), (z.GetProperty("topUps").GetInt32(), z.GetProperty("toppedUp").GetInt64(), z.GetProperty("net").GetInt64()));
        }

        await Wait.UntilAsync(() => Task.FromResult(Directory.GetFiles(terminal.ReceiptsFolder, "z-*.txt").Length == 1), TimeSpan.FromSeconds(20), "the Z report on paper");
        await Wait.UntilAsync(() => Task.FromResult(printer.Emulator.Pages.Any(p => p.Number > beforeZ && p.Complete)), TimeSpan.FromSeconds(20), "the Z report printed");
        var zReport = PrintedSince(beforeZ);
        Assert.Matches(@"Nạp tiền vào thẻ \(1\):\s+300\.000 [₫đ]", zReport);
        Assert.Matches(@"THỰC THU:\s+300\.000 [₫đ]", zReport);

        // The shift's close, with its top-ups in the chained form, verifies here and is taken by the province.
        var technician = await terminal.StaffAsync(StaffRole.Technician);
        Assert.True((await technician.GetFromJsonAsync<JsonElement>("/api/v1/journal/verify")).GetProperty("ok").GetBoolean());
        Assert.Null((await terminal.Sync.RunRoundAsync(CancellationToken.None)).Error);
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
    }
}
