using KioskPos.Storage;

namespace KioskPos.Terminal.Services;

/// <summary>Ends each VietQR offer when its QR expires: sleeps until the soonest expiry, or until a QR is created or ends.</summary>
public sealed class QrExpiryWatcher(PaymentStore payments, PaymentService service, QrExpirySignal signal, TimeProvider time, ILogger<QrExpiryWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan s_longestSleep = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = s_longestSleep;
            try
            {
                foreach (var (id, expiresAt) in await payments.PendingQrAsync(stoppingToken).ConfigureAwait(false))
                {
                    var left = expiresAt - time.GetUtcNow();
                    if (left > TimeSpan.Zero)
                    {
                        sleep = left < sleep ? left : sleep;
                        break;
                    }

                    logger.LogInformation("QR of payment {Payment} expired", id);
                    await service.EndQrAsync(id, "expired", stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                logger.LogWarning(e, "Could not end expired QR offers; trying again shortly");
                sleep = TimeSpan.FromSeconds(5);
            }

            try
            {
                await signal.WaitAsync(sleep, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
