using KioskPos.Firmware.Imaging;

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

    /// <summary>A picture's pixels as RGB565, row by row.</summary>
    public static ushort[] FromPicture(RgbPicture picture)
    {
        ArgumentNullException.ThrowIfNull(picture);
        var pixels = new ushort[picture.Width * picture.Height];
        var rgb = picture.Pixels;
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = From(rgb[i * 3], rgb[(i * 3) + 1], rgb[(i * 3) + 2]);
        }

        return pixels;
    }
}
