using System.Device.Gpio;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Hardware.Simulators.Gpio;
using KioskPos.Hardware.Simulators.Rfid;
using KioskPos.Shared.Contracts;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// An MFRC522 terminal whose reader cannot be opened at start: the registration's real path (Hardware:CardReader=mfrc522…)
/// on the chip emulator and the simulated GPIO, wired in where the board's SPI device and GPIO chip would be.
/// </summary>
public class ReaderUnavailableTests
{
    [Fact]
    public async Task A_reader_that_cannot_be_opened_leaves_the_terminal_taking_qr_payments_and_reads_taps_once_it_answers()
    {
        // As on a Pi where the terminal's user may not open the reset pin's GPIO (the "Error 13" of System.Device.Gpio's
        // register driver), with the RC522 itself not answering on the bus either.
        var emulator = new Mfrc522Emulator { Connected = false };
        var gpio = new SimulatedGpioDriver { OpenPinError = "Error 13 (Permission denied) initializing the Gpio driver." };
        Mfrc522Wiring wiring = _ => (emulator, new GpioController(gpio));
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province,
            configureFirst: services => services.AddSingleton(wiring),
            extraArgs: ["--Hardware:CardReader=mfrc522:/dev/spidev0.0:reset=25"]);

        // The host started; the status and the self-test say why there is no reader.
        var health = await ReaderHealthAsync(terminal, "unavailable");
        Assert.Contains("Error 13", health.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal("Card reader unavailable (opened again every 2 s); QR payments still work", health.GetProperty("messageEnglish").GetString());
        Assert.Contains("Error 13", await terminal.Http.GetStringAsync("/"), StringComparison.Ordinal);
        var selfTest = await terminal.App.Services.GetRequiredService<SelfTest>().RunUnattendedAsync(CancellationToken.None);
        var readerCheck = Assert.Single(selfTest.Checks, c => c.Name == "card_reader");
        Assert.False(readerCheck.Ok);
        Assert.Contains("Error 13", readerCheck.Detail, StringComparison.Ordinal);

        // A VietQR payment goes through meanwhile, confirmed by the bank.
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "the confirmations long poll to connect");
        var qr = await VietQrTests.CreateQrAsync(terminal, "HS240005", "HP-2611-HS240005", "BT-2611-HS240005");
        await Wait.UntilDrainedAsync(terminal.Http, TimeSpan.FromSeconds(20));
        var (_, outcome, paid) = await VietQrTests.NotifyAsync(province, 750_000, $"CT {qr.Code} hoc phi", "FT-NO-READER-1");
        Assert.Equal((TransferOutcomes.Paid, qr.Id), (outcome, paid));
        await Wait.UntilAsync(async () => (await terminal.PaymentAsync(qr.Id)).GetProperty("state").GetString() == "completed",
            TimeSpan.FromSeconds(20), "the VietQR payment to be completed");

        // The GPIO let through, the chip still silent: unavailable, now for the chip.
        gpio.OpenPinError = null;
        await Wait.UntilAsync(async () => (await ReaderHealthAsync(terminal)).GetProperty("problem").GetString()?.Contains("no reader on SPI bus 0", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(10), "the reader to be tried again and found silent");

        // The reader connected: opened again within the listener's retry, and a card placed on it is tapped.
        var presence = terminal.App.Services.GetRequiredService<CardPresence>();
        var tapped = new TaskCompletionSource<CardTap>(TaskCreationOptions.RunContinuationsAsynchronously);
        presence.Tapped += tap => tapped.TrySetResult(tap);
        emulator.Connected = true;
        await ReaderHealthAsync(terminal, "ready");
        emulator.Place(new MifareClassicCard([0x04, 0xA1, 0xB2, 0xC3]));
        var read = await tapped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("04A1B2C3", read.Uid);
        Assert.DoesNotContain("Error 13", await terminal.Http.GetStringAsync("/"), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ReaderHealthAsync(TerminalHost terminal, string? state = null)
    {
        JsonElement health = default;
        await Wait.UntilAsync(async () =>
        {
            var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
            return status.TryGetProperty("cardReaderHealth", out health) && (state is null || health.GetProperty("state").GetString() == state);
        }, TimeSpan.FromSeconds(10), $"the reader's health{(state is null ? string.Empty : " to be " + state)}");
        return health;
    }
}
