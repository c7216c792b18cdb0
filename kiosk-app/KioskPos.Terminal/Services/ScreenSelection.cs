using System.Text;
using KioskPos.Core.Hardware;
using KioskPos.Firmware.Display;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>
/// Tells the package's screen units what the hardware profile's display kind asks of them: at start, before the
/// terminal reports itself ready to systemd (the screen units start after it), it writes
/// <c>KIOSKPOS_SCREENS=hdmi2</c> (<c>"display": "hdmi2"</c>: the counter's page on one HDMI output, the customer display
/// on the other, <c>kioskpos-screens.service</c>) or <c>KIOSKPOS_SCREENS=one</c> (the one-screen kiosk,
/// <c>kioskpos-kiosk.service</c>) to <c>Hardware:ScreensFile</c> (the .deb: <c>/run/kioskpos/screens.env</c>). Both units
/// read that file and then <c>/etc/kioskpos/screen.env</c>, so a technician's setting there still wins.
/// </summary>
internal sealed class ScreenSelection(IOptions<HardwareOptions> hardware, DisplaySpec display, ILogger<ScreenSelection> logger) : IHostedService
{
    /// <summary>The variable both screen units choose by (firmware/os/kioskpos-kiosk.service, kioskpos-screens.service).</summary>
    public const string Variable = "KIOSKPOS_SCREENS";

    /// <summary>The environment file's text for <paramref name="display"/>.</summary>
    public static string Text(DisplaySpec display) =>
        "# Written by kioskpos-terminal at each start from the hardware profile's \"display\"; do not edit:\n" +
        "# /etc/kioskpos/screen.env, read after this file, is where a technician overrides it.\n" +
        $"{Variable}={(display.Kind == DisplayKind.Hdmi2 ? "hdmi2" : "one")}\n";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (hardware.Value.ScreensFile is not { Length: > 0 } path)
        {
            return;
        }

        try
        {
            // Whole or not at all: the unit may read it at any moment.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var partial = path + ".part";
            await File.WriteAllTextAsync(partial, Text(display), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            File.Move(partial, path, overwrite: true);
            logger.LogInformation("Screens: {Kind} ({Path})", display.Kind == DisplayKind.Hdmi2 ? "two HDMI screens" : "one screen", path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The terminal still takes payments; the screens stay as screen.env says.
            logger.LogError("Screens: {Path} cannot be written ({Error}); the screen units follow /etc/kioskpos/screen.env alone", path, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
