using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Sync;

namespace KioskPos.Terminal.Services;

/// <summary>
/// Tells the province server how this terminal is (version, sync queue, printer, last error) at start and every
/// minute, for the province's terminal inventory; a report that does not get through is simply sent next time.
/// </summary>
internal sealed class StatusReporter(ProvinceClient province, OutboxStore outbox, PrintQueue printQueue, SqliteDatabase database, PushedProfileState pushedProfile, TimeProvider time, ILogger<StatusReporter> logger) : BackgroundService
{
    /// <summary>How often the report is sent.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Sends one report now; false when it did not get through.</summary>
    public async Task<bool> ReportAsync(CancellationToken cancellationToken)
    {
        var sync = await outbox.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var printer = printQueue.State;
        var error = sync.LastError ?? (printer.State is "ready" or "unknown" ? null : printer.Description)
            ?? (pushedProfile.Problem is { } problem ? $"hardware profile '{pushedProfile.Failed}' cannot start here: {problem}" : null);
        var report = new TerminalReportDto(
            TerminalVersion.Current,
            await database.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false),
            sync.Queued, sync.OldestQueuedAt, printer.State, error is { Length: > 500 } ? error[..500] : error,
            await new UpgradeStore(database, time).GetResultAsync(cancellationToken).ConfigureAwait(false));
        try
        {
            await province.ReportAsync(report, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SyncTransientException or SyncRefusedException)
        {
            logger.LogDebug("Status report not sent: {Error}", e.Message);
            return false;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // A little after start, when the printer has been asked once.
            await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(Interval, time);
            do
            {
                await ReportAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
