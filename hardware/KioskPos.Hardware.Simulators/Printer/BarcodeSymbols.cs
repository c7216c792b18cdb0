using System.Text;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>The 1D symbologies of <c>GS k</c> (Epson ESC/POS reference, "GS k").</summary>
public enum BarcodeSymbology
{
    /// <summary>m = 0 / 65.</summary>
    UpcA,

    /// <summary>m = 1 / 66.</summary>
    UpcE,

    /// <summary>m = 2 / 67 (JAN13).</summary>
    Ean13,

    /// <summary>m = 3 / 68 (JAN8).</summary>
    Ean8,

    /// <summary>m = 4 / 69.</summary>
    Code39,

    /// <summary>m = 5 / 70 (Interleaved 2 of 5).</summary>
    Itf,

    /// <summary>m = 6 / 71 (NW-7).</summary>
    Codabar,

    /// <summary>m = 72.</summary>
    Code93,

    /// <summary>m = 73, code sets chosen in the data (<c>{A</c>, <c>{B</c>, <c>{C</c>).</summary>
    Code128,
}

/// <summary>A barcode ready to draw: its bars and spaces, narrow ones 1 unit (wide ones <see cref="Wide"/>), and the
/// text the printer prints as HRI.</summary>
/// <param name="Elements">Alternating bar, space, bar... widths; in modules, or 1 = narrow / 2 = wide for two-width codes.</param>
/// <param name="TwoWidth">True when <paramref name="Elements"/> holds narrow/wide (CODE39, ITF, CODABAR).</param>
/// <param name="Hri">The human-readable interpretation.</param>
public sealed record BarcodeSymbol(IReadOnlyList<int> Elements, bool TwoWidth, string Hri)
{
    /// <summary>A wide element in a two-width code.</summary>
    public const int Wide = 2;
}

/// <summary>
/// Encodes the data of <c>GS k</c> into bars as the symbology standards define them (EAN/UPC: ISO/IEC 15420; CODE39:
/// ISO/IEC 16388; ITF: ISO/IEC 16390; CODABAR; CODE93; CODE128: ISO/IEC 15417), with the data rules of Epson's
/// reference (check digits added or verified, CODE128 code sets selected in the data). Returns null with a reason
/// for data a printer refuses.
/// </summary>
public static class BarcodeSymbols
{
    // EAN/UPC digit codes as widths space-bar-space-bar (set A / "L"); set C ("R") is the same widths bar first,
    // set B ("G") is set C reversed.
    private static readonly string[] s_eanL = ["3211", "2221", "2122", "1411", "1132", "1231", "1114", "1312", "1213", "3112"];

    // EAN-13: which of the left six digits use set B, by the leading digit (bit 5 = leftmost).
    private static readonly int[] s_eanParity = [0x00, 0x0B, 0x0D, 0x0E, 0x13, 0x19, 0x1C, 0x15, 0x16, 0x1A];

    // UPC-E: which of the six digits use set B ("even"), number system 0, by check digit; number system 1 is the complement.
    private static readonly int[] s_upcEParity = [0x38, 0x34, 0x32, 0x31, 0x2C, 0x26, 0x23, 0x2A, 0x29, 0x25];

    private const string Code39Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%*";

    // CODE39: 9 elements (bar first), bit 8 the first, 1 = wide.
    private static readonly int[] s_code39 =
    [
        0x034, 0x121, 0x061, 0x160, 0x031, 0x130, 0x070, 0x025, 0x124, 0x064,
        0x109, 0x049, 0x148, 0x019, 0x118, 0x058, 0x00D, 0x10C, 0x04C, 0x01C,
        0x103, 0x043, 0x142, 0x013, 0x112, 0x052, 0x007, 0x106, 0x046, 0x016,
        0x181, 0x0C1, 0x1C0, 0x091, 0x190, 0x0D0, 0x085, 0x184, 0x0C4, 0x0A8,
        0x0A2, 0x08A, 0x02A, 0x094,
    ];

