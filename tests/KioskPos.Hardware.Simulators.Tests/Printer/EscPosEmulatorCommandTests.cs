using System.Text;
using KioskPos.Firmware.Printing;
using KioskPos.Hardware.Simulators.Printer;
using static KioskPos.Hardware.Simulators.Tests.Printer.PageInk;

namespace KioskPos.Hardware.Simulators.Tests.Printer;

/// <summary>
/// The printer emulator command by command, with byte streams written from Epson's ESC/POS reference (not from our
/// driver): what it prints, counts and answers, and that none of it is "not understood".
/// </summary>
public class EscPosEmulatorCommandTests(FontsFixture fixture) : IClassFixture<FontsFixture>
{
    private const byte Esc = 0x1B, Gs = 0x1D, Dle = 0x10, Lf = 0x0A;

    [Fact]
    public void Buzzer_and_drawer_commands_are_counted()
    {
        var (emulator, _) = Render([0x07, Esc, 0x42, 3, 2, Esc, 0x28, 0x41, 0x03, 0x00, 0x61, 0x01, 0x02, Esc, 0x70, 0x01, 0x19, 0xFA, Dle, 0x14, 0x01, 0x00, 0x02]);
        Assert.Equal(1 + 3 + 1, emulator.Beeps);
        Assert.Equal(2, emulator.DrawerPulses);

        // DLE DC4 1 is real-time: obeyed as it arrives, before the parser reaches ESC p ahead of it; ESC p's pulse is last.
        Assert.Equal((5, 50, 500), emulator.LastDrawerPulse);
    }

    [Fact]
    public void The_real_time_buzzer_sounds_its_repeats_in_a_stream_and_on_its_own()
    {
        // DLE DC4 fn=3 a n r t1 t2: pattern 1 twice, then a = 0 (stop: no beep), then r = 0 (until stopped: one).
        var (emulator, _) = Render([Dle, 0x14, 0x03, 0x01, 0x01, 0x02, 0x05, 0x05, Dle, 0x14, 0x03, 0x00, 0x01, 0x03, 0x05, 0x05, Dle, 0x14, 0x03, 0x02, 0x01, 0x00, 0x05, 0x05]);
        Assert.Equal(3, emulator.Beeps);

        emulator.Receive([Dle, 0x14, 0x03, 0x01, 0x01, 0x04, 0x05, 0x05]);
        Assert.Equal(7, emulator.Beeps);
        Assert.Empty(emulator.NotUnderstood);
    }

    [Theory]
    [InlineData(new byte[] { Esc, 0x69 })]
    [InlineData(new byte[] { Esc, 0x6D })]
    [InlineData(new byte[] { Gs, 0x56, 0x00 })]
    [InlineData(new byte[] { Gs, 0x56, 0x01 })]
    [InlineData(new byte[] { Gs, 0x56, 0x30 })]
    [InlineData(new byte[] { Gs, 0x56, 0x31 })]
    [InlineData(new byte[] { Gs, 0x56, 0x41, 0x10 })]
    [InlineData(new byte[] { Gs, 0x56, 0x42, 0x10 })]
    [InlineData(new byte[] { Gs, 0x56, 0x61, 0x10 })]
    [InlineData(new byte[] { Gs, 0x56, 0x62, 0x10 })]
    [InlineData(new byte[] { Gs, 0x56, 0x67, 0x10 })]
    [InlineData(new byte[] { Gs, 0x56, 0x68, 0x10 })]
    public void Every_cut_cuts(byte[] cut)
    {
        var (emulator, pages) = Render([.. "A"u8, Lf, .. cut, .. "B"u8, Lf, .. cut]);
        Assert.Equal(2, pages.Count(p => p.Complete));
        Assert.Equal(2, emulator.CompletePages);
    }

    [Fact]
    public void Wpc1258_composes_its_tone_marks_with_the_letter_before_them()
    {
        var cp1258 = CodePagesEncoding(1258);
        var (_, pages) = Render([Esc, 0x74, 52, .. cp1258.GetBytes(Decomposed("Nguyễn Thị Hường ₫")), Lf]);
        Assert.Equal("Nguyễn Thị Hường ₫", pages[0].Text[0]);
    }

