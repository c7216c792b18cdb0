using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>The terminal printing through a USB-style device file (a pty from socat) to the emulator in this process.</summary>
public class PrinterTransportTests
{
    [Fact]
    public async Task A_USB_device_file_removed_and_recreated_leaves_the_queue_going_and_every_receipt_printed_once()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-usb-").FullName;
        using var fonts = ReceiptFonts.Load();
        var emulator = new EscPosEmulator(RasterRenderer.Width58mm, fonts);
        using var pair = new SocatPair(folder);
        await using var printer = new EmulatorHost(emulator);
        printer.ServeDevice(pair.Device);
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province.BaseUrl, province.Admin,
            extraArgs: [$"--Hardware:Printer=usb:{pair.Host}", "--Terminal:PrinterRecoveryPoll=00:00:00.300"]);

        var first = await PayAsync(terminal, "BT-2611-HS240001");
        Assert.Equal("printed", (await terminal.ReceiptSettledAsync(first.GetProperty("id").GetString()!)).GetProperty("receipt").GetProperty("state").GetString());
        Assert.Equal(1, emulator.Pages.Count(p => p.Complete));

        // Unplugged: the device file is gone. The payment is taken all the same; its receipt waits.
        pair.Stop();
        var second = await PayAsync(terminal, "BT-2611-HS240001");
        var secondId = second.GetProperty("id").GetString()!;
        Assert.Equal("failed", (await terminal.ReceiptSettledAsync(secondId)).GetProperty("receipt").GetProperty("state").GetString());
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString() == "unreachable",
            TimeSpan.FromSeconds(10), "the printer shown unreachable");

        // Plugged back in: a new device file at the same path; the queue reopens it and prints the receipt, once.
        pair.Start();
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(secondId)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(20), "the held receipt printed after the device came back");

        // Once, unmarked — unless an attempt's bytes reached the paper but its confirmation did not come back in time
        // (a loaded machine): then the receipt was printed again as a marked copy, never a second original.
        var job = (await terminal.App.Services.GetRequiredService<PrintQueueStore>().ListAsync(20, CancellationToken.None)).Single(j => j.Subject == secondId && j.Kind == PrintJobKinds.Receipt);
        var extra = emulator.Pages.Count(p => p.Complete) - 2;
        Assert.True(extra == 0 || (extra == 1 && job.Reprint && job.MaybeOnPaper && job.Attempts >= 2),
            $"{extra} extra page(s); job: attempts {job.Attempts}, reprint {job.Reprint}, maybe on paper {job.MaybeOnPaper}, problem {job.Problem}; " +
            $"pages: {string.Join(" | ", emulator.Pages.Select(p => $"#{p.Number} complete {p.Complete}, {p.Image.Height} rows, QR {string.Join(',', p.QrCodes)}"))}; " +
            $"not understood: {string.Join(" ", emulator.NotUnderstood)}");

        // Known: across the replug a stray status byte or two (0x12) can reach the emulator as data (a pty artefact
        // not yet explained, see the issue note); nothing of a receipt may be among what it did not understand.
        Assert.All(emulator.NotUnderstood, line => Assert.EndsWith(": 12", line, StringComparison.Ordinal));

        var third = await PayAsync(terminal, "BT-2611-HS240001");
        Assert.Equal("printed", (await terminal.ReceiptSettledAsync(third.GetProperty("id").GetString()!)).GetProperty("receipt").GetProperty("state").GetString());
        Assert.Equal(3 + extra, emulator.Pages.Count(p => p.Complete));
    }

    // A card payment by the demo pupil HS240001 (balance 2.000.000 ₫): each call pays 100.000 ₫ more of a bill.
    private static async Task<JsonElement> PayAsync(TerminalHost terminal, string bill)
    {
        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new
        {
            cardUid = "04A1B2C3",
            method = "card_balance",
            bills = new[] { new { billId = bill, amount = 100_000 } },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

/// <summary>The printer's API and command line on a running terminal with the emulated printer.</summary>
public class PrinterApiTests
{
    [Fact]
    public async Task The_X_report_test_page_and_last_reprint_print_what_they_say_and_bad_requests_get_clear_answers()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await terminal.TapAsync("04A1B2C3");
        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        using (var qr = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240004", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240004" } } }))
        {
            Assert.Equal(HttpStatusCode.Created, qr.StatusCode);
        }

        var cashier = await terminal.StaffAsync(StaffRole.Cashier);
        using var x = await cashier.PostAsync("/api/v1/reports/x", null);
        Assert.Equal(HttpStatusCode.OK, x.StatusCode);
        var report = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(terminal.ReceiptsFolder, "x-*.txt")));
        Assert.Contains("BÁO CÁO TẠM (X)", report, StringComparison.Ordinal);
        Assert.Contains("Số dư thẻ", report, StringComparison.Ordinal);
        Assert.Matches(@"1 giao dịch\s+150\.000 ₫", report);
        Assert.Matches(@"Chờ ngân hàng \(1\):\s+150\.000 ₫", report);
        Assert.Matches(@"THỰC THU:\s+0 ₫", report); // paid from the balance: no money taken in
        Assert.Contains("Không đồng", report.ReplaceLineEndings(" "), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(Directory.GetFiles(terminal.ReceiptsFolder, "x-*.txt")[0], ".png")));

        using var test = await (await terminal.StaffAsync(StaffRole.Technician)).PostAsync("/api/v1/printer/test-page", null);
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        var page = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(terminal.ReceiptsFolder, "test-*.txt")));
        Assert.Contains("KP-THCS-ND-01", page, StringComparison.Ordinal);
        Assert.Contains("Đăng ký:", page, StringComparison.Ordinal);
        Assert.Contains("ESC/POS", page, StringComparison.Ordinal);
        Assert.Contains("ằ ắ ẳ ẵ ặ", page, StringComparison.Ordinal);

        using var reprint = await cashier.PostAsync("/api/v1/receipts/last/reprint", null);
        Assert.Equal(HttpStatusCode.OK, reprint.StatusCode);
        var copy = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(terminal.ReceiptsFolder, "*-in-lai-2.txt")));
        Assert.Contains("BẢN SAO - IN LẠI", copy, StringComparison.Ordinal);
        // The job's view links no picture but its own: the reprint's is the emulator's -in-lai-2 file, not the original's.
        var reprintJob = (await reprint.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetInt64();
        var reprintView = await cashier.GetFromJsonAsync<JsonElement>($"/api/v1/print-jobs/{reprintJob}");
        Assert.True(reprintView.GetProperty("reprint").GetBoolean());
        Assert.False(reprintView.TryGetProperty("image", out var image) && image.ValueKind == JsonValueKind.String, $"the reprint's view links {image}");
        var original = (await cashier.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("recent").EnumerateArray()
            .First(j => j.GetProperty("kind").GetString() == "receipt" && !j.GetProperty("reprint").GetBoolean());
        Assert.Equal($"/receipts/{original.GetProperty("subject").GetString()}.png", original.GetProperty("image").GetString());

        using var missing = await cashier.GetAsync("/api/v1/print-jobs/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("job_not_found", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        using var badDev = await terminal.Http.PostAsync("/dev/printer", new StringContent("{paper", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badDev.StatusCode);
        using var escape = await terminal.Http.GetAsync("/receipts/..%2Fterminal.db");
        Assert.Equal(HttpStatusCode.NotFound, escape.StatusCode);
    }

    [Fact]
    public async Task A_damaged_job_is_cancelled_and_does_not_stop_the_queue_behind_it()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true })).EnsureSuccessStatusCode();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(terminal.Folder, "terminal.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO print_jobs (kind, document, created_at) VALUES ('report', '{not a document', '2026-11-22T00:00:00+00:00')";
            await insert.ExecuteNonQueryAsync();
        }

        (await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = false })).EnsureSuccessStatusCode();
        using var test = await (await terminal.StaffAsync(StaffRole.Technician)).PostAsync("/api/v1/printer/test-page", null);
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        var jobs = (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("recent").EnumerateArray().ToList();
        Assert.Equal(["printed", "cancelled"], jobs.Take(2).Select(j => j.GetProperty("state").GetString()!).ToArray());
        Assert.Equal(0, (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("waiting").GetInt32());
    }

    [Fact]
    public async Task Printer_render_draws_a_captured_stream_and_names_what_it_did_not_understand()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-render-").FullName;
        try
        {
            using var fonts = ReceiptFonts.Load();
            var lookup = "https://tinh.example/r/T01-000001?h=0123456789ab";
            var document = new KioskPos.Core.Receipts.PrintDocumentBuilder("t").Centre("Trường THCS Nguyễn Du", bold: true).Qr(lookup).Build();
            var clean = Path.Combine(folder, "clean.bin");
            await File.WriteAllBytesAsync(clean, new DocumentEncoder(new PrinterLanguage(58, PrinterTextMode.Windows1258), null).Encode(document));
            var (exit, output, _) = await Processes.RunTerminalCliAsync("printer", "render", clean, "--width", "58", "-o", Path.Combine(folder, "clean.png"));
            Assert.True(exit == 0, output);
            Assert.Contains("0 not understood", output, StringComparison.Ordinal);
            Assert.Equal(lookup, ZbarImg.Decode(Path.Combine(folder, "clean.png")));

            var noisy = Path.Combine(folder, "noisy.bin");
            await File.WriteAllBytesAsync(noisy, [0x1B, 0x40, 0x41, 0x0A, 0x1B, 0x99, 0x0A, 0x1D, 0x56, 0x00]);
            (exit, output, _) = await Processes.RunTerminalCliAsync("printer", "render", noisy);
            Assert.Equal(1, exit);
            Assert.Contains("not understood @4: 1B 99", output, StringComparison.Ordinal);
            Assert.True(File.Exists(noisy + ".png"));

            (exit, _, var error) = await Processes.RunTerminalCliAsync("printer", "render", Path.Combine(folder, "absent.bin"));
            Assert.Equal(2, exit);
            Assert.Contains("no such file", error, StringComparison.Ordinal);
            (exit, _, error) = await Processes.RunTerminalCliAsync("printer", "render", clean, "--width", "70");
            Assert.Equal(2, exit);
            Assert.Contains("58 or 80", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
