using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Hardware.Simulators.Rfid;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

/// <summary>The terminal's simulated reader is the real MFRC522 driver on the chip emulator.</summary>
public class CardReaderTests
{
    [Fact]
    public async Task A_virtual_card_held_on_the_emulated_reader_reaches_the_application_as_one_tap()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var before = (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("taps").GetInt64();

        // Held for a second: some fifty polls of the reader at the tests' 20 ms, one tap.
        using var tap = await terminal.Http.PostAsJsonAsync("/dev/card-taps", new { uid = "04A1B2C3", holdMs = 1000 });
        Assert.Equal(HttpStatusCode.Accepted, tap.StatusCode);
        var view = await tap.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("04A1B2C3", view.GetProperty("uid").GetString());
        Assert.True(view.GetProperty("recognised").GetBoolean());
        await Task.Delay(1500);
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Equal(before + 1, status.GetProperty("taps").GetInt64());
        Assert.Equal("mfrc522 emulator", status.GetProperty("cardReader").GetString());

        // Tapped again after it was taken away: a second tap.
        await terminal.TapAsync("04A1B2C3");
        Assert.Equal(before + 2, (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("taps").GetInt64());
    }

    [Fact]
    public async Task A_card_not_on_file_by_uid_is_known_by_the_payer_code_its_issuer_wrote_into_it()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Hardware:CardNumberBlock=4", "--Hardware:CardNumberKey=A0A1A2A3A4A5"]);
        var reader = terminal.App.Services.GetRequiredService<EmulatedCardReader>();
        var presence = terminal.App.Services.GetRequiredService<CardPresence>();
        var tapped = new TaskCompletionSource<CardTap>(TaskCreationOptions.RunContinuationsAsynchronously);
        presence.Tapped += tap => tapped.TrySetResult(tap);

        // A new card (its UID unknown to the province) on which the school wrote pupil HS240005's code, in sector 1
        // under its own key A.
        byte[] key = [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5];
        var block = new byte[16];
        "HS240005"u8.CopyTo(block);
        var card = new MifareClassicCard([0x04, 0x5A, 0x5B, 0x5C]).SetKeys(1, key, MifareClassicCard.DefaultKey).WriteBlock(4, block);
        reader.Emulator.Place(card);
        var tap = await tapped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        reader.Emulator.Remove(card);

        Assert.Equal("045A5B5C", tap.Uid);
        Assert.Equal("HS240005", tap.AccountCode);
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Equal("HS240005", status.GetProperty("lastTap").GetProperty("payerCode").GetString());

        // Under a key the terminal does not hold, the number cannot be read: the card stays unknown, and says so.
        var locked = new MifareClassicCard([0x04, 0x6A, 0x6B, 0x6C]).SetKeys(1, [1, 2, 3, 4, 5, 6], MifareClassicCard.DefaultKey).WriteBlock(4, block);
        var second = new TaskCompletionSource<CardTap>(TaskCreationOptions.RunContinuationsAsynchronously);
        presence.Tapped += t => { if (t.Uid == "046A6B6C") second.TrySetResult(t); };
        await Task.Delay(200);
        reader.Emulator.Place(locked);
        var unknown = await second.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(unknown.AccountCode);
    }

    [Fact]
    public async Task A_simulated_card_is_held_until_the_reader_has_read_it_then_for_its_hold()
    {
        // The real driver on the emulator, nobody reading yet: as a machine too loaded to poll in time. The hand waits
        // for the read, whatever the hold (a hold counted from the placing lost such taps).
        var reader = new EmulatedCardReader(TimeProvider.System, TimeSpan.FromMilliseconds(5));
        await reader.TapAsync("04A1B2C3", TimeSpan.Zero, CancellationToken.None);
        await Task.Delay(300);
        Assert.Single(reader.Emulator.Field);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var reads = reader.ReadAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Task<bool>? next = null;
        try
        {
            Assert.True(await reads.MoveNextAsync());
            Assert.Equal("04A1B2C3", reads.Current.UidHex);

            // Hold 0, a quick tap: lifted once read. The reader polls on and sees the field empty, so the same card
            // tapped again is placed at once and read as a new tap.
            await Wait.UntilAsync(() => Task.FromResult(reader.Emulator.Field.Count == 0), TimeSpan.FromSeconds(10), "the quick tap's card to be lifted");
            next = reads.MoveNextAsync().AsTask();
            await reader.TapAsync("04A1B2C3", TimeSpan.FromSeconds(5), stop.Token);
            Assert.True(await next);
            Assert.Equal("04A1B2C3", reads.Current.UidHex);

            // A hold counts from the read: the card is still there once read, and gone after it.
            Assert.Single(reader.Emulator.Field);
            next = reads.MoveNextAsync().AsTask();
            await Wait.UntilAsync(() => Task.FromResult(reader.Emulator.Field.Count == 0), TimeSpan.FromSeconds(20), "the held card to be lifted after its hold");
            Assert.False(next.IsCompleted); // taken away: no tap
        }
        finally
        {
            await stop.CancelAsync();
            if (next is not null)
            {
                await next; // the reader stops at the cancellation: no more reads
            }

            await reads.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_quick_tap_is_read_and_lifted_and_a_hold_out_of_range_is_refused_naming_the_field()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var reader = terminal.App.Services.GetRequiredService<EmulatedCardReader>();
        var before = (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("taps").GetInt64();

        // Two quick taps of one card: each read (202 once the terminal has it), lifted after, two taps.
        for (var i = 1; i <= 2; i++)
        {
            using var tap = await terminal.Http.PostAsJsonAsync("/dev/card-taps", new { uid = "04A1B2C3", holdMs = 0 });
            Assert.Equal(HttpStatusCode.Accepted, tap.StatusCode);
            await Wait.UntilAsync(() => Task.FromResult(reader.Emulator.Field.Count == 0), TimeSpan.FromSeconds(10), "the quick tap's card to be lifted");
            Assert.Equal(before + i, (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("taps").GetInt64());
        }

        foreach (var hold in new[] { -1, 10_001 })
        {
            using var refused = await terminal.Http.PostAsJsonAsync("/dev/card-taps", new { uid = "04A1B2C3", holdMs = hold });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("holdMs", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(reader.Emulator.Field);
    }

    [Fact]
    public async Task A_125_khz_uid_on_the_13_56_mhz_emulator_is_refused_clearly()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        using var tap = await terminal.Http.PostAsJsonAsync("/dev/card-taps", new { uid = "0A00123456" });
        Assert.Equal(HttpStatusCode.BadRequest, tap.StatusCode);
        Assert.Contains("13.56 MHz", await tap.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
