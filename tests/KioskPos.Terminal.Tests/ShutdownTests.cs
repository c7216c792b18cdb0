using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Requests held open on purpose end when their server stops: the terminals' confirmations long poll on the province
/// (up to a minute each), the kiosk's and the customer display's event streams on the terminal (for as long as the page
/// is shown). Held, each kept its stopping server waiting until the host's shutdown limit: a province restarted for an
/// update stood half a minute refusing every terminal, and a terminal's upgrade or restart waited as long on its own
/// screens. The client of each asks again by itself (the listener at once, the browser after its retry delay).
/// </summary>
public sealed class ShutdownTests
{
    // Far below the host's shutdown limit (30 s), which a held request used to run into, and far above a stop's own time.
    private static readonly TimeSpan s_promptly = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_province_stops_at_once_while_a_terminals_confirmations_long_poll_is_open()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province);
        await Wait.UntilAsync(async () => (await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("provinceOnline").GetBoolean(),
            TimeSpan.FromSeconds(20), "the confirmations long poll open");

        var clock = Stopwatch.StartNew();
        await province.StopAsync();
        Assert.True(clock.Elapsed < s_promptly, $"the province took {clock.Elapsed.TotalSeconds:0.0} s to stop");
    }

    [Fact]
    public async Task A_terminal_stops_at_once_while_the_kiosk_and_the_display_stream_their_events()
    {
        await using var province = await ProvinceHost.StartAsync();
        var terminal = await TerminalHost.StartAsync(province);
        using var anonymous = new HttpClient { BaseAddress = terminal.Http.BaseAddress };
        using var kiosk = await EventStream.OpenAsync(anonymous, "/api/v1/kiosk/events");
        using var display = await EventStream.OpenAsync(anonymous, "/api/v1/display/events");
        await kiosk.NextAsync("network");
        await display.NextAsync("screen");

        var clock = Stopwatch.StartNew();
        await terminal.DisposeAsync();
        Assert.True(clock.Elapsed < s_promptly, $"the terminal took {clock.Elapsed.TotalSeconds:0.0} s to stop");

        // Both streams were ended by the terminal (read to their end within 15 s, not cut by a timeout): the browser
        // reconnects after its retry delay.
        await Assert.ThrowsAsync<EndOfStreamException>(() => kiosk.NextAsync("none"));
        await Assert.ThrowsAsync<EndOfStreamException>(() => display.NextAsync("none"));
    }
}
