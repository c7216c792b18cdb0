using System.Globalization;
using System.Text.RegularExpressions;

namespace KioskPos.Terminal.Services;

/// <summary>
/// The last lines of the terminal's log, kept in memory for the technician's page (journald keeps the whole log on
/// a Pi). Messages are the log's own, which never carry a secret, a PIN or a card number in full; and since the page
/// is a technician's, who reads no payment data, payment ids, payer codes and amounts are blanked out here too.
/// </summary>
public sealed partial class RecentLog : ILoggerProvider
{
    /// <summary>How many lines are kept.</summary>
    public const int Capacity = 200;

    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();

    /// <summary>The kept lines, oldest first.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>The line with payment ids, payer codes and amounts blanked out.</summary>
    public static string Scrub(string line) => PaymentData().Replace(line, "…");

    // A payment id (terminal id and an 8-digit sequence), a payer code (two letters, six digits), an amount in đồng.
    [GeneratedRegex(@"\b[A-Z]{2}(?:-[A-Z0-9]+)+-\d{8}\b|\b[A-Z]{2}\d{6}\b|\d{1,3}(?:\.\d{3})* ₫", RegexOptions.CultureInvariant)]
    private static partial Regex PaymentData();

    private void Add(string line)
    {
        line = Scrub(line);
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > Capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    private sealed class Logger(RecentLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // Information and above: what a technician reads; debug noise stays out.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch { LogLevel.Information => "info", LogLevel.Warning => "warn", LogLevel.Error => "error", LogLevel.Critical => "crit", _ => "info" };
            log.Add(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:HH:mm:ss} {level} {category}: {formatter(state, exception)}"));
        }
    }
}
