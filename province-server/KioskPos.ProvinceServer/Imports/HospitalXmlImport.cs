using KioskPos.Core.Identity;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// A hospital's bills from the Ministry of Health's XML (<see cref="MohXmlReader"/>, <see cref="MohBills"/>), stored
/// under the CSV's rules (<see cref="BillImport.StoreAsync"/>): all or nothing, a repeat changes nothing, a bill with
/// money paid on it never changes, another institution's bill is never touched. A patient's <c>SO_CCCD</c> is kept only
/// as its keyed hash on the account, and only when it is a 12-digit citizen-ID number.
/// The file must be the institution's own: where the institution has a facility code (<see cref="FacilityCodes"/>), a
/// file whose envelope (<c>THONGTINDONVI/MACSKCB</c>) names another facility or none, or one of whose episodes names
/// another in XML1's <c>MA_CSKCB</c>, is refused whole, naming the code found and the one expected; where it has none
/// yet, the file is imported and the answer says its facility was not checked.
/// </summary>
internal sealed class HospitalXmlImport(BillImport bills, ProvinceDatabase database)
{
    /// <summary>The most episodes one file takes.</summary>
    public const int MaxEpisodes = 20_000;

    public async Task<ImportResult> ImportAsync(Stream xml, string institution, CancellationToken cancellationToken)
    {
        var (fileFacility, episodes, errors) = MohXmlReader.ReadFile(xml, MaxEpisodes);
        if (errors.Count > 0)
        {
            return errors.Refused();
        }

        string? expected;
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            expected = await FacilityCodes.OfAsync(connection, null, institution, cancellationToken).ConfigureAwait(false);
        }

        var facility = CheckFacility(institution, expected, fileFacility, episodes, errors);
        if (errors.Count > 0)
        {
            return errors.Refused(facility);
        }

        var key = await ReadKeyAsync(database, cancellationToken).ConfigureAwait(false);
        var (parsed, patients) = MohBills.ToBills(episodes, institution, key, errors);
        return (await bills.StoreAsync(parsed, errors, patients, cancellationToken).ConfigureAwait(false)) with { Facility = facility };
    }

    /// <summary>The province's citizen-ID key (made by the schema step that added the hashes), or null before it.</summary>
    public static async Task<byte[]?> ReadKeyAsync(ProvinceDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return CitizenIdHash.ParseKey(await connection.ScalarAsync("SELECT value FROM meta WHERE key = 'citizen_id_key'", null, cancellationToken).ConfigureAwait(false) as string);
    }

    // The file's facility against the institution's: an error where it names another (or, for the envelope, none); with
    // no code to check against, nothing is refused and the answer says so.
    private static FacilityCheck CheckFacility(string institution, string? expected, string? file, IReadOnlyList<MohEpisode> episodes, ImportErrors errors)
    {
        if (expected is null)
        {
            return new FacilityCheck(file, null, false,
                $"institution {institution} has no facility code: the file's facility ({file ?? "none named"}, THONGTINDONVI/MACSKCB) was not checked against it; "
                + $"set its facilityCode (PUT /api/v1/admin/institutions/{institution}/facility-code) to have every import checked");
        }

        // The envelope's code refuses the file in one error; its episodes are looked at only when it is the institution's
        // (a file of another facility would otherwise give an error for each of its thousands of episodes).
        if (file != expected)
        {
            errors.Add(0, file is null
                    ? new ImportText("province.importError.facility_none", institution, expected)
                    : new ImportText("province.importError.facility_other", file, institution, expected),
                "THONGTINDONVI/MACSKCB", "MACSKCB");
            return new FacilityCheck(file, expected, true, $"the file is not facility {expected}'s");
        }

        foreach (var episode in episodes.Where(e => e.MaCskcb is { } code && code != expected))
        {
            errors.Add(0, new ImportText("province.importError.facility_episode_other", episode.MaCskcb, institution, expected), $"{episode.Where} XML1 MA_CSKCB", "MA_CSKCB");
        }

        return errors.Count > 0
            ? new FacilityCheck(file, expected, true, $"the file is not facility {expected}'s")
            : new FacilityCheck(file, expected, true, $"the file is facility {expected}'s, as institution {institution} is");
    }
}
