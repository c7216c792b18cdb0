using System.Text;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A CSV bill import (<c>POST /api/v1/admin/bills/import</c>) as the province reads it: UTF-8 text through
/// <see cref="BillImport.ImportCsvAsync"/> (the CSV reader, the column and row checks, the payer lookup) on a real
/// SQLite province. Every way a file is wrong is an error with its line, never an exception.
/// </summary>
internal sealed class BillImportCsvTarget : IFuzzTarget
{
    private static readonly Lazy<BillImport> s_import = new(() => new BillImport(ProvinceDatabaseFixture.Database));

    public string Name => "bill-import-csv";

    public string Parser => "BillImport.ImportCsvAsync (Csv.Parse and the row checks) on a SQLite province";

    public void Run(ReadOnlySpan<byte> input) =>
        BillImportChecks.Check(s_import.Value.ImportCsvAsync(Encoding.UTF8.GetString(input), CancellationToken.None).GetAwaiter().GetResult());
}

/// <summary>What every import result must be: all or nothing, each error with where it is.</summary>
internal static class BillImportChecks
{
    public static void Check(ImportResult result)
    {
        if (result.Errors.Count > 0 && result.Created + result.Updated + result.Unchanged > 0)
        {
            throw new FuzzFinding("an import with errors stored bills");
        }

        if (result.Errors.Any(e => string.IsNullOrEmpty(e.Message) || e.Line < 0))
        {
            throw new FuzzFinding("an import error without a message or with a negative line");
        }
    }
}
