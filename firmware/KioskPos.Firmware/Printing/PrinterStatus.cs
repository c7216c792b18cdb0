using KioskPos.Core.Text;

namespace KioskPos.Firmware.Printing;

/// <summary>
/// A printer's state, decoded from its four real-time status bytes (<c>DLE EOT 1..4</c>). Each byte has bits 1 and 4
/// set and bits 0 and 7 clear; a byte without that pattern is not a status answer (<see cref="PrinterStatusException"/>).
/// </summary>
/// <param name="Offline">n=1 bit 3: the printer is offline.</param>
/// <param name="WaitingForRecovery">n=1 bit 5: waiting for online recovery.</param>
/// <param name="FeedButtonPressed">n=1 bit 6: the feed button is held.</param>
/// <param name="CoverOpen">n=2 bit 2: the cover is open.</param>
/// <param name="FeedingByButton">n=2 bit 3: paper is being fed by the button.</param>
/// <param name="PaperEndStop">n=2 bit 5: printing stopped at the paper end.</param>
/// <param name="ErrorOccurred">n=2 bit 6: an error occurred.</param>
/// <param name="RecoverableError">n=3 bit 2: a recoverable error.</param>
/// <param name="CutterError">n=3 bit 3: the auto-cutter failed.</param>
/// <param name="UnrecoverableError">n=3 bit 5: an unrecoverable error (power cycle, service).</param>
/// <param name="HeadTooHot">n=3 bit 6: an auto-recoverable error (the head is too hot; it resumes when cool).</param>
/// <param name="PaperNearEnd">n=4 bits 2-3: the roll is nearly used up.</param>
/// <param name="PaperOut">n=4 bits 5-6: no paper.</param>
public sealed record PrinterStatus(
    bool Offline,
    bool WaitingForRecovery,
    bool FeedButtonPressed,
    bool CoverOpen,
    bool FeedingByButton,
    bool PaperEndStop,
    bool ErrorOccurred,
    bool RecoverableError,
    bool CutterError,
    bool UnrecoverableError,
    bool HeadTooHot,
    bool PaperNearEnd,
    bool PaperOut)
{
    /// <summary>A printer with paper, cover closed, no error.</summary>
    public static PrinterStatus Ready { get; } = Decode(0x16, 0x12, 0x12, 0x12);

    /// <summary>True when a job sent now would print.</summary>
    public bool CanPrint => !Offline && !CoverOpen && !PaperOut && !PaperEndStop && !ErrorOccurred && !CutterError && !UnrecoverableError && !HeadTooHot;

    /// <summary>A short machine name of the state: ready, paper_out, cover_open, cutter_error, error, head_hot, offline (paper near end still prints: ready).</summary>
    public string Code => (PaperOut || PaperEndStop) ? "paper_out"
        : CoverOpen ? "cover_open"
        : CutterError ? "cutter_error"
        : UnrecoverableError ? "error"
        : HeadTooHot ? "head_hot"
        : ErrorOccurred || RecoverableError ? "error"
        : Offline ? "offline"
        : "ready";

    /// <summary>What a person is told: Vietnamese first, then English.</summary>
    public string Describe() => Messages.Both(Code switch
    {
        "paper_out" => "terminal.printer.paper_out",
        "cover_open" => "terminal.printer.cover_open",
        "cutter_error" => "terminal.printer.cutter_error",
        "head_hot" => "terminal.printer.head_hot",
        "error" => UnrecoverableError ? "terminal.printer.error_fatal" : "terminal.printer.error",
        "offline" => "terminal.printer.offline",
        _ => PaperNearEnd ? "terminal.printer.paper_near_end" : "terminal.printer.ready",
    });

    /// <summary>Decodes the answers to <c>DLE EOT 1</c>, <c>2</c>, <c>3</c> and <c>4</c>.</summary>
    /// <exception cref="PrinterStatusException">A byte is not a status answer.</exception>
    public static PrinterStatus Decode(byte printer, byte offline, byte error, byte paper)
    {
        Check(printer, StatusKind.Printer);
        Check(offline, StatusKind.Offline);
        Check(error, StatusKind.Error);
        Check(paper, StatusKind.Paper);
        return new PrinterStatus(
            Offline: Bit(printer, 3),
            WaitingForRecovery: Bit(printer, 5),
            FeedButtonPressed: Bit(printer, 6),
            CoverOpen: Bit(offline, 2),
            FeedingByButton: Bit(offline, 3),
            PaperEndStop: Bit(offline, 5),
            ErrorOccurred: Bit(offline, 6),
            RecoverableError: Bit(error, 2),
            CutterError: Bit(error, 3),
            UnrecoverableError: Bit(error, 5),
            HeadTooHot: Bit(error, 6),
            PaperNearEnd: (paper & 0x0C) != 0,
            PaperOut: (paper & 0x60) != 0);
    }

    /// <summary>True when <paramref name="value"/> has the fixed bits of a status answer (bits 1 and 4 set, 0 and 7 clear).</summary>
    public static bool IsStatusByte(byte value) => (value & 0x93) == 0x12;

    private static void Check(byte value, StatusKind kind)
    {
        if (!IsStatusByte(value))
        {
            throw new PrinterStatusException($"0x{value:X2} is not an answer to DLE EOT {(int)kind} (bits 1 and 4 set, 0 and 7 clear)");
        }
    }

    private static bool Bit(byte value, int bit) => (value & (1 << bit)) != 0;
}

/// <summary>The printer answered a status request with something that is not a status byte, or not at all.</summary>
public sealed class PrinterStatusException(string message, Exception? inner = null) : IOException(message, inner);
