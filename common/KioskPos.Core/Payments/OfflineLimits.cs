using System.Globalization;
using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Payments;

/// <summary>The limits within which a terminal may take card payments while the province server is unreachable.</summary>
/// <param name="MaxPerPayment">The most one offline payment may be.</param>
/// <param name="MaxPerCardPerDay">The most one card may pay offline in a day at this terminal.</param>
/// <param name="MaxUnsyncedTotal">The most the terminal may hold in offline payments not yet at the server.</param>
/// <param name="MaxSinceSync">No offline payment once the last successful sync is older than this.</param>
/// <param name="MaxDenyListAge">No offline payment once the blocked-card list is older than this.</param>
public sealed record OfflinePolicy(Vnd MaxPerPayment, Vnd MaxPerCardPerDay, Vnd MaxUnsyncedTotal, TimeSpan MaxSinceSync, TimeSpan MaxDenyListAge);

/// <summary>What the terminal knows when it decides on an offline payment.</summary>
/// <param name="Amount">The payment.</param>
/// <param name="CardOfflineToday">What this card already paid offline today at this terminal.</param>
/// <param name="UnsyncedOfflineTotal">Offline payments this terminal holds that the server does not have yet.</param>
/// <param name="SinceLastSync">Time since the last successful sync (null: never synced).</param>
/// <param name="DenyListAge">Age of the blocked-card list (null: never pulled).</param>
public sealed record OfflineExposure(Vnd Amount, Vnd CardOfflineToday, Vnd UnsyncedOfflineTotal, TimeSpan? SinceLastSync, TimeSpan? DenyListAge);

/// <summary>Decides whether an offline card payment is within the terminal's limits; each refusal says why, in Vietnamese.</summary>
public static class OfflineLimits
{
    /// <summary>Null when the payment may be taken offline; otherwise why not.</summary>
    public static PaymentRefusal? Check(OfflinePolicy policy, OfflineExposure exposure)
    {
        if (exposure.SinceLastSync is not { } since || since > policy.MaxSinceSync)
        {
            return Refuse("offline_too_long", "payment.offline.too_long", policy.MaxSinceSync);
        }

        if (exposure.DenyListAge is not { } age || age > policy.MaxDenyListAge)
        {
            return Refuse("offline_deny_list_stale", "payment.offline.deny_list_stale", policy.MaxDenyListAge);
        }

        if (exposure.Amount > policy.MaxPerPayment)
        {
            return PaymentRefusal.Of("offline_payment_limit", "payment.offline.payment_limit", RefusalKind.Refused, policy.MaxPerPayment.ToString());
        }

        if (exposure.CardOfflineToday + exposure.Amount > policy.MaxPerCardPerDay)
        {
            return PaymentRefusal.Of("offline_card_daily_limit", "payment.offline.card_daily_limit", RefusalKind.Refused, exposure.CardOfflineToday.ToString(), policy.MaxPerCardPerDay.ToString());
        }

        if (exposure.UnsyncedOfflineTotal + exposure.Amount > policy.MaxUnsyncedTotal)
        {
            return PaymentRefusal.Of("offline_terminal_limit", "payment.offline.terminal_limit", RefusalKind.Refused, exposure.UnsyncedOfflineTotal.ToString(), policy.MaxUnsyncedTotal.ToString());
        }

        return null;
    }

    // A refusal naming a duration, written in each language's own unit.
    private static PaymentRefusal Refuse(string code, string key, TimeSpan span) =>
        new(code, Messages.Vi(key, Duration(span, Language.Vi)), Messages.En(key, Duration(span, Language.En)), RefusalKind.Refused);

    private static string Duration(TimeSpan span, Language language) => span.TotalHours >= 1
        ? Messages.Format("payment.duration.hours", language, span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture))
        : Messages.Format("payment.duration.minutes", language, span.TotalMinutes.ToString("0", CultureInfo.InvariantCulture));
}
