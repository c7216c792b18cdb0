using System.Collections.Concurrent;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;
using KioskPos.Sync;
using Microsoft.Extensions.Options;
using KioskPos.Core.Text;

namespace KioskPos.Terminal.Services;

/// <summary>Wakes the print queue when a job is added.</summary>
public sealed class PrintSignal : WakeSignal;

/// <summary>The printer as the screens and the API see it.</summary>
/// <param name="State">ready, paper_out, cover_open, offline, unreachable, error...</param>
/// <param name="Description">For people, Vietnamese then English.</param>
/// <param name="PaperNearEnd">The roll is nearly used up.</param>
/// <param name="Waiting">Jobs waiting to print.</param>
/// <param name="HeldJob">The job held by a printer problem, if any.</param>
/// <param name="HeldSince">When it was first held.</param>
/// <param name="CheckedAt">When the printer was last asked.</param>
public sealed record PrinterState(string State, string Description, bool PaperNearEnd, int Waiting, long? HeldJob, DateTimeOffset? HeldSince, DateTimeOffset CheckedAt);

/// <summary>What happened to a queued job by the time the caller stopped waiting.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Printed">The printer confirmed it.</param>
/// <param name="Problem">Why not (it stays queued and prints when the printer recovers).</param>
public sealed record QueuedPrint(long JobId, bool Printed, string? Problem);

