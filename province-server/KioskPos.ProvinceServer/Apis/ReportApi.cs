using System.Globalization;
using System.Net;
using System.Text;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Data;

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
        app.MapGet("/api/v1/admin/report/plan", async (string? from, string? to, string? format, PlanReport report, TimeProvider time, CancellationToken ct) =>
        {
            if (Period(from, to, time) is not { } period)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_period", "Khoảng thời gian không hợp lệ (yyyy-MM-dd, từ trước đến).", "from and to are yyyy-MM-dd dates, from before to, at most 5 years apart");
            }

            var view = await report.BuildAsync(period.From, period.To, ct).ConfigureAwait(false);
            return format == "csv"
                ? Results.Text(Csv(view), "text/csv; charset=utf-8")
                : TypedResults.Json(view, ProvinceJsonContext.Default.PlanReportView);
        }).AddEndpointFilter(ProvinceAuth.RequireAdmin);

        // People: a province administrator sees the province; an institution's accountant, that institution alone.
        app.MapGet("/report", async (HttpContext http, string? from, string? to, string? format, PlanReport report, TimeProvider time, CancellationToken ct) =>
        {
            if (Period(from, to, time) is not { } period)
            {
                return Results.BadRequest("from and to are yyyy-MM-dd dates, from before to");
            }

            var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
            var view = await report.BuildAsync(period.From, period.To, ct, user.IsAdmin ? null : user.InstitutionId).ConfigureAwait(false);
            return format == "csv" ? Results.Text(Csv(view), "text/csv; charset=utf-8") : Results.Content(Html(view, user), "text/html; charset=utf-8");
        }).AddEndpointFilter(ProvinceAuth.RequireSignedInPage);
        return app;
    }

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
            csv.Append(CultureInfo.InvariantCulture, $"{Field(i.Id)},{Field(i.Name)},{i.Type},{Field(i.District)},{(i.ActiveTerminal ? 1 : 0)},{i.CashlessPayments},{i.CashlessValue},{i.Due},{(i.TakesCashless ? 1 : 0)},{PlanTargets.InstitutionShare(i.Type, view.Year)}\n");
        }

        return csv.ToString();
    }

    private static string Field(string text) => text.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;

    private static string Html(PlanReportView view, ProvinceUser user)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>KioskPos — Tiến độ kế hoạch thanh toán không dùng tiền mặt</title>
            <style>body{"{"}font-family:"Noto Sans",system-ui,sans-serif;margin:1.5rem;color:#102030{"}"}table{"{"}border-collapse:collapse;margin:.5rem 0 1.5rem{"}"}
            td,th{"{"}border:1px solid #ccd;padding:.35rem .7rem;text-align:left{"}"}td.n{"{"}text-align:right{"}"}.ok{"{"}color:#17692c{"}"}.bad{"{"}color:#a8201a{"}"}</style></head><body>
            {Navigation.Bar(user)}
            <h1>Tiến độ thanh toán không dùng tiền mặt <small>/ progress against the plan</small></h1>
            {(user.IsAdmin ? string.Empty : $"<p>Đơn vị của bạn / your institution only: {E(user.InstitutionId ?? string.Empty)}</p>")}
            <p>Kỳ / period: {view.From:dd/MM/yyyy} – {view.To.AddDays(-1):dd/MM/yyyy} · năm kế hoạch {view.Year} ·
            <a href="?from={view.From:yyyy-MM-dd}&amp;to={view.To:yyyy-MM-dd}&amp;format=csv">CSV</a> · JSON: /api/v1/admin/report/plan</p>
            <h2>Giá trị thanh toán / value paid cashless</h2>
            <p>{E(Vnd.Format(view.CashlessValue))} / {E(Vnd.Format(view.Due))} phải thu trong kỳ = <b class="{(view.ValueSharePercent >= view.ValueTargetPercent ? "ok" : "bad")}">{view.ValueSharePercent:0.#}%</b>
            (mục tiêu / target {view.ValueTargetPercent}%) · {view.CashlessPayments} giao dịch</p>
            """);
        html.Append(Bars([("Toàn tỉnh / province", view.ValueSharePercent, view.ValueTargetPercent), .. view.Months.Select(m => ($"Tháng {m.Month}", m.SharePercent, m.TargetPercent))]));
        html.Append("<h2>Đơn vị nhận thanh toán không dùng tiền mặt, theo loại / institutions taking cashless payment, by type</h2>");
        html.Append(Bars(view.ByType.Select(g => ($"{g.TypeName} ({g.TakingCashless}/{g.Institutions})", g.SharePercent, g.TargetPercent)).ToList()));
        html.Append("<table><tr><th>Huyện / district</th><th>Loại / type</th><th>Đơn vị</th><th>Đã nhận</th><th>Tỷ lệ</th><th>Mục tiêu</th></tr>");
        foreach (var g in view.ByDistrict)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(g.District ?? "")}</td><td>{E(g.TypeName)}</td><td class=n>{g.Institutions}</td><td class=n>{g.TakingCashless}</td><td class=\"n {(g.Met ? "ok" : "bad")}\">{g.SharePercent:0.#}%</td><td class=n>{g.TargetPercent}%</td></tr>");
        }

        html.Append("</table><h2>Từng đơn vị / each institution</h2><table><tr><th>Đơn vị</th><th>Loại</th><th>Huyện</th><th>Máy thu</th><th>Giao dịch</th><th>Giá trị</th><th>Phải thu</th></tr>");
        foreach (var i in view.Institutions)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(i.Name)}</td><td>{E(PlanTargets.Name(i.Type))}</td><td>{E(i.District)}</td><td class={(i.ActiveTerminal ? "ok" : "bad")}>{(i.ActiveTerminal ? "có" : "chưa")}</td><td class=n>{i.CashlessPayments}</td><td class=n>{E(Vnd.Format(i.CashlessValue))}</td><td class=n>{E(Vnd.Format(i.Due))}</td></tr>");
        }

        html.Append("</table></body></html>");
        return html.ToString();
    }

    // Horizontal bars, one per row: the share reached, with the target as a line.
    private static string Bars(IReadOnlyList<(string Label, double Percent, int Target)> rows)
    {
        const int Width = 640, Row = 34, Label = 260;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{Width}\" height=\"{(rows.Count * Row) + 10}\" viewBox=\"0 0 {Width} {(rows.Count * Row) + 10}\">");
        var scale = (Width - Label - 50) / 100.0;
        for (var n = 0; n < rows.Count; n++)
        {
            var (label, percent, target) = rows[n];
            var y = (n * Row) + 5;
            var colour = percent >= target ? "#17692c" : "#a8201a";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 20}\" font-size=\"13\">{E(label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Label}\" y=\"{y + 6}\" width=\"{Math.Max(1, Math.Min(100, percent) * scale):0.#}\" height=\"18\" fill=\"{colour}\"><title>{percent:0.#}%</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Label + (target * scale):0.#}\" x2=\"{Label + (target * scale):0.#}\" y1=\"{y + 2}\" y2=\"{y + 28}\" stroke=\"#102030\" stroke-width=\"2\" stroke-dasharray=\"4 2\"><title>mục tiêu {target}%</title></line>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Label + (Math.Min(100, percent) * scale) + 6:0.#}\" y=\"{y + 20}\" font-size=\"13\">{percent:0.#}%</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string E(string text) => HtmlText.Encode(text);
}
