using KioskPos.Core.VietQr;
using KioskPos.Firmware.Imaging;
using SkiaSharp;

namespace KioskPos.Firmware.Tests.Imaging;

/// <summary>
/// The terminal draws its receipts and panel with its own TrueType reader and rasterizer; these tests hold it to
/// SkiaSharp (FreeType's outline loading, Skia's anti-aliased path filling, libpng's decoder) on Debian's own font
/// files — the faces receipts are printed in — so that what we draw is what a library nobody here wrote draws. The
/// glyphs are compared as Skia fills their outlines (<c>GetTextPath</c>): its <c>DrawText</c> adds a contrast and gamma
/// of its own to text (partly covered pixels lighter), which is a choice of look, not of shape.
/// </summary>
public class RasterizerAgainstSkiaTests
{
    private const string Letters =
        "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ";

    private static readonly string Everything = Letters + Letters.ToUpperInvariant() + "0123456789 .,:;-–—/()%*#₫×✓!?";

    public static TheoryData<string> Faces() =>
    [
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ];

    [Theory]
    [MemberData(nameof(Faces))]
    public void Characters_map_to_the_glyphs_and_advances_FreeType_reads(string path)
    {
        using var ours = FontFace.Open(path);
        using var typeface = SKTypeface.FromFile(path);
        using var font = new SKFont(typeface, 24) { Hinting = SKFontHinting.None, Subpixel = true, LinearMetrics = true };
        var runes = Everything.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var theirs = font.GetGlyphs(string.Concat(runes));
        Assert.Equal(runes.Length, theirs.Length);
        for (var i = 0; i < runes.Length; i++)
        {
            Assert.True(theirs[i] == ours.GlyphIndex(char.ConvertToUtf32(runes[i], 0)), $"'{runes[i]}': Skia glyph {theirs[i]}, ours {ours.GlyphIndex(char.ConvertToUtf32(runes[i], 0))}");
            Assert.True(Math.Abs(font.MeasureText(runes[i]) - ours.Measure(runes[i], 24)) < 0.01f, $"'{runes[i]}': Skia {font.MeasureText(runes[i])}, ours {ours.Measure(runes[i], 24)}");
        }

        Assert.Equal(font.MeasureText("Học phí tháng 9: 1.250.000 ₫"), ours.Measure("Học phí tháng 9: 1.250.000 ₫", 24), 0.05f);
        font.GetFontMetrics(out var metrics);
        var measures = ours.Metrics(24);
        Assert.Equal(metrics.Ascent, measures.Ascent, 0.05f);
        Assert.Equal(metrics.Descent, measures.Descent, 0.05f);
    }

    [Theory]
    [MemberData(nameof(Faces))]
    public void Every_glyph_covers_the_dots_Skia_covers(string path)
    {
        using var ours = FontFace.Open(path);
        using var typeface = SKTypeface.FromFile(path);
        foreach (var size in new[] { 24f, 38.4f, 15f })
        {
            using var font = new SKFont(typeface, size) { Hinting = SKFontHinting.None, Subpixel = false, Edging = SKFontEdging.Antialias };
            foreach (var rune in Everything.EnumerateRunes())
            {
                var text = rune.ToString();
                var width = (int)(size * 2);
                var height = (int)(size * 2);
                var baseline = (int)(size * 1.3f);

                var mine = new GrayPicture(width, height);
                mine.Clear(Rgb.White);
                mine.DrawText(text, ours, size, 4, baseline, Rgb.Black);

                using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
                using (var canvas = new SKCanvas(bitmap))
                using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
                {
                    canvas.Clear(SKColors.White);
                    using var outline = font.GetTextPath(text, new SKPoint(4, baseline));
                    canvas.DrawPath(outline, paint);
                }

                var (ink, far, apart) = Compare(mine.Pixels, bitmap.GetPixelSpan());
                var what = $"{Path.GetFileName(path)} {size}px '{text}'";
                Assert.True(ink > 0 || text == " ", $"{what}: Skia drew no ink");

                // Skia samples coverage in quarters of a pixel vertically, ours is exact: a pixel may differ by up to a
                // quarter of its darkness, a few along the edges by more; a glyph misplaced or misread by a pixel would
                // differ in dozens.
                Assert.True(far <= Math.Max(2, ink / 25), $"{what}: {far} dots differ by more than a fifth of black, of {ink}");
                Assert.True(apart <= Math.Max(2, ink * 0.15), $"{what}: {apart:F1} dots' worth of black apart, for {ink} dots of ink");
            }
        }
    }

