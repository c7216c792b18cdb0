using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>
/// When someone last asked the terminal to do something (any request but a read: a payment, a top-up, a cancel, a
/// sign-in). The kiosk's screens poll and stream with reads all day, so reads do not count.
/// </summary>
public sealed class TerminalActivity
{
    private long _lastTimestamp = Stopwatch.GetTimestamp();
    private long _changes;

    /// <summary>Notes a request that does something, at its start and at its end.</summary>
    public void Touch()
    {
        Interlocked.Exchange(ref _lastTimestamp, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _changes);
    }

    /// <summary>How many times <see cref="Touch"/> was called: a settled terminal compares it with the count it settled at.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>How long since the last such request (or since start).</summary>
    public TimeSpan Quiet => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTimestamp));
}

/// <summary>
/// Gives memory back while the terminal has nothing to do. Every <see cref="Interval"/>, the C heap's free pages go
/// back to the kernel (<see cref="NativeHeap.Trim"/>): a terminal on a 512 MB Pi Zero 2 W shares its memory with
/// Chromium, and the pages SQLite, OpenSSL and zlib freed after a busy hour are of no use to the terminal until the
/// next. And once the terminal has been quiet for <see cref="TerminalOptions.MemorySettleAfter"/> (no request that
/// does something), once per quiet spell, the GC collects everything and compacts, giving back what it had committed
/// for the busy spell (<see cref="GCCollectionMode.Aggressive"/>), then the C heap is trimmed: between payers the
/// terminal holds what it keeps, not where the last payment's collections left it (issue #26; bench/README.md,
/// <c>payments</c>, reads the memory at rest this way). The collection takes a few milliseconds for a heap of a few
/// megabytes; a payer arriving at that moment waits that long.
/// </summary>
internal sealed class MemoryTrimmer(TerminalActivity activity, IOptions<TerminalOptions> options, TimeProvider time, ILogger<MemoryTrimmer> logger) : BackgroundService
{
    /// <summary>How often the C heap is trimmed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private long _settles;

    /// <summary>Quiet spells the memory was settled in since start (<c>kioskpos_memory_settles_total</c>).</summary>
    public long Settles => Interlocked.Read(ref _settles);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settleAfter = options.Value.MemorySettleAfter;
        var settling = settleAfter > TimeSpan.Zero;

        // Looks often enough to settle soon after the quiet spell starts (a quarter of the wait, at least every 200 ms,
        // at most every Interval), and trims every Interval as before.
        var tick = settling
            ? TimeSpan.FromTicks(Math.Clamp(settleAfter.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, Interval.Ticks))
            : Interval;
        long settledAt = -1;
        var sinceTrim = TimeSpan.Zero;
        using var timer = new PeriodicTimer(tick, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            sinceTrim += tick;
            var changes = activity.Changes;
            if (settling && changes != settledAt && activity.Quiet >= settleAfter)
            {
                var started = Stopwatch.GetTimestamp();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                NativeHeap.Trim();
                settledAt = changes;
                sinceTrim = TimeSpan.Zero;
                Interlocked.Increment(ref _settles);
                logger.LogDebug("Memory settled after a quiet spell in {Ms:0.0} ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                continue;
            }

            if (sinceTrim >= Interval)
            {
                NativeHeap.Trim();
                sinceTrim = TimeSpan.Zero;
            }
        }
    }
}
