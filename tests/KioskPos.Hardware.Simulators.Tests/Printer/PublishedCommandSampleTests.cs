using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;

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

    private (EscPosEmulator Emulator, IReadOnlyList<PrintedPage> Pages) Render(byte[] stream)
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var pages = emulator.RenderAll([Esc, 0x40, .. stream]);
        Assert.Empty(emulator.NotUnderstood);
        return (emulator, pages);
    }

    /// <summary>Black dots of the page between columns <paramref name="from"/> and <paramref name="to"/> (inclusive).</summary>
    private static int Ink(PrintedPage page, int from, int to)
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
