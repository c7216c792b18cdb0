using System.Globalization;
using System.Net;
using System.Text;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// Reconciliation: <c>/api/v1/reconciliation</c> (JSON) and <c>/reconciliation</c> (the page with the worklist).
/// A province administrator sees every institution and resolves items; an institution's accountant sees their own,
/// read-only.
/// </summary>
internal static class ReconciliationApi
{
    public static IEndpointRouteBuilder MapReconciliation(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/reconciliation", async Task<IResult> (HttpContext http, string? from, string? to, string? institution, Reconciliation reconciliation, TimeProvider time) =>
        {
            var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
            if (ReportApi.Period(from, to, time) is not { } period)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_period", "Khoảng thời gian không hợp lệ (yyyy-MM-dd, từ trước đến).", "from and to are yyyy-MM-dd dates, from before to, at most 5 years apart");
            }

            if (!user.IsAdmin && institution is not null && institution != user.InstitutionId)
            {
                return SyncApi.Problem(StatusCodes.Status403Forbidden, "forbidden", "Chỉ xem được đơn vị của mình.", "An accountant sees their own institution only.");
            }

            var view = await reconciliation.BuildAsync(period.From, period.To, user.IsAdmin ? institution : user.InstitutionId, http.RequestAborted).ConfigureAwait(false);
            return TypedResults.Json(view, ProvinceJsonContext.Default.ReconciliationView);
        }).AddEndpointFilter(ProvinceAuth.RequireSignedIn);

        app.MapPost("/api/v1/reconciliation/items/{item}/resolve", async Task<IResult> (string item, HttpContext http, Reconciliation reconciliation) =>
        {
            var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.ResolveRequest, http.RequestAborted).ConfigureAwait(false);
            if (request is not { Note: { Length: > 0 } note } || note.Trim().Length is 0 or > 500)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_note", "Cần ghi chú cách xử lý (tối đa 500 ký tự).", error ?? "note: what was found and done, 1 to 500 characters");
            }

            var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
            return await reconciliation.ResolveAsync(item, user.Username, note.Trim(), http.RequestAborted).ConfigureAwait(false) switch
            {
                true => Results.NoContent(),
                false => SyncApi.Problem(StatusCodes.Status404NotFound, "unknown_item", "Không có mục này.", $"No worklist item '{item}'."),
                null => SyncApi.Problem(StatusCodes.Status409Conflict, "already_resolved", "Mục này đã được xử lý.", $"'{item}' was resolved before."),
            };
        }).AddEndpointFilter(ProvinceAuth.RequireAdmin);

        app.MapGet("/reconciliation", async Task<IResult> (HttpContext http, string? from, string? to, Reconciliation reconciliation, TimeProvider time) =>
        {
            var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
            if (ReportApi.Period(from, to, time) is not { } period)
            {
                return Results.BadRequest("from and to are yyyy-MM-dd dates, from before to");
            }

            var view = await reconciliation.BuildAsync(period.From, period.To, user.IsAdmin ? null : user.InstitutionId, http.RequestAborted).ConfigureAwait(false);
            return Results.Content(Html(view, user), "text/html; charset=utf-8");
        }).AddEndpointFilter(ProvinceAuth.RequireSignedInPage);

        // The page's resolve button (a form: the session cookie is SameSite=Strict, so no other site can post it).
        app.MapPost("/reconciliation/resolve", async Task<IResult> (HttpContext http, Reconciliation reconciliation) =>
        {
            var user = await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false);
            if (user is not { IsAdmin: true })
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            var note = form["note"].ToString().Trim();
            if (note.Length is > 0 and <= 500)
            {
                await reconciliation.ResolveAsync(form["item"].ToString(), user.Username, note, http.RequestAborted).ConfigureAwait(false);
            }

            var back = form["back"].ToString();
            return Results.Redirect(back.StartsWith("/reconciliation", StringComparison.Ordinal) ? back : "/reconciliation");
        }).DisableAntiforgery();
        return app;
    }

    private static string Html(ReconciliationView view, ProvinceUser user)
    {
        var back = $"/reconciliation?from={view.From:yyyy-MM-dd}&to={view.To:yyyy-MM-dd}";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>KioskPos — Đối soát</title>
            <style>body{"{"}font-family:"Noto Sans",system-ui,sans-serif;margin:1.5rem;color:#102030{"}"}table{"{"}border-collapse:collapse;margin:.5rem 0 1.5rem{"}"}
            td,th{"{"}border:1px solid #ccd;padding:.35rem .7rem;text-align:left;vertical-align:top{"}"}td.n{"{"}text-align:right{"}"}.bad{"{"}color:#a8201a;font-weight:600{"}"}.ok{"{"}color:#17692c{"}"}
            form.r{"{"}display:flex;gap:.4rem{"}"}form.r input{"{"}min-width:16rem{"}"}</style></head><body>
            {Navigation.Bar(user)}
            <h1>Đối soát <small>/ reconciliation</small></h1>
            <p>Kỳ / period: {view.From:dd/MM/yyyy} – {view.To.AddDays(-1):dd/MM/yyyy} (ngày theo giờ UTC / UTC dates) · JSON: /api/v1/reconciliation?from={view.From:yyyy-MM-dd}&amp;to={view.To:yyyy-MM-dd}</p>
            <h2>Theo đơn vị và ngày / per institution and day</h2>
            <table><tr><th>Đơn vị</th><th>Ngày</th><th>Phải thu</th><th>Thẻ (số dư)</th><th>VietQR</th><th>Thẻ ngân hàng</th><th>Ngân hàng báo có</th><th>Chênh lệch chưa xử lý</th></tr>
            """);
        foreach (var d in view.Days)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(d.InstitutionId)}</td><td>{E(d.Day)}</td><td class=n>{E(Vnd.Format(d.Due))}</td><td class=n>{E(Vnd.Format(d.CardBalance))}</td><td class=n>{E(Vnd.Format(d.VietQr))}</td><td class=n>{E(Vnd.Format(d.ExternalCard))}</td><td class=n>{E(Vnd.Format(d.ReceivedByBank))}</td><td class=\"n {(d.OpenMismatches > 0 ? "bad" : "ok")}\">{d.OpenMismatches}</td></tr>");
        }

        html.Append("</table><h2>Cần xử lý / worklist</h2><table><tr><th>Mục</th><th>Đơn vị</th><th>Ngày</th><th>Loại</th><th>Số tiền</th><th>Chi tiết</th><th>Xử lý</th></tr>");
        foreach (var i in view.Worklist)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(i.Item)}</td><td>{E(i.InstitutionId ?? "?")}</td><td>{E(i.Day)}</td><td>{E(KindName(i.Kind))}</td><td class=n>{E(Vnd.Format(i.Amount))}</td><td>{E(i.Detail)}</td><td>");
            if (i.ResolvedAt is not null)
            {
                html.Append(CultureInfo.InvariantCulture, $"<span class=ok>✓ {E(i.ResolvedBy!)}: {E(i.Note!)}</span>");
            }
            else if (user.IsAdmin)
            {
                html.Append(CultureInfo.InvariantCulture, $"<form class=r method=post action=\"/reconciliation/resolve\"><input type=hidden name=item value=\"{E(i.Item)}\"><input type=hidden name=back value=\"{E(back)}\"><input name=note required maxlength=500 placeholder=\"Đã kiểm tra / what was found and done\"><button>Đã xử lý</button></form>");
            }
            else
            {
                html.Append("<span class=bad>chưa xử lý / open</span>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</table></body></html>");
        return html.ToString();
    }

    private static string KindName(string kind) => kind switch
    {
        "unmatched_transfer" => "Chuyển khoản không khớp / unmatched transfer",
        "transfer_waiting_for_payment" => "Chuyển khoản chờ giao dịch / waiting for its payment",
        "overpaid_refund_due" => "Trả thừa, cần hoàn / overpaid, refund due",
        "transfer_flagged" => "Chuyển khoản bị gắn cờ / flagged transfer",
        "overdraft" => "Thẻ âm số dư (ngoại tuyến) / offline overdraft",
        "unknown_account" => "Tài khoản không rõ / unknown account",
        "unknown_bill" => "Khoản thu không rõ / unknown bill",
        "bill_overpaid" => "Khoản thu trả thừa / bill overpaid",
        "reversed_more_than_paid" => "Hoàn nhiều hơn đã trả / reversed more than paid",
        "underpaid" => "Chuyển khoản thiếu / underpaid",
        _ => kind,
    };

    private static string E(string text) => HtmlText.Encode(text);
}
