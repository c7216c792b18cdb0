using System.Globalization;
using System.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// The plan report: <c>/api/v1/admin/report/plan</c> (JSON, or CSV with <c>format=csv</c>) for programs and the
/// administrator, and <c>/report</c> for people — SVG bars drawn here, nothing from a CDN. Aggregates and institution
/// names only: no payer, no payment.
/// </summary>
internal static class ReportApi
{
    public static IEndpointRouteBuilder MapReportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/admin/report/plan", GetPlanAsync).RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("Report").WithSummary("The plan report of the province (JSON, or CSV with format=csv)")
            .AddOpenApiOperationTransformer(AlsoCsv)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        // People: a province administrator sees the province; an institution's accountant, that institution alone.
        app.MapGet("/report", GetPageAsync).RequireProvincePage(ProvinceRoles.Admin, ProvinceRoles.Accountant).ExcludeFromDescription();

        // What the page reads: the same report, scoped the same way; and its bars, drawn here.
        var people = app.MapGroup("/api/v1/report/plan").RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant)
            .WithTags("Report").ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized);
        people.MapGet(string.Empty, GetScopedPlanAsync).WithSummary("The plan report as the signed-in person may see it");
        people.MapGet("/value.svg", GetValueChartAsync).WithSummary("Bars: the value paid cashless against the target")
            .Produces<string>(StatusCodes.Status200OK, Svg);
        people.MapGet("/types.svg", GetTypesChartAsync).WithSummary("Bars: institutions taking cashless payment, per type")
            .Produces<string>(StatusCodes.Status200OK, Svg);
        return app;
    }

    private const string Svg = "image/svg+xml";

    // The 200 is JSON by default and CSV with format=csv: one status, two media types (a second Produces would replace the first).
    private static Task AlsoCsv(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse { Content: { } content })
        {
            content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        }

        return Task.CompletedTask;
    }

    private static async Task<Results<JsonOk<PlanReportView>, ContentHttpResult, ProblemResult>> GetPlanAsync(string? from, string? to, string? format, PlanReport report, TimeProvider time, CancellationToken ct)
    {
        if (Period(from, to, time) is not { } period)
        {
            return InvalidPeriod();
        }

        var view = await report.BuildAsync(period.From, period.To, ct).ConfigureAwait(false);
        return format == "csv" ? CsvText(view) : JsonOk.Of(view, ProvinceJsonContext.Default.PlanReportView);
    }

    private static async Task<IResult> GetPageAsync(HttpContext http, string? from, string? to, string? format, PlanReport report, TimeProvider time, CancellationToken ct)
    {
        if (Period(from, to, time) is not { } period)
        {
            return Results.BadRequest("from and to are yyyy-MM-dd dates, from before to");
        }

        if (format != "csv")
        {
            return ProvincePages.Page("report.html");
        }

        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        return CsvText(await report.BuildAsync(period.From, period.To, ct, Scope(user)).ConfigureAwait(false));
    }

    private static async Task<Results<JsonOk<PlanReportView>, ProblemResult>> GetScopedPlanAsync(HttpContext http, string? from, string? to, PlanReport report, TimeProvider time, CancellationToken ct) =>
        await ScopedAsync(http, from, to, report, time, ct).ConfigureAwait(false) is { } view
            ? JsonOk.Of(view, ProvinceJsonContext.Default.PlanReportView)
            : InvalidPeriod();

    private static async Task<Results<FileContentHttpResult, ProblemResult>> GetValueChartAsync(HttpContext http, string? from, string? to, PlanReport report, TimeProvider time, CancellationToken ct) =>
        await ScopedAsync(http, from, to, report, time, ct).ConfigureAwait(false) is { } view
            ? SvgBytes(PlanCharts.Value(view))
            : InvalidPeriod();

    private static async Task<Results<FileContentHttpResult, ProblemResult>> GetTypesChartAsync(HttpContext http, string? from, string? to, PlanReport report, TimeProvider time, CancellationToken ct) =>
        await ScopedAsync(http, from, to, report, time, ct).ConfigureAwait(false) is { } view
            ? SvgBytes(PlanCharts.Types(view))
            : InvalidPeriod();

    private static ContentHttpResult CsvText(PlanReportView view) => TypedResults.Text(Csv(view), "text/csv; charset=utf-8");

    // The month so far when no period is given.
    internal static (DateOnly From, DateOnly To)? Period(string? from, string? to, TimeProvider time)
    {
        var today = LocalDay.Today(time);
        var start = new DateOnly(today.Year, today.Month, 1);
        if ((from is not null && !DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out start)) ||
            (to is not null && !DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)))
        {
            return null;
        }

        end = to is null ? start.AddMonths(1) : DateOnly.ParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return start < end && end.DayNumber - start.DayNumber <= 5 * 366 ? (start, end) : null;
    }

    private static string Csv(PlanReportView view)
    {
        var csv = new StringBuilder("institution_id,name,type,district,active_terminal,cashless_payments,cashless_value,due,takes_cashless,type_target_percent\n");
        foreach (var i in view.Institutions)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Field(i.Id)},{Field(i.Name)},{Field(i.Type)},{Field(i.District)},{(i.ActiveTerminal ? 1 : 0)},{i.CashlessPayments},{i.CashlessValue},{i.Due},{(i.TakesCashless ? 1 : 0)},{PlanTargets.InstitutionShare(i.Type, view.Year)}\n");
        }

        return csv.ToString();
    }

    /// <summary>
    /// A text cell: one a spreadsheet would run as a formula (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab
    /// or a carriage return) gets a leading <c>'</c> (OWASP, CSV injection), then quoted where CSV needs it. Numbers
    /// are written as numbers, not through here.
    /// </summary>
    internal static string Field(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }

    internal static ProblemResult InvalidPeriod() =>
        ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_period", "from and to are yyyy-MM-dd dates, from before to, at most 5 years apart");

    // An administrator sees the province; an accountant, their institution.
    private static string? Scope(ProvinceUser user) => user.IsAdmin ? null : user.InstitutionId;

    private static async Task<PlanReportView?> ScopedAsync(HttpContext http, string? from, string? to, PlanReport report, TimeProvider time, CancellationToken ct)
    {
        if (Period(from, to, time) is not { } period)
        {
            return null;
        }

        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        return await report.BuildAsync(period.From, period.To, ct, Scope(user)).ConfigureAwait(false);
    }

    private static FileContentHttpResult SvgBytes(System.Xml.Linq.XDocument chart)
    {
        using var buffer = new MemoryStream();
        using (var writer = System.Xml.XmlWriter.Create(buffer, new System.Xml.XmlWriterSettings { Encoding = new UTF8Encoding(false), OmitXmlDeclaration = true }))
        {
            chart.Save(writer);
        }

        return TypedResults.Bytes(buffer.ToArray(), Svg);
    }
}
