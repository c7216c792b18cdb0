namespace KioskPos.Core.Text;

/// <summary>
/// The one rule for an address this system calls or sends people to (the province server, a bank's or an e-invoice
/// provider's API, the page payers' phones open): absolute, <c>http</c> or <c>https</c>, and neither credentials
/// (<c>user:password@</c>, which would sit in settings, logs and the overview) nor a query or fragment (the caller
/// appends paths to it). Where plain http is allowed besides is the caller's rule.
/// </summary>
public static class WebAddress
{
    /// <summary>The longest address accepted.</summary>
    public const int MaxLength = 300;

    /// <summary>True, with the parsed <paramref name="address"/>, when <paramref name="text"/> follows the rule.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed))
        {
            return false;
        }

        if (parsed.Scheme is not ("http" or "https") || parsed.UserInfo.Length > 0 || parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || parsed.Host.Length == 0)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>True when <paramref name="text"/> follows the rule (<see cref="TryParse"/>).</summary>
    public static bool IsValid(string? text) => TryParse(text, out _);
}
