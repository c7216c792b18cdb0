using System.Globalization;
using System.Text;

namespace KioskPos.Core.VietQr;

/// <summary>
/// Machine-facing text for banks: Vietnamese folded to ASCII without diacritics (<c>Học phí</c> → <c>Hoc phi</c>,
/// <c>đ</c> → <c>d</c>). A UTF-8 value would make TLV lengths ambiguous, so nothing else may reach a payload.
/// </summary>
public static class AsciiText
{
    /// <summary>Folds <paramref name="text"/> to printable ASCII: diacritics stripped, other characters dropped, spaces collapsed.</summary>
    public static string Fold(string text)
    {
        var decomposed = KioskPos.Core.Text.LatinNormalization.ToFormD(text);
        var builder = new StringBuilder(decomposed.Length);
        var lastWasSpace = true;
        foreach (var c in decomposed)
        {
            var mapped = c switch
            {
                'đ' or 'ð' => 'd',
                'Đ' or 'Ð' => 'D', // U+00D0 (eth) looks like U+0110 and is typed for it; neither decomposes
                _ => c,
            };
            if (CharUnicodeInfo.GetUnicodeCategory(mapped) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsWhiteSpace(mapped))
            {
                if (!lastWasSpace)
                {
                    builder.Append(' ');
                }

                lastWasSpace = true;
                continue;
            }

            if (mapped is >= '!' and <= '~')
            {
                builder.Append(mapped);
                lastWasSpace = false;
            }
        }

        return builder.ToString().TrimEnd();
    }

    /// <summary>True when every character is printable ASCII (space to tilde).</summary>
    public static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
