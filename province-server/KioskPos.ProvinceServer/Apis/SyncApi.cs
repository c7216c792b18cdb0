using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>The endpoints terminals call: pull changes, push journal entries.</summary>
internal static class SyncApi
{
    private const string TerminalItem = "kioskpos.terminal";

    public static IEndpointRouteBuilder MapSyncApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/sync").AddEndpointFilter(AuthenticateTerminalAsync);
        group.MapGet("/pull", PullAsync);
        group.MapPost("/push", PushAsync);
        group.MapPost("/authorise", AuthoriseAsync);
        group.MapPost("/report", ReportAsync);
        group.MapGet("/confirmations", ConfirmationsAsync);
        app.MapPost(SyncProtocol.EnrolPath, EnrolAsync);
        return app;
    }

    private static async ValueTask<object?> AuthenticateTerminalAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;

        // The body is read once here for its digest, and rewound for the endpoint.
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, http.RequestAborted).ConfigureAwait(false);
        request.Body.Position = 0;

        var registry = http.RequestServices.GetRequiredService<TerminalRegistry>();
        var (terminalId, failure) = await registry.VerifyAsync(
            request.Method, request.PathBase + request.Path, request.QueryString.Value ?? string.Empty,
            request.Headers["Signature-Input"].ToString(), request.Headers["Signature"].ToString(), request.Headers["Content-Digest"].ToString(),
            body.ToArray(), http.RequestAborted).ConfigureAwait(false);
        if (failure is not null)
        {
            return ProblemWithTitle(failure.Status, failure.Code, failure.Vietnamese, failure.English);
        }

        http.Items[TerminalItem] = await http.RequestServices.GetRequiredService<TerminalSync>().GetTerminalAsync(terminalId!, http.RequestAborted).ConfigureAwait(false);
        return await next(context).ConfigureAwait(false);
    }

    private static async Task<Ok<PullResponse>> PullAsync(HttpContext http, TerminalSync sync, string? cursor, int? limit)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var rows = Math.Clamp(limit ?? SyncProtocol.MaxRowsPerPull, 1, SyncProtocol.MaxRowsPerPull);
        return TypedResults.Ok(await sync.PullAsync(terminal, cursor, rows, http.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> PushAsync(HttpContext http, TerminalSync sync)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.PushRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        try
        {
            return TypedResults.Ok(await sync.PushAsync(terminal, request, http.RequestAborted).ConfigureAwait(false));
        }
        catch (PushRejectedException e)
        {
            return TypedResults.Json(
                Problems.Create(e.Status, e.Code, Messages.Vi("province.problem.push_rejected"), e.Message, e.Sequence),
                ContractsJsonContext.Default.ProblemDto, "application/problem+json", e.Status);
        }
        catch (SequenceConflictException e)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("KioskPos.ProvinceServer.Sync")
                .LogWarning("Terminal {Terminal} entry {Sequence} refused: {Code}", terminal.Id, e.Sequence, e.Code);
            var title = Messages.Vi(e.Code == "chain_diverged" ? "province.problem.chain_diverged" : "province.problem.sequence_conflict", e.Sequence);
            return TypedResults.Json(
                Problems.Create(StatusCodes.Status409Conflict, e.Code, title, e.Message, e.Sequence),
                ContractsJsonContext.Default.ProblemDto, "application/problem+json", StatusCodes.Status409Conflict);
        }
    }

    private static async Task<IResult> ConfirmationsAsync(HttpContext http, BankLedger ledger, long? after, int? wait)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var seconds = Math.Clamp(wait ?? 0, 0, 60);
        try
        {
            return TypedResults.Json(
                await ledger.WaitForConfirmationsAsync(terminal.Id, Math.Max(0, after ?? 0), TimeSpan.FromSeconds(seconds), http.RequestAborted).ConfigureAwait(false),
                ContractsJsonContext.Default.ConfirmationsResponse);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
    }

    private static async Task<IResult> AuthoriseAsync(HttpContext http, CardAuthorisation cards)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.AuthoriseRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null || request.Amount <= 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "amount must be positive");
        }

        return TypedResults.Json(await cards.AuthoriseAsync(terminal, request, http.RequestAborted).ConfigureAwait(false), ContractsJsonContext.Default.AuthoriseResponse);
    }

    private static async Task<IResult> ReportAsync(HttpContext http, AdminQueries queries)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (report, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.TerminalReportDto, http.RequestAborted).ConfigureAwait(false);
        if (report is null || report.Queued < 0 || report.Version.Length > 32 || report.PrinterState.Length > 32 || report.LastError?.Length > 500)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "a field is out of range");
        }

        await queries.RecordReportAsync(terminal.Id, report, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(report, ContractsJsonContext.Default.TerminalReportDto); // as recorded
    }

    private static async Task<IResult> EnrolAsync(HttpContext http, TerminalRegistry registry)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.EnrolRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        var (response, failure) = await registry.EnrolAsync(request, http.RequestAborted).ConfigureAwait(false);
        if (failure is not null)
        {
            return ProblemWithTitle(failure.Status, failure.Code, failure.Vietnamese, failure.English);
        }

        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("KioskPos.ProvinceServer.Enrolment")
            .LogInformation("Terminal {Terminal} enrolled for {Institution}", response!.TerminalId, response.InstitutionId);
        return TypedResults.Json(response, ContractsJsonContext.Default.EnrolResponse);
    }

    /// <summary>
    /// A problem whose title is the catalogue's <c>province.problem.{code}</c> (or <c>province.problem.{key}</c> where one
    /// code has several titles) in Vietnamese, formatted with <paramref name="args"/>; <paramref name="detail"/> stays for programs.
    /// </summary>
    internal static JsonHttpResult<ProblemDto> Problem(int status, string code, string? detail, string? key = null, params object?[] args) =>
        ProblemWithTitle(status, code, Messages.Vi("province.problem." + (key ?? code), args), detail);

    /// <summary>A problem with a title made elsewhere (the terminal registry's refusals).</summary>
    internal static JsonHttpResult<ProblemDto> ProblemWithTitle(int status, string code, string title, string? detail) =>
        TypedResults.Json(Problems.Create(status, code, title, detail), ContractsJsonContext.Default.ProblemDto, "application/problem+json", status);
}
