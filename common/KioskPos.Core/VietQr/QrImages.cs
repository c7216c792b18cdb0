using QRCoder;

namespace KioskPos.Core.VietQr;

/// <summary>A 1-bit image, rows packed eight dots a byte, most significant bit first, 1 = black (the ESC/POS raster layout).</summary>
/// <param name="Width">Dots across.</param>
/// <param name="Height">Dots down.</param>
/// <param name="Rows">Height × ceil(Width / 8) bytes.</param>
public sealed record MonoBitmap(int Width, int Height, byte[] Rows)
{
    /// <summary>Bytes per row.</summary>
    public int Stride => (Width + 7) / 8;

    /// <summary>True when the dot at (<paramref name="x"/>, <paramref name="y"/>) is black.</summary>
    public bool this[int x, int y] => (Rows[(y * Stride) + (x / 8)] & (0x80 >> (x % 8))) != 0;
}

/// <summary>
/// QR images of a payload (QRCoder): error correction M, the four-module quiet zone kept, byte mode without an
/// ECI header (the payload is ASCII, and some banking apps stumble on an ECI designator).
/// </summary>
public static class QrImages
{
    /// <summary>An SVG for screens, scaling to its container.</summary>
    public static string Svg(string payload)
    {
        using var data = Generate(payload);
        return new SvgQRCode(data).GetGraphic(new System.Drawing.Size(320, 320), "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    /// <summary>A PNG with <paramref name="pixelsPerModule"/> pixels a module.</summary>
    public static byte[] Png(string payload, int pixelsPerModule = 8)
    {
        using var data = Generate(payload);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule, drawQuietZones: true);
    }

    /// <summary>A 1-bit raster for a thermal printer, modules scaled by a whole factor to fit <paramref name="maxWidthDots"/>.</summary>
    public static MonoBitmap Raster(string payload, int maxWidthDots)
    {
        using var data = Generate(payload);
        var matrix = data.ModuleMatrix;
        var modules = matrix.Count;
        var scale = maxWidthDots / modules;
        if (scale < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWidthDots), maxWidthDots, $"the QR needs at least {modules} dots across");
        }

        return Scale(matrix, scale);
    }

    /// <summary>
    /// A 1-bit raster of <paramref name="data"/> (any bytes, as a printer's <c>GS ( k</c> stores them) with
    /// <paramref name="moduleDots"/> dots a module and the quiet zone; <paramref name="level"/> is L, M, Q or H.
    /// </summary>
    public static MonoBitmap RasterOfBytes(byte[] data, int moduleDots, char level = 'M')
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(moduleDots, 1);
        var ecc = level switch
        {
            'L' => QRCodeGenerator.ECCLevel.L,
            'Q' => QRCodeGenerator.ECCLevel.Q,
            'H' => QRCodeGenerator.ECCLevel.H,
            _ => QRCodeGenerator.ECCLevel.M,
        };
        using var generator = new QRCodeGenerator();
        using var qr = generator.CreateQrCode(data, ecc);
        return Scale(qr.ModuleMatrix, moduleDots);
    }

    private static MonoBitmap Scale(List<System.Collections.BitArray> matrix, int scale)
    {
        var size = matrix.Count * scale;
        var stride = (size + 7) / 8;
        var rows = new byte[stride * size];
        for (var y = 0; y < size; y++)
        {
            var row = matrix[y / scale];
            for (var x = 0; x < size; x++)
            {
                if (row[x / scale])
                {
                    rows[(y * stride) + (x / 8)] |= (byte)(0x80 >> (x % 8));
                }
            }
        }

        return new MonoBitmap(size, size, rows);
    }

    private static QRCodeData Generate(string payload)
    {
        if (!AsciiText.IsPrintableAscii(payload))
        {
            throw new ArgumentException("a VietQR payload is printable ASCII only", nameof(payload));
        }

        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(payload, QRCodeGenerator.ECCLevel.M);
    }
}
