namespace KioskPos.Core.VietQr;

/// <summary>Field ids and fixed values of the EMVCo MPM layout with the NAPAS template.</summary>
internal static class VietQrFields
{
    public const string PayloadFormat = "00";
    public const string PointOfInitiation = "01";
    public const string VnpayMerchant = "26";
    public const string NapasMerchant = "38";
    public const string MerchantCategory = "52";
    public const string Currency = "53";
    public const string Amount = "54";
    public const string Country = "58";
    public const string MerchantName = "59";
    public const string MerchantCity = "60";
    public const string AdditionalData = "62";
    public const string Crc = "63";

    public const string NapasGuid = "A000000727";
    public const string VnpayGuid = "A000000775";
    public const string ToAccount = "QRIBFTTA";
    public const string ToCard = "QRIBFTTC";
    public const string Vnd = "704";
    public const string Vietnam = "VN";

    public const int MaxAccountNumber = 19;
    public const int MaxAmountDigits = 13;
    public const int MaxMerchantName = 25;
    public const int MaxMerchantCity = 15;
    public const int MaxAdditionalValue = 25;
}
