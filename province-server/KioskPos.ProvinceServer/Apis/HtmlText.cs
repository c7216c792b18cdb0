using System.Text;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Text into HTML: only the characters that mean something to HTML are escaped, so Vietnamese stays readable in
/// the page's source (WebUtility.HtmlEncode writes "â" as "&amp;#226;", which searching the source for a name misses).
/// </summary>
internal static class HtmlText
{
    public static string Encode(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}
