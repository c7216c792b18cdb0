using KioskPos.Core.Receipts;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Transports;
using KioskPos.Core.Text;

namespace KioskPos.Firmware.Printing;

/// <summary>Time limits of a printer's conversation.</summary>
/// <param name="Write">The longest the printer may take no byte of a job (not a limit on the whole job: a raster receipt
/// of 100 kB takes 10 s at 115200 baud and almost two minutes at 9600, and goes in as fast as the printer prints).</param>
/// <param name="Status">For each status answer (real-time commands are answered at once).</param>
/// <param name="Completion">For the job to be printed to its end once its last byte went, plus the job's time on a
/// serial line (the bytes the kernel still holds go at the baud rate).</param>
public sealed record PrinterTimeouts(TimeSpan Write, TimeSpan Status, TimeSpan Completion)
{
    /// <summary>5 s without a byte taken, 1 s a status answer, 20 s to print.</summary>
    public static PrinterTimeouts Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));

    /// <summary>How long the printer has to confirm clearing its buffers (<c>37 25 00</c> after <c>DLE DC4 8</c>): 1 s.</summary>
    public TimeSpan Clear { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The ESC/POS receipt printer driver. A job is printed only when the printer says so: the four status bytes are asked
/// before (nothing is sent to a printer without paper), the job is followed by <c>GS r 1</c>, which the printer answers
/// only when it has worked through everything before it, and the status is asked again. A job that stops half-way
/// (paper out) has the printer's buffers cleared (<c>DLE DC4 8</c>), so that the rest of it does not print by itself
/// when paper is loaded: the queue prints the whole job again instead, once.
/// A printer that stops taking bytes while a job is written (out of paper with a full buffer) is asked why
/// (<c>DLE EOT 2</c>); out of paper, the raster band it stopped in is completed with blank rows before the clear, so
/// that nothing of this job can take the next one's bytes as pixels.
/// </summary>
public sealed class EscPosPrinter(IPrinterTransport transport, DocumentEncoder encoder, PrinterTimeouts? timeouts = null) : IReceiptPrinter, IDisposable
{

    /// <summary><c>GS r 1</c>: transmit the paper sensor status, answered in turn after the data before it.</summary>
    public static readonly byte[] CompletionMarker = [EscPos.Gs, 0x72, 0x01];

    /// <summary><c>DLE DC4 8</c> (fn 8): clear the receive and print buffers, a real-time command.</summary>
    public static readonly byte[] ClearBuffers = [EscPos.Dle, 0x14, 0x08, 0x01, 0x03, 0x14, 0x01, 0x06, 0x02, 0x08];

    private readonly PrinterTimeouts _timeouts = timeouts ?? PrinterTimeouts.Default;
    private readonly SemaphoreSlim _exclusive = new(1, 1);

    // True while an answer the printer owes may still come: from the start (bytes from before this process may be
    // on the line), after a status read that timed out or was out of step, after a job whose completion was not
    // answered, and after the connection was lost. Only then is a status round followed by the 50 ms look for a late
    // answer; a printer that has answered everything it was asked owes nothing, so the round ends at its fourth answer.
    private bool _mayOweAnswer = true;

    // The rest of a raster band a stopped job left unfinished on a printer that did not confirm clearing it: until it
    // is sent, the printer would take the next job's first bytes as pixels. Sent (after one more try to clear) before
    // the next job.
    private byte[]? _owedPadding;

    // GS a 0 was sent on this connection (once per connection, with its first job: a printer reopened may have been
    // reset or reconfigured).
    private bool _statusBackOff;

    /// <inheritdoc />
    public string Name => $"ESC/POS, {transport.Description}, {encoder.Language}";

    /// <inheritdoc />
    public PrinterLanguage Language => encoder.Language;

    /// <inheritdoc />
    public async Task<PrinterStatus?> GetStatusAsync(CancellationToken cancellationToken)
    {
        await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await TryStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _exclusive.Release();
        }
    }

    /// <inheritdoc />
    public Task<PrintOutcome> PrintAsync(PrintDocument document, CancellationToken cancellationToken) =>
        PrintAsync(document, openDrawer: true, cancellationToken);

    /// <inheritdoc />
    public async Task<PrintOutcome> PrintAsync(PrintDocument document, bool openDrawer, CancellationToken cancellationToken)
    {
        PrintJob job;
        try
        {
            job = encoder.EncodeJob(document, openDrawer);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException or NotSupportedException)
        {
            // The document itself cannot be drawn (a picture taller than the renderer allows): no attempt will ever
            // print it, and the device was not touched.
            return new PrintOutcome(false, Messages.Both("terminal.printer.unprintable", e.Message), PrintOutcome.Unprintable);
        }

        return await PrintAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Prints an encoded job (<see cref="DocumentEncoder.EncodeJob"/>, <see cref="DocumentEncoder.EncodeImage"/>) as <see cref="PrintAsync(PrintDocument, CancellationToken)"/> does.</summary>
    public async Task<PrintOutcome> PrintAsync(PrintJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await TryStatusAsync(cancellationToken).ConfigureAwait(false);
            if (before is null)
            {
                return Unreachable(started: false);
            }

            if (!before.CanPrint)
            {
                return new PrintOutcome(false, before.Describe(), before.Code, Status: before);
            }

            try
            {
                if (!_statusBackOff)
                {
                    // Automatic status back (left on by another program, or by the printer's own settings) sends four
                    // bytes on every change, among them 00 bytes the completion wait would take for GS r 1's answer.
                    // Sent with the first job, not in a status round: a stopped printer with a full buffer would not
                    // take it, and its status is still wanted.
                    await transport.WriteAsync(EscPos.AutomaticStatusBack(0), _timeouts.Write, cancellationToken).ConfigureAwait(false);
                    _statusBackOff = true;
                }

                if (_owedPadding is { } owed)
                {
                    if (!await TryClearAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await transport.WriteAsync(owed, _timeouts.Write, cancellationToken).ConfigureAwait(false);
                    }

                    _owedPadding = null;
                }

                var start = 0;
                if (encoder.Language.DisableRealTimePulse && job.Preamble > 0)
                {
                    // A printer finds real-time commands in what it receives before its parser reaches GS ( D: the
                    // setting must have been obeyed (GS r 1 answered behind it) before the first pixel goes.
                    await transport.WriteAsync(job.Bytes.AsMemory(0, job.Preamble), _timeouts.Write, cancellationToken).ConfigureAwait(false);
                    await transport.WriteAsync(CompletionMarker, _timeouts.Write, cancellationToken).ConfigureAwait(false);
                    if (!await WaitForMarkerAsync(cancellationToken).ConfigureAwait(false))
                    {
                        _mayOweAnswer = true;
                        return new PrintOutcome(false, Messages.Both("terminal.printer.unconfirmed"), "unconfirmed");
                    }

                    start = job.Preamble;
                }

                try
                {
                    await transport.WriteAsync(job.Bytes.AsMemory(start), _timeouts.Write, cancellationToken).ConfigureAwait(false);
                }
                catch (PrinterStallException stall) when (transport.IsOpen)
                {
                    return await StalledAsync(job, start + stall.Written, cancellationToken).ConfigureAwait(false);
                }
                catch (PrinterStallException stall)
                {
                    // A connection that closed on the stall (TCP): the printer may be inside a band.
                    _owedPadding = job.BandPadding(start + stall.Written) is { Length: > 0 } rest ? rest : null;
                    throw;
                }

                await transport.WriteAsync(CompletionMarker, _timeouts.Write, cancellationToken).ConfigureAwait(false);
                var answered = await WaitForCompletionAsync(transport.TransferTime(job.Bytes.Length), cancellationToken).ConfigureAwait(false);
                _mayOweAnswer |= !answered;
                var after = await TryStatusAsync(cancellationToken).ConfigureAwait(false);
                if (answered && after is not null && !(after.CoverOpen || after.CutterError || after.UnrecoverableError))
                {
                    // Paper may run out right after the last line: the job is still printed.
                    return new PrintOutcome(true, null, after.Code, Status: after);
                }

                var cleared = await TryClearAsync(cancellationToken).ConfigureAwait(false);
                return after is null
                    ? Unreachable(started: true) with { Uncertain = true }
                    : after.CanPrint
                        ? new PrintOutcome(false, Messages.Both("terminal.printer.unconfirmed"), "unconfirmed", Started: true, Status: after) { Uncertain = true }
                        : new PrintOutcome(false, Stopped(after.Describe(), cleared), after.Code, Started: true, Status: after) { Uncertain = !cleared };
            }
            catch (Exception e) when (e is IOException or TimeoutException)
            {
                _mayOweAnswer = true;
                transport.Close();
                return new PrintOutcome(false, Messages.Both("terminal.printer.connection_lost", e.Message), "unreachable", Started: true) { Uncertain = true };
            }
        }
        finally
        {
            _exclusive.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        transport.Dispose();
        _exclusive.Dispose();
    }

    private static PrintOutcome Unreachable(bool started) =>
        new(false, Messages.Both("terminal.service.print.unreachable"), "unreachable", started);

    // The four real-time status bytes, or null when the printer cannot be reached or does not answer. An answer
    // missing or out of step (a late byte from before) is asked for once more before the printer is called unreachable.
    private async Task<PrinterStatus?> TryStatusAsync(CancellationToken cancellationToken) =>
        await TryStatusOnceAsync(cancellationToken).ConfigureAwait(false) ?? await TryStatusOnceAsync(cancellationToken).ConfigureAwait(false);

    private async Task<PrinterStatus?> TryStatusOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!transport.IsOpen)
            {
                _statusBackOff = false;
            }

            await transport.OpenAsync(cancellationToken).ConfigureAwait(false);
            await transport.DiscardInputAsync(cancellationToken).ConfigureAwait(false);
            var answers = new byte[4];
            for (var n = 1; n <= 4; n++)
            {
                await transport.WriteAsync(EscPos.StatusRequest((StatusKind)n), _timeouts.Write, cancellationToken).ConfigureAwait(false);
                var one = new byte[1];
                if (await transport.ReadAsync(one, _timeouts.Status, cancellationToken).ConfigureAwait(false) != 1 || !PrinterStatus.IsStatusByte(one[0]))
                {
                    _mayOweAnswer = true;
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                    await transport.DiscardInputAsync(cancellationToken).ConfigureAwait(false);
                    return null;
                }

                answers[n - 1] = one[0];
            }

            // A late answer to an earlier request (one that timed out on a busy line) would put every answer one step
            // out — a paper-out read as "ready" — and leave the printer's own last answer waiting. Look for it
            // briefly; if it is there, these answers are not to be trusted: ask again. Only when an answer may be owed.
            if (_mayOweAnswer)
            {
                var late = new byte[1];
                if (await transport.ReadAsync(late, TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false) == 1)
                {
                    await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                    await transport.DiscardInputAsync(cancellationToken).ConfigureAwait(false);
                    return null;
                }

                _mayOweAnswer = false;
            }

            return PrinterStatus.Decode(answers[0], answers[1], answers[2], answers[3]);
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            _mayOweAnswer = true;
            transport.Close();
            return null;
        }
    }

    // The printer took nothing of the job for the write limit, after the first `written` bytes. Asked why: out of paper
    // or with its cover open, the band it stopped in is completed with blank rows (as far as it takes them) and its
    // buffers are cleared; anything else (no answer, or "nothing wrong" from a printer that takes nothing) is a line in
    // doubt, closed, and the job may be on paper in part.
    private async Task<PrintOutcome> StalledAsync(PrintJob job, int written, CancellationToken cancellationToken)
    {
        if (await TryAskAsync(StatusKind.Offline, cancellationToken).ConfigureAwait(false) is { } offline && (offline & 0x24) != 0)
        {
            var padding = job.BandPadding(written);
            var padded = 0;
            if (padding.Length > 0)
            {
                try
                {
                    await transport.WriteAsync(padding, _timeouts.Status, cancellationToken).ConfigureAwait(false);
                    padded = padding.Length;
                }
                catch (PrinterStallException stall)
                {
                    // Its buffer is full: the clear below empties it, or (a printer that ignores the clear) the rest
                    // of the padding goes before the next job.
                    padded = stall.Written;
                }
                catch (Exception e) when (e is IOException or TimeoutException)
                {
                    _mayOweAnswer = true;
                    transport.Close();
                }
            }

            var cleared = await TryClearAsync(cancellationToken).ConfigureAwait(false);
            if (!cleared && padded < padding.Length)
            {
                _owedPadding = padding[padded..];
            }

            var after = await TryStatusAsync(cancellationToken).ConfigureAwait(false);
            var code = after is { CanPrint: false } ? after.Code : (offline & 0x04) != 0 ? "cover_open" : "paper_out";
            var problem = after is { CanPrint: false } ? after.Describe() : Messages.Both("terminal.printer." + code);
            return new PrintOutcome(false, Stopped(problem, cleared), code, Started: true, Status: after) { Uncertain = !cleared };
        }

        _mayOweAnswer = true;
        transport.Close();
        _owedPadding = job.BandPadding(written) is { Length: > 0 } owed ? owed : null;
        return new PrintOutcome(false, Messages.Both("terminal.printer.connection_lost", $"no data taken after {written} of {job.Bytes.Length} bytes"), "unreachable", Started: true) { Uncertain = true };
    }

    // What people are told of a job the printer stopped: when it did not confirm clearing the rest, that the rest may
    // print by itself once paper is in, and that the receipt comes again as a copy.
    private static string Stopped(string problem, bool cleared) =>
        cleared ? problem : $"{problem}; {Messages.Both("terminal.printer.clear_unconfirmed")}";

    // One real-time status byte, or null when none came (or the transport failed: the caller decides what to close).
    private async Task<byte?> TryAskAsync(StatusKind kind, CancellationToken cancellationToken)
    {
        try
        {
            await transport.DiscardInputAsync(cancellationToken).ConfigureAwait(false);
            await transport.WriteAsync(EscPos.StatusRequest(kind), _timeouts.Status, cancellationToken).ConfigureAwait(false);
            var one = new byte[1];
            if (await transport.ReadAsync(one, _timeouts.Status, cancellationToken).ConfigureAwait(false) == 1 && PrinterStatus.IsStatusByte(one[0]))
            {
                return one[0];
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            // Not answered: the same as no answer.
        }

        _mayOweAnswer = true;
        return null;
    }

    // The answer to a GS r 1 sent behind settings (bit 4 clear) within the status limit; status bytes nobody asked for
    // (real-time commands' bytes inside earlier data) are passed over.
    private async Task<bool> WaitForMarkerAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _timeouts.Status;
        var one = new byte[1];
        while (DateTime.UtcNow < deadline)
        {
            if (await transport.ReadAsync(one, deadline - DateTime.UtcNow, cancellationToken).ConfigureAwait(false) == 1 && (one[0] & 0x10) == 0)
            {
                return true;
            }
        }

        return false;
    }

    // Waits for the answer to GS r 1 (bit 4 clear), asking DLE EOT 2 (bit 4 set) each half second meanwhile, so that
    // a printer stopped by paper end or an open cover is seen at once instead of at the time limit. Printers obey
    // DLE EOT wherever it arrives, pixel data included: raster bytes 10 04 0n make them answer unasked. So a status
    // byte counts only while a request of ours is outstanding, and one that says "stopped" is asked again before it is
    // believed (an unasked answer can arrive while ours is outstanding, and ours then arrives after it).
    private async Task<bool> WaitForCompletionAsync(TimeSpan transfer, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _timeouts.Completion + transfer;
        var one = new byte[1];
        var outstanding = false; // one DLE EOT 2 at a time
        var doubt = false;       // an answer said stopped: a fresh request confirms it
        var done = false;
        while (DateTime.UtcNow < deadline)
        {
            if (await transport.ReadAsync(one, TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false) == 1)
            {
                if ((one[0] & 0x10) == 0)
                {
                    done = true;
                }
                else if (outstanding && PrinterStatus.IsStatusByte(one[0]))
                {
                    outstanding = false;
                    if ((one[0] & 0x64) != 0)
                    {
                        // Cover open (bit 2), stopped by paper end (bit 5) or an error (bit 6): believed when said twice.
                        if (doubt)
                        {
                            return false;
                        }

                        doubt = true;
                    }
                    else
                    {
                        doubt = false;
                    }
                }
                else
                {
                    // Unasked: from pixel bytes, or a late answer; the answers owed are no longer certain.
                    _mayOweAnswer = true;
                }

                if (done && !outstanding)
                {
                    return true;
                }

                if (!doubt || outstanding)
                {
                    continue;
                }
            }

            if (!outstanding && (!done || doubt))
            {
                await transport.WriteAsync(EscPos.StatusRequest(StatusKind.Offline), _timeouts.Write, cancellationToken).ConfigureAwait(false);
                outstanding = true;
            }
        }

        _mayOweAnswer |= outstanding || !done;
        return done;
    }

    // DLE DC4 8, then up to the clear limit for the printer's 37 25 00 (Epson: sent once the buffers are empty). True
    // only with that answer: many clones ignore the command and print the rest of a stopped job when paper is loaded.
    private async Task<bool> TryClearAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!transport.IsOpen)
            {
                return false;
            }

            await transport.WriteAsync(ClearBuffers, _timeouts.Status, cancellationToken).ConfigureAwait(false);
            var deadline = DateTime.UtcNow + _timeouts.Clear;
            var expected = EscPos.ClearedResponse();
            var matched = 0;
            var one = new byte[1];
            while (DateTime.UtcNow < deadline)
            {
                if (await transport.ReadAsync(one, deadline - DateTime.UtcNow, cancellationToken).ConfigureAwait(false) != 1)
                {
                    continue;
                }

                // Anything else that arrives meanwhile (a late status answer) is passed over.
                matched = one[0] == expected[matched] ? matched + 1 : one[0] == expected[0] ? 1 : 0;
                if (matched == expected.Length)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            transport.Close();
        }

        _mayOweAnswer = true;
        return false;
    }
}
