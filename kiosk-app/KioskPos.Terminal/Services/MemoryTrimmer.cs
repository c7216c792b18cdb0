namespace KioskPos.Terminal.Services;

/// <summary>
/// Every <see cref="Interval"/>, hands the C heap's free pages back to the kernel (<see cref="NativeHeap.Trim"/>): a
/// terminal on a 512 MB Pi Zero 2 W shares its memory with Chromium, and the pages SQLite, OpenSSL and zlib freed
/// after a busy hour are of no use to the terminal until the next. Measured in bench/README.md (<c>payments</c>,
/// issue #26). A trim takes well under a millisecond for a heap of a few megabytes.
/// </summary>
internal sealed class NativeHeapTrimmer(TimeProvider time) : BackgroundService
{
    /// <summary>How often the heap is trimmed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // no glibc to trim
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            NativeHeap.Trim();
        }
    }
}
