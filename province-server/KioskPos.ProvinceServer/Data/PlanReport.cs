using System.Data.Common;
using System.Globalization;
using KioskPos.ProvinceServer.Geography;

namespace KioskPos.ProvinceServer.Data;

/// <summary>The seed plan 236/KH-UBND's figures, for callers that ask without a plan (the plans themselves are data: <see cref="Plans"/>).</summary>
public static class PlanTargets
{
    /// <summary>The institution types the plans name, in the order a report lists them.</summary>
    public static IReadOnlyList<string> Types => Units.Types;

    private static readonly Plan s_236 = new("tg-236-2022", "236/KH-UBND", "UBND tỉnh Tiền Giang", "old_province", "Tiền Giang", 2022, 20, 100,
        [.. Units.Types.Select(t => new PlanTarget(t, t is "college_university" or "provincial_hospital" or "district_health_centre" ? 100 : 50, 50, 50))]);

    /// <summary>The share (percent) of institutions of <paramref name="type"/> that should take cashless payment in <paramref name="year"/> under 236/KH-UBND.</summary>
    public static int InstitutionShare(string type, int year) => s_236.InstitutionShare(type, year);

    /// <summary>The share (percent) of the value due that should be paid cashless in <paramref name="year"/>: 50 % in 2022, +20 a year.</summary>
    public static int ValueShare(int year) => s_236.ValueShare(year);
}

/// <summary>Which units a period is reported in: those in effect then, or today's.</summary>
public enum UnitsAsOf
{
    /// <summary>Each month in the units an institution had that month (a move changes no past month).</summary>
    Then,

    /// <summary>Every month in the institution's current units.</summary>
    Today,
}

/// <summary>What a report is asked for.</summary>
/// <param name="From">First day of the period.</param>
/// <param name="To">The day after the period.</param>
/// <param name="PlanId">The plan to read against (its area limits the institutions); none: the default plan, every institution.</param>
/// <param name="Units">The units the period is reported in.</param>
/// <param name="InstitutionId">One institution alone (what its accountant sees).</param>
public sealed record PlanReportQuery(DateOnly From, DateOnly To, string? PlanId = null, UnitsAsOf Units = UnitsAsOf.Then, string? InstitutionId = null);

/// <summary>The plan the report was read against.</summary>
public sealed record PlanRef(string Id, string Title, string Authority, string AreaKind, string Area, int StartYear, bool AreaApplied);

/// <summary>One institution in the report.</summary>
public sealed record PlanInstitution(
    string Id, string Name, string Type, string District, string Province, string Commune, bool ActiveTerminal, int CashlessPayments, long CashlessValue, long Due, int Bills,
    bool TakesCashless, int TargetPercent);

/// <summary>A group of institutions of one type (within an old district, for a 2022 plan's view) against the type's target.</summary>
public sealed record PlanGroup(string Type, string TypeName, string? PlanLabel, string? District, int Institutions, int TakingCashless, double SharePercent, int TargetPercent, bool Met);

/// <summary>A commune of today (or of the period's time) against the plan: institutions, value and count, and how far behind.</summary>
public sealed record PlanCommune(
    string Province, string Commune, int Institutions, int TakingCashless, double SharePercent, double TargetPercent, long Due, long CashlessValue, double ValueSharePercent,
    int Bills, int CashlessPayments, double CountSharePercent, double GapPoints);

/// <summary>
/// One month of the period: value and count paid cashless against what fell due that month, and the month's targets;
/// <c>TopUps</c> is the money put on card balances that month (kiosk top-ups and transfers from home), counted beside.
/// </summary>
public sealed record PlanMonth(string Month, long Due, long CashlessValue, int CashlessPayments, double SharePercent, int TargetPercent, int Bills, double CountSharePercent, int CountTargetPercent,
    long TopUps = 0);

