namespace KioskPos.Firmware.Readers;

/// <summary>What one poll of the field saw.</summary>
public enum FieldObservation
{
    /// <summary>Nothing answered.</summary>
    Empty,

    /// <summary>One card, identified.</summary>
    Card,

    /// <summary>Several cards at once.</summary>
    SeveralCards,

    /// <summary>Something answered but the exchange failed its checks: no evidence either way.</summary>
    Unclear,
}

/// <summary>What the reader should report after a poll.</summary>
public enum TapDecision
{
    /// <summary>Nothing new.</summary>
    None,

    /// <summary>A new card arrived: one tap.</summary>
    Tap,

    /// <summary>Several cards arrived: say "one card at a time", once.</summary>
    SeveralCards,
}

/// <summary>
/// Turns polls into taps. A card held on the reader is one tap; the same card is tapped again only after it has
/// been away for <c>removalPolls</c> polls in a row, so a card wobbling at the edge of the field is not two
/// payments. A failed exchange proves neither presence nor absence and changes nothing.
/// </summary>
/// <param name="removalPolls">Empty polls in a row that mean the card was taken away.</param>
public sealed class TapDebouncer(int removalPolls = 3)
{
    private string? _present;
    private int _misses;
    private bool _severalReported;

    /// <summary>The UID of the card on the reader, or null.</summary>
    public string? Present => _present;

    /// <summary>Takes one poll into account.</summary>
    public TapDecision Observe(FieldObservation observation, string? uid = null)
    {
        switch (observation)
        {
            case FieldObservation.Empty:
                if (++_misses >= removalPolls)
                {
                    _present = null;
                    _severalReported = false;
                }

                return TapDecision.None;
            case FieldObservation.SeveralCards:
                _misses = 0;
                if (_severalReported)
                {
                    return TapDecision.None;
                }

                _severalReported = true;
                return TapDecision.SeveralCards;
            case FieldObservation.Card:
                ArgumentException.ThrowIfNullOrEmpty(uid);
                _misses = 0;
                _severalReported = false;
                if (uid == _present)
                {
                    return TapDecision.None;
                }

                _present = uid;
                return TapDecision.Tap;
            default:
                return TapDecision.None;
        }
    }
}
