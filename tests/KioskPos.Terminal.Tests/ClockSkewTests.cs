using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KioskPos.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace KioskPos.Terminal.Tests;

public class ClockSkewTests
{
    /// <summary>A hardware clock that is off by a fixed amount, like a Pi without RTC after a power cut.</summary>
    private sealed class OffClock(TimeSpan off) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + off;
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(7)]
    public async Task A_terminal_whose_clock_is_hours_off_still_syncs_records_the_skew_and_stamps_server_time(int hoursOff)
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(
            province,
            configureFirst: services => services.AddKeyedSingleton<TimeProvider>(SyncedClock.HardwareClockKey, new OffClock(TimeSpan.FromHours(hoursOff))));

        var status = await terminal.Http.GetFromJsonAsync<JsonElement>("/api/v1/status");
        var skew = status.GetProperty("sync").GetProperty("clockSkewSeconds").GetDouble();
        // The Date header has one-second resolution and the midpoint of a slow first request adds its half;
        // the offset is hours, so half a minute of tolerance still proves the correction.
        Assert.InRange(skew, (-hoursOff * 3600) - 30, (-hoursOff * 3600) + 30);

        await terminal.TapAsync("04A1B2C3");
        using var response = await terminal.PayAsync("04A1B2C3", "HP-2611-HS240001");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var createdAt = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("createdAt").GetDateTimeOffset();
        Assert.InRange(createdAt, DateTimeOffset.UtcNow.AddSeconds(-60), DateTimeOffset.UtcNow.AddSeconds(60));

        await Wait.UntilAsync(async () => (await province.PaymentsAsync("HS240001")).Length == 1, TimeSpan.FromSeconds(15), "the payment at the server");
        Assert.Equal(1_850_000, await province.BalanceAsync("HS240001"));
    }
}
