namespace KioskPos.Firmware.Imaging;

/// <summary>A colour, 8 bits a channel (sRGB, as the panel and PNG take them).</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Black.</summary>
    public static Rgb Black => new(0, 0, 0);

    /// <summary>White.</summary>
    public static Rgb White => new(255, 255, 255);

    /// <summary>Pure red.</summary>
    public static Rgb Red => new(255, 0, 0);

    /// <summary>Pure green (HTML's "lime").</summary>
    public static Rgb Lime => new(0, 255, 0);

    /// <summary>Pure blue.</summary>
    public static Rgb Blue => new(0, 0, 255);

    /// <summary>The colour's grey (Rec. 601 weights, as a grey printer or image takes it).</summary>
    public byte Luma => (byte)(((R * 299) + (G * 587) + (B * 114) + 500) / 1000);

    /// <summary><paramref name="alpha"/> (0-1) of <paramref name="over"/> on this colour.</summary>
    public Rgb Mix(Rgb over, float alpha) =>
        new(Lerp(R, over.R, alpha), Lerp(G, over.G, alpha), Lerp(B, over.B, alpha));

    internal static byte Lerp(byte from, byte to, float alpha) => (byte)(from + ((to - from) * alpha) + 0.5f);
}

/// <summary>
/// A picture the terminal draws in: rectangles, anti-aliased circles and text in a <see cref="FontFace"/>. Text is drawn
/// a glyph at a time, each glyph's origin on a whole pixel (as SkiaSharp draws without sub-pixel positioning), its
/// coverage computed exactly from the outline (<see cref="GlyphRasterizer"/>) and blended over what is there.
/// </summary>
public abstract class Picture
{
    /// <summary>A picture <paramref name="width"/> × <paramref name="height"/>.</summary>
    protected Picture(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)width * height, 64L * 1024 * 1024, nameof(height));
        Width = width;
        Height = height;
    }

    /// <summary>Pixels across.</summary>
    public int Width { get; }

    /// <summary>Pixels down.</summary>
    public int Height { get; }

    /// <summary>One pixel.</summary>
    public abstract Rgb this[int x, int y] { get; set; }

    /// <summary>Every pixel <paramref name="colour"/>.</summary>
    public abstract void Clear(Rgb colour);

    /// <summary>Fills the pixels whose centres lie in the rectangle (edges rounded to whole pixels), clipped to the picture.</summary>
    public void FillRect(float x, float y, float width, float height, Rgb colour)
    {
        var left = Math.Max(0, (int)MathF.Round(x));
        var top = Math.Max(0, (int)MathF.Round(y));
        var right = Math.Min(Width, (int)MathF.Round(x + width));
        var bottom = Math.Min(Height, (int)MathF.Round(y + height));
        for (var row = top; row < bottom; row++)
        {
            for (var column = left; column < right; column++)
            {
                this[column, row] = colour;
            }
        }
    }

    /// <summary>A one-pixel frame just inside the rectangle.</summary>
    public void StrokeRect(int x, int y, int width, int height, Rgb colour)
    {
        FillRect(x, y, width, 1, colour);
        FillRect(x, y + height - 1, width, 1, colour);
        FillRect(x, y, 1, height, colour);
        FillRect(x + width - 1, y, 1, height, colour);
    }

    /// <summary>An anti-aliased disc.</summary>
    public void FillCircle(float centreX, float centreY, float radius, Rgb colour)
    {
        var top = Math.Max(0, (int)MathF.Floor(centreY - radius - 1));
        var bottom = Math.Min(Height - 1, (int)MathF.Ceiling(centreY + radius + 1));
        var left = Math.Max(0, (int)MathF.Floor(centreX - radius - 1));
        var right = Math.Min(Width - 1, (int)MathF.Ceiling(centreX + radius + 1));
        for (var y = top; y <= bottom; y++)
        {
            for (var x = left; x <= right; x++)
            {
                var distance = MathF.Sqrt(MathF.Pow(x + 0.5f - centreX, 2) + MathF.Pow(y + 0.5f - centreY, 2));
                Blend(x, y, Math.Clamp(radius - distance + 0.5f, 0, 1), colour);
            }
        }
    }

    /// <summary>Fills the polygon through <paramref name="points"/> (in the picture's pixels), anti-aliased, non-zero winding.</summary>
    public void FillPolygon(ReadOnlySpan<(float X, float Y)> points, Rgb colour)
    {
        if (points.Length < 3)
        {
            return;
        }

        var xs = new float[points.Length];
        var ys = new float[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            (xs[i], ys[i]) = (points[i].X, -points[i].Y); // outlines are y up
        }

        var outline = new GlyphOutline(xs, ys, Enumerable.Repeat(true, points.Length).ToArray(), [points.Length - 1], [0]);
        if (GlyphRasterizer.Rasterize(outline, GlyphTransform.Uniform(1), 0, 0) is { } mask)
        {
            Paint(mask, colour);
        }
    }

    /// <summary>
    /// Draws <paramref name="text"/> from <paramref name="x"/> on the baseline <paramref name="baseline"/>, at
    /// <paramref name="size"/> pixels to the em, optionally <paramref name="stretch"/>ed across (a printer's double
    /// width) and slanted (<paramref name="slant"/>: x moved by that much of the height above the baseline, an italic);
    /// returns the advance drawn.
    /// </summary>
    public float DrawText(string text, FontFace face, float size, float x, float baseline, Rgb colour, float stretch = 1, float slant = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(face);
        var scale = size / face.UnitsPerEm;
        var transform = new GlyphTransform(scale * stretch, scale, slant);
        var pen = x;
        var line = MathF.Round(baseline);
        foreach (var rune in text.EnumerateRunes())
        {
            var glyph = face.GlyphIndex(rune.Value);
            var origin = MathF.Round(pen);
            if (origin < Width && GlyphRasterizer.Rasterize(face.Outline(glyph), transform, origin, line) is { } mask)
            {
                Paint(mask, colour);
            }

            pen += face.Advance(glyph) * scale * stretch;
        }

        return pen - x;
    }

    /// <summary>Blends <paramref name="alpha"/> (0-1) of <paramref name="colour"/> over a pixel (ignored outside the picture).</summary>
    public void Blend(int x, int y, float alpha, Rgb colour)
    {
        if (alpha <= 0 || (uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }

        this[x, y] = alpha >= 1 ? colour : this[x, y].Mix(colour, alpha);
    }

    private void Paint(CoverageMask mask, Rgb colour)
    {
        for (var row = 0; row < mask.Height; row++)
        {
            var y = mask.Top + row;
            if ((uint)y >= (uint)Height)
            {
                continue;
            }

            for (var column = 0; column < mask.Width; column++)
            {
                var alpha = mask.Coverage[(row * mask.Width) + column];
                if (alpha > 1f / 512)
                {
                    Blend(mask.Left + column, y, alpha, colour);
                }
            }
        }
    }
}

