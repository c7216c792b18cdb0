using KioskPos.Core.Domain;

namespace KioskPos.Terminal.Services;

/// <summary>The last card tapped on this terminal, and when.</summary>
/// <param name="Uid">Normalised UID.</param>
/// <param name="At">When it was read.</param>
/// <param name="AccountCode">The payer it belongs to, or null for an unknown card.</param>
/// <param name="Blocked">The card is on the deny list (or its account refuses it).</param>
/// <param name="Reference">
/// What an unauthenticated screen (the kiosk) is told instead of the UID: random, given when the tap is recorded, good
/// for this tap only (the payer's lookup and one payment) and dead at the next tap or once the payment used it.
/// </param>
public sealed record CardTap(string Uid, DateTimeOffset At, string? AccountCode, bool Blocked = false, string? Reference = null);

/// <summary>
/// Which card is on the reader for payment purposes. A card-balance payment needs the card tapped within
/// <see cref="TerminalOptions.CardTapValidity"/>, and so does any payment or top-up that names a card by its UID with
/// no staff signed in; the tap is used up by the payment it authorised, so one tap pays once.
/// </summary>
public sealed class CardPresence(TimeProvider time)
{
    private readonly Lock _gate = new();
    private CardTap? _last;
    private long _lastTimestamp;
    private long _taps;
    private (KioskPos.Firmware.Devices.CardProblem, DateTimeOffset)? _problem;

    /// <summary>The last tap, whatever its age.</summary>
    public CardTap? Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>The last problem a reader reported ("one card at a time", a card pulled away mid-read), and when.</summary>
    public (KioskPos.Firmware.Devices.CardProblem Problem, DateTimeOffset At)? LastProblem
    {
        get
        {
            lock (_gate)
            {
                return _problem;
            }
        }
    }

    /// <summary>Raised after a reader reported a problem (the buzzer, the screens).</summary>
    public event Action<KioskPos.Firmware.Devices.CardProblem>? ProblemReported;

    /// <summary>Records a reader's problem for the screens.</summary>
    public void ReportProblem(KioskPos.Firmware.Devices.CardProblem problem, DateTimeOffset at)
    {
        lock (_gate)
        {
            _problem = (problem, at);
        }

        ProblemReported?.Invoke(problem);
    }

    /// <summary>How many taps since start.</summary>
    public long Taps => Interlocked.Read(ref _taps);

    /// <summary>Raised after each tap is recorded (screens, the dev endpoint).</summary>
    public event Action<CardTap>? Tapped;

    /// <summary>The prefix of a tap's <see cref="CardTap.Reference"/>, which no card UID (hex) can start with.</summary>
    public const string ReferencePrefix = "tap-";

    /// <summary>Records a tap, giving it a fresh <see cref="CardTap.Reference"/>.</summary>
    public void Record(CardTap tap)
    {
        tap = tap with { Reference = ReferencePrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)) };
        lock (_gate)
        {
            _last = tap;

            // The validity window runs on the monotonic timestamp, not on wall time: the wall clock may jump by
            // hours when the first sync corrects it, and a tap must not stay valid (or expire) because of that.
            _lastTimestamp = time.GetTimestamp();
            _taps++;
        }

        Tapped?.Invoke(tap);
    }

    /// <summary>True when <paramref name="uid"/> was tapped within <paramref name="validity"/> and not yet used.</summary>
    public bool IsPresented(string uid, TimeSpan validity)
    {
        lock (_gate)
        {
            return _last is { } tap && tap.Uid == uid && time.GetElapsedTime(_lastTimestamp) <= validity;
        }
    }

    /// <summary>Uses up the tap of <paramref name="uid"/>, after the payment it authorised was committed.</summary>
    public void Consume(string uid)
    {
        lock (_gate)
        {
            if (_last?.Uid == uid)
            {
                _last = null;
            }
        }
    }

    /// <summary>The UID of the last tap when <paramref name="reference"/> is its reference (unused yet), else null.</summary>
    public string? Resolve(string? reference)
    {
        if (reference is null || !reference.StartsWith(ReferencePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        lock (_gate)
        {
            return _last is { Reference: { } current } tap &&
                System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(current), System.Text.Encoding.ASCII.GetBytes(reference))
                ? tap.Uid
                : null;
        }
    }

    /// <summary>True when <paramref name="value"/> is written as a tap's reference rather than a UID.</summary>
    public static bool IsReference(string? value) => value?.StartsWith(ReferencePrefix, StringComparison.Ordinal) == true;

    /// <summary>Normalises a UID or returns null.</summary>
    public static string? Normalise(string? uid) => CardUid.TryNormalise(uid, out var normalised) ? normalised : null;
}
