using KioskPos.ProvinceServer.Data;

namespace KioskPos.Terminal.Tests;

/// <summary>
/// Two terminals of one school on a real province server, as the card tests need them: the counter (KP-THCS-ND-01),
/// where a card is changed or an account closed, and a kiosk (KP-THCS-ND-02), which must learn of it. The province
/// keeps its folder and port (<see cref="KeptProvince"/>), so a test may stop it and start it again with its data.
/// </summary>
public sealed class CounterAndKiosk : IAsyncDisposable
{
    private CounterAndKiosk(KeptProvince kept, ProvinceHost province, TerminalHost counter, TerminalHost kiosk)
    {
        Kept = kept;
        Province = province;
        Counter = counter;
        Kiosk = kiosk;
    }

    /// <summary>The province's folder and port.</summary>
    public KeptProvince Kept { get; }

    /// <summary>The province as first started (a test may stop it).</summary>
    public ProvinceHost Province { get; }

    /// <summary>The counter terminal, KP-THCS-ND-01.</summary>
    public TerminalHost Counter { get; }

    /// <summary>The kiosk, KP-THCS-ND-02, of the same school.</summary>
    public TerminalHost Kiosk { get; }

    /// <summary>
    /// Starts the demo province on <paramref name="engine"/> and enrols the two terminals with it (the counter with
    /// <paramref name="counterArgs"/>, the kiosk with <paramref name="kioskArgs"/>, if any).
    /// </summary>
    public static async Task<CounterAndKiosk> StartAsync(ProvinceEngine engine, string[]? counterArgs = null, string[]? kioskArgs = null)
    {
        var kept = new KeptProvince(engine);
        var province = await kept.StartAsync();
        var counter = await TerminalHost.StartAsync(province, extraArgs: counterArgs);
        var kiosk = await TerminalHost.StartSecondAsync(province, kioskArgs);
        return new CounterAndKiosk(kept, province, counter, kiosk);
    }

    /// <summary>The kiosk, then the counter, then the province (whether or not the test stopped it); last the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await Kiosk.DisposeAsync();
        await Counter.DisposeAsync();
        await Province.DisposeAsync();
        Kept.Dispose();
    }
}
