using System.Text;
using KioskPos.Core.Text;

namespace KioskPos.Core.Tests;

/// <summary>
/// The terminal runs with invariant globalisation (no ICU; issue #26), where <see cref="string.Normalize(NormalizationForm)"/>
/// leaves non-ASCII text as it is; its own <see cref="LatinNormalization"/> must give what ICU gives. This test process
/// has ICU, which is the reference.
/// </summary>
public class LatinNormalizationTests
{
    private static readonly char[] s_marks = [.. Enumerable.Range(0x0300, 0x70).Select(c => (char)c)];

    private static IEnumerable<char> Letters() =>
        Enumerable.Range(0x20, 0x5F).Concat(Enumerable.Range(0xC0, 0x0250 - 0xC0)).Concat(Enumerable.Range(0x1E00, 0x100)).Select(c => (char)c);

    // What the covered ranges can produce; a composition ICU makes into another block (< and U+0338 into U+226E) is outside.
    private static bool Covered(string text) => text.All(c => c <= '\u024F' || c is >= '\u0300' and <= '\u036F' or >= '\u1E00' and <= '\u1EFF');

    private static void AssertAsIcu(string text)
    {
        Assert.Equal(Hex(text.Normalize(NormalizationForm.FormD)), Hex(LatinNormalization.ToFormD(text)));
        Assert.Equal(Hex(text.Normalize(NormalizationForm.FormC)), Hex(LatinNormalization.ToFormC(text)));
    }

    private static string Hex(string text) => string.Join(' ', text.Select(c => ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void The_reference_is_icu() =>
        Assert.Equal(3, "ệ".Normalize(NormalizationForm.FormD).Length); // invariant globalisation would leave it at 1

    [Fact]
    public void Every_precomposed_latin_letter_and_mark_decomposes_and_composes_as_icu_does()
    {
        foreach (var c in Letters().Concat(s_marks))
        {
            AssertAsIcu(c.ToString());
        }
    }

    [Fact]
    public void Every_letter_followed_by_every_mark_or_two_composes_as_icu_does()
    {
        char[] vietnamese = ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323', '\u0302', '\u0306', '\u031B'];
        var compared = 0;
        foreach (var letter in Letters())
        {
            foreach (var mark in s_marks)
            {
                foreach (var text in vietnamese.Select(second => $"{letter}{mark}{second}").Prepend($"{letter}{mark}"))
                {
                    if (Covered(text.Normalize(NormalizationForm.FormC)))
                    {
                        AssertAsIcu(text);
                        compared++;
                    }
                }
            }
        }

        Assert.True(compared > 700_000, $"{compared} compared");
    }

    [Fact]
    public void Marks_in_any_order_are_put_in_canonical_order_as_icu_does()
    {
        foreach (var first in s_marks)
        {
            foreach (var second in s_marks)
            {
                AssertAsIcu($"a{first}{second}");
                AssertAsIcu($"ư{first}{second}x");
                AssertAsIcu($"{first}{second}");
            }
        }
    }

    [Theory]
    [InlineData("Nguyễn Thị Minh Ánh — Học phí tháng 11: 1.250.000 ₫")]
    [InlineData("TRƯỜNG THCS NGUYỄN DU, PHƯỜNG ĐỒNG XOÀI; Bệnh viện Đa khoa tỉnh")]
    [InlineData("Thuỷ Thủy Hoà Hòa quý khách ỹ ỷ ự ợ ờ ẫ ẵ ậ ặ ế ề ể ễ ệ")]
    [InlineData("Nguye\u0302\u0303n Thi\u0323 — tone before shape: a\u0323\u0306 o\u0300\u031B")]
    [InlineData("Ǻ ǖ ḉ Ṩ ẛ ȫ ǭ Ḝ ħ ŀ")]
    [InlineData("no marks at all, ASCII only")]
    public void Vietnamese_text_decomposed_or_composed_either_way_as_icu_does(string text)
    {
        AssertAsIcu(text);
        AssertAsIcu(text.Normalize(NormalizationForm.FormD));
    }

    [Fact]
    public void Characters_outside_the_latin_blocks_pass_through_unchanged()
    {
        // Documented limit: Hangul syllables and Greek with tonos are not decomposed (ICU would); Vietnamese never needs them.
        const string Outside = "漢字 한국어 Ωμέγα 🙂 ₫ • —";
        Assert.Equal(Outside, LatinNormalization.ToFormD(Outside));
        Assert.Equal(Outside, LatinNormalization.ToFormC(Outside));
        Assert.Equal("Hoà ₫ 한", LatinNormalization.ToFormC("Hoa\u0300 ₫ 한"));
    }

    [Fact]
    public void Every_catalogue_text_normalises_as_icu_does()
    {
        foreach (var message in Messages.All.Values)
        {
            AssertAsIcu(message.Vi);
            AssertAsIcu(message.En);
        }
    }
}
