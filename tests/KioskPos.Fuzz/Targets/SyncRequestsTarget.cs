using System.Text;
using KioskPos.Core.Money;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;

namespace KioskPos.Fuzz.Targets;

/// <summary>
/// The other bodies a terminal sends the province, read as the province reads them; the first byte picks which:
/// 0 the authorisation of an offline card payment, 1 the terminal's state report, 2 an enrolment, 3 the pull cursor
/// (the query string of <c>GET /api/v1/sync/pull</c>), 4 a payOS payment request of a VietQR payment (checked as the
/// province checks it for the terminal tagged 2AB, tag 265). Every way one is wrong is a message, never an exception.
/// </summary>
internal sealed class SyncRequestsTarget : IFuzzTarget
{
    private const string Epoch = "5f0c3a9e";

    private static readonly TerminalRecord s_terminal = new("T-FUZZ", "INST-1", "fuzz", Revoked: false, AckedThrough: 0, LastSeenAt: null, QrTag: 265);

    public string Name => "sync-requests";

    public string Parser => "JsonBody.TryReadAsync<AuthoriseRequest|TerminalReportDto|EnrolRequest|PaymentRequestDto> and their checks, TerminalSync.ParseCursor";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var rest = input[1..].ToArray();
        switch (input[0] & 7)
        {
            case 0:
                if (Read(rest, ContractsJsonContext.Default.AuthoriseRequest) is { } authorise)
                {
                    _ = authorise.Amount is <= 0 or > Vnd.MaxAmount || authorise.AccountCode.Length == 0 || authorise.CardUid.Length == 0;
                }

                break;
            case 1:
                if (Read(rest, ContractsJsonContext.Default.TerminalReportDto) is { } report)
                {
                    _ = report.Queued < 0 || report.Version.Length > 32 || report.PrinterState.Length > 32 || report.LastError?.Length > 500;
                }

                break;
            case 2:
                if (Read(rest, ContractsJsonContext.Default.EnrolRequest) is { } enrol)
                {
                    // TerminalRegistry.EnrolAsync before the database: the key, then the code out of the whole ticket.
                    if (TerminalRegistry.CheckPublicKey(enrol.PublicKey) is { } refused && refused.Status != 400)
                    {
                        throw new FuzzFinding($"a key refused with {refused.Status}");
                    }

                    _ = EnrolmentTickets.Parse(enrol.Code);
                }

                break;
            case 4:
                if (Read(rest, ContractsJsonContext.Default.PaymentRequestDto) is { } request
                    && KioskPos.ProvinceServer.Banking.PayosRequests.Problem(s_terminal, request) is null
                    && (request.Amount is <= 0 or > Vnd.MaxAmount || !TransferCode.TryParse(request.TransferCode, out var code) || code.Value.TerminalTag != s_terminal.QrTag
                        || string.IsNullOrEmpty(request.PaymentId) || request.PaymentId.Length > 100))
                {
                    throw new FuzzFinding($"payment request '{request.PaymentId}' for {request.Amount} with '{request.TransferCode}' passed the check");
                }

                break;
            default:
                var cursor = Encoding.UTF8.GetString(rest);
                if (TerminalSync.ParseCursor(cursor, Epoch, 1_000_000) is { } version && (version is < 0 or > 1_000_000 || !cursor.StartsWith(Epoch + ".", StringComparison.Ordinal)))
                {
                    throw new FuzzFinding($"cursor '{cursor}' read as version {version}");
                }

                break;
        }
    }

    private static T? Read<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        using var stream = new MemoryStream(body, writable: false);
        var (value, error) = JsonBody.TryReadAsync(stream, type, CancellationToken.None).GetAwaiter().GetResult();
        if (value is null && string.IsNullOrEmpty(error))
        {
            throw new FuzzFinding("a body refused without a message");
        }

        return value;
    }
}
