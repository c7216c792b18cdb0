using System.Data.Common;
using System.Globalization;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Geography;

/// <summary>
/// A generated demo province for <c>make run</c>: today's Đồng Tháp (merged 1 July 2025 from Tiền Giang and Đồng
/// Tháp), schools of each level and health facilities across its communes with the names of 2026 (communes from
/// Resolution 1663/NQ-UBTVQH15; health stations named after the new communes, regional health centres after the
/// former districts), and a year of bills and payments along an adoption curve: a few institutions take cashless
/// payment a year ago, most within the year, some not yet. Deterministic for a size; written in a few bulk
/// statements so a thousand institutions load in seconds. Only with <c>Province:SeedDemoData</c>.
/// </summary>
internal static class DemoProvince
{
    /// <summary>The province of today the demo lies in.</summary>
    public const string Province = "Đồng Tháp";

    // (commune, its pre-2025 district, its pre-2025 province): the communes of today's Đồng Tháp used by the demo.
    internal static readonly (string Commune, string OldDistrict, string OldProvince)[] Communes =
    [
        ("Phường Mỹ Tho", "Thành phố Mỹ Tho", "Tiền Giang"), ("Phường Đạo Thạnh", "Thành phố Mỹ Tho", "Tiền Giang"), ("Phường Mỹ Phong", "Thành phố Mỹ Tho", "Tiền Giang"),
        ("Phường Thới Sơn", "Thành phố Mỹ Tho", "Tiền Giang"), ("Phường Trung An", "Thành phố Mỹ Tho", "Tiền Giang"),
        ("Phường Gò Công", "Thị xã Gò Công", "Tiền Giang"), ("Phường Long Thuận", "Thị xã Gò Công", "Tiền Giang"), ("Phường Sơn Qui", "Thị xã Gò Công", "Tiền Giang"), ("Phường Bình Xuân", "Thị xã Gò Công", "Tiền Giang"),
        ("Phường Cai Lậy", "Thị xã Cai Lậy", "Tiền Giang"), ("Phường Nhị Quý", "Thị xã Cai Lậy", "Tiền Giang"), ("Phường Thanh Hòa", "Thị xã Cai Lậy", "Tiền Giang"), ("Phường Mỹ Phước Tây", "Thị xã Cai Lậy", "Tiền Giang"),
        ("Xã Cái Bè", "Huyện Cái Bè", "Tiền Giang"), ("Xã Hậu Mỹ", "Huyện Cái Bè", "Tiền Giang"), ("Xã Hội Cư", "Huyện Cái Bè", "Tiền Giang"), ("Xã Mỹ Thiện", "Huyện Cái Bè", "Tiền Giang"), ("Xã An Hữu", "Huyện Cái Bè", "Tiền Giang"),
        ("Xã Mỹ Thành", "Huyện Cai Lậy", "Tiền Giang"), ("Xã Bình Phú", "Huyện Cai Lậy", "Tiền Giang"), ("Xã Hiệp Đức", "Huyện Cai Lậy", "Tiền Giang"), ("Xã Ngũ Hiệp", "Huyện Cai Lậy", "Tiền Giang"),
        ("Xã Tân Phước 1", "Huyện Tân Phước", "Tiền Giang"), ("Xã Tân Phước 2", "Huyện Tân Phước", "Tiền Giang"), ("Xã Hưng Thạnh", "Huyện Tân Phước", "Tiền Giang"),
        ("Xã Châu Thành", "Huyện Châu Thành", "Tiền Giang"), ("Xã Tân Hương", "Huyện Châu Thành", "Tiền Giang"), ("Xã Long Hưng", "Huyện Châu Thành", "Tiền Giang"), ("Xã Vĩnh Kim", "Huyện Châu Thành", "Tiền Giang"), ("Xã Kim Sơn", "Huyện Châu Thành", "Tiền Giang"),
        ("Xã Chợ Gạo", "Huyện Chợ Gạo", "Tiền Giang"), ("Xã An Thạnh Thủy", "Huyện Chợ Gạo", "Tiền Giang"), ("Xã Bình Ninh", "Huyện Chợ Gạo", "Tiền Giang"), ("Xã Mỹ Tịnh An", "Huyện Chợ Gạo", "Tiền Giang"),
        ("Xã Vĩnh Bình", "Huyện Gò Công Tây", "Tiền Giang"), ("Xã Đồng Sơn", "Huyện Gò Công Tây", "Tiền Giang"),
        ("Phường Cao Lãnh", "Thành phố Cao Lãnh", "Đồng Tháp"), ("Phường Mỹ Trà", "Thành phố Cao Lãnh", "Đồng Tháp"), ("Phường Sa Đéc", "Thành phố Sa Đéc", "Đồng Tháp"),
        ("Phường Hồng Ngự", "Thành phố Hồng Ngự", "Đồng Tháp"), ("Xã Tháp Mười", "Huyện Tháp Mười", "Đồng Tháp"), ("Xã Lấp Vò", "Huyện Lấp Vò", "Đồng Tháp"), ("Xã Lai Vung", "Huyện Lai Vung", "Đồng Tháp"),
        ("Xã Tam Nông", "Huyện Tam Nông", "Đồng Tháp"), ("Xã Thanh Bình", "Huyện Thanh Bình", "Đồng Tháp"),
    ];

