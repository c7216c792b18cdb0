using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>What follows a void or refund at the counter: the sync is woken to push it, and its slip prints.</summary>
internal sealed class ReversalSlips(SyncSignal sync, IOptions<TerminalOptions> options, CatalogueStore catalogue, PaymentStore payments, TimeProvider time, PrintQueue queue,
    ILogger<ReversalSlips> logger)
{
    /// <summary>
    /// Wakes the sync and queues the slip for the payer and the cashier's drawer. The reversal is committed by then,
    /// so nothing here may turn its answer into a failure: the slip is queued whether or not the caller is still
    /// there, and a slip that cannot be queued (the disk full, the database failing) is logged and returned as a
    /// warning for the answer, null when it is queued. A printer problem holds the slip in the queue as ever.
    /// </summary>
    public async Task<string?> PrintAsync(ReversalResult result)
    {
        sync.Request();
        try
        {
            await QueueAsync(result, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is SqliteException or IOException)
        {
            logger.LogError(e, "The slip of reversal {Sequence} ({PaymentId}) could not be queued; the reversal stands", result.Sequence, result.Reversal.PaymentId);
            return Messages.Both("terminal.service.reversal_slip_failed", result.Sequence);
        }
    }

    private async Task QueueAsync(ReversalResult result, CancellationToken ct)
    {
        var terminal = options.Value;
        var payment = (await payments.GetAsync(result.Reversal.PaymentId, ct).ConfigureAwait(false))!;
        if (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is { } institution)
        {
            var payer = await catalogue.FindByCodeAsync(payment.AccountCode, ct).ConfigureAwait(false);
            // The slip is printed in Vietnamese as every receipt is (ReceiptLayouts): the destination once, a bank
            // transfer's reference once.
            var refundTo = result.Reversal switch
            {
                { Destination: ReversalDestinations.BankTransfer, BankReference: { } reference } => Messages.Vi("receipt.refund_to.bank_transfer", reference),
                _ when payment.State == PaymentState.Voided => null,
                _ => Messages.Vi("receipt.refund_to.card_balance"),
            };
            var slip = new ReversalSlip(
                institution, terminal.Id, $"{terminal.Id}-{result.Sequence:D8}", payment.Id, TimeZoneInfo.ConvertTime(time.GetUtcNow(), terminal.ResolveTimeZone()),
                payment.AccountCode, payer?.FullName ?? payment.AccountCode, new Vnd(result.Reversal.Amount), result.Reversal.Reason, refundTo,
                result.Reversal.Operator, result.Reversal.Supervisor);
            await queue.PrintDocumentAsync(PrintJobKinds.Slip, payment.Id, ReceiptLayouts.Reversal(slip), TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
