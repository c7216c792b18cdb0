using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace KioskPos.Firmware.Imaging;

/// <summary>A face's vertical measures at one size, in pixels (y grows down: <see cref="Ascent"/> is negative).</summary>
/// <param name="Ascent">From the baseline up to the face's top (negative).</param>
/// <param name="Descent">From the baseline down to the face's bottom (positive).</param>
/// <param name="Leading">The face's gap between lines.</param>
public readonly record struct FontMetrics(float Ascent, float Descent, float Leading)
{
    /// <summary>Baseline to baseline.</summary>
    public float Spacing => Descent - Ascent + Leading;
}

/// <summary>
/// A TrueType face (a <c>.ttf</c> with <c>glyf</c> outlines, as Debian's Noto Sans and DejaVu Sans are) read as the
/// OpenType specification lays it out: <c>cmap</c> (formats 4 and 12) maps characters to glyphs, <c>hmtx</c> gives
/// their advances, <c>glyf</c>/<c>loca</c> their quadratic outlines, simple or composed of others (Vietnamese letters
/// such as ệ are a base and two marks). One glyph per character, no shaping and no kerning: what receipts and the
/// customer panel need, and what SkiaSharp's <c>DrawText</c> did before. The small tables are read once; outlines
/// are read from the file when first drawn and a bounded number kept, so a face costs tens of kilobytes, not the
/// file's size.
/// </summary>
public sealed class FontFace : IDisposable
{
    private const int MaxCachedOutlines = 1024;
    private const int MaxComponentDepth = 8;

    private readonly SafeFileHandle _file;
    private readonly long _glyfOffset;
    private readonly long _glyfLength;
    private readonly byte[] _loca;
    private readonly bool _longLoca;
    private readonly byte[] _hmtx;
    private readonly int _metricCount;
    private readonly int _glyphCount;
    private readonly Dictionary<int, int> _charToGlyph = [];
    private readonly byte[] _cmap;
    private readonly int _cmapSubtable;
    private readonly Dictionary<int, GlyphOutline> _outlines = [];
    private readonly Lock _gate = new();

    private FontFace(string path, SafeFileHandle file, Dictionary<string, (long Offset, long Length)> tables)
    {
        Path = path;
        _file = file;
        var head = Read(tables, "head", 54);
        UnitsPerEm = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(18));
        if (UnitsPerEm is < 16 or > 16384)
        {
            throw new InvalidDataException($"{path}: unitsPerEm {UnitsPerEm} is outside 16-16384.");
        }

        _longLoca = BinaryPrimitives.ReadInt16BigEndian(head.AsSpan(50)) == 1;
        var hhea = Read(tables, "hhea", 36);
        Ascender = BinaryPrimitives.ReadInt16BigEndian(hhea.AsSpan(4));
        Descender = BinaryPrimitives.ReadInt16BigEndian(hhea.AsSpan(6));
        LineGap = BinaryPrimitives.ReadInt16BigEndian(hhea.AsSpan(8));
        _metricCount = BinaryPrimitives.ReadUInt16BigEndian(hhea.AsSpan(34));
        _glyphCount = BinaryPrimitives.ReadUInt16BigEndian(Read(tables, "maxp", 6).AsSpan(4));
        _hmtx = Read(tables, "hmtx", _metricCount * 4);
        _loca = Read(tables, "loca", (_glyphCount + 1) * (_longLoca ? 4 : 2));
        if (_metricCount == 0 || _metricCount > _glyphCount)
        {
            throw new InvalidDataException($"{path}: {_metricCount} horizontal metrics for {_glyphCount} glyphs.");
        }

