using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.Imports;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A school's fee list as an .xlsx workbook (<c>POST /api/v1/admin/bills/import</c> with the spreadsheet type) through
/// <see cref="SpreadsheetImport.ImportAsync"/> on a SQLite province: the package, the first sheet, merged cells and
/// cell references, the header and the rows. Every way a workbook is wrong is an error, never an exception.
/// </summary>
internal sealed class BillImportXlsxTarget : IFuzzTarget
{
    private static readonly Lazy<SpreadsheetImport> s_import = new(() => new SpreadsheetImport(new BillImport(ProvinceDatabaseFixture.Database)));

    public string Name => "bill-import-xlsx";

    public string Parser => "SpreadsheetImport.ImportAsync (Spreadsheet.Read, the header, the rows) on a SQLite province";

    public void Run(ReadOnlySpan<byte> input)
    {
        using var stream = new MemoryStream(input.ToArray(), writable: false);
        BillImportChecks.Check(s_import.Value.ImportAsync(stream, DemoData.SchoolId, CancellationToken.None).GetAwaiter().GetResult());
    }
}
