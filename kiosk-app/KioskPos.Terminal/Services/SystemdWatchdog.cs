using System.Globalization;
using KioskPos.Shared.Sqlite;
using Microsoft.Extensions.Hosting.Systemd;

namespace KioskPos.Terminal.Services;

/// <summary>
/// Under systemd with <c>WatchdogSec=</c>, tells systemd the terminal is alive at half the watchdog interval — only
/// while its database answers, so that a terminal stuck on its disk is restarted rather than left looking alive.
/// Does nothing anywhere else (no <c>WATCHDOG_USEC</c>).
/// </summary>
internal sealed class SystemdWatchdog(IServiceProvider services, SqliteDatabase database, ILogger<SystemdWatchdog> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Registered by UseSystemd only when systemd started the process.
        if (services.GetService<ISystemdNotifier>() is not { IsEnabled: true } notifier || !long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return;
        }

        var interval = TimeSpan.FromTicks(usec * 10 / 2);
        logger.LogInformation("systemd watchdog: alive every {Interval}", interval);
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await database.GetSchemaVersionAsync(stoppingToken).ConfigureAwait(false);
                notifier.Notify(new ServiceState("WATCHDOG=1"));
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                logger.LogError(e, "systemd watchdog: the database does not answer ({Error}); not telling systemd the terminal is alive", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