/// <summary>
/// Prints the queue, one job at a time, in order. A job is done only when the driver says the printer printed it.
/// When the printer cannot print (paper out, cover open, unplugged), the job is held, the state is shown, and the
/// queue asks the printer every <c>Printer:RecoveryPoll</c> until it can, then prints the held job, once. The payment
/// is never touched by any of this, only its receipt state. A receipt's outcome is a journal entry, and like the
/// payment's it wakes the sync, so the province learns it now rather than at the next round.
/// </summary>
public sealed class PrintQueue(
    PrintQueueStore jobs,
    PaymentStore payments,
    IReceiptPrinter printer,
    PrintSignal signal,
    SyncSignal syncSignal,
    TimeProvider time,
    IOptions<TerminalOptions> options,
    IOptions<SyncOptions> sync,
    ILogger<PrintQueue> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<QueuedPrint>> _waiters = new();
    private volatile PrinterState _state = new("unknown", Messages.Both("terminal.service.print.not_checked"), false, 0, null, null, DateTimeOffset.MinValue);

    private volatile bool _printing;

    /// <summary>Raised when the printer's state changes, and when a job starts or stops printing (the status light).</summary>
    public event Action? Changed;

    /// <summary>True while a job is being sent to the printer.</summary>
    public bool IsPrinting => _printing;

    /// <summary>The printer's state as last seen.</summary>
    public PrinterState State => _state;

    /// <summary>Wakes the queue to look for jobs at once (a payment's receipt job is written with the payment, not through this queue).</summary>
    public void Wake() => signal.Request();

    /// <summary>Queues a payment's receipt (a reprint when it was printed before) and waits up to <paramref name="wait"/> for the outcome.</summary>
    public async Task<QueuedPrint> PrintReceiptAsync(string paymentId, bool reprint, TimeSpan wait, CancellationToken cancellationToken)
    {
        var id = await jobs.EnqueueAsync(PrintJobKinds.Receipt, paymentId, null, reprint, cancellationToken).ConfigureAwait(false);
        return await WaitAsync(id, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues a finished document (slip, report, test page) and waits up to <paramref name="wait"/>.</summary>
    public async Task<QueuedPrint> PrintDocumentAsync(string kind, string? subject, PrintDocument document, TimeSpan wait, CancellationToken cancellationToken)
    {
        var id = await jobs.EnqueueAsync(kind, subject, document.ToJson(), reprint: false, cancellationToken).ConfigureAwait(false);
        return await WaitAsync(id, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the job's first outcome (printed, or held with a problem), at most <paramref name="wait"/>.</summary>
    public async Task<QueuedPrint> WaitAsync(long jobId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var waiter = _waiters.GetOrAdd(jobId, _ => new TaskCompletionSource<QueuedPrint>(TaskCreationOptions.RunContinuationsAsynchronously));
        signal.Request();

        // The job may have finished before the waiter was registered.
        if (await jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is { State: "printed" or "held" or "cancelled" } done && !waiter.Task.IsCompleted)
        {
            _waiters.TryRemove(jobId, out _);
            return new QueuedPrint(jobId, done.State == "printed", done.Problem);
        }

        try
        {
            return await waiter.Task.WaitAsync(wait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new QueuedPrint(jobId, false, Messages.Both("terminal.service.print.still_printing"));
        }
        finally
        {
            _waiters.TryRemove(jobId, out _);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.PrinterRecoveryPoll;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var job = await jobs.NextAsync(stoppingToken).ConfigureAwait(false);
                if (job is null)
                {
                    await RefreshAsync(null, stoppingToken).ConfigureAwait(false);
                    await signal.WaitAsync(options.Value.PrinterIdlePoll, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (job.State == "held")
                {
                    // Held: print again only when the printer says it can.
                    var status = await RefreshAsync(job, stoppingToken).ConfigureAwait(false);
                    if (status is not { CanPrint: true })
                    {
                        await signal.WaitAsync(poll, stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                }

                await PrintAsync(job, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                logger.LogError(e, "Print queue: {Error}", e.Message);
                await Task.Delay(poll, time, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Anything else is a defect, but not one worth the terminal: a failed background service stops the
                // host, and with it payments. The queue logs it and carries on after a pause.
                logger.LogCritical(e, "Print queue: unexpected {Error}", e.Message);
                await Task.Delay(poll, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PrintAsync(PrintJobRecord job, CancellationToken cancellationToken)
    {
        var document = await DocumentAsync(job, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            logger.LogWarning("Print job {Job} ({Kind} {Subject}) has nothing to print; cancelled", job.Id, job.Kind, job.Subject);
            await jobs.CancelAsync(job.Id, cancellationToken).ConfigureAwait(false);
            Complete(job.Id, new QueuedPrint(job.Id, false, Messages.Both("terminal.service.print.nothing")));
            return;
        }

        PrintOutcome outcome;
        _printing = true;
        Changed?.Invoke();
        try
        {
            // The drawer opens with an original's first attempt that reaches the printer, never again: a copy takes no
            // money, and an attempt that reached the printer may have sent its pulse (a printer that ignored the clear
            // prints the rest of a stopped job, pulse included, when paper is loaded).
            outcome = await printer.PrintAsync(document, openDrawer: !job.Reprint && !job.MaybeOnPaper, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _printing = false;
            Changed?.Invoke();
        }
        if (outcome.Printed)
        {
            if (await jobs.MarkPrintedAsync(
                job.Id, string.Join('\n', document.ToLines(printer.Language.Columns)), ReceiptOf(job), job.Reprint ? "reprint" : null, CancellationToken.None).ConfigureAwait(false))
            {
                syncSignal.Request();
            }

            logger.LogInformation("Printed job {Job}: {Title}{Copy}", job.Id, document.Title, job.Reprint ? " (copy)" : string.Empty);
            Complete(job.Id, new QueuedPrint(job.Id, true, null));
            await RefreshAsync(null, cancellationToken, outcome).ConfigureAwait(false);
            return;
        }

        if (outcome.State == PrintOutcome.Unprintable)
        {
            // A document the driver cannot draw would fail at every attempt and hold every job behind it: cancelled,
            // and the log says why (the payment it belongs to is untouched; its receipt can be printed again).
            logger.LogError("Print job {Job} ({Kind} {Subject}) cannot be printed; cancelled: {Problem}", job.Id, job.Kind, job.Subject, outcome.Problem);
            await jobs.CancelAsync(job.Id, CancellationToken.None).ConfigureAwait(false);
            Complete(job.Id, new QueuedPrint(job.Id, false, outcome.Problem));
            await RefreshAsync(null, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Not printed. When part of it may be on paper and nobody knows how much (the connection broke, the printer did
        // not confirm clearing the rest), the next attempt carries the copy mark; when the printer stopped it (paper
        // out) and confirmed clearing its buffer, it does not.
        var uncertain = outcome.Started && (outcome.Uncertain || outcome.State is "unreachable" or "unconfirmed");
        var problem = outcome.Problem ?? outcome.State;
        if (await jobs.MarkHeldAsync(job.Id, problem, outcome.Started, uncertain, job.Reprint ? null : ReceiptOf(job), CancellationToken.None).ConfigureAwait(false))
        {
            syncSignal.Request();
        }

        logger.LogWarning("Print job {Job} held: {Problem}", job.Id, problem);
        Complete(job.Id, new QueuedPrint(job.Id, false, problem));
        await RefreshAsync(job with { State = "held" }, cancellationToken, outcome).ConfigureAwait(false);
        await signal.WaitAsync(options.Value.PrinterRecoveryPoll, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PrintDocument?> DocumentAsync(PrintJobRecord job, CancellationToken cancellationToken)
    {
        if (job.Document is { } json)
        {
            PrintDocument document;
            try
            {
                document = PrintDocument.FromJson(json);
            }
            catch (System.Text.Json.JsonException e)
            {
                // A damaged job must not stop the queue behind it: it is cancelled, and the log says why.
                logger.LogError("Print job {Job} holds no readable document ({Error})", job.Id, e.Message);
                return null;
            }

            return job.Reprint ? ReceiptLayouts.MarkAsCopy(document) : document;
        }

        if (job.Kind != PrintJobKinds.Receipt || job.Subject is not { } paymentId)
        {
            return null;
        }

        if (job.Reprint)
        {
            return await ReprintAsync(paymentId, cancellationToken).ConfigureAwait(false);
        }

        var made = await ReceiptAsync(paymentId, PrintCopy.Original, asMadeNow: true, cancellationToken).ConfigureAwait(false);
        if (made is not null)
        {
            // Kept as printed: a reprint shows the balance and debts of this moment, not of the day it is asked for.
            await jobs.KeepDocumentAsync(job.Id, made.ToJson(), cancellationToken).ConfigureAwait(false);
        }

        return made;
    }

    // A copy of the receipt as first printed (else made again without what only held at payment time), marked with
    // every void and refund since, so a copy never passes for a receipt of money still held.
    private async Task<PrintDocument?> ReprintAsync(string paymentId, CancellationToken cancellationToken)
    {
        PrintDocument? copy = null;
        if (await jobs.OriginalReceiptAsync(paymentId, cancellationToken).ConfigureAwait(false) is { } original)
        {
            try
            {
                copy = ReceiptLayouts.MarkAsCopy(PrintDocument.FromJson(original));
            }
            catch (System.Text.Json.JsonException e)
            {
                logger.LogWarning("The original receipt of {Payment} is unreadable ({Error}); the copy is made again", paymentId, e.Message);
            }
        }

        copy ??= await ReceiptAsync(paymentId, PrintCopy.Reprint, asMadeNow: false, cancellationToken).ConfigureAwait(false);
        if (copy is null)
        {
            return null;
        }

        var terminalId = options.Value.Id;
        var reversals = await payments.ReversalsOfAsync(paymentId, cancellationToken).ConfigureAwait(false);
        return ReceiptLayouts.MarkReversed(copy, [.. reversals.Select(r => new ReceiptReversal(r.Voided, r.Amount, $"{terminalId}-{r.Sequence:D8}"))]);
    }

    // The receipt made from the payment now. Not asMadeNow (a copy whose original is no longer kept): without the
    // payer's balance and debts, which today's figures would misstate; a transfer's shares are the payment's own.
    private async Task<PrintDocument?> ReceiptAsync(string paymentId, PrintCopy copy, bool asMadeNow, CancellationToken cancellationToken)
    {
        var receipt = await payments.BuildReceiptAsync(paymentId, options.Value.ResolveTimeZone(), cancellationToken).ConfigureAwait(false);
        if (receipt is null)
        {
            return null;
        }

        if (!asMadeNow && receipt.Method != PaymentMethod.VietQr)
        {
            receipt = receipt with { Items = [.. receipt.Items.Select(i => i with { RemainingAfter = Vnd.Zero })], BalanceAfter = receipt.IsTopUp ? receipt.BalanceAfter : null };
        }

        var token = await payments.LookupTokenAsync(paymentId, cancellationToken).ConfigureAwait(false);
        var lookup = token is null ? null : $"{(options.Value.ReceiptLookupUrl ?? sync.Value.BaseUrl).ToString().TrimEnd('/')}/r/{Uri.EscapeDataString(paymentId)}?h={token}";
        return ReceiptLayouts.Payment(receipt, copy, lookup);
    }

    private static string? ReceiptOf(PrintJobRecord job) => job.Kind == PrintJobKinds.Receipt ? job.Subject : null;

    private void Complete(long jobId, QueuedPrint result)
    {
        if (_waiters.TryGetValue(jobId, out var waiter))
        {
            waiter.TrySetResult(result);
        }
    }

    // Asks the printer (unless a just-finished attempt already read its status) and publishes the state when it changed.
    private async Task<Firmware.Printing.PrinterStatus?> RefreshAsync(PrintJobRecord? held, CancellationToken cancellationToken, PrintOutcome? attempt = null)
    {
        var status = attempt is null ? await printer.GetStatusAsync(cancellationToken).ConfigureAwait(false) : attempt.Status;
        var code = attempt?.State ?? status?.Code ?? "unreachable";
        var description = attempt?.Problem ?? status?.Describe() ?? Messages.Both("terminal.service.print.unreachable");
        var waiting = await jobs.CountWaitingAsync(cancellationToken).ConfigureAwait(false);
        var previous = _state;
        var heldSince = held is null ? null : previous.HeldJob == held.Id ? previous.HeldSince : time.GetUtcNow();
        var next = new PrinterState(code, description, status?.PaperNearEnd ?? previous.PaperNearEnd, waiting, held?.Id, heldSince, time.GetUtcNow());
        _state = next;
        if (next.State != previous.State)
        {
            logger.LogInformation("Printer: {State} ({Description})", next.State, next.Description);
            Changed?.Invoke();
        }

        return status;
    }
}
