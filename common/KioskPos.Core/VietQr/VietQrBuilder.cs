using System.Globalization;
using System.Text;
using static KioskPos.Core.VietQr.VietQrFields;

namespace KioskPos.Core.VietQr;

/// <summary>Writes VietQR payloads: ascending field ids, ASCII only, every limit enforced, CRC always four digits.</summary>
public static class VietQrBuilder
{
    /// <summary>The payload text of <paramref name="payload"/>; free text is folded to ASCII first, and the purpose (62/08) keeps only letters, digits and spaces.</summary>
    /// <exception cref="VietQrFormatException">A value is missing, malformed or too long (after folding).</exception>
    public static string Build(VietQrPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Require("38/01/00", payload.BankBin.Length == 6 && payload.BankBin.All(char.IsAsciiDigit), "invalid_value", $"the bank BIN must be 6 digits, got '{payload.BankBin}'");
        Require("38/01/01", payload.AccountNumber.Length is > 0 and <= MaxAccountNumber && payload.AccountNumber.All(char.IsAsciiLetterOrDigit),
            payload.AccountNumber.Length > MaxAccountNumber ? "too_long" : "invalid_value",
            $"the account or card number must be 1-{MaxAccountNumber} letters or digits, got '{payload.AccountNumber}'");
        if (payload.Amount is { } amount)
        {
            Require("54", amount > 0, "invalid_value", $"the amount must be more than 0 đồng, got {amount}");
            Require("54", amount.ToString(CultureInfo.InvariantCulture).Length <= MaxAmountDigits, "too_long", $"the amount has more than {MaxAmountDigits} digits");
        }
        else
        {
            Require("54", !payload.Dynamic, "missing_field", "a dynamic QR (point of initiation 12) must carry the amount");
        }

        if (payload.MerchantCategoryCode is { } mcc)
        {
            Require("52", mcc.Length == 4 && mcc.All(char.IsAsciiDigit), "invalid_value", $"the merchant category code must be 4 digits, got '{mcc}'");
        }

        var builder = new StringBuilder(160);
        Append(builder, PayloadFormat, "01");
        Append(builder, PointOfInitiation, payload.Dynamic ? "12" : "11");
        var beneficiary = Tlv("00", payload.BankBin) + Tlv("01", payload.AccountNumber);
        Append(builder, NapasMerchant, Tlv("00", NapasGuid) + Tlv("01", beneficiary) + Tlv("02", payload.Service == VietQrService.ToCard ? ToCard : ToAccount));
        if (payload.MerchantCategoryCode is { } category)
        {
            Append(builder, MerchantCategory, category);
        }

        Append(builder, Currency, Vnd);
        if (payload.Amount is { } value)
        {
            Append(builder, Amount, value.ToString(CultureInfo.InvariantCulture));
        }

        Append(builder, Country, Vietnam);
        AppendText(builder, MerchantName, payload.MerchantName, MaxMerchantName);
        AppendText(builder, MerchantCity, payload.MerchantCity, MaxMerchantCity);
        if (payload.Additional is { IsEmpty: false } additional)
        {
            var data = new StringBuilder();
            AppendText(data, "01", additional.BillNumber, MaxAdditionalValue, "62/");
            AppendText(data, "02", additional.MobileNumber, MaxAdditionalValue, "62/");
            AppendText(data, "03", additional.StoreLabel, MaxAdditionalValue, "62/");
            AppendText(data, "05", additional.ReferenceLabel, MaxAdditionalValue, "62/");
            AppendText(data, "07", additional.TerminalLabel, MaxAdditionalValue, "62/");
            AppendText(data, "08", additional.Purpose is { } purpose ? PurposeText(purpose) : null, MaxAdditionalValue, "62/");
            Append(builder, AdditionalData, data.ToString());
        }

        builder.Append(Crc).Append("04");
        builder.Append(Crc16Ccitt.ComputeHex(builder.ToString()));
        return builder.ToString();
    }

    /// <summary>
    /// The transfer text (62/08) as banks carry it back: letters, digits and single spaces only, once folded to ASCII.
    /// Banks and VietQR providers refuse or rewrite other characters, and a rewritten text may no longer hold the code.
    /// </summary>
    private static string PurposeText(string value)
    {
        var kept = new StringBuilder(value.Length);
        foreach (var c in AsciiText.Fold(value))
        {
            kept.Append(char.IsAsciiLetterOrDigit(c) ? c : ' ');
        }

        return string.Join(' ', kept.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static void AppendText(StringBuilder builder, string id, string? value, int max, string parent = "")
    {
        if (value is null)
        {
            return;
        }

        var ascii = AsciiText.Fold(value);
        Require(parent + id, ascii.Length > 0, "invalid_value", "the value is empty once folded to ASCII");
        Require(parent + id, ascii.Length <= max, "too_long", $"at most {max} characters, got {ascii.Length} ('{ascii}')");
        Append(builder, id, ascii);
    }

    private static void Append(StringBuilder builder, string id, string value)
    {
        Require(id, value.Length <= 99, "too_long", $"a TLV value holds at most 99 characters, got {value.Length}");
        builder.Append(id).Append(value.Length.ToString("D2", CultureInfo.InvariantCulture)).Append(value);
    }

    private static string Tlv(string id, string value) => id + value.Length.ToString("D2", CultureInfo.InvariantCulture) + value;

    private static void Require(string field, bool condition, string code, string message)
    {
        if (!condition)
        {
            throw new VietQrFormatException(new VietQrError(field, code, message));
        }
    }
}
