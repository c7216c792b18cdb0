using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Terminal.Services;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The customer display's API: what it shows (<c>/api/v1/display</c>) and its server-sent events at
/// <c>/api/v1/display/events</c>. The page itself, <c>/display</c>, is <c>wwwroot/display.html</c> (Screens/ScreenFiles.cs).
/// </summary>
internal static class DisplayApi
{
    public static IEndpointRouteBuilder MapDisplayApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/display", (CustomerDisplay display) => TypedResults.Json(display.Current, TerminalJsonContext.Readable.DisplayScreen));
        app.MapGet("/api/v1/display/events", StreamAsync);
        return app;
    }

    private static async Task StreamAsync(HttpContext http, CustomerDisplay display, CatalogueStore catalogue)
    {
        display.SetInstitution((await catalogue.GetInstitutionAsync(http.RequestAborted).ConfigureAwait(false))?.Name);
        await ServerSentEvents.BeginAsync(http.Response, http.RequestAborted).ConfigureAwait(false);
        try
        {
            await foreach (var screen in display.FollowAsync(http.RequestAborted).ConfigureAwait(false))
            {
                var json = JsonSerializer.Serialize(screen, TerminalJsonContext.Default.DisplayScreen);
                await ServerSentEvents.SendAsync(http.Response, $"event: screen\nid: {screen.Version}\ndata: {json}\n\n", http.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The page went away.
        }
    }
}
