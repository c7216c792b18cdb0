using System.Net;
using System.Net.Http.Json;
using KioskPos.Shared.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using KioskPos.Core.Text;

namespace KioskPos.Sync;

/// <summary>A failure worth retrying later: the network, a timeout, the server busy or failing.</summary>
public class SyncTransientException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// How long the province asked to be left alone (its verified 429 or 503 with <c>Retry-After</c>), at most
    /// <see cref="MaxRetryAfter"/>; null when it asked nothing.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The longest wait a province's <c>Retry-After</c> can impose: a mistaken value never stops syncing for long.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(15);
}

/// <summary>The server refused a request for a reason retrying will not change (auth, a malformed batch).</summary>
public sealed class SyncRefusedException(int status, ProblemDto? problem)
    : Exception($"The province server refused the request ({status}): {problem?.Code ?? "no detail"} {problem?.Detail}")
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>The server's problem details, if it sent any.</summary>
    public ProblemDto? Problem { get; } = problem;
}

/// <summary>The terminal's side of the sync protocol over HTTP.</summary>
/// <param name="http">The client for sync: kept-alive connections.</param>
/// <param name="options">Where the server is, timeouts.</param>
/// <param name="clock">The clock the server's Date header corrects.</param>
/// <param name="logger">Where failures are told.</param>
/// <param name="authorisation">
/// The client for card authorisations, which a payer waits on: it opens a connection per request (see
/// <see cref="SyncServiceCollectionExtensions.AuthorisationClient"/>); null uses <paramref name="http"/>.
/// </param>
/// <param name="trust">Checks every answer against the province's pinned key; null makes one from <paramref name="options"/>.</param>
public sealed class ProvinceClient(HttpClient http, IOptions<SyncOptions> options, SyncedClock clock, ILogger<ProvinceClient> logger, HttpClient? authorisation = null, ProvinceTrust? trust = null)
{
    private readonly ProvinceTrust _trust = trust ?? new ProvinceTrust(options);

