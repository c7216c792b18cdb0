using System.Text;
using KioskPos.Core.Money;
using KioskPos.Firmware.Printing;

namespace KioskPos.Firmware.Tests.Printing;

public class VietnameseWordsTests
{
    [Theory]
    [InlineData(1_250_000, "Một triệu hai trăm năm mươi nghìn đồng")]
    [InlineData(1_005_000, "Một triệu không trăm linh năm nghìn đồng")]
    [InlineData(21_000, "Hai mươi mốt nghìn đồng")]
    [InlineData(1_000_000_000, "Một tỷ đồng")]
    [InlineData(0, "Không đồng")]
    [InlineData(5, "Năm đồng")]
    [InlineData(10, "Mười đồng")]
    [InlineData(11, "Mười một đồng")]
    [InlineData(15, "Mười lăm đồng")]
    [InlineData(25, "Hai mươi lăm đồng")]
    [InlineData(105, "Một trăm linh năm đồng")]
    [InlineData(110, "Một trăm mười đồng")]
    [InlineData(1_001, "Một nghìn không trăm linh một đồng")]
    [InlineData(1_010, "Một nghìn không trăm mười đồng")]
    [InlineData(1_000_001, "Một triệu không trăm linh một đồng")]
    [InlineData(2_000_500, "Hai triệu năm trăm đồng")]
    [InlineData(3_050_000, "Ba triệu không trăm năm mươi nghìn đồng")]
    [InlineData(15_000_000, "Mười lăm triệu đồng")]
    [InlineData(1_000_000_005, "Một tỷ không trăm linh năm đồng")]
    [InlineData(1_200_000_000, "Một tỷ hai trăm triệu đồng")]
    [InlineData(1_000_000_000_000, "Một nghìn tỷ đồng")]
    [InlineData(-21_000, "Âm hai mươi mốt nghìn đồng")]
    public void Spells_amounts_as_receipts_write_them(long amount, string words) => Assert.Equal(words, VietnameseWords.Dong(amount));

    [Fact]
    public void Every_amount_up_to_a_hundred_thousand_has_words_and_no_doubled_spaces()
    {
        for (long n = 0; n <= 100_000; n += 7)
        {
            var words = VietnameseWords.Dong(n);
            Assert.DoesNotContain("  ", words, StringComparison.Ordinal);
            Assert.EndsWith(" đồng", words, StringComparison.Ordinal);
        }

        // 9.223.372.036.854.775.807: nine billion-and-more "tỷ", then the rest.
        Assert.Equal("Chín tỷ hai trăm hai mươi ba triệu ba trăm bảy mươi hai nghìn không trăm ba mươi sáu tỷ tám trăm năm mươi bốn triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy đồng", VietnameseWords.Dong(long.MaxValue));
        Assert.StartsWith("Âm chín tỷ hai trăm", VietnameseWords.Dong(long.MinValue), StringComparison.Ordinal);
    }
}

public class VietnameseTextModeTests
{
    [Fact]
    public void TCVN3_encodes_lower_case_letters_in_one_byte()
    {
        var encoder = VietnameseTextEncoder.EpsonDefault(PrinterTextMode.Tcvn3);
        Assert.Equal("1B 74 1E", EscPosCommandTests.Hex(encoder.Select()));
        Assert.Equal("54 69 D5 6E 67 20 56 69 D6 74", EscPosCommandTests.Hex(encoder.Encode("Tiếng Việt")));
        Assert.Equal("AE B8 A9", EscPosCommandTests.Hex(encoder.Encode("đáâ")));
    }

