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

    private static async Task StreamDisplayAsync(HttpContext http, CustomerDisplay display, CatalogueStore catalogue, Speech.Headphones headphones)
    {
        using var stream = new ServerSentEvents(http);
        try
        {
            display.SetInstitution((await catalogue.GetInstitutionAsync(stream.Lasting).ConfigureAwait(false))?.Name);
        }
        catch (OperationCanceledException) when (stream.Lasting.IsCancellationRequested)
        {
            return;
        }

        // The screens and the headphone jack.
        void OnHeadphones(bool plugged) => stream.Post(Speech.Headphones.Event(plugged));
        headphones.Changed += OnHeadphones;
        try
        {
            if (headphones.Plugged is { } plugged)
            {
                OnHeadphones(plugged);
            }

            await stream.RunAsync(async lasting =>
            {
                await foreach (var screen in display.FollowAsync(lasting).ConfigureAwait(false))
                {
                    stream.Post($"event: screen\nid: {screen.Version}\ndata: {JsonSerializer.Serialize(screen, TerminalJsonContext.Default.DisplayScreen)}\n\n");
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            headphones.Changed -= OnHeadphones;
        }
    }
}
