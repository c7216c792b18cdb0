using System.Data.Common;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The demo province loaded on first start, in today's Đồng Tháp: a lower-secondary school in Phường Mỹ Tho with 30
/// pupils and their fees, the regional health centre of Châu Thành with 30 patients and their bills, cards and
/// balances; and, when asked for, a generated province around them (<see cref="Geography.DemoProvince"/>).
/// Deterministic: the same every time.
/// </summary>
internal static class DemoData
{
    public const string SchoolId = "TG-THCS-NGUYENDU";
    public const string HospitalId = "TG-TTYT-CHAUTHANH";
    public const string SchoolTerminalId = "KP-THCS-ND-01";
    public const string HospitalTerminalId = "KP-TTYT-CT-01";

    /// <summary>
    /// The health centre's facility code of the Ministry of Health (MA_CSKCB): Tiền Giang's old province code 82 and a
    /// facility number, as the demo's and the tests' hospital XML files write it; their imports are checked against it.
    /// </summary>
    public const string HospitalFacilityCode = "82012";

    /// <summary>The school's receiving account (Vietcombank), in the demo's VietQR codes.</summary>
    public const string SchoolBankAccount = "1023456789";

    /// <summary>Well-known demo cards, printed by <c>make run</c> and used in the README.</summary>
    public static readonly (string Uid, string Code, string What)[] WellKnownCards =
    [
        ("04A1B2C3", "HS240001", "pupil, balance 2.000.000 ₫"),
        ("04D4E5F6", "HS240002", "pupil, balance 150.000 ₫ (too low for the fees)"),
        ("04112233", "HS240003", "pupil, card blocked"),
        ("0472A9C1B2D380", "BN260001", "patient, balance 5.000.000 ₫"),
    ];

    /// <summary>
    /// The demo's sign-ins (make run prints them): the province's administrator and each institution's accountant.
    /// Only with <c>Province:SeedDemoData=true</c>; a server on shipped settings has none.
    /// </summary>
    public static readonly (string Username, string FullName, string Role, string? InstitutionId, string Password)[] Users =
    [
        ("tinh.admin", "Sở Tài chính — quản trị", ProvinceRoles.Admin, null, "QuanTri@2026"),
        ("ketoan.nguyendu", "Kế toán THCS Nguyễn Du", ProvinceRoles.Accountant, SchoolId, "KeToan@2026"),
        ("ketoan.ttytchauthanh", "Kế toán TTYT khu vực Châu Thành", ProvinceRoles.Accountant, HospitalId, "KeToan@2026"),
    ];

    // A demo password's hash, made once per process: at 600,000 iterations each costs a noticeable fraction of a
    // second, and the tests start a demo province many times in one process.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> s_passwordHashes = new(StringComparer.Ordinal);

    /// <summary>The demo card holders' PINs.</summary>
    public static readonly (string Code, string Pin)[] WellKnownPins = [("HS240001", "2580"), ("HS240002", "1470"), ("BN260001", "3690")];