    [Fact]
    public void Slanted_and_stretched_text_lands_where_Skia_puts_it()
    {
        const string path = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
        using var ours = FontFace.Open(path);
        using var typeface = SKTypeface.FromFile(path);
        using var font = new SKFont(typeface, 42) { Hinting = SKFontHinting.None, Subpixel = false, Edging = SKFontEdging.Antialias, ScaleX = 2, SkewX = -0.25f };
        var mine = new GrayPicture(200, 80);
        mine.Clear(Rgb.White);
        mine.DrawText("Đệ", ours, 42, 4, 60, Rgb.Black, stretch: 2, slant: 0.25f);
        using var bitmap = new SKBitmap(new SKImageInfo(200, 80, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            using var outline = font.GetTextPath("Đệ", new SKPoint(4, 60));
            canvas.DrawPath(outline, paint);
        }

        var (ink, far, apart) = Compare(mine.Pixels, bitmap.GetPixelSpan());
        Assert.True(ink > 500, $"{ink}");
        Assert.True(far <= ink / 25, $"{far} of {ink} dots differ by more than a fifth of black");
        Assert.True(apart <= ink * 0.15, $"{apart:F1} dots' worth apart for {ink}");
    }

    [Fact]
    public void Our_PNGs_decode_in_libpng_to_the_same_pixels()
    {
        using var face = FontFace.Open("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf");
        var colour = new RgbPicture(97, 41);
        colour.Clear(new Rgb(0x0B, 0x4F, 0x9C));
        colour.FillCircle(20, 20, 15, new Rgb(0x0A, 0x7D, 0x32));
        colour.DrawText("Đã trả 1.250.000 ₫", face, 14, 36, 26, Rgb.White);
        using (var decoded = SKBitmap.Decode(Png.Encode(colour)))
        {
            Assert.Equal((97, 41), (decoded.Width, decoded.Height));
            for (var y = 0; y < 41; y++)
            {
                for (var x = 0; x < 97; x++)
                {
                    var c = decoded.GetPixel(x, y);
                    Assert.Equal(colour[x, y], new Rgb(c.Red, c.Green, c.Blue));
                }
            }
        }

        var grey = new GrayPicture(33, 9);
        for (var i = 0; i < grey.Pixels.Length; i++)
        {
            grey.Pixels[i] = (byte)(i * 7);
        }

        using (var decoded = SKBitmap.Decode(Png.Encode(grey)))
        {
            for (var i = 0; i < grey.Pixels.Length; i++)
            {
                Assert.Equal(grey.Pixels[i], decoded.GetPixel(i % 33, i / 33).Red);
            }
        }

        var dots = QrImages.Raster("https://tinh.example/r/T01-000042", 200); // 1 bit a dot, 13 bytes a row (not a multiple of 8 wide)
        using (var decoded = SKBitmap.Decode(Png.Encode(dots)))
        {
            Assert.Equal((dots.Width, dots.Height), (decoded.Width, decoded.Height));
            for (var y = 0; y < dots.Height; y++)
            {
                for (var x = 0; x < dots.Width; x++)
                {
                    Assert.Equal(dots[x, y] ? (byte)0 : (byte)255, decoded.GetPixel(x, y).Red);
                }
            }
        }
    }

    [Fact]
    public void A_file_that_is_not_a_TrueType_face_is_refused_with_the_reason()
    {
        var folder = Directory.CreateTempSubdirectory("kioskpos-faces-").FullName;
        try
        {
            var original = File.ReadAllBytes("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf");
            var cff = Path.Combine(folder, "cff.otf");
            File.WriteAllBytes(cff, [.. "OTTO"u8, .. original.AsSpan(4)]);
            Assert.Contains("not a TrueType face", Assert.Throws<InvalidDataException>(() => FontFace.Open(cff)).Message, StringComparison.Ordinal);

            var cut = Path.Combine(folder, "cut.ttf");
            File.WriteAllBytes(cut, original.AsSpan(0, original.Length / 2).ToArray());
            Assert.Contains("runs past the end", Assert.Throws<InvalidDataException>(() => FontFace.Open(cut)).Message, StringComparison.Ordinal);

            var text = Path.Combine(folder, "text.ttf");
            File.WriteAllText(text, "not a font");
            Assert.Throws<InvalidDataException>(() => FontFace.Open(text));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Skia's ink (dots darker than half grey), the dots further apart than a fifth of black, and the whole difference in dots' worth of black.</summary>
    private static (int Ink, int Far, double Apart) Compare(byte[] ours, ReadOnlySpan<byte> skia)
    {
        int ink = 0, far = 0;
        long sum = 0;
        for (var i = 0; i < skia.Length; i++)
        {
            var difference = Math.Abs(ours[i] - skia[i]);
            ink += skia[i] < 128 ? 1 : 0;
            far += difference > 51 ? 1 : 0;
            sum += difference;
        }

        return (ink, far, sum / 255.0);
    }
}
