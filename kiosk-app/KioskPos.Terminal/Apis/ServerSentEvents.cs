namespace KioskPos.Terminal.Apis;

/// <summary>The shape of the terminal's server-sent event streams (the customer display, the kiosk).</summary>
internal static class ServerSentEvents
{
    /// <summary>Starts a stream: the headers, and a reconnect delay of 2 s for the browser; counted as a screen until the request ends.</summary>
    public static Task BeginAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.RegisterForDispose(response.HttpContext.RequestServices.GetRequiredService<Services.ScreenStreams>().Track());
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        return SendAsync(response, "retry: 2000\n\n", cancellationToken);
    }

    /// <summary>
    /// How long a stream lasts: until the page goes away or the terminal stops. A stream held open would keep a
    /// stopping terminal (an upgrade, a restart) waiting for it until the host's shutdown limit; ended, the browser
    /// reconnects by itself after the retry delay.
    /// </summary>
    public static CancellationTokenSource Lasting(HttpContext http) =>
        CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);

    /// <summary>Writes one or more events and flushes them to the browser at once.</summary>
    public static async Task SendAsync(HttpResponse response, string events, CancellationToken cancellationToken)
    {
        await response.WriteAsync(events, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