    /// <summary>
    /// Every Vietnamese letter against a table nobody here wrote: glibc's TCVN5712-1 converter (the <c>iconv</c> of
    /// every Debian machine). TCVN-3 (VN3) is that standard's lower-case set, so each lower-case letter and each
    /// capital without a tone has glibc's byte; a tone-marked capital, which VN3 leaves to the capitals' font, is its
    /// lower-case letter's byte on the capitals' code page.
    /// </summary>
    [Fact]
    public void TCVN3_gives_every_letter_the_byte_of_glibcs_TCVN5712_converter()
    {
        string[] tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"];
        var lower = "aăâeêioôơuưy".SelectMany(v => tones.Select(t => (v + t).Normalize(NormalizationForm.FormC))).Append("đ").ToList();
        Assert.Equal(73, lower.Count);
        var glibc = Iconv(string.Concat(lower) + "ĂÂÊÔƠƯĐ", "TCVN5712-1");
        Assert.Equal(80, glibc.Length); // one byte a letter: precomposed in the standard, no combining marks

        var encoder = VietnameseTextEncoder.EpsonDefault(PrinterTextMode.Tcvn3);
        var capitalsPage = new byte[] { 0x1B, 0x74, 0x1F };
        var lowerPage = new byte[] { 0x1B, 0x74, 0x1E };
        for (var i = 0; i < lower.Count; i++)
        {
            Assert.True(encoder.Encode(lower[i]).SequenceEqual(new[] { glibc[i] }), $"{lower[i]}: {EscPosCommandTests.Hex(encoder.Encode(lower[i]))}, glibc {glibc[i]:X2}");
            var capital = lower[i].ToUpperInvariant();
            var toneless = capital.Normalize(NormalizationForm.FormD).Length == 1 || "ĂÂÊÔƠƯĐ".Contains(capital, StringComparison.Ordinal);
            if (!toneless)
            {
                Assert.True(encoder.Encode(capital).SequenceEqual([.. capitalsPage, glibc[i], .. lowerPage]), $"{capital}: {EscPosCommandTests.Hex(encoder.Encode(capital))}");
            }
        }

        for (var i = 0; i < 7; i++)
        {
            var capital = "ĂÂÊÔƠƯĐ"[i].ToString();
            Assert.True(encoder.Encode(capital).SequenceEqual(new[] { glibc[lower.Count + i] }), $"{capital}: {EscPosCommandTests.Hex(encoder.Encode(capital))}");
        }
    }

    private static byte[] Iconv(string text, string to)
    {
        var start = new System.Diagnostics.ProcessStartInfo("iconv", ["-f", "UTF-8", "-t", to]) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var iconv = System.Diagnostics.Process.Start(start)!;
        iconv.StandardInput.BaseStream.Write(Encoding.UTF8.GetBytes(text));
        iconv.StandardInput.Close();
        using var output = new MemoryStream();
        iconv.StandardOutput.BaseStream.CopyTo(output);
        iconv.WaitForExit();
        Assert.Equal(0, iconv.ExitCode);
        return output.ToArray();
    }

    [Fact]
    public void TCVN3_switches_to_the_capitals_page_for_a_tone_marked_capital_and_back()
    {
        var encoder = VietnameseTextEncoder.EpsonDefault(PrinterTextMode.Tcvn3);

        // "HỌC": H, then page 31 for Ọ (ọ = E4), then page 30 again before C.
        Assert.Equal("48 1B 74 1F E4 1B 74 1E 43", EscPosCommandTests.Hex(encoder.Encode("HỌC")));

        // Capitals without a tone (Ă Â Ê Ô Ơ Ư Đ) have their own bytes on the lower-case page.
        Assert.Equal("A7 A1 A6", EscPosCommandTests.Hex(encoder.Encode("ĐĂƯ")));
    }

    [Fact]
    public void Windows1258_decomposes_into_base_letter_and_tone_mark_byte()
    {
        Assert.Equal("ê\u0301", VietnameseTextEncoder.DecomposeTones("ế"));
        var encoder = VietnameseTextEncoder.EpsonDefault(PrinterTextMode.Windows1258);
        Assert.Equal("1B 74 34", EscPosCommandTests.Hex(encoder.Select()));

        // ế = ê (EA) + acute (EC); ọ = o + dot below (F2); ư (FD) + hook (D2) = ử; đ = F0.
        Assert.Equal("EA EC", EscPosCommandTests.Hex(encoder.Encode("ế")));
        Assert.Equal("6F F2", EscPosCommandTests.Hex(encoder.Encode("ọ")));
        Assert.Equal("FD D2", EscPosCommandTests.Hex(encoder.Encode("ử")));
        Assert.Equal("F0", EscPosCommandTests.Hex(encoder.Encode("đ")));

        // Decomposed (NFD) input gives the same bytes.
        Assert.Equal(encoder.Encode("Nguyễn"), encoder.Encode("Nguyễn".Normalize(NormalizationForm.FormD)));
    }

    [Fact]
    public void Other_vendors_numbers_are_honoured()
    {
        var citizen = new VietnameseTextEncoder(PrinterTextMode.Windows1258, 32);
        Assert.Equal("1B 74 20", EscPosCommandTests.Hex(citizen.Select()));
        var bixolon = new VietnameseTextEncoder(PrinterTextMode.Tcvn3, 49, 50);
        Assert.Equal("1B 74 32 E4 1B 74 31", EscPosCommandTests.Hex(bixolon.Encode("Ọ")));
    }

    [Fact]
    public void ASCII_mode_drops_the_diacritics_and_the_dong_sign_becomes_d()
    {
        var encoder = VietnameseTextEncoder.EpsonDefault(PrinterTextMode.Ascii);
        Assert.Equal("Nguyen Thi Huong 1.250.000 d", Encoding.ASCII.GetString(encoder.Encode("Nguyễn Thị Hường 1.250.000 ₫")));
    }
}
