using System.Security.Cryptography;
using System.Text;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.Imports;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>The statement layouts in force: the shipped ones and the province's own.</summary>
internal sealed record StatementLayoutSet(IReadOnlyList<StatementLayout> All);

/// <summary>A connection whose statement the caller may import: which account it is, nothing of its secrets or set-up.</summary>
/// <param name="Id">The connection, as the statement endpoints name it.</param>
/// <param name="Provider">The bank-notification service it is set up with.</param>
/// <param name="InstitutionId">The institution whose receiving account it watches.</param>
/// <param name="AccountNumber">That account, which a statement must be of.</param>
/// <param name="Missing">
/// Null when a statement can be imported through it; <c>account_number</c> when the connection has no account number to
/// check a statement against (a webhook connection of the settings) and every layout in force reads one.
/// </param>
public sealed record StatementConnection(string Id, string Provider, string? InstitutionId, string AccountNumber, string? Missing = null);

/// <summary>
/// A refused statement (400 <c>invalid_statement</c>, <c>application/problem+json</c>): the members of every other
/// problem answer, and each broken line as a refused bills file's are listed. Nothing of the file is recorded.
/// </summary>
/// <param name="Type">The problem's type URI.</param>
/// <param name="Title">The first broken line located and why, in Vietnamese, and how many more there are.</param>
/// <param name="Status">400.</param>
/// <param name="Detail">The same in English, for programs.</param>
/// <param name="Code"><c>invalid_statement</c>.</param>
/// <param name="Errors">
/// Each broken line (<see cref="ImportError"/>: the row in <c>line</c>, 0 where the problem is the file's; the sheet of a
/// workbook; the column with its header), at most <see cref="ImportErrors.MaxPerRow"/> a row and <see cref="ImportErrors.MaxListed"/> in all.
/// </param>
/// <param name="ErrorsLeftOut">The problems found and not listed.</param>
public sealed record StatementRefusal(string Type, string Title, int Status, string? Detail, string Code, IReadOnlyList<ImportError> Errors, int ErrorsLeftOut = 0);

/// <summary>A statement layout by the name a request gives it (<c>?layout=</c>) and its bank.</summary>
public sealed record StatementLayoutName(string Id, string Bank);

/// <summary>What the statement page needs to choose from: the caller's connections and the layouts in force.</summary>
public sealed record StatementChoices(IReadOnlyList<StatementConnection> Connections, IReadOnlyList<StatementLayoutName> Layouts);

/// <summary>
/// <c>POST /api/v1/admin/bank/connections/{id}/statement</c>: the account statement a bank's internet banking exports,
/// as .xlsx (<see cref="Spreadsheet.ContentType"/>) or CSV (<c>text/csv</c>, UTF-8). The caller is authenticated by
/// the province's access check (an administrator, or an accountant for a connection of their own institution only:
/// another's is answered as unknown) and the connection found before a byte of the body is read (one without an account
/// number to check the statement against is refused then, 400 <c>connection_without_account</c>); the body is bounded; every
/// line is read and checked before any is recorded, so a broken line refuses the file with a 400 naming its sheet, row
/// and column, and every other broken line beside it (<see cref="StatementRefusal"/>). Only the section of the
/// connection's own account is read (another account's statement is a 400 naming the account it is of), and where the export has a running balance each line must follow from the one before it.
/// A workbook is read by the bill import's reader (<see cref="Spreadsheet"/>), under its bounds (a workbook over one,
/// a zip bomb among them, is a 400 <c>workbook_over_limit</c> naming it), its numbers as their cells show them.
/// Each line of money in then goes through the one ledger (<see cref="BankLedger.ImportStatementAsync"/>), recorded
/// with who uploaded it and the SHA-256 of the file it came in.
/// </summary>
internal static class StatementImport
{
    /// <summary>The largest statement: a month of a busy account is well under 1 MB as .xlsx.</summary>
    public const int MaxBytes = 20 * 1024 * 1024;

