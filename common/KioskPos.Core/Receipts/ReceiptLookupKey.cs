namespace KioskPos.Core.Receipts;

/// <summary>
/// Where and with which key a payer finds a payment's legal e-document (issue 22). The key is the receipt's lookup
/// token (the first 12 hex digits of the payment's journal hash, known on the terminal the moment the payment is
/// journalled, offline too), printed in upper case in groups of four; the address is the province's receipt lookup
/// page, which shows the e-invoice or e-receipt once the institution's provider has issued it.
/// </summary>
/// <param name="Address">The page: <c>{province}/r</c>, where the receipt number (printed above) and the key are typed
/// in; short, so it fits a 58 mm line, as a longer address would be cut.</param>
/// <param name="Key">The key to type there: <c>9F3A-61C2-D0BE</c>.</param>
public sealed record ReceiptLookupKey(string Address, string Key)
{
    /// <summary>The address and key of a lookup link <c>{province}/r/{payment}?h={token}</c>; null for anything else.</summary>
    public static ReceiptLookupKey? FromLookupUrl(string? lookupUrl)
    {
        var at = lookupUrl?.LastIndexOf("?h=", StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }

        var token = lookupUrl![(at + 3)..];
        return token.Length == 12 && token.All(char.IsAsciiHexDigit) ? new ReceiptLookupKey(Page(lookupUrl[..at]), Format(token)) : null;
    }

    // {province}/r/{payment} → {province}/r
    private static string Page(string receiptUrl) =>
        receiptUrl.LastIndexOf("/r/", StringComparison.Ordinal) is var r and >= 0 ? receiptUrl[..(r + 2)] : receiptUrl;

    /// <summary>A 12-hex-digit token as people type it: upper case, in groups of four.</summary>
    public static string Format(string token) =>
        string.Join('-', token.ToUpperInvariant().Chunk(4).Select(c => new string(c)));
}
