using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.Integration.Tests;

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
    public async Task A_125_khz_uid_on_the_13_56_mhz_emulator_is_refused_clearly()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        using var tap = await terminal.Http.PostAsJsonAsync("/dev/card-taps", new { uid = "0A00123456" });
        Assert.Equal(HttpStatusCode.BadRequest, tap.StatusCode);
        Assert.Contains("13.56 MHz", await tap.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
