namespace KioskPos.Firmware.Imaging;

/// <summary>A glyph's coverage placed in a picture: <see cref="Coverage"/> 0-1 a pixel, row by row, from (<see cref="Left"/>, <see cref="Top"/>).</summary>
/// <param name="Left">The first column, in the picture's pixels.</param>
/// <param name="Top">The first row.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Coverage">How much of each pixel the outline covers.</param>
public sealed record CoverageMask(int Left, int Top, int Width, int Height, float[] Coverage);

/// <summary>How font units become pixels: <paramref name="ScaleX"/> and <paramref name="ScaleY"/> pixels per unit, and x slanted by <paramref name="Slant"/> of the height above the baseline.</summary>
/// <param name="ScaleX">Pixels per font unit across.</param>
/// <param name="ScaleY">Pixels per font unit up.</param>
/// <param name="Slant">0 upright; 0.25 leans a quarter of the height to the right (an italic).</param>
public readonly record struct GlyphTransform(float ScaleX, float ScaleY, float Slant = 0)
{
    /// <summary>The same scale both ways, upright.</summary>
    public static GlyphTransform Uniform(float scale) => new(scale, scale);
}

/// <summary>
/// Turns an outline into exact anti-aliased coverage: quadratic curves are cut into short lines, and each line adds the
/// signed area it sweeps to the cells it crosses; a running sum along each row then gives every pixel's covered
/// fraction (its winding, clamped to 1), the way stb_truetype's and font-rs's rasterizers work. Unhinted, as the
/// outline is in the file.
/// </summary>
public static class GlyphRasterizer
{
    private const int MaxSide = 2048;

    /// <summary>
    /// <paramref name="outline"/> through <paramref name="transform"/>, its origin at
    /// (<paramref name="originX"/>, <paramref name="baseline"/>) in the picture (y down); null when it has no ink.
    /// </summary>
    /// <exception cref="InvalidDataException">The outline would be more than 2,048 pixels across or down.</exception>
    public static CoverageMask? Rasterize(GlyphOutline outline, GlyphTransform transform, float originX, float baseline)
    {
        ArgumentNullException.ThrowIfNull(outline);
        if (outline.X.Length == 0)
        {
            return null;
        }

        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        for (var i = 0; i < outline.X.Length; i++)
        {
            var (x, y) = Place(outline, i, transform, originX, baseline);
            (minX, maxX) = (Math.Min(minX, x), Math.Max(maxX, x));
            (minY, maxY) = (Math.Min(minY, y), Math.Max(maxY, y));
        }

        var left = (int)MathF.Floor(minX);
        var top = (int)MathF.Floor(minY);
        var width = (int)MathF.Ceiling(maxX) - left + 2;
        var height = (int)MathF.Ceiling(maxY) - top + 1;
        if (width > MaxSide || height > MaxSide)
        {
            throw new InvalidDataException($"An outline {width}×{height} pixels is larger than drawn here (at most {MaxSide}): a broken glyph, or a size no receipt or panel has.");
        }

        // Each part (a simple glyph, or one component of a composed one) is filled on its own and the parts merged by
        // their darker pixel: parts overlap (a mark on a letter, or the same mark twice), and summing their areas
        // would darken the edges where they do.
        float[]? coverage = null;
        var contour = 0;
        var start = 0;
        foreach (var partEnd in outline.PartEnds.Length == 0 ? [outline.ContourEnds.Length - 1] : outline.PartEnds)
        {
            var accumulation = new Accumulator(width, height);
            for (; contour <= partEnd && contour < outline.ContourEnds.Length; contour++)
            {
                var end = outline.ContourEnds[contour];
                if (end >= start && end < outline.X.Length)
                {
                    Contour(outline, start, end, p =>
                    {
                        var (x, y) = Place(outline, p, transform, originX, baseline);
                        return new Point(x - left, y - top);
                    }, accumulation);
                }

                start = end + 1;
            }

            coverage = accumulation.Coverage(coverage);
        }

        return new CoverageMask(left, top, width, height, coverage ?? new float[width * height]);
    }

    private static (float X, float Y) Place(GlyphOutline outline, int point, GlyphTransform transform, float originX, float baseline)
    {
        var up = outline.Y[point] * transform.ScaleY;
        return (originX + (outline.X[point] * transform.ScaleX) + (transform.Slant * up), baseline - up);
    }