/// <summary>A grey picture, a byte a pixel (0 black, 255 white): what receipts are drawn in before they become dots.</summary>
public sealed class GrayPicture(int width, int height) : Picture(width, height)
{
    /// <summary>The pixels, row by row.</summary>
    public byte[] Pixels { get; } = new byte[width * height];

    /// <inheritdoc />
    public override Rgb this[int x, int y]
    {
        get
        {
            var grey = Pixels[(y * Width) + x];
            return new Rgb(grey, grey, grey);
        }

        set => Pixels[(y * Width) + x] = value.Luma;
    }

    /// <inheritdoc />
    public override void Clear(Rgb colour) => Array.Fill(Pixels, colour.Luma);

    /// <summary>The picture as 1 bit a dot: darker than half grey is black.</summary>
    public KioskPos.Core.VietQr.MonoBitmap Threshold()
    {
        var stride = (Width + 7) / 8;
        var rows = new byte[stride * Height];
        for (var y = 0; y < Height; y++)
        {
            var row = Pixels.AsSpan(y * Width, Width);
            for (var x = 0; x < Width; x++)
            {
                if (row[x] < 128)
                {
                    rows[(y * stride) + (x >> 3)] |= (byte)(0x80 >> (x & 7));
                }
            }
        }

        return new KioskPos.Core.VietQr.MonoBitmap(Width, Height, rows);
    }
}

/// <summary>A colour picture, three bytes a pixel (red, green, blue): what the customer panel shows.</summary>
public sealed class RgbPicture(int width, int height) : Picture(width, height)
{
    /// <summary>The pixels, row by row, red, green and blue.</summary>
    public byte[] Pixels { get; } = new byte[width * height * 3];

    /// <inheritdoc />
    public override Rgb this[int x, int y]
    {
        get
        {
            var at = ((y * Width) + x) * 3;
            return new Rgb(Pixels[at], Pixels[at + 1], Pixels[at + 2]);
        }

        set
        {
            var at = ((y * Width) + x) * 3;
            Pixels[at] = value.R;
            Pixels[at + 1] = value.G;
            Pixels[at + 2] = value.B;
        }
    }

    /// <inheritdoc />
    public override void Clear(Rgb colour)
    {
        for (var at = 0; at < Pixels.Length; at += 3)
        {
            Pixels[at] = colour.R;
            Pixels[at + 1] = colour.G;
            Pixels[at + 2] = colour.B;
        }
    }
}

/// <summary>
/// A picture of dots, one bit each (set is black), as a thermal printer prints it: every colour drawn becomes black
/// where it is darker than half grey, so anti-aliased text is thresholded as it is drawn (an eighth of a grey
/// picture's memory: a receipt is drawn here straight, never in grey).
/// </summary>
public sealed class MonoPicture(int width, int height) : Picture(width, height)
{
    /// <summary>Bytes a row.</summary>
    public int Stride { get; } = (width + 7) / 8;

    /// <summary>The rows, most significant bit leftmost (a <see cref="KioskPos.Core.VietQr.MonoBitmap"/>'s layout).</summary>
    public byte[] Rows { get; } = new byte[((width + 7) / 8) * height];

    /// <inheritdoc />
    public override Rgb this[int x, int y]
    {
        get => (Rows[(y * Stride) + (x >> 3)] & (0x80 >> (x & 7))) != 0 ? Rgb.Black : Rgb.White;
        set
        {
            ref var row = ref Rows[(y * Stride) + (x >> 3)];
            row = value.Luma < 128 ? (byte)(row | (0x80 >> (x & 7))) : (byte)(row & ~(0x80 >> (x & 7)));
        }
    }

    /// <inheritdoc />
    public override void Clear(Rgb colour) => Array.Fill(Rows, colour.Luma < 128 ? (byte)0xFF : (byte)0);

    /// <summary>The dots as a bitmap (the same rows, not copied).</summary>
    public KioskPos.Core.VietQr.MonoBitmap ToBitmap() => new(Width, Height, Rows);
}
