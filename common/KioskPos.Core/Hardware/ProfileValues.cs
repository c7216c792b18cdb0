namespace KioskPos.Core.Hardware;

/// <summary>
/// The values a hardware profile's numbers may take, one rule for the terminal that runs a profile and the province
/// that checks one before pushing it; each problem starts with the profile's field.
/// </summary>
public static class ProfileValues
{
    /// <summary>The paper widths the printers take, as the messages name them.</summary>
    public const string PaperWidths = "58 or 80";

    /// <summary>
    /// True for a paper the printers take, in millimetres: 58 (384 dots) or 80 (576). The one rule for a profile's
    /// paperWidthMm, the Hardware:PaperWidthMm setting (at start and in <c>config set</c>) and <c>printer render --width</c>.
    /// </summary>
    public static bool IsPaperWidth(int millimetres) => millimetres is 58 or 80;

    /// <summary>Why <paramref name="millimetres"/> is no paper the printers take (<see cref="PaperWidths"/>), or null.</summary>
    public static string? PaperWidthProblem(int millimetres) =>
        IsPaperWidth(millimetres) ? null : $"paperWidthMm must be {PaperWidths}, not {millimetres}.";

    /// <summary>Why <paramref name="pin"/> is no pin of the printer's drawer connector (2 or 5), or null.</summary>
    public static string? CashDrawerPinProblem(int pin) =>
        pin is 2 or 5 ? null : $"cashDrawerPin must be 2 or 5 (the pins of the printer's drawer connector), not {pin}.";

    /// <summary>
    /// Why <paramref name="volume"/> is no announcement volume (0-100, 0 silent), or null. The speech engine would clamp
    /// anything else; a profile that says 150 or -5 is a mistake to report, not a volume to guess.
    /// </summary>
    public static string? SpeakerVolumeProblem(int volume) =>
        volume is >= 0 and <= 100 ? null : $"speakerVolume must be 0 to 100 (0: silent), not {volume}.";
}
