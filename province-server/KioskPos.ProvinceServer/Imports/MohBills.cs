using System.Globalization;
using KioskPos.Core.Identity;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// Episodes of the Ministry of Health's XML as bills. Each episode is one bill of category <c>vien_phi</c> for its
/// patient (<c>MA_BN</c>), its id scoped by the institution (<see cref="BillId"/>: <c>MA_LK</c> is unique within one
/// facility only); a line per row of XML2 (drugs) and XML3 (services, supplies). A
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
    /// <summary>The longest <c>MA_LK</c>: QĐ 130/4750 gives it 100 characters (VARCHAR(100)).</summary>
    public const int MaxMaLk = 100;

    /// <summary>
    /// The bill id of an episode: <c>XML-{MA_LK}@{institution}</c> (an institution id has no <c>@</c>, so two
    /// hospitals' ids never meet), or where that is longer than <see cref="BillImport.MaxIdLength"/> <c>XML-</c> and the
    /// first 40 hex digits of SHA-256 over <c>{institution}@{MA_LK}</c> (no <c>@</c> in it, so never one of the first
    /// kind); the bill's title still names the MA_LK. Bills imported before ids were scoped keep <see cref="LegacyId"/>:
    /// a re-import by the same hospital updates them in place (<see cref="BillImport.ParsedBill.LegacyId"/>); ids are
    /// never renamed, as payments, journal entries and terminals already hold them.
    /// </summary>
    public static string BillId(string institution, string maLk)
    {
        var id = $"XML-{maLk}@{institution}";
        return id.Length <= BillImport.MaxIdLength
            ? id
            : "XML-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{institution}@{maLk}")))[..40];
    }

    /// <summary>The id an episode's bill had before ids were scoped by institution, or null where it would not fit.</summary>
    public static string? LegacyId(string maLk) => 4 + maLk.Length <= BillImport.MaxIdLength ? "XML-" + maLk : null;

    public static (List<BillImport.ParsedBill> Bills, List<BillImport.Patient> Patients) ToBills(
        IReadOnlyList<MohEpisode> episodes, string institution, byte[]? citizenKey, ImportErrors errors)
    {
        var bills = new List<BillImport.ParsedBill>();
        var patients = new List<BillImport.Patient>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var episode in episodes)
        {
            var where = episode.Where;
            var before = errors.Count;
            if (!seen.Add(episode.MaLk))
            {
                errors.Add(0, new ImportText("province.importError.xml_ma_lk_twice"), where, "MA_LK");
                continue;
            }

            if (episode.MaLk.Length > MaxMaLk)
            {
                errors.Add(0, new ImportText("province.importError.xml_ma_lk_too_long", MaxMaLk), where, "MA_LK");
                continue;
            }

            var id = BillId(institution, episode.MaLk);

            foreach (var row in episode.Lines)
            {
                if (row.MaLk.Length > 0 && row.MaLk != episode.MaLk)
                {
                    errors.Add(0, new ImportText("province.importError.xml_row_ma_lk", row.MaLk), $"{where} {row.Where}", "MA_LK");
                }

                var parts = row.Bhtt + row.Bncct + row.Bntt + row.NguonKhac;
                if (Math.Abs(parts - row.ThanhTienBv) >= 1)
                {
                    errors.Add(0, new ImportText("province.importError.xml_row_parts", new ImportMoney(parts), new ImportMoney(row.ThanhTienBv), new ImportMoney(parts - row.ThanhTienBv)),
                        $"{where} {row.Where}", "THANH_TIEN_BV");
                }
            }

            Check(episode, "T_TONGCHI_BV", episode.Totals.TongChiBv, episode.Lines.Sum(l => l.ThanhTienBv), errors);
            Check(episode, "T_BHTT", episode.Totals.Bhtt, episode.Lines.Sum(l => l.Bhtt), errors);
            Check(episode, "T_BNCCT", episode.Totals.Bncct, episode.Lines.Sum(l => l.Bncct), errors);
            Check(episode, "T_BNTT", episode.Totals.Bntt, episode.Lines.Sum(l => l.Bntt), errors);
            if (episode.Lines.Count == 0)
            {
                errors.Add(0, new ImportText("province.importError.xml_no_rows"), where);
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
                    errors.Add(0, new ImportText("province.importError.xml_rounding", new ImportMoney(owed)), where);
                    continue;
                }

                lines[n] = adjusted;
            }

            bills.Add(new BillImport.ParsedBill(id, institution, episode.MaBn, "vien_phi", Title(episode), null, lines, 0, where, LegacyId(episode.MaLk)));
            // SO_CCCD (VARCHAR(15)) holds a citizen-ID number, an old 9-digit ID, a passport number or an e-ID account
            // code (QĐ 130/4750). Only a 12-digit citizen-ID number is what a card's QR or VNeID gives the kiosk, so
            // only that is hashed for the look-up; any other is accepted and read past, stored nowhere, clear or hashed.
            if (episode.SoCccd is { } number && CitizenIdNumber.IsValid(number) && citizenKey is not null)
            {
                patients.Add(new BillImport.Patient(episode.MaBn, institution, CitizenIdHash.Compute(citizenKey, number), where));
            }
        }

        return (bills, patients);
    }

    private static void Check(MohEpisode episode, string field, decimal total, decimal sum, ImportErrors errors)
    {
        if (Math.Abs(total - sum) >= 1)
        {
            errors.Add(0, new ImportText("province.importError.xml_total_differs", field, new ImportMoney(total), new ImportMoney(sum), new ImportMoney(sum - total)),
                $"{episode.Where} XML1 {field}", field);
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
}
