using System.Runtime.CompilerServices;
using System.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Firmware.Readers.Iso14443;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KioskPos.Firmware.Readers.Mfrc522;

/// <summary>Where a card number is stored on the card, when the issuer wrote one (ASCII, padded with 0x00 or spaces).</summary>
/// <param name="ClassicBlock">MIFARE Classic block holding it, or null.</param>
/// <param name="KeyType">Which key opens that block's sector.</param>
/// <param name="Key">The 6-byte key (from configuration; never logged).</param>
/// <param name="UltralightPage">First Ultralight/NTAG page holding it, or null.</param>
public sealed record CardNumberLocation(byte? ClassicBlock, MifareKeyType KeyType, byte[] Key, byte? UltralightPage)
{
    /// <summary>No number on the cards: the UID is the identity.</summary>
    public static CardNumberLocation None { get; } = new(null, MifareKeyType.A, [], null);
}

/// <summary>The reader could not be opened, or stopped answering: it is opened again on the next read.</summary>
public sealed class ReaderUnavailableException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// An <see cref="ICardReader"/> on an MFRC522: polls the field with WUPA at a poll interval, selects the card, reads
/// its stored number when configured, and reports each card once while it stays on the reader. Handed a way to open
/// the chip, it opens it at the first poll and again after a failure, so a reader missing at start (unwired, SPI off,
/// no access to the GPIO of its reset pin) is a reader the terminal does without until it answers. A chip that starts
/// failing every exchange is checked for a reset or a brown-out, and set up again.
/// </summary>
public sealed class Mfrc522CardReader : ICardReader, IDisposable
{
    /// <summary>Failed polls in a row (the chip timed out or answered nonsense) after which the chip's set-up is read back.</summary>
    public const int CheckAfterFailedPolls = 3;

    private readonly Func<Mfrc522>? _open;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;
    private readonly TapDebouncer _debouncer;
    private readonly CardNumberLocation _number;
    private readonly ILogger _logger;
    private Mfrc522? _chip;
    private Iso14443a? _cards;
    private bool _initialised;
    private int _failedPolls;
    private volatile ReaderHealth _health;

    // True when the last poll did not end with the field quiet (its card halted, or nothing there). At start nobody
    // knows what an earlier process left the cards in.
    private bool _unsettled = true;

    /// <summary>A reader on a chip the caller opened and initialised (see <see cref="Mfrc522.Initialise"/>) and disposes.</summary>
    /// <param name="chip">The initialised chip.</param>
    /// <param name="pollInterval">Time between polls (100 ms: a tap feels instant; the Pi stays idle between).</param>
    /// <param name="time">The clock for tap times and delays.</param>
    /// <param name="number">Where the card number is, or <see cref="CardNumberLocation.None"/>.</param>
    /// <param name="removalPolls">Empty polls in a row that mean the card was taken away.</param>
    /// <param name="logger">Diagnostics (UIDs are never logged whole).</param>
    public Mfrc522CardReader(Mfrc522 chip, TimeSpan pollInterval, TimeProvider time, CardNumberLocation? number = null, int removalPolls = 3, ILogger? logger = null)
        : this(null, chip.BusName, pollInterval, time, number, removalPolls, logger)
    {
        _chip = chip;
        _cards = new Iso14443a(chip);
        _initialised = true;
        _health = new ReaderHealth(ReaderState.Ready, time.GetUtcNow());
    }

    /// <summary>
    /// A reader that opens its chip with <paramref name="open"/> at the first poll, initialises it, and owns it: after a
    /// failure it is disposed and opened again at the next read.
    /// </summary>
    /// <param name="busName">Where the chip is (<see cref="Mfrc522.BusNameOf"/>), for its name before it is open.</param>
    /// <param name="open">Opens the chip on its bus (and its reset pin); throws as the devices do when it cannot.</param>
    /// <param name="pollInterval">Time between polls.</param>
    /// <param name="time">The clock for tap times and delays.</param>
    /// <param name="number">Where the card number is, or <see cref="CardNumberLocation.None"/>.</param>
    /// <param name="removalPolls">Empty polls in a row that mean the card was taken away.</param>
    /// <param name="logger">Diagnostics (UIDs are never logged whole).</param>
    public Mfrc522CardReader(string busName, Func<Mfrc522> open, TimeSpan pollInterval, TimeProvider time, CardNumberLocation? number = null, int removalPolls = 3, ILogger? logger = null)
        : this(open ?? throw new ArgumentNullException(nameof(open)), busName, pollInterval, time, number, removalPolls, logger)
    {
    }