    public static async Task<Results<JsonOk<StatementImportResult>, ProblemResult, JsonHttpResult<StatementRefusal>>> HandleAsync(string id, HttpContext http, BankConnections connections,
        BankLedger ledger, StatementLayoutSet layouts)
    {
        var ct = http.RequestAborted;
        BoundedBody.Limit(http, MaxBytes);
        var (connection, user) = await ConnectionOfCallerAsync(id, http, connections).ConfigureAwait(false);
        if (connection is null || user is null)
        {
            BoundedBody.CloseAfterAnswer(http);
            return UnknownConnection(id);
        }

        var layoutId = http.Request.Query["layout"].ToString() is { Length: > 0 } named ? named : null;
        if (WithoutAccount(connection, layouts, layoutId))
        {
            // Refused before the file is read, saying what is missing: the statement would be refused whatever it held.
            BoundedBody.CloseAfterAnswer(http);
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "connection_without_account",
                $"Connection '{id}' has no accountNumber, and a statement is checked against the connection's account: set it up with the institution's receiving account "
                + $"(PUT /api/v1/admin/bank/connections/{id}).", null, id);
        }

        var body = await BoundedBody.ReadAsync(http.Request, MaxBytes, ct).ConfigureAwait(false);
        if (body.TooLarge)
        {
            BoundedBody.CloseAfterAnswer(http);
            return ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {MaxBytes} bytes per statement: export a shorter period.", "too_large.statement");
        }

        var bytes = body.Bytes!;
        if (StatementFormats.Unreadable(bytes) is { } format)
        {
            // What banks' internet banking also exports, and Excel's "Save as" offers: the old binary workbook, and an
            // HTML table named .xls. Recognised by their first bytes whatever the request declares, and answered with
            // what to do rather than "not UTF-8" or "not a workbook".
            return ProvinceProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_statement_format", format.Detail, "statement_format." + format.Key);
        }

