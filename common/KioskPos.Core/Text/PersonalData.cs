namespace KioskPos.Core.Text;

/// <summary>Keeps personal data on screens and slips to what the payment needs.</summary>
public static class PersonalData
{
    /// <summary>
    /// Masks a Vietnamese full name for public screens: the given name (last word) stays, the family and middle
    /// names keep their first letter, e.g. <c>Nguyễn Thị Minh Anh</c> → <c>N. T. M. Anh</c>.
    /// </summary>
    public static string MaskName(string fullName)
    {
        var words = fullName.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length <= 1)
        {
            return fullName.Trim();
        }

        var initials = words[..^1].Select(w => char.ToUpperInvariant(LatinNormalization.ToFormC(w)[0]) + ".");
        return string.Join(' ', initials.Append(words[^1]));
    }

    /// <summary>Masks a card UID for logs and slips: only the last four hex digits stay.</summary>
    public static string MaskCardUid(string uid) => uid.Length <= 4 ? uid : new string('•', uid.Length - 4) + uid[^4..];
}
