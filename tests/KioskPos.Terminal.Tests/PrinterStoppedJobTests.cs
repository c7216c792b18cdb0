using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Firmware.Devices;
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Paper out in the middle of a receipt, on a printer that ignores the buffer clear as many clones do: when paper is
/// loaded it prints the rest of the stopped receipt (drawer pulse and all) by itself. The queue used to print the
/// receipt again as an original: two originals, two pulses of the cash drawer.
/// </summary>
public class PrinterStoppedJobTests
{
    [Fact]
    public async Task A_receipt_stopped_on_a_printer_that_ignores_the_clear_comes_again_as_a_copy_without_a_second_drawer_pulse()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province.BaseUrl, province.Admin,
            extraArgs: ["--Hardware:CashDrawerPin=2", "--Terminal:PrinterRecoveryPoll=00:00:00.300"]);
        var emulator = ((EmulatedReceiptPrinter)terminal.App.Services.GetRequiredService<IReceiptPrinter>()).Emulator;
        emulator.IgnoresClear = true;
        emulator.RunOutOfPaperAfter(150);

        await terminal.TapAsync("04A1B2C3");
        string id;
        using (var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new
        {
            cardUid = "04A1B2C3",
            method = "card_balance",
            bills = new[] { new { billId = "BT-2611-HS240001", amount = 100_000 } },
        }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        var jobs = terminal.App.Services.GetRequiredService<PrintQueueStore>();
        await Wait.UntilAsync(async () => (await jobs.ListAsync(20, CancellationToken.None)).Any(j => j.Subject == id && j.State == "held"),
            TimeSpan.FromSeconds(20), "the receipt held by the paper end");
        Assert.Equal(0, emulator.DrawerPulses);

        // Paper in: the clone prints the rest of the original, its pulse with it; the queue prints the receipt again.
        emulator.PaperOut = false;
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(id)).GetProperty("receipt").GetProperty("state").GetString() == "printed",
            TimeSpan.FromSeconds(20), "the held receipt printed");

        var job = (await jobs.ListAsync(20, CancellationToken.None)).Single(j => j.Subject == id && j.Kind == PrintJobKinds.Receipt);
        Assert.True(job.Reprint && job.MaybeOnPaper, $"attempts {job.Attempts}, reprint {job.Reprint}, maybe on paper {job.MaybeOnPaper}, problem {job.Problem}");
        Assert.Contains("BẢN SAO - IN LẠI", await File.ReadAllTextAsync(Path.Combine(terminal.ReceiptsFolder, id + ".txt")), StringComparison.Ordinal);
        Assert.Equal(2, emulator.Pages.Count(p => p.Complete)); // the clone's rest of the original, and the copy
        Assert.Equal(1, emulator.DrawerPulses);
        Assert.Empty(emulator.NotUnderstood);
    }

    [Fact]
    public async Task A_receipt_held_by_the_paper_end_wakes_the_sync_and_its_entry_is_pushed_before_the_next_round()
    {
        // Rounds an hour apart: only a wake pushes anything within the test.
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--ProvinceServer:Interval=01:00:00"]);
        var emulator = ((EmulatedReceiptPrinter)terminal.App.Services.GetRequiredService<IReceiptPrinter>()).Emulator;
        emulator.RunOutOfPaperAfter(150);
        var outbox = terminal.App.Services.GetRequiredService<OutboxStore>();
        var jobs = terminal.App.Services.GetRequiredService<PrintQueueStore>();

        await terminal.TapAsync("04A1B2C3");
        string id;
        using (var paid = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { cardUid = "04A1B2C3", bills = new[] { new { billId = "BT-2611-HS240001", amount = 20_000 } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
            id = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        // The payment woke the sync and was pushed while the printer still takes no byte past the paper end (the
        // driver waits 5 s before it asks why): the receipt's entry did not go with it.
        await Wait.UntilAsync(async () => (await outbox.GetStatusAsync()).Queued == 0, TimeSpan.FromSeconds(15), "the payment pushed");
        var failed = $"SELECT COUNT(*) FROM journal_entries WHERE kind = '{EntryKinds.ReceiptPrinted}' AND body LIKE '%{id}%' AND body LIKE '%failed%'";
        Assert.False((await jobs.ListAsync(20, CancellationToken.None)).Any(j => j.Subject == id && j.State == "held"),
            "the receipt was held before the payment's round ended: the test would not tell a wake from that round");
        Assert.Equal(0L, Convert.ToInt64(await province.ScalarAsync(failed)));

        // The hold appends the receipt's entry and wakes the sync: at the province long before the hour's round.
        await Wait.UntilAsync(async () => (await jobs.ListAsync(20, CancellationToken.None)).Any(j => j.Subject == id && j.State == "held"),
            TimeSpan.FromSeconds(20), "the receipt held by the paper end");
        await Wait.UntilAsync(async () => Convert.ToInt64(await province.ScalarAsync(failed)) == 1, TimeSpan.FromSeconds(15), "the held receipt's entry at the province");

        // The province commits before the terminal reads its answer: the outbox row is marked a moment after.
        await Wait.UntilAsync(async () => (await outbox.GetStatusAsync()).Queued == 0, TimeSpan.FromSeconds(15), "the held receipt's entry acknowledged");
    }
}
