using System.Globalization;
using KioskPos.Core.Identity;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// Episodes of the Ministry of Health's XML as bills. Each episode is one bill of category <c>vien_phi</c> for its
/// patient (<c>MA_BN</c>), id <c>XML-{MA_LK}</c>; a line per row of XML2 (drugs) and XML3 (services, supplies). A
/// line's amount is <c>THANH_TIEN_BV</c>; what the patient owes on it is <c>T_BNCCT + T_BNTT</c> (co-payment and
/// what insurance does not cover); the rest (<c>T_BHTT</c>, paid by the insurance fund, and <c>T_NGUONKHAC</c>,
/// other sources) is the line's insured part, shown and never collected.
/// Checked to the đồng, as the assessment tools do: in each row <c>T_BHTT + T_BNCCT + T_BNTT + T_NGUONKHAC =
/// THANH_TIEN_BV</c>, and over the episode the rows add up to XML1's <c>T_TONGCHI_BV</c>, <c>T_BHTT</c>,
/// <c>T_BNCCT</c> and <c>T_BNTT</c>; a difference of one đồng or more refuses the file, naming the episode and row.
/// Amounts with fractions of a đồng are rounded half away from zero per line; the rounding left over against XML1's
/// patient total is put on the episode's largest patient line, so the bill owes exactly what XML1 says.
/// </summary>
internal static class MohBills
{
    public static (List<BillImport.ParsedBill> Bills, List<(string Payer, string Institution, string Hash)> CitizenIds) ToBills(
        IReadOnlyList<MohEpisode> episodes, string institution, byte[]? citizenKey, List<ImportError> errors)
    {
        var bills = new List<BillImport.ParsedBill>();
        var citizenIds = new List<(string, string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var episode in episodes)
        {
            var where = episode.Where;
            var before = errors.Count;
            if (!seen.Add(episode.MaLk))
            {
                errors.Add(new ImportError(0, "MA_LK appears twice in the file", where));
                continue;
            }

            var id = "XML-" + episode.MaLk;
            if (id.Length > 64)
            {
                errors.Add(new ImportError(0, "MA_LK is longer than 60 characters", where));
                continue;
            }

            foreach (var row in episode.Lines)
            {
                if (row.MaLk.Length > 0 && row.MaLk != episode.MaLk)
                {
                    errors.Add(new ImportError(0, $"the row's MA_LK {row.MaLk} is not the episode's", $"{where} {row.Where}"));
                }

                var parts = row.Bhtt + row.Bncct + row.Bntt + row.NguonKhac;
                if (Math.Abs(parts - row.ThanhTienBv) >= 1)
                {
                    errors.Add(new ImportError(0,
                        $"T_BHTT + T_BNCCT + T_BNTT + T_NGUONKHAC = {Show(parts)} but THANH_TIEN_BV = {Show(row.ThanhTienBv)} ({Show(parts - row.ThanhTienBv)} đồng apart)",
                        $"{where} {row.Where}"));
                }
            }

            Check(episode, "T_TONGCHI_BV", episode.Totals.TongChiBv, episode.Lines.Sum(l => l.ThanhTienBv), errors);
            Check(episode, "T_BHTT", episode.Totals.Bhtt, episode.Lines.Sum(l => l.Bhtt), errors);
            Check(episode, "T_BNCCT", episode.Totals.Bncct, episode.Lines.Sum(l => l.Bncct), errors);
            Check(episode, "T_BNTT", episode.Totals.Bntt, episode.Lines.Sum(l => l.Bntt), errors);
            if (episode.Lines.Count == 0)
            {
                errors.Add(new ImportError(0, "no rows in XML2 or XML3: nothing to bill", where));
            }

            if (episode.SoCccd is { } cccd && !CitizenIdNumber.IsValid(cccd))
            {
                errors.Add(new ImportError(0, "XML1 SO_CCCD is not 12 digits", where));
            }

            if (errors.Count > before)
            {
                continue;
            }

            var lines = episode.Lines.Select(ToLine).ToList();
            var owed = Round(episode.Totals.Bncct + episode.Totals.Bntt);
            var drift = owed - lines.Sum(l => (l.Quantity * l.UnitPrice) - l.Insured);
            if (drift != 0)
            {
                var n = lines.IndexOf(lines.MaxBy(l => (l.Quantity * l.UnitPrice) - l.Insured)!);
                var adjusted = lines[n] with { Insured = lines[n].Insured - drift };
                if (adjusted.Insured < 0 || adjusted.Insured > adjusted.Quantity * adjusted.UnitPrice)
                {
                    errors.Add(new ImportError(0, $"the rows' patient parts, rounded to the đồng, cannot add up to XML1's T_BNCCT + T_BNTT = {Show(owed)}", where));
                    continue;
                }

                lines[n] = adjusted;
            }

            bills.Add(new BillImport.ParsedBill(id, institution, episode.MaBn, "vien_phi", Title(episode), null, lines, 0, where));
            if (episode.SoCccd is { } number && citizenKey is not null)
            {
                citizenIds.Add((episode.MaBn, institution, CitizenIdHash.Compute(citizenKey, number)));
            }
        }

        return (bills, citizenIds);
    }

    private static void Check(MohEpisode episode, string field, decimal total, decimal sum, List<ImportError> errors)
    {
        if (Math.Abs(total - sum) >= 1)
        {
            errors.Add(new ImportError(0, $"XML1 {field} = {Show(total)} but the rows of XML2 and XML3 add up to {Show(sum)} ({Show(sum - total)} đồng apart)", $"{episode.Where} XML1 {field}"));
        }
    }

    // Whole quantity and price that multiply to the amount are kept; otherwise (fractions of a tablet, prices with
    // decimals) the line is one unit of its amount, the file's quantity and price named in its description.
    private static BillImport.Line ToLine(MohLine row)
    {
        var amount = Round(row.ThanhTienBv);
        var patient = Round(row.Bncct + row.Bntt);
        var insured = Math.Clamp(amount - patient, 0, amount);
        var name = row.Name.Length > 160 ? row.Name[..160] : row.Name;
        if (row.Quantity == decimal.Truncate(row.Quantity) && row.Quantity is >= 1 and <= 10_000 && row.UnitPrice == decimal.Truncate(row.UnitPrice)
            && row.Quantity * row.UnitPrice == amount)
        {
            return new BillImport.Line(name, (int)row.Quantity, (long)row.UnitPrice, insured);
        }

        return new BillImport.Line($"{name} ({row.Quantity.ToString(CultureInfo.InvariantCulture)} × {row.UnitPrice.ToString(CultureInfo.InvariantCulture)})", 1, amount, insured);
    }

    private static string Title(MohEpisode episode) =>
        episode.NgayVao is { Length: >= 8 } vao && DateOnly.TryParseExact(vao[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? Messages.Vi("imports.moh.bill_title", day.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), episode.MaLk)
            : Messages.Vi("imports.moh.bill_title.undated", episode.MaLk);

    private static long Round(decimal value) => (long)Math.Round(value, MidpointRounding.AwayFromZero);

    private static string Show(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
