namespace KioskPos.Shared.Contracts;

/// <summary>
/// The reference of a bank transfer that pays money back (a refund, an account's closing remainder), as banks write it
/// (FT26120500001): the one length rule of the terminal's counter and the province alike.
/// </summary>
public static class BankReference
{
    /// <summary>The fewest characters of a reference.</summary>
    public const int MinLength = 4;

    /// <summary>The most characters of a reference.</summary>
    public const int MaxLength = 64;

    /// <summary>The reference trimmed, or null when it is missing or its length is outside the rule.</summary>
    public static string? Normalise(string? text) => text?.Trim() is { Length: >= MinLength and <= MaxLength } reference ? reference : null;
}
