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
            .WithTags("Report").WithSummary("The plan report of the province against a plan (plan=…), in the units of the time or today's (units=then|today); JSON, or CSV with format=csv (view=institutions|communes|districts|types|months|years)")
            .AddOpenApiOperationTransformer(AlsoCsv)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        // People: a province administrator sees the province; an institution's accountant, that institution alone.
        app.MapGet("/report", GetPageAsync).RequireProvincePage(ProvinceRoles.Admin, ProvinceRoles.Accountant).ExcludeFromDescription();

        // What the page reads: the same report, scoped the same way; and its bars, drawn here.
        var people = app.MapGroup("/api/v1/report/plan").RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant)
            .WithTags("Report").ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
        people.MapGet(string.Empty, GetScopedPlanAsync).WithSummary("The plan report as the signed-in person may see it");
        people.MapGet("/value.svg", GetValueChartAsync).WithSummary("Bars: the value paid cashless against the target")
            .Produces<string>(StatusCodes.Status200OK, Svg);
        people.MapGet("/types.svg", GetTypesChartAsync).WithSummary("Bars: institutions taking cashless payment, per type")
            .Produces<string>(StatusCodes.Status200OK, Svg);
        people.MapGet("/trend.svg", GetTrendChartAsync).WithSummary("Lines: the shares year by year against the plan's trajectory")
            .Produces<string>(StatusCodes.Status200OK, Svg);
        people.MapGet("/behind.svg", GetBehindChartAsync).WithSummary("Bars: the communes furthest behind the plan")
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

    private static async Task<Results<JsonOk<PlanReportView>, ContentHttpResult, ProblemResult>> GetPlanAsync(string? from, string? to, string? format, string? plan, string? units, string? view, PlanReport report, TimeProvider time, CancellationToken ct)
    {
        if (Query(from, to, plan, units, time, null) is not { } query)
        {
            return Invalid(from, to, units);
        }

        if (await report.BuildAsync(query, ct).ConfigureAwait(false) is not { } built)
        {
            return PlanNotFound(plan!);
        }

        return format == "csv" ? CsvText(built, view) : JsonOk.Of(built, ProvinceJsonContext.Default.PlanReportView);
    }

    private static async Task<IResult> GetPageAsync(HttpContext http, string? from, string? to, string? format, string? plan, string? units, string? view, PlanReport report, TimeProvider time, CancellationToken ct)
    {
        // Refused as the API refuses the same query: a problem with its code and the field named, an unknown plan 404.
        if (Period(from, to, time) is null)
        {
            return InvalidPeriod();
        }

        if (format != "csv")
        {
            return ProvincePages.Page("report.html");
        }

        return await ScopedAsync(http, from, to, plan, units, report, time, ct).ConfigureAwait(false) is { } built ? CsvText(built, view) : Invalid(from, to, units, plan);
    }

    private static async Task<Results<JsonOk<PlanReportView>, ProblemResult>> GetScopedPlanAsync(HttpContext http, string? from, string? to, string? plan, string? units, PlanReport report, TimeProvider time, CancellationToken ct) =>
        await ScopedAsync(http, from, to, plan, units, report, time, ct).ConfigureAwait(false) is { } built
            ? JsonOk.Of(built, ProvinceJsonContext.Default.PlanReportView)
            : Invalid(from, to, units, plan);

    private static Task<Results<FileContentHttpResult, ProblemResult>> GetValueChartAsync(HttpContext http, string? from, string? to, string? plan, string? units, PlanReport report, TimeProvider time, CancellationToken ct) =>
        ChartAsync(http, from, to, plan, units, report, time, PlanCharts.Value, ct);

    private static Task<Results<FileContentHttpResult, ProblemResult>> GetTypesChartAsync(HttpContext http, string? from, string? to, string? plan, string? units, PlanReport report, TimeProvider time, CancellationToken ct) =>
        ChartAsync(http, from, to, plan, units, report, time, PlanCharts.Types, ct);

    private static Task<Results<FileContentHttpResult, ProblemResult>> GetTrendChartAsync(HttpContext http, string? from, string? to, string? plan, string? units, PlanReport report, TimeProvider time, CancellationToken ct) =>
        ChartAsync(http, from, to, plan, units, report, time, PlanCharts.Trend, ct);

    private static Task<Results<FileContentHttpResult, ProblemResult>> GetBehindChartAsync(HttpContext http, string? from, string? to, string? plan, string? units, PlanReport report, TimeProvider time, CancellationToken ct) =>
        ChartAsync(http, from, to, plan, units, report, time, PlanCharts.Behind, ct);

    private static async Task<Results<FileContentHttpResult, ProblemResult>> ChartAsync(
        HttpContext http, string? from, string? to, string? plan, string? units, PlanReport report, TimeProvider time, Func<PlanReportView, System.Xml.Linq.XDocument> draw, CancellationToken ct) =>
        await ScopedAsync(http, from, to, plan, units, report, time, ct).ConfigureAwait(false) is { } built
            ? SvgBytes(draw(built))
            : Invalid(from, to, units, plan);

    // The query's parts, or none when one is malformed.
    private static PlanReportQuery? Query(string? from, string? to, string? plan, string? units, TimeProvider time, string? institutionId)
    {
        if (Period(from, to, time) is not { } period)
        {
            return null;
        }

        UnitsAsOf? asOf = units switch { null or "then" => UnitsAsOf.Then, "today" => UnitsAsOf.Today, _ => null };
        return asOf is null || plan is { Length: > 64 } ? null : new PlanReportQuery(period.From, period.To, plan, asOf.Value, institutionId);
    }

    private static ProblemResult Invalid(string? from, string? to, string? units, string? plan = null) =>
        units is not (null or "then" or "today") ? ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_units", "units is then (the units of the period's time) or today")
        : plan is { Length: > 64 } ? ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_plan", "plan is a plan's id (at most 64)")
        : Period(from, to, TimeProvider.System) is null ? InvalidPeriod()
        : PlanNotFound(plan ?? string.Empty);

    private static ProblemResult PlanNotFound(string plan) =>
        ProvinceProblems.Problem(StatusCodes.Status404NotFound, "plan_not_found", $"No plan '{plan}': GET /api/v1/admin/plans lists them.");

    private static ContentHttpResult CsvText(PlanReportView view, string? which) => TypedResults.Text(Csv(view, which), "text/csv; charset=utf-8");

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

    // The institutions by default (the first ten columns as before, then today's units and the count due); or one of
    // the groupings. Numbers as numbers, percentages with a dot, met as 1/0; a column added later goes at the end (the
    // years' met columns), so a program reading by position keeps reading what it read.
    private static string Csv(PlanReportView view, string? which)
    {
        var csv = new StringBuilder();
        static string N(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
        switch (which)
        {
            case "communes":
                csv.Append("province,commune,institutions,taking_cashless,share_percent,target_percent,gap_points,due,cashless_value,value_share_percent,bills,cashless_payments,count_share_percent\n");
                foreach (var c in view.ByCommune)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{Field(c.Province)},{Field(c.Commune)},{c.Institutions},{c.TakingCashless},{N(c.SharePercent)},{N(c.TargetPercent)},{N(c.GapPoints)},{c.Due},{c.CashlessValue},{N(c.ValueSharePercent)},{c.Bills},{c.CashlessPayments},{N(c.CountSharePercent)}\n");
                }

                break;
            case "districts" or "types":
                csv.Append("old_district,type,type_name,institutions,taking_cashless,share_percent,target_percent,met\n");
                foreach (var g in which == "types" ? view.ByType : view.ByDistrict)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{Field(g.District ?? string.Empty)},{g.Type},{Field(g.TypeName)},{g.Institutions},{g.TakingCashless},{N(g.SharePercent)},{g.TargetPercent},{(g.Met ? 1 : 0)}\n");
                }

                break;
            case "months":
                csv.Append("month,due,cashless_value,value_share_percent,value_target_percent,bills,cashless_payments,count_share_percent,count_target_percent\n");
                foreach (var m in view.Months)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{m.Month},{m.Due},{m.CashlessValue},{N(m.SharePercent)},{m.TargetPercent},{m.Bills},{m.CashlessPayments},{N(m.CountSharePercent)},{m.CountTargetPercent}\n");
                }

                break;
            case "years":
                csv.Append("year,institutions,taking_cashless,institution_share_percent,institution_target_percent,due,cashless_value,value_share_percent,value_target_percent,bills,cashless_payments,count_share_percent,count_target_percent,institution_met,value_met,count_met\n");
                foreach (var y in view.Years)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{y.Year},{y.Institutions},{y.TakingCashless},{N(y.InstitutionSharePercent)},{N(y.InstitutionTargetPercent)},{y.Due},{y.CashlessValue},{N(y.ValueSharePercent)},{y.ValueTargetPercent},{y.Bills},{y.CashlessPayments},{N(y.CountSharePercent)},{y.CountTargetPercent},{(y.InstitutionMet ? 1 : 0)},{(y.ValueMet ? 1 : 0)},{(y.CountMet ? 1 : 0)}\n");
                }

                break;
            default:
                csv.Append("institution_id,name,type,district,active_terminal,cashless_payments,cashless_value,due,takes_cashless,type_target_percent,province,commune,bills\n");
                foreach (var i in view.Institutions)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{Field(i.Id)},{Field(i.Name)},{Field(i.Type)},{Field(i.District)},{(i.ActiveTerminal ? 1 : 0)},{i.CashlessPayments},{i.CashlessValue},{i.Due},{(i.TakesCashless ? 1 : 0)},{i.TargetPercent},{Field(i.Province)},{Field(i.Commune)},{i.Bills}\n");
                }

                break;
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

    private static async Task<PlanReportView?> ScopedAsync(HttpContext http, string? from, string? to, string? plan, string? units, PlanReport report, TimeProvider time, CancellationToken ct)
    {
        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        return Query(from, to, plan, units, time, Scope(user)) is { } query ? await report.BuildAsync(query, ct).ConfigureAwait(false) : null;
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
