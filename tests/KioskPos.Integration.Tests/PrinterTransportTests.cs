using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Tests.Shared;

namespace KioskPos.Integration.Tests;

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
        Assert.Equal("printed", first.GetProperty("receipt").GetProperty("state").GetString());
        Assert.Equal(1, emulator.Pages.Count(p => p.Complete));

        // Unplugged: the device file is gone. The payment is taken all the same; its receipt waits.
        pair.Stop();
        var second = await PayAsync(terminal, "BT-2611-HS240001");
        var secondId = second.GetProperty("id").GetString()!;
        Assert.Equal("failed", second.GetProperty("receipt").GetProperty("state").GetString());
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/printer")).GetProperty("state").GetString() == "unreachable",
            TimeSpan.FromSeconds(10), "the printer shown unreachable");

        // Plugged back in: a new device file at the same path; the queue reopens it and prints the receipt, once.
        pair.Start();
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>($"/api/v1/payments/{secondId}")).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(20), "the held receipt printed after the device came back");
        Assert.Equal(2, emulator.Pages.Count(p => p.Complete));

        // Known: across the replug a stray status byte or two (0x12) can reach the emulator as data (a pty artefact
        // not yet explained, see the issue note); nothing of a receipt may be among what it did not understand.
        Assert.All(emulator.NotUnderstood, line => Assert.EndsWith(": 12", line, StringComparison.Ordinal));

        var third = await PayAsync(terminal, "BT-2611-HS240001");
        Assert.Equal("printed", third.GetProperty("receipt").GetProperty("state").GetString());
        Assert.Equal(3, emulator.Pages.Count(p => p.Complete));
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
