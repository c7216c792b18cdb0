namespace KioskPos.Firmware.Readers;

/// <summary>The readers' waits between polls and before reopening a device.</summary>
internal static class ReaderPause
{
    /// <summary>Waits <paramref name="delay"/> on <paramref name="time"/>; false when cancelled instead (the reader stops).</summary>
    public static async Task<bool> PauseAsync(this TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
