using System.Globalization;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>What one pass of the retention job removed.</summary>
/// <param name="ReceiptFiles">Receipt images and texts deleted.</param>
/// <param name="PrintJobs">Print jobs whose document and text were forgotten.</param>
/// <param name="PayersRefresh">True when the payers' cache was older than its retention and the next pull is a full one.</param>
public sealed record RetentionPass(int ReceiptFiles, int PrintJobs, bool PayersRefresh);

/// <summary>
/// Keeps personal data on the terminal no longer than the province says (its offline policy's
/// <see cref="OfflinePolicyDto.ReceiptRetentionDays"/> and <see cref="OfflinePolicyDto.PayerRetentionDays"/>, 30 days
/// when it says nothing): receipts' images and texts (payers' full names) and the print jobs' copies of them are
/// purged; the cache of payers is refreshed in full, which drops every payer the province no longer sends. The money
/// facts (journal, payments, outbox) stay: they are the terminal's record and hold codes, not names.
/// </summary>
public sealed class Retention(
    SettingsStore settings,
    PrintQueueStore printJobs,
    IOptions<TerminalOptions> options,
    IOptions<HardwareOptions> hardware,
    TimeProvider time,
    ILogger<Retention> logger) : BackgroundService
{
    /// <summary>The receipts folder the emulated printer writes (a real printer writes none).</summary>
    public string ReceiptsFolder => hardware.Value.ReceiptImages ?? Path.Combine(options.Value.DataDirectory, "receipts");

    /// <summary>One pass: purges what is older than the retention now in force.</summary>
    public async Task<RetentionPass> RunAsync(CancellationToken cancellationToken)
    {
        var policy = await settings.GetAsync(SyncWorker.OfflinePolicyKey, cancellationToken).ConfigureAwait(false) is { } json
            ? System.Text.Json.JsonSerializer.Deserialize(json, ContractsJsonContext.Default.OfflinePolicyDto) ?? OfflinePolicyDto.Default
            : OfflinePolicyDto.Default;
        var now = time.GetUtcNow();
        var receiptsBefore = now - TimeSpan.FromDays(Days(policy.ReceiptRetentionDays));
        var files = PurgeReceiptFiles(receiptsBefore);
        var jobs = await printJobs.PurgeContentAsync(receiptsBefore, cancellationToken).ConfigureAwait(false);

        // The cache of payers holds names; a full pull replaces it with what the province sends now, so a payer erased
        // or gone at the province is gone here too.
        var refresh = false;
        var lastFull = await settings.GetAsync(CatalogueStore.LastFullPullKey, cancellationToken).ConfigureAwait(false);
        if (lastFull is null || !DateTimeOffset.TryParse(lastFull, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ||
            now - at > TimeSpan.FromDays(Days(policy.PayerRetentionDays)))
        {
            // Only once the cache has been pulled at all (a sync cursor; a terminal from before LastFullPullKey has
            // one and no date); a flag the sync round reads, since a pull in flight would write back a cleared cursor.
            if (await settings.GetAsync(SyncWorker.CursorKey, cancellationToken).ConfigureAwait(false) is not null &&
                await settings.GetAsync(CatalogueStore.FullPullWantedKey, cancellationToken).ConfigureAwait(false) is null)
            {
                await settings.SetAsync(CatalogueStore.FullPullWantedKey, now.ToString("O", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                refresh = true;
            }
        }

        if (files > 0 || jobs > 0 || refresh)
        {
            logger.LogInformation("Retention: {Files} receipt files and the text of {Jobs} print jobs purged; payers' cache {Refresh}",
                files, jobs, refresh ? "to be refreshed in full" : "fresh");
        }

        return new RetentionPass(files, jobs, refresh);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Retention pass failed; trying again at the next one");
            }

            try
            {
                await Task.Delay(options.Value.RetentionInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // A province that sends nonsense (0, negative, ten thousand years) gets a day at least and ten years at most.
    private static int Days(int days) => Math.Clamp(days <= 0 ? OfflinePolicyDto.DefaultRetentionDays : days, 1, 3650);

    private int PurgeReceiptFiles(DateTimeOffset before)
    {
        var folder = ReceiptsFolder;
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var purged = 0;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (Path.GetExtension(file) is not (".png" or ".txt") || File.GetLastWriteTimeUtc(file) >= before.UtcDateTime)
            {
                continue;
            }

            File.Delete(file);
            purged++;
        }

        return purged;
    }
}
