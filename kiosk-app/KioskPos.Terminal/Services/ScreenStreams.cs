namespace KioskPos.Terminal.Services;

/// <summary>How many screens (the kiosk, the counter's customer display) follow the terminal's live events now.</summary>
public sealed class ScreenStreams
{
    private int _open;

    /// <summary>The streams open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Counts a stream until the returned object is disposed (at the end of its request).</summary>
    public IDisposable Track()
    {
        Interlocked.Increment(ref _open);
        return new Closer(this);
    }

    private sealed class Closer(ScreenStreams streams) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Interlocked.Decrement(ref streams._open);
            }
        }
    }
}
