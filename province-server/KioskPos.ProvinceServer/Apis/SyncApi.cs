using KioskPos.Province.Contracts;
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
        return app;
    }

    private static async ValueTask<object?> AuthenticateTerminalAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var terminalId = http.Request.Headers[SyncProtocol.TerminalHeader].ToString();
        var authorization = http.Request.Headers.Authorization.ToString();
        if (terminalId.Length is 0 or > 64 || !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Máy chưa được xác thực.", $"Send the {SyncProtocol.TerminalHeader} header and a bearer token.");
        }

        var store = http.RequestServices.GetRequiredService<ProvinceStore>();
        var terminal = await store.AuthenticateAsync(terminalId, authorization["Bearer ".Length..].Trim(), http.RequestAborted).ConfigureAwait(false);
        if (terminal is null)
        {
            return Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Máy chưa được xác thực.", "Unknown terminal or wrong token.");
        }

        if (terminal.Revoked)
        {
            return Problem(StatusCodes.Status403Forbidden, "terminal_revoked", "Máy đã bị thu hồi quyền đồng bộ.", "This terminal has been revoked.");
        }

        http.Items[TerminalItem] = terminal;
        return await next(context).ConfigureAwait(false);
    }

    private static async Task<Ok<PullResponse>> PullAsync(HttpContext http, ProvinceStore store, string? cursor, int? limit)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var rows = Math.Clamp(limit ?? SyncProtocol.MaxRowsPerPull, 1, SyncProtocol.MaxRowsPerPull);
        return TypedResults.Ok(await store.PullAsync(terminal, cursor, rows, http.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> PushAsync(HttpContext http, ProvinceStore store)
    {
        var terminal = (TerminalRecord)http.Items[TerminalItem]!;
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.PushRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "malformed_json", "Dữ liệu gửi lên không đúng định dạng.", error);
        }

        try
        {
            return TypedResults.Ok(await store.PushAsync(terminal, request, http.RequestAborted).ConfigureAwait(false));
        }
        catch (PushRejectedException e)
        {
            return TypedResults.Json(
                Problems.Create(e.Status, e.Code, "Lô dữ liệu bị từ chối.", e.Message, e.Sequence),
                ContractsJsonContext.Default.ProblemDto, "application/problem+json", e.Status);
        }
        catch (SequenceConflictException e)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("KioskPos.ProvinceServer.Sync")
                .LogWarning("Terminal {Terminal} entry {Sequence} refused: {Code}", terminal.Id, e.Sequence, e.Code);
            var title = e.Code == "chain_diverged"
                ? $"Nhật ký của máy không khớp với dữ liệu đã nhận (mục {e.Sequence})."
                : $"Số thứ tự {e.Sequence} đã nhận với nội dung khác.";
            return TypedResults.Json(
                Problems.Create(StatusCodes.Status409Conflict, e.Code, title, e.Message, e.Sequence),
                ContractsJsonContext.Default.ProblemDto, "application/problem+json", StatusCodes.Status409Conflict);
        }
    }

    internal static JsonHttpResult<ProblemDto> Problem(int status, string code, string title, string? detail) =>
        TypedResults.Json(Problems.Create(status, code, title, detail), ContractsJsonContext.Default.ProblemDto, "application/problem+json", status);
}
