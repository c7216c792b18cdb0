using KioskPos.Core.Text;
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal.Services;
using KioskPos.Shared.Contracts;
using KioskPos.Shared.Sqlite;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>One setting of the hardware profile as the technician sees it (secrets masked).</summary>
/// <param name="Name">The setting's name under <c>Hardware:</c>.</param>
/// <param name="Value">Its value.</param>
public sealed record SettingView(string Name, string? Value);

/// <summary>
/// The technician's view of the terminal: devices, sync, the profile, the log. No payment or personal data.
/// <c>LastSyncText</c> (the last successful sync) and <c>LastReaderRecoveryText</c> (the reader's last reset) are those
/// moments as people read them: the terminal's wall clock in its time zone (<see cref="TerminalOptions.PageTimeFormat"/>),
/// as the status page and the receipts show time.
/// </summary>
public sealed record TechStateView(
    string TerminalId, string Version, bool Enrolled, string ProvinceServer, int SchemaVersion,
    string CardReader, string Printer, PrinterState PrinterState, IndicatorsView Indicators, SyncView Sync, bool ProvinceOnline,
    long DiskFreeBytes, double ClockSkewSeconds, IReadOnlyList<SettingView> Hardware, IReadOnlyList<string> Log, ReaderHealthView? CardReaderHealth = null,
    string? LastSyncText = null, string? LastReaderRecoveryText = null);

/// <summary>The API of <c>/tech</c> (<c>wwwroot/tech.html</c>): behind a technician's sign-in, for installing and repairing a terminal.</summary>
internal static class TechApi
{
    public static IEndpointRouteBuilder MapTechApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tech").WithTags("Tech");
        api.MapGet("/state", GetTechStateAsync).WithSummary("Devices, sync, clock, disk, hardware profile and the recent log")
            .RequireStaff(StaffRole.Technician);
        api.MapPost("/enrol", EnrolAsync).WithSummary("Enrol the terminal with a one-time code, as the enroll command does")
            .AcceptsJson<EnrolFromPageRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status502BadGateway)
            .RequireStaff(StaffRole.Technician);
        api.MapPost("/backup", BackupAsync).WithSummary("Back the database up into the data folder and verify the copy's journal")
            .ProducesProblems(StatusCodes.Status507InsufficientStorage).RequireStaff(StaffRole.Technician);
        api.MapPost("/selftest", SelfTestAsync).WithSummary("Run the self-test (optionally waiting for a card tap)")
            .RequireStaff(StaffRole.Technician);
        return app;
    }

    // The terminal's state as TerminalStatus reads it, with the hardware profile (secrets masked) and the log's last lines.
    private static async Task<JsonOk<TechStateView>> GetTechStateAsync(
        TerminalStatus status, IOptions<HardwareOptions> hardware, CustomerPanel panel, PushedProfileState pushed, RecentLog log, CancellationToken ct) =>
        JsonOk.Of(await status.ReadTechAsync([.. Profile(hardware.Value), panel.View(), PushedProfileState.View(pushed)], log.Lines.TakeLast(100).ToList(), ct).ConfigureAwait(false),
            TerminalJsonContext.Readable.TechStateView);

    // Enrolment from the page, as `kioskpos-terminal enroll` does: once; a terminal already enrolled keeps its key.
    private static async Task<Results<JsonOk<EnrolResponse>, ProblemResult>> EnrolAsync(HttpContext http, IOptions<SyncOptions> sync, IOptions<TerminalOptions> terminal, IHttpClientFactory clients)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.EnrolFromPageRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is not { Code.Length: > 0 })
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_request", error ?? "code is required");
        }

        if (File.Exists(sync.Value.KeyPath))
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, "already_enrolled", "This terminal already has its device key; revoke it at the province and reinstall to enrol again.");
        }

        var server = string.IsNullOrWhiteSpace(request.Server) ? sync.Value.BaseUrl.ToString() : request.Server.Trim();
        if (!KioskPos.Core.Text.WebAddress.TryParse(server, out var url))
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_server", $"'{server}' is not http(s)://host[:port]");
        }

        using var client = clients.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(20);
        try
        {
            var enrolled = await DeviceIdentity.EnrolAsync(url, request.Code.Trim(), terminal.Value.DataDirectory, client, http.RequestAborted, sync.Value.AllowInsecureHttp).ConfigureAwait(false);
            return JsonOk.Of(enrolled, ContractsJsonContext.Default.EnrolResponse);
        }
        catch (SyncRefusedException e)
        {
            return ApiProblems.Relay(StatusCodes.Status422UnprocessableEntity, e.Problem?.Code ?? "enrolment_refused", e.Problem?.Title ?? ApiProblems.Title("enrolment_refused"), e.Problem?.Detail);
        }
        catch (SyncTransientException e)
        {
            return ApiProblems.Create(StatusCodes.Status502BadGateway, "server_unreachable", e.Message);
        }
    }

    // A consistent copy of the database while the terminal runs (SQLite's backup API), kept in the data folder's
    // backups/ (the last five), with the copy's journal verified; refused when the disk could not hold it.
    private static async Task<Results<JsonOk<TechBackupView>, ProblemResult>> BackupAsync(SqliteDatabase database, IOptions<TerminalOptions> terminal, TimeProvider time, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetFullPath(terminal.Value.DataDirectory), "backups");
        Directory.CreateDirectory(folder);
        var size = new FileInfo(database.Path).Length + (File.Exists(database.Path + "-wal") ? new FileInfo(database.Path + "-wal").Length : 0);
        if (new DriveInfo(folder).AvailableFreeSpace < (size * 2) + (16 * 1024 * 1024))
        {
            return ApiProblems.Variant(StatusCodes.Status507InsufficientStorage, "disk_full", "backup", $"A backup needs about {size / 1048576 + 1} MB and room to spare.");
        }

        var to = Path.Combine(folder, $"terminal-{time.GetUtcNow():yyyyMMdd-HHmmss}.db");
        var check = await DatabaseBackup.CopyAsync(database, to, ct).ConfigureAwait(false);
        foreach (var old in Directory.GetFiles(folder, "terminal-*.db").Order(StringComparer.Ordinal).SkipLast(5))
        {
            File.Delete(old);
        }

        return JsonOk.Of(new TechBackupView(to, new FileInfo(to).Length, check.Ok, check.Entries), TerminalJsonContext.Default.TechBackupView);
    }

    private static async Task<JsonOk<SelfTestResult>> SelfTestAsync(int? tapSeconds, SelfTest test, CancellationToken ct) =>
        JsonOk.Of(await test.RunAsync(TimeSpan.FromSeconds(Math.Clamp(tapSeconds ?? 0, 0, 60)), ct).ConfigureAwait(false), TerminalJsonContext.Readable.SelfTestResult);

    // The profile's settings; the MIFARE sector key is a secret and shown only as set or not.
    private static List<SettingView> Profile(HardwareOptions h) =>
    [
        new("Profile", h.Profile), new("CardReader", h.CardReader), new("ReaderPollMs", h.ReaderPollMs.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("CardNumberBlock", h.CardNumberBlock?.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("CardNumberKey", h.CardNumberKey is null ? null : Messages.Both("terminal.tech.value_set")),
        new("CardNumberPage", h.CardNumberPage?.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("Printer", h.Printer),
        new("PaperWidthMm", h.PaperWidthMm.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("PrinterTextMode", h.PrinterTextMode),
        new("Gpio", h.Gpio), new("LightPin", h.LightPin?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("BuzzerPin", h.BuzzerPin?.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("HelpButtonPin", h.HelpButtonPin?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Display", h.Display),
    ];
}
