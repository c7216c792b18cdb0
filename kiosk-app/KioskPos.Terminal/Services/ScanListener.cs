using KioskPos.Firmware.Devices;

namespace KioskPos.Terminal.Services;

/// <summary>
/// Reads the 2D scanners (<c>scanner:</c> in <c>Hardware:CardReader</c>) and hands each code to
/// <see cref="CitizenIdScans"/>, which tells the screens. The scanned text is never logged: a citizen-ID card's QR
/// carries the holder's name, birth date and address.
/// </summary>
internal sealed class ScanListener(IReadOnlyList<ICodeScanner> scanners, CitizenIdScans scans, ILogger<ScanListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(scanners.Select(s => ReadAsync(s, stoppingToken)));

    private async Task ReadAsync(ICodeScanner scanner, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var code in scanner.ReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    var scan = scans.Take(code.Text, out _, out _);
                    logger.LogInformation("Scanner {Scanner}: {Outcome}", code.Scanner, scan.Problem ?? "a citizen-ID card");
                }

                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // The scanner failed (unplugged, no permission): the terminal goes on; try again in a moment.
                logger.LogError(e, "Scanner {Scanner} failed ({Error}); reading again in 2 s", scanner.Name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
