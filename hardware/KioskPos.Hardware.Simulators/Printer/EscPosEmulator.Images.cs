using System.Text;
using KioskPos.Core.VietQr;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>Bit images, stored graphics and QR codes.</summary>
public sealed partial class EscPosEmulator
{
    private readonly Dictionary<(byte, byte), MonoBitmap> _nvGraphics = [];
    private readonly Dictionary<(byte, byte), MonoBitmap> _downloadGraphics = [];
    private MonoBitmap? _bufferGraphics;
    private MonoBitmap? _downloadedImage;

    // GS v 0 m xL xH yL yH d...: raster rows, most significant bit leftmost; m scales (1 double width, 2 double height).
    private int Raster()
    {
        if (_input.Count < 8)
        {
            return 0;
        }

        if (_input[2] != 0x30)
        {
            return Unknown(3);
        }

        var stride = _input[4] | (_input[5] << 8);
        var height = _input[6] | (_input[7] << 8);

        // Up to 65,535 × 65,535 bytes as the header says: a size beyond what a printer holds is reported, not waited
        // for (the product once overflowed an int and a negative length was sliced; found by make fuzz).
        if ((long)stride * height > MaxGraphicsBytes)
        {
            return Unknown(6);
        }

        var length = 8 + (stride * height);
        if (_input.Count < length)
        {
            return 0;
        }

        FlushLine();
        var image = new MonoBitmap(stride * 8, height, _input.Slice(8, stride * height));
        PrintImage(Scaled(image, (_input[3] & 1) != 0 ? 2 : 1, (_input[3] & 2) != 0 ? 2 : 1));
        return length;
    }

    /// <summary>Prints an image on its own rows, placed by the justification and margins.</summary>
    private void PrintImage(MonoBitmap image)
    {
        FlushLine();
        AddRows(image, AlignOffset(image.Width));
    }

    private static MonoBitmap Scaled(MonoBitmap image, int sx, int sy)
    {
        if (sx == 1 && sy == 1)
        {
            return image;
        }

        var width = image.Width * sx;
        var stride = (width + 7) / 8;
        var rows = new byte[stride * image.Height * sy];
        for (var y = 0; y < image.Height * sy; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (image[x / sx, y / sy])
                {
                    rows[(y * stride) + (x >> 3)] |= (byte)(0x80 >> (x & 7));
                }
            }
        }

