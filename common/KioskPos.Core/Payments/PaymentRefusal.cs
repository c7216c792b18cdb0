namespace KioskPos.Core.Payments;

/// <summary>Why a payment cannot be taken, with the message for the person at the screen.</summary>
/// <param name="Code">A stable machine-readable code, e.g. <c>insufficient_balance</c>.</param>
/// <param name="Vietnamese">The message in Vietnamese (shown first).</param>
/// <param name="English">The same message in English.</param>
/// <param name="Kind">Which HTTP-like class of error it is.</param>
public sealed record PaymentRefusal(string Code, string Vietnamese, string English, RefusalKind Kind)
{
    /// <summary>The card is not known to this terminal.</summary>
    public static PaymentRefusal CardNotRecognised(string uid) => new(
        "card_not_recognised",
        $"Không nhận ra thẻ {uid}. Vui lòng liên hệ văn phòng.",
        $"Card {uid} is not recognised. Please ask at the office.",
        RefusalKind.NotFound);

    /// <summary>The payer code is not known to this terminal.</summary>
    public static PaymentRefusal PayerNotFound(string code) => new(
        "payer_not_found",
        $"Không tìm thấy mã {code}.",
        $"No payer with code {code}.",
        RefusalKind.NotFound);

    /// <summary>The account's cards are blocked.</summary>
    public static PaymentRefusal CardBlocked() => new(
        "card_blocked",
        "Thẻ đã bị khóa. Vui lòng liên hệ văn phòng.",
        "This card is blocked. Please ask at the office.",
        RefusalKind.Refused);

    /// <summary>The balance does not cover the amount.</summary>
    public static PaymentRefusal InsufficientBalance(string available, string requested) => new(
        "insufficient_balance",
        $"Số dư thẻ không đủ: còn {available}, cần {requested}.",
        $"The card balance is not enough: {available} available, {requested} needed.",
        RefusalKind.Refused);

    /// <summary>A request that does not make sense.</summary>
    public static PaymentRefusal Invalid(string vietnamese, string english) =>
        new("invalid_request", vietnamese, english, RefusalKind.Invalid);

    /// <summary>A bill that is not open for this payer.</summary>
    public static PaymentRefusal BillNotPayable(string billId, string vietnameseReason, string englishReason) => new(
        "bill_not_payable",
        $"Khoản {billId}: {vietnameseReason}.",
        $"Bill {billId}: {englishReason}.",
        RefusalKind.Refused);

    /// <summary>A method this terminal cannot take yet.</summary>
    public static PaymentRefusal MethodNotAvailable(string method) => new(
        "method_not_available",
        $"Hình thức thanh toán '{method}' chưa được hỗ trợ trên máy này.",
        $"Payment method '{method}' is not available on this terminal.",
        RefusalKind.Refused);

    /// <summary>VietQR cannot be offered: the institution has no receiving account yet, or the terminal has not synced its tag.</summary>
    public static PaymentRefusal VietQrUnavailable() => new(
        "vietqr_unavailable",
        "Chưa thể thanh toán bằng VietQR: đơn vị chưa có tài khoản nhận hoặc máy chưa đồng bộ. Vui lòng dùng hình thức khác hoặc gọi kỹ thuật viên.",
        "VietQR is not available: the institution has no receiving account configured, or this terminal has not synced with the province server yet.",
        RefusalKind.Refused);

    /// <summary>A card-balance payment without the card on the reader.</summary>
    public static PaymentRefusal CardNotPresented() => new(
        "card_not_presented",
        "Vui lòng chạm thẻ vào đầu đọc trước khi thanh toán bằng số dư thẻ.",
        "Please tap the card on the reader before paying from its balance.",
        RefusalKind.Refused);
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
}

/// <summary>Thrown when a payment is refused; carries the refusal for the caller to show.</summary>
public sealed class PaymentRefusedException(PaymentRefusal refusal) : Exception(refusal.English)
{
    /// <summary>Why the payment was refused.</summary>
    public PaymentRefusal Refusal { get; } = refusal;
}
