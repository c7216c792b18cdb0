using KioskPos.Core.Receipts;
using KioskPos.Core.VietQr;
using KioskPos.Firmware.Imaging;

namespace KioskPos.Firmware.Printing;

/// <summary>
/// The typefaces receipts are drawn with: a regular and a bold face that have every Vietnamese letter. By default
/// Noto Sans from Debian's <c>fonts-noto-core</c> (installed by the project's scripts, a dependency of the package),
/// else DejaVu Sans; <c>Printer:FontFolder</c> may name a folder holding other faces.
/// </summary>
public sealed class ReceiptFonts : IDisposable
{
    private static readonly (string Regular, string Bold)[] Candidates =
    [
        ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ];

    private ReceiptFonts(FontFace regular, FontFace bold, string source)
    {
        Regular = regular;
        Bold = bold;
        Source = source;
    }

    /// <summary>The regular face.</summary>
    public FontFace Regular { get; }

    /// <summary>The bold face.</summary>
    public FontFace Bold { get; }

    /// <summary>Where the faces came from, for diagnostics.</summary>
    public string Source { get; }

    /// <summary>Loads the faces from <paramref name="folder"/> (files named *-Regular.ttf and *-Bold.ttf) or the system's defaults.</summary>
    /// <exception cref="FileNotFoundException">No usable face: says which package to install.</exception>
    /// <exception cref="InvalidDataException">A face that is there is not TrueType this reader draws.</exception>
    public static ReceiptFonts Load(string? folder = null)
    {
        var candidates = folder is null
            ? Candidates
            : Directory.Exists(folder)
                ? Directory.GetFiles(folder, "*-Regular.ttf").Order(StringComparer.Ordinal)
                    .Select(r => (r, r.Replace("-Regular.ttf", "-Bold.ttf", StringComparison.Ordinal))).ToArray()
                : [];
        foreach (var (regular, bold) in candidates)
        {
            if (File.Exists(regular) && File.Exists(bold))
            {
                var r = FontFace.Open(regular);
                try
                {
                    return new ReceiptFonts(r, FontFace.Open(bold), regular);
                }
                catch
                {
                    r.Dispose();
                    throw;
                }
            }
        }

        throw new FileNotFoundException(folder is null
            ? "No font with Vietnamese letters for receipts: install Debian's fonts-noto-core (make prereqs does) or set Printer:FontFolder."
            : $"Printer:FontFolder '{folder}' holds no *-Regular.ttf with its *-Bold.ttf.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Regular.Dispose();
        Bold.Dispose();
    }
}

/// <summary>
/// Draws a <see cref="PrintDocument"/> as a 1-bit image the width of the paper (384 dots on 58 mm, 576 on 80 mm) with
/// the project's own rasterizer, straight into dots (<see cref="MonoPicture"/>): each glyph's exact coverage
/// thresholded at half, QR codes placed module for module (never resampled). The same document and fonts always give
/// the same bits.
/// </summary>
public sealed class RasterRenderer(ReceiptFonts fonts)
{
    /// <summary>Dots across 58 mm paper.</summary>
    public const int Width58mm = 384;

    /// <summary>Dots across 80 mm paper.</summary>
    public const int Width80mm = 576;

