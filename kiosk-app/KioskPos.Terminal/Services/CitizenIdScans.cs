using System.Security.Cryptography;
using System.Text;
using KioskPos.Core.Identity;

namespace KioskPos.Terminal.Services;

/// <summary>
/// What a scan of a citizen-ID card's QR told the screens: a reference to look the patient up with
/// (<c>GET /api/v1/payers/by-citizen-id/{reference}</c>), or the catalogue key of why the scan was refused.
/// </summary>
/// <param name="Reference">Good for the last scan only, for <see cref="CitizenIdScans.Validity"/>; null when refused.</param>
/// <param name="Problem">The refusal's catalogue key (<c>imports.cccd.*</c>); null when the number was read.</param>
/// <param name="At">When the scan was taken.</param>
public sealed record CitizenIdScan(string? Reference, string? Problem, DateTimeOffset At);

/// <summary>
/// The last citizen-ID scan, wherever it came from (a 2D scanner through <see cref="ScanListener"/>, or
/// <c>POST /dev/scans</c> in simulation), handed to the screens. Of the card's QR only the 12-digit number is kept,
/// in memory, until the next scan or <see cref="Validity"/>; the screens are told a random reference instead, so the
/// number never crosses the event stream (which any page on the terminal may open). Nothing here is written or logged.
/// </summary>
public sealed class CitizenIdScans(TimeProvider time)
{
    /// <summary>The prefix of a scan's reference, which no citizen-ID number (12 digits) can start with.</summary>
    public const string ReferencePrefix = "scan-";

    /// <summary>How long a scan's reference finds the patient: long enough to look up and pay, no longer.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private (string Reference, string Number, long Timestamp)? _last;

    /// <summary>Raised after each scan (the screens' event stream).</summary>
    public event Action<CitizenIdScan>? Scanned;

    /// <summary>Reads a scanner's text; the number when it is a citizen-ID card's QR. The screens hear of it either way.</summary>
    public CitizenIdScan Take(string text, out string? number, out CitizenIdQr.Problem problem)
    {
        CitizenIdScan scan;
        if (CitizenIdQr.TryReadNumber(text, out var read, out problem))
        {
            number = read;
            var reference = ReferencePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            lock (_gate)
            {
                _last = (reference, read, time.GetTimestamp());
            }

            scan = new CitizenIdScan(reference, null, time.GetUtcNow());
        }
        else
        {
            number = null;
            scan = new CitizenIdScan(null, CitizenIdQr.MessageKey(problem), time.GetUtcNow());
        }

        Scanned?.Invoke(scan);
        return scan;
    }

    /// <summary>The number of the last scan when <paramref name="reference"/> is its reference and still good, else null.</summary>
    public string? Resolve(string reference)
    {
        lock (_gate)
        {
            return _last is { } last && time.GetElapsedTime(last.Timestamp) <= Validity &&
                CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(last.Reference), Encoding.ASCII.GetBytes(reference))
                ? last.Number
                : null;
        }
    }

    /// <summary>True when <paramref name="value"/> is written as a scan's reference rather than a number.</summary>
    public static bool IsReference(string? value) => value?.StartsWith(ReferencePrefix, StringComparison.Ordinal) == true;
}
