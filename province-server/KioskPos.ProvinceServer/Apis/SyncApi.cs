using System.Globalization;
using KioskPos.Core.Money;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>The endpoints terminals call: pull changes, push journal entries.</summary>
internal static class SyncApi
{
    private const string TerminalItem = "kioskpos.terminal";

    public static IEndpointRouteBuilder MapSyncApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/sync").SignProvinceAnswers().WithAccess(EndpointAccess.Device).AddEndpointFilter(AuthenticateTerminalAsync)
            .WithTags("Sync").ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/pull", PullAsync).WithSummary("Changes since a cursor");
        group.MapPost("/push", PushAsync).WithSummary("Push journal entries").WithMetadata(new PushBody())
            .AcceptsJson<PushRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/authorise", AuthoriseAsync).WithSummary("Authorise a card payment online")
            .AcceptsJson<AuthoriseRequest>().ProducesProblems(StatusCodes.Status400BadRequest);
        group.MapPost("/payment-requests", RequestPaymentAsync).WithSummary("A VietQR payment offered: payOS's QR where the institution's connection is payOS")
            .AcceptsJson<PaymentRequestDto>().ProducesProblems(StatusCodes.Status400BadRequest);
        group.MapPost("/report", ReportStateAsync).WithSummary("Report the terminal's state")
            .AcceptsJson<TerminalReportDto>().ProducesProblems(StatusCodes.Status400BadRequest);
        group.MapPost("/account-closures", CloseAccountAtCounterAsync).WithSummary("A supervisor at the terminal's counter closes an account of its institution: the remainder refunded by a recorded transfer, its cards closed")
            .AcceptsJson<AccountClosureRequestDto>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/confirmations", ConfirmationsAsync).WithSummary("Bank confirmations, waiting up to a minute for one");
        app.MapPost(SyncProtocol.EnrolPath, EnrolAsync).SignProvinceAnswers().WithAccess(EndpointAccess.OneTimeCode).WithTags("Sync").WithSummary("Enrol a terminal with a one-time code")
            .RequireRateLimiting(IntakeRateLimits.EnrolmentPolicy)
            .AcceptsJson<EnrolRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status410Gone, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async ValueTask<object?> AuthenticateTerminalAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;

        // The headers first (terminal, time, nonce, the signature over the claimed digest): a request nobody signed
        // is refused before a byte of its body is read, and its connection closed so the rest is not read either.
        var contentDigest = request.Headers["Content-Digest"].ToString();
        var intake = http.RequestServices.GetRequiredService<IOptions<IntakeOptions>>().Value;
        var max = http.GetEndpoint()?.Metadata.GetMetadata<PushBody>() is null ? intake.SyncMaxBytes : intake.PushMaxBytes;
        BoundedBody.Limit(http, max);
        var registry = http.RequestServices.GetRequiredService<TerminalRegistry>();
        var (terminal, failure) = await registry.VerifyAsync(
            request.Method, request.PathBase + request.Path, request.QueryString.Value ?? string.Empty,
            request.Headers["Signature-Input"].ToString(), request.Headers["Signature"].ToString(), contentDigest, http.RequestAborted).ConfigureAwait(false);
        if (failure is not null)
        {
            BoundedBody.CloseAfterAnswer(http);
            return ProvinceProblems.WithTitle(failure.Status, failure.Code, failure.Vietnamese, failure.English);
        }

        // Then the body, up to the endpoint's bound, hashed as it streams in; the endpoint reads the bytes verified.
        var body = await BoundedBody.ReadAsync(request, max, http.RequestAborted).ConfigureAwait(false);
        if (body.TooLarge)
        {
            BoundedBody.CloseAfterAnswer(http);
            return ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {max} bytes for this endpoint.", "too_large.sync");
        }

        if ($"sha-256=:{Convert.ToBase64String(body.Sha256)}:" != contentDigest)
        {
            return ProvinceProblems.WithTitle(StatusCodes.Status401Unauthorized, "body_changed", Messages.Vi("province.problem.terminal.unauthenticated"), "The body does not match its Content-Digest.");
        }

