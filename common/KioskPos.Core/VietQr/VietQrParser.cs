using System.Globalization;
using static KioskPos.Core.VietQr.VietQrFields;

namespace KioskPos.Core.VietQr;

/// <summary>
/// Reads VietQR payloads. Fields may come in any order (CRC last, as the checksum covers what precedes it);
/// every error names the field and what is wrong; VNPAY-QR is recognised as a different scheme.
/// </summary>
public static class VietQrParser
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="VietQrFormatException">It is not a valid VietQR payload; the error says where and why.</exception>
    public static VietQrPayload Parse(string text) =>
        TryParse(text, out var payload, out var error) ? payload : throw new VietQrFormatException(error);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says which field and what is wrong.</summary>
    public static bool TryParse(string? text, out VietQrPayload payload, out VietQrError error)
    {
        payload = null!;
        try
        {
            payload = ParseCore(text ?? string.Empty);
            error = null!;
            return true;
        }
        catch (VietQrFormatException e)
        {
            error = e.Error;
            return false;
        }
    }

    private static VietQrPayload ParseCore(string text)
    {
        text = text.Trim();
        Require("payload", text.Length > 0, "missing_field", "the payload is empty");
        for (var i = 0; i < text.Length; i++)
        {
            Require("payload", text[i] is >= ' ' and <= '~', "not_ascii",
                $"character {i + 1} ('{text[i]}', U+{(int)text[i]:X4}) is not printable ASCII; VietQR values must be ASCII");
        }

        var (fields, offsets) = ReadFields(text, string.Empty);
        Require("00", fields.ContainsKey(PayloadFormat), "missing_field", "the payload format indicator (00) is missing");
        Require("00", fields[PayloadFormat] == "01", "invalid_value", $"the payload format indicator must be '01', got '{fields[PayloadFormat]}'");

        Require("63", fields.TryGetValue(Crc, out var crc), "missing_field", "the CRC (63) is missing");
        var crcOffset = offsets[Crc];
        Require("63", crcOffset + 8 == text.Length, "malformed_tlv", "the CRC (63) must be the last field: it covers everything before it");
        Require("63", crc!.Length == 4 && crc.All(char.IsAsciiHexDigit), "invalid_value", $"the CRC must be 4 hex digits, got '{crc}'");
        var expected = Crc16Ccitt.ComputeHex(text.AsSpan(0, crcOffset + 4));
        Require("63", string.Equals(crc, expected, StringComparison.OrdinalIgnoreCase), "crc_mismatch",
            $"the CRC is {crc} but the payload's is {expected}: the code was changed, damaged or mistyped");

        if (!fields.ContainsKey(NapasMerchant))
        {
            if (fields.TryGetValue(VnpayMerchant, out var vnpay) && vnpay.Contains(VnpayGuid, StringComparison.Ordinal))
            {
                throw Error("26", "vnpay_qr", "this is a VNPAY-QR code (field 26, GUID A000000775), a different scheme from VietQR (NAPAS, field 38)");
            }

            throw Error("38", "not_napas", "the NAPAS merchant account (38) is missing: not a VietQR bank-transfer code");
        }

        Require("01", fields.TryGetValue(PointOfInitiation, out var initiation), "missing_field", "the point of initiation (01) is missing");
        Require("01", initiation is "11" or "12", "invalid_value", $"the point of initiation must be 11 (static) or 12 (dynamic), got '{initiation}'");

        var (merchant, _) = ReadFields(fields[NapasMerchant], "38/");
        Require("38/00", merchant.TryGetValue("00", out var guid), "missing_field", "the NAPAS GUID (38/00) is missing");
        Require("38/00", guid == NapasGuid, "not_napas", $"the GUID must be {NapasGuid} (NAPAS), got '{guid}'");
        Require("38/01", merchant.TryGetValue("01", out var beneficiaryText), "missing_field", "the beneficiary (38/01) is missing");
        var (beneficiary, _) = ReadFields(beneficiaryText!, "38/01/");
        Require("38/01/00", beneficiary.TryGetValue("00", out var bin), "missing_field", "the bank BIN (38/01/00) is missing");
        Require("38/01/00", bin!.Length == 6 && bin.All(char.IsAsciiDigit), "invalid_value", $"the bank BIN must be 6 digits, got '{bin}'");
        Require("38/01/01", beneficiary.TryGetValue("01", out var account), "missing_field", "the account or card number (38/01/01) is missing");
        Require("38/01/01", account!.Length <= MaxAccountNumber, "too_long", $"the account or card number has at most {MaxAccountNumber} characters, got {account.Length}");
        Require("38/01/01", account.Length > 0 && account.All(char.IsAsciiLetterOrDigit), "invalid_value", $"the account or card number must be letters or digits, got '{account}'");
        Require("38/02", merchant.TryGetValue("02", out var service), "missing_field", "the service code (38/02) is missing");
        Require("38/02", service is ToAccount or ToCard, "invalid_value", $"the service code must be {ToAccount} or {ToCard}, got '{service}'");

        Require("53", fields.TryGetValue(Currency, out var currency), "missing_field", "the currency (53) is missing");
        Require("53", currency == Vnd, "invalid_value", $"the currency must be 704 (VND), got '{currency}'");
        Require("58", fields.TryGetValue(Country, out var country), "missing_field", "the country (58) is missing");
        Require("58", country == Vietnam, "invalid_value", $"the country must be VN, got '{country}'");

        long? amount = null;
        if (fields.TryGetValue(Amount, out var amountText))
        {
            Require("54", amountText.Length <= MaxAmountDigits, "too_long", $"the amount has at most {MaxAmountDigits} characters, got {amountText.Length}");
            Require("54", !amountText.Contains('.', StringComparison.Ordinal), "invalid_value", $"the amount must be whole đồng without a decimal point, got '{amountText}'");
            Require("54", amountText.All(char.IsAsciiDigit) && long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0,
                "invalid_value", $"the amount must be a whole number of đồng above 0, got '{amountText}'");
            amount = long.Parse(amountText, CultureInfo.InvariantCulture);
        }

        string? category = null;
        if (fields.TryGetValue(MerchantCategory, out var mcc))
        {
            Require("52", mcc.Length == 4 && mcc.All(char.IsAsciiDigit), "invalid_value", $"the merchant category code must be 4 digits, got '{mcc}'");
            category = mcc;
        }

        var name = Optional(fields, MerchantName, MaxMerchantName, "59");
        var city = Optional(fields, MerchantCity, MaxMerchantCity, "60");
        VietQrAdditionalData? additional = null;
        if (fields.TryGetValue(AdditionalData, out var additionalText))
        {
            var (data, _) = ReadFields(additionalText, "62/");
            additional = new VietQrAdditionalData(
                Optional(data, "01", MaxAdditionalValue, "62/01"),
                Optional(data, "02", MaxAdditionalValue, "62/02"),
                Optional(data, "03", MaxAdditionalValue, "62/03"),
                Optional(data, "05", MaxAdditionalValue, "62/05"),
                Optional(data, "07", MaxAdditionalValue, "62/07"),
                Optional(data, "08", MaxAdditionalValue, "62/08"));
        }

        return new VietQrPayload(initiation == "12", bin, account, service == ToCard ? VietQrService.ToCard : VietQrService.ToAccount, amount, name, city, category, additional);
    }

    /// <summary>Reads a run of TLVs; returns them by id, and where each starts.</summary>
    private static (Dictionary<string, string> Fields, Dictionary<string, int> Offsets) ReadFields(string text, string parent)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
        var offset = 0;
        var previousId = default(string);
        while (offset < text.Length)
        {
            var remaining = text.Length - offset;
            if (remaining < 4)
            {
                var where = previousId is null ? parent.TrimEnd('/') : parent + previousId;
                throw Error(where.Length == 0 ? "payload" : where, "malformed_tlv",
                    $"{remaining} character(s) ('{text[offset..]}') left over after field {parent}{previousId}: a declared length does not match its value");
            }

            var id = text.Substring(offset, 2);
            var lengthText = text.Substring(offset + 2, 2);
            Require(parent + id, id.All(char.IsAsciiDigit), "malformed_tlv", $"expected a 2-digit field id at position {offset + 1}, got '{id}'");
            Require(parent + id, lengthText.All(char.IsAsciiDigit), "malformed_tlv", $"expected a 2-digit length, got '{lengthText}'");
            var length = int.Parse(lengthText, CultureInfo.InvariantCulture);
            Require(parent + id, length > 0, "malformed_tlv", "the declared length is 00; a present field has a value");
            Require(parent + id, offset + 4 + length <= text.Length, "malformed_tlv",
                $"the declared length is {length} but only {text.Length - offset - 4} character(s) follow");
            Require(parent + id, !fields.ContainsKey(id), "duplicate_field", "the field appears twice");
            fields[id] = text.Substring(offset + 4, length);
            offsets[id] = offset;
            previousId = id;
            offset += 4 + length;
        }

        return (fields, offsets);
    }

    private static string? Optional(Dictionary<string, string> fields, string id, int max, string path)
    {
        if (!fields.TryGetValue(id, out var value))
        {
            return null;
        }

        Require(path, value.Length <= max, "too_long", $"at most {max} characters, got {value.Length}");
        return value;
    }

    private static void Require(string field, bool condition, string code, string message)
    {
        if (!condition)
        {
            throw Error(field, code, message);
        }
    }

    private static VietQrFormatException Error(string field, string code, string message) => new(new VietQrError(field, code, message));
}
