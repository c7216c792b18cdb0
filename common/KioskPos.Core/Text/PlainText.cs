namespace KioskPos.Core.Text;

/// <summary>Checks on short free text that people type and that is printed and shown again (a reason, a reference).</summary>
public static class PlainText
{
    /// <summary>
    /// True when <paramref name="text"/> is one line that shows as typed: no control character (C0, DEL, C1: line
    /// breaks, escape sequences a printer or terminal would obey) and no bidirectional embedding, override or isolate
    /// (U+202A–U+202E, U+2066–U+2069), which would show the characters after it in another order than stored.
    /// </summary>
    public static bool IsOneLine(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                return false;
            }
        }

        return true;
    }
}
