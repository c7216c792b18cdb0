using System.Diagnostics;

namespace KioskPos.Tests.Shared;

/// <summary>Runs Debian's zbarimg (zbar-tools, installed by scripts/prereqs.sh) on an image file and returns the one QR payload it reads.</summary>
internal static class ZbarImg
{
    public static string Decode(string file)
    {
        var start = new ProcessStartInfo("zbarimg", ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"zbarimg exit {process.ExitCode}: {error}");
        return output.TrimEnd('\n');
    }
}
