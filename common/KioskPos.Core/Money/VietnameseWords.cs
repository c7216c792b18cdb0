using System.Text;

namespace KioskPos.Core.Money;

/// <summary>
/// Spells an amount of đồng in Vietnamese words, as receipts and invoices write it: "Một triệu hai trăm năm mươi
/// nghìn đồng". Zero tens inside a number read "linh" (1.005.000 → "một triệu không trăm linh năm nghìn"), a one
/// after twenty or more reads "mốt", a five after ten or more reads "lăm", and a group of zeros is skipped.
/// </summary>
public static class VietnameseWords
{
    private static readonly string[] Digits = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];

    // Group names from the right: units, thousands, millions; a billion (tỷ) repeats the cycle.
    private static readonly string[] Groups = [string.Empty, "nghìn", "triệu"];

    /// <summary>The amount in words, first letter capitalised, ending in "đồng".</summary>
    public static string Dong(Vnd amount) => Dong(amount.Value);

    /// <summary>The amount in words, first letter capitalised, ending in "đồng"; a negative amount starts with "Âm".</summary>
    public static string Dong(long amount)
    {
        var words = Number(amount) + " đồng";
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>A whole number in Vietnamese words, lower case.</summary>
    public static string Number(long value)
    {
        if (value == 0)
        {
            return Digits[0];
        }

        if (value < 0)
        {
            // long.MinValue has no positive counterpart: spell it through ulong.
            return "âm " + Spell(value == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)-value, leading: true);
        }

        return Spell((ulong)value, leading: true);
    }

    // Billions (tỷ) recurse: 1.000.000.000.000 is "một nghìn tỷ".
    private static string Spell(ulong value, bool leading)
    {
        const ulong Billion = 1_000_000_000;
        var text = new StringBuilder();
        if (value >= Billion)
        {
            text.Append(Spell(value / Billion, leading)).Append(" tỷ");
            value %= Billion;
            leading = false;
            if (value == 0)
            {
                return text.ToString();
            }
        }

        var groups = new[] { (int)(value / 1_000_000), (int)(value / 1_000 % 1_000), (int)(value % 1_000) };
        for (var i = 0; i < 3; i++)
        {
            if (groups[i] == 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(Hundreds(groups[i], full: !leading));
            leading = false;
            var name = Groups[2 - i];
            if (name.Length > 0)
            {
                text.Append(' ').Append(name);
            }
        }

        return text.ToString();
    }

    // One group of three digits. A group that follows another is read in full ("không trăm linh năm").
    private static string Hundreds(int group, bool full)
    {
        var hundreds = group / 100;
        var tens = group / 10 % 10;
        var units = group % 10;
        var parts = new List<string>(5);
        if (hundreds > 0 || full)
        {
            parts.Add(Digits[hundreds]);
            parts.Add("trăm");
        }

        if (tens == 0)
        {
            if (units > 0)
            {
                if (parts.Count > 0)
                {
                    parts.Add("linh");
                }

                parts.Add(Digits[units]);
            }

            return string.Join(' ', parts);
        }

        parts.Add(tens == 1 ? "mười" : Digits[tens] + " mươi");
        parts.Add(units switch
        {
            0 => string.Empty,
            1 when tens > 1 => "mốt",
            5 => "lăm",
            _ => Digits[units],
        });
        return string.Join(' ', parts.Where(p => p.Length > 0));
    }
}
