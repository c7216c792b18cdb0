using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Hardware.Simulators.Tests.Printer;

/// <summary>Where the emulator's paper is black.</summary>
internal static class PageInk
{
    /// <summary>Black dots of the page between columns <paramref name="from"/> and <paramref name="to"/> (inclusive).</summary>
    public static int Ink(PrintedPage page, int from, int to)
    {
        var count = 0;
        for (var y = 0; y < page.Image.Height; y++)
        {
            for (var x = from; x <= Math.Min(to, page.Image.Width - 1); x++)
            {
                count += page.Image[x, y] ? 1 : 0;
            }
        }

        return count;
    }
}
