using System.Data.Common;

namespace KioskPos.ProvinceServer.Data;

/// <summary>A hospital XML's facility code against the importing institution's, in the import's answer.</summary>
/// <param name="File">The file's code (<c>THONGTINDONVI/MACSKCB</c>); null when it names none.</param>
/// <param name="Expected">The institution's facility code; null when it has none yet.</param>
/// <param name="Checked">False when the institution has no facility code: the file was imported without the check.</param>
/// <param name="Detail">What was found, in English.</param>
public sealed record FacilityCheck(string? File, string? Expected, bool Checked, string Detail);

/// <summary>
/// An institution's facility code: the code the Ministry of Health and the health-insurance fund give a hospital
/// (<c>MA_CSKCB</c>, five characters in the XML output standard of QD 130/QD-BYT as amended by 4750, in practice five
/// digits: the old province's two, then the facility's three, e.g. 82012). The hospital XML names it in
/// <c>THONGTINDONVI/MACSKCB</c> and in each episode's XML1 <c>MA_CSKCB</c>; the import refuses a file of another
/// facility for an institution that has a code (<see cref="Imports.HospitalXmlImport"/>). Stored in
/// <c>institutions.facility_code</c> (migration 0036): null until the province administrator sets it, unique.
/// </summary>
internal static class FacilityCodes
{
    /// <summary>The rule, for an answer that names the field.</summary>
    public const string Rule = "5 digits, the Ministry of Health's facility code (MA_CSKCB) as the hospital's XML writes it, e.g. 82012";

    public static bool IsValid(string code) => code.Length == 5 && code.All(char.IsAsciiDigit);

    /// <summary>The facility code of <paramref name="institution"/>, or null when it has none (or no such institution).</summary>
    public static async Task<string?> OfAsync(DbConnection connection, DbTransaction? transaction, string institution, CancellationToken cancellationToken) =>
        await connection.ScalarAsync("SELECT facility_code FROM institutions WHERE id = $i", transaction, cancellationToken, ("$i", institution)).ConfigureAwait(false) as string;

    /// <summary>The institution other than <paramref name="institution"/> that holds <paramref name="code"/>, or null.</summary>
    public static async Task<string?> HolderAsync(DbConnection connection, DbTransaction transaction, string code, string institution, CancellationToken cancellationToken) =>
        await connection.ScalarAsync("SELECT id FROM institutions WHERE facility_code = $f AND id <> $i", transaction, cancellationToken, ("$f", code), ("$i", institution)).ConfigureAwait(false) as string;
}
