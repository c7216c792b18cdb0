using KioskPos.Core.Identity;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// A hospital's bills from the Ministry of Health's XML (<see cref="MohXmlReader"/>, <see cref="MohBills"/>), stored
/// under the CSV's rules (<see cref="BillImport.StoreAsync"/>): all or nothing, a repeat changes nothing, a bill with
/// money paid on it never changes, another institution's bill is never touched. A patient's <c>SO_CCCD</c> is kept only
/// as its keyed hash on the account, and only when it is a 12-digit citizen-ID number.
/// </summary>
internal sealed class HospitalXmlImport(BillImport bills, ProvinceDatabase database)
{
    /// <summary>The most episodes one file takes.</summary>
    public const int MaxEpisodes = 20_000;

    public async Task<ImportResult> ImportAsync(Stream xml, string institution, CancellationToken cancellationToken)
    {
        var (episodes, errors) = MohXmlReader.Read(xml, MaxEpisodes);
        if (errors.Count > 0)
        {
            return new ImportResult(0, 0, 0, errors);
        }

        var key = await ReadKeyAsync(database, cancellationToken).ConfigureAwait(false);
        var (parsed, citizenIds) = MohBills.ToBills(episodes, institution, key, errors);
        return await bills.StoreAsync(parsed, errors, citizenIds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The province's citizen-ID key (made by the schema step that added the hashes), or null before it.</summary>
    public static async Task<byte[]?> ReadKeyAsync(ProvinceDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return CitizenIdHash.ParseKey(await connection.ScalarAsync("SELECT value FROM meta WHERE key = 'citizen_id_key'", null, cancellationToken).ConfigureAwait(false) as string);
    }
}
