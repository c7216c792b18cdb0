namespace KioskPos.Core.VietQr;

/// <summary>Where a NAPAS transfer goes: to an account (<c>QRIBFTTA</c>) or to a card (<c>QRIBFTTC</c>).</summary>
public enum VietQrService
{
    /// <summary><c>QRIBFTTA</c>: to a bank account.</summary>
    ToAccount,

    /// <summary><c>QRIBFTTC</c>: to a card number.</summary>
    ToCard,
}

/// <summary>Field 62, additional data; every value at most 25 ASCII characters.</summary>
/// <param name="BillNumber">62/01.</param>
/// <param name="MobileNumber">62/02.</param>
/// <param name="StoreLabel">62/03.</param>
/// <param name="ReferenceLabel">62/05.</param>
/// <param name="TerminalLabel">62/07.</param>
/// <param name="Purpose">62/08, the purpose of transaction: the transfer text the bank shows and sends back.</param>
public sealed record VietQrAdditionalData(
    string? BillNumber = null,
    string? MobileNumber = null,
    string? StoreLabel = null,
    string? ReferenceLabel = null,
    string? TerminalLabel = null,
    string? Purpose = null)
{
    /// <summary>True when no value is set (field 62 is then left out).</summary>
    public bool IsEmpty => BillNumber is null && MobileNumber is null && StoreLabel is null && ReferenceLabel is null && TerminalLabel is null && Purpose is null;
}

/// <summary>A VietQR payload: EMVCo merchant-presented QR with the NAPAS template (field 38).</summary>
/// <param name="Dynamic">Point of initiation: true for <c>12</c> (one payment, amount fixed), false for <c>11</c> (reusable).</param>
/// <param name="BankBin">38/01/00: the receiving bank's six-digit BIN, e.g. <c>970436</c>.</param>
/// <param name="AccountNumber">38/01/01: account or card number, at most 19 characters.</param>
/// <param name="Service">38/02.</param>
/// <param name="Amount">54: whole đồng; null when the payer types it.</param>
/// <param name="MerchantName">59, at most 25.</param>
/// <param name="MerchantCity">60, at most 15.</param>
/// <param name="MerchantCategoryCode">52, four digits.</param>
/// <param name="Additional">62.</param>
public sealed record VietQrPayload(
    bool Dynamic,
    string BankBin,
    string AccountNumber,
    VietQrService Service = VietQrService.ToAccount,
    long? Amount = null,
    string? MerchantName = null,
    string? MerchantCity = null,
    string? MerchantCategoryCode = null,
    VietQrAdditionalData? Additional = null)
{
    /// <summary>62/08, the transfer text, if any.</summary>
    public string? Purpose => Additional?.Purpose;
}

/// <summary>A payload that is not a valid VietQR: which field, and what is wrong with it.</summary>
/// <param name="Field">The field path, e.g. <c>54</c> or <c>38/01/01</c>; <c>payload</c> for the whole.</param>
/// <param name="Code">Stable code: <c>malformed_tlv</c>, <c>missing_field</c>, <c>invalid_value</c>, <c>too_long</c>, <c>crc_mismatch</c>, <c>not_ascii</c>, <c>vnpay_qr</c>, <c>not_napas</c>, <c>duplicate_field</c>.</param>
/// <param name="Message">What is wrong, for a technician.</param>
public sealed record VietQrError(string Field, string Code, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"field {Field}: {Message}";
}

/// <summary>Thrown by <see cref="VietQrParser.Parse"/> and <see cref="VietQrBuilder.Build"/> with the error.</summary>
public sealed class VietQrFormatException(VietQrError error) : FormatException(error.ToString())
{
    /// <summary>What is wrong.</summary>
    public VietQrError Error { get; } = error;
}
