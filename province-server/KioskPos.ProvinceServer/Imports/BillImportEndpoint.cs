using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Imports;

/// <summary>
/// <c>POST /api/v1/admin/bills/import</c> by the body's type: <c>text/csv</c> (the default), the Ministry of Health's
/// XML (<c>application/xml</c>, <c>text/xml</c>) or a spreadsheet (<see cref="Spreadsheet.ContentType"/>). XML and
/// spreadsheets name the institution in <c>?institution=</c> (a spreadsheet may instead carry the CSV's institution
/// column). The body is spooled to a temporary file (deleted on close) so a large file never sits in memory whole.
/// An institution's accountant imports their own institution's bills only: a <c>?institution=</c> naming another is a
/// 403 before the body is read, and a row or bill of another institution in the file is an error on its row
/// (<see cref="BillImport.ForInstitution"/>), so nothing of the file is stored.
/// </summary>
internal static class BillImportEndpoint
{
    /// <summary>The largest CSV body.</summary>
    public const long MaxCsvBytes = 50L * 1024 * 1024;

    /// <summary>The largest XML or spreadsheet body: a hospital's month of episodes with base64 tables is large.</summary>
    public const long MaxFileBytes = 200L * 1024 * 1024;

    private static readonly System.Text.UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<Results<JsonOk<ImportResult>, ProblemResult>> HandleAsync(HttpContext http, BillImport import, ProvinceDatabase database)
    {
        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        var institution = http.Request.Query["institution"].ToString();
        if (!user.IsAdmin)
        {
            if (user.InstitutionId is not { } own || (institution.Length > 0 && institution != own))
            {
                BoundedBody.CloseAfterAnswer(http);
                return ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "forbidden", "An accountant imports their own institution's bills only.", "forbidden.import_other_institution");
            }

            import = import.ForInstitution(own);
        }

        var type = http.Request.ContentType ?? "text/csv";
        var kind = type.StartsWith("application/xml", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/xml", StringComparison.OrdinalIgnoreCase) ? "xml"
            : type.StartsWith(Spreadsheet.ContentType, StringComparison.OrdinalIgnoreCase) ? "xlsx"
            : "csv";
        var limit = kind == "csv" ? MaxCsvBytes : MaxFileBytes;

        // The server's default bound on a body (16 MB) is raised to this endpoint's own: without it a hospital's
        // month of XML was cut off with the connection (found by make bench's 154 MB file).
        BoundedBody.Limit(http, limit);
        if (http.Request.ContentLength > limit)
        {
            return kind == "csv"
                ? ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "At most 50 MB per import: split the file.")
                : ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "At most 200 MB per XML or spreadsheet import: split the file.", "too_large.import");
        }

        if (kind == "csv")
        {
            // UTF-8 (with or without its byte order mark; UTF-16 with its mark), or refused whole: Excel's plain "CSV"
            // writes the computer's ANSI code page (windows-1258 on Vietnamese Windows), whose letters would be stored
            // as replacement characters on every bill and receipt.
            using var reader = new StreamReader(http.Request.Body, s_strictUtf8, detectEncodingFromByteOrderMarks: true);
            string text;
            try
            {
                text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
            }
            catch (System.Text.DecoderFallbackException)
            {
                return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "not_utf8", "body: the CSV is not UTF-8 text; in Excel save it as \"CSV UTF-8 (Comma delimited)\".", "not_utf8.csv");
            }

            return Imported(await import.ImportCsvAsync(text, http.RequestAborted).ConfigureAwait(false));
        }

        if (kind == "xml" && institution.Length == 0)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "missing_field", "institution: the query names the hospital whose XML this is (?institution=…).", null, "institution");
        }

        await using var spool = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var copied = await CopyBoundedAsync(http.Request.Body, spool, limit, http.RequestAborted).ConfigureAwait(false);
        if (!copied)
        {
            return ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "At most 200 MB per XML or spreadsheet import: split the file.", "too_large.import");
        }

        spool.Position = 0;
        if (kind == "xml")
        {
            return Imported(await new HospitalXmlImport(import, database).ImportAsync(spool, institution, http.RequestAborted).ConfigureAwait(false));
        }

        // A workbook over a limit (a zip bomb, too many rows or columns) is refused whole before its rows are read.
        var (result, refusal) = await new SpreadsheetImport(import).TryImportAsync(spool, institution.Length == 0 ? null : institution, http.RequestAborted).ConfigureAwait(false);
        return result is not null
            ? Imported(result)
            : ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "workbook_over_limit", refusal!.En, null, refusal.Vi);
    }

    private static async Task<bool> CopyBoundedAsync(Stream from, Stream to, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limit)
            {
                return false;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static JsonOk<ImportResult> Imported(ImportResult result) =>
        JsonOk.Of(result, ProvinceJsonContext.Default.ImportResult, result.Errors.Count > 0 ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
}
