using KioskPos.Core.Domain;
using KioskPos.Core.Money;

namespace KioskPos.Core.Payments;

/// <summary>
/// How much money one account may hold and be given in a day (Vietnam's local day), set by the province per
/// institution type: the balance is money paid in advance to the institution, not a wallet, so it is kept small.
/// The kiosk refuses a top-up above them; money that arrives above them anyway (from home, or twice) is credited
/// and its excess flagged for refund (<see cref="Excess"/>), never lost.
/// </summary>
/// <param name="MaxBalance">The most the account's balance may be after a top-up.</param>
/// <param name="MaxPerDay">The most that may be put on the account in one day.</param>
public sealed record TopUpLimits(Vnd MaxBalance, Vnd MaxPerDay)
{
    /// <summary>The smallest top-up the kiosk offers.</summary>
    public static readonly Vnd MinAmount = new(10_000);

    /// <summary>The amounts the kiosk offers with one touch.</summary>
    public static IReadOnlyList<long> Presets { get; } = [50_000, 100_000, 200_000, 500_000];

    /// <summary>The limits when the province has set none for the type: a school's small, a hospital's deposit-sized.</summary>
    public static TopUpLimits DefaultFor(InstitutionType type) => type.IsSchool()
        ? new TopUpLimits(new Vnd(2_000_000), new Vnd(1_000_000))
        : new TopUpLimits(new Vnd(20_000_000), new Vnd(10_000_000));

    /// <summary>Why a top-up of <paramref name="amount"/> must not be offered, or null when it may.</summary>
    /// <param name="amount">What the payer asks to put on the card.</param>
    /// <param name="balance">The account's balance now.</param>
    /// <param name="toppedUpToday">What was put on it today already (or is waiting for the bank at this terminal).</param>
    public PaymentRefusal? Check(Vnd amount, Vnd balance, Vnd toppedUpToday)
    {
        if (amount < MinAmount)
        {
            return PaymentRefusal.Of("top_up_below_minimum", "top_up.refused.below_minimum", RefusalKind.Invalid, MinAmount.ToString());
        }

        // Over both limits, the tighter one is named: the "at most … more" it gives is what may really be added (the
        // counter said 13.500.000 ₫ more to the balance's limit under a day's limit of 10.000.000 ₫).
        var balanceRoom = (MaxBalance - balance).Value;
        var dayRoom = (MaxPerDay - toppedUpToday).Value;
        if (balance + amount > MaxBalance && (toppedUpToday + amount <= MaxPerDay || balanceRoom <= dayRoom))
        {
            return PaymentRefusal.Of("top_up_over_max_balance", "top_up.refused.max_balance", RefusalKind.Invalid,
                MaxBalance.ToString(), balance.ToString(), new Vnd(Math.Max(0, (MaxBalance - balance).Value)).ToString());
        }

        if (toppedUpToday + amount > MaxPerDay)
        {
            return PaymentRefusal.Of("top_up_over_daily_limit", "top_up.refused.max_per_day", RefusalKind.Invalid,
                MaxPerDay.ToString(), toppedUpToday.ToString(), new Vnd(Math.Max(0, (MaxPerDay - toppedUpToday).Value)).ToString());
        }

        return null;
    }

    /// <summary>
    /// Of <paramref name="credit"/> just credited, the part above the limits (to be refunded): whichever limit it
    /// passes by more, never more than the credit.
    /// </summary>
    public Vnd Excess(Vnd credit, Vnd balanceBefore, Vnd toppedUpTodayBefore)
    {
        var overBalance = (balanceBefore + credit - MaxBalance).Value;
        var overDay = (toppedUpTodayBefore + credit - MaxPerDay).Value;
        return new Vnd(Math.Clamp(Math.Max(overBalance, overDay), 0, credit.Value));
    }
}
