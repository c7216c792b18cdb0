using System.Threading.Channels;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// One of the terminal's server-sent event streams (the customer display, the kiosk): events posted from any thread,
/// sent to the browser in order by one writer, until the page goes away or the terminal stops.
/// </summary>
/// <remarks>
/// A stream held open would keep a stopping terminal (an upgrade, a restart) waiting for it until the host's shutdown
/// limit; ended, the browser reconnects by itself after the retry delay. Past 16 events not yet sent (a page that
/// stopped reading) the oldest are dropped: every event carries a whole state, so the last of a kind is what counts.
/// </remarks>
internal sealed class ServerSentEvents : IDisposable
{
    private readonly HttpContext _http;
    private readonly CancellationTokenSource _lasting;
    private readonly Channel<string> _events = Channel.CreateBounded<string>(new BoundedChannelOptions(16)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    public ServerSentEvents(HttpContext http)
    {
        _http = http;
        _lasting = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    }

    /// <summary>Cancelled when the page goes away or the terminal stops.</summary>
    public CancellationToken Lasting => _lasting.Token;

    /// <summary>Queues one or more events (each ending with a blank line) to be sent.</summary>
    public void Post(string events) => _events.Writer.TryWrite(events);

    /// <summary>
    /// Starts the stream (its headers, a reconnect delay of 2 s for the browser; counted as a screen until the request
    /// ends) and sends what is posted, while <paramref name="follow"/> runs beside it; returns when the stream ends.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> follow)
    {
        var response = _http.Response;
        var token = _lasting.Token;
        try
        {
            response.RegisterForDispose(_http.RequestServices.GetRequiredService<Services.ScreenStreams>().Track());
            response.Headers.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            await SendAsync("retry: 2000\n\n", token).ConfigureAwait(false);

            var following = Task.Run(() => follow(token), token);
            await foreach (var events in _events.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await SendAsync(events, token).ConfigureAwait(false);
            }

            await following.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page went away, or the terminal is stopping.
        }
    }

    public void Dispose() => _lasting.Dispose();

    // Writes and flushes at once, so the browser sees the event now.
    private async Task SendAsync(string events, CancellationToken cancellationToken)
    {
        await _http.Response.WriteAsync(events, cancellationToken).ConfigureAwait(false);
        await _http.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
