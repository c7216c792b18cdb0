namespace KioskPos.Firmware.Devices;

/// <summary>One code a 2D scanner read: the text it typed before its Enter.</summary>
/// <param name="Text">What was typed (printable ASCII; see <see cref="Readers.WedgeCharacters.Ascii"/>).</param>
/// <param name="At">When the Enter came.</param>
/// <param name="Scanner">Which scanner read it.</param>
public sealed record ScannedCode(string Text, DateTimeOffset At, string Scanner);

/// <summary>
/// A 2D (QR) scanner: the codes it reads, as text. Not a card reader — what a code means (a citizen-ID card's QR) is
/// the application's to decide, and nothing of it is a card UID.
/// </summary>
public interface ICodeScanner
{
    /// <summary>The scanner's name for diagnostics.</summary>
    string Name { get; }

    /// <summary>Yields each code read until <paramref name="cancellationToken"/> is cancelled.</summary>
    IAsyncEnumerable<ScannedCode> ReadAsync(CancellationToken cancellationToken);
}
