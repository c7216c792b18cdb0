using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// The periodic side of intake: writes the refused-delivery counts held in memory every few seconds, and on each
/// purge interval forgets refusal summaries and raw bank bodies older than their retention.
/// </summary>
internal sealed class IntakeMaintenance(RefusedDeliveries refusals, BankLedger bank, ProvinceDatabase database, IOptions<IntakeOptions> options, TimeProvider time, ILogger<IntakeMaintenance> logger)
    : BackgroundService
{
    /// <summary>Runs the retention purge once: refusal summaries, then accepted bank bodies.</summary>
    public async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var summaries = await refusals.PurgeAsync(TimeSpan.FromDays(Math.Max(1, settings.RefusalRetentionDays)), cancellationToken).ConfigureAwait(false);
        var bodies = settings.BankBodyRetentionDays > 0
            ? await bank.PurgeBodiesAsync(TimeSpan.FromDays(settings.BankBodyRetentionDays), cancellationToken).ConfigureAwait(false)
            : 0;
        if (summaries + bodies > 0)
        {
            logger.LogInformation("Retention: {Summaries} refused-delivery summaries and {Bodies} bank notification bodies purged", summaries, bodies);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.RefusalFlushInterval, time);
        var nextPurge = DateTimeOffset.MinValue;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!await database.IsReadyAsync(stoppingToken).ConfigureAwait(false))
                {
                    continue; // not migrated yet
                }

                await RunOnceAsync(nextPurge <= time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                if (nextPurge <= time.GetUtcNow())
                {
                    nextPurge = time.GetUtcNow() + settings.PurgeInterval;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still counted is written below.
        }

        try
        {
            await refusals.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            logger.LogWarning(e, "Refused-delivery counts could not be written at shutdown");
        }
    }

    private async Task RunOnceAsync(bool purge, CancellationToken cancellationToken)
    {
        try
        {
            await refusals.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (purge)
            {
                await PurgeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning(e, "Intake maintenance failed; it runs again at the next tick");
        }
    }
}
