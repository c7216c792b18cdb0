namespace KioskPos.Sync;

/// <summary>Wakes a background worker before its next timed round; several requests before it wakes count as one.</summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Asks the worker to run now.</summary>
    public void Request()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already requested.
        }
    }

    /// <summary>Waits for a request or for <paramref name="delay"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => _signal.WaitAsync(delay, cancellationToken);
}
