using SkiaSharp;

namespace KioskPos.Firmware.Display;

/// <summary>RGB565 pixels (red in the high five bits), the 16-bit interface format (COLMOD 0x55).</summary>
public static class Rgb565
{
    /// <summary>One colour.</summary>
    public static ushort From(byte red, byte green, byte blue) => (ushort)(((red & 0xF8) << 8) | ((green & 0xFC) << 3) | (blue >> 3));

    /// <summary>Back to 8 bits a channel, the low bits filled from the high ones.</summary>
    public static (byte Red, byte Green, byte Blue) ToRgb(ushort pixel)
    {
        var r = (pixel >> 11) & 0x1F;
        var g = (pixel >> 5) & 0x3F;
        var b = pixel & 0x1F;
        return ((byte)((r << 3) | (r >> 2)), (byte)((g << 2) | (g >> 4)), (byte)((b << 3) | (b >> 2)));
    }

    /// <summary>A bitmap's pixels as RGB565, row by row.</summary>
    public static ushort[] FromBitmap(SKBitmap bitmap)
    {
        var pixels = new ushort[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                pixels[(y * bitmap.Width) + x] = From(c.Red, c.Green, c.Blue);
            }
        }

        return pixels;
    }
}