    // ITF digits: 5 elements, 1 = wide.
    private static readonly string[] s_itf = ["00110", "10001", "01001", "11000", "00101", "10100", "01100", "00011", "10010", "01010"];

    private const string CodabarAlphabet = "0123456789-$:/.+ABCD";

    // CODABAR: 7 elements (bar first), bit 6 the first, 1 = wide.
    private static readonly int[] s_codabar = [0x003, 0x006, 0x009, 0x060, 0x012, 0x042, 0x021, 0x024, 0x030, 0x048, 0x00C, 0x018, 0x045, 0x051, 0x054, 0x015, 0x01A, 0x029, 0x00B, 0x00E];

    private const string Code93Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";

    // CODE93: 9 modules, bit 8 the first, 1 = black; then the four shift characters ($) (%) (/) (+) and the start/stop.
    private static readonly int[] s_code93 =
    [
        0x114, 0x148, 0x144, 0x142, 0x128, 0x124, 0x122, 0x150, 0x112, 0x10A,
        0x1A8, 0x1A4, 0x1A2, 0x194, 0x192, 0x18A, 0x168, 0x164, 0x162, 0x134,
        0x11A, 0x158, 0x14C, 0x146, 0x12C, 0x116, 0x1B4, 0x1B2, 0x1AC, 0x1A6,
        0x196, 0x19A, 0x16C, 0x166, 0x136, 0x13A, 0x12E, 0x1D4, 0x1D2, 0x1CA,
        0x16E, 0x176, 0x1AE, 0x126, 0x1DA, 0x1D6, 0x132, 0x15E,
    ];

    // CODE128 symbol characters 0-105 (six widths each) and the stop (seven).
    private static readonly string[] s_code128 =
    [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
        "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
        "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
        "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
        "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
        "114131", "311141", "411131", "211412", "211214", "211232",
    ];

    private const string Code128Stop = "2331112";

    /// <summary>Encodes <paramref name="data"/>; null with <paramref name="problem"/> when a printer would refuse it.</summary>
    public static BarcodeSymbol? Encode(BarcodeSymbology symbology, ReadOnlySpan<byte> data, out string? problem)
    {
        problem = null;
        var text = Encoding.Latin1.GetString(data);
        var symbol = symbology switch
        {
            BarcodeSymbology.UpcA => UpcA(text, ref problem),
            BarcodeSymbology.UpcE => UpcE(text, ref problem),
            BarcodeSymbology.Ean13 => Ean(text, 13, ref problem),
            BarcodeSymbology.Ean8 => Ean(text, 8, ref problem),
            BarcodeSymbology.Code39 => Code39(text, ref problem),
            BarcodeSymbology.Itf => Itf(text, ref problem),
            BarcodeSymbology.Codabar => Codabar(text, ref problem),
            BarcodeSymbology.Code93 => Code93(text, ref problem),
            _ => Code128(data, ref problem),
        };
        return symbol;
    }

    /// <summary>The GS1 check digit of <paramref name="digits"/> (weights 3 and 1 from the right).</summary>
    public static int CheckDigit(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var weight = (digits.Length - i) % 2 == 1 ? 3 : 1;
            sum += (digits[i] - '0') * weight;
        }

