using KioskPos.Core.Receipts;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>
/// At start-up, a terminal that is not enrolled yet prints a status ticket: its id, its IP addresses and how to
/// enrol it, so that an installer needs no screen or network tool to find it.
/// </summary>
internal sealed class EnrolmentTicket(TestPage page, PrintQueue queue, IOptions<SyncOptions> sync, IHostApplicationLifetime lifetime, ILogger<EnrolmentTicket> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (File.Exists(sync.Value.KeyPath))
        {
            return;
        }

        // Once the host is up (the print queue is running).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        logger.LogWarning("This terminal is not enrolled: printing a status ticket with its addresses and how to enrol it");
        var ticket = ReceiptLayouts.StatusTicket(page.Info());
        await queue.PrintDocumentAsync(PrintJobKinds.TestPage, "enrolment", ticket, TimeSpan.Zero, stoppingToken).ConfigureAwait(false);
    }
}
