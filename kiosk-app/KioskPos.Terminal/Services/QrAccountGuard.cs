using KioskPos.Core.Domain;
using KioskPos.Core.VietQr;

namespace KioskPos.Terminal.Services;

/// <summary>
/// A paying QR is shown only for the institution's registered receiving account, the one the province server signed
/// in its pull answer (kept in the catalogue): a payment row whose QR names another account (a changed database, an
/// account replaced since) is never drawn, so nobody is sent to pay a stranger from the terminal's own screen. The
/// payload must also be canonical, dynamic and to an account (<see cref="PayingQr"/>): a payment service's answer
/// with a second merchant template (another network's 26, a second NAPAS 27) would let the payer's app choose it.
/// </summary>
public static class QrAccountGuard
{
    /// <summary>True when <paramref name="payload"/> is a canonical dynamic VietQR paying exactly <paramref name="registered"/> (bank and account) and nothing else.</summary>
    public static bool IsRegistered(string? payload, ReceivingAccount? registered) =>
        registered is not null && PayingQr.Pays(payload, registered.BankBin, registered.AccountNumber, out _);

    /// <summary>The account's last four digits, as screens show and speak them.</summary>
    public static string LastDigits(string accountNumber) => accountNumber.Length <= 4 ? accountNumber : accountNumber[^4..];
}
