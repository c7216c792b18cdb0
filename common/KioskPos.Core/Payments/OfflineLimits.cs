using KioskPos.Core.Money;

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
            return Refuse("offline_too_long",
                $"Máy đã mất kết nối với máy chủ quá {Hours(policy.MaxSinceSync)}; chỉ nhận thanh toán bằng thẻ khi có mạng trở lại.",
                $"The terminal has been offline for more than {Hours(policy.MaxSinceSync)}; card payments resume when the network returns.");
        }

        if (exposure.DenyListAge is not { } age || age > policy.MaxDenyListAge)
        {
            return Refuse("offline_deny_list_stale",
                $"Danh sách thẻ bị khóa đã cũ hơn {Hours(policy.MaxDenyListAge)}; cần kết nối máy chủ để thanh toán bằng thẻ.",
                $"The blocked-card list is older than {Hours(policy.MaxDenyListAge)}; card payments need the server.");
        }

        if (exposure.Amount > policy.MaxPerPayment)
        {
            return Refuse("offline_payment_limit",
                $"Đang mất kết nối: mỗi lần thanh toán bằng thẻ tối đa {policy.MaxPerPayment}.",
                $"Offline, one card payment may be at most {policy.MaxPerPayment}.");
        }

        if (exposure.CardOfflineToday + exposure.Amount > policy.MaxPerCardPerDay)
        {
            return Refuse("offline_card_daily_limit",
                $"Đang mất kết nối: thẻ này đã thanh toán {exposure.CardOfflineToday} hôm nay, hạn mức {policy.MaxPerCardPerDay} mỗi ngày.",
                $"Offline, this card has paid {exposure.CardOfflineToday} today; the limit is {policy.MaxPerCardPerDay} a day.");
        }

        if (exposure.UnsyncedOfflineTotal + exposure.Amount > policy.MaxUnsyncedTotal)
        {
            return Refuse("offline_terminal_limit",
                $"Đang mất kết nối: máy đã giữ {exposure.UnsyncedOfflineTotal} chưa gửi về máy chủ, hạn mức {policy.MaxUnsyncedTotal}.",
                $"Offline, the terminal holds {exposure.UnsyncedOfflineTotal} not yet sent; the limit is {policy.MaxUnsyncedTotal}.");
        }

        return null;
    }

    private static PaymentRefusal Refuse(string code, string vietnamese, string english) => new(code, vietnamese, english, RefusalKind.Refused);

    private static string Hours(TimeSpan span) => span.TotalHours >= 1 ? $"{span.TotalHours:0.#} giờ" : $"{span.TotalMinutes:0} phút";
}