    [Theory]
    [InlineData(16, 0xE9, "é")]   // WPC1252
    [InlineData(18, 0xA5, "ą")]   // PC852
    [InlineData(17, 0xA0, "а")]   // PC866
    [InlineData(45, 0xB9, "ą")]   // WPC1250
    [InlineData(46, 0xE0, "а")]   // WPC1251
    [InlineData(2, 0x82, "é")]    // PC850
    [InlineData(0, 0x82, "é")]    // PC437
    [InlineData(40, 0xA4, "€")]   // ISO8859-15
    [InlineData(11, 0x86, "Ά")]   // PC851 (the pages from here on have no .NET encoding: EpsonCodePages.g.cs)
    [InlineData(12, 0xA6, "Ğ")]   // PC853
    [InlineData(12, 0xD5, "ı")]   // PC853
    [InlineData(42, 0xB6, "Č")]   // PC1118
    [InlineData(43, 0xD0, "ą")]   // PC1119
    [InlineData(44, 0xF2, "Ґ")]   // PC1125
    [InlineData(53, 0xAA, "Ғ")]   // KZ-1048
    [InlineData(20, 0xA1, "ก")]   // Thai Character Code 42
    [InlineData(1, 0xB1, "ｱ")]    // Katakana
    public void Code_pages_of_epsons_table_print_their_letters(byte table, byte b, string letter)
    {
        var (emulator, pages) = Render([Esc, 0x74, table, b, Lf]);
        Assert.Empty(emulator.NotUnderstood);
        Assert.Equal(letter, pages[0].Text[0]);
    }

    [Fact]
    public void Every_single_byte_page_of_epsons_table_is_emulated()
    {
        // Epson's "Character code tables" (ESC t): all but Hiragana (6), the one-pass Kanji pages (7, 8), Thai
        // Character Code 17 (25, in no table at hand) and the user-defined pages (254, 255).
        byte[] tables = [0, 1, 2, 3, 4, 5, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53];
        var missing = tables.Where(n => CharacterTables.Table(n) is null).ToList();
        Assert.Empty(missing);
        var upper = Enumerable.Range(0x80, 128).Select(b => (byte)b).ToArray();
        foreach (var n in tables)
        {
            var (emulator, pages) = Render([Esc, 0x74, n, .. upper, Lf]);
            Assert.Empty(emulator.NotUnderstood);
            Assert.NotEmpty(pages[0].Text[0]);
        }
    }

    [Fact]
    public void A_code_page_not_emulated_is_reported_where_it_is_selected()
    {
        // Page 20 (Thai 42) was the example until the tables without a .NET encoding came in; Thai 17 has none yet.
        var (emulator, _) = Render([Esc, 0x74, 25, 0x41, Lf], expectUnknown: true);
        Assert.Equal(["@2: 1B 74 19 (code page 25 not emulated: its bytes print as PC437)"], emulator.NotUnderstood);
    }

    [Theory]
    [InlineData(2, "[\\]{|}~", "ÄÖÜäöüß")]
    [InlineData(1, "@[{", "à°é")]
    [InlineData(3, "#", "£")]
    [InlineData(8, "\\", "¥")]
    public void International_sets_replace_their_characters(byte set, string sent, string printed)
    {
        var (_, pages) = Render([Esc, 0x52, set, .. Encoding.ASCII.GetBytes(sent), Lf]);
        Assert.Equal(printed, pages[0].Text[0]);
    }

