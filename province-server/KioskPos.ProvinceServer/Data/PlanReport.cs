using System.Data.Common;
using System.Globalization;

namespace KioskPos.ProvinceServer.Data;

/// <summary>The provincial plans' targets (Tiền Giang 236/KH-UBND, Bà Rịa - Vũng Tàu 104/KH-UBND, 2022).</summary>
public static class PlanTargets
{
    /// <summary>The institution types the plans name, in the order a report lists them.</summary>
    public static readonly IReadOnlyList<string> Types =
        ["primary", "lower_secondary", "upper_secondary", "vocational", "college_university", "provincial_hospital", "district_health_centre", "commune_health_station"];

    /// <summary>The share (percent) of institutions of <paramref name="type"/> that should take cashless payment in <paramref name="year"/>.</summary>
    /// <remarks>Colleges, universities, provincial hospitals and district centres: 100 % from 2022. Schools, vocational
    /// institutions and commune stations: 50 % in 2022, then 20 points more a year until 100 %.</remarks>
    public static int InstitutionShare(string type, int year) => type switch
    {
        "college_university" or "provincial_hospital" or "district_health_centre" => 100,
        _ => Math.Clamp(50 + (20 * (year - 2022)), 0, 100),
    };

    /// <summary>The share (percent) of the value due that should be paid cashless in <paramref name="year"/>: 50 % in 2022, +20 a year.</summary>
    public static int ValueShare(int year) => Math.Clamp(50 + (20 * (year - 2022)), 0, 100);

    /// <summary>The type's name for people.</summary>
    public static string Name(string type) => type switch
    {
        "primary" => "Tiểu học",
        "lower_secondary" => "Trung học cơ sở",
        "upper_secondary" => "Trung học phổ thông",
        "vocational" => "Giáo dục nghề nghiệp",
        "college_university" => "Cao đẳng, đại học",
        "provincial_hospital" => "Bệnh viện tỉnh",
        "district_health_centre" => "Trung tâm y tế huyện",
        "commune_health_station" => "Trạm y tế xã",
        _ => type,
    };
}

/// <summary>One institution in the report.</summary>
public sealed record PlanInstitution(string Id, string Name, string Type, string District, bool ActiveTerminal, int CashlessPayments, long CashlessValue, long Due, bool TakesCashless);

/// <summary>A group of institutions (a type, or a type within a district) against its target.</summary>
public sealed record PlanGroup(string Type, string TypeName, string? District, int Institutions, int TakingCashless, double SharePercent, int TargetPercent, bool Met);

/// <summary>One month of the period: the value paid cashless against what fell due that month, and the month's target.</summary>
public sealed record PlanMonth(string Month, long Due, long CashlessValue, int CashlessPayments, double SharePercent, int TargetPercent);

/// <summary>The plan report for a period.</summary>
public sealed record PlanReportView(
    DateOnly From, DateOnly To, int Year, IReadOnlyList<PlanGroup> ByType, IReadOnlyList<PlanGroup> ByDistrict,
    long Due, long CashlessValue, double ValueSharePercent, int ValueTargetPercent, int CashlessPayments, IReadOnlyList<PlanInstitution> Institutions,
    IReadOnlyList<PlanMonth> Months);

/// <summary>
/// How far each institution type, district and the province are from the plans' targets in a period, from what the
/// terminals synced: an institution takes cashless payment when it has an enrolled terminal that is not revoked and
/// at least one cashless payment in the period (every payment a terminal takes is cashless: card balance, VietQR,
/// bank card); the value share is what was paid cashless (less what was given back; VietQR as received) over the
/// bills falling due in the period.
/// </summary>
internal sealed class PlanReport(ProvinceDatabase database)
{
    /// <summary>The report for the period; with <paramref name="institutionId"/>, that institution alone (what its accountant sees).</summary>
    public async Task<PlanReportView> BuildAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken, string? institutionId = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var sums = await ReadSumsAsync(connection, from, to, institutionId, cancellationToken).ConfigureAwait(false);
        var byInstitution = sums.GroupBy(s => s.Key.Institution).ToDictionary(g => g.Key, g => Total(g.Select(s => s.Value)), StringComparer.Ordinal);
        var institutions = new List<PlanInstitution>();
        foreach (var row in await connection.ReadAllAsync<InstitutionRow>(
            """
            SELECT i.id, i.name, i.type, i.district,
                   CASE WHEN EXISTS (SELECT 1 FROM terminals t WHERE t.institution_id = i.id AND t.revoked = 0 AND t.last_seen_at IS NOT NULL) THEN 1 ELSE 0 END AS active_terminal
            FROM institutions i WHERE CAST($only AS TEXT) IS NULL OR i.id = $only ORDER BY i.district, i.type, i.name
            """,
            null, cancellationToken, ("$only", institutionId)).ConfigureAwait(false))
        {
            var active = row.ActiveTerminal != 0;
            var (count, kept, owed) = byInstitution.TryGetValue(row.Id, out var sum) ? sum : default;
            institutions.Add(new PlanInstitution(row.Id, row.Name, row.Type, row.District, active, (int)count, kept, owed, active && count > 0));
        }

