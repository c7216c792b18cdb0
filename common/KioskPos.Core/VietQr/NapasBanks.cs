using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace KioskPos.Core.VietQr;

/// <summary>A bank (or e-wallet) reachable by NAPAS 247 transfers, as VietQR lists it.</summary>
/// <param name="Bin">The six-digit BIN of field 38/01/00 (most start 970, not all: CIMB 422589, CAKE 546034, Timo 963388).</param>
/// <param name="Code">VietQR's code, e.g. <c>VCB</c>.</param>
/// <param name="ShortName">The name people use, e.g. <c>Vietcombank</c>.</param>
/// <param name="Name">The full Vietnamese name.</param>
public sealed record NapasBank(string Bin, string Code, string ShortName, string Name);

/// <summary>
/// The NAPAS 247 members by BIN (<c>VietQr/napas-banks.json</c>, shipped as data). A QR naming a BIN that is not a
/// member is refused by payers' apps or, worse, read as another bank's; so a receiving account's BIN is checked
/// against this list, and its bank name against the BIN.
/// </summary>
public static class NapasBanks
{
    private static readonly Lazy<FrozenDictionary<string, NapasBank>> s_byBin = new(Load);

    /// <summary>Every listed bank, by BIN.</summary>
    public static IReadOnlyDictionary<string, NapasBank> ByBin => s_byBin.Value;

    /// <summary>The bank of <paramref name="bin"/>, or null when it is not listed.</summary>
    public static NapasBank? Find(string? bin) => bin is not null && s_byBin.Value.TryGetValue(bin, out var bank) ? bank : null;

    /// <summary>
    /// True when <paramref name="bankName"/> names <paramref name="bank"/>: its short name, code or full name as whole
    /// words, in any case, with or without accents and spaces (<c>Vietcombank CN Tiền Giang</c>, <c>MB Bank</c>,
    /// <c>Ngân hàng TMCP Á Châu (ACB)</c>).
    /// </summary>
    public static bool Names(NapasBank bank, string bankName)
    {
        ArgumentNullException.ThrowIfNull(bank);
        var words = Words(bankName);
        var joined = words.Replace(" ", string.Empty, StringComparison.Ordinal);
        foreach (var name in new[] { bank.ShortName, bank.Code, bank.Name })
        {
            var wanted = Words(name);
            if (wanted.Length > 0 && ($" {words} ".Contains($" {wanted} ", StringComparison.Ordinal) || joined == wanted.Replace(" ", string.Empty, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    // Upper-case ASCII words: accents folded, everything else a space.
    private static string Words(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in AsciiText.Fold(text))
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : ' ');
        }

        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static FrozenDictionary<string, NapasBank> Load()
    {
        const string Resource = "KioskPos.Core.VietQr.napas-banks.json";
        using var stream = typeof(NapasBanks).Assembly.GetManifestResourceStream(Resource) ?? throw new InvalidOperationException($"Resource {Resource} is missing.");
        using var document = JsonDocument.Parse(stream);
        var banks = new Dictionary<string, NapasBank>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.GetProperty("banks").EnumerateArray())
        {
            string Text(string name) => entry.GetProperty(name).GetString() ?? throw new InvalidDataException($"{Resource}: a bank without {name}.");
            var bank = new NapasBank(Text("bin"), Text("code"), Text("shortName"), Text("name"));
            if (bank.Bin.Length != 6 || !bank.Bin.All(char.IsAsciiDigit) || !banks.TryAdd(bank.Bin, bank))
            {
                throw new InvalidDataException($"{Resource}: BIN '{bank.Bin}' is not 6 digits or is listed twice.");
            }
        }

        return banks.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
