using System.Globalization;
using KioskPos.Core.Text;
using KioskPos.Firmware.Devices;
using KioskPos.Storage;
using KioskPos.Terminal.Apis;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Screens;

/// <summary>
/// The terminal's state for people (<c>/</c>), drawn from <c>wwwroot/status.html</c>: its institution, devices,
/// printer, help requests and sync queue for anyone at the terminal; the last payer's open fees and the recent payments
/// only for a signed-in cashier or supervisor (sign in at <c>/counter</c>), the payer's name masked.
/// </summary>
internal static class StatusPage
{
    private static readonly Lazy<PageTemplate> s_template = new(() => PageTemplate.Parse(ScreenFiles.ReadText("status.html")));

    /// <summary>The page, for <c>GET /</c>.</summary>
    public static async Task<IResult> RenderAsync(
        HttpContext http, TerminalStatus terminal, CatalogueStore catalogue, CardPresence presence, PrintQueueStore jobs, PaymentStore payments, IReceiptPrinter printer,
        IOptions<TerminalOptions> options, TimeProvider time, CancellationToken ct)
    {
        var status = await terminal.ReadAsync(fullUid: false, ct).ConfigureAwait(false);
        var staff = await CounterApi.SignedInAsync(http).ConfigureAwait(false);
        var mayReadPayments = staff is { Role: StaffRole.Cashier or StaffRole.Supervisor };
        var terminalOptions = options.Value;
        var now = time.GetUtcNow();

        var page = new TemplateScope()
            .Set("institution", status.Institution ?? PageTemplate.Both("terminal.status.notSynced"))
            .Set("terminalId", status.TerminalId)
            .Set("cardReader", status.CardReader)
            .Set("printer", status.Printer)
            .Set("data", PageTemplate.Both("terminal.status.data", status.CachedAccounts, status.CachedBills))
            .If("printerState", status.PrinterState is not null, p => p
                .Set("class", status.PrinterState!.State == "ready" ? "ok" : "warn")
                .Set("description", status.PrinterState.Description)
                .If("waiting", status.PrinterState.Waiting > 0, w => w.Set("count", status.PrinterState.Waiting.ToString(CultureInfo.InvariantCulture))))
            .If("help", status.Indicators is { HelpRequestedAt: not null }, h => h.Set("text",
                PageTemplate.Both("terminal.status.help", terminalOptions.PageTime(status.Indicators!.HelpRequestedAt!.Value))));

        // A reader that cannot be opened says so as long as it lasts; the terminal takes QR payments meanwhile.
        var health = status.CardReaderHealth;
        page.If("readerUnavailable", health is { State: "unavailable" }, r => r.Set("message", health!.Message).Set("messageEnglish", health.MessageEnglish).Set("problem", health.Problem ?? string.Empty))
            .If("readerRecovered", health is { Recoveries: > 0, LastRecoveryAt: not null }, r => r.Set("text",
                PageTemplate.Both("terminal.status.readerRecovered", health!.Recoveries, terminalOptions.PageTime(health.LastRecoveryAt!.Value))));

        // A reader's problem matters until the next good tap, and for two minutes at most.
        var readerProblem = status.ReaderProblem is { } problem && now - problem.At < TimeSpan.FromMinutes(2) && !(presence.Last?.At > problem.At) ? problem : null;
        page.If("readerProblem", readerProblem is not null, r => r.Set("message", readerProblem!.Message).Set("messageEnglish", readerProblem.MessageEnglish));

        var sync = status.Sync;
        page.Set("syncClass", sync.LastError is null ? "ok" : "warn")
            .Set("queued", sync.Queued.ToString(CultureInfo.InvariantCulture))
            .Set("rejected", sync.Rejected.ToString(CultureInfo.InvariantCulture))
            .Set("lastSuccess", sync.LastSuccessAt is { } last ? terminalOptions.PageTime(last) : PageTemplate.Both("terminal.status.never"))
            .If("syncError", sync.LastError is not null, e => e.Set("error", sync.LastError));

        var tap = presence.Last;
        var account = tap?.AccountCode is { } code ? await catalogue.FindByCodeAsync(code, ct).ConfigureAwait(false) : null;
        page.If("noCard", tap is null)
            .If("cardUnknown", tap is not null && account is null, c => c.Set("text", PageTemplate.Both("terminal.status.cardUnknown", PersonalData.MaskCardUid(tap!.Uid))))
            .If("cardRecognised", account is not null && !mayReadPayments);
        if (account is not null && mayReadPayments)
        {
            var bills = (await catalogue.GetBillsAsync(account.Code, ct).ConfigureAwait(false)).Where(b => b.IsOpen).ToList();
            var available = await catalogue.GetAvailableBalanceAsync(account.Code, ct).ConfigureAwait(false);
            page.If("payer", true, p => p
                .Set("name", PersonalData.MaskName(account.FullName))
                .Set("code", account.Code)
                .Set("group", account.Group)
                .Set("balance", available.ToString())
                .If("blocked", account.Refuses(tap!.Uid))
                .Each("bills", bills, (row, bill) => row
                    .Set("id", bill.Id)
                    .Set("title", bill.Title)
                    .Set("due", bill.DueDate?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? "-")
                    .Set("outstanding", bill.Outstanding.ToString()))
                .If("nothingOwed", bills.Count == 0));
        }
        else
        {
            page.If("payer", false);
        }

        page.If("signInForPayments", !mayReadPayments);
        if (mayReadPayments)
        {
            // The receipts' latest jobs in one read, newest first, rather than a query per payment.
            var receiptJobs = (await jobs.ListAsync(100, ct).ConfigureAwait(false))
                .Where(j => j.Kind == PrintJobKinds.Receipt && j.Subject is not null)
                .DistinctBy(j => j.Subject)
                .ToDictionary(j => j.Subject!);
            var recent = await payments.ListRecentAsync(10, ct).ConfigureAwait(false);
            var folder = PrinterApi.ReceiptFolder(printer);
            page.If("payments", true, p => p.Each("rows", recent, (row, payment) =>
            {
                var image = receiptJobs.TryGetValue(payment.Id, out var job) ? PrinterApi.View(job, folder).Image : null;
                row.Set("id", payment.Id)
                    .Set("payerCode", payment.AccountCode)
                    .Set("amount", payment.Amount.ToString())
                    .Set("receipt", payment.ReceiptState)
                    .Set("sync", payment.Sync.ToString())
                    .If("image", image is not null, i => i.Set("url", image))
                    .If("noImage", image is null);
            }));
        }
        else
        {
            page.If("payments", false);
        }

        return TypedResults.Content(s_template.Value.Render(page), "text/html; charset=utf-8");
    }
}
