using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Printing.Tests;

public class SmokeTests
{
    [Fact]
    public void Renders()
    {
        using var fonts = ReceiptFonts.Load();
        var encoder = new DocumentEncoder(new PrinterLanguage(80), fonts);
        var bytes = encoder.Encode(Samples.TuitionDocument());
        var emulator = new EscPosEmulator(576, fonts);
        var pages = emulator.RenderAll(bytes);
        File.WriteAllBytes("/tmp/smoke.png", pages[0].ToPng());
        var text = new DocumentEncoder(new PrinterLanguage(80, PrinterTextMode.Tcvn3), null).Encode(Samples.TuitionDocument());
        var pages2 = new EscPosEmulator(576, fonts).RenderAll(text);
        File.WriteAllBytes("/tmp/smoke2.png", pages2[0].ToPng());
        File.WriteAllText("/tmp/smoke2.txt", string.Join("\n", pages2[0].Text));
    }
}
