using KioskPos.Shared.Sqlite;
using KioskPos.Storage;

namespace KioskPos.Terminal.Services;

/// <summary>
/// A version started while the upgrade helper holds the lock is the one being checked: once the terminal has started
/// (its database migrated, its devices opened) it runs the unattended self-test and keeps the outcome in its database,
/// where <c>kioskpos-terminal upgrade verify</c>, run by the helper as the kioskpos user, reads it. Nothing listens for
/// it: the check needs no sign-in, no endpoint and no privilege beyond the terminal's own. A start without the lock
/// runs nothing.
/// </summary>
internal sealed class UpgradeSelfTestRunner(SqliteDatabase database, SelfTest selfTest, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<UpgradeSelfTestRunner> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                await started.Task.ConfigureAwait(false);
            }

            var upgrades = new UpgradeStore(database, time);
            if (!await upgrades.IsHeldAsync(stoppingToken).ConfigureAwait(false))
            {
                return;
            }

            var version = TerminalVersion.Current;
            var result = await selfTest.RunUnattendedAsync(stoppingToken).ConfigureAwait(false);
            var failed = string.Join("; ", result.Checks.Where(c => !c.Ok).Select(c => $"{c.Name} ({c.Detail})"));
            await upgrades.RecordSelfTestAsync(new UpgradeSelfTest(time.GetUtcNow(), version, result.Ok, failed), stoppingToken).ConfigureAwait(false);
            if (result.Ok)
            {
                logger.LogInformation("Upgrade check: version {Version} passed its self-test", version);
            }
            else
            {
                logger.LogWarning("Upgrade check: version {Version} failed its self-test: {Failed}", version, failed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before the check ran: the helper sees no outcome and rolls back when its time is up.
        }
    }
}
