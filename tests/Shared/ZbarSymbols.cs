using System.Diagnostics;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Tests.Shared;

/// <summary>Every symbol Debian's zbarimg finds on a printed page, 1D and QR, as "TYPE:data" (CODE-128:..., EAN-13:..., QR-Code:...).</summary>
internal static class ZbarSymbols
{
    public static IReadOnlyList<string> Decode(PrintedPage page)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kioskpos-zbar-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(file, page.ToPng());
        try
        {
            var start = new ProcessStartInfo("zbarimg", ["--quiet", "-Senable", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();

            // Exit 4: nothing found.
            Assert.True(process.ExitCode is 0 or 4, $"zbarimg exit {process.ExitCode}: {error}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
