using KioskPos.Firmware.Audio;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Speech;

/// <summary>
/// Whether headphones are in the terminal's jack (<c>Hardware:HeadphoneJack</c>): plugging them in switches speech on
/// on the kiosk and the customer display (the screens hear it on their event streams as <c>headphones</c>), pulling
/// them out switches it off. Null while the terminal has no jack to watch or has not heard from it yet.
/// </summary>
public sealed class Headphones
{
    private readonly Lock _gate = new();
    private bool? _plugged;

    /// <summary>True plugged in, false pulled out, null unknown.</summary>
    public bool? Plugged
    {
        get
        {
            lock (_gate)
            {
                return _plugged;
            }
        }
    }

    /// <summary>Raised with the new state when it changes.</summary>
    public event Action<bool>? Changed;

    /// <summary>Records what the jack reported; the screens hear of a change.</summary>
    public void Report(bool plugged)
    {
        lock (_gate)
        {
            if (_plugged == plugged)
            {
                return;
            }

            _plugged = plugged;
        }

        Changed?.Invoke(plugged);
    }

    /// <summary>The server-sent event the screens switch speech by.</summary>
    public static string Event(bool plugged) => $"event: headphones\ndata: {(plugged ? "true" : "false")}\n\n";
}

/// <summary>
/// Watches the headphone jack's input device (<c>Hardware:HeadphoneJack</c>: a path, <c>auto</c> to find it by its
/// capability in <c>/proc/bus/input/devices</c>, or <c>none</c>) and reports each state to <see cref="Headphones"/>.
/// </summary>
internal sealed class HeadphoneListener(Headphones headphones, IOptions<HardwareOptions> hardware, TimeProvider time, ILogger<HeadphoneListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var setting = hardware.Value.HeadphoneJack;
        var path = setting switch
        {
            null or "" or "none" => null,
            "auto" => File.Exists(HeadphoneJack.DevicesList) ? HeadphoneJack.Find(await File.ReadAllTextAsync(HeadphoneJack.DevicesList, stoppingToken).ConfigureAwait(false)) : null,
            _ => setting,
        };
        if (path is null)
        {
            if (setting == "auto")
            {
                logger.LogInformation("Headphone jack: no input device reports one; speech is switched by the screens' button only");
            }

            return;
        }

        var jack = new HeadphoneJack(path, time, logger: logger);
        logger.LogInformation("Headphone jack: watching {Path}", path);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var plugged in jack.ReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    logger.LogInformation("Headphones {State}", plugged ? "plugged in: speech on" : "pulled out: speech off");
                    headphones.Report(plugged);
                }

                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                logger.LogError(e, "Headphone jack {Path} failed ({Error}); reading again in 2 s", path, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
