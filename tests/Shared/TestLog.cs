using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KioskPos.Tests.Shared;

/// <summary>
/// With <c>KIOSKPOS_TEST_SERVER_LOG=/path</c> (make test sets it), the province and terminal hosts of a test run append
/// their warnings and errors (exceptions with their stacks) to that file: what a 500 in a test was.
/// </summary>
internal static class TestLog
{
    private static readonly object s_lock = new();

    public static void Configure(WebApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable("KIOSKPOS_TEST_SERVER_LOG") is { Length: > 0 } path)
        {
            builder.Logging.AddProvider(new FileProvider(path));
        }
    }

    /// <summary>The same file for a host configured through its services (the terminal's).</summary>
    public static void Configure(IServiceCollection services)
    {
        if (Environment.GetEnvironmentVariable("KIOSKPOS_TEST_SERVER_LOG") is { Length: > 0 } path)
        {
            services.AddSingleton<ILoggerProvider>(new FileProvider(path));
        }
    }

    private sealed class FileProvider(string path) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (s_lock)
            {
                File.AppendAllText(path, $"{DateTime.UtcNow:O} {logLevel}: {formatter(state, exception)}\n{exception}\n");
            }
        }

        public void Dispose()
        {
        }
    }
}
