using KioskPos.Firmware.Devices;
using KioskPos.Shared.Sqlite;
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal.Apis;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>
/// The terminal's state, read in one place for the status API (<c>/api/v1/status</c>), the status page (<c>/</c>) and
/// the technician's page (<c>/tech</c>): the institution, devices, printer, indicators and sync queue.
/// </summary>
internal sealed class TerminalStatus(
    IOptions<TerminalOptions> options,
    IOptions<SyncOptions> syncOptions,
    SqliteDatabase database,
    CatalogueStore catalogue,
    CardPresence presence,
    OutboxStore outbox,
    SyncedClock clock,
    ProvinceTrust trust,
    ICardReader reader,
    IReceiptPrinter printer,
    ProvinceLink link,
    PrintQueue queue,
    GpioSetup gpio,
    TerminalIndicators indicators,
    HelpRequests help)
{
    /// <summary>The status; the last card's UID in full only when <paramref name="fullUid"/> (signed-in staff).</summary>
    public async Task<StatusView> ReadAsync(bool fullUid, CancellationToken ct)
    {
        var id = options.Value.Id;
        var institution = await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false);
        var (accounts, bills) = await catalogue.CountAsync(ct).ConfigureAwait(false);
        var sync = await outbox.GetStatusAsync(ct).ConfigureAwait(false);
        return new StatusView(
            id, institution?.Name, await database.GetSchemaVersionAsync(ct).ConfigureAwait(false), accounts, bills, Views.Sync(sync, clock, trust),
            reader.Name, printer.Name,
            presence.Last is { } tap ? Views.Tap(tap, fullUid) : null, presence.Taps, link.Online,
            queue.State,
            presence.LastProblem is { } problem ? Views.ReaderProblem(problem.Problem, problem.At) : null,
            Indicators(),
            Views.ReaderHealth(reader.Health));
    }

    /// <summary>The light, the buzzer and the help button.</summary>
    public IndicatorsView Indicators() =>
        new(gpio.Controller is null ? "none" : gpio.Simulated is null ? "chip" : "simulated",
            Views.Name(indicators.Light), indicators.Beeps, help.LastAt, help.Count);

    /// <summary>
    /// The technician's view: the same devices and sync queue, with the clock, the disk and enrolment; the hardware
    /// profile's settings and the log are the caller's, as the technician sees them.
    /// </summary>
    public async Task<TechStateView> ReadTechAsync(IReadOnlyList<SettingView> hardware, IReadOnlyList<string> log, CancellationToken ct)
    {
        var terminal = options.Value;
        var sync = syncOptions.Value;
        var status = await outbox.GetStatusAsync(ct).ConfigureAwait(false);
        var health = Views.ReaderHealth(reader.Health);
        return new TechStateView(
            terminal.Id,
            TerminalVersion.Current,
            File.Exists(sync.KeyPath),
            sync.BaseUrl.ToString(),
            await database.GetSchemaVersionAsync(ct).ConfigureAwait(false),
            reader.Name,
            printer.Name,
            queue.State,
            Indicators(),
            Views.Sync(status, clock, trust),
            link.Online,
            new DriveInfo(Path.GetFullPath(terminal.DataDirectory)).AvailableFreeSpace,
            Math.Round(clock.Offset.TotalSeconds, 1),
            hardware,
            log,
            health,
            status.LastSuccessAt is { } last ? terminal.PageTime(last) : null,
            health?.LastRecoveryAt is { } reset ? terminal.PageTime(reset) : null);
    }
}
