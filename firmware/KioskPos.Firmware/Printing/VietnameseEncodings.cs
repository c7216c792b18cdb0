using System.Text;
using KioskPos.Core.VietQr;
using KioskPos.Core.Text;

namespace KioskPos.Firmware.Printing;

/// <summary>How a printer is sent text.</summary>
public enum PrinterTextMode
{
    /// <summary>Every document as a 1-bit image (<c>GS v 0</c>): accents right on every printer. The default.</summary>
    Raster,

    /// <summary>Text in TCVN-3 (ABC): one code page for lower case and letters without tone, another for tone-marked capitals (Epson 30/31).</summary>
    Tcvn3,

    /// <summary>Text in Windows-1258: a base letter followed by a tone-mark byte (Epson 52, Citizen 32, Bixolon 41...).</summary>
    Windows1258,

    /// <summary>Plain ASCII with the diacritics dropped: the last resort for a printer with no Vietnamese code page.</summary>
    Ascii,
}

/// <summary>
/// Encodes Vietnamese text for an ESC/POS printer's text mode, emitting the code page commands it needs (<c>ESC t</c>).
/// </summary>
public sealed class VietnameseTextEncoder
{
    // TCVN-3 (ABC, TCVN 5712:1993 VN3): letters with diacritics; a tone-marked capital prints from the capitals'
    // code page at the same byte as its lower-case letter.
    private static readonly Dictionary<char, byte> Tcvn3 = BuildTcvn3();

    // The same table the other way, for bytes 0x80-0xFF ('\0' where TCVN-3 has no letter).
    private static readonly char[] Tcvn3Letters = InvertTcvn3();

    private static readonly Encoding Cp1258 = LoadCp1258();

    private readonly PrinterTextMode _mode;
    private readonly byte _lowerPage;
    private readonly byte _upperPage;

    /// <summary>An encoder for <paramref name="mode"/>; <paramref name="codePage"/> is the printer's number for the table
    /// (TCVN-3: its lower-case page, the capitals being <paramref name="capitalsCodePage"/>; Windows-1258: its page).</summary>
    public VietnameseTextEncoder(PrinterTextMode mode, byte codePage, byte? capitalsCodePage = null)
    {
        if (mode == PrinterTextMode.Raster)
        {
            throw new ArgumentException("raster mode prints images, not text", nameof(mode));
        }

        _mode = mode;
        _lowerPage = codePage;
        _upperPage = capitalsCodePage ?? (byte)(codePage + 1);
    }

    /// <summary>The default code page numbers of Epson printers: TCVN-3 30 (capitals 31), Windows-1258 52, ASCII 0 (PC437).</summary>
    public static VietnameseTextEncoder EpsonDefault(PrinterTextMode mode) => mode switch
    {
        PrinterTextMode.Tcvn3 => new(mode, 30, 31),
        PrinterTextMode.Windows1258 => new(mode, 52),
        PrinterTextMode.Ascii => new(mode, 0),
        _ => throw new ArgumentException("raster mode prints images, not text", nameof(mode)),
    };

    /// <summary>The text mode.</summary>
    public PrinterTextMode Mode => _mode;

    /// <summary>The command that selects the encoder's (first) code page; sent once at the start of a document.</summary>
    public byte[] Select() => EscPos.CodePage(_lowerPage);

    /// <summary>
    /// The bytes of <paramref name="text"/> (NFC-normalised first), with <c>ESC t</c> switches where TCVN-3 needs the
    /// capitals' page; ends on the encoder's first page. Characters the table lacks print as '?'.
    /// </summary>
    public byte[] Encode(string text)
    {
        // Symbols no Vietnamese code page has: the đồng sign prints as "đ" (as handwritten receipts write it), a mask dot as '*'.
        text = LatinNormalization.ToFormC(text).Replace('₫', 'đ').Replace('•', '*');
        return _mode switch
        {
            PrinterTextMode.Tcvn3 => EncodeTcvn3(text),
            PrinterTextMode.Windows1258 => Cp1258.GetBytes(DecomposeTones(text)),
            _ => Encoding.ASCII.GetBytes(AsciiText.Fold(text)),
        };
    }

    /// <summary>
    /// Splits each letter into its base (with the shape marks Windows-1258 has precomposed: ă â ê ô ơ ư đ) and a
    /// separate combining tone mark (grave, acute, hook, tilde, dot below), which Windows-1258 encodes as its own byte.
    /// </summary>
    public static string DecomposeTones(string text)
    {
        var output = new StringBuilder(text.Length + 8);
        foreach (var letter in LatinNormalization.ToFormC(text))
        {
            var parts = LatinNormalization.ToFormD(letter.ToString());
            if (parts.Length == 1)
            {
                output.Append(letter);
                continue;
            }

            var shape = new StringBuilder(parts.Length);
            char? tone = null;
            foreach (var c in parts)
            {
                if (IsTone(c))
                {
                    tone = c;
                }
                else
                {
                    shape.Append(c);
                }
            }

            output.Append(LatinNormalization.ToFormC(shape.ToString()));
            if (tone is { } mark)
            {
                output.Append(mark);
            }
        }

        return output.ToString();
    }

