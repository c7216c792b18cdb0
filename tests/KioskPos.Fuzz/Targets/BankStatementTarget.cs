using System.Text;
using System.Text.Unicode;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Banking;
using KioskPos.ProvinceServer.Imports;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A bank statement an accountant uploads (<c>POST /api/v1/bank/connections/{id}/statement</c>) as the province reads
/// it before booking anything: the format sniffed from the first bytes, an .xlsx through the one
/// <see cref="Spreadsheet"/> reader (cells as Excel shows them) or a CSV as text, then <see cref="StatementReader.Read"/>
/// against the shipped layouts and the connection's account. Every way a file is wrong is a problem with where it is,
/// or the two exceptions the endpoint answers 400 for; never another exception, never a line of no money.
/// </summary>
internal sealed class BankStatementTarget : IFuzzTarget
{
    /// <summary>The connection's account, as the demo school's (the seeds' title rows name it).</summary>
    private const string Account = "1023456789";

    private static readonly Lazy<IReadOnlyList<StatementLayout>> s_layouts = new(() => StatementLayouts.Load(null));

    public string Name => "bank-statement";

    public string Parser => "StatementFormats, Spreadsheet.Read (formatted) or StatementReader.FromCsv, StatementReader.Read with the shipped layouts";

    public void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        if (StatementFormats.Unreadable(bytes) is not null)
        {
            return; // an .xls or a web page: 415 with what to do
        }

        var xlsx = StatementFormats.IsZip(bytes);
        SheetRead sheet;
        if (xlsx)
        {
            try
            {
                using var stream = new MemoryStream(bytes, writable: false);
                sheet = Spreadsheet.Read(stream, formatted: true);
            }
            catch (SpreadsheetRefusalException)
            {
                return; // 400 workbook_over_limit / invalid_statement
            }
        }
        else if (Utf8.IsValid(bytes))
        {
            sheet = StatementReader.FromCsv(Encoding.UTF8.GetString(bytes));
        }
        else
        {
            return; // 400: not UTF-8
        }

        var (read, problems, account) = StatementReader.Read(sheet, s_layouts.Value, null, Account, delimited: !xlsx);
        if ((read is not null ? 1 : 0) + (problems is not null ? 1 : 0) + (account is not null ? 1 : 0) != 1)
        {
            throw new FuzzFinding("a statement read gave not exactly one of: lines, problems, an account refusal");
        }

        if (problems is not null && (problems.Count == 0 || problems.Count > ImportErrors.MaxListed || problems.Any(p => string.IsNullOrWhiteSpace(p.Reason))))
        {
            throw new FuzzFinding($"a statement refused with {problems.Count} problems listed, or one without a reason");
        }

        foreach (var line in read?.Lines ?? [])
        {
            if (line.Amount is <= 0 or > Vnd.MaxAmount || line.Row < 1 || string.IsNullOrEmpty(line.Key) || line.Description.Length > 500)
            {
                throw new FuzzFinding($"row {line.Row}: a statement line of {line.Amount} VND, key '{line.Key}'");
            }
        }
    }
}
