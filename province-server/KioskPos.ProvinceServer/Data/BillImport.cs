using System.Data.Common;
using System.Globalization;
using System.Text;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Imports;

namespace KioskPos.ProvinceServer.Data;

/// <summary>One problem in an import: where it is, what it is for programs, and what is wrong for people, from the catalogue.</summary>
/// <param name="Line">The CSV line (1 = the header) or the sheet's row; 0 where <paramref name="Path"/> alone says where (JSON, XML).</param>
/// <param name="Code">What is wrong, for programs: ASCII and stable (<c>category_unknown</c>, <c>split_amount</c>).</param>
/// <param name="Message">What is wrong, for people, in Vietnamese.</param>
/// <param name="MessageEn">The same in English.</param>
/// <param name="Path">Where in a JSON document (<c>bills[2].lines[0]</c>), an XML file (<c>HOSO[4] MA_LK=… XML1 T_BNCCT</c>) or a workbook (<c>'Học phí' row 7, column H</c>).</param>
/// <param name="Field">The column at fault by its canonical name (<c>unit_price</c>), where one is.</param>
/// <param name="Sheet">The workbook's sheet, for an error in a workbook.</param>
/// <param name="Column">The sheet's column (<c>H</c>), where one column is at fault.</param>
public sealed record ImportError(int Line, string Code, string Message, string MessageEn, string? Path = null, string? Field = null, string? Sheet = null, string? Column = null)
{
    /// <summary>The error <paramref name="text"/> says, at <paramref name="line"/>.</summary>
    internal static ImportError Of(int line, ImportText text, string? path = null, string? field = null) => new(line, text.Code, text.Vi, text.En, path, field);
}

/// <summary>Bills as a school's or hospital's system sends them in JSON (<c>POST /api/v1/admin/bills</c>).</summary>
public sealed record BillImportRequest(IReadOnlyList<BillImportBill>? Bills);

/// <summary>One bill of a JSON import; the same fields and rules as a CSV row's.</summary>
public sealed record BillImportBill(string? BillId, string? InstitutionId, string? PayerCode, string? Category, string? Title, string? DueDate, IReadOnlyList<BillImportLine>? Lines);

/// <summary>One line of a bill in a JSON import; amounts in whole đồng.</summary>
public sealed record BillImportLine(string? Description, long Quantity, long UnitPrice, long InsuranceCovered = 0);

/// <summary>What an import did: nothing at all when there are errors.</summary>
/// <param name="Created">Bills new.</param>
/// <param name="Updated">Bills changed.</param>
/// <param name="Unchanged">Bills as they were.</param>
/// <param name="Errors">What refused the import, each where it is.</param>
/// <param name="Facility">A hospital XML's facility code against the institution's (none for other files).</param>
/// <param name="ErrorsLeftOut">
/// Errors found and not listed: beyond <see cref="ImportErrors.MaxPerRow"/> on one row, or <see cref="ImportErrors.MaxListed"/> in all.
/// </param>
public sealed record ImportResult(int Created, int Updated, int Unchanged, IReadOnlyList<ImportError> Errors, FacilityCheck? Facility = null, int ErrorsLeftOut = 0);

/// <summary>
/// Bills from schools' and hospitals' own systems as CSV (UTF-8, a header row; a row per bill line, the lines of one
/// bill sharing its id). Columns, English or Vietnamese: <c>bill_id</c>/<c>mã khoản thu</c>, <c>institution_id</c>/<c>mã đơn vị</c>,
/// <c>payer_code</c>/<c>mã người nộp</c>, <c>category</c>/<c>loại</c> (hoc_phi, ban_tru, vien_phi, tam_ung, khac),
/// <c>title</c>/<c>tiêu đề</c>, <c>due_date</c>/<c>hạn nộp</c> (yyyy-MM-dd, optional), <c>description</c>/<c>nội dung</c>,
/// <c>quantity</c>/<c>số lượng</c>, <c>unit_price</c>/<c>đơn giá</c>, <c>insurance_covered</c>/<c>bhyt</c> (optional).
/// All or nothing: any error and nothing is stored, each error with its line, every problem of a row (bounded: see
/// <see cref="ImportErrors"/>), said in Vietnamese and English from the catalogue with a code for programs. Importing
/// the same file again changes nothing; a bill with money paid on it is never changed by an import (an error says so),
/// and a bill id held by another institution is never changed or moved by one (an error names the row): bill ids are
/// unique across the province, the ids an institution chooses are unique only within it.
/// </summary>
internal sealed class BillImport(ProvinceDatabase database)
{
    /// <summary>The most rows one import takes.</summary>
    public const int MaxRows = 100_000;

