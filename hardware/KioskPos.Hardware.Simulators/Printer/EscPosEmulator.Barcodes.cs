using KioskPos.Firmware.Imaging;
using KioskPos.Firmware.Printing;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>GS k: 1D barcodes with their HRI text (GS H, GS f), height (GS h) and module width (GS w).</summary>
public sealed partial class EscPosEmulator
{
    // GS w n: the narrow element n dots, the wide one as Epson's TM table gives it.
    private static readonly int[] s_wideDots = [0, 3, 5, 8, 10, 13, 15];

    // GS k m d1...dk NUL (m = 0-6) or GS k m n d1...dn (m = 65-79).
    private int Barcode()
    {
        if (_input.Count < 3)
        {
            return 0;
        }

        var m = At(2);
        int start, count, length;
        if (m <= 6)
        {
            var end = -1;
            for (var i = 3; i < _input.Count && i < 3 + 256; i++)
            {
                if (At(i) == 0)
                {
                    end = i;
                    break;
                }
            }

            if (end < 0)
            {
                return _input.Count >= 3 + 256 ? Unknown(3) : 0;
            }

            (start, count, length) = (3, end - 3, end + 1);
        }
        else if (m is >= 65 and <= 79)
        {
            if (_input.Count < 4)
            {
                return 0;
            }

            (start, count, length) = (4, At(3), 4 + At(3));
            if (_input.Count < length)
            {
                return 0;
            }
        }
        else
        {
            return Unknown(3);
        }

        BarcodeSymbology? symbology = (m >= 65 ? m - 65 : m) switch
        {
            0 => BarcodeSymbology.UpcA,
            1 => BarcodeSymbology.UpcE,
            2 => BarcodeSymbology.Ean13,
            3 => BarcodeSymbology.Ean8,
            4 => BarcodeSymbology.Code39,
            5 => BarcodeSymbology.Itf,
            6 => BarcodeSymbology.Codabar,
            7 => BarcodeSymbology.Code93,
            8 => BarcodeSymbology.Code128,
            _ => null,
        };
        if (symbology is not { } kind)
        {
            Report(length, $"GS k symbology {m} (GS1-128 / GS1 DataBar / CODE128 auto) not emulated");
            return length;
        }

        var symbol = BarcodeSymbols.Encode(kind, _input.Slice(start, count), out var problem);
        if (symbol is null)
        {
            // A printer ignores a barcode whose data it refuses; the stream goes on.
            Report(length, problem);
            return length;
        }

        PrintBarcode(kind, symbol, length);
        return length;
    }

    private void PrintBarcode(BarcodeSymbology kind, BarcodeSymbol symbol, int length)
    {
        FlushLine();
        var narrow = _barModule;
        var wide = s_wideDots[Math.Clamp(narrow, 1, 6)];
        var widths = symbol.Elements.Select(e => symbol.TwoWidth ? (e == BarcodeSymbol.Wide ? wide : narrow) : e * narrow).ToList();
        var total = widths.Sum();
        var area = PrintArea;
        if (total > area)
        {
            Report(length, $"{kind} of {total} dots does not fit the {area}-dot print area");
            return;
        }

        var left = AlignOffset(total);
        if ((_hriPosition & 1) != 0)
        {
            PrintHri(symbol.Hri, left, total);
        }

        var stride = (WidthDots + 7) / 8;
        var row = new byte[stride];
        var x = left;
        for (var i = 0; i < widths.Count; i++)
        {
            if (i % 2 == 0)
            {
                for (var d = x; d < x + widths[i] && d < WidthDots; d++)
                {
                    row[d >> 3] |= (byte)(0x80 >> (d & 7));
                }
            }

            x += widths[i];
        }

        for (var y = 0; y < _barHeight; y++)
        {
            _rows.Add((byte[])row.Clone());
        }

        if ((_hriPosition & 2) != 0)
        {
            PrintHri(symbol.Hri, left, total);
        }

        _pageBarcodes.Add($"{kind}:{symbol.Hri}");
    }

    /// <summary>The HRI characters, centred on the barcode, in font A or B (GS f), in normal size.</summary>
    private void PrintHri(string hri, int left, int width)
    {
        var cellWidth = _hriFontB ? 9 : CellWidth;
        var cellHeight = _hriFontB ? 17 : CellHeight;
        var textLeft = left + Math.Max(0, (width - (hri.Length * cellWidth)) / 2);
        var line = new GrayPicture(WidthDots, cellHeight);
        line.Clear(Rgb.White);
        var size = _hriFontB ? 15 : 21;
        for (var i = 0; i < hri.Length; i++)
        {
            var character = hri[i].ToString();
            var centre = textLeft + (i * cellWidth) + (cellWidth / 2f);
            line.DrawText(character, _regularFace, size, centre - (_regularFace.Measure(character, size) / 2f), cellHeight - 5, Rgb.Black);
        }

        _pageText.Add(new string(' ', Math.Max(0, textLeft - _leftMargin) / CellWidth) + hri);
        AddRows(line.Threshold(), 0);
    }
}
