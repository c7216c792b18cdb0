namespace KioskPos.Core.VietQr;

/// <summary>
/// Whether a VietQR payload may be drawn for a payer to pay an institution's account. EMVCo MPM lets one QR carry
/// several merchant-account templates (ids 02-51) and the payer's app chooses among them, so checking only the NAPAS
/// template (38) is not enough: a payload is drawn only when it is canonical, byte for byte what
/// <see cref="VietQrBuilder"/> writes for what <see cref="VietQrParser"/> read from it. That refuses every field the
/// model does not hold (a second merchant template such as 26 or 27, an unknown 62 sub-field), any other field order,
/// a lower-case CRC and surrounding whitespace. It must also be dynamic (12, one payment at a fixed amount) and pay an
/// account (<c>QRIBFTTA</c>), as every QR of a payment does.
/// </summary>
public static class PayingQr
{
    /// <summary>True when <paramref name="payload"/> is a canonical, dynamic, to-account VietQR; <paramref name="parsed"/> is what it says.</summary>
    public static bool TryRead(string? payload, out VietQrPayload parsed)
    {
        if (!VietQrParser.TryParse(payload, out parsed, out _) || !parsed.Dynamic || parsed.Service != VietQrService.ToAccount)
        {
            return false;
        }

        try
        {
            return string.Equals(VietQrBuilder.Build(parsed), payload, StringComparison.Ordinal);
        }
        catch (VietQrFormatException)
        {
            // Read, but not something the builder would write (a value it folds or refuses): not canonical.
            return false;
        }
    }

    /// <summary>True when <paramref name="payload"/> passes <see cref="TryRead"/> and pays exactly bank <paramref name="bankBin"/>, account <paramref name="accountNumber"/>.</summary>
    public static bool Pays(string? payload, string? bankBin, string? accountNumber, out VietQrPayload parsed) =>
        TryRead(payload, out parsed)
        && string.Equals(parsed.BankBin, bankBin, StringComparison.Ordinal)
        && string.Equals(parsed.AccountNumber, accountNumber, StringComparison.Ordinal);
}