    [Fact]
    public void Tabs_positions_and_margins_place_the_text()
    {
        // ESC D 4 10 NUL, then A HT B HT C; ESC $ 240 dots = column 20; GS L 120 dots = 10 columns of margin.
        var (_, pages) = Render([
            Esc, 0x44, 4, 10, 0x00, .. "A"u8, 0x09, .. "B"u8, 0x09, .. "C"u8, Lf,
            .. "X"u8, Esc, 0x24, 240, 0, .. "Y"u8, Esc, 0x5C, 24, 0, .. "Z"u8, Lf,
        ]);
        Assert.Equal("A   B     C", pages[0].Text[0]);
        Assert.Equal("X" + new string(' ', 19) + "Y  Z", pages[0].Text[1]);

        var (_, margin) = Render([Gs, 0x4C, 120, 0, .. "IIII"u8, Lf, Gs, 0x57, 48, 0, .. "IIIIIIII"u8, Lf]);
        Assert.True(Ink(margin[0], 0, 119) == 0, "nothing left of a 120-dot margin");
        Assert.True(Ink(margin[0], 120, 140) > 0);

        // GS W 48: a 48-dot print area holds four characters a line, so eight take two lines.
        Assert.Equal(["IIII", "IIII", "IIII"], margin[0].Text);
    }

    [Fact]
    public void Sizes_and_styles_are_drawn()
    {
        var (_, plain) = Render([.. "WWWW"u8, Lf]);
        var (_, wide) = Render([Gs, 0x21, 0x10, .. "WWWW"u8, Lf]);
        var (_, reversed) = Render([Gs, 0x42, 1, .. "WWWW"u8, Lf]);
        var (_, upside) = Render([Esc, 0x7B, 1, .. "WWWW"u8, Lf]);
        Assert.True(Width(wide[0]) > 1.8 * Width(plain[0]), "GS ! 0x10 doubles the width");
        Assert.True(Ink(reversed[0], 0, 47) > 2 * Ink(plain[0], 0, 47), "GS B prints white on black");
        Assert.NotEqual(plain[0].ToPng(), upside[0].ToPng());
    }

    [Fact]
    public void Bit_images_of_esc_star_gs_v_0_and_graphics_print_their_dots()
    {
        byte[] column24 = [0xFF, 0xFF, 0xFF];
        var (emulator, pages) = Render([
            Esc, 0x33, 24, Esc, 0x2A, 33, 8, 0, .. Enumerable.Repeat(column24, 8).SelectMany(c => c), Lf,
            Gs, 0x76, 0x30, 0, 2, 0, 4, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            // GS ( L fn 112: 16 x 2 raster into the print buffer, then fn 50 prints it.
            Gs, 0x28, 0x4C, 14, 0, 0x30, 0x70, 0x30, 1, 1, 0x31, 16, 0, 2, 0, 0xF0, 0x0F, 0xF0, 0x0F,
            Gs, 0x28, 0x4C, 2, 0, 0x30, 0x32,
            // GS 8 L fn 83: download graphics "A1", 8 x 1; GS ( L fn 85 prints it twice as wide.
            Gs, 0x38, 0x4C, 12, 0, 0, 0, 0x30, 0x53, 0x30, 0x41, 0x31, 1, 8, 0, 1, 0, 0x31, 0xAA,
            Gs, 0x28, 0x4C, 6, 0, 0x30, 0x55, 0x41, 0x31, 2, 1,
        ]);
        Assert.Empty(emulator.NotUnderstood);
        Assert.True(Ink(pages[0], 0, 576) >= (8 * 24) + (16 * 4) + 16 + 8, "every image's dots are on the paper");
    }

    [Fact]
    public void Status_is_answered_in_real_time_and_automatically()
    {
        var answers = new List<string>();
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        emulator.Connect(answer => answers.Add(Convert.ToHexString(answer)));
        emulator.Receive([Dle, 0x04, 4]);
        emulator.Receive([Gs, 0x61, 0xFF]);
        emulator.Receive([Gs, 0x72, 1]);
        emulator.PaperOut = true;
        emulator.Receive([Dle, 0x04, 4]);

        // GS r waits its turn in the buffer (it is not real-time): sent now, it is answered when paper is back.
        emulator.Receive([Gs, 0x72, 1]);
        Assert.Equal(["12", "10000000", "00", "18000C00", "72"], answers);
    }

