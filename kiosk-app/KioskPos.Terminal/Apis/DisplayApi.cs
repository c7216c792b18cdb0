using System.Text.Json;
using KioskPos.Storage;
using KioskPos.Terminal.Services;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The customer display: <c>/display</c> (a small page, every asset served from here, so it works with the
/// network down) and its server-sent events at <c>/api/v1/display/events</c>.
/// </summary>
internal static class DisplayApi
{
    public static IEndpointRouteBuilder MapDisplayApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/display", () => Results.Content(DisplayPage.Html, "text/html; charset=utf-8"));
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
