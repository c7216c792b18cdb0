using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>
/// Listens for bank confirmations of this terminal's VietQR payments: a long poll to the province server that is
/// reopened as soon as it returns, with backoff and jitter while the server cannot be reached. The cursor is kept
/// in the database; a confirmation delivered twice is recorded once.
/// </summary>
public sealed class ConfirmationListener(
    ProvinceClient province,
    PaymentService payments,
    SettingsStore settings,
    ProvinceLink link,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ILogger<ConfirmationListener> logger) : BackgroundService
{
    /// <summary>The setting holding the last confirmation recorded.</summary>
    public const string CursorKey = "vietqr.confirmation_cursor";

    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        long? cursor = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                cursor ??= long.TryParse(await settings.GetAsync(CursorKey, stoppingToken).ConfigureAwait(false), out var stored) ? stored : 0;
                // Not known to be connected (just started, or after an error): ask without waiting, so that the
                // connection is known at once; connected, hold the poll open until a confirmation comes.
                var wait = link.Online ? options.Value.ConfirmationWait : TimeSpan.Zero;
                var answer = await province.WaitForConfirmationsAsync(cursor.Value, wait, stoppingToken).ConfigureAwait(false);
                if (!link.Online)
                {
                    logger.LogInformation("Confirmations from the province server: connected");
                }

                link.Online = true;
                failures = 0;
                foreach (var confirmation in answer.Confirmations)
                {
                    await payments.ApplyConfirmationAsync(confirmation, stoppingToken).ConfigureAwait(false);
                    await settings.SetAsync(CursorKey, confirmation.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), stoppingToken).ConfigureAwait(false);
                    cursor = confirmation.Id;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SyncTransientException or SyncRefusedException or NotEnrolledException or IOException or Microsoft.Data.Sqlite.SqliteException)
            {
                if (link.Online || failures == 0)
                {
                    logger.LogWarning("Confirmations from the province server: not connected ({Error})", e.Message);
                }

                link.Online = false;
                failures++;

                // Full jitter over an exponential ceiling: many terminals coming back after an outage do not all
                // reconnect in the same second.
                var ceiling = Math.Min(s_maxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 10)));
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 + (Random.Shared.NextDouble() * ceiling)), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
