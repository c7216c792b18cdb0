namespace KioskPos.ProvinceServer;

/// <summary>The province server's configuration (section <c>Province</c>).</summary>
public sealed class ProvinceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Province";

    /// <summary>Where the database lives; relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "var/province";

    /// <summary>The administrator's bearer token for <c>/api/v1/admin</c>; admin endpoints are closed while it is empty.</summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// Load the demo province (institutions, cards with balances, and sign-ins whose passwords the demo prints) into an
    /// empty database. Off unless asked for (<c>make run</c> and the tests do): a server on shipped settings has no user.
    /// </summary>
    public bool SeedDemoData { get; set; }

    /// <summary>
    /// With <see cref="SeedDemoData"/>: about this many generated institutions of today's Đồng Tháp beside the two
    /// hand-written ones, with a year of bills and payments (0: none; <c>make run</c> asks for 1000).
    /// </summary>
    public int DemoInstitutions { get; set; }

    /// <summary>The bank-notification connections whose signed webhooks are accepted.</summary>
    public List<BankConnectionOptions> BankConnections { get; set; } = [];

    /// <summary>
    /// A JSON file of bank statement layouts beside the shipped ones (Vietcombank, VietinBank), in their shape
    /// (<c>{"layouts": [{"id", "bank", "source", "date", "credit", "debit", "description", "reference", "dateFormats",
    /// "endMarkers"}]}</c>): how a province reads its own bank's export. A layout with a shipped id replaces it.
    /// </summary>
    public string? StatementLayoutsFile { get; set; }

    /// <summary>Serve the bank simulator page at <c>/bank-sim</c> (demo and tests only: it posts signed notifications).</summary>
    public bool BankSimulator { get; set; }

    /// <summary>
    /// Above this amount in đồng a kiosk says, before showing the QR, that the bank app will ask for the payer's face
    /// (State Bank decision 2345/QĐ-NHNN: above 10 million a transfer), and offers to pay the bills one by one.
    /// </summary>
    public long LargeTransferAbove { get; set; } = 10_000_000;

    /// <summary>The province's time zone, for dates people read (receipt lookup pages).</summary>
    public string TimeZone { get; set; } = Core.Text.LocalTime.VietnamZoneId;

    /// <summary>The zone of <see cref="TimeZone"/> (UTC+07 when the system lacks it).</summary>
    public TimeZoneInfo ResolveTimeZone() => Core.Text.LocalTime.Resolve(TimeZone);

    /// <summary>The storage engine: <c>Sqlite</c> (the default, a file under <see cref="DataDirectory"/>) or <c>Postgres</c>.</summary>
    public Data.ProvinceEngine Engine { get; set; } = Data.ProvinceEngine.Sqlite;

    /// <summary>
    /// The PostgreSQL connection string (<c>Host=…;Port=…;Database=…;Username=…</c>) when <see cref="Engine"/> is
    /// <c>Postgres</c>; a password comes from the environment (<c>Province__ConnectionString</c>) or a password file, never a committed file.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The address payers' phones reach this server at (<c>https://thanhtoan.dongthap.gov.vn/</c>): where payOS's
    /// checkout page sends a payer back after paying. Unset, the address the terminal's request came to — right only
    /// when terminals and phones reach the server at the same address and no proxy in front changes it.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>How sign-ins at <c>/login</c> are slowed down (section <c>Province:SignIn</c>).</summary>
    public SignInOptions SignIn { get; set; } = new();

    /// <summary>The database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "province.db");
}

/// <summary>One bank-notification connection (section <c>Province:BankConnections:N</c>).</summary>
public sealed class BankConnectionOptions
{
    /// <summary>The id the service sends in its connection header.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The shared HMAC secret; from the environment or a secrets file, never from a committed file.</summary>
    public string Secret { get; set; } = string.Empty;
}

/// <summary>
/// Sign-in limits (section <c>Province:SignIn</c>): a rate limit on <c>POST /login</c> per source address, and a
/// growing wait per account name and per source once wrong passwords pass a threshold. No setting locks anyone out
/// for good: the wait is capped, and the right password after it signs in.
/// </summary>
public sealed class SignInOptions
{
    /// <summary>Sign-in posts one source address may make a minute; more are answered 429.</summary>
    public int RequestsPerMinute { get; set; } = 20;

    /// <summary>
    /// How many sources the sign-in posts' rate limit keeps a budget for at once; new sources past them share one
    /// budget of <see cref="RequestsPerMinute"/>, so a client holding many addresses gains at most one source's posts
    /// and the limiter's memory stays bounded (<see cref="KioskPos.Shared.Security.SourceCap"/>). Zero or less: the default.
    /// </summary>
    public int MaxSources { get; set; } = 4096;

    /// <summary>Wrong passwords for one account name (known or not) before each further one makes the next try wait.</summary>
    public int AccountFailuresBeforeDelay { get; set; } = Data.ProvinceUsers.MaxFailures;

    /// <summary>Wrong passwords from one source address (any names) before each further one makes its next try wait.</summary>
    public int SourceFailuresBeforeDelay { get; set; } = 20;

    /// <summary>The wait after the threshold's failure; each further failure doubles it.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures are forgotten after this long without another one (longer than <see cref="MaxDelay"/>).</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(1);
}