    private static readonly string[] s_families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"];
    private static readonly string[] s_middlesMale = ["Văn", "Minh", "Đức", "Hữu", "Quốc", "Gia", "Thành"];
    private static readonly string[] s_middlesFemale = ["Thị", "Ngọc", "Thu", "Bảo", "Thanh", "Khánh", "Mỹ"];
    private static readonly string[] s_givenMale = ["An", "Bình", "Dũng", "Hải", "Hùng", "Khang", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn", "Việt", "Đạt"];
    private static readonly string[] s_givenFemale = ["Anh", "Châu", "Giang", "Hà", "Hạnh", "Lan", "Linh", "Mai", "Ngân", "Quỳnh", "Thảo", "Trang", "Uyên", "Yến"];
    private static readonly string[] s_classes = ["6A", "6B", "7A", "7B", "8A", "8B", "9A", "9B"];
    private static readonly string[] s_wards = ["Khoa Nội", "Khoa Ngoại", "Khoa Nhi", "Khoa Sản", "Khoa Khám bệnh"];

    /// <summary>The hash of a demo password (<see cref="PasswordHash"/>), made once per process.</summary>
    public static string PasswordHashOf(string password) => s_passwordHashes.GetOrAdd(password, p => new Lazy<string>(() => PasswordHash.Create(p))).Value;

    /// <summary>True when the database holds no institution yet.</summary>
    public static async Task<bool> IsEmptyAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.ScalarAsync("SELECT 1 FROM institutions LIMIT 1", null, cancellationToken).ConfigureAwait(false) is null;

    /// <summary>Loads the demo province in one transaction; its two terminals wait for enrolment.</summary>
    public static async Task SeedAsync(ProvinceDatabase database, DbConnection connection, CancellationToken cancellationToken, int generated = 0)
    {
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        var random = new Random(2022);
        await connection.ExecuteAsync(
            "INSERT INTO institutions (id, name, type, district, commune) VALUES ($a, 'Trường THCS Nguyễn Du', 'lower_secondary', 'Thành phố Mỹ Tho', 'Phường Mỹ Tho'), ($b, 'Trung tâm Y tế khu vực Châu Thành', 'district_health_centre', 'Huyện Châu Thành', 'Xã Châu Thành')",
            transaction, cancellationToken, ("$a", SchoolId), ("$b", HospitalId)).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            UPDATE institutions SET bank_bin = '970436', bank_account = '1023456789', bank_account_name = 'TRUONG THCS NGUYEN DU', bank_name = 'Vietcombank' WHERE id = $a;
            UPDATE institutions SET bank_bin = '970415', bank_account = '114000123456', bank_account_name = 'TTYT KHU VUC CHAU THANH', bank_name = 'VietinBank', facility_code = $f WHERE id = $b;
            """,
            transaction, cancellationToken, ("$a", SchoolId), ("$b", HospitalId), ("$f", HospitalFacilityCode)).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO terminals (id, institution_id, name) VALUES ($a, $ia, 'Ki-ốt văn phòng trường'), ($b, $ib, 'Quầy thu viện phí số 1')",
            transaction, cancellationToken, ("$a", SchoolTerminalId), ("$ia", SchoolId), ("$b", HospitalTerminalId), ("$ib", HospitalId)).ConfigureAwait(false);

        for (var n = 1; n <= 30; n++)
        {
            var code = $"HS24{n:D4}";
            var name = n switch { 1 => "Nguyễn Minh Anh", 2 => "Trần Thị Bảo Ngọc", 3 => "Lê Hoàng Nam", _ => RandomName(random) };
            var balance = n switch { 1 => 2_000_000, 2 => 150_000, _ => random.Next(20, 300) * 10_000L };
            var uid = n <= 3 ? WellKnownCards[n - 1].Uid : RandomUid(random, 4);
            await AddAccountAsync(connection, transaction, SchoolId, code, "pupil", name, s_classes[(n - 1) % s_classes.Length], balance, blocked: n == 3, uid, cancellationToken).ConfigureAwait(false);
            await AddBillAsync(connection, transaction, SchoolId, code, $"HP-2611-{code}", "hoc_phi", "Học phí tháng 11/2026", "2026-11-30",
                [("Học phí tháng 11/2026", 1, 150_000)], cancellationToken).ConfigureAwait(false);
            await AddBillAsync(connection, transaction, SchoolId, code, $"BT-2611-{code}", "ban_tru", "Bán trú tháng 11/2026", "2026-11-30",
                [("Tiền ăn bán trú", 20, 25_000), ("Phí phục vụ bán trú", 1, 100_000)], cancellationToken).ConfigureAwait(false);
            if (n % 3 == 0)
            {
                await AddBillAsync(connection, transaction, SchoolId, code, $"HP-2612-{code}", "hoc_phi", "Học phí tháng 12/2026", "2026-12-31",
                    [("Học phí tháng 12/2026", 1, 150_000)], cancellationToken).ConfigureAwait(false);
            }
        }

        for (var n = 1; n <= 30; n++)
        {
            var code = $"BN26{n:D4}";
            var name = n == 1 ? "Phạm Thị Thu Hà" : RandomName(random);
            var balance = n == 1 ? 5_000_000 : random.Next(5, 100) * 100_000L;
            var uid = n == 1 ? WellKnownCards[3].Uid : RandomUid(random, 7);
            await AddAccountAsync(connection, transaction, HospitalId, code, "patient", name, s_wards[(n - 1) % s_wards.Length], balance, blocked: false, uid, cancellationToken).ConfigureAwait(false);
            var days = 1 + (n % 5);
            // Most patients hold health insurance (BHYT), which pays 80 % of covered services; every third does not.
            var covered = n % 3 == 0 ? 0m : 0.8m;
            await AddBillAsync(connection, transaction, HospitalId, code, $"VP-{code}-1", "vien_phi", "Viện phí đợt 1", "2026-11-25",
                [("Khám bệnh", 1, 38_700, covered), ("Tổng phân tích tế bào máu ngoại vi", 1, 46_200, covered), ("Siêu âm ổ bụng", 1, 43_900, covered),
                 ($"Ngày giường điều trị nội khoa", days, 249_000, covered), ("Phụ thu giường dịch vụ", days, 150_000, 0m)],
                cancellationToken).ConfigureAwait(false);
            if (n == 1 || n % 4 == 0)
            {
                // An inpatient's deposit (tạm ứng): paid, it is held on the account and the final bill is paid from it.
                await AddBillAsync(connection, transaction, HospitalId, code, $"TU-{code}-1", "tam_ung", "Tạm ứng viện phí", null,
                    [("Tạm ứng điều trị nội trú", 1, 2_000_000)], cancellationToken).ConfigureAwait(false);
            }
        }

        // Card PINs chosen at the office by the holders of the well-known cards (kiosks ask for them above an amount).
        foreach (var (code, pin) in WellKnownPins)
        {
            await connection.ExecuteAsync("UPDATE accounts SET pin_hash = $h WHERE code = $c", transaction, cancellationToken, ("$h", KioskPos.Shared.Security.PinHash.Create(pin)), ("$c", code)).ConfigureAwait(false);
        }

        // Where they are today (and were before 2025), and the generated province around them: the twelve months up to today, Vietnam time.
        await Geography.DemoProvince.SeedAsync(connection, transaction, generated, DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7)), cancellationToken).ConfigureAwait(false);

        // The demo patient's citizen-ID card, which make run's /dev page scans: only the keyed hash of its number is kept.
        if (Core.Identity.CitizenIdHash.ParseKey(await connection.ScalarAsync("SELECT value FROM meta WHERE key = 'citizen_id_key'", transaction, cancellationToken).ConfigureAwait(false) as string) is { } citizenIdKey)
        {
            await connection.ExecuteAsync("UPDATE accounts SET citizen_id_hash = $h WHERE code = $c", transaction, cancellationToken,
                ("$h", Core.Identity.CitizenIdHash.Compute(citizenIdKey, DemoPatientCitizenId)), ("$c", "BN260001")).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The citizen-ID number of the demo patient BN260001 (Phạm Thị Thu Hà), as on the /dev page's sample card.</summary>
    public const string DemoPatientCitizenId = "082185004321";

    private static async Task AddAccountAsync(DbConnection connection, DbTransaction transaction, string institution, string code, string kind, string name, string group, long balance, bool blocked, string uid, CancellationToken cancellationToken)
    {
        var version = await ChangeVersions.NextAsync(connection, transaction, institution, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO accounts (code, institution_id, kind, full_name, group_name, balance, blocked, version) VALUES ($c, $i, $k, $n, $g, $b, $x, $v)",
            transaction, cancellationToken, ("$c", code), ("$i", institution), ("$k", kind), ("$n", name), ("$g", group), ("$b", balance), ("$x", blocked ? 1 : 0), ("$v", version)).ConfigureAwait(false);
        await connection.ExecuteAsync("INSERT INTO cards (uid, account_code) VALUES ($u, $c)", transaction, cancellationToken, ("$u", uid), ("$c", code)).ConfigureAwait(false);
    }

    private static Task AddBillAsync(DbConnection connection, DbTransaction transaction, string institution, string account, string id, string category, string title, string? due, (string Description, int Quantity, long UnitPrice)[] lines, CancellationToken cancellationToken) =>
        AddBillAsync(connection, transaction, institution, account, id, category, title, due, lines.Select(l => (l.Description, l.Quantity, l.UnitPrice, 0m)).ToArray(), cancellationToken);

    // Each line with the share of it that health insurance pays; the bill's total is the payer's part.
    private static async Task AddBillAsync(DbConnection connection, DbTransaction transaction, string institution, string account, string id, string category, string title, string? due, (string Description, int Quantity, long UnitPrice, decimal Covered)[] lines, CancellationToken cancellationToken)
    {
        var version = await ChangeVersions.NextAsync(connection, transaction, institution, cancellationToken).ConfigureAwait(false);
        var insured = lines.Select(l => (long)Math.Round(checked(l.Quantity * l.UnitPrice) * l.Covered, MidpointRounding.AwayFromZero)).ToArray();
        var total = lines.Select((l, i) => checked((l.Quantity * l.UnitPrice) - insured[i])).Sum();
        await connection.ExecuteAsync(
            "INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($id, $i, $a, $c, $t, $d, $tot, 0, $v)",
            transaction, cancellationToken, ("$id", id), ("$i", institution), ("$a", account), ("$c", category), ("$t", title), ("$d", due), ("$tot", total), ("$v", version)).ConfigureAwait(false);
        for (var i = 0; i < lines.Length; i++)
        {
            await connection.ExecuteAsync(
                "INSERT INTO bill_lines (bill_id, line_no, description, quantity, unit_price, amount, insurance_covered) VALUES ($b, $n, $d, $q, $u, $a, $ins)",
                transaction, cancellationToken, ("$b", id), ("$n", i + 1), ("$d", lines[i].Description), ("$q", lines[i].Quantity), ("$u", lines[i].UnitPrice),
                ("$a", checked(lines[i].Quantity * lines[i].UnitPrice)), ("$ins", insured[i])).ConfigureAwait(false);
        }
    }

    private static string RandomName(Random random)
    {
        var female = random.Next(2) == 0;
        var family = s_families[random.Next(s_families.Length)];
        var middle = female ? s_middlesFemale[random.Next(s_middlesFemale.Length)] : s_middlesMale[random.Next(s_middlesMale.Length)];
        var given = female ? s_givenFemale[random.Next(s_givenFemale.Length)] : s_givenMale[random.Next(s_givenMale.Length)];
        return $"{family} {middle} {given}";
    }

    private static string RandomUid(Random random, int bytes)
    {
        var uid = new byte[bytes];
        random.NextBytes(uid);
        uid[0] = bytes == 4 ? (byte)0x5A : (byte)0x04; // NXP manufacturer byte for 7-byte UIDs
        return Convert.ToHexString(uid);
    }
}
