using System.Globalization;
using System.Net;
using System.Text;
using KioskPos.Core.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;
using KioskPos.Shared.Sqlite;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>The terminal's state: <c>/api/v1/status</c> for programs and <c>/</c> for people.</summary>
internal static class StatusApi
{
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder app)
    {
        // Two parameters on purpose: a lambda taking only HttpContext would be bound as a RequestDelegate and its
        // result dropped.
        app.MapGet("/api/v1/status", async (HttpContext http, CancellationToken ct) =>
            TypedResults.Json(await ReadAsync(http.RequestServices, ct).ConfigureAwait(false), TerminalJsonContext.Readable.StatusView));
        app.MapGet("/api/v1/journal/verify", async (JournalVerifier verifier, CancellationToken ct) =>
            TypedResults.Json(await verifier.VerifyAsync(ct).ConfigureAwait(false), TerminalJsonContext.Readable.JournalVerification))
            .RequireStaff(StaffRole.Technician, StaffRole.Supervisor, StaffRole.Cashier);
        app.MapGet("/", async (HttpContext http, PaymentStore payments, CatalogueStore catalogue, CardPresence presence, CancellationToken ct) =>
        {
            var status = await ReadAsync(http.RequestServices, ct).ConfigureAwait(false);

            // The state is for anyone at the terminal; the payer's details and the payments only for a signed-in
            // cashier or supervisor (sign in at /counter).
            var staff = await CounterApi.SignedInAsync(http).ConfigureAwait(false);
            var mayReadPayments = staff is { Role: StaffRole.Cashier or StaffRole.Supervisor };
            var html = new StringBuilder();
            html.Append("""
                <!doctype html><html lang="vi"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>KioskPos — Máy thu</title>
                <style>body{font-family:system-ui,sans-serif;margin:1.5rem;font-size:1.1rem;color:#1b1b1b}
                table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.35rem .7rem;text-align:left}
                td.n{text-align:right}.ok{color:#0a6b2d}.warn{color:#a33}</style></head><body>
                """);
            html.Append(CultureInfo.InvariantCulture, $"<h1>KioskPos — {E(status.Institution ?? "chưa đồng bộ / not synced yet")}</h1>");
            html.Append(CultureInfo.InvariantCulture, $"<p>Máy <b>{E(status.TerminalId)}</b> · đầu đọc thẻ: {E(status.CardReader)} · máy in: {E(status.Printer)} · dữ liệu: {status.CachedAccounts} người nộp, {status.CachedBills} khoản thu</p>");
            if (status.PrinterState is { } printer)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p class={(printer.State == "ready" ? "ok" : "warn")}>Máy in / printer: {E(printer.Description)}{(printer.Waiting > 0 ? $" · chờ in / waiting: {printer.Waiting}" : string.Empty)}</p>");
            }

            var zone = http.RequestServices.GetRequiredService<IOptions<TerminalOptions>>().Value.ResolveTimeZone();
            if (status.Indicators is { HelpRequestedAt: { } helpAt })
            {
                html.Append(CultureInfo.InvariantCulture, $"<p class=warn>Có người bấm nút hỗ trợ lúc {E(TimeZoneInfo.ConvertTime(helpAt, zone).ToString("HH:mm:ss dd/MM", CultureInfo.InvariantCulture))} / help requested</p>");
            }

            // A reader's problem matters until the next good tap, and for two minutes at most.
            var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            if (status.ReaderProblem is { } readerProblem && now - readerProblem.At < TimeSpan.FromMinutes(2) && !(presence.Last?.At > readerProblem.At))
            {
                html.Append(CultureInfo.InvariantCulture, $"<p class=warn>Đầu đọc thẻ: {E(readerProblem.Message)} / {E(readerProblem.MessageEnglish)}</p>");
            }

            var sync = status.Sync;
            var syncClass = sync.LastError is null ? "ok" : "warn";
            html.Append(CultureInfo.InvariantCulture, $"<h2>Đồng bộ / Sync</h2><p class={syncClass}>Chờ gửi: {sync.Queued} · Bị từ chối: {sync.Rejected} · Lần cuối thành công: {E(sync.LastSuccessAt?.ToString("HH:mm:ss dd/MM", CultureInfo.InvariantCulture) ?? "chưa")}");
            if (sync.LastError is { } error)
            {
                html.Append(CultureInfo.InvariantCulture, $" · Lỗi: {E(error)}");
            }

            html.Append("</p><h2>Thẻ vừa chạm / Last card</h2>");
            if (presence.Last is { } tap)
            {
                var account = tap.AccountCode is null ? null : await catalogue.FindByCodeAsync(tap.AccountCode, ct).ConfigureAwait(false);
                if (account is null)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<p class=warn>Không nhận ra thẻ {E(PersonalData.MaskCardUid(tap.Uid))} / card not recognised</p>");
                }
                else if (!mayReadPayments)
                {
                    html.Append("<p>Thẻ được nhận ra / card recognised · <a href=\"/counter\">đăng nhập để xem / sign in to see more</a></p>");
                }
                else
                {
                    var bills = (await catalogue.GetBillsAsync(account.Code, ct).ConfigureAwait(false)).Where(b => b.IsOpen).ToList();
                    var available = await catalogue.GetAvailableBalanceAsync(account.Code, ct).ConfigureAwait(false);
                    html.Append(CultureInfo.InvariantCulture, $"<p>{E(PersonalData.MaskName(account.FullName))} · {E(account.Code)} · {E(account.Group ?? string.Empty)} · số dư {E(available.ToString())}{(account.Refuses(tap.Uid) ? " · <b class=warn>THẺ BỊ KHÓA</b>" : string.Empty)}</p>");
                    html.Append("<table><tr><th>Mã khoản</th><th>Khoản thu</th><th>Hạn nộp</th><th>Còn nợ</th></tr>");
                    foreach (var bill in bills)
                    {
                        html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(bill.Id)}</td><td>{E(bill.Title)}</td><td>{E(bill.DueDate?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? "-")}</td><td class=n>{E(bill.Outstanding.ToString())}</td></tr>");
                    }

                    html.Append(bills.Count == 0 ? "<tr><td colspan=4>Không còn khoản nào phải nộp / nothing owed</td></tr></table>" : "</table>");
                }
            }
            else
            {
                html.Append("<p>Chạm thẻ học sinh hoặc nhập mã học sinh.</p>");
            }

            if (!mayReadPayments)
            {
                html.Append("<h2>Giao dịch gần đây / Recent payments</h2><p><a href=\"/counter\">Đăng nhập thu ngân để xem / sign in as a cashier to see them</a></p></body></html>");
                return TypedResults.Content(html.ToString(), "text/html; charset=utf-8");
            }

            html.Append("<h2>Giao dịch gần đây / Recent payments</h2><table><tr><th>Số phiếu</th><th>Mã người nộp</th><th>Số tiền</th><th>Biên lai</th><th>Đồng bộ</th></tr>");
            // The receipts' latest jobs in one read, newest first, rather than a query per payment.
            var receiptJobs = (await http.RequestServices.GetRequiredService<PrintQueueStore>().ListAsync(100, ct).ConfigureAwait(false))
                .Where(j => j.Kind == PrintJobKinds.Receipt && j.Subject is not null)
                .DistinctBy(j => j.Subject)
                .ToDictionary(j => j.Subject!);
            foreach (var payment in await payments.ListRecentAsync(10, ct).ConfigureAwait(false))
            {
                var receipt = E(payment.ReceiptState);
                if (receiptJobs.TryGetValue(payment.Id, out var job) && PrinterApi.View(job, http.RequestServices).Image is { } image)
                {
                    receipt = $"<a href=\"{E(image)}\" target=_blank>{receipt}</a>";
                }

                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(payment.Id)}</td><td>{E(payment.AccountCode)}</td><td class=n>{E(payment.Amount.ToString())}</td><td>{receipt}</td><td>{E(payment.Sync.ToString())}</td></tr>");
            }

            html.Append("</table></body></html>");
            return TypedResults.Content(html.ToString(), "text/html; charset=utf-8");
        });
        return app;
    }

    private static async Task<StatusView> ReadAsync(IServiceProvider services, CancellationToken ct)
    {
        var options = services.GetRequiredService<IOptions<TerminalOptions>>().Value;
        var database = services.GetRequiredService<SqliteDatabase>();
        var catalogue = services.GetRequiredService<CatalogueStore>();
        var presence = services.GetRequiredService<CardPresence>();
        var institution = await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false);
        var (accounts, bills) = await catalogue.CountAsync(ct).ConfigureAwait(false);
        var sync = await services.GetRequiredService<OutboxStore>().GetStatusAsync(ct).ConfigureAwait(false);
        return new StatusView(
            options.Id, institution?.Name, await database.GetSchemaVersionAsync(ct).ConfigureAwait(false), accounts, bills, Views.Sync(sync, services.GetRequiredService<KioskPos.Sync.SyncedClock>()),
            services.GetRequiredService<ICardReader>().Name, services.GetRequiredService<IReceiptPrinter>().Name,
            presence.Last is { } tap ? Views.Tap(tap) : null, presence.Taps, services.GetRequiredService<ProvinceLink>().Online,
            services.GetRequiredService<PrintQueue>().State,
            presence.LastProblem is { } problem ? Views.ReaderProblem(problem.Problem, problem.At) : null,
            Indicators(services));
    }

    internal static IndicatorsView Indicators(IServiceProvider services)
    {
        var gpio = services.GetRequiredService<GpioSetup>();
        var indicators = services.GetRequiredService<TerminalIndicators>();
        var help = services.GetRequiredService<HelpRequests>();
        return new IndicatorsView(gpio.Controller is null ? "none" : gpio.Simulated is null ? "chip" : "simulated",
            Views.Name(indicators.Light), indicators.Beeps, help.LastAt, help.Count);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
