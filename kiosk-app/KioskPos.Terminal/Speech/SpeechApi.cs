using KioskPos.Shared.Contracts;
using KioskPos.Web;
using KioskPos.Storage;
using KioskPos.Terminal.Apis;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.Terminal.Speech;

/// <summary>
/// The kiosk's and the customer display's aids: <c>POST /api/v1/speech</c> speaks a screen (the page names the screen
/// and its numbers; the words come from the terminal's catalogue and the display's state, so no page can make the
/// terminal say what it likes), and <c>GET /api/v1/kiosk/access</c> gives the province's large-transfer amount.
/// </summary>
internal static class SpeechApi
{
    /// <summary>The province's default: State Bank decision 2345/QĐ-NHNN asks for the face above 10 million đồng.</summary>
    public const long DefaultLargeTransferAbove = 10_000_000;

    /// <summary>The settings key the province's value is kept under (from its signed pull answer).</summary>
    public const string LargeTransferKey = CatalogueStore.LargeTransferKey;

    private const int MaxBody = 2048;

    public static IEndpointRouteBuilder MapSpeechApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Kiosk");
        api.MapPost("/speech", SpeakAsync).WithSummary("Speak a kiosk or display screen in Vietnamese, offline")
            .AcceptsJson<SpeechRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status503ServiceUnavailable).Public();
        api.MapGet("/kiosk/access", GetSettingsAsync).WithSummary("The kiosk's aids: the amount above which a transfer gets the face-authentication notice").Public();
        return app;
    }

    private static async Task<JsonOk<AccessSettingsView>> GetSettingsAsync(SettingsStore settings, CancellationToken ct) =>
        JsonOk.Of(new AccessSettingsView(await LargeTransferAboveAsync(settings, ct).ConfigureAwait(false)), TerminalJsonContext.Readable.AccessSettingsView);

    /// <summary>The amount above which the kiosk shows the large-transfer notice.</summary>
    public static async Task<long> LargeTransferAboveAsync(SettingsStore settings, CancellationToken ct) =>
        long.TryParse(await settings.GetAsync(LargeTransferKey, ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture, out var above) && above > 0
            ? above : DefaultLargeTransferAbove;

    private static ProblemResult TooLarge() =>
        ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, "invalid_speech", $"The body is larger than {MaxBody} bytes.");

    private static async Task<Results<JsonOk<SpeechView>, ProblemResult>> SpeakAsync(HttpContext http, SpeechEngine speech, CustomerDisplay display, CancellationToken ct)
    {
        if (http.Request.ContentLength is > MaxBody)
        {
            return TooLarge();
        }

        using var body = new MemoryStream();
        var buffer = new byte[512];
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > MaxBody)
            {
                return TooLarge();
            }
        }

        body.Position = 0;
        var (request, error) = await JsonBody.TryReadAsync(body, TerminalJsonContext.Default.SpeechRequest, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_speech", error);
        }

        if (request is null || string.IsNullOrEmpty(request.Screen) || request.Screen.Length > 40 || request.Keys is { Count: > 4 })
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_speech", "screen is required (at most 40 characters), keys at most 4.");
        }

        for (var i = 0; i < (request.Keys?.Count ?? 0); i++)
        {
            if (request.Keys![i] is null)
            {
                return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_speech", $"keys[{i}] is null; each key is a catalogue key (text).");
            }
        }

        if (SpeechTexts.Screen(request, display.Current) is not { } text)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_speech", $"screen '{request.Screen}' is not a screen that speaks, or its numbers are missing.");
        }

        try
        {
            var spoken = await speech.SpeakAsync("screen", text, 100, ct).ConfigureAwait(false);
            return JsonOk.Of(new SpeechView(spoken.Text, Math.Round(spoken.Seconds, 2)), TerminalJsonContext.Readable.SpeechView);
        }
        catch (SpeechUnavailableException e)
        {
            return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "speech_unavailable", e.Message);
        }
    }
}
