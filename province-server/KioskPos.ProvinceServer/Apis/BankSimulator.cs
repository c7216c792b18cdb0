using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KioskPos.Core.Money;
using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// A stand-in for the bank-notification service, for the demo and tests only (<c>Province:BankSimulator</c>):
/// a page listing the VietQR payments waiting for money, each with a "simulate transfer" button and an editable
/// amount, that posts a correctly signed notification to this server's own webhook over HTTP, exactly as the
/// service would. The same code backs the <c>bank-sim</c> command line.
/// </summary>
internal static class BankSimulator
{
    public static IEndpointRouteBuilder MapBankSimulator(this IEndpointRouteBuilder app)
    {
        app.MapGet("/bank-sim", PageAsync);
        app.MapPost("/bank-sim/send", SendFromFormAsync).DisableAntiforgery();
        return app;
    }

    /// <summary>Posts one signed notification to <paramref name="server"/>'s webhook; returns the HTTP status and body.</summary>
    public static async Task<(int Status, string Body)> PostAsync(HttpClient http, Uri server, string connectionId, string secret, BankNotification notification, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(notification, ContractsJsonContext.Default.BankNotification);
        using var request = BankSignature.CreateRequest(new Uri(server, SyncProtocol.BankNotificationsPath), connectionId, secret, body, now);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A bank transaction id in the style banks use, unique enough for a demo.</summary>
    public static string NewTransactionId() => "FT" + DateTime.UtcNow.ToString("yyMMdd", CultureInfo.InvariantCulture) + Convert.ToHexString(RandomNumberGenerator.GetBytes(5));

    private static async Task<IResult> PageAsync(BankLedger ledger, string? result, CancellationToken ct)
    {
        var html = new StringBuilder();
        html.Append("""
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>Mô phỏng ngân hàng — KioskPos</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b;max-width:72rem}table{border-collapse:collapse;margin:1rem 0 2rem}
            td,th{border:1px solid #ccc;padding:.4rem .6rem;text-align:left}input{font-size:1rem;padding:.3rem}button{font-size:1rem;padding:.4rem .9rem;cursor:pointer}
            .note{background:#fff6d6;padding:.6rem 1rem;border-left:4px solid #e0b000}.ok{background:#e6f6e6;border-color:#2a8a2a}code{font-size:1.05rem}</style>
            <script>setTimeout(function(){ if (!document.activeElement || document.activeElement.tagName !== 'INPUT') location.replace('/bank-sim'); }, 8000);</script>
            </head><body>
            <h1>Mô phỏng ngân hàng <small>(bank simulator — demo only)</small></h1>
            <p class="note">Trang này gửi thông báo chuyển khoản có chữ ký HMAC đến webhook của máy chủ, đúng như dịch vụ thông báo của ngân hàng.
            Sửa số tiền để thử trả thiếu hoặc trả thừa. / Posts signed notifications to this server's webhook as the bank's service would.</p>
            """);
        if (!string.IsNullOrEmpty(result))
        {
            html.Append("<p class=\"note ok\" id=\"result\">").Append(HtmlText.Encode(result)).Append("</p>");
        }

        html.Append("<h2>Đang chờ tiền / Waiting for money</h2><table><tr><th>Thanh toán</th><th>Mã chuyển khoản</th><th>Cần trả</th><th>Đã nhận</th><th>Trạng thái</th><th>Chuyển khoản</th></tr>");
        foreach (var p in await ledger.RecentQrPaymentsAsync(15, ct).ConfigureAwait(false))
        {
            var open = Math.Max(0, p.Amount - p.Received);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(p.PaymentId)}</td><td><code>{Encode(p.TransferCode)}</code></td><td>{new Vnd(p.Amount)}</td><td>{new Vnd(p.Received)}</td><td>{Encode(p.State)}</td><td>");
            html.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="/bank-sim/send"><input type="hidden" name="account" value="{Encode(p.BankAccount ?? "")}">
                <input type="hidden" name="bin" value="{Encode(p.BankBin ?? "")}">
                <input name="text" size="30" value="CT tu NGUYEN VAN A {Encode(p.TransferCode)} hoc phi"> <input name="amount" size="9" inputmode="numeric" value="{(open > 0 ? open : p.Amount)}">
                <button data-code="{Encode(p.TransferCode)}">Mô phỏng chuyển khoản / simulate transfer</button></form></td></tr>
                """);
        }

        html.Append("""
            </table>
            <h2>Chuyển khoản bất kỳ / Any transfer</h2>
            <form method="post" action="/bank-sim/send">Tài khoản nhận <input name="account" value="1023456789" size="14"> Số tiền <input name="amount" value="100000" size="9">
            Nội dung <input name="text" value="ung ho quy lop" size="30"> Mã giao dịch (để gửi lại) <input name="txn" size="16"> <button>Gửi / send</button></form>
            </body></html>
            """);
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static async Task<IResult> SendFromFormAsync(HttpContext http, IOptions<ProvinceOptions> options, TimeProvider time, IHttpClientFactory clients)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var connection = options.Value.BankConnections.FirstOrDefault(c => c.Secret.Length > 0);
        if (connection is null)
        {
            return Results.Redirect("/bank-sim?result=" + Uri.EscapeDataString("Chưa cấu hình kết nối ngân hàng (Province:BankConnections)."));
        }

        if (!long.TryParse(form["amount"], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return Results.Redirect("/bank-sim?result=" + Uri.EscapeDataString("Số tiền phải là số nguyên dương (đồng)."));
        }

        var txn = string.IsNullOrWhiteSpace(form["txn"]) ? NewTransactionId() : form["txn"].ToString().Trim();
        var notification = new BankNotification(txn, form["account"].ToString(), amount, form["text"].ToString(), time.GetUtcNow(), string.IsNullOrEmpty(form["bin"]) ? null : form["bin"].ToString());
        var self = new Uri($"{http.Request.Scheme}://{http.Request.Host}");
        var (status, body) = await PostAsync(clients.CreateClient("bank-sim"), self, connection.Id, connection.Secret, notification, time.GetUtcNow(), http.RequestAborted).ConfigureAwait(false);
        return Results.Redirect("/bank-sim?result=" + Uri.EscapeDataString($"{txn}: HTTP {status} {body}"));
    }

    private static string Encode(string text) => HtmlText.Encode(text);
}
