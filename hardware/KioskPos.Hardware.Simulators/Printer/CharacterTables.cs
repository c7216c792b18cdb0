using System.Text;
using KioskPos.Firmware.Printing;

namespace KioskPos.Hardware.Simulators.Printer;

/// <summary>
/// The character tables of <c>ESC t</c> (Epson's "Character code tables" page) and the international character sets
/// of <c>ESC R</c>, for the emulator's text mode.
/// </summary>
public static class CharacterTables
{
    /// <summary>ESC t n to a .NET code page; -30 / -31 for TCVN-3 lower case / capitals.</summary>
    private static readonly Dictionary<int, int> s_epson = new()
    {
        [0] = 437,      // PC437: USA, Standard Europe
        [2] = 850,      // PC850: Multilingual
        [3] = 860,      // PC860: Portuguese
        [4] = 863,      // PC863: Canadian-French
        [5] = 865,      // PC865: Nordic
        [13] = 857,     // PC857: Turkish
        [14] = 737,     // PC737: Greek
        [15] = 28597,   // ISO8859-7: Greek
        [16] = 1252,    // WPC1252
        [17] = 866,     // PC866: Cyrillic #2
        [18] = 852,     // PC852: Latin 2
        [19] = 858,     // PC858: Euro
        [30] = -30,     // TCVN-3: Vietnamese, lower case
        [31] = -31,     // TCVN-3: Vietnamese, capitals
        [32] = 720,     // PC720: Arabic
        [33] = 775,     // WPC775: Baltic Rim
        [34] = 855,     // PC855: Cyrillic
        [35] = 861,     // PC861: Icelandic
        [36] = 862,     // PC862: Hebrew
        [37] = 864,     // PC864: Arabic
        [38] = 869,     // PC869: Greek
        [39] = 28592,   // ISO8859-2: Latin 2
        [40] = 28605,   // ISO8859-15: Latin 9
        [45] = 1250,    // WPC1250: Latin 2
        [46] = 1251,    // WPC1251: Cyrillic
        [47] = 1253,    // WPC1253: Greek
        [48] = 1254,    // WPC1254: Turkish
        [49] = 1255,    // WPC1255: Hebrew
        [50] = 1256,    // WPC1256: Arabic
        [51] = 1257,    // WPC1257: Baltic Rim
        [52] = 1258,    // WPC1258: Vietnamese (tone marks as combining characters)
    };

    // ESC R n: what replaces # $ @ [ \ ] ^ ` { | } ~ (Epson's international character set table, n = 0-15).
    private const string Positions = "#$@[\\]^`{|}~";

    private static readonly string[] s_international =
    [
        "#$@[\\]^`{|}~", // 0 U.S.A.
        "#$à°ç§^`éùè¨",  // 1 France
        "#$§ÄÖÜ^`äöüß",  // 2 Germany
        "£$@[\\]^`{|}~", // 3 U.K.
        "#$@ÆØÅ^`æøå~",  // 4 Denmark I
        "#¤ÉÄÖÅÜéäöåü",  // 5 Sweden
        "#$@°\\é^ùàòèì", // 6 Italy
        "₧$@¡Ñ¿^`¨ñ}~",  // 7 Spain I
        "#$@[¥]^`{|}~",  // 8 Japan
        "#¤ÉÆØÅÜéæøåü",  // 9 Norway
        "#$ÉÆØÅÜéæøåü",  // 10 Denmark II
        "#$á¡Ñ¿é`íñóú",  // 11 Spain II
        "#$á¡Ñ¿éüíñóú",  // 12 Latin America
        "#$@[₩]^`{|}~",  // 13 Korea
        "#$ŽŠĐĆČžšđćč",  // 14 Slovenia / Croatia
        "#¥@[\\]^`{|}~", // 15 China
    ];

    private static readonly Dictionary<int, Encoding> s_encodings = [];

    static CharacterTables() => VietnameseTextEncoder.LoadCp1258(); // registers the code pages provider

    // The pages .NET has no encoding for (PC851, PC853, PC1118, PC1119, PC1125, PC1098, KZ-1048, Katakana, the Thai
    // pages) come from EpsonCodePages (generated from an independent table, CodePages/make-tables.mjs) under the
    // pseudo code page GeneratedBase - n.
    private const int GeneratedBase = -1000;

    /// <summary>
    /// The .NET code page (or -30/-31 for TCVN-3, or -1000 - n for a page of <see cref="EpsonCodePages"/>) of ESC t
    /// <paramref name="n"/>; null when not emulated (Hiragana and the Kanji pages, Thai 17, the user pages).
    /// </summary>
    public static int? Table(int n, IDictionary<int, int>? overrides = null) =>
        overrides is not null && overrides.TryGetValue(n, out var vendor) ? vendor
        : s_epson.TryGetValue(n, out var page) ? page
        : EpsonCodePages.Upper.ContainsKey(n) ? GeneratedBase - n
        : null;

    /// <summary>Byte <paramref name="b"/> (0x80-0xFF) in <paramref name="codePage"/>.</summary>
    public static char Decode(int codePage, byte b)
    {
        if (codePage <= GeneratedBase)
        {
            return b >= 0x80 ? EpsonCodePages.Upper[GeneratedBase - codePage][b - 0x80] : (char)b;
        }

        Encoding encoding;
        lock (s_encodings)
        {
            if (!s_encodings.TryGetValue(codePage, out encoding!))
            {
                encoding = Encoding.GetEncoding(codePage);
                s_encodings[codePage] = encoding;
            }
        }

        return encoding.GetString([b])[0];
    }

    /// <summary>An ASCII byte under ESC R <paramref name="set"/> (sets beyond 15 print as U.S.A.).</summary>
    public static char International(int set, byte b)
    {
        var index = Positions.IndexOf((char)b, StringComparison.Ordinal);
        return index >= 0 && set is >= 0 and < 16 ? s_international[set][index] : (char)b;
    }
}
