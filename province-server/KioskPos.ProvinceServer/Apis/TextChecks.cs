namespace KioskPos.ProvinceServer.Apis;

/// <summary>Checks of the free text an administrator types (names) that pages, lists and exports show again.</summary>
internal static class TextChecks
{
    /// <summary>
    /// True when <paramref name="text"/> holds a control character (NUL, ESC, the C1 range) or one that reorders the
    /// text after it (the bidi embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069): a name holding
    /// U+202E shows its end reversed wherever it is listed, so one person can pass for another.
    /// </summary>
    public static bool HasHiddenCharacters(string text) =>
        text.Any(c => char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'));

    /// <summary>
    /// The start of a refused value for a problem's detail, never more than <paramref name="max"/> characters of it
    /// (and never half a surrogate pair): a 100 KB value is not sent back whole.
    /// </summary>
    public static string Excerpt(string? value, int max = 24)
    {
        if (value is null || value.Length <= max)
        {
            return value ?? string.Empty;
        }

        var cut = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return $"{value[..cut]}… ({value.Length} characters)";
    }
}
