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
        using var streaming = ServerSentEvents.Lasting(http);
        display.SetInstitution((await catalogue.GetInstitutionAsync(streaming.Token).ConfigureAwait(false))?.Name);
        // The screens and the headphone jack, written to the response by one writer.
        var events = System.Threading.Channels.Channel.CreateBounded<string>(new System.Threading.Channels.BoundedChannelOptions(16)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        void OnHeadphones(bool plugged) => events.Writer.TryWrite(Speech.Headphones.Event(plugged));
        headphones.Changed += OnHeadphones;
        try
        {
            await ServerSentEvents.BeginAsync(http.Response, streaming.Token).ConfigureAwait(false);
            if (headphones.Plugged is { } plugged)
            {
                OnHeadphones(plugged);
            }

            var screens = Task.Run(async () =>
            {
                await foreach (var screen in display.FollowAsync(streaming.Token).ConfigureAwait(false))
                {
                    var json = JsonSerializer.Serialize(screen, TerminalJsonContext.Default.DisplayScreen);
                    events.Writer.TryWrite($"event: screen\nid: {screen.Version}\ndata: {json}\n\n");
                }
            }, streaming.Token);
            await foreach (var message in events.Reader.ReadAllAsync(streaming.Token).ConfigureAwait(false))
            {
                await ServerSentEvents.SendAsync(http.Response, message, streaming.Token).ConfigureAwait(false);
            }

            await screens.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (streaming.IsCancellationRequested)
        {
            // The page went away, or the terminal is stopping.
        }
        finally
        {
            headphones.Changed -= OnHeadphones;
        }
    }
}
