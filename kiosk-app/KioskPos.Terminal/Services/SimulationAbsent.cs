namespace KioskPos.Terminal.Services;

/// <summary>
/// What a terminal built without the emulators (make publish-pi, make deb: -p:WithSimulators=false) says when its
/// configuration still asks for simulated hardware: it refuses to start rather than run with nothing behind a device.
/// </summary>
internal static class SimulationAbsent
{
    public static string Message(string setting) =>
        $"{setting} asks for simulated hardware, but this build of the terminal has no simulators (it was built with " +
        "WithSimulators=false for a real terminal); name the real device in the hardware profile.";
}
