using System.Data.Common;
using System.Globalization;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Geography;

/// <summary>
/// Institutions' places with history (<c>institution_places</c>): a move adds a place from a month on and never
/// rewrites the months before, so a past period reads in the units of its time. The institution's own
/// <c>commune</c> and <c>district</c> columns follow the current place (the terminals show them).
/// </summary>
internal sealed class Places(ProvinceDatabase database)
{
    /// <summary>Every place of every institution (or of one), oldest first per institution.</summary>
    public async Task<Dictionary<string, List<Place>>> AllAsync(DbConnection connection, string? institutionId, CancellationToken cancellationToken)
    {
        var places = new Dictionary<string, List<Place>>(StringComparer.Ordinal);
        foreach (var row in await connection.ReadAllAsync<PlaceRow>(
            "SELECT institution_id, valid_from, province, commune, old_province, old_district, note FROM institution_places WHERE CAST($only AS TEXT) IS NULL OR institution_id = $only ORDER BY institution_id, valid_from",
            null, cancellationToken, ("$only", institutionId)).ConfigureAwait(false))
        {
            if (!places.TryGetValue(row.InstitutionId, out var list))
            {
                places[row.InstitutionId] = list = [];
            }

            list.Add(row.ToPlace());
        }

        return places;
    }

    /// <summary>An institution's history, or none when there is no such institution.</summary>
    public async Task<PlaceHistory?> HistoryAsync(string institutionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (await connection.ScalarAsync("SELECT 1 FROM institutions WHERE id = $id", null, cancellationToken, ("$id", institutionId)).ConfigureAwait(false) is null)
        {
            return null;
        }

        var all = await AllAsync(connection, institutionId, cancellationToken).ConfigureAwait(false);
        return new PlaceHistory(institutionId, all.GetValueOrDefault(institutionId) ?? []);
    }

    /// <summary>
    /// Records a place from <paramref name="place"/>'s month on (replacing one recorded for that same month); the
    /// old units not given are kept from the place before. False when there is no such institution.
    /// </summary>
    public async Task<bool> MoveAsync(string institutionId, Place place, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (await connection.ScalarAsync("SELECT 1 FROM institutions WHERE id = $id", transaction, cancellationToken, ("$id", institutionId)).ConfigureAwait(false) is null)
        {
            return false;
        }

        await RecordAsync(connection, transaction, institutionId, place, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Corrects an institution's current place (what was registered wrongly, not a move): the values given replace
    /// the latest place's; an institution without a place gets one from the start.
    /// </summary>
    public async Task CorrectAsync(string institutionId, string? province, string? commune, string? oldProvince, string? oldDistrict, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var latest = await connection.ScalarAsync("SELECT MAX(valid_from) FROM institution_places WHERE institution_id = $id", transaction, cancellationToken, ("$id", institutionId)).ConfigureAwait(false);
        if (latest is string from)
        {
            await connection.ExecuteAsync(
                """
                UPDATE institution_places SET province = COALESCE($p, province), commune = COALESCE($c, commune), old_province = COALESCE($op, old_province), old_district = COALESCE($od, old_district)
                WHERE institution_id = $id AND valid_from = $f
                """,
                transaction, cancellationToken, ("$id", institutionId), ("$f", from), ("$p", province), ("$c", commune), ("$op", oldProvince), ("$od", oldDistrict)).ConfigureAwait(false);
        }
        else
        {
            await connection.ExecuteAsync(
                "INSERT INTO institution_places (institution_id, valid_from, province, commune, old_province, old_district) VALUES ($id, '2000-01-01', $p, $c, $op, $od)",
                transaction, cancellationToken, ("$id", institutionId), ("$p", province ?? string.Empty), ("$c", commune ?? string.Empty), ("$op", oldProvince), ("$od", oldDistrict)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a place inside the caller's transaction (see <see cref="MoveAsync"/>).</summary>
    public static async Task RecordAsync(DbConnection connection, DbTransaction transaction, string institutionId, Place place, CancellationToken cancellationToken)
    {
        var from = Day(place.ValidFrom);
        var before = await connection.ReadFirstAsync<PlaceRow>(
            "SELECT institution_id, valid_from, province, commune, old_province, old_district, note FROM institution_places WHERE institution_id = $id AND valid_from <= $f ORDER BY valid_from DESC LIMIT 1",
            transaction, cancellationToken, ("$id", institutionId), ("$f", from)).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO institution_places (institution_id, valid_from, province, commune, old_province, old_district, note) VALUES ($id, $f, $p, $c, $op, $od, $n)
            ON CONFLICT (institution_id, valid_from) DO UPDATE SET province = excluded.province, commune = excluded.commune, old_province = excluded.old_province, old_district = excluded.old_district, note = excluded.note
            """,
            transaction, cancellationToken, ("$id", institutionId), ("$f", from), ("$p", place.Province), ("$c", place.Commune),
            ("$op", place.OldProvince ?? before?.OldProvince), ("$od", place.OldDistrict ?? before?.OldDistrict), ("$n", place.Note)).ConfigureAwait(false);

        // The institution's own columns show the latest place (what a terminal prints).
        await connection.ExecuteAsync(
            """
            UPDATE institutions SET commune = (SELECT commune FROM institution_places WHERE institution_id = $id ORDER BY valid_from DESC LIMIT 1),
                                    district = COALESCE((SELECT old_district FROM institution_places WHERE institution_id = $id ORDER BY valid_from DESC LIMIT 1), district)
            WHERE id = $id
            """,
            transaction, cancellationToken, ("$id", institutionId)).ConfigureAwait(false);
    }

    /// <summary>The place in effect on <paramref name="day"/>: the latest that began on or before it, else the earliest.</summary>
    public static Place? At(IReadOnlyList<Place>? places, DateOnly day)
    {
        if (places is null || places.Count == 0)
        {
            return null;
        }

        for (var n = places.Count - 1; n >= 0; n--)
        {
            if (places[n].ValidFrom <= day)
            {
                return places[n];
            }
        }

        return places[0];
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed record PlaceRow
    {
        public required string InstitutionId { get; init; }

        public required string ValidFrom { get; init; }

        public required string Province { get; init; }

        public required string Commune { get; init; }

        public string? OldProvince { get; init; }

        public string? OldDistrict { get; init; }

        public string? Note { get; init; }

        public Place ToPlace() => new(DateOnly.ParseExact(ValidFrom, "yyyy-MM-dd", CultureInfo.InvariantCulture), Province, Commune, OldProvince, OldDistrict, Note);
    }
}
