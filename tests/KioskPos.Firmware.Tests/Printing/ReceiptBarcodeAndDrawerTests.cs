using KioskPos.Core.Receipts;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

namespace KioskPos.Firmware.Tests.Printing;

/// <summary>Our driver's CODE128 (GS k, m = 73) and the cash drawer pulse a hardware profile asks for, byte for byte
/// and through the printer emulator (barcode read back by zbarimg).</summary>
public class ReceiptBarcodeAndDrawerTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    [Theory]
    [InlineData("T01-000042", "1D 48 02 1D 68 3C 1D 77 02 1D 6B 49 0C 7B 42 54 30 31 2D 30 30 30 30 34 32")]
    [InlineData("12345678", "1D 48 02 1D 68 3C 1D 77 02 1D 6B 49 06 7B 43 0C 22 38 4E")]
    [InlineData("123", "1D 48 02 1D 68 3C 1D 77 02 1D 6B 49 06 7B 43 0C 7B 42 33")]
    [InlineData("a{b", "1D 48 02 1D 68 3C 1D 77 02 1D 6B 49 06 7B 42 61 7B 7B 62")]
    public void Code128_picks_code_set_c_for_digits_and_b_for_the_rest(string data, string hex) =>
        Assert.Equal(hex, EscPosCommandTests.Hex(EscPos.Code128(data)));

    [Theory]
    [InlineData("")]
    [InlineData("Số 1")]
    public void Code128_refuses_what_it_cannot_encode(string data) =>
        Assert.Throws<ArgumentException>(() => EscPos.Code128(data));

    [Theory]
    [InlineData("T01-000042")]
    [InlineData("20260905093000")]
    [InlineData("123")]
    [InlineData("KP-{x}-9")]
    public void Code128_prints_and_scans_back(string data)
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var page = emulator.RenderAll([.. EscPos.Initialise(), .. EscPos.Align(Justification.Centre), .. EscPos.Code128(data), EscPos.LineFeed, .. EscPos.Cut()])[0];
        Assert.Empty(emulator.NotUnderstood);
        Assert.Equal([$"Code128:{data}"], page.Barcodes);
        Assert.Contains($"CODE-128:{data}", ZbarSymbols.Decode(page));
    }

    [Theory]
    [InlineData(PrinterTextMode.Raster)]
    [InlineData(PrinterTextMode.Windows1258)]
    public void A_counter_profile_prints_the_receipt_number_as_code128_and_opens_the_drawer(PrinterTextMode mode)
    {
        var language = new PrinterLanguage(80, mode) { ReferenceBarcode = true, CashDrawerPin = 2 };
        var encoder = new DocumentEncoder(language, mode == PrinterTextMode.Raster ? fixture.Fonts : null);
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var page = emulator.RenderAll(encoder.Encode(Samples.TuitionDocument()))[0];

        Assert.Empty(emulator.NotUnderstood);
        Assert.True(page.Complete);
        Assert.Equal(["Code128:T01-000042"], page.Barcodes);
        Assert.Contains("CODE-128:T01-000042", ZbarSymbols.Decode(page));
        Assert.Equal(1, emulator.DrawerPulses);
        Assert.Equal((2, 50, 500), emulator.LastDrawerPulse);
        Assert.Contains("receipt number as CODE128, cash drawer on pin 2", language.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_profile_asking_there_is_neither_barcode_nor_pulse_and_a_provisional_slip_opens_nothing()
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var plain = new DocumentEncoder(new PrinterLanguage(80, PrinterTextMode.Windows1258), null);
        Assert.Empty(emulator.RenderAll(plain.Encode(Samples.TuitionDocument()))[0].Barcodes);
        Assert.Equal(0, emulator.DrawerPulses);

        var counter = new DocumentEncoder(new PrinterLanguage(80, PrinterTextMode.Windows1258) { ReferenceBarcode = true, CashDrawerPin = 5 }, null);
        var provisional = Samples.TuitionDocument() with { Reference = "T01-000042-tam" };
        Assert.Empty(emulator.RenderAll(counter.Encode(provisional))[0].Barcodes);
        Assert.Equal(0, emulator.DrawerPulses);
    }

    [Fact]
    public void A_drawer_pin_other_than_2_or_5_is_refused_at_start_up()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrinterLanguage { CashDrawerPin = 3 });
        var profile = new HardwareProfile { Name = "counter", CardReader = "simulated", Printer = "emulator", PaperWidthMm = 80, CashDrawerPin = 3 };
        Assert.Contains("cashDrawerPin must be 2 or 5", Assert.Single(profile.Validate(_ => true)), StringComparison.Ordinal);
    }
}