        return new MonoBitmap(width, image.Height * sy, rows);
    }

    /// <summary>An image from column-format data: each column <paramref name="height"/> dots, (height + 7) / 8 bytes, most significant bit on top.</summary>
    private static MonoBitmap FromColumns(byte[] data, int width, int height)
    {
        var bytesPerColumn = (height + 7) / 8;
        var stride = (width + 7) / 8;
        var rows = new byte[stride * height];
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
            {
                // Data shorter than the size it declares prints blank where it stops, as Rows does (an index past
                // the end was found by make fuzz).
                var at = (x * bytesPerColumn) + (y >> 3);
                if (at < data.Length && (data[at] & (0x80 >> (y & 7))) != 0)
                {
                    rows[(y * stride) + (x >> 3)] |= (byte)(0x80 >> (x & 7));
                }
            }
        }

        return new MonoBitmap(width, height, rows);
    }

    // ESC * m nL nH d...: a bit image in the line, columns of 8 dots (m = 0, 1) or 24 dots (m = 32, 33); single
    // density modes (0, 32) print each column two dots wide, 8-dot modes each dot three rows tall.
    private int BitImage()
    {
        if (_input.Count < 5)
        {
            return 0;
        }

        var m = _input[2];
        if (m is not (0 or 1 or 32 or 33))
        {
            return Unknown(3);
        }

        var columns = _input[3] | (_input[4] << 8);
        var bytesPerColumn = m >= 32 ? 3 : 1;
        var length = 5 + (columns * bytesPerColumn);
        if (_input.Count < length)
        {
            return 0;
        }

        var image = FromColumns(_input.Slice(5, columns * bytesPerColumn), columns, bytesPerColumn * 8);
        image = Scaled(image, m is 0 or 32 ? 2 : 1, m < 32 ? 3 : 1);
        _lineCells.Add(new Cell(' ', false, false, false, false, false, 1, 1, Math.Min(image.Width, Math.Max(0, PrintArea - LineDots)), image));
        return length;
    }

    // GS * x y d...: a downloaded bit image, x * 8 dots across, y * 8 down, in columns; GS / m prints it.
    private int DefineDownloadedImage()
    {
        if (_input.Count < 4)
        {
            return 0;
        }

        var x = _input[2];
        var y = _input[3];
        var length = 4 + (x * y * 8);
        return Command(length, () =>
        {
            // It shares the user-defined characters' memory: defining one clears the other.
            _downloadedImage = FromColumns(_input.Slice(4, x * y * 8), x * 8, y * 8);
            ClearUserCharacters();
        });
    }

    private void PrintDownloadedImage()
    {
        if (_downloadedImage is null)
        {
            _unknown.Add($"@{_offset}: 1D 2F (no downloaded bit image defined)");
            return;
        }

        var m = At(2) % 48;
        PrintImage(Scaled(_downloadedImage, (m & 1) != 0 ? 2 : 1, (m & 2) != 0 ? 2 : 1));
    }

    private const long MaxGraphicsBytes = 16 << 20;

    // GS ( L pL pH m fn ... / GS 8 L p1 p2 p3 p4 m fn ...: graphics (Epson "GS ( L / GS 8 L").
    private int Graphics(int lengthBytes)
    {
        var header = 3 + lengthBytes;
        if (_input.Count < header)
        {
            return 0;
        }

        long parameters = 0;
        for (var i = 0; i < lengthBytes; i++)
        {
            parameters |= (long)_input[3 + i] << (8 * i);
        }

        // GS 8 L's four length bytes reach 4 GiB; the largest image a printer holds is a few MB (65,535 rows of 576
        // dots is 4.7 MB). A length beyond MaxGraphicsBytes is reported, not waited for (it once overflowed an int).
        if (parameters > MaxGraphicsBytes)
        {
            return Unknown(header - 2);
        }

        var length = header + (int)parameters;
        if (_input.Count < length)
        {
            return 0;
        }

        if (parameters < 2)
        {
            Report(length, "graphics function without m and fn");
            return length;
        }

        var p = _input.Slice(header, (int)parameters); // p[0] = m (48), p[1] = fn, then its parameters
        switch (p[1])
        {
            case 0x30 or 0x31 or 0x33 or 0x34 or 0x40 or 0x50:
                // Capacities, key code lists, reference dot density: questions and settings with no ink.
                break;
            case 0x32:
                // Print the graphics data in the print buffer.
                if (_bufferGraphics is { } stored)
                {
                    PrintImage(stored);
                    _bufferGraphics = null;
                }

                break;
            case 0x41:
                _nvGraphics.Clear();
                break;
            case 0x42 when p.Length >= 4:
                _nvGraphics.Remove((p[2], p[3]));
                break;
            case 0x51:
                _downloadGraphics.Clear();
                break;
            case 0x52 when p.Length >= 4:
                _downloadGraphics.Remove((p[2], p[3]));
                break;
            case 0x70 or 0x71 when p.Length >= 10:
                // Store in the print buffer: a bx by c xL xH yL yH d...
                var width = p[6] | (p[7] << 8);
                var height = p[8] | (p[9] << 8);
                if (TooLarge(width, height))
                {
                    break;
                }

                var image = p[1] == 0x70 ? Rows(p, 10, width, height) : FromColumns(p[10..], width, height);
                _bufferGraphics = Scaled(image, p[3] == 2 ? 2 : 1, p[4] == 2 ? 2 : 1);
                break;
            case 0x43 or 0x44 or 0x53 or 0x54 when p.Length >= 10:
                // Define NV (C, D) or download (S, T) graphics: a kc1 kc2 b xL xH yL yH [c d...]: the first colour is kept.
                var w = p[6] | (p[7] << 8);
                var h = p[8] | (p[9] << 8);
                if (TooLarge(w, h))
                {
                    break;
                }

                var defined = p[1] is 0x43 or 0x53 ? Rows(p, 11, w, h) : FromColumns(p.Length > 11 ? p[11..] : [], w, h); // ten bytes and no colour byte: found by make fuzz
                (p[1] is 0x43 or 0x44 ? _nvGraphics : _downloadGraphics)[(p[3], p[4])] = defined;
                break;
            case 0x45 or 0x55 when p.Length >= 6:
                // Print NV (E) or download (U) graphics: kc1 kc2 x y.
                if ((p[1] == 0x45 ? _nvGraphics : _downloadGraphics).TryGetValue((p[2], p[3]), out var graphic))
                {
                    PrintImage(Scaled(graphic, p[4] == 2 ? 2 : 1, p[5] == 2 ? 2 : 1));
                }
                else
                {
                    _unknown.Add($"@{_offset}: graphics {(char)p[2]}{(char)p[3]} printed but never defined");
                }

                break;
            case 0x42 or 0x52 or 0x70 or 0x71 or 0x43 or 0x44 or 0x53 or 0x54 or 0x45 or 0x55:
                Report(length, $"graphics function {p[1]} without its parameters");
                break;
            default:
                Report(length, $"graphics function {p[1]} not emulated");
                break;
        }

        return length;
    }

    // A stored image's declared size (up to 65,535 × 65,535 dots) beyond what a printer holds is reported rather than
    // allocated.
    private bool TooLarge(int width, int height)
    {
        if ((long)((width + 7) / 8) * height <= MaxGraphicsBytes)
        {
            return false;
        }

        _unknown.Add($"@{_offset}: graphics of {width} × {height} dots, more than a printer holds");
        return true;
    }

    private static MonoBitmap Rows(byte[] p, int start, int width, int height)
    {
        var stride = (width + 7) / 8;
        var rows = new byte[stride * height];
        Array.Copy(p, Math.Min(start, p.Length), rows, 0, Math.Clamp(p.Length - start, 0, rows.Length));
        return new MonoBitmap(width, height, rows);
    }

    // GS ( k pL pH cn fn ...: QR (cn 49). Other functions are reported.
    private int Function()
    {
        if (_input.Count < 5)
        {
            return 0;
        }

        var length = _input[3] | (_input[4] << 8);
        if (_input.Count < 5 + length)
        {
            return 0;
        }

        if (_input[2] == 0x44 && length >= 3 && _input[5] == 0x14)
        {
            // GS ( D pL pH 20 [a b]...: real-time command a (1: DLE DC4 1, 2: DLE DC4 2) enabled when b is 1.
            for (var i = 6; i + 1 < 5 + length; i += 2)
            {
                if (_input[i] == 1)
                {
                    _realTimePulse = _input[i + 1] == 1;
                }
            }

            return 5 + length;
        }

        if (_input[2] != 0x6B || length < 2 || _input[5] != 0x31)
        {
            // A whole function we do not emulate (another symbol, a setting): reported and skipped as one command.
            Report(5 + length);
            return 5 + length;
        }

        var fn = _input[6];
        switch (fn)
        {
            case 0x41:
                break; // model
            case 0x43 when length >= 3:
                _qrModule = Math.Clamp((int)_input[7], 1, 16);
                break;
            case 0x45 when length >= 3:
                _qrLevel = "LMQH"[Math.Clamp(_input[7] - 0x30, 0, 3)];
                break;
            case 0x50 when length >= 3:
                _qrData = _input.Slice(8, length - 3);
                break;
            case 0x51:
                PrintQr();
                break;
            default:
                Report(5 + length);
                break;
        }

        return 5 + length;
    }

    private void PrintQr()
    {
        FlushLine();
        if (_qrData is not { Length: > 0 } data)
        {
            _unknown.Add($"@{_offset}: QR print with no data stored");
            return;
        }

        var image = QrImages.RasterOfBytes(data, _qrModule, _qrLevel);
        _pageQr.Add(Encoding.UTF8.GetString(data));
        AddRows(image, AlignOffset(image.Width));
    }
}
