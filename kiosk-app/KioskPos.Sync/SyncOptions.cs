namespace KioskPos.Sync;

/// <summary>How the terminal reaches the province server (section <c>ProvinceServer</c>).</summary>
public sealed class SyncOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "ProvinceServer";

    /// <summary>The server's base address.</summary>
    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>
    /// Let the terminal talk plain HTTP to a province that is not on this machine (<c>ProvinceServer:AllowInsecureHttp</c>).
    /// Off by default: the answers are signed either way, but HTTPS also hides what the terminal sends.
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>This terminal's id (copied from <c>Terminal:Id</c>).</summary>
    public string TerminalId { get; set; } = string.Empty;

    /// <summary>The device key file (set from the terminal's data folder).</summary>
    public string KeyPath { get; set; } = DeviceIdentity.KeyFileName;

    /// <summary>Time between sync rounds while all is well; a new payment wakes the worker at once.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between rounds after failures (exponential backoff with full jitter up to this).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The shortest wait between two rounds, so that nothing can make the worker spin.</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the server may hold a confirmations long poll.</summary>
    public TimeSpan ConfirmationWait { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a card payment waits for the server's authorisation before the offline limits apply.</summary>
    public TimeSpan AuthoriseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a new VietQR payment waits for the payment service's QR (payOS's, through the province) before the
    /// terminal shows its own; a little over the province's own wait on payOS (4 s).
    /// </summary>
    public TimeSpan PaymentRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most entries in one push.</summary>
    public int MaxBatchEntries { get; set; } = 200;

    /// <summary>About the most bytes of entries in one push.</summary>
    public int MaxBatchBytes { get; set; } = 256 * 1024;
}
