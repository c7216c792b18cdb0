using System.Buffers.Binary;
using System.IO.Compression;
using KioskPos.Core.VietQr;

namespace KioskPos.Firmware.Imaging;

/// <summary>
/// PNG files (RFC 2083 / ISO 15948) of what the terminal draws: a receipt's dots as a 1-bit grey image, a grey or a
/// colour picture at 8 bits a channel. Rows unfiltered, deflated with zlib; chunks IHDR, IDAT, IEND with their CRC-32.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>A 1-bit image (set bits black), as a 1-bit greyscale PNG.</summary>
    public static byte[] Encode(MonoBitmap image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var height = Math.Max(1, image.Height);
        var stride = (image.Width + 7) / 8;
        return Encode(image.Width, height, bitDepth: 1, colourType: 0, stride, (row, into) =>
        {
            if (row < image.Height)
            {
                for (var i = 0; i < stride; i++)
                {
                    into[i] = (byte)~image.Rows[(row * stride) + i]; // PNG's grey: 1 is white
                }
            }
            else
            {
                into.Fill(0xFF);
            }
        });
    }

    /// <summary>A grey picture as an 8-bit greyscale PNG.</summary>
    public static byte[] Encode(GrayPicture picture)
    {
        ArgumentNullException.ThrowIfNull(picture);
        return Encode(picture.Width, picture.Height, 8, 0, picture.Width, (row, into) => picture.Pixels.AsSpan(row * picture.Width, picture.Width).CopyTo(into));
    }

    /// <summary>A colour picture as an 8-bit RGB PNG.</summary>
    public static byte[] Encode(RgbPicture picture)
    {
        ArgumentNullException.ThrowIfNull(picture);
        var stride = picture.Width * 3;
        return Encode(picture.Width, picture.Height, 8, 2, stride, (row, into) => picture.Pixels.AsSpan(row * stride, stride).CopyTo(into));
    }

    private delegate void RowWriter(int row, Span<byte> into);

    private static byte[] Encode(int width, int height, byte bitDepth, byte colourType, int stride, RowWriter rows)
    {
        using var file = new MemoryStream();
        file.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = bitDepth;
        header[9] = colourType;
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering, each row's filter byte 0 (none)
        header[12] = 0; // not interlaced
        Chunk(file, "IHDR"u8, header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                var line = new byte[stride + 1];
                for (var row = 0; row < height; row++)
                {
                    line[0] = 0;
                    rows(row, line.AsSpan(1));
                    zlib.Write(line);
                }
            }

            Chunk(file, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }

        Chunk(file, "IEND"u8, []);
        return file.ToArray();
    }

    private static void Chunk(Stream file, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        file.Write(word);
        file.Write(type);
        file.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        file.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