    [Theory]
    [InlineData(new byte[] { 0 }, "03600029145", "UPC-A:036000291452")]
    [InlineData(new byte[] { 1 }, "425261", "UPC-E:04252614")]
    [InlineData(new byte[] { 2 }, "4006381333931", "EAN-13:4006381333931")]
    [InlineData(new byte[] { 3 }, "9638507", "EAN-8:96385074")]
    [InlineData(new byte[] { 4 }, "*CODE 39*", "CODE-39:CODE 39")]
    [InlineData(new byte[] { 5 }, "0123456789", "I2/5:0123456789")]
    [InlineData(new byte[] { 6 }, "A1234-5678B", "Codabar:A1234-5678B")]
    public void Barcodes_of_the_first_form_scan_back(byte[] m, string data, string zbar)
    {
        var (emulator, pages) = Render([Gs, 0x48, 2, Gs, 0x77, 2, Esc, 0x61, 1, Gs, 0x6B, m[0], .. Encoding.ASCII.GetBytes(data), 0x00, Lf]);
        Assert.Empty(emulator.NotUnderstood);
        Assert.Contains(zbar, ZbarSymbols.Decode(pages[0]));
    }

    [Theory]
    [InlineData(72, "KIOSK-93 $/+%", "CODE-93:KIOSK-93 $/+%")]
    [InlineData(73, "{AHELLO{B-world", "CODE-128:HELLO-world")]
    [InlineData(73, "{C\u000c\u0022\u0038{Bx", "CODE-128:123456x")]
    [InlineData(73, "{B{{x}", "CODE-128:{x}")]
    [InlineData(67, "590123412345", "EAN-13:5901234123457")]
    public void Barcodes_of_the_second_form_scan_back_code128_with_its_code_sets(byte m, string data, string zbar)
    {
        var bytes = Encoding.Latin1.GetBytes(data);
        var (emulator, pages) = Render([Gs, 0x48, 3, Gs, 0x66, 1, Gs, 0x68, 80, Esc, 0x61, 1, Gs, 0x6B, m, (byte)bytes.Length, .. bytes, Lf]);
        Assert.Empty(emulator.NotUnderstood);
        Assert.Contains(zbar, ZbarSymbols.Decode(pages[0]));
    }

    [Theory]
    [InlineData(0, new string[] { })]
    [InlineData(1, new[] { "above" })]
    [InlineData(2, new[] { "below" })]
    [InlineData(3, new[] { "above", "below" })]
    public void Hri_text_goes_where_gs_h_puts_it(byte position, string[] where)
    {
        var (_, pages) = Render([Gs, 0x48, position, Gs, 0x68, 40, .. "top"u8, Lf, Gs, 0x6B, 73, 6, .. "{BHRI1"u8, .. "end"u8, Lf]);
        var text = pages[0].Text.ToList();
        var hri = text.Select((line, i) => (line.Trim(), i)).Where(l => l.Item1 == "HRI1").Select(l => l.i).ToList();
        Assert.Equal(where.Length, hri.Count);
        Assert.All(hri, i => Assert.True(i > 0 && i < text.Count - 1));
        Assert.Equal(["Code128:HRI1"], pages[0].Barcodes);
    }

    [Fact]
    public void A_barcode_the_printer_refuses_is_reported_not_printed()
    {
        var (emulator, pages) = Render([Gs, 0x6B, 2, .. "4006381333932"u8, 0x00, Lf], expectUnknown: true);
        Assert.Equal(["@2: 1D 6B 02 34 30 30 36 33 38 31 33 33 ... (EAN-13 check digit 2 is wrong (it is 1), 17 bytes skipped)"], emulator.NotUnderstood);
        Assert.Empty(pages[0].Barcodes);
    }

    [Fact]
    public void A_graphics_length_beyond_any_image_is_reported_not_waited_for()
    {
        // Found by the fuzzer (target escpos-emulator): GS 8 L with the length 0x8E8D8C8B overflowed an int and threw.
        var (emulator, pages) = Render([Gs, 0x38, 0x4C, 0x8B, 0x8C, 0x8D, 0x8E, 0x30, 0x70, .. "after"u8, Lf], expectUnknown: true);
        Assert.Equal("@2: 1D 38 4C 8B 8C 8D 8E", emulator.NotUnderstood[0]);
        Assert.Contains("after", string.Join('\n', pages[0].Text), StringComparison.Ordinal);
    }

