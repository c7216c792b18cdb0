namespace KioskPos.ProvinceServer.Geography;

/// <summary>
/// A provincial plan for cashless payment in schools and health facilities, as data: who issued it, the area it
/// covers (a pre-2025 province or a province of today), its start year, and per institution type the share of
/// institutions that should take cashless payment and the shares of the value and the count of payments that should
/// be paid cashless in the start year, each rising by an increment a year up to a cap.
/// </summary>
/// <param name="Id">The plan's key (letters, digits, '-', '_').</param>
/// <param name="Title">The plan's number and name as issued, e.g. <c>236/KH-UBND</c>.</param>
/// <param name="Authority">Who issued it (e.g. <c>UBND tỉnh Tiền Giang</c>).</param>
/// <param name="AreaKind"><c>old_province</c> (a province before 1 July 2025) or <c>province</c> (one of today's).</param>
/// <param name="Area">The province's name, as the institutions' places record it.</param>
/// <param name="StartYear">The year the first figures apply to.</param>
/// <param name="Increment">Percentage points added each year after the start year.</param>
/// <param name="Cap">The share no target goes beyond (percent).</param>
/// <param name="Targets">One entry per institution type the plan names.</param>
/// <param name="IsDefault">The plan a report reads against when none is asked for.</param>
public sealed record Plan(
    string Id, string Title, string Authority, string AreaKind, string Area, int StartYear, int Increment, int Cap,
    IReadOnlyList<PlanTarget> Targets, bool IsDefault = false)
{
    /// <summary>The target for <paramref name="type"/>, or none when the plan does not name the type.</summary>
    public PlanTarget? For(string type) => Targets.FirstOrDefault(t => t.Type == type);

    /// <summary>The share of institutions of <paramref name="type"/> that should take cashless payment in <paramref name="year"/>.</summary>
    public int InstitutionShare(string type, int year) => For(type) is { } t ? Rise(t.InstitutionShare, t.Increment, year) : 0;

    /// <summary>The share of the value due that should be paid cashless in <paramref name="year"/>: the value targets weighed by type, for a whole area the highest start (the plans name one figure).</summary>
    public int ValueShare(int year) => Targets.Count == 0 ? 0 : Targets.Max(t => Rise(t.ValueShare, t.Increment, year));

    /// <summary>The share of the count of payments due that should be paid cashless in <paramref name="year"/>.</summary>
    public int CountShare(int year) => Targets.Count == 0 ? 0 : Targets.Max(t => Rise(t.CountShare, t.Increment, year));

    /// <summary>The start figure, plus the increment for each year after the start, up to the cap; before the start year, the start figure.</summary>
    public int Rise(int start, int? increment, int year) =>
        start >= Cap ? start : Math.Clamp(start + ((increment ?? Increment) * Math.Max(0, year - StartYear)), 0, Cap);

    /// <summary>The problem with this plan as a request, or none.</summary>
    public string? Problem()
    {
        static bool Key(string? s) => s is { Length: >= 2 and <= 64 } && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        static bool Text(string? s, int max) => !string.IsNullOrWhiteSpace(s) && s.Length <= max;
        static bool Share(int n) => n is >= 0 and <= 100;
        return !Key(Id) ? "id is 2 to 64 letters, digits, '-' or '_'"
            : !Text(Title, 200) ? "title is required (at most 200)"
            : !Text(Authority, 200) ? "authority is required (at most 200)"
            : AreaKind is not ("old_province" or "province") ? "areaKind is old_province or province"
            : !Text(Area, 100) ? "area is required (at most 100)"
            : StartYear is < 2000 or > 2100 ? "startYear is between 2000 and 2100"
            : Increment is < 0 or > 100 ? "increment is 0 to 100 points a year"
            : !Share(Cap) ? "cap is 0 to 100"
            : Targets is null or { Count: 0 or > 32 } ? "targets: 1 to 32 entries"
            : Targets.FirstOrDefault(t => t is null || !Units.Types.Contains(t.Type)) is { } bad ? $"targets[].type is one of {string.Join(", ", Units.Types)} ({bad?.Type})"
            : Targets.GroupBy(t => t.Type).Any(g => g.Count() > 1) ? "targets: one entry per type"
            : Targets.Any(t => !Share(t.InstitutionShare) || !Share(t.ValueShare) || !Share(t.CountShare) || t.Increment is < 0 or > 100) ? "targets' shares are 0 to 100, their increment 0 to 100"
            : Targets.Any(t => t.Label is { Length: > 200 }) ? "targets[].label is at most 200"
            : null;
    }
}

/// <summary>What a plan asks of one institution type in its start year.</summary>
/// <param name="Type">The institution type (<see cref="Units.Types"/>).</param>
/// <param name="InstitutionShare">Percent of these institutions taking cashless payment.</param>
/// <param name="ValueShare">Percent of the value due paid cashless.</param>
/// <param name="CountShare">Percent of the payments due made cashless.</param>
/// <param name="Increment">This type's yearly increment, when it differs from the plan's (0: the figure stays).</param>
/// <param name="Label">The plan's own words for the type, as issued (a 2022 plan's <c>trung tâm y tế huyện</c>).</param>
public sealed record PlanTarget(string Type, int InstitutionShare, int ValueShare, int CountShare, int? Increment = null, string? Label = null);

/// <summary>The plans of the province.</summary>
/// <param name="Plans">Every plan, in id order.</param>
public sealed record PlanList(IReadOnlyList<Plan> Plans);
