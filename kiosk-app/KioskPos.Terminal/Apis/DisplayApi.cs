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
        var api = app.MapGroup("/api/v1").WithTags("Display");
        api.MapGet("/display", GetDisplay).WithSummary("What the customer display shows").Public();
        // Server-sent events (text/event-stream): not in the OpenAPI document.
        api.MapGet("/display/events", StreamDisplayAsync).ExcludeFromDescription().Public();
        return app;
    }

    private static JsonOk<DisplayScreen> GetDisplay(CustomerDisplay display) => JsonOk.Of(display.Current, TerminalJsonContext.Readable.DisplayScreen);

    private static async Task StreamDisplayAsync(HttpContext http, CustomerDisplay display, CatalogueStore catalogue)
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
