using KioskPos.Core.Text;

namespace KioskPos.Core.Domain;

/// <summary>The kinds of institution the provincial plans set targets for.</summary>
public enum InstitutionType
{
    /// <summary>Trường tiểu học.</summary>
    Primary,

    /// <summary>Trường trung học cơ sở (THCS).</summary>
    LowerSecondary,

    /// <summary>Trường trung học phổ thông (THPT).</summary>
    UpperSecondary,

    /// <summary>Cơ sở giáo dục nghề nghiệp.</summary>
    Vocational,

    /// <summary>Trường cao đẳng, đại học.</summary>
    CollegeUniversity,

    /// <summary>Bệnh viện tuyến tỉnh.</summary>
    ProvincialHospital,

    /// <summary>Trung tâm y tế huyện.</summary>
    DistrictHealthCentre,

    /// <summary>Trạm y tế xã.</summary>
    CommuneHealthStation,
}

/// <summary>Facts about <see cref="InstitutionType"/> values.</summary>
public static class InstitutionTypes
{
    /// <summary>True for schools and other education institutions; false for health facilities.</summary>
    public static bool IsSchool(this InstitutionType type) => type <= InstitutionType.CollegeUniversity;

    /// <summary>The Vietnamese name of the type.</summary>
    public static string VietnameseName(this InstitutionType type) => type switch
    {
        InstitutionType.Primary => Messages.Vi("domain.institution.primary"),
        InstitutionType.LowerSecondary => Messages.Vi("domain.institution.lower_secondary"),
        InstitutionType.UpperSecondary => Messages.Vi("domain.institution.upper_secondary"),
        InstitutionType.Vocational => Messages.Vi("domain.institution.vocational"),
        InstitutionType.CollegeUniversity => Messages.Vi("domain.institution.college_university"),
        InstitutionType.ProvincialHospital => Messages.Vi("domain.institution.provincial_hospital"),
        InstitutionType.DistrictHealthCentre => Messages.Vi("domain.institution.district_health_centre"),
        InstitutionType.CommuneHealthStation => Messages.Vi("domain.institution.commune_health_station"),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The wire name (snake case) used in the sync protocol and the databases.</summary>
    public static string WireName(this InstitutionType type) => type switch
    {
        InstitutionType.Primary => "primary",
        InstitutionType.LowerSecondary => "lower_secondary",
        InstitutionType.UpperSecondary => "upper_secondary",
        InstitutionType.Vocational => "vocational",
        InstitutionType.CollegeUniversity => "college_university",
        InstitutionType.ProvincialHospital => "provincial_hospital",
        InstitutionType.DistrictHealthCentre => "district_health_centre",
        InstitutionType.CommuneHealthStation => "commune_health_station",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Reads a wire name written by <see cref="WireName"/>.</summary>
    public static bool TryParseWireName(string? name, out InstitutionType type) => WireNames.TryParse(name, WireName, out type);
}
