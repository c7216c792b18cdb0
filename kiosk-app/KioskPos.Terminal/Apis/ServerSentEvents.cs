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

    /// <summary>Writes one or more events and flushes them to the browser at once.</summary>
    public static async Task SendAsync(HttpResponse response, string events, CancellationToken cancellationToken)
    {
        await response.WriteAsync(events, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
