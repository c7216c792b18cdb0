using System.Collections.Concurrent;
using KioskPos.Core.Domain;
using KioskPos.Core.VietQr;

namespace KioskPos.Terminal.Services;

/// <summary>The payment service's QR of a VietQR payment (payOS's), shown instead of the terminal's own.</summary>
/// <param name="Provider">The service, e.g. <c>payos</c>.</param>
/// <param name="Payload">Its VietQR payload.</param>
/// <param name="CheckoutUrl">Its checkout page, if any.</param>
public sealed record ProviderQr(string Provider, string Payload, string? CheckoutUrl);

/// <summary>
/// The payment services' QRs of the pending VietQR payments, in memory: after a restart a payment shows the
/// terminal's own QR again (the same account, amount and transfer code; see docs/operations.md for what each gives
/// the payer). A provider's QR is kept only when it is a valid VietQR for the institution's registered account and
/// exactly the amount due (<see cref="Accept"/>), so the province's answer can never send a payer elsewhere.
/// </summary>
public sealed class ProviderQrs
{
    private readonly ConcurrentDictionary<string, ProviderQr> _byPayment = new(StringComparer.Ordinal);

    /// <summary>The provider's QR of payment <paramref name="paymentId"/>, or null.</summary>
    public ProviderQr? Find(string paymentId) => _byPayment.GetValueOrDefault(paymentId);

    /// <summary>Keeps <paramref name="qr"/> for <paramref name="payment"/> when it pays <paramref name="account"/> exactly <paramref name="due"/> đồng; false (not kept) otherwise.</summary>
    public bool Accept(string payment, ProviderQr qr, ReceivingAccount account, long due)
    {
        if (!QrAccountGuard.IsRegistered(qr.Payload, account) || !VietQrParser.TryParse(qr.Payload, out var parsed, out _) || parsed.Amount != due)
        {
            return false;
        }

        _byPayment[payment] = qr;
        return true;
    }

    /// <summary>Forgets payment <paramref name="paymentId"/>'s (it ended).</summary>
    public void Forget(string paymentId) => _byPayment.TryRemove(paymentId, out _);
}
