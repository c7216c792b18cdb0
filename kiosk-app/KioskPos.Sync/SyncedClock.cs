namespace KioskPos.Sync;

/// <summary>
/// The terminal's clock: the hardware clock corrected by the offset learned from the province server's
/// <c>Date</c> header. A Raspberry Pi has no real-time clock, so after a power cut its time may be hours off
/// until something corrects it; payments and receipts use this clock, and the skew is shown to technicians.
/// </summary>
public sealed class SyncedClock(TimeProvider hardware) : TimeProvider
{
    /// <summary>The service key of the uncorrected hardware clock.</summary>
    public const string HardwareClockKey = "hardware-clock";

    // HTTP dates have one-second resolution: smaller differences are noise, not skew.
    private static readonly TimeSpan s_tolerance = TimeSpan.FromSeconds(2);
    private long _offsetTicks;
    private long _observations;

    /// <summary>Server time minus hardware time, as last learned; zero until the first answer from the server.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>True once a server answer has been seen.</summary>
    public bool Synchronised => Interlocked.Read(ref _observations) > 0;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => hardware.GetUtcNow() + Offset;

    /// <summary>The hardware clock's time, for measuring a request's round trip.</summary>
    public DateTimeOffset HardwareNow => hardware.GetUtcNow();

    /// <summary>Learns from a server answer: <paramref name="serverDate"/> was stamped between <paramref name="sent"/> and <paramref name="received"/> (hardware time).</summary>
    /// <returns>True when the offset changed.</returns>
    public bool Observe(DateTimeOffset serverDate, DateTimeOffset sent, DateTimeOffset received)
    {
        Interlocked.Increment(ref _observations);
        var midpoint = sent + ((received - sent) / 2);
        var skew = serverDate - midpoint;
        if ((skew - Offset).Duration() <= s_tolerance)
        {
            return false;
        }

        Interlocked.Exchange(ref _offsetTicks, (skew.Duration() <= s_tolerance ? TimeSpan.Zero : skew).Ticks);
        return true;
    }
}
