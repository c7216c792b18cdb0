using System.Globalization;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>An argument of an <see cref="ImportText"/> that is said differently in each language: a column's name, a count.</summary>
internal interface ISaid
{
    /// <summary>The argument in <paramref name="language"/>.</summary>
    string In(Language language);
}

/// <summary>
/// A sentence for people about a file sent to the province (a bill import's error, a workbook's or a statement's
/// refusal), kept as its catalogue key and arguments and said in either language when asked: Vietnamese first, English
/// available. The key's last part is the machine code API clients read (<c>province.importError.category_unknown</c> →
/// <c>category_unknown</c>): ASCII, stable, never translated.
/// </summary>
internal sealed class ImportText(string key, params object?[] args) : ISaid
{
    /// <summary>The catalogue key.</summary>
    public string Key => key;

    /// <summary>The machine code: the key's last part.</summary>
    public string Code => key[(key.LastIndexOf('.') + 1)..];

    /// <summary>The sentence in Vietnamese.</summary>
    public string Vi => In(Language.Vi);

    /// <summary>The sentence in English.</summary>
    public string En => In(Language.En);

    /// <inheritdoc />
    public string In(Language language) => Messages.Format(key, language, [.. args.Select(a => a is ISaid said ? said.In(language) : a)]);

    /// <summary>The English sentence, for logs and exception messages.</summary>
    public override string ToString() => En;
}

/// <summary>
/// A bill import's column by its canonical name (<c>unit_price</c>): in Vietnamese the header the template and the
/// accountants write (<c>Đơn giá</c>), in English the canonical name, which is also an English CSV's header.
/// </summary>
internal sealed record ImportColumn(string Name) : ISaid
{
    /// <inheritdoc />
    public string In(Language language) =>
        Messages.All.TryGetValue("province.importColumn." + Name, out var label) ? label.In(language) : Name;
}

/// <summary>A count as people read it: <c>101.000</c> in Vietnamese, <c>101,000</c> in English.</summary>
internal readonly record struct ImportCount(long Value) : ISaid
{
    /// <inheritdoc />
    public string In(Language language)
    {
        var grouped = Math.Abs(Value).ToString("#,0", CultureInfo.InvariantCulture);
        return (Value < 0 ? "-" : string.Empty) + (language == Language.Vi ? grouped.Replace(',', '.') : grouped);
    }
}

/// <summary>An amount in đồng as people read it in either language: <c>1.250.000 ₫</c>; a fraction of a đồng (an XML's) after a comma.</summary>
internal readonly record struct ImportMoney(decimal Value) : ISaid
{
    /// <inheritdoc />
    public string In(Language language)
    {
        var whole = decimal.Truncate(Value);
        var text = Vnd.Format((long)whole);
        var fraction = Math.Abs(Value - whole);
        if (fraction == 0)
        {
            return whole == 0 && Value < 0 ? "-" + text : text;
        }

        // "-0,5 ₫": the sign of a fraction alone is not in the whole part.
        var digits = fraction.ToString("0.##", CultureInfo.InvariantCulture)[2..];
        var number = text[..text.LastIndexOf(' ')];
        return $"{(whole == 0 && Value < 0 ? "-" : string.Empty)}{number},{digits} {Vnd.Sign}";
    }
}
