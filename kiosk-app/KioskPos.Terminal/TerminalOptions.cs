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

    /// <summary>
    /// Self-service (no cashier signed in): a card-balance payment above this many đồng needs the card holder's PIN,
    /// checked online by the province server (so not offline). 0 asks for it always.
    /// </summary>
    public long CardPinAbove { get; set; } = 500_000;

    /// <summary>
    /// Look-ups of a payer by a typed payer code or citizen-ID number (the GET look-ups, and a payer code typed into a
    /// payment or top-up without a card) one source address may make in <see cref="PayerLookupWindow"/> with no one
    /// signed in; more answer 429 until the oldest counted look-up leaves the window. Every kiosk
    /// browser is one source (127.0.0.1), so this is one person at the keypad: a parent or patient types a code or two,
    /// not 30. Signed-in staff, and a tap's or a scan's reference, are not counted (Apis/PayerLookupLimits.cs).
    /// </summary>
    public int PayerLookupsPerWindow { get; set; } = 30;

    /// <summary>
    /// Of those, how many may find no one (404) before the source waits for the window to pass: someone guessing codes
    /// or citizen-ID numbers mostly misses, a person at the keypad mistypes a few times.
    /// </summary>
    public int PayerLookupMissesPerWindow { get; set; } = 10;

    /// <summary>The window of both look-up limits.</summary>
    public TimeSpan PayerLookupWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many source addresses the look-up limits keep a log for at once; a new source past them shares one budget with
    /// every other such source (the same limits), so a client rotating its address (IPv6 gives any number) gets no more
    /// than one more source's look-ups, and the memory stays bounded (at the default limits a source's log is under a
    /// kilobyte). A source is forgotten when its look-ups have left the window. The kiosk's own browser (127.0.0.1) is
    /// kept beside these, never in the shared budget (Apis/PayerLookupLimits.cs).
    /// </summary>
    public int PayerLookupMaxSources { get; set; } = 1024;

    /// <summary>How long a VietQR code is offered before it expires.</summary>
    public TimeSpan QrLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the customer display shows an outcome (paid, expired) before it returns to the welcome.</summary>
    public TimeSpan DisplayHold { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the retention job purges receipts and checks the payers' cache (the retention itself is the province's).</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long the terminal is quiet (no request that does something) before it gives back the memory the busy spell
    /// used (a full collection, the C heap trimmed; <see cref="Services.MemoryTrimmer"/>); zero never.
    /// </summary>
    public TimeSpan MemorySettleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a payment's answer waits for its receipt to print before saying it is still printing.</summary>
    public TimeSpan PrintWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a held print job asks the printer whether it has recovered (paper loaded, cover shut).</summary>
    public TimeSpan PrinterRecoveryPoll { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often an idle queue asks the printer its state, for the screens.</summary>
    public TimeSpan PrinterIdlePoll { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The address receipts' lookup QR codes and the kiosk's link for a relative (<c>/p/…</c>) point at (the province server's public URL); null: the sync URL.</summary>
    public Uri? ReceiptLookupUrl { get; set; }

    /// <summary>The database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "terminal.db");

    /// <summary>The time zone, falling back to UTC+7 where the machine has no time zone data.</summary>
    public TimeZoneInfo ResolveTimeZone() => Core.Text.LocalTime.Resolve(TimeZone);

    /// <summary>How the terminal's own pages show a moment: its wall clock in <see cref="TimeZone"/>, as the receipts print it.</summary>
    public const string PageTimeFormat = "HH:mm:ss dd/MM";

    /// <summary><paramref name="at"/> as the terminal's pages show it (<see cref="PageTimeFormat"/>, in <see cref="TimeZone"/>).</summary>
    public string PageTime(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, ResolveTimeZone()).ToString(PageTimeFormat, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Which devices the terminal drives (section <c>Hardware</c>).</summary>
public sealed class HardwareOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Hardware";

    /// <summary>
    /// A hardware profile file (<c>hardware/profiles/*.json</c>): when set, its readers, printer, paper width and text
    /// mode replace the settings below, and it is checked at start-up (missing device files, pins used twice).
    /// </summary>
    public string? Profile { get; set; }

    /// <summary>
    /// The card readers, comma-separated: <c>simulated</c> (the MFRC522 chip emulator with virtual cards),
    /// <c>mfrc522:/dev/spidev0.0[:reset=25]</c>, <c>evdev:/dev/input/by-id/…-event-kbd[:decimal-be|decimal-le|hex]</c>,
    /// <c>serial:/dev/ttyUSB0[:9600][:em4100|line][:decimal-be|decimal-le|hex]</c>.
    /// </summary>
    public string CardReader { get; set; } = "simulated";

    /// <summary>Milliseconds between polls of an MFRC522 (100: a tap feels instant and the CPU stays idle); 10 to 1,000, down to 1 for the simulated reader alone.</summary>
    public int ReaderPollMs { get; set; } = 100;

    /// <summary>Where the issuer stored the card number on MIFARE Classic cards (block), or null for the UID alone.</summary>
    public byte? CardNumberBlock { get; set; }

    /// <summary>Key A of that block's sector, 12 hex digits (kept in configuration, never logged).</summary>
    public string? CardNumberKey { get; set; }

    /// <summary>First Ultralight/NTAG page holding the card number, or null.</summary>
    public byte? CardNumberPage { get; set; }

    /// <summary>
    /// The receipt printer: <c>emulator</c> (alias <c>simulated</c>: the ESC/POS emulator in-process, over TCP, saving
    /// receipts as PNG), or a real one at <c>usb:/dev/usb/lp0</c>, <c>serial:/dev/ttyUSB0:19200</c>, <c>tcp:192.168.1.50:9100</c>.
    /// </summary>
    public string Printer { get; set; } = "emulator";

    /// <summary>Paper width in millimetres: 58 or 80.</summary>
    public int PaperWidthMm { get; set; } = 58;

    /// <summary>How text reaches the printer: <c>raster</c> (default, every printer), <c>tcvn3</c>, <c>windows1258</c> or <c>ascii</c>.</summary>
    public string PrinterTextMode { get; set; } = "raster";

    /// <summary>The printer's code page number for the text mode (null: Epson's, TCVN-3 30/31, Windows-1258 52).</summary>
    public byte? PrinterCodePage { get; set; }

    /// <summary>TCVN-3 only: the capitals' code page (null: the code page + 1).</summary>
    public byte? PrinterCapitalsCodePage { get; set; }

    /// <summary>Send <c>FS .</c> before each job (printers that start in Chinese double-byte mode).</summary>
    public bool PrinterCancelDoubleByte { get; set; }

    /// <summary>
    /// The printer takes <c>GS ( D</c> function 20: each job first turns off the real-time drawer pulse and power-off
    /// commands, which printers otherwise obey inside raster data (pixel bytes <c>10 14 01 m t</c> open the drawer).
    /// </summary>
    public bool PrinterDisableRealTimePulse { get; set; }

    /// <summary>Print each receipt's number as a CODE128 barcode under it.</summary>
    public bool ReceiptBarcode { get; set; }

    /// <summary>Open the cash drawer on this pin of the printer's kick-out connector (2 or 5) after each receipt; null: none.</summary>
    public int? CashDrawerPin { get; set; }

    /// <summary>A folder of *-Regular.ttf/*-Bold.ttf faces for raster receipts (null: Noto Sans from fonts-noto-core).</summary>
    public string? FontFolder { get; set; }

    /// <summary>Where the emulator saves receipts (null: <c>receipts</c> under the data folder).</summary>
    public string? ReceiptImages { get; set; }

    /// <summary>
    /// The GPIO of the light, buzzer and help button: <c>simulated</c> (in memory; <c>/dev/gpio</c> shows and presses it),
    /// <c>chip</c> (the board's, <c>/dev/gpiochip0</c>) or <c>none</c>.
    /// </summary>
    public string Gpio { get; set; } = "simulated";

    /// <summary>GPIO (BCM) of the status light; empty for none.</summary>
    public int? LightPin { get; set; } = 17;

    /// <summary>GPIO (BCM) of the buzzer; empty for none.</summary>
    public int? BuzzerPin { get; set; } = 27;

    /// <summary>GPIO (BCM) of the help button (to ground); empty for none.</summary>
    public int? HelpButtonPin { get; set; } = 22;

    /// <summary>
    /// Where the customer sees the QR: <c>browser</c> (the <c>/display</c> page), <c>hdmi2</c> (that page on the second
    /// HDMI output, set up by the package's units), or an SPI panel the terminal draws,
    /// <c>spi:st7789:/dev/spidev0.1:dc=24:rst=25:bl=18[:size=240x320][:rotation=90][:hz=32000000]</c> or
    /// <c>ili9341:…</c>; the path <c>simulated</c> runs the controller emulator (<c>/dev/panel.png</c> shows it).
    /// </summary>
    public string Display { get; set; } = "browser";

    /// <summary>
    /// Where the terminal writes, at each start, which screen unit the display kind asks for (<c>KIOSKPOS_SCREENS=hdmi2</c>
    /// or <c>one</c>); null: nowhere. The .deb sets <c>/run/kioskpos/screens.env</c>, which its screen units read before
    /// <c>/etc/kioskpos/screen.env</c>.
    /// </summary>
    public string? ScreensFile { get; set; }

    /// <summary>The terminal says "Đã nhận … đồng" when the bank confirms one of its VietQR payments.</summary>
    public bool Announce { get; set; } = true;

    /// <summary>The speaker's volume for the announcement, 0–100 (0: silent).</summary>
    public int SpeakerVolume { get; set; } = 80;

    /// <summary>
    /// The headphone jack's input device, whose SW_HEADPHONE_INSERT switches speech on the screens on (plugged) and off
    /// (pulled out): <c>none</c>, <c>auto</c> (the input device that reports the switch, from <c>/proc/bus/input/devices</c>)
    /// or its evdev file (<c>/dev/input/by-path/platform-…-event</c>).
    /// </summary>
    public string HeadphoneJack { get; set; } = "none";

    /// <summary>True when the printer is the emulator.</summary>
    public bool PrinterIsEmulated => Printer is "emulator" or "simulated";

    /// <summary>
    /// Simulated devices run only when this is set (<c>make run</c> and the tests set it): a terminal whose settings
    /// still name a simulator refuses to start without it, and a pushed profile that names one is not run.
    /// </summary>
    public bool AllowSimulated { get; set; }

    /// <summary>True when the simulators are in use, which opens the <c>/dev</c> endpoints.</summary>
    public bool IsSimulated => KioskPos.Firmware.Devices.HardwareProfile.NamesSimulator(CardReader, Printer, Gpio) || Display.Contains(":simulated", StringComparison.OrdinalIgnoreCase);
}
