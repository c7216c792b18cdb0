using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>Read-only ledger queries for the province administrator (bearer token; logins with roles come later).</summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin").AddEndpointFilter(RequireAdmin);
        group.MapGet("/payments", async (AdminQueries queries, string? terminal, string? account, int? limit, CancellationToken ct) =>
            TypedResults.Json(await queries.PaymentsAsync(terminal, account, limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListLedgerPayment));
        group.MapGet("/accounts/{code}", async (AdminQueries queries, string code, CancellationToken ct) =>
            await queries.AccountAsync(code, ct).ConfigureAwait(false) is { } account
                ? (IResult)TypedResults.Json(account, ProvinceJsonContext.Default.LedgerAccount)
                : SyncApi.Problem(StatusCodes.Status404NotFound, "account_not_found", $"Không có tài khoản {code}.", null));
        group.MapGet("/terminals", async (AdminQueries queries, CancellationToken ct) =>
            TypedResults.Json(await queries.TerminalsAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListTerminalSummary));
        group.MapGet("/institutions", async (AdminQueries queries, CancellationToken ct) =>
            TypedResults.Json(await queries.InstitutionsAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListInstitutionSummary));
        return app;
    }

    private static async ValueTask<object?> RequireAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<IOptions<ProvinceOptions>>().Value.AdminToken;
        var presented = http.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(expected))
        {
            return SyncApi.Problem(StatusCodes.Status403Forbidden, "admin_disabled", "Chức năng quản trị chưa được bật.", "Set Province:AdminToken to enable the admin API.");
        }

        var ok = presented.StartsWith("Bearer ", StringComparison.Ordinal) &&
            CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(presented["Bearer ".Length..].Trim())),
                SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
        return ok
            ? await next(context).ConfigureAwait(false)
            : SyncApi.Problem(StatusCodes.Status401Unauthorized, "unauthenticated", "Cần đăng nhập quản trị.", "Send the administrator's bearer token.");
    }
}
