using KioskPos.Firmware.Printing;

namespace KioskPos.Tests.Shared;

/// <summary>The receipt fonts, loaded once per test class that renders or emulates paper.</summary>
public sealed class FontsFixture : IDisposable
{
    public ReceiptFonts Fonts { get; } = ReceiptFonts.Load();

    public void Dispose() => Fonts.Dispose();
}