    private sealed record Unit(string Id, string Name, string Type, string Commune, string OldDistrict, string OldProvince);

    /// <summary>
    /// Adds about <paramref name="size"/> institutions (schools of each level in proportion, a health station per
    /// commune, a regional centre per former district, provincial hospitals) and the twelve months up to
    /// <paramref name="today"/>, inside the caller's transaction. Also places the two hand-written demo institutions.
    /// </summary>
    public static async Task SeedAsync(DbConnection connection, DbTransaction transaction, int size, DateOnly today, CancellationToken cancellationToken)
    {
        await PlaceAsync(connection, transaction, DemoData.SchoolId, "Phường Mỹ Tho", "Thành phố Mỹ Tho", cancellationToken).ConfigureAwait(false);
        await PlaceAsync(connection, transaction, DemoData.HospitalId, "Xã Châu Thành", "Huyện Châu Thành", cancellationToken).ConfigureAwait(false);
        if (size <= 0)
        {
            return;
        }

        var random = new Random(20250701);
        var units = Units(size, random);
        var institutions = units.Select(u => new object?[] { u.Id, u.Name, u.Type, u.OldDistrict, u.Commune }).ToList();
        await InsertAsync(connection, transaction, "institutions", [("id", false), ("name", false), ("type", false), ("district", false), ("commune", false)], institutions, cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, transaction, "institution_places", [("institution_id", false), ("valid_from", false), ("province", false), ("commune", false), ("old_province", false), ("old_district", false)],
            [.. units.Select(u => new object?[] { u.Id, "2000-01-01", Province, u.Commune, u.OldProvince, u.OldDistrict })], cancellationToken).ConfigureAwait(false);

        // Payers: a few accounts per institution stand for its classes or wards (bills name one each).
        var accounts = new List<object?[]>();
        foreach (var u in units)
        {
            var school = !u.Type.EndsWith("hospital", StringComparison.Ordinal) && !u.Type.Contains("health", StringComparison.Ordinal);
            for (var a = 1; a <= 4; a++)
            {
                accounts.Add([$"{u.Id}-{a}", u.Id, school ? "pupil" : "patient", school ? $"Lớp {a + 5}A" : $"Khoa {a}", 0L, 0L]);
            }
        }

        await InsertAsync(connection, transaction, "accounts", [("code", false), ("institution_id", false), ("kind", false), ("full_name", false), ("balance", true), ("version", true)], accounts, cancellationToken).ConfigureAwait(false);

        // The adoption curve: the share of institutions taking cashless payment by month m of the year (0..11)
        // rises as a logistic curve from about 15 % to 85 %; an institution starts in the first month the curve
        // passes its draw, and from then pays a rising share of its bills cashless.
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-11);
        var terminals = new List<object?[]>();
        var bills = new List<object?[]>();
        var journal = new List<object?[]>();
        var payments = new List<object?[]>();
        foreach (var u in units)
        {
            var draw = random.NextDouble();
            var start = Enumerable.Range(0, 12).Cast<int?>().FirstOrDefault(m => Adopted(m!.Value) >= draw);
            var terminalId = "KP-" + u.Id;
            if (start is not null)
            {
                terminals.Add([terminalId, u.Id, u.Type.Contains("health", StringComparison.Ordinal) || u.Type.EndsWith("hospital", StringComparison.Ordinal) ? "Quầy thu viện phí" : "Ki-ốt văn phòng trường",
                    first.AddMonths(start.Value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T01:00:00Z"]);
            }

            var (perBill, count) = Fees(u.Type, random);
            var sequence = 0;
            for (var m = 0; m < 12; m++)
            {
                var month = first.AddMonths(m);
                var due = month.AddDays(9);
                var share = start is { } s && m >= s ? Math.Min(0.95, 0.35 + (0.06 * (m - s)) + (random.NextDouble() * 0.1)) : 0;
                for (var b = 0; b < count; b++)
                {
                    var id = $"{u.Id}-{month:yyMM}-{b:D2}";
                    var total = perBill + (random.Next(-3, 4) * 10_000L);
                    var paidCashless = random.NextDouble() < share;
                    var at = due.AddDays(-random.Next(0, 9));
                    // Paid up to yesterday (Vietnam's day): a payment of today, at a generated hour, could lie in the future.
                    var paid = paidCashless && at < today;
                    bills.Add([id, u.Id, $"{u.Id}-{1 + (b % 4)}", u.Type.Contains("health", StringComparison.Ordinal) || u.Type.EndsWith("hospital", StringComparison.Ordinal) ? "vien_phi" : "hoc_phi",
                        $"Phải thu tháng {month:MM/yyyy}", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), total, paid ? total : 0L, 0L]);
                    if (paid)
                    {
                        sequence++;
                        var created = new DateTimeOffset(at.Year, at.Month, at.Day, 1 + random.Next(0, 9), random.Next(60), 0, TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);
                        journal.Add([terminalId, (long)sequence, KioskPos.Shared.Contracts.EntryKinds.PaymentCreated, "demo", "{}", "{}", created]);
                        payments.Add([$"{terminalId}-{sequence:D8}", terminalId, (long)sequence, u.Id, $"{u.Id}-{1 + (b % 4)}", random.Next(3) == 0 ? "external_card" : "card_balance", total, created, created, "completed", total]);
                    }
                }
            }
        }

        await InsertAsync(connection, transaction, "terminals", [("id", false), ("institution_id", false), ("name", false), ("last_seen_at", false)], terminals, cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, transaction, "bills", [("id", false), ("institution_id", false), ("account_code", false), ("category", false), ("title", false), ("due_date", false), ("total", true), ("paid", true), ("version", true)],
            bills, cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, transaction, "journal_entries", [("terminal_id", false), ("sequence", true), ("kind", false), ("digest", false), ("body", false), ("result", false), ("received_at", false)],
            journal, cancellationToken).ConfigureAwait(false);
        await InsertAsync(connection, transaction, "payments",
            [("id", false), ("terminal_id", false), ("sequence", true), ("institution_id", false), ("account_code", false), ("method", false), ("amount", true), ("created_at", false), ("received_at", false), ("state", false), ("received", true)],
            payments, cancellationToken).ConfigureAwait(false);
    }

    // The share of institutions that have started by month m (0: a year ago).
    private static double Adopted(int month) => 0.15 + (0.7 / (1 + Math.Exp(-(month - 6) / 1.6)));

    // A bill's usual amount and how many fall due a month: a class's monthly fees, a ward's or a station's patients' part.
    private static (long PerBill, int Count) Fees(string type, Random random) => type switch
    {
        "primary" => (random.Next(10, 20) * 100_000L, 6),
        "lower_secondary" => (random.Next(15, 30) * 100_000L, 6),
        "upper_secondary" => (random.Next(20, 40) * 100_000L, 6),
        "vocational" or "college_university" => (random.Next(40, 90) * 100_000L, 6),
        "provincial_hospital" => (random.Next(20, 60) * 100_000L, 12),
        "district_health_centre" => (random.Next(10, 30) * 100_000L, 10),
        _ => (random.Next(2, 8) * 100_000L, 4),
    };

    private static List<Unit> Units(int size, Random random)
    {
        var units = new List<Unit>();
        var n = 0;
        string Id(string prefix) => $"DT-{prefix}-{++n:D4}";
        (string Commune, string OldDistrict, string OldProvince) Somewhere() => Communes[random.Next(Communes.Length)];
        static string Short(string commune) => commune.Replace("Phường ", string.Empty, StringComparison.Ordinal).Replace("Xã ", string.Empty, StringComparison.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string Numbered(string name) => (seen[name] = seen.GetValueOrDefault(name) + 1) == 1 ? name : $"{name} {seen[name]}";

        void Add(string prefix, string type, string stem, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var (commune, district, oldProvince) = Somewhere();
                units.Add(new Unit(Id(prefix), Numbered($"{stem} {Short(commune)}"), type, commune, district, oldProvince));
            }
        }

        Add("TH", "primary", "Trường Tiểu học", size * 40 / 100);
        Add("THCS", "lower_secondary", "Trường THCS", size * 28 / 100);
        Add("THPT", "upper_secondary", "Trường THPT", size * 14 / 100);
        Add("GDNN", "vocational", "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên", Math.Max(1, size * 3 / 100));
        units.Add(new Unit(Id("DH"), "Trường Đại học Đồng Tháp", "college_university", "Phường Cao Lãnh", "Thành phố Cao Lãnh", "Đồng Tháp"));
        units.Add(new Unit(Id("CD"), "Trường Cao đẳng Y tế Đồng Tháp", "college_university", "Phường Mỹ Trà", "Thành phố Cao Lãnh", "Đồng Tháp"));
        units.Add(new Unit(Id("BV"), "Bệnh viện Đa khoa Đồng Tháp", "provincial_hospital", "Phường Mỹ Trà", "Thành phố Cao Lãnh", "Đồng Tháp"));
        units.Add(new Unit(Id("BV"), "Bệnh viện Đa khoa khu vực Mỹ Tho", "provincial_hospital", "Phường Mỹ Tho", "Thành phố Mỹ Tho", "Tiền Giang"));
        units.Add(new Unit(Id("BV"), "Bệnh viện Đa khoa khu vực Cai Lậy", "provincial_hospital", "Phường Nhị Quý", "Thị xã Cai Lậy", "Tiền Giang"));
        foreach (var district in Communes.GroupBy(c => (c.OldDistrict, c.OldProvince)).Where(d => d.Key.OldDistrict != "Huyện Châu Thành"))
        {
            var seat = district.First();
            var name = district.Key.OldDistrict.Replace("Thành phố ", string.Empty, StringComparison.Ordinal).Replace("Thị xã ", string.Empty, StringComparison.Ordinal).Replace("Huyện ", string.Empty, StringComparison.Ordinal);
            units.Add(new Unit(Id("TTYT"), Numbered($"Trung tâm Y tế khu vực {name}"), "district_health_centre", seat.Commune, seat.OldDistrict, seat.OldProvince));
        }

        foreach (var (commune, district, oldProvince) in Communes)
        {
            units.Add(new Unit(Id("TYT"), $"Trạm Y tế {(commune.StartsWith("Phường", StringComparison.Ordinal) ? "phường" : "xã")} {Short(commune)}", "commune_health_station", commune, district, oldProvince));
        }

        return units;
    }

    private static Task PlaceAsync(DbConnection connection, DbTransaction transaction, string institution, string commune, string district, CancellationToken cancellationToken) =>
        Places.RecordAsync(connection, transaction, institution, new Place(new DateOnly(2000, 1, 1), Province, commune, "Tiền Giang", district), cancellationToken);

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<(string Column, bool Integer)> columns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        // In slices: one statement per few thousand rows keeps each parameter (a JSON array, or arrays) modest.
        var names = string.Join(", ", columns.Select(c => c.Column));
        foreach (var slice in rows.Chunk(5000))
        {
            var (source, parameters) = connection.Rows("r", columns, slice);
            await connection.ExecuteAsync($"INSERT INTO {table} ({names}) SELECT {names} FROM {source} ORDER BY ord", transaction, cancellationToken, parameters).ConfigureAwait(false);
        }
    }
}