    /// <summary>Renders <paramref name="document"/> <paramref name="widthDots"/> wide.</summary>
    public MonoBitmap Render(PrintDocument document, int widthDots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(widthDots, 200);
        var textSize = widthDots >= Width80mm ? 24f : 22f;
        var regular = new Font(fonts.Regular, textSize);
        var bold = new Font(fonts.Bold, textSize);
        var largeBold = new Font(fonts.Bold, textSize * 1.6f);
        var large = new Font(fonts.Regular, textSize * 1.6f);
        const int Margin = 4;
        var usable = widthDots - (2 * Margin) - 4; // glyphs such as ₫ ink slightly past their advance

        // Layout first: every operation with its top, so that the image is exactly as tall as the receipt.
        var operations = new List<Action<MonoPicture>>();
        var qrImages = new List<(int Top, int Left, MonoBitmap Image)>();
        var y = 0;
        void Line(string text, Font font, TextAlign align)
        {
            var top = y;
            var width = font.Measure(text);
            var x = align switch
            {
                TextAlign.Centre => Margin + ((usable - width) / 2),
                TextAlign.Right => Margin + usable - width,
                _ => Margin,
            };
            operations.Add(picture => Draw(picture, text, x, top, font));
            y += LineHeight(font);
        }

        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case TextBlock text:
                    var font = text.Large ? (text.Bold ? largeBold : large) : text.Bold ? bold : regular;
                    foreach (var line in Wrap(text.Text, font, usable))
                    {
                        Line(line, font, text.Align);
                    }

                    break;
                case PairBlock pair:
                    var pairFont = pair.Bold ? bold : regular;
                    var labelWidth = pairFont.Measure(pair.Label);
                    var valueWidth = pairFont.Measure(pair.Value);
                    if (labelWidth + valueWidth + textSize <= usable)
                    {
                        var top = y;
                        operations.Add(picture =>
                        {
                            Draw(picture, pair.Label, Margin, top, pairFont);
                            Draw(picture, pair.Value, Margin + usable - valueWidth, top, pairFont);
                        });
                        y += LineHeight(pairFont);
                    }
                    else
                    {
                        foreach (var line in Wrap(pair.Label, pairFont, usable))
                        {
                            Line(line, pairFont, TextAlign.Left);
                        }

                        foreach (var line in Wrap(pair.Value, pairFont, usable))
                        {
                            Line(line, pairFont, TextAlign.Right);
                        }
                    }

                    break;
                case RuleBlock:
                    var ruleTop = y + (int)(textSize / 2);
                    operations.Add(picture =>
                    {
                        for (var x = Margin; x < Margin + usable; x += 8)
                        {
                            picture.FillRect(x, ruleTop, 5, 2, Rgb.Black);
                        }
                    });
                    y += (int)textSize;
                    break;
                case QrBlock qr:
                    y += 8;
                    var image = QrImages.Raster(qr.Payload, Math.Min(usable, (int)(widthDots * 0.62)));
                    qrImages.Add((y, Margin + ((usable - image.Width) / 2), image));
                    y += image.Height + 4;
                    if (qr.Caption is { } caption)
                    {
                        foreach (var line in Wrap(caption, regular, usable))
                        {
                            Line(line, regular, TextAlign.Centre);
                        }
                    }

                    break;
                case FeedBlock feed:
                    y += Math.Max(0, feed.Lines) * LineHeight(regular);
                    break;
            }
        }

        var height = Math.Max(1, y + 8);
        var dots = new MonoPicture(widthDots, height);
        foreach (var draw in operations)
        {
            draw(dots);
        }

        var mono = dots.ToBitmap();
        foreach (var (top, left, image) in qrImages)
        {
            Blit(mono, image, left, top);
        }

        return mono;
    }

    private static int LineHeight(Font font) => (int)Math.Ceiling(font.Metrics.Spacing);

    private static void Draw(MonoPicture picture, string text, float x, int top, Font font) =>
        picture.DrawText(text, font.Face, font.Size, MathF.Round(x), top - font.Metrics.Ascent, Rgb.Black);

    private static IEnumerable<string> Wrap(string text, Font font, int width)
    {
        foreach (var paragraph in text.Split('\n'))
        {
            var line = string.Empty;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && font.Measure(candidate) > width)
                {
                    yield return line;
                    candidate = word;
                }

                // A single word wider than the paper is cut to fit.
                while (font.Measure(candidate) > width && candidate.Length > 1)
                {
                    var fit = font.Fit(candidate, width);
                    yield return candidate[..Math.Max(1, fit)];
                    candidate = candidate[Math.Max(1, fit)..];
                }

                line = candidate;
            }

            yield return line;
        }
    }

    private static void Blit(MonoBitmap target, MonoBitmap image, int left, int top)
    {
        var stride = target.Stride;
        for (var y = 0; y < image.Height && top + y < target.Height; y++)
        {
            for (var x = 0; x < image.Width && left + x < target.Width; x++)
            {
                if (image[x, y])
                {
                    var tx = left + x;
                    target.Rows[((top + y) * stride) + (tx >> 3)] |= (byte)(0x80 >> (tx & 7));
                }
            }
        }
    }
}