        (_glyfOffset, _glyfLength) = tables.TryGetValue("glyf", out var glyf)
            ? glyf
            : throw new InvalidDataException($"{path} has no 'glyf' table: only TrueType outlines are drawn (not CFF).");
        _cmap = Read(tables, "cmap", 4);
        _cmapSubtable = ChooseCmapSubtable(_cmap) ?? throw new InvalidDataException($"{path}: no Unicode character map (format 4 or 12).");
    }

    /// <summary>The file the face came from.</summary>
    public string Path { get; }

    /// <summary>Font units per em (the size in pixels is one em).</summary>
    public int UnitsPerEm { get; }

    /// <summary><c>hhea</c> ascender, in font units (up is positive).</summary>
    public int Ascender { get; }

    /// <summary><c>hhea</c> descender, in font units (negative below the baseline).</summary>
    public int Descender { get; }

    /// <summary><c>hhea</c> line gap, in font units.</summary>
    public int LineGap { get; }

    /// <summary>Opens a TrueType file.</summary>
    /// <exception cref="InvalidDataException">Not a TrueType face this reader can draw; the message says why.</exception>
    public static FontFace Open(string path)
    {
        var file = File.OpenHandle(path);
        try
        {
            var header = new byte[12];
            ReadExactly(file, header, 0, path);
            var version = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (version is not (0x00010000 or 0x74727565)) // 1.0 or 'true'; 'OTTO' is CFF, 'ttcf' a collection
            {
                throw new InvalidDataException($"{path} is not a TrueType face (version 0x{version:X8}).");
            }

            var count = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4));
            var records = new byte[count * 16];
            ReadExactly(file, records, 12, path);
            var length = RandomAccess.GetLength(file);
            var tables = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var record = records.AsSpan(i * 16, 16);
                var tag = System.Text.Encoding.ASCII.GetString(record[..4]);
                var offset = BinaryPrimitives.ReadUInt32BigEndian(record[8..]);
                var size = BinaryPrimitives.ReadUInt32BigEndian(record[12..]);
                if (offset + (long)size > length)
                {
                    throw new InvalidDataException($"{path}: table '{tag}' runs past the end of the file.");
                }

                tables[tag] = (offset, size);
            }

            return new FontFace(path, file, tables);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The face's vertical measures at <paramref name="size"/> pixels to the em.</summary>
    public FontMetrics Metrics(float size)
    {
        var scale = size / UnitsPerEm;
        return new FontMetrics(-Ascender * scale, -Descender * scale, LineGap * scale);
    }

    /// <summary>The glyph drawn for <paramref name="codePoint"/> (0, the face's "missing" glyph, if it has none).</summary>
    public int GlyphIndex(int codePoint)
    {
        lock (_gate)
        {
            if (!_charToGlyph.TryGetValue(codePoint, out var glyph))
            {
                glyph = LookUp(codePoint);
                if (_charToGlyph.Count < 4096)
                {
                    _charToGlyph[codePoint] = glyph;
                }
            }

            return glyph;
        }
    }

    /// <summary>Whether the face has a glyph for <paramref name="codePoint"/>.</summary>
    public bool Has(int codePoint) => GlyphIndex(codePoint) != 0;

    /// <summary>A glyph's advance in font units.</summary>
    public int Advance(int glyph)
    {
        var index = Math.Min(Math.Clamp(glyph, 0, _glyphCount - 1), _metricCount - 1);
        return BinaryPrimitives.ReadUInt16BigEndian(_hmtx.AsSpan(index * 4));
    }

    /// <summary>How wide <paramref name="text"/> is at <paramref name="size"/> pixels to the em (advances summed).</summary>
    public float Measure(ReadOnlySpan<char> text, float size)
    {
        long units = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            units += Advance(GlyphIndex(rune.Value));
        }

        return units * size / UnitsPerEm;
    }

    /// <summary>How many of <paramref name="text"/>'s characters fit in <paramref name="width"/> pixels (a pair of surrogates is never split).</summary>
    public int Fit(ReadOnlySpan<char> text, float size, float width)
    {
        var scale = size / UnitsPerEm;
        var used = 0f;
        var count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            used += Advance(GlyphIndex(rune.Value)) * scale;
            if (used > width)
            {
                break;
            }

            count += rune.Utf16SequenceLength;
        }

        return count;
    }

    /// <summary>A glyph's outline in font units (y up), components resolved.</summary>
    /// <exception cref="InvalidDataException">The glyph's data is broken.</exception>
    public GlyphOutline Outline(int glyph)
    {
        lock (_gate)
        {
            if (_outlines.TryGetValue(glyph, out var cached))
            {
                return cached;
            }
        }

        var outline = Load(glyph, 0);
        lock (_gate)
        {
            if (_outlines.Count >= MaxCachedOutlines)
            {
                _outlines.Clear();
            }

            _outlines[glyph] = outline;
        }

        return outline;
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private static void ReadExactly(SafeFileHandle file, byte[] buffer, long offset, string path)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var read = RandomAccess.Read(file, buffer.AsSpan(done), offset + done);
            if (read == 0)
            {
                throw new InvalidDataException($"{path} ends early: {buffer.Length} bytes wanted at {offset}.");
            }

            done += read;
        }
    }

    private byte[] Read(Dictionary<string, (long Offset, long Length)> tables, string tag, int atLeast)
    {
        if (!tables.TryGetValue(tag, out var table))
        {
            throw new InvalidDataException($"{Path} has no '{tag}' table.");
        }

        if (table.Length < atLeast || table.Length > 16 * 1024 * 1024)
        {
            throw new InvalidDataException($"{Path}: table '{tag}' is {table.Length} bytes, {atLeast} needed.");
        }

        var bytes = new byte[table.Length];
        ReadExactly(_file, bytes, table.Offset, Path);
        return bytes;
    }

    private static int? ChooseCmapSubtable(byte[] cmap)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(cmap.AsSpan(2));
        int? best = null;
        var bestRank = 0;
        for (var i = 0; i < count && 4 + (i * 8) + 8 <= cmap.Length; i++)
        {
            var record = cmap.AsSpan(4 + (i * 8), 8);
            var platform = BinaryPrimitives.ReadUInt16BigEndian(record);
            var encoding = BinaryPrimitives.ReadUInt16BigEndian(record[2..]);
            var offset = (int)BinaryPrimitives.ReadUInt32BigEndian(record[4..]);
            if (offset < 0 || offset + 4 > cmap.Length)
            {
                continue;
            }

            var format = BinaryPrimitives.ReadUInt16BigEndian(cmap.AsSpan(offset));
            var rank = (platform, encoding, format) switch
            {
                (3, 10, 12) or (0, 4, 12) or (0, 6, 12) => 3,
                (3, 1, 4) or (0, 3, 4) or (0, _, 4) => 2,
                _ => 0,
            };
            if (rank > bestRank)
            {
                (best, bestRank) = (offset, rank);
            }
        }

        return best;
    }

    private int LookUp(int codePoint)
    {
        var table = _cmap.AsSpan(_cmapSubtable);
        var format = BinaryPrimitives.ReadUInt16BigEndian(table);
        int glyph;
        if (format == 12)
        {
            var groups = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(table[12..]), (uint)((table.Length - 16) / 12));
            glyph = 0;
            int low = 0, high = groups - 1;
            while (low <= high)
            {
                var middle = (low + high) / 2;
                var group = table.Slice(16 + (middle * 12), 12);
                var start = BinaryPrimitives.ReadUInt32BigEndian(group);
                var end = BinaryPrimitives.ReadUInt32BigEndian(group[4..]);
                if ((uint)codePoint < start)
                {
                    high = middle - 1;
                }
                else if ((uint)codePoint > end)
                {
                    low = middle + 1;
                }
                else
                {
                    glyph = (int)(BinaryPrimitives.ReadUInt32BigEndian(group[8..]) + ((uint)codePoint - start));
                    break;
                }
            }
        }
        else
        {
            glyph = codePoint > 0xFFFF ? 0 : LookUpFormat4(table, codePoint);
        }

        return glyph < _glyphCount ? glyph : 0;
    }

    private static int LookUpFormat4(ReadOnlySpan<byte> table, int codePoint)
    {
        var segments = BinaryPrimitives.ReadUInt16BigEndian(table[6..]) / 2;
        var ends = 14;
        var starts = ends + (segments * 2) + 2;
        var deltas = starts + (segments * 2);
        var rangeOffsets = deltas + (segments * 2);
        if (rangeOffsets + (segments * 2) > table.Length)
        {
            return 0;
        }

        for (var i = 0; i < segments; i++)
        {
            var end = BinaryPrimitives.ReadUInt16BigEndian(table[(ends + (i * 2))..]);
            if (codePoint > end)
            {
                continue;
            }

            var start = BinaryPrimitives.ReadUInt16BigEndian(table[(starts + (i * 2))..]);
            if (codePoint < start)
            {
                return 0;
            }

            var delta = BinaryPrimitives.ReadInt16BigEndian(table[(deltas + (i * 2))..]);
            var rangeAt = rangeOffsets + (i * 2);
            var rangeOffset = BinaryPrimitives.ReadUInt16BigEndian(table[rangeAt..]);
            if (rangeOffset == 0)
            {
                return (codePoint + delta) & 0xFFFF;
            }

            var at = rangeAt + rangeOffset + ((codePoint - start) * 2);
            if (at + 2 > table.Length)
            {
                return 0;
            }

            var glyph = BinaryPrimitives.ReadUInt16BigEndian(table[at..]);
            return glyph == 0 ? 0 : (glyph + delta) & 0xFFFF;
        }

        return 0;
    }

    private (long Offset, int Length) Locate(int glyph)
    {
        if (glyph < 0 || glyph >= _glyphCount)
        {
            return (0, 0);
        }

        long start, end;
        if (_longLoca)
        {
            start = BinaryPrimitives.ReadUInt32BigEndian(_loca.AsSpan(glyph * 4));
            end = BinaryPrimitives.ReadUInt32BigEndian(_loca.AsSpan((glyph + 1) * 4));
        }
        else
        {
            start = BinaryPrimitives.ReadUInt16BigEndian(_loca.AsSpan(glyph * 2)) * 2L;
            end = BinaryPrimitives.ReadUInt16BigEndian(_loca.AsSpan((glyph + 1) * 2)) * 2L;
        }

        if (end <= start || end > _glyfLength || end - start > 64 * 1024)
        {
            return (0, 0);
        }

        return (_glyfOffset + start, (int)(end - start));
    }

    private GlyphOutline Load(int glyph, int depth)
    {
        var (offset, length) = Locate(glyph);
        if (length < 10)
        {
            return GlyphOutline.Empty; // a space, or a glyph with no outline
        }

        var data = new byte[length];
        ReadExactly(_file, data, offset, Path);
        var contours = BinaryPrimitives.ReadInt16BigEndian(data);
        return contours >= 0 ? Simple(data, contours, glyph) : Composite(data, glyph, depth);
    }

    private GlyphOutline Simple(byte[] data, int contourCount, int glyph)
    {
        var span = data.AsSpan();
        var at = 10;
        var ends = new int[contourCount];
        for (var i = 0; i < contourCount; i++)
        {
            Need(span, at, 2, glyph);
            ends[i] = BinaryPrimitives.ReadUInt16BigEndian(span[at..]);
            at += 2;
            if (i > 0 && ends[i] < ends[i - 1])
            {
                throw Broken(glyph, "contour ends out of order");
            }
        }

        var points = contourCount == 0 ? 0 : ends[^1] + 1;
        Need(span, at, 2, glyph);
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(span[at..]); // instructions: not run (no hinting)
        var flags = new byte[points];
        for (var i = 0; i < points;)
        {
            Need(span, at, 1, glyph);
            var flag = span[at++];
            flags[i++] = flag;
            if ((flag & 0x08) != 0)
            {
                Need(span, at, 1, glyph);
                for (var repeat = span[at++]; repeat > 0 && i < points; repeat--)
                {
                    flags[i++] = flag;
                }
            }
        }

        var xs = new float[points];
        var ys = new float[points];
        var value = 0;
        for (var i = 0; i < points; i++)
        {
            value += Coordinate(span, ref at, flags[i], 0x02, 0x10, glyph);
            xs[i] = value;
        }

        value = 0;
        for (var i = 0; i < points; i++)
        {
            value += Coordinate(span, ref at, flags[i], 0x04, 0x20, glyph);
            ys[i] = value;
        }

        var onCurve = new bool[points];
        for (var i = 0; i < points; i++)
        {
            onCurve[i] = (flags[i] & 0x01) != 0;
        }

        return new GlyphOutline(xs, ys, onCurve, ends, contourCount == 0 ? [] : [contourCount - 1]);
    }

    private int Coordinate(ReadOnlySpan<byte> span, ref int at, byte flag, byte shortBit, byte sameOrPositive, int glyph)
    {
        if ((flag & shortBit) != 0)
        {
            Need(span, at, 1, glyph);
            var magnitude = span[at++];
            return (flag & sameOrPositive) != 0 ? magnitude : -magnitude;
        }

        if ((flag & sameOrPositive) != 0)
        {
            return 0;
        }

        Need(span, at, 2, glyph);
        var delta = BinaryPrimitives.ReadInt16BigEndian(span[at..]);
        at += 2;
        return delta;
    }

    private GlyphOutline Composite(byte[] data, int glyph, int depth)
    {
        if (depth >= MaxComponentDepth)
        {
            throw Broken(glyph, "components nested too deeply");
        }

        var span = data.AsSpan();
        var at = 10;
        var xs = new List<float>();
        var ys = new List<float>();
        var on = new List<bool>();
        var ends = new List<int>();
        var parts = new List<int>();
        ushort flags;
        do
        {
            Need(span, at, 4, glyph);
            flags = BinaryPrimitives.ReadUInt16BigEndian(span[at..]);
            var component = BinaryPrimitives.ReadUInt16BigEndian(span[(at + 2)..]);
            at += 4;
            int argument1, argument2;
            if ((flags & 0x0001) != 0)
            {
                Need(span, at, 4, glyph);
                argument1 = BinaryPrimitives.ReadInt16BigEndian(span[at..]);
                argument2 = BinaryPrimitives.ReadInt16BigEndian(span[(at + 2)..]);
                at += 4;
            }
            else
            {
                Need(span, at, 2, glyph);
                argument1 = (flags & 0x0002) != 0 ? (sbyte)span[at] : span[at];
                argument2 = (flags & 0x0002) != 0 ? (sbyte)span[at + 1] : span[at + 1];
                at += 2;
            }

            float a = 1, b = 0, c = 0, d = 1;
            if ((flags & 0x0008) != 0)
            {
                Need(span, at, 2, glyph);
                a = d = F2Dot14(span[at..]);
                at += 2;
            }
            else if ((flags & 0x0040) != 0)
            {
                Need(span, at, 4, glyph);
                a = F2Dot14(span[at..]);
                d = F2Dot14(span[(at + 2)..]);
                at += 4;
            }
            else if ((flags & 0x0080) != 0)
            {
                Need(span, at, 8, glyph);
                a = F2Dot14(span[at..]);
                b = F2Dot14(span[(at + 2)..]);
                c = F2Dot14(span[(at + 4)..]);
                d = F2Dot14(span[(at + 6)..]);
                at += 8;
            }

            var part = Load(component, depth + 1);
            var first = xs.Count;
            for (var i = 0; i < part.X.Length; i++)
            {
                xs.Add((part.X[i] * a) + (part.Y[i] * c));
                ys.Add((part.X[i] * b) + (part.Y[i] * d));
                on.Add(part.OnCurve[i]);
            }

            float dx, dy;
            if ((flags & 0x0002) != 0)
            {
                (dx, dy) = (argument1, argument2);
            }
            else
            {
                // Point matching: the component's point argument2 lands on the glyph's point argument1 so far.
                var parent = argument1;
                var child = first + argument2;
                if (parent >= first || child >= xs.Count)
                {
                    throw Broken(glyph, "a matched point that does not exist");
                }

                (dx, dy) = (xs[parent] - xs[child], ys[parent] - ys[child]);
            }

            for (var i = first; i < xs.Count; i++)
            {
                xs[i] += dx;
                ys[i] += dy;
            }

            foreach (var partEnd in part.PartEnds)
            {
                parts.Add(ends.Count + partEnd);
            }

            foreach (var end in part.ContourEnds)
            {
                ends.Add(first + end);
            }
        }
        while ((flags & 0x0020) != 0);

        return new GlyphOutline([.. xs], [.. ys], [.. on], [.. ends], [.. parts]);
    }

    private static float F2Dot14(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt16BigEndian(bytes) / 16384f;

    private int Need(ReadOnlySpan<byte> span, int at, int count, int glyph) =>
        at + count <= span.Length ? at : throw Broken(glyph, "its data ends early");

    private InvalidDataException Broken(int glyph, string why) => new($"{Path}: glyph {glyph} is broken: {why}.");
}

