namespace KioskPos.ProvinceServer;

/// <summary>
/// How much the server takes in before it knows who is sending, and how long it keeps what it was sent (section
/// <c>Province:Intake</c>): body bounds per endpoint, the push queue's bound, rate limits per source address, the
/// retention of refused-delivery summaries and of the bank's raw notification bodies.
/// </summary>
public sealed class IntakeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Province:Intake";

    /// <summary>The largest bank notification read; a real one is under 4 KB. Larger is refused (413) unread.</summary>
    public int WebhookMaxBytes { get; set; } = 64 * 1024;

    /// <summary>The largest push body (500 entries of a few hundred bytes each fit many times over).</summary>
    public int PushMaxBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest body of the other signed sync requests (authorise, report; pulls carry none).</summary>
    public int SyncMaxBytes { get; set; } = 16 * 1024;

    /// <summary>The largest enrolment body (a code and a P-256 public key: a few hundred bytes).</summary>
    public int EnrolMaxBytes { get; set; } = 4 * 1024;

    /// <summary>
    /// Pushes waiting for the writer; one more is answered 503 with <c>Retry-After</c>. 0 takes no push at all (every
    /// one answered so, the terminals keeping theirs), e.g. while the database is moved; pulls still work.
    /// </summary>
    public int PushQueueLimit { get; set; } = 256;

    /// <summary>The <c>Retry-After</c> given with a 503 or 429, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Webhook deliveries a source address may make a minute (0: no limit).</summary>
    public int WebhookPerMinute { get; set; } = 600;

    /// <summary>Enrolment attempts a source address may make a minute (0: no limit); codes can be guessed.</summary>
    public int EnrolPerMinute { get; set; } = 30;

    /// <summary>
    /// How many sources the webhook's and enrolment's rate limits each keep a budget for at once; new sources past them
    /// share one budget of the same limit, so a sender holding many addresses gains at most one source's requests and
    /// the limiters' memory stays bounded (<see cref="KioskPos.Shared.Security.SourceCap"/>). Zero or less: the default.
    /// </summary>
    public int MaxSources { get; set; } = 4096;

    /// <summary>Days a summary of refused webhook deliveries is kept.</summary>
    public int RefusalRetentionDays { get; set; } = 30;

    /// <summary>
    /// Days the raw body of an accepted bank notification (it holds the payer's name and text) is kept; the transfer
    /// and its match stay. 0 keeps bodies for good.
    /// </summary>
    public int BankBodyRetentionDays { get; set; } = 90;

    /// <summary>How often refusal counts held in memory are written to the database.</summary>
    public TimeSpan RefusalFlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the retention purge runs.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
