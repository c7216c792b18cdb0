using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;
using static KioskPos.Hardware.Simulators.Tests.Printer.PageInk;

namespace KioskPos.Hardware.Simulators.Tests.Printer;

/// <summary>
/// Byte sequences that other ESC/POS encoders emit, as their own tests and captured output publish them
/// (mike42/escpos-php's integration outputs, python-escpos's unit tests), fed to the emulator: what a printer
/// would do with them. Each test names the file the bytes come from.
/// </summary>
public class PublishedCommandSampleTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    private const byte Esc = 0x1B, Gs = 0x1D, Lf = 0x0A;

    [Fact]
    public void A_left_margin_leaves_the_rest_of_the_paper_and_lines_wrap_inside_it()
    {
        // mike42/escpos-php, test/integration/resources/output/margins-and-spacing.bin (offset 0xD3): GS L 512 dots,
        // then "left margin 512". On 576 dots a 512-dot margin leaves 64 ("if left margin + print area width exceeds
        // the printable area, printable area − left margin is used", GS W): five 12-dot characters a line. The
        // emulator once wrapped at the print width alone and drew the line off the paper ("left r", the rest lost).
        var (_, pages) = Render([Gs, 0x4C, 0x00, 0x02, .. "left margin 512"u8, Lf]);
        Assert.Equal(["left", "margi", "n 512"], pages[0].Text);
        Assert.Equal(0, Ink(pages[0], 0, 504)); // a glyph wider than its 12-dot cell (m) may spill a few dots left

        // A margin leaving less than one character: the area is extended to hold one, the margin giving way at the
        // paper's edge (GS W, "the printing area width is extended ... the left margin is reduced").
        var (_, narrow) = Render([Gs, 0x4C, 0x3A, 0x02, .. "AB"u8, Lf]);
        Assert.Equal(["A", "B"], narrow[0].Text);
        Assert.True(Ink(narrow[0], 564, 575) > 0, "each character printed whole at the right edge");
    }

    [Fact]
    public void User_defined_characters_are_taken_whole_and_printed_in_place_of_the_code()
    {
        // mike42/escpos-php, test/integration/resources/output/unifont-print-buffer.bin (its Unifont print buffer draws
        // any Unicode text this way): ESC ! 0x31 (font B, double width and height), ESC % 1, then ESC & 3 32 32 and one
        // character 8 dots wide, 3 bytes a column: Unifont's "H", printed by its code, a space. The emulator once
        // skipped only "ESC &" and printed the glyph's bytes as text (164 sequences not understood in that file).
        byte[] h = [0x00, 0x00, 0x00, 0x0F, 0xFC, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00, 0x0F, 0xFC, 0x00, 0x00, 0x00, 0x00];
        var (_, pages) = Render([Esc, 0x21, 0x31, Esc, 0x25, 0x01, Esc, 0x26, 0x03, 0x20, 0x20, 0x08, .. h, 0x20, Lf]);

        // Its dots, each doubled both ways: two strokes of 10 and a bar of 4 = 24 dots, 96 on paper; the left
        // stroke (column 1) is dots 2 and 3 across, 20 rows down.
        Assert.Equal(96, Ink(pages[0], 0, 575));
        Assert.Equal(20, Ink(pages[0], 2, 2));

        // ESC % 0 gives the code back to the printer's own character set: a space prints nothing.
        var (_, cancelled) = Render([Esc, 0x26, 0x03, 0x20, 0x20, 0x08, .. h, Esc, 0x25, 0x01, 0x20, Esc, 0x25, 0x00, 0x20, Lf]);
        Assert.Equal(24, Ink(cancelled[0], 0, 575));
    }

    // The bytes python-escpos's unit tests expect its printer to send (python-escpos/python-escpos,
    // test/test_functions/test_function_*.py), each as the test names it.
    public static TheoryData<string, byte[]> PythonEscpos => new()
    {
        { "qr_native test_defaults", [Gs, 0x28, 0x6B, 4, 0, 0x31, 0x41, 0x32, 0, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x43, 3, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x45, 0x30, Gs, 0x28, 0x6B, 7, 0, 0x31, 0x50, 0x30, .. "1234"u8, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30] },
        { "qr_native test_ec (H)", [Gs, 0x28, 0x6B, 4, 0, 0x31, 0x41, 0x32, 0, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x43, 3, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x45, 0x33, Gs, 0x28, 0x6B, 7, 0, 0x31, 0x50, 0x30, .. "1234"u8, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30] },
        { "qr_native test_model (1)", [Gs, 0x28, 0x6B, 4, 0, 0x31, 0x41, 0x31, 0, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x43, 3, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x45, 0x30, Gs, 0x28, 0x6B, 7, 0, 0x31, 0x50, 0x30, .. "1234"u8, Gs, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30] },
        { "image test_bit_image_black (GS v 0)", [Gs, 0x76, 0x30, 0, 1, 0, 1, 0, 0x80] },
        { "image test_large_graphics (GS v 0 in bands)", [Gs, 0x76, 0x30, 0, 1, 0, 1, 0, 0xC0, Gs, 0x76, 0x30, 0, 1, 0, 1, 0, 0x00] },
        { "image test_bit_image_colfmt_both (ESC 3, ESC * 33, LF, ESC 2)", [Esc, 0x33, 0x10, Esc, 0x2A, 0x21, 2, 0, 0x80, 0, 0, 0x80, 0, 0, Lf, Esc, 0x32] },
        { "image test_graphics_both (GS ( L store and print)", [Gs, 0x28, 0x4C, 0x0C, 0, 0x30, 0x70, 0x30, 1, 1, 0x31, 2, 0, 2, 0, 0xC0, 0x00, Gs, 0x28, 0x4C, 2, 0, 0x30, 0x32] },
        { "cut test_cut_without_feed (GS V 66 0)", [Gs, 0x56, 0x42, 0] },
        { "barcode (EAN13 with GS h, GS w, GS f, GS H)", [Esc, 0x61, 1, Gs, 0x68, 0x40, Gs, 0x77, 3, Gs, 0x66, 0, Gs, 0x48, 2, Gs, 0x6B, 2, .. "4006381333931"u8, 0] },
        { "set test_default_values_with_default", [Esc, 0x21, 0, Gs, 0x21, 0, Esc, 0x7B, 0, Gs, 0x62, 0, Esc, 0x45, 0, Esc, 0x2D, 0, Esc, 0x4D, 0, Esc, 0x61, 0, Gs, 0x42, 0] },
        { "set test_set_size_custom (GS ! 8 × 7)", [Gs, 0x21, 0x76] },
        { "buzzer test_buzzer_function_with_default_params (ESC B 2 4)", [Esc, 0x42, 2, 4] },
        { "panel_button on and off (ESC c 5 n)", [Esc, 0x63, 0x35, 0, Esc, 0x63, 0x35, 1] },
        { "line spacing ESC 3 10, ESC 2", [Esc, 0x33, 0x0A, Esc, 0x32] },
    };

    [Theory]
    [MemberData(nameof(PythonEscpos))]
    public void What_python_escpos_sends_is_understood_whole(string test, byte[] sent)
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        emulator.RenderAll([Esc, 0x40, .. sent, .. "end"u8, Lf]);
        Assert.True(emulator.NotUnderstood.Count == 0, $"{test}: {string.Join("; ", emulator.NotUnderstood)}");
    }

    [Fact]
    public void What_python_escpos_sends_prints_what_it_means()
    {
        var defaults = (byte[])PythonEscpos.Single(r => (string)r[0] == "qr_native test_defaults")[1];
        Assert.Equal(["1234"], Render(defaults).Pages[0].QrCodes);

        // One black dot (GS v 0, 1 byte × 1 row, 0x80), and two (ESC * 33: two 24-dot columns, the top dot of each).
        Assert.Equal(1, Ink(Render([Gs, 0x76, 0x30, 0, 1, 0, 1, 0, 0x80]).Pages[0], 0, 575));
        Assert.Equal(2, Ink(Render([Esc, 0x33, 0x10, Esc, 0x2A, 0x21, 2, 0, 0x80, 0, 0, 0x80, 0, 0, Lf, Esc, 0x32]).Pages[0], 0, 575));

        var barcode = (byte[])PythonEscpos.Single(r => ((string)r[0]).StartsWith("barcode", StringComparison.Ordinal))[1];
        Assert.Equal(["Ean13:4006381333931"], Render(barcode).Pages[0].Barcodes);

        var (cutter, cut) = Render([.. "A"u8, Lf, Gs, 0x56, 0x42, 0]);
        Assert.True(cut[0].Complete);
        Assert.Equal(1, cutter.CompletePages);

        Assert.Equal(2, Render([Esc, 0x42, 2, 4]).Emulator.Beeps);
    }

    [Fact]
    public void The_status_answers_read_as_python_escpos_reads_them()
    {
        // python-escpos, src/escpos/escpos.py (is_online, paper_status, _check_valid_response) and
        // test/test_functions/test_function_status.py: an answer is 0xx1xx10; DLE EOT 1 & 0x1A = 0x1A is offline;
        // DLE EOT 4 & 0x72 = 0x72 is no paper, & 0x1E = 0x1E near end, else (0x12) paper.
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var answers = new List<byte>();
        emulator.Connect(answers.AddRange);
        byte Ask(byte n)
        {
            answers.Clear();
            emulator.Receive([0x10, 0x04, n]);
            var answer = Assert.Single(answers);
            Assert.True((answer & 0x81) == 0 && (answer & 0x12) == 0x12, $"0x{answer:X2} is not 0xx1xx10");
            return answer;
        }

        static int Paper(byte status) => (status & 0x72) == 0x72 ? 0 : (status & 0x1E) == 0x1E ? 1 : 2;
        static bool Online(byte status) => (status & 0x1A) != 0x1A;

        Assert.Equal((true, 2), (Online(Ask(1)), Paper(Ask(4))));
        emulator.PaperNearEnd = true;
        Assert.Equal((true, 1), (Online(Ask(1)), Paper(Ask(4))));
        emulator.PaperOut = true;
        Assert.Equal((false, 0), (Online(Ask(1)), Paper(Ask(4))));
        Assert.Equal(0x7E, Ask(4)); // near end and out together: the other valid answer of its status test
        emulator.PaperOut = false;
        emulator.PaperNearEnd = false;
        emulator.CoverOpen = true;
        Assert.False(Online(Ask(1)));
    }

    private (EscPosEmulator Emulator, IReadOnlyList<PrintedPage> Pages) Render(byte[] stream)
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var pages = emulator.RenderAll([Esc, 0x40, .. stream]);
        Assert.Empty(emulator.NotUnderstood);
        return (emulator, pages);
    }
}