        request.Body = new MemoryStream(body.Bytes!, writable: false);
        http.Items[TerminalItem] = terminal;
        return await next(context).ConfigureAwait(false);
    }

    private static async Task<Ok<PullResponse>> PullAsync(HttpContext http, TerminalSync sync, Banking.PayosRequests requests, string? cursor, int? limit)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var rows = Math.Clamp(limit ?? SyncProtocol.MaxRowsPerPull, 1, SyncProtocol.MaxRowsPerPull);
        var pull = await sync.PullAsync(terminal, cursor, rows, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(pull with { PaymentService = await requests.ServiceOfAsync(terminal.InstitutionId, http.RequestAborted).ConfigureAwait(false) });
    }

    private static async Task<Results<Ok<PushResponse>, ProblemResult>> PushAsync(HttpContext http, TerminalSync sync)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        if (sync.PushQueueFull)
        {
            return QueueFull(http); // before the work of reading and checking the batch
        }

        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.PushRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        try
        {
            return TypedResults.Ok(await sync.PushAsync(terminal, request, http.RequestAborted).ConfigureAwait(false));
        }
        catch (PushQueueFullException)
        {
            return QueueFull(http);
        }
        catch (PushRejectedException e)
        {
            return ProvinceProblems.WithTitle(e.Status, e.Code, Messages.Vi("province.problem.push_rejected"), e.Message, e.Sequence);
        }
        catch (SequenceConflictException e)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("KioskPos.ProvinceServer.Sync")
                .LogWarning("Terminal {Terminal} entry {Sequence} refused: {Code}", terminal.Id, e.Sequence, e.Code);
            var title = Messages.Vi(e.Code == "chain_diverged" ? "province.problem.chain_diverged" : "province.problem.sequence_conflict", e.Sequence);
            return ProvinceProblems.WithTitle(StatusCodes.Status409Conflict, e.Code, title, e.Message, e.Sequence);
        }
    }

    // The terminal's sync worker takes a 503 as transient and tries again with backoff.
    private static ProblemResult QueueFull(HttpContext http)
    {
        var seconds = http.RequestServices.GetRequiredService<IOptions<IntakeOptions>>().Value.RetryAfterSeconds;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ProvinceProblems.Problem(StatusCodes.Status503ServiceUnavailable, "queue_full", $"Too many pushes are waiting to be written; try again in {seconds} s.");
    }

    private static async Task<Results<JsonOk<ConfirmationsResponse>, EmptyHttpResult>> ConfirmationsAsync(HttpContext http, BankLedger ledger, IHostApplicationLifetime lifetime, long? after, int? wait)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var seconds = Math.Clamp(wait ?? 0, 0, 60);
        try
        {
            return JsonOk.Of(
                await ledger.WaitForConfirmationsAsync(terminal.Id, Math.Max(0, after ?? 0), TimeSpan.FromSeconds(seconds), lifetime.ApplicationStopping, http.RequestAborted).ConfigureAwait(false),
                ContractsJsonContext.Default.ConfirmationsResponse);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return TypedResults.Empty;
        }
    }

    private static async Task<Results<JsonOk<AuthoriseResponse>, ProblemResult>> AuthoriseAsync(HttpContext http, CardAuthorisation cards)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.AuthoriseRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null || request.Amount is <= 0 or > Vnd.MaxAmount)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? $"amount must be a whole number of đồng from 1 to {Vnd.MaxAmount}");
        }

        return JsonOk.Of(await cards.AuthoriseAsync(terminal, request, http.RequestAborted).ConfigureAwait(false), ContractsJsonContext.Default.AuthoriseResponse);
    }

    // An answer without a QR (no payOS connection, payOS failing or slow) is a 200 too: the terminal shows its own QR.
    private static async Task<Results<JsonOk<PaymentRequestAnswer>, ProblemResult>> RequestPaymentAsync(HttpContext http, Banking.PayosRequests requests, IOptions<ProvinceOptions> options)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.PaymentRequestDto, http.RequestAborted).ConfigureAwait(false);
        var problem = request is null ? error ?? "empty body" : Banking.PayosRequests.Problem(terminal, request);
        if (problem is not null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_payment_request", problem);
        }

        // Where payOS's page sends the payer back: the configured public address, else the one this request came to.
        var returnUrl = options.Value.PublicUrl ?? $"{http.Request.Scheme}://{http.Request.Host}/";
        return JsonOk.Of(await requests.RequestAsync(terminal, request!, returnUrl, http.RequestAborted).ConfigureAwait(false), ContractsJsonContext.Default.PaymentRequestAnswer);
    }

    // A payer leaving, closed at the counter (issue 27): the province holds the balance, so it closes, and only an account
    // of the terminal's own institution, with the supervisor's name recorded and the remainder exactly as refunded.
    private static async Task<Results<JsonOk<AccountClosureDto>, ProblemResult>> CloseAccountAtCounterAsync(HttpContext http, ProvinceDatabase database, TimeProvider time)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.AccountClosureRequestDto, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", error, "invalid_field", "body");
        }

        if (BankReference.Normalise(request.BankReference) is not { } reference)
        {
            return Invalid("bankReference", "the refund transfer's reference, 4 to 64 characters");
        }

        if (request.AccountCode?.Trim() is not { Length: >= 3 and <= 32 } code)
        {
            return Invalid("accountCode", "a payer code of 3 to 32 characters");
        }

        if (request.Amount is < 0 or > Vnd.MaxAmount)
        {
            return Invalid("amount", $"the remainder refunded, whole đồng from 0 to {Vnd.MaxAmount}");
        }

        if (request.SupervisorName?.Trim() is not { Length: >= 1 and <= 100 } name || request.SupervisorId?.Trim() is not { Length: >= 1 and <= 32 } supervisor)
        {
            return Invalid("supervisorName", "the closing supervisor's id and name");
        }

        // Printed on the closing slip and shown in the province's pages: one line, as a reversal's reason.
        if (request.Reason is { } reason && (reason.Length > AccountClosure.MaxReason || !PlainText.IsOneLine(reason)))
        {
            return Invalid("reason", $"one line of at most {AccountClosure.MaxReason} characters");
        }

        code = code.ToUpperInvariant();
        var by = $"{name} ({supervisor}) @ {terminal.Id}";
        var (closed, refusal, balance) = await AccountClosure.CloseAsync(database, time, code, reference, request.Reason?.Trim() ?? string.Empty, by, terminal.InstitutionId, request.Amount, http.RequestAborted).ConfigureAwait(false);
        if (closed is not null)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("KioskPos.ProvinceServer.Accounts")
                .LogInformation("Account {Account} closed at terminal {Terminal} by {Supervisor}: {Refunded} refunded, transfer {Reference}", code, terminal.Id, supervisor, closed.Refunded, reference);
            return JsonOk.Of(new AccountClosureDto(closed.AccountCode, closed.Refunded, closed.BankReference, closed.CardsClosed, closed.ClosedAt, by), ContractsJsonContext.Default.AccountClosureDto);
        }

        return refusal switch
        {
            AccountClosure.Refusal.NotFound or AccountClosure.Refusal.OtherInstitution => ProvinceProblems.Problem(StatusCodes.Status404NotFound, "account_not_found", $"No account {code} at this terminal's institution.", args: [code]),
            AccountClosure.Refusal.AlreadyClosed => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "account_closed", $"Account {code} is closed already.", args: [code]),
            AccountClosure.Refusal.BalanceChanged => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "balance_changed",
                $"The province holds {balance} đồng on {code}, not the {request.Amount} refunded: refund the difference, then close with the whole remainder.", args: [code, new Vnd(balance).ToString()]),
            _ => ProvinceProblems.Problem(StatusCodes.Status422UnprocessableEntity, "account_overdrawn", $"Account {code} is below zero: settle the overdraft first.", args: [code]),
        };

        static ProblemResult Invalid(string field, string expected) =>
            ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", $"{field}: {expected}", "invalid_field", field);
    }

    private static async Task<Results<JsonOk<TerminalReportDto>, ProblemResult>> ReportStateAsync(HttpContext http, AdminQueries queries)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (report, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.TerminalReportDto, http.RequestAborted).ConfigureAwait(false);
        if (report is null || report.Queued < 0 || report.Version.Length > 32 || report.PrinterState.Length > 32 || report.LastError?.Length > 500)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "a field is out of range");
        }

        await queries.RecordReportAsync(terminal.Id, report, http.RequestAborted).ConfigureAwait(false);
        return JsonOk.Of(report, ContractsJsonContext.Default.TerminalReportDto); // as recorded
    }

    private static async Task<Results<JsonOk<EnrolResponse>, ProblemResult>> EnrolAsync(HttpContext http, TerminalRegistry registry, IOptions<IntakeOptions> intake)
    {
        var max = intake.Value.EnrolMaxBytes;
        BoundedBody.Limit(http, max);
        var body = await BoundedBody.ReadAsync(http.Request, max, http.RequestAborted).ConfigureAwait(false);
        if (body.TooLarge)
        {
            BoundedBody.CloseAfterAnswer(http);
            return ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {max} bytes.", "too_large.sync");
        }

        using var stream = new MemoryStream(body.Bytes!, writable: false);
        var (request, error) = await JsonBody.TryReadAsync(stream, ContractsJsonContext.Default.EnrolRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        var (response, failure) = await registry.EnrolAsync(request, http.RequestAborted).ConfigureAwait(false);
        if (failure is not null)
        {
            return ProvinceProblems.WithTitle(failure.Status, failure.Code, failure.Vietnamese, failure.English);
        }

        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("KioskPos.ProvinceServer.Enrolment")
            .LogInformation("Terminal {Terminal} enrolled for {Institution}", response!.TerminalId, response.InstitutionId);
        return JsonOk.Of(response with { ProvinceKey = http.RequestServices.GetRequiredService<ProvinceSigningKey>().PublicKey }, ContractsJsonContext.Default.EnrolResponse);
    }
}

/// <summary>Marks the push endpoint: its body may be up to <see cref="IntakeOptions.PushMaxBytes"/>, not the smaller sync bound.</summary>
internal sealed class PushBody;