/// <summary>One calendar year against the plan's trajectory, with the change from the year before.</summary>
public sealed record PlanYear(
    int Year, int Institutions, int TakingCashless, double InstitutionSharePercent, double InstitutionTargetPercent, long Due, long CashlessValue, double ValueSharePercent,
    int ValueTargetPercent, int Bills, int CashlessPayments, double CountSharePercent, int CountTargetPercent, double? ValueChangePercent, double? CountChangePercent)
{
    /// <summary>Whether the share of institutions taking cashless payment reached the year's target (a year without institutions met none).</summary>
    public bool InstitutionMet => Institutions > 0 && InstitutionSharePercent >= InstitutionTargetPercent;

    /// <summary>Whether the share of the value due paid cashless reached the year's target.</summary>
    public bool ValueMet => ValueSharePercent >= ValueTargetPercent;

    /// <summary>Whether the share of the bills paid by a cashless payment reached the year's target.</summary>
    public bool CountMet => CountSharePercent >= CountTargetPercent;
}

/// <summary>The plan report for a period.</summary>
public sealed record PlanReportView(
    DateOnly From, DateOnly To, int Year, PlanRef Plan, string Units, IReadOnlyList<PlanGroup> ByType, IReadOnlyList<PlanGroup> ByDistrict, IReadOnlyList<PlanCommune> ByCommune,
    IReadOnlyList<PlanCommune> Behind, long Due, long CashlessValue, double ValueSharePercent, int ValueTargetPercent, int CashlessPayments, int Bills, double CountSharePercent,
    int CountTargetPercent, IReadOnlyList<PlanInstitution> Institutions, IReadOnlyList<PlanMonth> Months, IReadOnlyList<PlanYear> Years, long TopUps = 0);