        var year = from.Year;
        PlanGroup Group(string type, string? district, IEnumerable<PlanInstitution> members)
        {
            var list = members.ToList();
            var taking = list.Count(i => i.TakesCashless);
            var share = list.Count == 0 ? 0 : Math.Round(100.0 * taking / list.Count, 1);
            var target = PlanTargets.InstitutionShare(type, year);
            return new PlanGroup(type, PlanTargets.Name(type), district, list.Count, taking, share, target, list.Count > 0 && share >= target);
        }

        var byType = PlanTargets.Types.Select(t => Group(t, null, institutions.Where(i => i.Type == t))).Where(g => g.Institutions > 0).ToList();
        var byDistrict = institutions.GroupBy(i => (i.District, i.Type)).OrderBy(g => g.Key.District, StringComparer.Ordinal).ThenBy(g => PlanTargets.Types.ToList().IndexOf(g.Key.Type))
            .Select(g => Group(g.Key.Type, g.Key.District, g)).ToList();
        var due = institutions.Sum(i => i.Due);
        var value = institutions.Sum(i => i.CashlessValue);
        return new PlanReportView(from, to, year, byType, byDistrict, due, value, due == 0 ? 0 : Math.Round(100.0 * value / due, 1), PlanTargets.ValueShare(year),
            institutions.Sum(i => i.CashlessPayments), institutions, Months(from, to, sums));
    }

    // What the daily sums hold for the period, per institution and month: one grouped pass over each daily table,
    // from which both the institutions' figures and the months' trajectory are added up.
    private static async Task<Dictionary<(string Institution, string Month), (long Count, long Value, long Due)>> ReadSumsAsync(
        DbConnection connection, DateOnly from, DateOnly to, string? institutionId, CancellationToken cancellationToken)
    {
        var (s, e) = (from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var sums = new Dictionary<(string Institution, string Month), (long Count, long Value, long Due)>();
        foreach (var row in await connection.ReadAllAsync<PaidMonthRow>(
            "SELECT institution_id, substr(day, 1, 7) AS month, SUM(counted) AS counted, SUM(kept) AS kept FROM payment_daily WHERE day >= $s AND day < $e AND (CAST($only AS TEXT) IS NULL OR institution_id = $only) GROUP BY 1, 2",
            null, cancellationToken, ("$s", s), ("$e", e), ("$only", institutionId)).ConfigureAwait(false))
        {
            sums[(row.InstitutionId, row.Month)] = (row.Counted, row.Kept, 0);
        }

        foreach (var row in await connection.ReadAllAsync<DueMonthRow>(
            "SELECT institution_id, substr(day, 1, 7) AS month, SUM(due) AS due FROM bill_due_daily WHERE day >= $s AND day < $e AND (CAST($only AS TEXT) IS NULL OR institution_id = $only) GROUP BY 1, 2",
            null, cancellationToken, ("$s", s), ("$e", e), ("$only", institutionId)).ConfigureAwait(false))
        {
            var key = (row.InstitutionId, row.Month);
            sums[key] = sums.GetValueOrDefault(key) with { Due = row.Due };
        }

        return sums;
    }

    private static (long Count, long Value, long Due) Total(IEnumerable<(long Count, long Value, long Due)> sums) =>
        sums.Aggregate(default((long Count, long Value, long Due)), (total, s) => (total.Count + s.Count, total.Value + s.Value, total.Due + s.Due));

    // The trajectory: each calendar month the period touches, against that year's target.
    private static List<PlanMonth> Months(DateOnly from, DateOnly to, Dictionary<(string Institution, string Month), (long Count, long Value, long Due)> sums)
    {
        var byMonth = sums.GroupBy(s => s.Key.Month).ToDictionary(g => g.Key, g => Total(g.Select(s => s.Value)), StringComparer.Ordinal);
        var months = new List<PlanMonth>();
        for (var month = new DateOnly(from.Year, from.Month, 1); month < to; month = month.AddMonths(1))
        {
            var key = month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var (count, value, due) = byMonth.TryGetValue(key, out var sum) ? sum : default;
            months.Add(new PlanMonth(key, due, value, (int)count, due == 0 ? 0 : Math.Round(100.0 * value / due, 1), PlanTargets.ValueShare(month.Year)));
        }

        return months;
    }

    /// <summary>An institution, and whether it has a terminal that is enrolled, not revoked and has been seen (1 or 0).</summary>
    private sealed record InstitutionRow
    {
        public required string Id { get; init; }

        public required string Name { get; init; }

        public required string Type { get; init; }

        public required string District { get; init; }

        public long ActiveTerminal { get; init; }
    }

    /// <summary>What an institution's terminals took in a month (<c>yyyy-MM</c>): the payments counted and the value kept.</summary>
    private sealed record PaidMonthRow
    {
        public required string InstitutionId { get; init; }

        public required string Month { get; init; }

        public long Counted { get; init; }

        public long Kept { get; init; }
    }

    /// <summary>What fell due at an institution in a month (<c>yyyy-MM</c>).</summary>
    private sealed record DueMonthRow
    {
        public required string InstitutionId { get; init; }

        public required string Month { get; init; }

        public long Due { get; init; }
    }
}
