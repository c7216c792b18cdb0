namespace KioskPos.Terminal.Services;

/// <summary>
/// What a terminal says when its settings name a simulator it may not run, and refuses to start rather than run with
/// nothing real behind a device: a build without the emulators (make publish-pi, make deb: -p:WithSimulators=false),
/// or a terminal not started with Hardware:AllowSimulated=true.
/// </summary>
internal static class SimulationAbsent
{
    public static string Message(string setting) =>
        $"{setting} asks for simulated hardware, but this build of the terminal has no simulators (it was built with " +
        "WithSimulators=false for a real terminal); name the real device in the hardware profile.";

    /// <summary>What a terminal says when its settings name a simulator and <c>Hardware:AllowSimulated</c> is not set.</summary>
    public static string NotAllowed(string setting) =>
        $"{setting} asks for simulated hardware, which runs only when asked for explicitly (Hardware:AllowSimulated=true, " +
        "as make run and the tests do); name the real devices, or a hardware profile (Hardware:Profile).";
}