        var xlsx = StatementFormats.IsZip(bytes) || (http.Request.ContentType ?? string.Empty).StartsWith(Spreadsheet.ContentType, StringComparison.OrdinalIgnoreCase);
        SheetRead sheet;
        if (xlsx)
        {
            try
            {
                using var stream = new MemoryStream(bytes, writable: false);
                sheet = Spreadsheet.Read(stream, formatted: true);
            }
            catch (SpreadsheetLimitException e)
            {
                return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "workbook_over_limit", e.Text.En, null, e.Text.Vi);
            }
            catch (SpreadsheetFormatException e)
            {
                return Invalid(StatementProblems.Of(new StatementProblem("-", null, null, new ImportText("province.statementError.not_xlsx", e.Text))));
            }
        }
        else
        {
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                return Invalid(StatementProblems.Of(new StatementProblem("csv", null, null, new ImportText("province.statementError.not_utf8"))));
            }

            sheet = StatementReader.FromCsv(Encoding.UTF8.GetString(bytes));
        }

        var (read, problems, account) = StatementReader.Read(sheet, layouts.All, layoutId, connection.AccountNumber, delimited: !xlsx);
        if (account is not null)
        {
            return account.Found.Count == 0
                ? ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "statement_no_account", account.ToString(), null, account.Expected)
                : ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "statement_other_account", account.ToString(), null, string.Join(", ", account.Found), account.Expected);
        }

        if (problems is not null)
        {
            return Invalid(problems);
        }

        var upload = new StatementUpload(user.Username, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        var result = await ledger.ImportStatementAsync(connection, read!, upload, ct).ConfigureAwait(false);
        return JsonOk.Of(result, ProvinceJsonContext.Default.StatementImportResult);
    }

    /// <summary><c>GET …/{id}/statement/gaps</c>: for the same people as the import (another institution's connection is unknown).</summary>
    public static async Task<Results<JsonOk<IReadOnlyList<StatementGapRow>>, ProblemResult>> GapsAsync(string id, int? limit, HttpContext http, BankConnections connections,
        BankLedger ledger) =>
        (await ConnectionOfCallerAsync(id, http, connections).ConfigureAwait(false)).Connection is null
            ? UnknownConnection(id)
            : JsonOk.Of(await ledger.StatementGapsAsync(id, limit ?? 100, http.RequestAborted).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListStatementGapRow);

    /// <summary>
    /// <c>GET /api/v1/admin/bank/statement-connections</c>: the connections whose statement the caller may import (every
    /// one for an administrator, their institution's for an accountant: the same rule as the import's), each only as its
    /// id, provider, institution and account (and what it lacks for a statement, see <see cref="WithoutAccount"/>), and the
    /// layout names. The connections' list itself stays the administrator's.
    /// </summary>
    public static async Task<JsonOk<StatementChoices>> ChoicesAsync(HttpContext http, BankConnections connections, StatementLayoutSet layouts)
    {
        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        var mine = (await connections.AllAsync(http.RequestAborted).ConfigureAwait(false)).Where(c => MayWorkOn(user, c))
            .Select(c => new StatementConnection(c.Id, c.Provider, c.InstitutionId, c.AccountNumber, WithoutAccount(c, layouts, null) ? "account_number" : null)).ToList();
        return JsonOk.Of(new StatementChoices(mine, [.. layouts.All.Select(l => new StatementLayoutName(l.Id, l.Bank))]), ProvinceJsonContext.Default.StatementChoices);
    }

    /// <summary>
    /// The connection <paramref name="id"/> and the caller, when the caller may work on its statement (<see cref="MayWorkOn"/>);
    /// both null otherwise, answered as an unknown connection.
    /// </summary>
    internal static async Task<(BankConnection? Connection, ProvinceUser? User)> ConnectionOfCallerAsync(string id, HttpContext http, BankConnections connections)
    {
        var connection = id.Length is > 0 and <= 100 ? await connections.FindAsync(id, http.RequestAborted).ConfigureAwait(false) : null;
        var user = await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false);
        return connection is null || user is null || !MayWorkOn(user, connection)
            ? (null, null)
            : (connection, user);
    }

    /// <summary>Whether <paramref name="user"/> may import, list and settle <paramref name="connection"/>'s statement: an administrator, or an accountant of its institution.</summary>
    internal static bool MayWorkOn(ProvinceUser user, BankConnection connection) =>
        user.IsAdmin || (connection.InstitutionId is { } institution && user.MaySee(institution));

    internal static ProblemResult UnknownConnection(string id) =>
        ProvinceProblems.Problem(StatusCodes.Status404NotFound, "unknown_connection", $"No connection '{id}'.");

    /// <summary>
    /// Whether <paramref name="connection"/> has no account number to check a statement against while the layouts it
    /// would be read by (<paramref name="layoutId"/>'s, or every one) all read the account from the statement: a
    /// connection of the settings, which takes signed webhooks for any account. Such an import cannot succeed.
    /// </summary>
    internal static bool WithoutAccount(BankConnection connection, StatementLayoutSet layouts, string? layoutId)
    {
        var candidates = layouts.All.Where(l => layoutId is null || string.Equals(l.Id, layoutId, StringComparison.OrdinalIgnoreCase)).ToList();
        return connection.AccountNumber.Trim().Length == 0 && candidates.Count > 0 && candidates.All(l => l.AccountLabels().Count > 0);
    }

    // The title says where and why of the first broken line in Vietnamese (trang “Sao ke”, dòng 9, cột D (Số tiền ghi
    // có)) and how many more there are; the detail the same in English; the errors each broken line.
    private static JsonHttpResult<StatementRefusal> Invalid(StatementProblems problems)
    {
        var first = problems[0];
        var more = problems.Found - 1;
        var title = more == 0
            ? Messages.Vi("province.problem.invalid_statement", Place(first), first.Why.Vi)
            : Messages.Vi("province.problem.invalid_statement.more", Place(first), first.Why.Vi, more);
        var detail = more == 0 ? first.ToString() : $"{first}; and {more} more problems (errors lists them)";
        var errors = problems.Select(p => new ImportError(p.Row ?? 0, p.Why.Code, p.Why.Vi, p.Why.En, null, null, p.Sheet is "-" or "csv" ? null : p.Sheet, p.Column)).ToList();
        var problem = Problems.Create(StatusCodes.Status400BadRequest, "invalid_statement", title, detail);
        return TypedResults.Json(new StatementRefusal(problem.Type, problem.Title, problem.Status, problem.Detail, problem.Code, errors, problems.LeftOut),
            ProvinceJsonContext.Default.StatementRefusal, ProvinceProblems.ContentType, problem.Status);
    }

    // Where a problem is, in Vietnamese: the sheet (or the CSV), the row, the column; the file where it names none.
    private static string Place(StatementProblem problem)
    {
        var place = new List<string>();
        if (problem.Sheet != "-")
        {
            place.Add(problem.Sheet == "csv" ? Messages.Vi("province.statementError.place.csv") : Messages.Vi("province.statementError.place.sheet", problem.Sheet));
        }

        if (problem.Row is { } row)
        {
            place.Add(Messages.Vi("province.statementError.place.row", row));
        }

        if (problem.Column is { } column)
        {
            place.Add(Messages.Vi("province.statementError.place.column", column));
        }

        return place.Count == 0 ? Messages.Vi("province.statementError.place.file") : string.Join(", ", place);
    }
}