/// <summary>A glyph's outline in font units, y up: TrueType points, on the curve or quadratic control points between.</summary>
/// <param name="X">The points' x.</param>
/// <param name="Y">The points' y.</param>
/// <param name="OnCurve">Whether each point is on the curve.</param>
/// <param name="ContourEnds">The index of each contour's last point.</param>
/// <param name="PartEnds">
/// For a glyph composed of others, the index in <paramref name="ContourEnds"/> of each part's last contour (one part for
/// a simple glyph). Parts may overlap — DejaVu's ệ holds its dot below twice — and are filled one by one.
/// </param>
public sealed record GlyphOutline(float[] X, float[] Y, bool[] OnCurve, int[] ContourEnds, int[] PartEnds)
{
    /// <summary>No ink (a space).</summary>
    public static GlyphOutline Empty { get; } = new([], [], [], [], []);
}

/// <summary>A face at a size in pixels to the em: what text is measured and drawn with.</summary>
/// <param name="Face">The face.</param>
/// <param name="Size">Pixels to the em.</param>
public readonly record struct Font(FontFace Face, float Size)
{
    /// <summary>The face's vertical measures at this size.</summary>
    public FontMetrics Metrics => Face.Metrics(Size);

    /// <summary>How wide <paramref name="text"/> is.</summary>
    public float Measure(ReadOnlySpan<char> text) => Face.Measure(text, Size);

    /// <summary>How many of <paramref name="text"/>'s characters fit in <paramref name="width"/>.</summary>
    public int Fit(ReadOnlySpan<char> text, float width) => Face.Fit(text, Size, width);
}
