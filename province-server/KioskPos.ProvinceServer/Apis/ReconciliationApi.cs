using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Reconciliation: <c>/api/v1/reconciliation</c> (JSON) and <c>/reconciliation</c> (the page with the worklist,
/// <c>wwwroot/reconciliation.html</c>, which reads that JSON).
/// A province administrator sees every institution and resolves items; an institution's accountant sees their own,
/// read-only.
/// </summary>
internal static class ReconciliationApi
{
    public static IEndpointRouteBuilder MapReconciliation(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/reconciliation", GetWorklistAsync).RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant)
            .WithTags("Reconciliation").WithSummary("The reconciliation of a period")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        app.MapPost("/api/v1/reconciliation/items/{item}/resolve", ResolveItemAsync).RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("Reconciliation").WithSummary("Resolve a worklist item").AcceptsJson<ResolveRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        app.MapGet("/reconciliation", GetPage).RequireProvincePage(ProvinceRoles.Admin, ProvinceRoles.Accountant).ExcludeFromDescription();

        // The page's resolve button (a form: the session cookie is SameSite=Strict, so no other site can post it).
        app.MapPost("/reconciliation/resolve", ResolveFromFormAsync).DisableAntiforgery().ExcludeFromDescription().RequireProvinceRoles(ProvinceRoles.Admin);
        return app;
    }

    private static async Task<Results<JsonOk<ReconciliationView>, ProblemResult>> GetWorklistAsync(HttpContext http, string? from, string? to, string? institution, Reconciliation reconciliation, TimeProvider time)
    {
        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        if (ReportApi.Period(from, to, time) is not { } period)
        {
            return ReportApi.InvalidPeriod();
        }

        if (!user.IsAdmin && institution is not null && institution != user.InstitutionId)
        {
            return ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "forbidden", "An accountant sees their own institution only.", "forbidden.other_institution");
        }

        var view = await reconciliation.BuildAsync(period.From, period.To, user.IsAdmin ? institution : user.InstitutionId, http.RequestAborted).ConfigureAwait(false);
        return JsonOk.Of(view, ProvinceJsonContext.Default.ReconciliationView);
    }

    private static async Task<Results<NoContent, ProblemResult>> ResolveItemAsync(string item, HttpContext http, Reconciliation reconciliation)
    {
        var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.ResolveRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is not { Note: { Length: > 0 } note } || note.Trim().Length is 0 or > 500)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_note", error ?? "note: what was found and done, 1 to 500 characters");
        }

        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        return await reconciliation.ResolveAsync(item, user.Username, note.Trim(), http.RequestAborted).ConfigureAwait(false) switch
        {
            true => TypedResults.NoContent(),
            false => ProvinceProblems.Problem(StatusCodes.Status404NotFound, "unknown_item", $"No worklist item '{item}'."),
            null => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "already_resolved", $"'{item}' was resolved before."),
        };
    }

    private static IResult GetPage(string? from, string? to, TimeProvider time) =>
        ReportApi.Period(from, to, time) is null
            ? Results.BadRequest("from and to are yyyy-MM-dd dates, from before to")
            : ProvincePages.Page("reconciliation.html");

    private static async Task<IResult> ResolveFromFormAsync(HttpContext http, Reconciliation reconciliation)
    {
        var user = await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false);
        if (user is not { IsAdmin: true })
        {
            return TypedResults.StatusCode(StatusCodes.Status403Forbidden);
        }

        var (form, notAForm) = await FormPost.ReadAsync(http,
            "POST /reconciliation/resolve takes the page's form (application/x-www-form-urlencoded or multipart/form-data) with item, note and back", "bad_request").ConfigureAwait(false);
        if (form is null)
        {
            return notAForm!;
        }

        var note = form["note"].ToString().Trim();
        if (note.Length is > 0 and <= 500)
        {
            await reconciliation.ResolveAsync(form["item"].ToString(), user.Username, note, http.RequestAborted).ConfigureAwait(false);
        }

        var back = form["back"].ToString();
        return TypedResults.Redirect(back.StartsWith("/reconciliation", StringComparison.Ordinal) ? back : "/reconciliation");
    }
}
