using KioskPos.ProvinceServer;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// A JSON bill import (<c>POST /api/v1/admin/bills</c>) as the province reads it: <see cref="JsonBody.TryReadAsync{T}"/>
/// into a <see cref="BillImportRequest"/>, then <see cref="BillImport.ImportJsonAsync"/> on a real SQLite province.
/// Every way a document is wrong is a message or an error with its path, never an exception.
/// </summary>
internal sealed class BillImportJsonTarget : IFuzzTarget
{
    private static readonly Lazy<BillImport> s_import = new(() => new BillImport(ProvinceDatabaseFixture.Database));

    public string Name => "bill-import-json";

    public string Parser => "JsonBody.TryReadAsync<BillImportRequest>, BillImport.ImportJsonAsync on a SQLite province";

    public void Run(ReadOnlySpan<byte> input)
    {
        using var body = new MemoryStream(input.ToArray(), writable: false);
        var (request, error) = JsonBody.TryReadAsync(body, ProvinceJsonContext.Default.BillImportRequest, CancellationToken.None).GetAwaiter().GetResult();
        if (request is null)
        {
            if (string.IsNullOrEmpty(error))
            {
                throw new FuzzFinding("a body refused without a message");
            }

            return;
        }

        var result = s_import.Value.ImportJsonAsync(request, CancellationToken.None).GetAwaiter().GetResult();
        BillImportChecks.Check(result);
        if (result.Errors.Any(e => string.IsNullOrEmpty(e.Path)))
        {
            throw new FuzzFinding("a JSON import error without its path");
        }
    }
}