    /// <summary>Changes since <paramref name="cursor"/> (null: everything).</summary>
    public Task<PullResponse> PullAsync(string? cursor, CancellationToken cancellationToken)
    {
        var path = SyncProtocol.PullPath + (cursor is null ? string.Empty : "?cursor=" + Uri.EscapeDataString(cursor));
        return SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), ContractsJsonContext.Default.PullResponse, cancellationToken);
    }

    /// <summary>Pushes a batch; the answer says what the server did with each entry.</summary>
    public Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, SyncProtocol.PushPath) { Content = JsonContent.Create(request, ContractsJsonContext.Default.PushRequest) },
            ContractsJsonContext.Default.PushResponse,
            cancellationToken);

    /// <summary>
    /// Asks the server to authorise a card payment against its balance; quick to give up, so the payer is not kept
    /// waiting. A kept-alive connection the server or a middlebox closed while idle fails the request at once: that
    /// is tried again once on a new connection (not a timeout, which already spent the payer's patience).
    /// </summary>
    public async Task<AuthoriseResponse> AuthoriseAsync(AuthoriseRequest request, CancellationToken cancellationToken)
    {
        Task<AuthoriseResponse> Once() => SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, SyncProtocol.AuthorisePath) { Content = JsonContent.Create(request, ContractsJsonContext.Default.AuthoriseRequest) },
            ContractsJsonContext.Default.AuthoriseResponse,
            cancellationToken,
            options.Value.AuthoriseTimeout,
            authorisation);
        try
        {
            return await Once().ConfigureAwait(false);
        }
        catch (SyncTransientException e) when (e.InnerException is HttpRequestException)
        {
            logger.LogInformation("Authorisation failed on the connection ({Error}); trying once more", e.Message);
            return await Once().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks the province for the payment service's QR of a VietQR payment just created (payOS's payment request where
    /// the institution's connection is payOS). Quick to give up, like a card authorisation: the payer is waiting, and
    /// the terminal's own QR is always there to fall back on.
    /// </summary>
    public Task<PaymentRequestAnswer> RequestPaymentAsync(PaymentRequestDto request, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, SyncProtocol.PaymentRequestsPath) { Content = JsonContent.Create(request, ContractsJsonContext.Default.PaymentRequestDto) },
            ContractsJsonContext.Default.PaymentRequestAnswer,
            cancellationToken,
            options.Value.PaymentRequestTimeout,
            authorisation);

    /// <summary>
    /// Asks the province to close an account a supervisor closes at the counter (the province holds the balance and
    /// refunds the remainder). Sent once, not retried: the supervisor sees the outcome and may try again, and the
    /// province refuses a second close of the same account.
    /// </summary>
    public Task<AccountClosureDto> CloseAccountAsync(AccountClosureRequestDto request, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, SyncProtocol.AccountClosuresPath) { Content = JsonContent.Create(request, ContractsJsonContext.Default.AccountClosureRequestDto) },
            ContractsJsonContext.Default.AccountClosureDto,
            cancellationToken);

    /// <summary>Reports this terminal's state (version, queue, printer) for the province's inventory.</summary>
    public Task<TerminalReportDto> ReportAsync(TerminalReportDto report, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, SyncProtocol.ReportPath) { Content = JsonContent.Create(report, ContractsJsonContext.Default.TerminalReportDto) },
            ContractsJsonContext.Default.TerminalReportDto,
            cancellationToken);

    /// <summary>
    /// Bank confirmations of this terminal's VietQR payments after <paramref name="after"/>; the server holds the
    /// request up to <paramref name="wait"/> until one comes (a long poll).
    /// </summary>
    public Task<ConfirmationsResponse> WaitForConfirmationsAsync(long after, TimeSpan wait, CancellationToken cancellationToken) =>
        SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{SyncProtocol.ConfirmationsPath}?after={after}&wait={(int)wait.TotalSeconds}")),
            ContractsJsonContext.Default.ConfirmationsResponse,
            cancellationToken,
            wait + options.Value.RequestTimeout);

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> create, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, TimeSpan? timeout = null, HttpClient? client = null)
    {
        var offsetBefore = clock.Offset;
        try
        {
            return await SendOnceAsync(create, typeInfo, cancellationToken, timeout, client ?? http).ConfigureAwait(false);
        }
        catch (SyncRefusedException e) when (e.Problem?.Code == "clock_skew" && clock.Offset != offsetBefore)
        {
            // The refusal's Date header has just corrected the clock (a Pi after a power cut): sign again with it.
            return await SendOnceAsync(create, typeInfo, cancellationToken, timeout, client ?? http).ConfigureAwait(false);
        }
    }

    private async Task<T> SendOnceAsync<T>(Func<HttpRequestMessage> create, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, TimeSpan? timeoutOverride, HttpClient http)
    {
        var settings = options.Value;
        if (ProvinceTrust.TransportProblem(settings.BaseUrl, settings.AllowInsecureHttp) is { } insecure)
        {
            throw new SyncRefusedException(0, Problems.Create(0, "insecure_transport", Messages.Vi("terminal.sync.insecure_http.title"), insecure));
        }

        using var request = create();
        request.RequestUri = new Uri(settings.BaseUrl, request.RequestUri!);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(timeoutOverride ?? settings.RequestTimeout);
        HttpResponseMessage response;
        var sent = clock.HardwareNow;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SyncTransientException($"Province server unreachable: {e.Message}", e);
        }
        catch (NotEnrolledException e)
        {
            throw new SyncRefusedException(0, Problems.Create(0, "not_enrolled", Messages.Vi("terminal.service.not_enrolled.title"), e.Message));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SyncTransientException($"Province server did not answer within {(timeoutOverride ?? settings.RequestTimeout).TotalSeconds:0.#} s.", e);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);

            // Nothing of an answer is used, not even its Date, before it verifies as the province's answer to this
            // request. A bare 5xx (a reverse proxy's 502 while the province restarts, a crashed handler) carries
            // nothing to use and is only a failure to retry; anything else unsigned or mis-signed is raised.
            if (_trust.Problem(request, response, body) is { } unverified)
            {
                if (status >= 500 && !response.Headers.Contains("Signature"))
                {
                    throw new SyncTransientException($"The province server answered {status} (unsigned, nothing used).");
                }

                _trust.Refuse($"{request.Method} {request.RequestUri.AbsolutePath} {status}", unverified);
                throw new ProvinceAnswerNotVerifiedException(Messages.Both("terminal.sync.province_unverified", unverified));
            }

            if (response.Headers.Date is { } serverDate && clock.Observe(serverDate, sent, clock.HardwareNow))
            {
                logger.LogWarning("The terminal's clock is {Skew} off the province server's; payments and receipts use the server's time", clock.Offset);
            }

            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return System.Text.Json.JsonSerializer.Deserialize(body, typeInfo)
                        ?? throw new SyncTransientException("The province server sent an empty answer.");
                }
                catch (System.Text.Json.JsonException e)
                {
                    // A cut or garbled answer: the server may have committed, so the entries stay queued and are
                    // pushed again; the server answers "duplicate" for what it already holds.
                    throw new SyncTransientException("The province server's answer was cut or garbled.", e);
                }
            }

            ProblemDto? problem = null;
            try
            {
                problem = System.Text.Json.JsonSerializer.Deserialize(body, ContractsJsonContext.Default.ProblemDto);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
            {
                // Not a problem document: the status says enough.
            }

            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            {
                // Only a verified answer gets here (its status and body are the province's). The sync worker waits at
                // least what Retry-After asks before its next round; the header is not in the signature, so the wait
                // is bounded and a changed header cannot stop syncing for long.
                throw new SyncTransientException($"The province server answered {status} {problem?.Code}.")
                {
                    RetryAfter = RetryAfter(response, clock.GetUtcNow()),
                };
            }

            throw new SyncRefusedException(status, problem);
        }
    }

    /// <summary>The wait a <c>Retry-After</c> header asks (seconds or an HTTP date), bounded; null when there is none.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var asked = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => (TimeSpan?)null,
        };
        return asked is { } wait && wait > TimeSpan.Zero
            ? (wait < SyncTransientException.MaxRetryAfter ? wait : SyncTransientException.MaxRetryAfter)
            : null;
    }
}
