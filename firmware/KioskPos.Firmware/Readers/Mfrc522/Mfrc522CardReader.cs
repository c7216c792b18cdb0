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

/// <summary>
/// An <see cref="ICardReader"/> on an MFRC522: polls the field with WUPA at <paramref name="pollInterval"/>, selects the
/// card, reads its stored number when configured, and reports each card once while it stays on the reader.
/// </summary>
/// <param name="chip">The initialised chip (see <see cref="Mfrc522.Initialise"/>).</param>
/// <param name="pollInterval">Time between polls (100 ms: a tap feels instant; the Pi stays idle between).</param>
/// <param name="time">The clock for tap times and delays.</param>
/// <param name="number">Where the card number is, or <see cref="CardNumberLocation.None"/>.</param>
/// <param name="removalPolls">Empty polls in a row that mean the card was taken away.</param>
/// <param name="logger">Diagnostics (UIDs are never logged whole).</param>
public sealed class Mfrc522CardReader(
    Mfrc522 chip, TimeSpan pollInterval, TimeProvider time, CardNumberLocation? number = null, int removalPolls = 3, ILogger? logger = null) : ICardReader
{
    private readonly Iso14443a _cards = new(chip);
    private readonly TapDebouncer _debouncer = new(removalPolls);
    private readonly CardNumberLocation _number = number ?? CardNumberLocation.None;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    // True when the last poll did not end with the field quiet (its card halted, or nothing there). At start nobody
    // knows what an earlier process left the cards in.
    private bool _unsettled = true;

    /// <inheritdoc />
    public string Name => $"mfrc522 ({chip.BusName})";

    /// <summary>The UID of the card on the reader (already reported), or null.</summary>
    public string? Present => _debouncer.Present;

    /// <summary>Polls so far.</summary>
    public long Polls { get; private set; }

    /// <inheritdoc />
    public async IAsyncEnumerable<CardRead> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        do
        {
            if (Poll() is { } read)
            {
                yield return read;
            }
        }
        while (await time.PauseAsync(pollInterval, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>One poll of the field; a tap or a problem to report, or null.</summary>
    public CardRead? Poll()
    {
        Polls++;
        var activation = _cards.Activate(wakeUp: true);
        if (activation.Outcome == ActivationOutcome.NoCard && _unsettled)
        {
            // The last poll ended without halting a card: one a failed exchange left READY takes this WUPA as an
            // error and goes back to IDLE (ISO/IEC 14443-3, figure 7). Wake it once more before calling the field
            // empty. A poll that halted its card, or found nothing, needs no second 25 ms wait.
            activation = _cards.Activate(wakeUp: true);
        }

        _unsettled = activation.Outcome is ActivationOutcome.MultipleCards or ActivationOutcome.Corrupted or ActivationOutcome.CardLeft;
        switch (activation.Outcome)
        {
            case ActivationOutcome.NoCard or ActivationOutcome.CardLeft:
                _debouncer.Observe(FieldObservation.Empty);
                return null;
            case ActivationOutcome.MultipleCards:
                return _debouncer.Observe(FieldObservation.SeveralCards) == TapDecision.SeveralCards
                    ? new CardRead(string.Empty, time.GetUtcNow(), Name) { Problem = CardProblem.MultipleCards }
                    : null;
            case ActivationOutcome.Corrupted:
                _logger.LogDebug("Reader {Reader}: {Detail}", Name, activation.Detail);
                _debouncer.Observe(FieldObservation.Unclear);
                return null;
        }

        // The number is read only from a card not yet reported; one still held is just seen again.
        var card = activation.Card!;
        string? cardNumber = null;
        if (card.UidHex != _debouncer.Present && !TryReadNumber(card, out cardNumber))
        {
            _unsettled = true;
            _debouncer.Observe(FieldObservation.Unclear);
            return new CardRead(string.Empty, time.GetUtcNow(), Name) { Type = card.Type, Problem = CardProblem.ReadFailed };
        }

        _cards.Halt();
        return _debouncer.Observe(FieldObservation.Card, card.UidHex) == TapDecision.Tap
            ? new CardRead(card.UidHex, time.GetUtcNow(), Name) { Type = card.Type, CardNumber = cardNumber }
            : null;
    }

    private bool TryReadNumber(ActivatedCard card, out string? cardNumber)
    {
        cardNumber = null;
        Span<byte> data = stackalloc byte[16];
        ReadOutcome outcome;
        switch (card.Type)
        {
            case CardType.MifareClassic1K or CardType.MifareClassic4K or CardType.MifareMini when _number.ClassicBlock is { } block:
                outcome = _cards.ReadClassicBlock(card, _number.KeyType, block, _number.Key, data);
                break;
            case CardType.Ultralight when _number.UltralightPage is { } page:
                outcome = _cards.ReadBlock(page, data);
                break;
            default:
                return true;
        }

        switch (outcome)
        {
            case ReadOutcome.Ok:
                cardNumber = ParseNumber(data);
                return true;
            case ReadOutcome.AuthenticationFailed when _cards.Activate(wakeUp: true).Card?.UidHex != card.UidHex:
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
