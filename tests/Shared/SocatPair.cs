using System.Diagnostics;

namespace KioskPos.Tests.Shared;

/// <summary>
/// A pty pair made by Debian's socat (installed by scripts/prereqs.sh): two device files joined back to back, raw,
/// standing in for a printer's USB line printer file or serial port on one side and the printer on the other.
/// Stopping it removes both links, as unplugging removes /dev/usb/lp0; starting it again makes them anew.
/// </summary>
internal sealed class SocatPair : IDisposable
{
    private Process? _process;

    public SocatPair(string folder, string name = "lp0")
    {
        Host = Path.Combine(folder, name);
        Device = Path.Combine(folder, name + "-printer");
        Start();
    }

    /// <summary>The end the driver opens.</summary>
    public string Host { get; }

    /// <summary>The end the emulator serves.</summary>
    public string Device { get; }

    public void Start()
    {
        Stop();
        var start = new ProcessStartInfo("socat", [$"pty,raw,echo=0,link={Host}", $"pty,raw,echo=0,link={Device}"]) { RedirectStandardError = true };
        _process = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(File.Exists(Host) && File.Exists(Device)))
        {
            Assert.True(DateTime.UtcNow < deadline && !_process.HasExited, "socat did not make its pty pair");
            Thread.Sleep(20);
        }
    }

    public void Stop()
    {
        // The links go first, then socat (killed, it could not remove them itself). A link left behind points at a
        // /dev/pts number the kernel soon gives to another pty — another test's socat pair, in a test assembly
        // running beside this one — and whoever reopens the path would talk to that test's printer (CI saw jobs
        // lost and pages appear from nowhere in two pty tests at once).
        File.Delete(Host);
        File.Delete(Device);
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}
