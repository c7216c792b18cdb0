using System.Net.Http.Json;

namespace KioskPos.Benchmarks;

/// <summary>
/// Cards held to the terminal's simulated reader (<c>POST /dev/card-taps</c>) by the benchmarks that pay by card, and
/// the demo's two pupils whose cards they take in turn.
/// </summary>
internal static class SimulatedTaps
{
    /// <summary>
    /// The demo's two pupils (card, bill), taken in turn: the reader counts a card as taken away only after three empty
    /// polls, which a loaded machine stretches, so the same card tapped again at once would be the same presence.
    /// </summary>
    public static (string Uid, string Bill) Pupil(int payment) =>
        payment % 2 == 1 ? ("04A1B2C3", "HP-2611-HS240001") : ("04D4E5F6", "HP-2611-HS240002");

    /// <summary>
    /// Taps <paramref name="uid"/> and waits until the terminal has read it. On a loaded machine a tap can still be
    /// missed (the reader polls late; at load 70 three in a row, 15 s each, ended a run): it is tapped again, up to six
    /// times. Returns how many taps were missed (the caller leaves them out of its timings).
    /// </summary>
    public static async Task<int> TapAsync(HttpClient http, string uid, int payment)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var tap = await http.PostAsJsonAsync("/dev/card-taps", new { uid, holdMs = 30 });
            if (tap.IsSuccessStatusCode)
            {
                return attempt - 1;
            }

            if (attempt == 6)
            {
                throw new InvalidOperationException($"tap {payment} answered {(int)tap.StatusCode}: {await tap.Content.ReadAsStringAsync()}");
            }
        }
    }
}