    private byte[] EncodeTcvn3(string text)
    {
        var output = new List<byte>(text.Length + 8);
        var upper = false;
        foreach (var c in text)
        {
            byte value;
            var needUpper = false;
            if (c < 0x80)
            {
                value = (byte)c;
            }
            else if (Tcvn3.TryGetValue(c, out var b))
            {
                value = b;
            }
            else if (char.IsUpper(c) && Tcvn3.TryGetValue(char.ToLowerInvariant(c), out var lower) && lower >= 0xB5)
            {
                value = lower;
                needUpper = true;
            }
            else
            {
                var folded = AsciiText.Fold(c.ToString());
                value = folded.Length == 1 && folded[0] < 0x80 ? (byte)folded[0] : (byte)'?';
            }

            if (needUpper != upper)
            {
                output.AddRange(EscPos.CodePage(needUpper ? _upperPage : _lowerPage));
                upper = needUpper;
            }

            output.Add(value);
        }

        if (upper)
        {
            output.AddRange(EscPos.CodePage(_lowerPage));
        }

        return output.ToArray();
    }

    private static bool IsTone(char c) => c is '\u0300' or '\u0301' or '\u0303' or '\u0309' or '\u0323';

    /// <summary>Decodes TCVN-3 bytes printed from the lower-case (<paramref name="capitals"/> false) or capitals' page (the emulator's view).</summary>
    public static char DecodeTcvn3(byte value, bool capitals)
    {
        // The capitals' page is an all-capitals font: every letter on it prints upper case.
        if (value < 0x80)
        {
            return capitals ? char.ToUpperInvariant((char)value) : (char)value;
        }

        var letter = Tcvn3Letters[value - 0x80];
        return letter == '\0' ? '\uFFFD' : capitals ? char.ToUpperInvariant(letter) : letter;
    }

    /// <summary>Windows-1258, from the runtime's code pages provider.</summary>
    public static Encoding LoadCp1258()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1258, new EncoderReplacementFallback("?"), new DecoderReplacementFallback("\uFFFD"));
    }

    private static char[] InvertTcvn3()
    {
        var letters = new char[128];
        foreach (var (letter, code) in Tcvn3)
        {
            letters[code - 0x80] = letter;
        }

        return letters;
    }

    private static Dictionary<char, byte> BuildTcvn3()
    {
        // Bytes from 0xA1 in table order; each letter of a row is followed by its grave, hook, tilde, acute, dot-below forms.
        var table = new Dictionary<char, byte>
        {
            ['Ă'] = 0xA1, ['Â'] = 0xA2, ['Ê'] = 0xA3, ['Ô'] = 0xA4, ['Ơ'] = 0xA5, ['Ư'] = 0xA6, ['Đ'] = 0xA7,
            ['ă'] = 0xA8, ['â'] = 0xA9, ['ê'] = 0xAA, ['ô'] = 0xAB, ['ơ'] = 0xAC, ['ư'] = 0xAD, ['đ'] = 0xAE,
        };
        void Row(string letters, params byte[] codes)
        {
            for (var i = 0; i < letters.Length; i++)
            {
                table[letters[i]] = codes[i];
            }
        }

        Row("àảãáạ", 0xB5, 0xB6, 0xB7, 0xB8, 0xB9);
        Row("ằẳẵắặ", 0xBB, 0xBC, 0xBD, 0xBE, 0xC6);
        Row("ầẩẫấậ", 0xC7, 0xC8, 0xC9, 0xCA, 0xCB);
        Row("èẻẽéẹ", 0xCC, 0xCE, 0xCF, 0xD0, 0xD1);
        Row("ềểễếệ", 0xD2, 0xD3, 0xD4, 0xD5, 0xD6);
        Row("ìỉĩíị", 0xD7, 0xD8, 0xDC, 0xDD, 0xDE);
        Row("òỏõóọ", 0xDF, 0xE1, 0xE2, 0xE3, 0xE4);
        Row("ồổỗốộ", 0xE5, 0xE6, 0xE7, 0xE8, 0xE9);
        Row("ờởỡớợ", 0xEA, 0xEB, 0xEC, 0xED, 0xEE);
        Row("ùủũúụ", 0xEF, 0xF1, 0xF2, 0xF3, 0xF4);
        Row("ừửữứự", 0xF5, 0xF6, 0xF7, 0xF8, 0xF9);
        Row("ỳỷỹýỵ", 0xFA, 0xFB, 0xFC, 0xFD, 0xFE);
        return table;
    }
}