    private static void Contour(GlyphOutline outline, int first, int last, Func<int, Point> at, Accumulator lines)
    {
        var count = last - first + 1;
        if (count < 2)
        {
            return;
        }

        // Start on a point that is on the curve: the first, else the last, else the midpoint between the two.
        Point start;
        int from, to;
        if (outline.OnCurve[first])
        {
            (start, from, to) = (at(first), first + 1, last);
        }
        else if (outline.OnCurve[last])
        {
            (start, from, to) = (at(last), first, last - 1);
        }
        else
        {
            (start, from, to) = (Point.Middle(at(first), at(last)), first, last);
        }

        var current = start;
        Point? control = null;
        for (var index = from; index <= to; index++)
        {
            var point = at(index);
            if (outline.OnCurve[index])
            {
                current = control is { } c ? lines.Curve(current, c, point) : lines.Line(current, point);
                control = null;
            }
            else if (control is { } previous)
            {
                current = lines.Curve(current, previous, Point.Middle(previous, point));
                control = point;
            }
            else
            {
                control = point;
            }
        }

        _ = control is { } closing ? lines.Curve(current, closing, start) : lines.Line(current, start);
    }

    private readonly record struct Point(float X, float Y)
    {
        public static Point Middle(Point a, Point b) => new((a.X + b.X) / 2, (a.Y + b.Y) / 2);
    }

    /// <summary>Signed area a cell, accumulated along rows.</summary>
    private sealed class Accumulator(int width, int height)
    {
        private readonly float[] _area = new float[(width * height) + 2];

        public Point Curve(Point from, Point control, Point to)
        {
            var dx = from.X - (2 * control.X) + to.X;
            var dy = from.Y - (2 * control.Y) + to.Y;
            var deviation = (dx * dx) + (dy * dy);
            if (deviation < 0.333f)
            {
                return Line(from, to);
            }

            var steps = 1 + (int)MathF.Sqrt(MathF.Sqrt(3 * deviation));
            var previous = from;
            for (var i = 1; i <= steps; i++)
            {
                var t = i / (float)steps;
                var u = 1 - t;
                var next = i == steps
                    ? to
                    : new Point((u * u * from.X) + (2 * u * t * control.X) + (t * t * to.X), (u * u * from.Y) + (2 * u * t * control.Y) + (t * t * to.Y));
                Line(previous, next);
                previous = next;
            }

            return to;
        }

        public Point Line(Point from, Point to)
        {
            if (MathF.Abs(from.Y - to.Y) <= 1e-6f)
            {
                return to; // a horizontal line sweeps no area
            }

            var (direction, top, bottom) = from.Y < to.Y ? (1f, from, to) : (-1f, to, from);
            var slope = (bottom.X - top.X) / (bottom.Y - top.Y);
            var x = top.X;
            var firstRow = (int)Math.Max(0, top.Y);
            if (top.Y < 0)
            {
                x -= top.Y * slope;
            }

            var lastRow = Math.Min(height, (int)MathF.Ceiling(bottom.Y));
            for (var row = firstRow; row < lastRow; row++)
            {
                var rowStart = row * width;
                var dy = Math.Min(row + 1, bottom.Y) - Math.Max(row, top.Y);
                var xNext = x + (slope * dy);
                var d = dy * direction;
                var (x0, x1) = x < xNext ? (x, xNext) : (xNext, x);
                var x0Floor = MathF.Floor(x0);
                var x0i = Math.Clamp((int)x0Floor, 0, width - 1);
                var x1Ceil = MathF.Ceiling(x1);
                var x1i = Math.Clamp((int)x1Ceil, 0, width);
                if (x1i <= x0i + 1)
                {
                    // Within one cell: the part left of the line's middle is covered in the next cell.
                    var middle = (0.5f * (x + xNext)) - x0Floor;
                    _area[rowStart + x0i] += d - (d * middle);
                    _area[rowStart + x0i + 1] += d * middle;
                }
                else
                {
                    var s = 1 / (x1 - x0);
                    var x0f = x0 - x0Floor;
                    var a0 = 0.5f * s * (1 - x0f) * (1 - x0f);
                    var x1f = x1 - x1Ceil + 1;
                    var am = 0.5f * s * x1f * x1f;
                    _area[rowStart + x0i] += d * a0;
                    if (x1i == x0i + 2)
                    {
                        _area[rowStart + x0i + 1] += d * (1 - a0 - am);
                    }
                    else
                    {
                        var a1 = s * (1.5f - x0f);
                        _area[rowStart + x0i + 1] += d * (a1 - a0);
                        for (var column = x0i + 2; column < x1i - 1; column++)
                        {
                            _area[rowStart + column] += d * s;
                        }

                        var a2 = a1 + ((x1i - x0i - 3) * s);
                        _area[rowStart + x1i - 1] += d * (1 - a2 - am);
                    }

                    _area[rowStart + x1i] += d * am;
                }

                x = xNext;
            }

            return to;
        }

        /// <summary>Each pixel's coverage, merged into <paramref name="into"/> (the darker of the two) when given.</summary>
        public float[] Coverage(float[]? into)
        {
            var coverage = into ?? new float[width * height];
            var sum = 0f;
            for (var i = 0; i < coverage.Length; i++)
            {
                sum += _area[i];
                coverage[i] = Math.Max(coverage[i], Math.Min(1, MathF.Abs(sum)));
            }

            return coverage;
        }
    }
}
