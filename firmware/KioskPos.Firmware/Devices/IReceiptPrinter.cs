using KioskPos.Core.Receipts;
using KioskPos.Firmware.Printing;

namespace KioskPos.Firmware.Devices;

/// <summary>What became of one attempt to print a document.</summary>
/// <param name="Printed">True only when the printer said afterwards that it printed the job, not merely that bytes were written.</param>
/// <param name="Problem">What stopped it (paper out, cover open, unreachable), for people.</param>
/// <param name="State">The printer's state code after the attempt: ready, paper_out, cover_open, offline, unreachable...</param>
/// <param name="Started">True when some of the job may have reached the paper (a partial print).</param>
/// <param name="Status">The printer's status as read during the attempt (null when it did not answer).</param>
public sealed record PrintOutcome(bool Printed, string? Problem, string State, bool Started = false, PrinterStatus? Status = null)
{
    /// <summary>The state of a document that cannot be encoded at all (the device untouched): printing it again would fail again.</summary>
    public const string Unprintable = "unprintable";

    /// <summary>
    /// True when the job may yet be on paper, in part or whole, without the printer having said so: the connection
    /// broke, the completion went unanswered, or the printer did not confirm clearing what it still held (many clones
    /// ignore <c>DLE DC4 8</c> and print the rest of a stopped job when paper is loaded). The next attempt is then a
    /// marked copy, and staff check what came out.
    /// </summary>
    public bool Uncertain { get; init; }
}

/// <summary>A receipt printer (ESC/POS over USB, serial or TCP).</summary>
public interface IReceiptPrinter
{
    /// <summary>The printer's name for diagnostics: transport and language.</summary>
    string Name { get; }

    /// <summary>Paper and text mode.</summary>
    PrinterLanguage Language { get; }

    /// <summary>Asks the printer its state now.</summary>
    /// <returns>The state, or null when the printer does not answer (unplugged, off).</returns>
    Task<PrinterStatus?> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>Prints a document: status before, the job, confirmation after. A printer problem is an outcome, not an exception.</summary>
    Task<PrintOutcome> PrintAsync(PrintDocument document, CancellationToken cancellationToken);

    /// <summary>
    /// Prints a document as <see cref="PrintAsync(PrintDocument, CancellationToken)"/>; a receipt opens the profile's cash
    /// drawer only when <paramref name="openDrawer"/> (false for copies, and for a retry after an attempt that reached
    /// the printer: its pulse may already have gone).
    /// </summary>
    Task<PrintOutcome> PrintAsync(PrintDocument document, bool openDrawer, CancellationToken cancellationToken);
}
