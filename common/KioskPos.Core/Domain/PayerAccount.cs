using KioskPos.Core.Money;

namespace KioskPos.Core.Domain;

/// <summary>Whether a payer is a pupil (school) or a patient (health facility).</summary>
public enum PayerKind
{
    /// <summary>A pupil or student.</summary>
    Pupil,

    /// <summary>A patient.</summary>
    Patient,
}

/// <summary>A pupil or patient who owes bills and may hold a card with a stored balance.</summary>
/// <param name="Code">The payer code (mã học sinh / mã bệnh nhân), unique in the province.</param>
/// <param name="Kind">Pupil or patient.</param>
/// <param name="FullName">The full name, in Vietnamese.</param>
/// <param name="Group">The class (lớp) of a pupil or the ward (khoa) of a patient.</param>
/// <param name="Balance">The card's stored value as last known from the province server.</param>
/// <param name="Blocked">True when the account's cards must not be accepted.</param>
/// <param name="CardUids">The UIDs of the cards issued to the payer, normalised (see <see cref="CardUid"/>).</param>
/// <param name="DeniedCardUids">Those cards on the province's deny list (lost, stolen, overdrawn).</param>
public sealed record PayerAccount(
    string Code,
    PayerKind Kind,
    string FullName,
    string? Group,
    Vnd Balance,
    bool Blocked,
    IReadOnlyList<string> CardUids,
    IReadOnlyList<string>? DeniedCardUids = null)
{
    /// <summary>True when <paramref name="uid"/> must be refused: the account is blocked or the card is deny-listed.</summary>
    public bool Refuses(string? uid) => Blocked || (uid is not null && DeniedCardUids?.Contains(uid, StringComparer.Ordinal) == true);
}
