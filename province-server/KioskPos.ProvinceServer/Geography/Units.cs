namespace KioskPos.ProvinceServer.Geography;

/// <summary>
/// The institution types the plans name, and how the report calls them today. Since 1 July 2025 there are no
/// districts: the type code <c>district_health_centre</c> is kept for data and terminals, and is named as today's
/// unit, the regional health centre (trung tâm y tế khu vực); a 2022 plan's own words for it travel as its label.
/// </summary>
public static class Units
{
    /// <summary>The institution types, in the order a report lists them.</summary>
    public static readonly IReadOnlyList<string> Types =
        ["primary", "lower_secondary", "upper_secondary", "vocational", "college_university", "provincial_hospital", "district_health_centre", "commune_health_station"];

    /// <summary>The type's name for people in 2026 (catalogue <c>geo.type.*</c>), the code itself for a type it lacks.</summary>
    public static string TypeName(string type) =>
        KioskPos.Core.Text.Messages.All.TryGetValue("province.geo.type." + type, out var name) ? name.Vi : type;

    /// <summary>The first day of the month <paramref name="day"/> falls in.</summary>
    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);
}

/// <summary>Where an institution is from a month on: today's units (province, commune) and, where it had them, the pre-2025 ones.</summary>
/// <param name="ValidFrom">The first day of the month this place applies from.</param>
/// <param name="Province">The province (one of the 34 since 2025).</param>
/// <param name="Commune">The commune (xã, phường, đặc khu).</param>
/// <param name="OldProvince">The province before 1 July 2025, where known.</param>
/// <param name="OldDistrict">The district before 1 July 2025 (a 2022 plan's unit), where known.</param>
/// <param name="Note">Why it changed (e.g. the resolution that merged the communes).</param>
public sealed record Place(DateOnly ValidFrom, string Province, string Commune, string? OldProvince, string? OldDistrict, string? Note = null);

/// <summary>An administrator's move of an institution to new units, from the first day of a month.</summary>
/// <param name="From">yyyy-MM-01: the month the new place applies from; the months before keep the old one.</param>
/// <param name="Province">The province.</param>
/// <param name="Commune">The commune.</param>
/// <param name="OldProvince">The pre-2025 province (kept from the previous place when absent).</param>
/// <param name="OldDistrict">The pre-2025 district (kept from the previous place when absent).</param>
/// <param name="Note">Why.</param>
public sealed record MoveRequest(string? From, string? Province, string? Commune, string? OldProvince, string? OldDistrict, string? Note);

/// <summary>An institution's places, oldest first.</summary>
/// <param name="InstitutionId">The institution.</param>
/// <param name="Places">Its places, each from its month on.</param>
public sealed record PlaceHistory(string InstitutionId, IReadOnlyList<Place> Places);
