using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// The terminal drives its status light, buzzer and help button through GpioController on the simulated GPIO chip:
/// what a parent sees and hears follows what the terminal does.
/// </summary>
public class IndicatorTests
{
    [Fact]
    public async Task The_buzzer_beeps_once_for_a_known_card_and_money_taken_and_three_times_for_an_unknown_card()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.Equal("simulated", status.GetProperty("indicators").GetProperty("gpio").GetString());
        Assert.Equal(0, await BeepsAsync(terminal));

        await terminal.TapAsync("04A1B2C3");
        await UntilBeepsAsync(terminal, 1);

        using (var paid = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }

        await UntilBeepsAsync(terminal, 2);

        var unknown = await terminal.TapAsync("04FFEE01");
        Assert.False(unknown.GetProperty("recognised").GetBoolean());
        await UntilBeepsAsync(terminal, 5);

        var blocked = await terminal.TapAsync("04112233");
        Assert.True(blocked.GetProperty("blocked").GetBoolean());
        await UntilBeepsAsync(terminal, 8);

        // A refused payment (the card's tap was used by the first payment) is three more.
        using (var refused = await terminal.PayAsync("04A1B2C3", "BT-2611-HS240001"))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        }

        await UntilBeepsAsync(terminal, 11);
        await Task.Delay(600);
        Assert.Equal(11, await BeepsAsync(terminal)); // and no more
    }

    [Fact]
    public async Task The_light_is_steady_when_ready_blinks_while_a_qr_waits_and_blinks_fast_while_the_printer_is_out_of_paper()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await UntilLightAsync(terminal, "ready");
        Assert.True((await GpioAsync(terminal)).GetProperty("lightOn").GetBoolean());

        // A VietQR payment waits for the bank: busy, the pin blinking.
        using var qr = await terminal.Http.PostAsJsonAsync("/api/v1/payments", new { payerCode = "HS240002", method = "vietqr", bills = new[] { new { billId = "HP-2611-HS240002" } } });
        Assert.Equal(HttpStatusCode.Created, qr.StatusCode);
        var id = (await qr.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await UntilLightAsync(terminal, "busy");
        var changes = (await GpioAsync(terminal)).GetProperty("lightChanges").GetInt32();
        await Wait.UntilAsync(async () => (await GpioAsync(terminal)).GetProperty("lightChanges").GetInt32() >= changes + 2, TimeSpan.FromSeconds(5), "the light to blink");

        using (var cancelled = await terminal.Http.PostAsync(terminal.PaymentUrl(id, "/cancel"), null))
        {
            Assert.True(cancelled.IsSuccessStatusCode);
        }

        await UntilLightAsync(terminal, "ready");

        // Paper out: fast blink until paper is back.
        using (var paperOut = await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = true }))
        {
            Assert.Equal(HttpStatusCode.NoContent, paperOut.StatusCode);
        }

        await UntilLightAsync(terminal, "error");
        using (var paperBack = await terminal.Http.PostAsJsonAsync("/dev/printer", new { paperOut = false }))
        {
            Assert.Equal(HttpStatusCode.NoContent, paperBack.StatusCode);
        }

        await UntilLightAsync(terminal, "ready");
    }

    [Fact]
    public async Task Pressing_the_help_button_is_heard_and_shown_to_staff()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        var before = (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("indicators");
        Assert.Equal(0, before.GetProperty("helpRequests").GetInt64());
        Assert.False(before.TryGetProperty("helpRequestedAt", out var none) && none.ValueKind != JsonValueKind.Null);

        using (var press = await terminal.Http.PostAsync("/dev/gpio/help-button", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, press.StatusCode);
        }

        var after = (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("indicators");
        Assert.Equal(1, after.GetProperty("helpRequests").GetInt64());
        Assert.True(after.GetProperty("helpRequestedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        await UntilBeepsAsync(terminal, 1); // one long beep: heard
        Assert.Contains("nút hỗ trợ", await terminal.Http.GetStringAsync("/"), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> GpioAsync(TerminalHost terminal) => await terminal.Http.GetFromJsonAsync<JsonElement>("/dev/gpio");

    private static async Task<long> BeepsAsync(TerminalHost terminal) => (await GpioAsync(terminal)).GetProperty("buzzerBeeps").GetInt64();

    private static Task UntilBeepsAsync(TerminalHost terminal, long beeps) =>
        Wait.UntilAsync(async () => await BeepsAsync(terminal) >= beeps, TimeSpan.FromSeconds(10), $"{beeps} beeps");

    private static Task UntilLightAsync(TerminalHost terminal, string pattern) =>
        Wait.UntilAsync(async () => (await GpioAsync(terminal)).GetProperty("light").GetString() == pattern, TimeSpan.FromSeconds(15), $"the light {pattern}");
}