    private Mfrc522CardReader(Func<Mfrc522>? open, string busName, TimeSpan pollInterval, TimeProvider time, CardNumberLocation? number, int removalPolls, ILogger? logger)
    {
        Name = $"mfrc522 ({busName})";
        _open = open;
        _pollInterval = pollInterval;
        _time = time;
        _debouncer = new TapDebouncer(removalPolls);
        _number = number ?? CardNumberLocation.None;
        _logger = logger ?? NullLogger.Instance;
        _health = new ReaderHealth(ReaderState.Opening, time.GetUtcNow());
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ReaderHealth Health => _health;

    /// <summary>The UID of the card on the reader (already reported), or null.</summary>
    public string? Present => _debouncer.Present;

    /// <summary>Polls so far.</summary>
    public long Polls { get; private set; }

    /// <inheritdoc />
    /// <exception cref="ReaderUnavailableException">The chip could not be opened or stopped answering; read again to reopen it.</exception>
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        do
        {
            if (Poll() is { } read)
            {
                yield return read;
            }
        }
        while (await _time.PauseAsync(_pollInterval, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>One poll of the field (opening and initialising the chip first when it is not); a tap or a problem to report, or null.</summary>
    /// <exception cref="ReaderUnavailableException">The chip could not be opened or stopped answering; the next poll opens it again.</exception>
    public CardRead? Poll()
    {
        try
        {
            Open();
            return PollOpen(_chip!, _cards!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException or TimeoutException)
        {
            Close();
            var problem = $"{Name}: {e.Message}";
            _health = _health with { State = ReaderState.Unavailable, Since = _health.State == ReaderState.Unavailable ? _health.Since : _time.GetUtcNow(), Problem = problem };
            throw new ReaderUnavailableException(problem, e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_open is not null)
        {
            _chip?.Dispose();
            _chip = null;
        }
    }

    private void Open()
    {
        if (_chip is null)
        {
            _chip = _open!();
            _cards = new Iso14443a(_chip);
        }

        if (!_initialised)
        {
            _chip.Initialise(_chip.ConfiguredGain);
            _initialised = true;
            _unsettled = true;
            _failedPolls = 0;
            _logger.LogInformation("Reader {Reader}: {Chip} ready", Name, _chip.VersionName);
            _health = _health with { State = ReaderState.Ready, Since = _time.GetUtcNow(), Problem = null };
        }
    }

    // A chip this reader opened is let go (its bus and reset pin closed) and opened anew; one it was handed is set up
    // again on the same bus.
    private void Close()
    {
        _initialised = false;
        if (_open is not null)
        {
            _chip?.Dispose();
            _chip = null;
            _cards = null;
        }
    }

    private CardRead? PollOpen(Mfrc522 chip, Iso14443a cards)
    {
        Polls++;
        var activation = cards.Activate(wakeUp: true);
        if (activation.Outcome == ActivationOutcome.NoCard && _unsettled)
        {
            // The last poll ended without halting a card: one a failed exchange left READY takes this WUPA as an
            // error and goes back to IDLE (ISO/IEC 14443-3, figure 7). Wake it once more before calling the field
            // empty. A poll that halted its card, or found nothing, needs no second 25 ms wait.
            activation = cards.Activate(wakeUp: true);
        }

        _unsettled = activation.Outcome is ActivationOutcome.MultipleCards or ActivationOutcome.Corrupted or ActivationOutcome.CardLeft;
        _failedPolls = activation.Outcome == ActivationOutcome.Corrupted ? _failedPolls + 1 : 0;
        switch (activation.Outcome)
        {
            case ActivationOutcome.NoCard or ActivationOutcome.CardLeft:
                _debouncer.Observe(FieldObservation.Empty);
                return null;
            case ActivationOutcome.MultipleCards:
                return _debouncer.Observe(FieldObservation.SeveralCards) == TapDecision.SeveralCards
                    ? new CardRead(string.Empty, _time.GetUtcNow(), Name) { Problem = CardProblem.MultipleCards }
                    : null;
            case ActivationOutcome.Corrupted:
                _logger.LogDebug("Reader {Reader}: {Detail}", Name, activation.Detail);
                _debouncer.Observe(FieldObservation.Unclear);
                if (_failedPolls >= CheckAfterFailedPolls)
                {
                    _failedPolls = 0;
                    CheckSetUp(chip);
                }

                return null;
        }

        // The number is read only from a card not yet reported; one still held is just seen again.
        var card = activation.Card!;
        string? cardNumber = null;
        if (card.UidHex != _debouncer.Present && !TryReadNumber(cards, card, out cardNumber))
        {
            _unsettled = true;
            _debouncer.Observe(FieldObservation.Unclear);
            return new CardRead(string.Empty, _time.GetUtcNow(), Name) { Type = card.Type, Problem = CardProblem.ReadFailed };
        }

        cards.Halt();
        return _debouncer.Observe(FieldObservation.Card, card.UidHex) == TapDecision.Tap
            ? new CardRead(card.UidHex, _time.GetUtcNow(), Name) { Type = card.Type, CardNumber = cardNumber }
            : null;
    }

    // Polls that all time out or come back garbled are a card held badly, noise, or a chip that was reset (a brown-out
    // of its 3.3 V, a glitch on NRSTPD) and has lost its timer and antenna set-up: then nothing is ever read again
    // until it is set up anew. Three register reads tell which.
    private void CheckSetUp(Mfrc522 chip)
    {
        if (chip.CheckSetUp() is not { } found)
        {
            return;
        }

        _logger.LogWarning("Reader {Reader}: the chip lost its set-up ({Found}): it was reset or browned out; setting it up again", Name, found);

        // A chip gone from the bus (version 00h or FFh) throws here: the reader is unavailable until it answers again.
        chip.Initialise(chip.ConfiguredGain);
        _unsettled = true;
        _health = _health with { Recoveries = _health.Recoveries + 1, LastRecoveryAt = _time.GetUtcNow(), LastRecoveryFound = found };
    }

    private bool TryReadNumber(Iso14443a cards, ActivatedCard card, out string? cardNumber)
    {
        cardNumber = null;
        Span<byte> data = stackalloc byte[16];
        ReadOutcome outcome;
        switch (card.Type)
        {
            case CardType.MifareClassic1K or CardType.MifareClassic4K or CardType.MifareMini when _number.ClassicBlock is { } block:
                outcome = cards.ReadClassicBlock(card, _number.KeyType, block, _number.Key, data);
                break;
            case CardType.Ultralight when _number.UltralightPage is { } page:
                outcome = cards.ReadBlock(page, data);
                break;
            default:
                return true;
        }

        switch (outcome)
        {
            case ReadOutcome.Ok:
                cardNumber = ParseNumber(data);
                return true;
            case ReadOutcome.AuthenticationFailed when cards.Activate(wakeUp: true).Card?.UidHex != card.UidHex:
                // A refused key and a card gone both end in silence: only a card still there refused the key.
                _logger.LogInformation("Reader {Reader}: the card left while it was authenticated", Name);
                return false;
            case ReadOutcome.AuthenticationFailed or ReadOutcome.Refused:
                // Not one of the issuer's cards (another key): the UID alone identifies it.
                _logger.LogInformation("Reader {Reader}: the card's number block could not be opened ({Outcome}); UID only", Name, outcome);
                return true;
            default:
                _logger.LogInformation("Reader {Reader}: the card left or answered wrongly while its number was read ({Outcome})", Name, outcome);
                return false;
        }
    }

    /// <summary>The printable ASCII number in a block, trimmed of 0x00 and spaces; null when there is none.</summary>
    public static string? ParseNumber(ReadOnlySpan<byte> data)
    {
        var text = Encoding.ASCII.GetString(data).Trim('\0', ' ');
        return text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? text : null;
    }
}
