namespace KioskPos.Firmware.Devices;

/// <summary>A receipt to print: its id (the payment id, or a report id) and its lines, already laid out.</summary>
/// <param name="JobId">Identifies the job; printing the same id again is a reprint.</param>
/// <param name="Lines">The text lines, NFC-normalised, at most the printer's column count each.</param>
/// <param name="QrPayload">A QR code to print after the lines (the VietQR of a provisional slip), if any.</param>
public sealed record PrintJob(string JobId, IReadOnlyList<string> Lines, string? QrPayload = null);

/// <summary>What became of a print job.</summary>
/// <param name="Printed">True only when the printer reported the job done, not merely that bytes were written.</param>
/// <param name="Problem">What stopped it (paper out, cover open, offline), for people.</param>
public sealed record PrintOutcome(bool Printed, string? Problem)
{
    /// <summary>The job printed.</summary>
    public static PrintOutcome Done { get; } = new(true, null);
}

/// <summary>A receipt printer (ESC/POS over USB, serial or TCP; the simulator).</summary>
public interface IReceiptPrinter
{
    /// <summary>The printer's name for diagnostics.</summary>
    string Name { get; }

    /// <summary>Columns of the standard font: 32 on 58 mm paper, 48 on 80 mm.</summary>
    int Columns { get; }

    /// <summary>Prints a job; a printer problem is an outcome, not an exception.</summary>
    Task<PrintOutcome> PrintAsync(PrintJob job, CancellationToken cancellationToken);
}