    [Fact]
    public void A_raster_image_larger_than_any_printer_holds_is_reported_not_sliced()
    {
        // Found by make fuzz (escpos-emulator): GS v 0 of 32,767 × 65,535 bytes overflowed an int, and the negative
        // length was sliced.
        var (emulator, pages) = Render([Gs, 0x76, 0x30, 0x00, 0xFF, 0x7F, 0xFF, 0xFF, .. "after"u8, Lf], expectUnknown: true);
        Assert.Equal("@2: 1D 76 30 00 FF 7F FF FF", emulator.NotUnderstood[0]);
        Assert.Contains("after", string.Join('\n', pages[0].Text), StringComparison.Ordinal);
    }

    [Fact]
    public void Column_graphics_with_less_data_than_their_size_print_blank_where_the_data_stops()
    {
        // Found by make fuzz (escpos-emulator): GS ( L fn 113 declaring 16 × 16 dots with two bytes of data read past
        // the end; what the data does not cover prints blank.
        byte[] store = [Gs, 0x28, 0x4C, 12, 0, 0x30, 0x71, 0x30, 1, 1, 0x31, 16, 0, 16, 0, 0xFF, 0xFF];
        byte[] print = [Gs, 0x28, 0x4C, 2, 0, 0x30, 0x32];
        var (_, pages) = Render([.. store, .. print, .. "after"u8, Lf]);
        Assert.Contains("after", string.Join('\n', pages[0].Text), StringComparison.Ordinal);
    }

    [Fact]
    public void Column_graphics_defined_with_ten_bytes_and_no_colour_byte_do_not_throw()
    {
        // Found by make fuzz (escpos-emulator): GS ( L fn 68 (NV graphics, column format) with pL = 10 sliced the
        // data from the eleventh byte of ten.
        byte[] define = [Gs, 0x28, 0x4C, 10, 0, 0x30, 0x44, 0x30, 0x20, 0x20, 1, 8, 0, 8, 0];
        var (_, pages) = Render([.. define, .. "after"u8, Lf]);
        Assert.Contains("after", string.Join('\n', pages[0].Text), StringComparison.Ordinal);
    }

    [Fact]
    public void Stored_graphics_declaring_more_dots_than_a_printer_holds_are_reported()
    {
        byte[] store = [Gs, 0x28, 0x4C, 12, 0, 0x30, 0x70, 0x30, 1, 1, 0x31, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        var (emulator, pages) = Render([.. store, .. "after"u8, Lf], expectUnknown: true);
        Assert.Equal("@2: graphics of 65535 × 65535 dots, more than a printer holds", emulator.NotUnderstood[0]);
        Assert.Contains("after", string.Join('\n', pages[0].Text), StringComparison.Ordinal);
    }

    private (EscPosEmulator Emulator, IReadOnlyList<PrintedPage> Pages) Render(byte[] stream, bool expectUnknown = false)
    {
        var emulator = new EscPosEmulator(RasterRenderer.Width80mm, fixture.Fonts);
        var pages = emulator.RenderAll([Esc, 0x40, .. stream]);
        if (!expectUnknown)
        {
            Assert.Empty(emulator.NotUnderstood);
        }

        return (emulator, pages);
    }

    private static string Decomposed(string text)
    {
        // Windows-1258 spelling: the letter with its circumflex, breve or horn, then the tone mark.
        var tones = new HashSet<char> { '\u0300', '\u0301', '\u0303', '\u0309', '\u0323' };
        var output = new StringBuilder();
        foreach (var c in text)
        {
            var d = c.ToString().Normalize(NormalizationForm.FormD);
            output.Append(new string([.. d.Where(x => !tones.Contains(x))]).Normalize(NormalizationForm.FormC));
            output.Append(new string([.. d.Where(tones.Contains)]));
        }

        return output.ToString();
    }

    private static Encoding CodePagesEncoding(int page)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(page);
    }

    /// <summary>The rightmost inked column.</summary>
    private static int Width(PrintedPage page)
    {
        for (var x = page.Image.Width - 1; x >= 0; x--)
        {
            if (Ink(page, x, x) > 0)
            {
                return x;
            }
        }

        return 0;
    }
}
