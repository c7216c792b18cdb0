using System.Text.Json;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Hardware.Simulators.Tests.Printer;

/// <summary>
/// ESC/POS streams made by two third-party encoders (Fixtures/encoders/make-fixtures.mjs: @point-of-sale/
/// receipt-printer-encoder and node-thermal-printer, Vietnamese in WPC1258), rendered by the emulator: nothing not
/// understood, the Vietnamese text as written, every barcode and the QR code read back by zbarimg.
/// </summary>
public class ThirdPartyStreamTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    public static TheoryData<string> Fixtures => ["receipt-printer-encoder-4.0.1-wpc1258.bin", "node-thermal-printer-4.6.1-wpc1258.bin"];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_third_party_stream_renders_whole_with_its_text_barcodes_and_qr(string name)
    {
        var expected = Expected(name);
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var pages = emulator.RenderAll(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)));

        Assert.Empty(emulator.NotUnderstood);
        var page = pages[0];
        Assert.True(page.Complete, "the stream ends with a cut");
        foreach (var line in expected.GetProperty("text").EnumerateArray().Select(l => l.GetString()!))
        {
            Assert.Contains(page.Text, l => l.Contains(line, StringComparison.Ordinal));
        }

        Assert.Equal([.. expected.GetProperty("qr").EnumerateArray().Select(q => q.GetString()!)], page.QrCodes);
        Assert.Equal(1, emulator.DrawerPulses);

        if (Environment.GetEnvironmentVariable("KIOSKPOS_PRINT_DUMP") is { Length: > 0 } folder)
        {
            // To look at what the emulator printed: KIOSKPOS_PRINT_DUMP=/tmp/pages dotnet test ...
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, Path.ChangeExtension(name, ".png")), page.ToPng());
        }

        var found = ZbarSymbols.Decode(page);
        foreach (var barcode in expected.GetProperty("barcodes").EnumerateArray())
        {
            var symbol = $"{barcode.GetProperty("zbar").GetString()}:{barcode.GetProperty("decoded").GetString()}";
            Assert.True(found.Contains(symbol), $"zbarimg did not read {symbol}; it read: {string.Join(", ", found)}");
        }

        Assert.Contains($"QR-Code:{expected.GetProperty("qr")[0].GetString()}", found);
    }

    private static JsonElement Expected(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "encoders", "expected.json")));
        return document.RootElement.GetProperty(name).Clone();
    }
}