        return (10 - (sum % 10)) % 10;
    }

    private static bool AllDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static BarcodeSymbol? UpcA(string text, ref string? problem)
    {
        // UPC-A is EAN-13 with a leading 0; its HRI shows the 12 digits.
        if (!AllDigits(text) || text.Length is not (11 or 12))
        {
            problem = "UPC-A takes 11 or 12 digits";
            return null;
        }

        var ean = Ean("0" + text, 13, ref problem);
        return ean is null ? null : ean with { Hri = ean.Hri[1..] };
    }

    private static BarcodeSymbol? Ean(string text, int length, ref string? problem)
    {
        if (!AllDigits(text) || (text.Length != length - 1 && text.Length != length))
        {
            problem = $"EAN-{length} takes {length - 1} or {length} digits";
            return null;
        }

        var check = CheckDigit(text[..(length - 1)]);
        if (text.Length == length && text[^1] - '0' != check)
        {
            problem = $"EAN-{length} check digit {text[^1]} is wrong (it is {check})";
            return null;
        }

        var digits = text[..(length - 1)] + (char)('0' + check);
        var elements = new List<int> { 1, 1, 1 };
        var half = length / 2;
        var first = length == 13 ? 1 : 0;
        var parity = length == 13 ? s_eanParity[digits[0] - '0'] : 0;
        for (var i = 0; i < half; i++)
        {
            var useB = ((parity >> (5 - i)) & 1) != 0;
            elements.AddRange(Digit(digits[first + i] - '0', useB));
        }

        elements.AddRange([1, 1, 1, 1, 1]);
        for (var i = first + half; i < digits.Length; i++)
        {
            // Set C, bar first: the same widths as set A, which starts with a space.
            elements.AddRange(s_eanL[digits[i] - '0'].Select(c => c - '0'));
        }

        elements.AddRange([1, 1, 1]);

        // The elements above alternate space/bar from a bar guard; set C digits start with a bar, so the sequence
        // stays alternating.
        return new BarcodeSymbol(elements, false, digits);
    }

    /// <summary>A left-half digit: set A widths, or set B (set A read backwards); both start with a space.</summary>
    private static IEnumerable<int> Digit(int digit, bool setB)
    {
        var widths = s_eanL[digit].Select(c => c - '0');
        return setB ? widths.Reverse() : widths;
    }

    private static BarcodeSymbol? UpcE(string text, ref string? problem)
    {
        // Epson: 6 digits (number system 0 implied), 7 (with number system 0), 8 (and check digit), 11 or 12 (a
        // UPC-A that zero suppression can shorten).
        if (!AllDigits(text) || text.Length is not (6 or 7 or 8 or 11 or 12) || (text.Length >= 7 && text[0] != '0'))
        {
            problem = "UPC-E takes 6, 7, 8, 11 or 12 digits, number system 0";
            return null;
        }

        string body;
        if (text.Length >= 11)
        {
            var upcA = text[..11];
            body = Compress(upcA) ?? string.Empty;
            if (body.Length == 0)
            {
                problem = $"UPC-A {upcA} cannot be zero-suppressed into UPC-E";
                return null;
            }
        }
        else
        {
            body = text.Length == 6 ? text : text[1..7];
        }

        var check = CheckDigit(Expand(body));
        if ((text.Length is 8 or 12) && text[^1] - '0' != check)
        {
            problem = $"UPC-E check digit {text[^1]} is wrong (it is {check})";
            return null;
        }

        var elements = new List<int> { 1, 1, 1 };
        var parity = s_upcEParity[check];
        for (var i = 0; i < 6; i++)
        {
            elements.AddRange(Digit(body[i] - '0', ((parity >> (5 - i)) & 1) != 0));
        }

        elements.AddRange([1, 1, 1, 1, 1, 1]);
        return new BarcodeSymbol(elements, false, "0" + body + (char)('0' + check));
    }

    /// <summary>The UPC-A (number system 0, without check digit) a UPC-E body stands for.</summary>
    private static string Expand(string body)
    {
        var last = body[5];
        var d = body;
        var manufacturerAndItem = last switch
        {
            '0' or '1' or '2' => $"{d[0]}{d[1]}{last}0000{d[2]}{d[3]}{d[4]}",
            '3' => $"{d[0]}{d[1]}{d[2]}00000{d[3]}{d[4]}",
            '4' => $"{d[0]}{d[1]}{d[2]}{d[3]}00000{d[4]}",
            _ => $"{d[0]}{d[1]}{d[2]}{d[3]}{d[4]}0000{last}",
        };
        return "0" + manufacturerAndItem;
    }

    private static string? Compress(string upcA)
    {
        for (var value = 0; value < 1_000_000; value++)
        {
            var body = value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            if (Expand(body) == upcA)
            {
                return body;
            }
        }

        return null;
    }

    private static BarcodeSymbol? Code39(string text, ref string? problem)
    {
        // The start/stop character * is added when the data does not carry it.
        var inner = text.Trim('*');
        if (inner.Length == 0 || inner.Any(c => Code39Alphabet.IndexOf(c, StringComparison.Ordinal) is < 0 or 43))
        {
            problem = "CODE39 takes 0-9, A-Z, space and $%+-./";
            return null;
        }

        var elements = new List<int>();
        foreach (var c in "*" + inner + "*")
        {
            var pattern = s_code39[Code39Alphabet.IndexOf(c, StringComparison.Ordinal)];
            for (var bit = 8; bit >= 0; bit--)
            {
                elements.Add(((pattern >> bit) & 1) != 0 ? BarcodeSymbol.Wide : 1);
            }

            elements.Add(1); // inter-character gap
        }

        elements.RemoveAt(elements.Count - 1);
        return new BarcodeSymbol(elements, true, "*" + inner + "*");
    }

    private static BarcodeSymbol? Itf(string text, ref string? problem)
    {
        if (!AllDigits(text) || text.Length < 2)
        {
            problem = "ITF takes an even number of digits";
            return null;
        }

        // An odd last digit is ignored (Epson).
        var digits = text[..(text.Length & ~1)];
        var elements = new List<int> { 1, 1, 1, 1 };
        for (var i = 0; i < digits.Length; i += 2)
        {
            var bars = s_itf[digits[i] - '0'];
            var spaces = s_itf[digits[i + 1] - '0'];
            for (var j = 0; j < 5; j++)
            {
                elements.Add(bars[j] == '1' ? BarcodeSymbol.Wide : 1);
                elements.Add(spaces[j] == '1' ? BarcodeSymbol.Wide : 1);
            }
        }

        elements.AddRange([BarcodeSymbol.Wide, 1, 1]);
        return new BarcodeSymbol(elements, true, digits);
    }

    private static BarcodeSymbol? Codabar(string text, ref string? problem)
    {
        var upper = text.ToUpperInvariant();
        if (upper.Length < 3 || upper[0] is < 'A' or > 'D' || upper[^1] is < 'A' or > 'D'
            || upper[1..^1].Any(c => CodabarAlphabet.IndexOf(c, StringComparison.Ordinal) is < 0 or > 15))
        {
            problem = "CODABAR takes a start and stop character A-D around 0-9 and -$:/.+";
            return null;
        }

        var elements = new List<int>();
        foreach (var c in upper)
        {
            var pattern = s_codabar[CodabarAlphabet.IndexOf(c, StringComparison.Ordinal)];
            for (var bit = 6; bit >= 0; bit--)
            {
                elements.Add(((pattern >> bit) & 1) != 0 ? BarcodeSymbol.Wide : 1);
            }

            elements.Add(1);
        }

        elements.RemoveAt(elements.Count - 1);
        return new BarcodeSymbol(elements, true, upper);
    }

    private static BarcodeSymbol? Code93(string text, ref string? problem)
    {
        var values = new List<int>();
        foreach (var c in text)
        {
            var index = Code93Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (index >= 0)
            {
                values.Add(index);
            }
            else if (c is >= 'a' and <= 'z')
            {
                // Full ASCII: lower case is (+) and the capital.
                values.Add(46);
                values.Add(Code93Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal));
            }
            else
            {
                problem = $"CODE93 character 0x{(int)c:X2} is not emulated";
                return null;
            }
        }

        // Check characters C (weights 1-20) then K (1-15), from the right.
        values.Add(Code93Check(values, 20));
        values.Add(Code93Check(values, 15));
        var modules = new List<bool>();
        foreach (var value in values.Prepend(47).Append(47))
        {
            for (var bit = 8; bit >= 0; bit--)
            {
                modules.Add(((s_code93[value] >> bit) & 1) != 0);
            }
        }

        modules.Add(true); // termination bar
        return new BarcodeSymbol(Runs(modules), false, text);
    }

    private static int Code93Check(List<int> values, int maxWeight)
    {
        var sum = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var weight = ((values.Count - 1 - i) % maxWeight) + 1;
            sum += values[i] * weight;
        }

        return sum % 47;
    }

    /// <summary>Bar/space widths from modules (first module black).</summary>
    private static List<int> Runs(List<bool> modules)
    {
        var runs = new List<int>();
        var run = 0;
        for (var i = 0; i < modules.Count; i++)
        {
            run++;
            if (i == modules.Count - 1 || modules[i + 1] != modules[i])
            {
                runs.Add(run);
                run = 0;
            }
        }

        return runs;
    }

    /// <summary>
    /// CODE128 as Epson takes it: the data starts with a code set (<c>{A</c>, <c>{B</c>, <c>{C</c>); <c>{A</c>
    /// <c>{B</c> <c>{C</c> switch sets, <c>{S</c> shifts one character between A and B, <c>{1</c>-<c>{4</c> are
    /// FNC1-FNC4, <c>{{</c> is "{". In set C each byte is a value 0-99.
    /// </summary>
    private static BarcodeSymbol? Code128(ReadOnlySpan<byte> data, ref string? problem)
    {
        if (data.Length < 2 || data[0] != '{' || data[1] is not ((byte)'A' or (byte)'B' or (byte)'C'))
        {
            problem = "CODE128 data starts with {A, {B or {C";
            return null;
        }

        var values = new List<int>();
        var hri = new StringBuilder();
        var set = data[1];
        values.Add(set switch { (byte)'A' => 103, (byte)'B' => 104, _ => 105 });
        var shift = false;
        for (var i = 2; i < data.Length; i++)
        {
            var b = data[i];
            if (b == '{' && i + 1 < data.Length && data[i + 1] != '{')
            {
                var code = data[++i];
                switch (code)
                {
                    case (byte)'A' or (byte)'B' or (byte)'C':
                        // CODE A: 101 (from B or C); CODE B: 100 (from A or C); CODE C: 99 (from A or B).
                        values.Add(code switch { (byte)'A' => 101, (byte)'B' => 100, _ => 99 });
                        set = code;
                        break;
                    case (byte)'S' when set != 'C':
                        values.Add(98);
                        shift = true;
                        break;
                    case (byte)'1':
                        values.Add(102);
                        break;
                    case (byte)'2' when set != 'C':
                        values.Add(set == 'A' ? 97 : 97);
                        break;
                    case (byte)'3' when set != 'C':
                        values.Add(96);
                        break;
                    case (byte)'4' when set != 'C':
                        values.Add(set == 'A' ? 101 : 100);
                        break;
                    default:
                        problem = $"CODE128 has no {{{(char)code} in code set {(char)set}";
                        return null;
                }

                continue;
            }

            if (b == '{')
            {
                i++; // "{{" is one "{"
            }

            var current = shift ? (set == 'A' ? (byte)'B' : (byte)'A') : set;
            shift = false;
            int? value = current switch
            {
                (byte)'C' => b <= 99 ? b : null,
                (byte)'A' => b < 32 ? b + 64 : b <= 95 ? b - 32 : null,
                _ => b is >= 32 and <= 127 ? b - 32 : null,
            };
            if (value is not { } v)
            {
                problem = $"CODE128 byte 0x{b:X2} is not in code set {(char)current}";
                return null;
            }

            values.Add(v);
            hri.Append(current == 'C' ? v.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) : ((char)b).ToString());
        }

        var checksum = values[0];
        for (var i = 1; i < values.Count; i++)
        {
            checksum += values[i] * i;
        }

        values.Add(checksum % 103);
        var elements = new List<int>();
        foreach (var value in values)
        {
            elements.AddRange(s_code128[value].Select(c => c - '0'));
        }

        elements.AddRange(Code128Stop.Select(c => c - '0'));
        return new BarcodeSymbol(elements, false, hri.ToString());
    }
}
