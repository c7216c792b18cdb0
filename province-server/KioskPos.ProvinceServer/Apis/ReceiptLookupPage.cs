using System.Globalization;
using System.Net;
using System.Text;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// <c>/r/{receipt}?h={token}</c>, where a receipt's QR leads: a parent or an auditor checks that the receipt is one
/// the province holds. The token (12 hex digits of the payment's journal hash) is printed only on the receipt, so a
/// receipt number alone opens nothing; an unknown receipt and a wrong token get the same answer. The payer's name
/// is masked.
/// </summary>
internal static class ReceiptLookupPage
{
    public static IEndpointRouteBuilder MapReceiptLookupPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/r/{receipt}", async (string receipt, string? h, AdminQueries queries, IOptions<ProvinceOptions> options, CancellationToken ct) =>
        {
            if (receipt.Length > 64 || h is not { Length: 12 } || !h.All(char.IsAsciiHexDigitLower))
            {
                return Page(StatusCodes.Status400BadRequest, "Mã tra cứu không hợp lệ",
                    "<p>Đường dẫn này không phải mã tra cứu biên lai (thiếu hoặc sai phần <code>h=</code>). Hãy quét lại mã QR trên biên lai.</p>" +
                    "<p lang=en>This is not a receipt lookup link: scan the QR code on the receipt again.</p>");
            }

            if (await queries.ReceiptAsync(receipt, h, ct).ConfigureAwait(false) is not { } found)
            {
                return Page(StatusCodes.Status404NotFound, "Không tìm thấy biên lai",
                    "<p>Máy chủ tỉnh không có biên lai này. Nếu vừa thanh toán, máy thu có thể chưa gửi dữ liệu lên; vui lòng thử lại sau ít phút.</p>" +
                    "<p lang=en>The province server holds no such receipt. A payment just made may not have reached it yet; try again in a few minutes.</p>");
            }

            var at = TimeZoneInfo.ConvertTime(found.CreatedAt, options.Value.ResolveTimeZone());
            var byBank = found.Method == "vietqr";
            var (state, stateClass) = found.State switch
            {
                "completed" when byBank => ($"Ngân hàng đã xác nhận {Vnd.Format(found.Received)}", "ok"),
                "completed" => ("Đã ghi nhận tại máy chủ tỉnh", "ok"),
                "pending" => ("Đang chờ ngân hàng xác nhận chuyển khoản", "warn"),
                "expired" when found.Received > 0 => ($"Ngân hàng đã xác nhận {Vnd.Format(found.Received)}", "ok"),
                _ => ("Không có tiền chuyển đến cho giao dịch này", "warn"),
            };
            var body = new StringBuilder();
            body.Append(CultureInfo.InvariantCulture, $"<p class={stateClass}><b>{E(state)}</b></p><table>");
            Row(body, "Đơn vị thu", found.InstitutionName);
            Row(body, "Số biên lai", found.PaymentId);
            Row(body, "Máy thu", found.TerminalId);
            Row(body, "Ngày giờ", at.ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture));
            Row(body, found.IsPupil ? "Học sinh" : "Bệnh nhân", found.PayerName is { } name ? PersonalData.MaskName(name) : "-");
            if (found.Group is { } group)
            {
                Row(body, found.IsPupil ? "Lớp" : "Khoa", group);
            }

            foreach (var (title, amount) in found.Items)
            {
                Row(body, title, Vnd.Format(amount));
            }

            Row(body, "Số tiền", Vnd.Format(found.Amount));
            Row(body, "Bằng chữ", VietnameseWords.Dong(found.Amount));
            Row(body, "Hình thức", PaymentWireNames.TryParseMethod(found.Method, out var method) ? method.VietnameseName() : found.Method);
            if (found.TransferCode is { } code)
            {
                Row(body, "Nội dung CK", code);
            }

            body.Append("</table>");
            return Page(StatusCodes.Status200OK, "Biên lai " + found.PaymentId, body.ToString());
        });
        return app;
    }

    private static void Row(StringBuilder html, string label, string value) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(label)}</th><td>{E(value)}</td></tr>");

    private static IResult Page(int status, string title, string body) => Results.Content(
        $$"""
        <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{{E(title)}} — KioskPos</title>
        <style>body{font-family:system-ui,sans-serif;margin:1.2rem;font-size:1.1rem;color:#1b1b1b;max-width:40rem}
        table{border-collapse:collapse}th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}
        .ok{color:#0a6b2d}.warn{color:#a33}</style></head>
        <body><h1>{{E(title)}}</h1>{{body}}</body></html>
        """,
        "text/html; charset=utf-8", Encoding.UTF8, status);

    private static string E(string text) => HtmlText.Encode(text);
}
