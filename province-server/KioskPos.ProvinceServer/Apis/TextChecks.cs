namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// What a refusal quotes of the free text an administrator typed (whether the text is one line that shows as typed is
/// <see cref="KioskPos.Core.Text.PlainText.IsOneLine"/>: a name holding U+202E shows its end reversed wherever it is
/// listed, so one person can pass for another).
/// </summary>
internal static class TextChecks
{
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
