using System.Text;
using KioskPos.Core.Receipts;
using KioskPos.Core.VietQr;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;
using KioskPos.Tests.Shared;

namespace KioskPos.Firmware.Tests.Printing;

public class RenderAndEmulatorTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    private const string EveryVietnameseLetter =
        "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ";

    [Fact]
    public void The_receipt_font_has_every_Vietnamese_letter_in_both_cases_and_the_dong_sign()
    {
        var letters = EveryVietnameseLetter + EveryVietnameseLetter.ToUpperInvariant() + "₫";
        foreach (var face in new[] { fixture.Fonts.Regular, fixture.Fonts.Bold })
        {
            var missing = letters.Where(c => !face.Has(c)).ToArray();
            Assert.True(missing.Length == 0, $"{face.Path} lacks: {new string(missing)}");
        }
    }

    [Theory]
    [InlineData(58, RasterRenderer.Width58mm)]
    [InlineData(80, RasterRenderer.Width80mm)]
    public void Raster_rendering_is_paper_wide_and_deterministic(int paper, int dots)
    {
        var renderer = new RasterRenderer(fixture.Fonts);
        var first = renderer.Render(Samples.TuitionDocument(), dots);
        var second = renderer.Render(Samples.TuitionDocument(), dots);
        Assert.Equal(dots, first.Width);
        Assert.Equal(first.Rows, second.Rows);
        Assert.True(first.Height > 800, $"{paper} mm receipt is only {first.Height} dots tall");

        // NFC first: the same text decomposed renders the same bits.
        var decomposed = Samples.Tuition() with { PayerName = "Nguyễn Thị Bảo Ngọc".Normalize(NormalizationForm.FormD) };
        Assert.Equal(first.Rows, renderer.Render(ReceiptLayouts.Payment(decomposed, PrintCopy.Original, Samples.LookupUrl), dots).Rows);
    }

    [Theory]
    [InlineData(58)]
    [InlineData(80)]
    public void A_raster_receipt_printed_into_the_emulator_gives_a_PNG_whose_QR_decodes_to_the_lookup_URL(int paper)
    {
        var language = new PrinterLanguage(paper);
        var bytes = new DocumentEncoder(language, fixture.Fonts).Encode(Samples.TuitionDocument());
        var emulator = new EscPosEmulator(language.WidthDots, fixture.Fonts);
        var pages = emulator.RenderAll(bytes);

        Assert.Empty(emulator.NotUnderstood);
        var page = Assert.Single(pages);
        Assert.True(page.Complete, "the job ends with a cut");
        Assert.Equal(language.WidthDots, page.Image.Width);
        var file = Path.Combine(Path.GetTempPath(), $"kioskpos-receipt-{paper}-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(file, page.ToPng());
        try
        {
            Assert.Equal(Samples.LookupUrl, ZbarImg.Decode(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(PrinterTextMode.Tcvn3)]
    [InlineData(PrinterTextMode.Windows1258)]
    public void A_text_mode_receipt_prints_Vietnamese_back_as_written_with_a_native_QR(PrinterTextMode mode)
    {
        var language = new PrinterLanguage(80, mode);
        var bytes = new DocumentEncoder(language, null).Encode(Samples.TuitionDocument());
        var emulator = new EscPosEmulator(language.WidthDots, fixture.Fonts);
        var page = Assert.Single(emulator.RenderAll(bytes));

        Assert.Empty(emulator.NotUnderstood);
        var text = string.Join('\n', page.Text);
        Assert.Contains("BIÊN LAI THU HỌC PHÍ", text, StringComparison.Ordinal);
        Assert.Contains("Nguyễn Thị Bảo Ngọc", text, StringComparison.Ordinal);
        Assert.Contains("Trần Văn Ước", text, StringComparison.Ordinal);
        Assert.Contains("Bằng chữ: Một triệu hai trăm năm mươi nghìn", text, StringComparison.Ordinal);
        Assert.Contains("1.250.000 đ", text, StringComparison.Ordinal);
        Assert.Equal([Samples.LookupUrl], page.QrCodes);
    }

    [Theory]
    [InlineData(58, PrinterTextMode.Windows1258)]
    [InlineData(80, PrinterTextMode.Windows1258)]
    [InlineData(58, PrinterTextMode.Ascii)]
    [InlineData(80, PrinterTextMode.Ascii)]
    public void An_overpaid_transfers_receipt_prints_what_arrived_and_the_excess_refunded_and_an_exact_one_does_not(int paper, PrinterTextMode mode)
    {
        var language = new PrinterLanguage(paper, mode);
        string Printed(long received)
        {
            var emulator = new EscPosEmulator(language.WidthDots, fixture.Fonts);
            var page = Assert.Single(emulator.RenderAll(new DocumentEncoder(language, null).Encode(ReceiptLayouts.Payment(Samples.ByTransfer(received), PrintCopy.Original, Samples.LookupUrl))));
            Assert.Empty(emulator.NotUnderstood);
            Assert.All(page.Text, l => Assert.True(l.Length <= language.Columns, $"'{l}' is wider than {language.Columns} columns"));
            return string.Join('\n', mode == PrinterTextMode.Ascii ? page.Text : page.Text.Select(AsciiText.Fold));
        }

        // Compared without diacritics, so that the ASCII fallback (no Vietnamese code page) is held to the same lines.
        var overpaid = Printed(250_000);
        Assert.Matches(@"TONG CONG:\s+150\.000 d", overpaid);
        Assert.Matches(@"Da nhan:\s+250\.000 d", overpaid);
        Assert.Matches(@"Thua, se hoan lai:\s+100\.000 d", overpaid);
        Assert.Contains("the excess of 100.000 d will be refunded.", overpaid.Replace('\n', ' '), StringComparison.Ordinal);

        var exact = Printed(150_000);
        Assert.Matches(@"TONG CONG:\s+150\.000 d", exact);
        Assert.DoesNotContain("Da nhan", exact, StringComparison.Ordinal);
        Assert.DoesNotContain("hoan lai", exact, StringComparison.Ordinal);
    }

    [Fact]
    public void The_emulator_renders_another_encoders_stream_whole()
    {
        // Captured from @point-of-sale/receipt-printer-encoder 4.0.1 (bench/receipt-encoder-js/bench.mjs --out).
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "receipt-printer-encoder-4.0.1.bin"));
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var pages = emulator.RenderAll(bytes);
        Assert.Empty(emulator.NotUnderstood);
        var page = pages[0];
        Assert.True(page.Complete);
        Assert.Equal([Samples.LookupUrl], page.QrCodes);
        Assert.Contains(page.Text, l => l.Contains("Nguyễn Thị Bảo Ngọc", StringComparison.Ordinal));
        var file = Path.Combine(Path.GetTempPath(), $"kioskpos-npm-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(file, page.ToPng());
        try
        {
            Assert.Equal(Samples.LookupUrl, ZbarImg.Decode(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Bytes_the_emulator_does_not_understand_are_reported_with_their_offset()
    {
        var emulator = new EscPosEmulator(576, fixture.Fonts);
        emulator.RenderAll([0x1B, 0x40, 0x41, 0x0A, 0x1B, 0x99, 0x42, 0x0A, 0x1D, 0x28, 0x4C, 0x02, 0x00, 0x30, 0x45, 0x18]);
        Assert.Equal(["@4: 1B 99 42 0A", "@8: 1D 28 4C 02 00 30 45 (graphics function 69 without its parameters, 7 bytes skipped)", "@15: 18"], emulator.NotUnderstood);
    }

    [Fact]
    public void The_emulator_answers_status_from_its_state()
    {
        var emulator = new EscPosEmulator(576, fixture.Fonts);
        var answers = new List<byte>();
        emulator.Connect(answers.AddRange);
        byte[] Ask()
        {
            answers.Clear();
            for (byte n = 1; n <= 4; n++)
            {
                emulator.Receive(EscPos.StatusRequest((StatusKind)n));
            }

            return answers.ToArray();
        }

        Assert.Equal(PrinterStatus.Ready, Decode(Ask()));
        emulator.PaperNearEnd = true;
        Assert.True(Decode(Ask()) is { PaperNearEnd: true, CanPrint: true });
        emulator.PaperOut = true;
        Assert.True(Decode(Ask()) is { PaperOut: true, PaperEndStop: true, Offline: true, CanPrint: false });
        emulator.PaperOut = false;
        emulator.CoverOpen = true;
        Assert.Equal("cover_open", Decode(Ask()).Code);
        emulator.CoverOpen = false;
        emulator.Offline = true;
        Assert.Equal("error", Decode(Ask()).Code);

        static PrinterStatus Decode(byte[] a) => PrinterStatus.Decode(a[0], a[1], a[2], a[3]);
    }

    [Fact]
    public void Out_of_paper_the_emulator_holds_the_backlog_and_prints_it_when_paper_returns_unless_cleared()
    {
        var bytes = new DocumentEncoder(new PrinterLanguage(80), fixture.Fonts).Encode(Samples.TuitionDocument());
        var emulator = new EscPosEmulator(576, fixture.Fonts);
        emulator.PaperOut = true;
        emulator.Receive(bytes);
        Assert.Empty(emulator.Pages);
        Assert.True(emulator.HasBacklog);

        // Like a real printer: the backlog prints by itself once paper is loaded.
        emulator.PaperOut = false;
        Assert.Single(emulator.Pages, p => p.Complete);

        // Cleared with DLE DC4 8 while out of paper, nothing comes out later.
        emulator.PaperOut = true;
        emulator.Receive(bytes);
        emulator.Receive(EscPosPrinter.ClearBuffers);
        emulator.PaperOut = false;
        Assert.Single(emulator.Pages, p => p.Complete);
        Assert.False(emulator.HasBacklog);
    }

    [Fact]
    public void A_QR_raster_is_placed_module_for_module()
    {
        var image = QrImages.Raster(Samples.LookupUrl, 300);
        var document = new PrintDocument("qr", [new QrBlock(Samples.LookupUrl)]);
        var rendered = new RasterRenderer(fixture.Fonts).Render(document, 576);
        var file = Path.Combine(Path.GetTempPath(), $"kioskpos-qr-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(file, KioskPos.Firmware.Imaging.Png.Encode(rendered));
        try
        {
            Assert.Equal(Samples.LookupUrl, ZbarImg.Decode(file));
            Assert.True(image.Width <= 300);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
