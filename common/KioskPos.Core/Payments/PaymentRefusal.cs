using KioskPos.Core.Text;

namespace KioskPos.Core.Payments;

/// <summary>Why a payment cannot be taken, with the message for the person at the screen.</summary>
/// <param name="Code">A stable machine-readable code, e.g. <c>insufficient_balance</c>.</param>
/// <param name="Vietnamese">The message in Vietnamese (shown first).</param>
/// <param name="English">The same message in English.</param>
/// <param name="Kind">Which HTTP-like class of error it is.</param>
/// <param name="PaymentId">
/// The payment the refusal is about, when it names one the screen can act on: the live VietQR offer of
/// <see cref="QrOfferPending"/>, which the screen withdraws before it pays again.
/// </param>
public sealed record PaymentRefusal(string Code, string Vietnamese, string English, RefusalKind Kind, string? PaymentId = null)
{
    /// <summary>A refusal whose texts are the catalogue entry <paramref name="key"/>, formatted with <paramref name="args"/>.</summary>
    public static PaymentRefusal Of(string code, string key, RefusalKind kind, params object?[] args) =>
        new(code, Messages.Vi(key, args), Messages.En(key, args), kind);

    /// <summary>A request that does not make sense, said by the catalogue entry <paramref name="key"/>.</summary>
    public static PaymentRefusal InvalidRequest(string key, params object?[] args) => Of("invalid_request", key, RefusalKind.Invalid, args);

    /// <summary>The card is not known to this terminal.</summary>
    public static PaymentRefusal CardNotRecognised(string uid) => Of("card_not_recognised", "payment.card_not_recognised", RefusalKind.NotFound, uid);

    /// <summary>The payer code is not known to this terminal.</summary>
    public static PaymentRefusal PayerNotFound(string code) => Of("payer_not_found", "payment.payer_not_found", RefusalKind.NotFound, code);

    /// <summary>The account's cards are blocked.</summary>
    public static PaymentRefusal CardBlocked() => Of("card_blocked", "payment.card_blocked", RefusalKind.Refused);

    /// <summary>The balance does not cover the amount.</summary>
    public static PaymentRefusal InsufficientBalance(string available, string requested) => Of("insufficient_balance", "payment.insufficient_balance", RefusalKind.Refused, available, requested);

    /// <summary>A bill that is not open for this payer, the reason being the catalogue entry <paramref name="reasonKey"/>.</summary>
    public static PaymentRefusal BillNotPayable(string billId, string reasonKey, params object?[] reasonArgs) => new(
        "bill_not_payable",
        Messages.Vi("payment.bill_not_payable", billId, Messages.Vi(reasonKey, reasonArgs)),
        Messages.En("payment.bill_not_payable", billId, Messages.En(reasonKey, reasonArgs)),
        RefusalKind.Refused);

    /// <summary>A method this terminal cannot take yet.</summary>
    public static PaymentRefusal MethodNotAvailable(string method) => Of("method_not_available", "payment.method_not_available", RefusalKind.Refused, method);

    /// <summary>VietQR cannot be offered: the institution has no receiving account yet, or the terminal has not synced its tag.</summary>
    public static PaymentRefusal VietQrUnavailable() => Of("vietqr_unavailable", "payment.vietqr_unavailable", RefusalKind.Refused);

    /// <summary>
    /// The bills have a VietQR offer at this terminal still waiting for the bank, its QR not expired: paid another way now,
    /// they could be paid twice (the QR paid as well, the money counted twice until the province refunds it). The offer
    /// (<paramref name="paymentId"/>, for <paramref name="amount"/>) is withdrawn first, then the payment goes through.
    /// </summary>
    public static PaymentRefusal QrOfferPending(string paymentId, string amount) =>
        Of("qr_offer_pending", "payment.qr_offer_pending", RefusalKind.Conflict, paymentId, amount) with { PaymentId = paymentId };

    /// <summary>The terminal is being upgraded to a new version (a few minutes, in the maintenance window).</summary>
    public static PaymentRefusal Upgrading() => Of("upgrading", "payment.upgrading", RefusalKind.Refused);

    /// <summary>
    /// The terminal has not yet received its institution's payers from the province server (a new or re-enrolled
    /// terminal before its first pull): nobody can be found yet, and saying "card not recognised" would be wrong.
    /// </summary>
    public static PaymentRefusal NotReady() => Of("terminal_not_ready", "payment.terminal_not_ready", RefusalKind.Unavailable);

    /// <summary>A card-balance payment without the card on the reader.</summary>
    public static PaymentRefusal CardNotPresented() => Of("card_not_presented", "payment.card_not_presented", RefusalKind.Refused);
}

/// <summary>The class of a refusal, which the API maps to a status code.</summary>
public enum RefusalKind
{
    /// <summary>The request is malformed or inconsistent (400).</summary>
    Invalid,

    /// <summary>Something named in it does not exist (404).</summary>
    NotFound,

    /// <summary>Well-formed but not allowed now (422).</summary>
    Refused,

    /// <summary>In conflict with something under way that can be ended first, then the same request succeeds (409).</summary>
    Conflict,

    /// <summary>The terminal cannot answer yet; the same request will succeed later (503).</summary>
    Unavailable,
}

/// <summary>Thrown when a payment is refused; carries the refusal for the caller to show.</summary>
public sealed class PaymentRefusedException(PaymentRefusal refusal) : Exception(refusal.English)
{
    /// <summary>Why the payment was refused.</summary>
    public PaymentRefusal Refusal { get; } = refusal;
}
