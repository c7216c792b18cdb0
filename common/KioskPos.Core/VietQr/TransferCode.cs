using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace KioskPos.Core.VietQr;

/// <summary>
/// The short code a payer's transfer text carries so that the province server can match the money to the payment:
/// <c>KP</c>, three characters naming the terminal (its province-assigned tag), six for the journal sequence of the
/// payment, and a Luhn mod 32 check character, e.g. <c>KP2AB22227QN</c>. The alphabet has no 0, O, 1 or I, so a
/// code read aloud or typed by hand is unambiguous, and any single mistyped character (and almost any swapped neighbours) is
/// detected. A code names its terminal and payment by itself, so a transfer that arrives before the terminal's
/// journal entry (the terminal was offline) can still be matched when the entry comes.
/// </summary>
public readonly record struct TransferCode
{
    /// <summary>The 32 characters a code uses: digits 2-9 and letters without I and O.</summary>
    public const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    /// <summary>Every code starts with this.</summary>
    public const string Prefix = "KP";

    /// <summary>Characters in a code.</summary>
    public const int Length = 12;

    /// <summary>The largest terminal tag: three characters of the alphabet.</summary>
    public const int MaxTerminalTag = (32 * 32 * 32) - 1;

    /// <summary>The largest payment sequence: six characters.</summary>
    public const long MaxSequence = (1L << 30) - 1;

    private TransferCode(string value, int terminalTag, long sequence)
    {
        Value = value;
        TerminalTag = terminalTag;
        Sequence = sequence;
    }

    /// <summary>The code, e.g. <c>KP2AB22227QN</c>.</summary>
    public string Value { get; }

    /// <summary>The terminal's province-assigned tag.</summary>
    public int TerminalTag { get; }

    /// <summary>The journal sequence of the payment on that terminal.</summary>
    public long Sequence { get; }

    /// <summary>The code of payment <paramref name="sequence"/> at the terminal tagged <paramref name="terminalTag"/>.</summary>
    public static TransferCode Create(int terminalTag, long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(terminalTag);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(terminalTag, MaxTerminalTag);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        var body = Encode(terminalTag, 3) + Encode(sequence, 6);
        return new TransferCode(Prefix + body + CheckCharacter(body), terminalTag, sequence);
    }

    /// <summary>Reads a code exactly as written (upper or lower case); false when malformed, the check fails or it names sequence 0.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TransferCode? code)
    {
        code = null;
        if (text is null || text.Length != Length || !text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var upper = text.ToUpperInvariant();
        var body = upper.Substring(Prefix.Length, Length - Prefix.Length - 1);
        if (!body.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) || CheckCharacter(body) != upper[^1])
        {
            return false;
        }

        // Sequences start at 1: "KP222222222…" (sequence 0) is well formed but no terminal ever issues it.
        var sequence = Decode(body[3..]);
        if (sequence < 1)
        {
            return false;
        }

        code = new TransferCode(upper, (int)Decode(body[..3]), sequence);
        return true;
    }

    /// <summary>
    /// Every valid code inside a transfer text as payers' apps and banks leave it: any case, spaces or punctuation
    /// inside or around the code, extra words, the bank's own prefixes (e.g. <c>MBVCB.3278.KP2AB 22227QN.CT tu ...</c>).
    /// </summary>
    public static IReadOnlyList<TransferCode> FindIn(string? text) => [.. FindSplitIn(text).Select(f => f.Code)];

    /// <summary>
    /// As <see cref="FindIn"/>, saying of each code whether its characters span a separator (<c>KP2AB 22227QN</c>): such
    /// a code may also be a code cut short by the payer or the bank and completed by the next word's letters
    /// (<c>KP2AB22227 CT</c>), which the check character lets through one time in 32, so matching applies it only
    /// where the amount is exactly what the payment still owes.
    /// </summary>
    public static IReadOnlyList<(TransferCode Code, bool Split)> FindSplitIn(string? text) =>
        FindAll(text, Prefix, Length, candidate => TryParse(candidate, out var code) ? code : null);

    /// <summary>
    /// Every valid code of <paramref name="length"/> characters starting with <paramref name="prefix"/> inside a bank's
    /// transfer text (folded to ASCII, every character that is not a letter or digit dropped), first first, each once,
    /// with whether it spans a separator; <paramref name="parse"/> says which candidates are codes. A code must end
    /// where a word ends (the next character, if any, is not a letter or digit): a window that stops inside a word is
    /// a cut code completed by the following text, never a code. Payment codes and standing top-up codes share it.
    /// </summary>
    internal static IReadOnlyList<(T Code, bool Split)> FindAll<T>(string? text, string prefix, int length, Func<string, T?> parse)
        where T : struct
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var folded = AsciiText.Fold(text);
        var compact = new StringBuilder(folded.Length);
        var origin = new List<int>(folded.Length);
        for (var i = 0; i < folded.Length; i++)
        {
            if (char.IsAsciiLetterOrDigit(folded[i]))
            {
                compact.Append(char.ToUpperInvariant(folded[i]));
                origin.Add(i);
            }
        }

        var squeezed = compact.ToString();
        var found = new List<(T Code, bool Split)>();
        for (var i = squeezed.IndexOf(prefix, StringComparison.Ordinal); i >= 0 && i + length <= squeezed.Length; i = squeezed.IndexOf(prefix, i + 1, StringComparison.Ordinal))
        {
            var (first, last) = (origin[i], origin[i + length - 1]);
            if (last + 1 < folded.Length && char.IsAsciiLetterOrDigit(folded[last + 1]))
            {
                continue;
            }

            if (parse(squeezed.Substring(i, length)) is { } code && !found.Exists(f => f.Code.Equals(code)))
            {
                found.Add((code, last - first + 1 != length));
            }
        }

        return found;
    }

    /// <inheritdoc/>
    public override string ToString() => Value;

    /// <summary><paramref name="value"/> in <paramref name="width"/> characters of the alphabet, most significant first.</summary>
    internal static string Encode(long value, int width)
    {
        var chars = new char[width];
        for (var i = width - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value % 32)];
            value /= 32;
        }

        return new string(chars);
    }

    private static long Decode(string text)
    {
        long value = 0;
        foreach (var c in text)
        {
            value = (value * 32) + Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        return value;
    }

    /// <summary>Luhn mod N over the alphabet: detects every single substitution and every swap of neighbours but one pair (2↔Z).</summary>
    internal static char CheckCharacter(string body)
    {
        var factor = 2;
        var sum = 0;
        for (var i = body.Length - 1; i >= 0; i--)
        {
            var addend = factor * Alphabet.IndexOf(body[i], StringComparison.Ordinal);
            factor = factor == 2 ? 1 : 2;
            sum += (addend / 32) + (addend % 32);
        }

        return Alphabet[(32 - (sum % 32)) % 32];
    }
}