/// <summary>
/// How far each institution type, commune (and old district, for a 2022 plan) and the province are from a plan's
/// targets in a period, from what the terminals synced: an institution takes cashless payment when it has an
/// enrolled terminal that is not revoked and at least one cashless payment in the period (every payment a terminal
/// takes is cashless: card balance, VietQR, bank card); the value share is what was paid cashless (less what was
/// given back; VietQR as received) over the bills falling due, the count share the payments counted over the bills.
/// An institution is placed, for a month, where it was that month (<see cref="UnitsAsOf.Then"/>) or where it is
/// now; for the period as a whole, where it was in the period's last month.
/// </summary>
internal sealed class PlanReport(ProvinceDatabase database, Plans plans, Places places)
{
    /// <summary>The report for the period against the default plan, every institution (or one).</summary>
    public async Task<PlanReportView> BuildAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken, string? institutionId = null) =>
        (await BuildAsync(new PlanReportQuery(from, to, null, UnitsAsOf.Then, institutionId), cancellationToken).ConfigureAwait(false))!;

    /// <summary>The report asked for; none when the plan asked for does not exist.</summary>
    public async Task<PlanReportView?> BuildAsync(PlanReportQuery query, CancellationToken cancellationToken)
    {
        var all = await plans.AllAsync(cancellationToken).ConfigureAwait(false);
        var asked = query.PlanId is null ? null : all.FirstOrDefault(p => p.Id == query.PlanId);
        if (asked is null && query.PlanId is not null)
        {
            return null;
        }

        var (from, to) = (query.From, query.To);
        var lastMonth = Units.MonthOf(to.AddDays(-1));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var placed = await places.AllAsync(connection, query.InstitutionId, cancellationToken).ConfigureAwait(false);

        Place PlaceIn(string id, DateOnly month)
        {
            var list = placed.GetValueOrDefault(id);
            var place = query.Units == UnitsAsOf.Today ? list?[^1] : Places.At(list, month);
            return place ?? new Place(DateOnly.MinValue, "", "", null, null);
        }

        // The plan's area: a 2022 plan covers the institutions of its old province, a later one those of its
        // province; the report counts only those, whichever way its plan was chosen (the figures a page shows are
        // those its links and charts read again with the plan named). Without a plan asked for: the default plan, or
        // for one institution's report the plan whose area holds it (the default first); with none, no area.
        var chosen = asked
            ?? (query.InstitutionId is { } only ? all.OrderByDescending(p => p.IsDefault).FirstOrDefault(p => Covers(p, PlaceIn(only, lastMonth))) : all.FirstOrDefault(p => p.IsDefault) ?? all.FirstOrDefault());
        var plan = chosen ?? new Plan("none", "—", "—", "province", "", query.From.Year, 0, 100, []);
        bool InArea(Place place) => chosen is null || Covers(chosen, place);

        var trendFrom = new DateOnly(Math.Max(Math.Min(plan.StartYear, from.Year - 1), to.Year - 10), 1, 1);
        var readFrom = trendFrom < from ? trendFrom : from;
        var readTo = new DateOnly(to.AddDays(-1).Year + 1, 1, 1);
        var sums = await ReadSumsAsync(connection, readFrom, readTo, query.InstitutionId, cancellationToken).ConfigureAwait(false);
        var rows = await connection.ReadAllAsync<InstitutionRow>(
            """
            SELECT i.id, i.name, i.type, i.district,
                   CASE WHEN EXISTS (SELECT 1 FROM terminals t WHERE t.institution_id = i.id AND t.revoked = 0 AND t.last_seen_at IS NOT NULL) THEN 1 ELSE 0 END AS active_terminal
            FROM institutions i WHERE CAST($only AS TEXT) IS NULL OR i.id = $only ORDER BY i.district, i.type, i.name
            """,
            null, cancellationToken, ("$only", query.InstitutionId)).ConfigureAwait(false);


        var year = from.Year;
        var inPeriod = new HashSet<string>(StringComparer.Ordinal);
        for (var m = Units.MonthOf(from); m < to; m = m.AddMonths(1))
        {
            inPeriod.Add(Key(m));
        }

        var institutions = new List<PlanInstitution>();
        var members = new List<(InstitutionRow Row, bool Active)>();
        foreach (var row in rows)
        {
            var place = PlaceIn(row.Id, lastMonth);
            if (!InArea(place))
            {
                continue;
            }

            var own = sums.GetValueOrDefault(row.Id);
            var total = own is null ? default : Total(own.Where(s => inPeriod.Contains(s.Key)).Select(s => s.Value));
            var active = row.ActiveTerminal != 0;
            members.Add((row, active));
            institutions.Add(new PlanInstitution(row.Id, row.Name, row.Type, place.OldDistrict ?? row.District, place.Province, place.Commune, active, (int)total.Count, total.Value, total.Due,
                (int)total.Bills, active && total.Count > 0, plan.InstitutionShare(row.Type, year)));
        }

        PlanGroup Group(string type, string? district, IReadOnlyCollection<PlanInstitution> list)
        {
            var taking = list.Count(i => i.TakesCashless);
            var share = Percent(taking, list.Count);
            var target = plan.InstitutionShare(type, year);
            return new PlanGroup(type, Units.TypeName(type), plan.For(type)?.Label, district, list.Count, taking, share, target, list.Count > 0 && share >= target);
        }

        var byType = Units.Types.Select(t => Group(t, null, [.. institutions.Where(i => i.Type == t)])).Where(g => g.Institutions > 0).ToList();
        var typeOrder = Units.Types.ToList();
        var byDistrict = institutions.Where(i => i.District.Length > 0).GroupBy(i => (i.District, i.Type))
            .OrderBy(g => g.Key.District, StringComparer.Ordinal).ThenBy(g => typeOrder.IndexOf(g.Key.Type))
            .Select(g => Group(g.Key.Type, g.Key.District, [.. g])).ToList();
        var byCommune = Communes(institutions, members.Select(m => m.Row.Id), sums, inPeriod, PlaceIn, plan, year);
        var behind = byCommune.Where(c => c.Institutions > 0).OrderBy(c => c.GapPoints).ThenBy(c => c.ValueSharePercent).ThenBy(c => c.Commune, StringComparer.Ordinal).Take(10).ToList();

        var due = institutions.Sum(i => i.Due);
        var value = institutions.Sum(i => i.CashlessValue);
        var bills = institutions.Sum(i => i.Bills);
        var counted = institutions.Sum(i => i.CashlessPayments);
        var memberIds = members.Select(m => m.Row.Id).ToHashSet(StringComparer.Ordinal);
        var scoped = sums.Where(s => memberIds.Contains(s.Key)).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        var months = Months(from, to, scoped, plan);
        var years = Years(trendFrom.Year, to.AddDays(-1).Year, members, scoped, plan);
        return new PlanReportView(
            from, to, year, new PlanRef(plan.Id, plan.Title, plan.Authority, plan.AreaKind, plan.Area, plan.StartYear, chosen is not null), query.Units == UnitsAsOf.Today ? "today" : "then",
            byType, byDistrict, byCommune, behind, due, value, Percent(value, due), plan.ValueShare(year), counted, bills, Percent(counted, bills), plan.CountShare(year),
            institutions, months, years, months.Sum(m => m.TopUps));
    }

    // Per commune: the institutions placed there for the period, and the value and count of each month where the
    // institution was that month; the target is the mean of the members' types' targets, the gap the share less it.
    // Whether the plan's area holds a place: a 2022 plan's is an old province, a later one's a province.
    private static bool Covers(Plan plan, Place place) =>
        string.Equals(plan.AreaKind == "old_province" ? place.OldProvince : place.Province, plan.Area, StringComparison.Ordinal);

    private static List<PlanCommune> Communes(
        List<PlanInstitution> institutions, IEnumerable<string> memberIds, Dictionary<string, Dictionary<string, Sum>> sums, HashSet<string> inPeriod,
        Func<string, DateOnly, Place> placeIn, Plan plan, int year)
    {
        var figures = new Dictionary<(string Province, string Commune), (int Institutions, int Taking, double Targets, Sum Sum)>();
        foreach (var i in institutions)
        {
            var key = (i.Province, i.Commune);
            var f = figures.GetValueOrDefault(key);
            figures[key] = (f.Institutions + 1, f.Taking + (i.TakesCashless ? 1 : 0), f.Targets + i.TargetPercent, f.Sum);
        }

        foreach (var id in memberIds)
        {
            foreach (var (month, sum) in sums.GetValueOrDefault(id) ?? [])
            {
                if (!inPeriod.Contains(month))
                {
                    continue;
                }

                var place = placeIn(id, DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture));
                var key = (place.Province, place.Commune);
                var f = figures.GetValueOrDefault(key);
                figures[key] = f with { Sum = Add(f.Sum, sum) };
            }
        }

        return figures.OrderBy(f => f.Key.Province, StringComparer.Ordinal).ThenBy(f => f.Key.Commune, StringComparer.Ordinal).Select(f =>
        {
            var (n, taking, targets, sum) = f.Value;
            var share = Percent(taking, n);
            var target = n == 0 ? 0 : Math.Round(targets / n, 1);
            return new PlanCommune(f.Key.Province, f.Key.Commune, n, taking, share, target, sum.Due, sum.Value, Percent(sum.Value, sum.Due), (int)sum.Bills, (int)sum.Count,
                Percent(sum.Count, sum.Bills), n == 0 ? 0 : Math.Round(share - target, 1));
        }).ToList();
    }

    // The trajectory: each calendar month the period touches, against that year's targets.
    private static List<PlanMonth> Months(DateOnly from, DateOnly to, Dictionary<string, Dictionary<string, Sum>> sums, Plan plan)
    {
        var byMonth = new Dictionary<string, Sum>(StringComparer.Ordinal);
        foreach (var (month, sum) in sums.Values.SelectMany(s => s))
        {
            byMonth[month] = Add(byMonth.GetValueOrDefault(month), sum);
        }

        var months = new List<PlanMonth>();
        for (var month = Units.MonthOf(from); month < to; month = month.AddMonths(1))
        {
            var s = byMonth.GetValueOrDefault(Key(month));
            months.Add(new PlanMonth(Key(month), s.Due, s.Value, (int)s.Count, Percent(s.Value, s.Due), plan.ValueShare(month.Year), (int)s.Bills, Percent(s.Count, s.Bills), plan.CountShare(month.Year),
                s.TopUps));
        }

        return months;
    }

    // Each year from the plan's start (or the year before the period) to the period's last: the shares against
    // that year's targets, and the change in value and count from the year before.
    private static List<PlanYear> Years(int first, int last, List<(InstitutionRow Row, bool Active)> members, Dictionary<string, Dictionary<string, Sum>> sums, Plan plan)
    {
        var years = new List<PlanYear>();
        for (var y = first; y <= last; y++)
        {
            var prefix = y.ToString(CultureInfo.InvariantCulture) + "-";
            var (taking, targets, sum) = (0, 0.0, default(Sum));
            foreach (var (row, active) in members)
            {
                var own = sums.TryGetValue(row.Id, out var s) ? Total(s.Where(m => m.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(m => m.Value)) : default;
                taking += active && own.Count > 0 ? 1 : 0;
                targets += plan.InstitutionShare(row.Type, y);
                sum = Add(sum, own);
            }

            var previous = years.Count > 0 ? years[^1] : null;
            years.Add(new PlanYear(y, members.Count, taking, Percent(taking, members.Count), members.Count == 0 ? 0 : Math.Round(targets / members.Count, 1), sum.Due, sum.Value,
                Percent(sum.Value, sum.Due), plan.ValueShare(y), (int)sum.Bills, (int)sum.Count, Percent(sum.Count, sum.Bills), plan.CountShare(y),
                previous is { CashlessValue: > 0 } ? Math.Round(100.0 * (sum.Value - previous.CashlessValue) / previous.CashlessValue, 1) : null,
                previous is { CashlessPayments: > 0 } ? Math.Round(100.0 * (sum.Count - previous.CashlessPayments) / previous.CashlessPayments, 1) : null));
        }

        return years;
    }

    // What the daily sums hold, per institution and month (yyyy-MM): one grouped pass over each daily table.
    private static async Task<Dictionary<string, Dictionary<string, Sum>>> ReadSumsAsync(
        DbConnection connection, DateOnly from, DateOnly to, string? institutionId, CancellationToken cancellationToken)
    {
        var (s, e) = (from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var sums = new Dictionary<string, Dictionary<string, Sum>>(StringComparer.Ordinal);
        Dictionary<string, Sum> Of(string id) => sums.TryGetValue(id, out var d) ? d : sums[id] = new Dictionary<string, Sum>(StringComparer.Ordinal);
        foreach (var row in await connection.ReadAllAsync<PaidMonthRow>(
            "SELECT institution_id, substr(day, 1, 7) AS month, SUM(counted) AS counted, SUM(kept) AS kept FROM payment_daily WHERE day >= $s AND day < $e AND (CAST($only AS TEXT) IS NULL OR institution_id = $only) GROUP BY 1, 2",
            null, cancellationToken, ("$s", s), ("$e", e), ("$only", institutionId)).ConfigureAwait(false))
        {
            var own = Of(row.InstitutionId);
            own[row.Month] = own.GetValueOrDefault(row.Month) with { Count = row.Counted, Value = row.Kept };
        }

        // Top-ups are cashless money received onto card balances, counted on their own: a kiosk top-up is a VietQR
        // payment (the daily sums hold it), so it is taken out of the payments here, or its money would count twice,
        // once arriving and again when the card pays a bill with it.
        var (ts, te) = (LocalDay.StartUtc(from), LocalDay.StartUtc(to));
        foreach (var row in await connection.ReadAllAsync<PaidMonthRow>(
            $"""
            SELECT institution_id, substr({LocalDay.Of("created_at")}, 1, 7) AS month, SUM(CASE WHEN received > 0 THEN 1 ELSE 0 END) AS counted, SUM(MIN(received, amount)) AS kept
            FROM payments WHERE purpose = 'top_up' AND state <> 'voided' AND created_at >= $ts AND created_at < $te AND (CAST($only AS TEXT) IS NULL OR institution_id = $only) GROUP BY 1, 2
            """,
            null, cancellationToken, ("$ts", ts), ("$te", te), ("$only", institutionId)).ConfigureAwait(false))
        {
            var own = Of(row.InstitutionId);
            var sum = own.GetValueOrDefault(row.Month);
            own[row.Month] = sum with { Count = sum.Count - row.Counted, Value = sum.Value - row.Kept };
        }

        foreach (var row in await connection.ReadAllAsync<TopUpMonthRow>(
            $"SELECT institution_id, substr({LocalDay.Of("credited_at")}, 1, 7) AS month, SUM(amount) AS top_ups FROM top_ups WHERE credited_at >= $ts AND credited_at < $te AND (CAST($only AS TEXT) IS NULL OR institution_id = $only) GROUP BY 1, 2",
            null, cancellationToken, ("$ts", ts), ("$te", te), ("$only", institutionId)).ConfigureAwait(false))
        {
            var own = Of(row.InstitutionId);
            own[row.Month] = own.GetValueOrDefault(row.Month) with { TopUps = row.TopUps };
        }

        foreach (var row in await connection.ReadAllAsync<DueMonthRow>(
            "SELECT institution_id, substr(day, 1, 7) AS month, SUM(due) AS due, SUM(bills) AS bills FROM bill_due_daily WHERE day >= $s AND day < $e AND (CAST($only AS TEXT) IS NULL OR institution_id = $only) GROUP BY 1, 2",
            null, cancellationToken, ("$s", s), ("$e", e), ("$only", institutionId)).ConfigureAwait(false))
        {
            var own = Of(row.InstitutionId);
            own[row.Month] = own.GetValueOrDefault(row.Month) with { Due = row.Due, Bills = row.Bills };
        }

        return sums;
    }

    private static string Key(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static double Percent(long part, long whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 1);

    private static Sum Add(Sum a, Sum b) => new(a.Count + b.Count, a.Value + b.Value, a.Due + b.Due, a.Bills + b.Bills, a.TopUps + b.TopUps);

    private static Sum Total(IEnumerable<Sum> sums) => sums.Aggregate(default(Sum), Add);

    /// <summary>A month's figures of one institution: payments counted, value kept, value and count of bills due, money put on cards.</summary>
    private readonly record struct Sum(long Count, long Value, long Due, long Bills, long TopUps = 0);

    /// <summary>An institution, and whether it has a terminal that is enrolled, not revoked and has been seen (1 or 0).</summary>
    private sealed record InstitutionRow
    {
        public required string Id { get; init; }

        public required string Name { get; init; }

        public required string Type { get; init; }

        public required string District { get; init; }

        public long ActiveTerminal { get; init; }
    }

    private sealed record PaidMonthRow
    {
        public required string InstitutionId { get; init; }

        public required string Month { get; init; }

        public long Counted { get; init; }

        public long Kept { get; init; }
    }

    /// <summary>What went onto an institution's card balances in a month.</summary>
    private sealed record TopUpMonthRow
    {
        public required string InstitutionId { get; init; }

        public required string Month { get; init; }

        public long TopUps { get; init; }
    }

    private sealed record DueMonthRow
    {
        public required string InstitutionId { get; init; }

        public required string Month { get; init; }

        public long Due { get; init; }

        public long Bills { get; init; }
    }
}