    /// <summary>The longest bill id: the terminals refuse a payment naming a longer one.</summary>
    public const int MaxIdLength = 64;

    private static readonly string[] s_categories = ["hoc_phi", "ban_tru", "vien_phi", "tam_ung", "khac"];

    /// <summary>
    /// An import by an institution's accountant (<see cref="ForInstitution"/>): a bill of any other institution is an
    /// error on its row, found before anything of it is read from the database, so the file's bills are checked against
    /// that institution's payers and bills only; null for an administrator's import.
    /// </summary>
    private string? Only { get; init; }

    /// <summary>The same import, for <paramref name="institution"/>'s bills only (an accountant's).</summary>
    public BillImport ForInstitution(string institution) => new(database) { Only = institution };

    private static readonly HashSet<string> s_optional = new(StringComparer.Ordinal) { "due_date", "insurance_covered" };

    private static readonly Dictionary<string, string> s_headers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bill_id"] = "bill_id", ["mã khoản thu"] = "bill_id",
        ["institution_id"] = "institution_id", ["mã đơn vị"] = "institution_id",
        ["payer_code"] = "payer_code", ["mã người nộp"] = "payer_code",
        ["category"] = "category", ["loại"] = "category",
        ["title"] = "title", ["tiêu đề"] = "title",
        ["due_date"] = "due_date", ["hạn nộp"] = "due_date",
        ["description"] = "description", ["nội dung"] = "description",
        ["quantity"] = "quantity", ["số lượng"] = "quantity",
        ["unit_price"] = "unit_price", ["đơn giá"] = "unit_price",
        ["insurance_covered"] = "insurance_covered", ["bhyt"] = "insurance_covered",
    };

    /// <summary>The canonical name of a CSV column header (English or Vietnamese), or null.</summary>
    internal static string? CanonicalColumn(string header) => s_headers.TryGetValue(header, out var name) ? name : null;

    /// <summary>A bill line as stored: the payer owes quantity × unit price minus the insured part.</summary>
    internal sealed record Line(string Description, int Quantity, long UnitPrice, long Insured);

    /// <summary>
    /// A bill read from a file; <paramref name="Where"/> names it in errors where a line number does not (XML,
    /// spreadsheets). <paramref name="LegacyId"/> is the id an earlier version of the import gave the same bill: when no
    /// bill has <paramref name="Id"/> yet and the institution's own bill has the legacy id, that bill is the one updated.
    /// </summary>
    internal sealed record ParsedBill(string Id, string Institution, string Payer, string Category, string Title, string? Due, List<Line> Lines, int FirstLine, string? Where = null,
        string? LegacyId = null)
    {
        public long Total => Lines.Sum(l => (l.Quantity * l.UnitPrice) - l.Insured);
    }

    public async Task<ImportResult> ImportCsvAsync(string text, CancellationToken cancellationToken)
    {
        var rows = Csv.Parse(text.Normalize(NormalizationForm.FormC));
        if (rows.Count == 0)
        {
            var errors = new ImportErrors();
            errors.Add(1, new ImportText("province.importError.empty_file"));
            return errors.Refused();
        }

        return await ImportRowsAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The same import from JSON: each bill line becomes a row under the canonical columns, so the rules are the
    /// CSV's, word for word; each error names where it is in the document (<c>bills[2].lines[0]</c>).
    /// </summary>
    public async Task<ImportResult> ImportJsonAsync(BillImportRequest request, CancellationToken cancellationToken)
    {
        var errors = new ImportErrors();
        if (request.Bills is not { Count: > 0 } bills)
        {
            errors.Add(0, new ImportText("province.importError.no_bills"), "bills");
            return errors.Refused();
        }

        string[] header = ["bill_id", "institution_id", "payer_code", "category", "title", "due_date", "description", "quantity", "unit_price", "insurance_covered"];
        var rows = new List<List<string>> { new(header) };
        var paths = new List<string> { "bills" };
        for (var b = 0; b < bills.Count; b++)
        {
            var bill = bills[b];
            if (bill?.Lines is not { Count: > 0 } lines)
            {
                errors.Add(0, new ImportText("province.importError.no_lines"), $"bills[{b}]");
                continue;
            }

            for (var l = 0; l < lines.Count; l++)
            {
                var line = lines[l];
                rows.Add([bill.BillId ?? string.Empty, bill.InstitutionId ?? string.Empty, bill.PayerCode ?? string.Empty, bill.Category ?? string.Empty, bill.Title ?? string.Empty,
                    bill.DueDate ?? string.Empty, line?.Description ?? string.Empty, (line?.Quantity ?? 0).ToString(CultureInfo.InvariantCulture),
                    (line?.UnitPrice ?? -1).ToString(CultureInfo.InvariantCulture), (line?.InsuranceCovered ?? 0).ToString(CultureInfo.InvariantCulture)]);
                paths.Add($"bills[{b}].lines[{l}]");
            }
        }

        // A bill without lines refuses the document; the other bills' lines are still checked, so that every problem
        // is answered at once.
        var result = await ImportRowsAsync(rows, cancellationToken, refused: errors.Count > 0).ConfigureAwait(false);
        if (errors.Count == 0)
        {
            return result with { Errors = [.. result.Errors.Select(e => e with { Line = 0, Path = At(e) })] };
        }

        foreach (var error in result.Errors)
        {
            errors.Add(error with { Line = 0, Path = At(error) });
        }

        errors.LeaveOut(result.ErrorsLeftOut);
        return errors.Refused();

        string At(ImportError e) => e.Line >= 2 && e.Line - 1 < paths.Count ? paths[e.Line - 1] : "bills";
    }

    /// <summary>
    /// Rows under the canonical or Vietnamese column names (row 0 the header), each error with its row's 1-based line.
    /// <paramref name="refused"/>: the caller found errors of its own in the file; the rows are checked all the same and
    /// nothing is stored.
    /// </summary>
    internal async Task<ImportResult> ImportRowsAsync(List<List<string>> rows, CancellationToken cancellationToken, bool refused = false)
    {
        var errors = new ImportErrors();

        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var header = new List<ImportText>(); // said after the columns missing, which say more of a file of another kind
        for (var c = 0; c < rows[0].Count; c++)
        {
            var name = rows[0][c].Trim().TrimStart('\uFEFF');
            if (!s_headers.TryGetValue(name, out var canonical))
            {
                header.Add(new ImportText("province.importError.unknown_column", TextChecks.Excerpt(name)));
            }
            else if (!columns.TryAdd(canonical, c))
            {
                header.Add(new ImportText("province.importError.column_twice", name));
            }
        }

        foreach (var required in new[] { "bill_id", "institution_id", "payer_code", "category", "title", "description", "quantity", "unit_price" })
        {
            if (!columns.ContainsKey(required))
            {
                errors.AddToHeader(1, new ImportText("province.importError.missing_column", new ImportColumn(required)), field: required);
            }
        }

        foreach (var text in header)
        {
            errors.AddToHeader(1, text);
        }

        if (rows.Count - 1 > MaxRows)
        {
            errors.AddToHeader(1, new ImportText("province.importError.too_many_rows", new ImportCount(MaxRows)));
        }

        if (errors.Count > 0)
        {
            return errors.Refused();
        }

        string Get(List<string> row, string column) => columns.TryGetValue(column, out var i) && i < row.Count ? row[i].Trim() : string.Empty;

        // A row is read by position, so one field too many shifts every value after it: an unquoted 50,000 in
        // insurance_covered became 50 and 000 and the bill was stored with 50 (hostile-input sweep). A row as wide as
        // the header is read; a shorter one only where every column it leaves out is optional (due_date,
        // insurance_covered, which then read as empty); a wider one never. A split amount can still fit the header's
        // width when the row left a trailing optional column out: its tail then starts with a zero (SplitAmount).
        var width = rows[0].Count;
        var shortest = columns.Where(c => !s_optional.Contains(c.Key)).Max(c => c.Value) + 1;

        var bills = new Dictionary<string, ParsedBill>(StringComparer.Ordinal);
        for (var r = 1; r < rows.Count; r++)
        {
            var row = rows[r];
            var line = r + 1;
            if (row.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (row.Count > width || row.Count < shortest)
            {
                errors.Add(line, new ImportText(row.Count > width ? "province.importError.row_too_wide" : "province.importError.row_too_short", row.Count, width));
                continue;
            }

            var problems = RowProblems(column => Get(row, column));
            if (problems.Count > 0)
            {
                foreach (var (field, text) in problems)
                {
                    errors.Add(line, text, field: field);
                }

                continue;
            }

            var id = Get(row, "bill_id");
            var category = Get(row, "category");
            var due = Get(row, "due_date");
            var parsedLine = new Line(Get(row, "description"), int.Parse(Get(row, "quantity"), CultureInfo.InvariantCulture), long.Parse(Get(row, "unit_price"), CultureInfo.InvariantCulture),
                Get(row, "insurance_covered") is { Length: > 0 } ins ? long.Parse(ins, CultureInfo.InvariantCulture) : 0);
            if (!bills.TryGetValue(id, out var bill))
            {
                bills[id] = bill = new ParsedBill(id, Get(row, "institution_id"), Get(row, "payer_code"), category, Get(row, "title"), due.Length == 0 ? null : due, [], line);
            }
            else if (bill.Institution != Get(row, "institution_id") || bill.Payer != Get(row, "payer_code") || bill.Category != category || bill.Title != Get(row, "title") || bill.Due != (due.Length == 0 ? null : due))
            {
                errors.Add(line, new ImportText("province.importError.bill_differs", id, bill.FirstLine));
                continue;
            }

            bill.Lines.Add(parsedLine);
        }

        return await StoreAsync(bills.Values, errors, [], cancellationToken, refused).ConfigureAwait(false);
    }

    /// <summary>
    /// Every problem of one row under the CSV's rules, each with the column at fault (null where the row's amount is),
    /// read by <paramref name="get"/> (trimmed, empty when absent). <paramref name="reported"/>: columns the caller has
    /// refused already (a workbook's cell it could not read), not checked again. No problem: the row parses.
    /// </summary>
    internal static List<(string? Field, ImportText Text)> RowProblems(Func<string, string> get, IReadOnlySet<string>? reported = null)
    {
        var problems = new List<(string? Field, ImportText Text)>();
        bool Checked(string column) => reported is null || !reported.Contains(column);

        if (Checked("bill_id") && get("bill_id").Length is 0 or > MaxIdLength)
        {
            problems.Add(("bill_id", new ImportText("province.importError.bill_id_invalid", MaxIdLength)));
        }

        foreach (var column in new[] { "institution_id", "payer_code" })
        {
            if (Checked(column) && get(column).Length == 0)
            {
                problems.Add((column, new ImportText("province.importError.empty", new ImportColumn(column))));
            }
        }

        var category = get("category");
        if (Checked("category") && !s_categories.Contains(category))
        {
            problems.Add(("category", new ImportText("province.importError.category_unknown", TextChecks.Excerpt(category), string.Join(", ", s_categories))));
        }

        if (Checked("title") && get("title").Length is 0 or > 200)
        {
            problems.Add(("title", new ImportText("province.importError.text_length", new ImportColumn("title"), 200)));
        }

        var due = get("due_date");
        if (Checked("due_date") && due.Length > 0 && !DateOnly.TryParseExact(due, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            problems.Add(("due_date", new ImportText("province.importError.due_date_invalid", TextChecks.Excerpt(due))));
        }

        if (Checked("description") && get("description").Length is 0 or > 200)
        {
            problems.Add(("description", new ImportText("province.importError.text_length", new ImportColumn("description"), 200)));
        }

        int? quantity = int.TryParse(get("quantity"), NumberStyles.None, CultureInfo.InvariantCulture, out var q) && q is >= 1 and <= 10_000 ? q : null;
        if (Checked("quantity") && quantity is null)
        {
            problems.Add(("quantity", new ImportText("province.importError.quantity_invalid", TextChecks.Excerpt(get("quantity")))));
        }

        // The amount is checked only where the quantity and the price are both read; insurance against it likewise.
        var price = Checked("unit_price") ? Amount("unit_price", "province.importError.price_invalid") : null;
        long? amount = quantity is { } n && price is { } unit ? n * unit : null;
        if (amount > Vnd.MaxAmount)
        {
            problems.Add((null, new ImportText("province.importError.line_over_max", new ImportMoney(amount.Value), new ImportMoney(Vnd.MaxAmount))));
            amount = null;
        }

        if (Checked("insurance_covered") && Amount("insurance_covered", "province.importError.insurance_invalid", optional: true) > (amount ?? Vnd.MaxAmount))
        {
            problems.Add(("insurance_covered", new ImportText("province.importError.insurance_invalid", TextChecks.Excerpt(get("insurance_covered")), new ImportMoney(Vnd.MaxAmount))));
        }

        return problems;

        // Whole đồng without separators up to the most one amount may be; a split number's tail said as such.
        long? Amount(string column, string invalid, bool optional = false)
        {
            var text = get(column);
            if (SplitAmount.IsTail(text))
            {
                problems.Add((column, new ImportText("province.importError.split_amount", new ImportColumn(column), TextChecks.Excerpt(text))));
                return null;
            }

            if (!long.TryParse(text.Length == 0 && optional ? "0" : text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > Vnd.MaxAmount)
            {
                problems.Add((column, new ImportText(invalid, TextChecks.Excerpt(text), new ImportMoney(Vnd.MaxAmount))));
                return null;
            }

            return value;
        }
    }

    /// <summary>
    /// A patient an episode names (<c>MA_BN</c>) and the keyed hash of the 12-digit citizen-ID number the episode gives
    /// them (<c>SO_CCCD</c>); <paramref name="Where"/> the episode, for an error.
    /// </summary>
    internal sealed record Patient(string Code, string Institution, string CitizenIdHash, string Where);

    /// <summary>
    /// Stores parsed bills all or nothing under the CSV rules (a repeat changes nothing, a bill with money paid on it
    /// is never changed), and the citizen-ID hashes read with them (the patient's account, its keyed hash). With
    /// <paramref name="errors"/> found already, or <paramref name="refused"/>, nothing is stored and the bills are
    /// checked all the same, for the errors of the database's (a payer unknown, a bill paid), each added.
    /// </summary>
    internal async Task<ImportResult> StoreAsync(IEnumerable<ParsedBill> bills, ImportErrors errors, IReadOnlyList<Patient> patients,
        CancellationToken cancellationToken, bool refused = false)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        int created = 0, updated = 0, unchanged = 0;
        foreach (var parsed in bills)
        {
            var bill = parsed;
            if (Only is { } only && bill.Institution != only)
            {
                errors.Add(bill.FirstLine, new ImportText("province.importError.institution_not_allowed", bill.Id, bill.Institution, only), bill.Where);
                continue;
            }

            if (bill.Lines.Sum(l => l.Quantity * l.UnitPrice) > Vnd.MaxAmount)
            {
                errors.Add(bill.FirstLine, new ImportText("province.importError.bill_over_max", bill.Id, new ImportMoney(Vnd.MaxAmount)), bill.Where);
                continue;
            }

            if (bill.Total <= 0)
            {
                errors.Add(bill.FirstLine, new ImportText("province.importError.nothing_to_pay", bill.Id), bill.Where);
                continue;
            }

            if (await connection.ScalarAsync("SELECT institution_id FROM accounts WHERE code = $c", transaction, cancellationToken, ("$c", bill.Payer)).ConfigureAwait(false) as string != bill.Institution)
            {
                errors.Add(bill.FirstLine, new ImportText("province.importError.unknown_payer", bill.Id, bill.Payer, bill.Institution), bill.Where);
                continue;
            }

            var existing = await ReadAsync(connection, transaction, bill.Id, cancellationToken).ConfigureAwait(false);
            if (existing is null && bill.LegacyId is { } legacyId
                && await ReadAsync(connection, transaction, legacyId, cancellationToken).ConfigureAwait(false) is { } legacy && legacy.Bill.Institution == bill.Institution)
            {
                bill = bill with { Id = legacyId };
                existing = legacy;
            }

            // The upsert below would set the row's institution to the importer's: another institution's open bill
            // under the same id (two hospitals' MA_LK, two schools' codes) would move to this one with its payer
            // and lines replaced, and vanish from its own terminals.
            if (existing is { } held && held.Bill.Institution != bill.Institution)
            {
                // An accountant is not told whose it is: the other institution's bills are not theirs to see.
                errors.Add(bill.FirstLine, Only is null
                    ? new ImportText("province.importError.bill_of_institution", bill.Id, held.Bill.Institution, bill.Institution)
                    : new ImportText("province.importError.bill_of_another_institution", bill.Id, bill.Institution), bill.Where);
                continue;
            }

            if (existing is { } old && Same(old.Bill, bill))
            {
                unchanged++;
                continue;
            }

            if (existing is { Paid: > 0 })
            {
                errors.Add(bill.FirstLine, new ImportText("province.importError.bill_paid", bill.Id, new ImportMoney(existing.Value.Paid)), bill.Where);
                continue;
            }

            if (errors.Count > 0 || refused)
            {
                continue; // nothing is stored anyway; keep checking for more errors
            }

            var version = await ChangeVersions.NextAsync(connection, transaction, bill.Institution, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(
                """
                INSERT INTO bills (id, institution_id, account_code, category, title, due_date, total, paid, version) VALUES ($id, $i, $a, $c, $t, $d, $tot, 0, $v)
                ON CONFLICT (id) DO UPDATE SET account_code = excluded.account_code, category = excluded.category,
                    title = excluded.title, due_date = excluded.due_date, total = excluded.total, version = excluded.version
                WHERE bills.institution_id = excluded.institution_id
                """,
                transaction, cancellationToken, ("$id", bill.Id), ("$i", bill.Institution), ("$a", bill.Payer), ("$c", bill.Category), ("$t", bill.Title), ("$d", bill.Due),
                ("$tot", bill.Total), ("$v", version)).ConfigureAwait(false);
            await connection.ExecuteAsync("DELETE FROM bill_lines WHERE bill_id = $b", transaction, cancellationToken, ("$b", bill.Id)).ConfigureAwait(false);
            for (var n = 0; n < bill.Lines.Count; n++)
            {
                var l = bill.Lines[n];
                await connection.ExecuteAsync(
                    "INSERT INTO bill_lines (bill_id, line_no, description, quantity, unit_price, amount, insurance_covered) VALUES ($b, $n, $d, $q, $u, $a, $ins)",
                    transaction, cancellationToken, ("$b", bill.Id), ("$n", n + 1), ("$d", l.Description), ("$q", l.Quantity), ("$u", l.UnitPrice), ("$a", l.Quantity * l.UnitPrice), ("$ins", l.Insured)).ConfigureAwait(false);
            }

            if (existing is null)
            {
                created++;
            }
            else
            {
                updated++;
            }
        }

        // A citizen-ID number finds its patient at the kiosk and the counter, with no sign-in at the kiosk: a number
        // linked to the wrong account shows one person's bills and balance to whoever presents the other's card. A
        // person's number does not change, so a file that gives a patient another number than the one held, the
        // number of another patient of the hospital, or one number to two patients (or two to one) is refused, naming
        // the episode and never the other patient.
        var toLink = await CheckCitizenIdsAsync(connection, transaction, patients, errors, cancellationToken).ConfigureAwait(false);
        foreach (var patient in toLink)
        {
            if (errors.Count > 0 || refused)
            {
                break;
            }

            // Only a change moves the account's version (and so reaches the terminals): a repeat changes nothing.
            var version = await ChangeVersions.NextAsync(connection, transaction, patient.Institution, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync("UPDATE accounts SET citizen_id_hash = $h, version = $v WHERE code = $c", transaction, cancellationToken,
                ("$h", patient.CitizenIdHash), ("$v", version), ("$c", patient.Code)).ConfigureAwait(false);
        }

        if (errors.Count > 0 || refused)
        {
            return errors.Refused();
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ImportResult(created, updated, unchanged, []);
    }

    // The patients whose account holds no number yet and may take theirs (read once here, written by the caller).
    private static async Task<List<Patient>> CheckCitizenIdsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<Patient> patients, ImportErrors errors, CancellationToken cancellationToken)
    {
        var toLink = new List<Patient>();
        foreach (var twice in patients.GroupBy(p => (p.Institution, p.CitizenIdHash)).Where(g => g.Select(p => p.Code).Distinct(StringComparer.Ordinal).Count() > 1))
        {
            var codes = twice.Select(p => p.Code).Distinct(StringComparer.Ordinal).ToList();
            errors.Add(0, new ImportText("province.importError.cccd_shared", codes.Count, string.Join(", ", codes)), twice.First().Where + " XML1 SO_CCCD", "SO_CCCD");
        }

        foreach (var two in patients.GroupBy(p => (p.Institution, p.Code)).Where(g => g.Select(p => p.CitizenIdHash).Distinct(StringComparer.Ordinal).Count() > 1))
        {
            errors.Add(0, new ImportText("province.importError.cccd_two", two.Key.Code), two.First().Where + " XML1 SO_CCCD", "SO_CCCD");
        }

        foreach (var patient in patients.DistinctBy(p => (p.Institution, p.Code, p.CitizenIdHash)))
        {
            // Null: no such account here (its bill is refused already); empty: an account without a number.
            var held = await connection.ScalarAsync("SELECT COALESCE(citizen_id_hash, '') FROM accounts WHERE code = $c AND institution_id = $i", transaction, cancellationToken,
                ("$c", patient.Code), ("$i", patient.Institution)).ConfigureAwait(false) as string;
            if (held is null)
            {
                continue;
            }

            if (held.Length > 0 && held != patient.CitizenIdHash)
            {
                errors.Add(0, new ImportText("province.importError.cccd_changed", patient.Code), patient.Where + " XML1 SO_CCCD", "SO_CCCD");
            }
            else if (await connection.ScalarAsync("SELECT code FROM accounts WHERE citizen_id_hash = $h AND institution_id = $i AND code <> $c LIMIT 1", transaction, cancellationToken,
                         ("$h", patient.CitizenIdHash), ("$i", patient.Institution), ("$c", patient.Code)).ConfigureAwait(false) is string)
            {
                errors.Add(0, new ImportText("province.importError.cccd_taken", patient.Code), patient.Where + " XML1 SO_CCCD", "SO_CCCD");
            }
            else if (held.Length == 0)
            {
                toLink.Add(patient);
            }
        }

        return toLink;
    }

    private static bool Same(ParsedBill a, ParsedBill b) =>
        a.Institution == b.Institution && a.Payer == b.Payer && a.Category == b.Category && a.Title == b.Title && a.Due == b.Due && a.Lines.SequenceEqual(b.Lines);

    private static async Task<(ParsedBill Bill, long Paid)?> ReadAsync(DbConnection connection, DbTransaction transaction, string id, CancellationToken cancellationToken)
    {
        var row = await connection.ReadFirstAsync<BillRow>(
            "SELECT institution_id, account_code, category, title, due_date, paid FROM bills WHERE id = $id", transaction, cancellationToken, ("$id", id)).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var bill = new ParsedBill(id, row.InstitutionId, row.AccountCode, row.Category, row.Title, row.DueDate, [], 0);
        foreach (var line in await connection.ReadAllAsync<LineRow>(
            "SELECT description, quantity, unit_price, insurance_covered FROM bill_lines WHERE bill_id = $id ORDER BY line_no", transaction, cancellationToken, ("$id", id)).ConfigureAwait(false))
        {
            bill.Lines.Add(new Line(line.Description, (int)line.Quantity, line.UnitPrice, line.InsuranceCovered));
        }

        return (bill, row.Paid);
    }

    /// <summary>A bill as stored, to compare an imported one with.</summary>
    private sealed record BillRow
    {
        public required string InstitutionId { get; init; }

        public required string AccountCode { get; init; }

        public required string Category { get; init; }

        public required string Title { get; init; }

        public string? DueDate { get; init; }

        public long Paid { get; init; }
    }

    private sealed record LineRow
    {
        public required string Description { get; init; }

        public long Quantity { get; init; }

        public long UnitPrice { get; init; }

        public long InsuranceCovered { get; init; }
    }
}

/// <summary>
/// RFC 4180 CSV: commas, double-quoted fields with "" for a quote and line breaks inside quotes, CRLF or LF. A file
/// whose first line has semicolons and no comma is read with semicolons: Excel's "CSV" writes the computer's list
/// separator, a semicolon under regional settings whose decimal mark is a comma.
/// </summary>
internal static class Csv
{
    public static List<List<string>> Parse(string text)
    {
        var separator = SeparatorOf(text);
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }

    // ',' unless the first line (outside quotes) has a ';' and no ','.
    private static char SeparatorOf(string text)
    {
        var quoted = false;
        var semicolon = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == ',')
            {
                return ',';
            }
            else if (!quoted && c is '\n' or '\r')
            {
                break;
            }
            else if (!quoted && c == ';')
            {
                semicolon = true;
            }
        }

        return semicolon ? ';' : ',';
    }
}
