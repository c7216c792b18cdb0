using System.Globalization;

namespace KioskPos.Core.Identity;

/// <summary>
/// The QR printed on the back of a chip citizen-ID card (CCCD), as a 2D scanner types it: fields separated by
/// <c>|</c> — the 12-digit number, the old ID card's number (9 or 12 digits; may be empty), the full name, the date of birth
/// <c>ddMMyyyy</c>, the sex, the permanent address, the issue date <c>ddMMyyyy</c>; some cards carry more fields after
/// those, so six or more are accepted. The QR is printed, not signed: it is a key to look a patient up, never proof
/// of who presents it. Only the number is handed on; the other fields are checked for shape (so a QR that is not a
/// CCCD's is refused) and then dropped, as the personal data law asks (the purpose needs the number only).
/// </summary>
public static class CitizenIdQr
{
    /// <summary>The longest text taken from a scanner: a CCCD's QR is well under this.</summary>
    public const int MaxLength = 512;

    /// <summary>Why a scan was refused, keyed into the message catalogue (<c>imports.cccd.*</c>).</summary>
    public enum Problem
    {
        /// <summary>Empty, too long, or not <c>|</c>-separated fields.</summary>
        NotACitizenIdQr,

        /// <summary>The first field is not 12 digits.</summary>
        BadNumber,

        /// <summary>The date of birth is not a real <c>ddMMyyyy</c> date.</summary>
        BadBirthDate,
    }

    /// <summary>
    /// The card's 12-digit number from a scanned QR text, or the problem. Trailing CR/LF (the scanner's Enter) is
    /// ignored.
    /// </summary>
    public static bool TryReadNumber(string? text, out string number, out Problem problem)
    {
        number = string.Empty;
        problem = Problem.NotACitizenIdQr;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength)
        {
            return false;
        }

        var fields = text.TrimEnd('\r', '\n').Split('|');
        if (fields.Length < 6 || fields[2].Trim().Length == 0)
        {
            return false;
        }

        // The ID card it replaced: 9 digits, or 12 (the 12-digit ID cards issued 2012–2016), or none.
        if (fields[1].Length is not (0 or 9 or 12) || !fields[1].All(char.IsAsciiDigit))
        {
            return false;
        }

        if (!CitizenIdNumber.IsValid(fields[0]))
        {
            problem = Problem.BadNumber;
            return false;
        }

        if (!DateOnly.TryParseExact(fields[3], "ddMMyyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            problem = Problem.BadBirthDate;
            return false;
        }

        number = fields[0];
        return true;
    }

    /// <summary>The catalogue key of a problem's plain words.</summary>
    public static string MessageKey(Problem problem) => problem switch
    {
        Problem.BadNumber => "imports.cccd.bad_number",
        Problem.BadBirthDate => "imports.cccd.bad_birth_date",
        _ => "imports.cccd.not_a_cccd",
    };
}

/// <summary>The citizen-ID number: 12 ASCII digits (3 province, 1 century and sex, 2 year of birth, 6 serial).</summary>
public static class CitizenIdNumber
{
    /// <summary>True for exactly 12 ASCII digits.</summary>
    public static bool IsValid(string? number) => number is { Length: 12 } && number.All(char.IsAsciiDigit);
}
