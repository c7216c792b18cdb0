using System.Globalization;
using KioskPos.Tests.Shared;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// A real terminal (Kestrel on 127.0.0.1) gives back the memory of a busy spell once it has been quiet for
/// <c>Terminal:MemorySettleAfter</c> (issue #26): once per quiet spell, never while requests that do something keep
/// coming, and never when the setting is zero. Seen from its own metrics, as the payments benchmark reads it.
/// </summary>
public class MemorySettleTests
{
    [Fact]
    public async Task The_terminal_settles_its_memory_once_per_quiet_spell_and_not_while_it_is_busy()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Terminal:MemorySettleAfter=00:00:01"]);

        // Quiet since the start: settled once, and only once however long the quiet lasts.
        await Wait.UntilAsync(async () => await SettlesAsync(terminal) >= 1, TimeSpan.FromSeconds(15), "the first settle");
        var first = await SettlesAsync(terminal);
        var gen2 = await MetricAsync(terminal, "kioskpos_gc_collections_total{generation=\"2\"}");
        await Task.Delay(2500);
        Assert.Equal(first, await SettlesAsync(terminal));

        // Busy: a request that does something every 300 ms for 3 s (taps on the reader), and reads in between, which do
        // not count. No settle in the middle of it.
        for (var i = 0; i < 10; i++)
        {
            await terminal.TapAsync("04A1B2C3");
            await terminal.Http.GetAsync("/api/v1/status");
            await Task.Delay(300);
        }

        Assert.Equal(first, await SettlesAsync(terminal));

        // Quiet again: one more, with a full collection.
        await Wait.UntilAsync(async () => await SettlesAsync(terminal) == first + 1, TimeSpan.FromSeconds(15), "the settle after the taps");
        Assert.True(await MetricAsync(terminal, "kioskpos_gc_collections_total{generation=\"2\"}") > gen2, "a settle collects the whole heap");
        await Task.Delay(2500);
        Assert.Equal(first + 1, await SettlesAsync(terminal));
    }

    [Fact]
    public async Task A_terminal_told_zero_never_settles()
    {
        await using var province = await ProvinceHost.StartAsync();
        await using var terminal = await TerminalHost.StartAsync(province, extraArgs: ["--Terminal:MemorySettleAfter=00:00:00"]);
        await terminal.TapAsync("04A1B2C3");
        await Task.Delay(3000);
        Assert.Equal(0, await SettlesAsync(terminal));
    }

    private static async Task<double> SettlesAsync(TerminalHost terminal) => await MetricAsync(terminal, "kioskpos_memory_settles_total");

    private static async Task<double> MetricAsync(TerminalHost terminal, string name)
    {
        var metrics = await terminal.Http.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
