using System.Globalization;
using System.Net;
using System.Text;
using KioskPos.Core.Money;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// A plain overview at <c>/</c>: per institution the count and value of payments received, per terminal its
/// last contact and how far its journal is acknowledged. No personal data. The plan report is at <c>/report</c>.
/// </summary>
internal static class HomePage
{
    public static IEndpointRouteBuilder MapHomePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", async (HttpContext http, AdminQueries queries, CancellationToken ct) =>
        {
            var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
            var institutions = await queries.InstitutionsAsync(ct).ConfigureAwait(false);
            var terminals = await queries.TerminalsAsync(ct).ConfigureAwait(false);
            var html = new StringBuilder();
            html.Append("""
                <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
                <title>KioskPos — Máy chủ tỉnh</title>
                <style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}table{border-collapse:collapse;margin-bottom:2rem}
                td,th{border:1px solid #ccc;padding:.4rem .8rem;text-align:left}td.n{text-align:right}</style></head><body>
                """);
            html.Append(Navigation.Bar(user));
            html.Append("""
                <h1>KioskPos — Máy chủ tỉnh <small>(province server)</small></h1>
                <h2>Đơn vị / Institutions</h2><table><tr><th>Mã</th><th>Tên</th><th>Loại</th><th>Huyện</th><th>Số giao dịch</th><th>Giá trị</th></tr>
                """);
            foreach (var i in institutions)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(i.Id)}</td><td>{E(i.Name)}</td><td>{E(i.Type)}</td><td>{E(i.District)}</td><td class=n>{i.Payments}</td><td class=n>{E(Vnd.Format(i.Value))}</td></tr>");
            }

            html.Append("</table><h2>Máy thu / Terminals</h2><table><tr><th>Mã máy</th><th>Đơn vị</th><th>Tên</th><th>Đã nhận đến số</th><th>Liên lạc lần cuối</th><th>Phiên bản</th><th>Chờ gửi</th><th>Máy in</th><th>Lỗi gần nhất</th></tr>");
            foreach (var t in terminals)
            {
                var seen = t.LastSeenAt?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "chưa / never";
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(t.Id)}{(t.Revoked ? " (thu hồi)" : string.Empty)}</td><td>{E(t.InstitutionId)}</td><td>{E(t.Name)}</td><td class=n>{t.AckedThrough}</td><td>{E(seen)}</td>");
                html.Append(CultureInfo.InvariantCulture, $"<td>{E(t.Version ?? "-")}</td><td class=n>{t.Queued?.ToString(CultureInfo.InvariantCulture) ?? "-"}</td><td>{E(t.PrinterState ?? "-")}</td><td>{E(t.LastError ?? string.Empty)}</td></tr>");
            }

            html.Append("</table></body></html>");
            return TypedResults.Content(html.ToString(), "text/html; charset=utf-8");
        }).AddEndpointFilter(ProvinceAuth.RequireAdminPage);
        return app;
    }

    private static string E(string text) => HtmlText.Encode(text);
}
