using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Services;

/// <summary>What follows a void or refund at the counter: the sync is woken to push it, and its slip prints.</summary>
internal sealed class ReversalSlips(SyncSignal sync, IOptions<TerminalOptions> options, CatalogueStore catalogue, PaymentStore payments, TimeProvider time, PrintQueue queue)
{
    /// <summary>
    /// Wakes the sync and prints the slip for the payer and the cashier's drawer; returns the payment as the reversal
    /// left it. A printer problem holds the slip, the reversal stands.
    /// </summary>
    public async Task<Payment> PrintAsync(ReversalResult result, CancellationToken ct)
    {
        sync.Request();
        var terminal = options.Value;
        var payment = (await payments.GetAsync(result.Reversal.PaymentId, ct).ConfigureAwait(false))!;
        if (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is { } institution)
        {
            var payer = await catalogue.FindByCodeAsync(payment.AccountCode, ct).ConfigureAwait(false);
            var refundTo = result.Reversal switch
            {
                { Destination: ReversalDestinations.BankTransfer, BankReference: { } reference } => $"{Messages.Vi("receipt.refund_to.bank_transfer", reference)} / {Messages.En("receipt.refund_to.bank_transfer", reference)}",
                _ when payment.State == PaymentState.Voided => null,
                _ => Messages.Both("receipt.refund_to.card_balance"),
            };
            var slip = new ReversalSlip(
                institution, terminal.Id, $"{terminal.Id}-{result.Sequence:D8}", payment.Id, TimeZoneInfo.ConvertTime(time.GetUtcNow(), terminal.ResolveTimeZone()),
                payment.AccountCode, payer?.FullName ?? payment.AccountCode, new Vnd(result.Reversal.Amount), result.Reversal.Reason, refundTo,
                result.Reversal.Operator, result.Reversal.Supervisor);
            await queue.PrintDocumentAsync(PrintJobKinds.Slip, payment.Id, ReceiptLayouts.Reversal(slip), TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }

        return payment;
    }
}
