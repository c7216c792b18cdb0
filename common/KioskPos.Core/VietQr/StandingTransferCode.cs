using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace KioskPos.Core.VietQr;

/// <summary>
/// An account's standing top-up code (mã nạp tiền): the text a parent puts in any transfer, from any bank app, at any
/// time, to put money on the card. <c>NT</c> (nạp tiền), eight characters from the first 40 bits of SHA-256 of the
/// payer code, and a Luhn mod 32 check character over the same alphabet as <see cref="TransferCode"/> (no 0, O, 1, I),
/// e.g. <c>NT7KQ3MX9AB</c>: 11 ASCII characters, well inside VietQR's 25-character purpose.
/// </summary>
/// <remarks>
/// Deterministic, so the terminal shows and prints it from the payer code alone and the province finds the account
/// by the same function; not a secret (a stranger who used it would only be giving money to that card). Two payer
/// codes sharing a code (a 2^-40 chance per pair) make the code name no single account: such a transfer goes to review.
/// </remarks>
public readonly record struct StandingTransferCode
{
    /// <summary>Every standing code starts with this.</summary>
    public const string Prefix = "NT";

    /// <summary>Characters in a code.</summary>
    public const int Length = 11;

    private const int BodyLength = 8;

    private StandingTransferCode(string value) => Value = value;

    /// <summary>The code, e.g. <c>NT7KQ3MX9AB</c>.</summary>
    public string Value { get; }

    /// <summary>The standing code of payer <paramref name="accountCode"/> (as stored: upper case).</summary>
    public static StandingTransferCode For(string accountCode)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountCode);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("kioskpos.top-up:" + accountCode.ToUpperInvariant()));
        var bits = 0L;
        for (var i = 0; i < 5; i++)
        {
            bits = (bits << 8) | hash[i];
        }

        var text = TransferCode.Encode(bits, BodyLength);
        return new StandingTransferCode(Prefix + text + TransferCode.CheckCharacter(text));
    }

    /// <summary>Reads a code exactly as written (any case); false when malformed or the check fails.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out StandingTransferCode? code)
    {
        code = null;
        if (text is null || text.Length != Length || !text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var upper = text.ToUpperInvariant();
        var body = upper.Substring(Prefix.Length, BodyLength);
        if (!body.All(c => TransferCode.Alphabet.Contains(c, StringComparison.Ordinal)) || TransferCode.CheckCharacter(body) != upper[^1])
        {
            return false;
        }

        code = new StandingTransferCode(upper);
        return true;
    }

    /// <summary>
    /// Every valid standing code inside a transfer text as banks leave it (any case, spaces or punctuation inside or
    /// around it, extra words), first first; it must end where a word ends.
    /// </summary>
    public static IReadOnlyList<StandingTransferCode> FindIn(string? text) =>
        [.. TransferCode.FindAll(text, Prefix, Length, candidate => TryParse(candidate, out var code) ? code : null).Select(f => f.Code)];

    /// <inheritdoc/>
    public override string ToString() => Value;
}
