using KioskPos.Core.Domain;
using KioskPos.Core.VietQr;

namespace KioskPos.Terminal.Services;

/// <summary>
/// A paying QR is shown only for the institution's registered receiving account, the one the province server signed
/// in its pull answer (kept in the catalogue): a payment row whose QR names another account (a changed database, an
/// account replaced since) is never drawn, so nobody is sent to pay a stranger from the terminal's own screen.
/// </summary>
public static class QrAccountGuard
{
    /// <summary>True when <paramref name="payload"/> is a valid VietQR for exactly <paramref name="registered"/> (bank and account).</summary>
    public static bool IsRegistered(string? payload, ReceivingAccount? registered) =>
        registered is not null
        && VietQrParser.TryParse(payload, out var parsed, out _)
        && string.Equals(parsed.BankBin, registered.BankBin, StringComparison.Ordinal)
        && string.Equals(parsed.AccountNumber, registered.AccountNumber, StringComparison.Ordinal);

    /// <summary>The account's last four digits, as screens show and speak them.</summary>
    public static string LastDigits(string accountNumber) => accountNumber.Length <= 4 ? accountNumber : accountNumber[^4..];
}
