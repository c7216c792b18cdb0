namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// The tail of an amount split at its thousands separator. An unquoted <c>100,000</c> in a CSV is two fields, 100 and
/// 000; where the line still has its header's width (a trailing optional column left out, an empty one filled) the
/// width check cannot see it, and the tail lands in the next money column as 0 or, for <c>150,050</c>, as 50. No
/// amount in đồng is written with a leading zero, in the accountants' files, the institutions' exports or the banks'
/// statements (<c>1.250.000</c>, <c>1,250,000</c>, <c>0</c>, <c>0,00</c>), so a money cell that starts with a zero
/// followed by a digit is refused in the bill imports (CSV and .xlsx) and the statement import, naming its row and
/// column, saying why (<c>province.importError.split_amount</c>, <c>province.statementError.split_amount</c>). The
/// Ministry of Health's XML is read by its own reader and is not concerned.
/// </summary>
internal static class SplitAmount
{
    /// <summary>True when <paramref name="amount"/> (as written, without sign or currency) starts with 0 and another digit: 000, 050, 01.250; not 0 or 0,00.</summary>
    public static bool IsTail(string amount) => amount.Length > 1 && amount[0] == '0' && char.IsAsciiDigit(amount[1]);
}
