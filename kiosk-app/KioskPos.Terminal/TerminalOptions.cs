namespace KioskPos.Terminal;

/// <summary>The terminal's own configuration (section <c>Terminal</c>).</summary>
public sealed class TerminalOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Terminal";

    /// <summary>The terminal's id, as enrolled with the province server.</summary>
    public string Id { get; set; } = "KP-THCS-ND-01";

    /// <summary>Where the database and receipts live; relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "var/terminal";

    /// <summary>The IANA time zone receipts are printed in.</summary>
    public string TimeZone { get; set; } = "Asia/Ho_Chi_Minh";

    /// <summary>How long after a tap the card counts as presented for a card-balance payment.</summary>
    public TimeSpan CardTapValidity { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a VietQR code is offered before it expires.</summary>
    public TimeSpan QrLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the customer display shows an outcome (paid, expired) before it returns to the welcome.</summary>
    public TimeSpan DisplayHold { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "terminal.db");

    /// <summary>The time zone, falling back to UTC+7 where the machine has no time zone data.</summary>
    public TimeZoneInfo ResolveTimeZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("UTC+07", TimeSpan.FromHours(7), "Giờ Việt Nam", "Giờ Việt Nam");
        }
    }
}

/// <summary>Which devices the terminal drives (section <c>Hardware</c>).</summary>
public sealed class HardwareOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hardware";

    /// <summary>The card reader: <c>simulated</c> (real drivers come with the card reader issue).</summary>
    public string CardReader { get; set; } = "simulated";

    /// <summary>The receipt printer: <c>simulated</c> writes text files under the data folder.</summary>
    public string Printer { get; set; } = "simulated";

    /// <summary>Paper width in millimetres: 58 or 80.</summary>
    public int PaperWidthMm { get; set; } = 58;

    /// <summary>True when the simulators are in use, which opens the <c>/dev</c> endpoints.</summary>
    public bool IsSimulated => CardReader == "simulated" || Printer == "simulated";
}
