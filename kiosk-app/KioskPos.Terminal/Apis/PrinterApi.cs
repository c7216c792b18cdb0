using System.Globalization;
using System.Net.NetworkInformation;
using KioskPos.Core.Receipts;
using KioskPos.Firmware.Devices;
#if SIMULATORS
using KioskPos.Hardware.Simulators.Printer;
#endif
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal.Services;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>The printer, its queue, reprints, the X report and the test page.</summary>
public static class PrinterApi
{
    /// <summary>Maps the endpoints.</summary>
    public static WebApplication MapPrinterApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/printer", async (HttpContext http, PrintQueue queue, PrintQueueStore jobs, IReceiptPrinter printer, CancellationToken ct) =>
        {
            var state = queue.State;
            var recent = await jobs.ListAsync(20, ct).ConfigureAwait(false);

            // The printer's state for anyone (screens, technicians); what the receipts said only for the counter.
            var mayReadReceipts = await CounterApi.SignedInAsync(http).ConfigureAwait(false) is { Role: StaffRole.Cashier or StaffRole.Supervisor };
            return TypedResults.Json(new PrinterView(printer.Name, state.State, state.Description, state.PaperNearEnd, state.Waiting, state.HeldJob, state.HeldSince, state.CheckedAt,
                recent.Select(j => mayReadReceipts ? View(j, http.RequestServices) : View(j, http.RequestServices) with { Preview = null, Image = null }).ToList()), TerminalJsonContext.Readable.PrinterView);
        });
        api.MapGet("/print-jobs/{id:long}", async (long id, HttpContext http, PrintQueueStore jobs, CancellationToken ct) =>
            await jobs.GetAsync(id, ct).ConfigureAwait(false) is { } job
                ? TypedResults.Json(View(job, http.RequestServices), TerminalJsonContext.Readable.PrintJobView)
                : ApiProblems.Create(StatusCodes.Status404NotFound, "job_not_found", $"No print job {id}.", id))
            .RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/receipts/last/reprint", async (PrintQueueStore jobs, PrintQueue queue, IOptions<TerminalOptions> options, CancellationToken ct) =>
        {
            if (await jobs.LastReceiptSubjectAsync(ct).ConfigureAwait(false) is not { } paymentId)
            {
                return ApiProblems.Create(StatusCodes.Status404NotFound, "no_receipt", "No receipt has been printed yet.");
            }

            return Answer(await queue.PrintReceiptAsync(paymentId, reprint: true, options.Value.PrintWait, ct).ConfigureAwait(false));
        }).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/printer/test-page", async (HttpContext http, PrintQueue queue, IOptions<TerminalOptions> options, CancellationToken ct) =>
            Answer(await queue.PrintDocumentAsync(PrintJobKinds.TestPage, null, ReceiptLayouts.TestPage(TestPage(http.RequestServices)), options.Value.PrintWait, ct).ConfigureAwait(false))).RequireStaff(StaffRole.Technician, StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/reports/x", async (HttpContext http, PaymentStore payments, ReversalStore reversals, CatalogueStore catalogue, PrintQueue queue, IOptions<TerminalOptions> options, TimeProvider time, CancellationToken ct) =>
        {
            if (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is not { } institution)
            {
                return ApiProblems.Create(StatusCodes.Status409Conflict, "not_synced", "The terminal has not synced its institution yet.");
            }

            // The open shift so far: what was taken, voided and refunded since the last close (the Z report's
            // figures, without closing), and the transfers still waiting for the bank.
            var cashier = await CounterApi.SignedInAsync(http).ConfigureAwait(false);
            var zone = options.Value.ResolveTimeZone();
            var now = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone);
            var opened = await reversals.LastClosedAtAsync(ct).ConfigureAwait(false) is { } closedAt
                ? TimeZoneInfo.ConvertTime(closedAt, zone)
                : new DateTimeOffset(now.Date, now.Offset);
            var shift = await reversals.OpenShiftAsync(cashier?.Id ?? "-", ct).ConfigureAwait(false);
            var totals = await payments.TotalsAsync(opened, now.AddTicks(1), ct).ConfigureAwait(false);
            var report = new ShiftReport(
                institution, options.Value.Id, shift.Number.ToString(CultureInfo.InvariantCulture), cashier?.Name ?? "-", opened, now, Closing: false,
                shift.ByMethod.Select(m => new MethodTotal(Core.Domain.PaymentWireNames.TryParseMethod(m.Method, out var method) ? method : default, m.Count, new Core.Money.Vnd(m.Amount))).ToList(),
                (shift.Voids, new Core.Money.Vnd(shift.Voided)), (shift.Refunds, new Core.Money.Vnd(shift.Refunded)),
                totals.FirstReceipt, totals.LastReceipt, totals.PendingQr);
            return Answer(await queue.PrintDocumentAsync(PrintJobKinds.Report, null, ReceiptLayouts.Shift(report), options.Value.PrintWait, ct).ConfigureAwait(false));
        }).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);

#if SIMULATORS
        // The emulator's paper, for the terminal's page in make run: receipt images and their text twins.
        app.MapGet("/receipts/{file}", (string file, HttpContext http) =>
        {
            if (http.RequestServices.GetService<EmulatedReceiptPrinter>() is not { } emulated ||
                file.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || file.StartsWith('.') ||
                !(file.EndsWith(".png", StringComparison.Ordinal) || file.EndsWith(".txt", StringComparison.Ordinal)))
            {
                return Results.NotFound();
            }

            var path = Path.Combine(emulated.Folder, file);
            return File.Exists(path)
                ? Results.File(path, file.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "text/plain; charset=utf-8")
                : Results.NotFound();
        });
#endif
        return app;
    }

    private static IResult Answer(QueuedPrint outcome) => outcome.Printed
        ? TypedResults.Json(new PrintRequestView(outcome.JobId, "printed", null), TerminalJsonContext.Readable.PrintRequestView)
        : TypedResults.Json(new PrintRequestView(outcome.JobId, "held", outcome.Problem), TerminalJsonContext.Readable.PrintRequestView, statusCode: StatusCodes.Status202Accepted);

    internal static PrintJobView View(PrintJobRecord job, IServiceProvider services)
    {
        string? image = null;
#if SIMULATORS
        if (services.GetService<EmulatedReceiptPrinter>() is { } emulated && job.Subject is { } subject && job.State == "printed")
        {
            var name = ReceiptLayouts.ReferenceOf(subject, provisional: job.Kind == PrintJobKinds.Provisional);
            image = File.Exists(Path.Combine(emulated.Folder, name + ".png")) ? $"/receipts/{Uri.EscapeDataString(name)}.png" : null;
        }
#endif

        return new PrintJobView(job.Id, job.Kind, job.Subject, job.Reprint, job.State, job.Attempts, job.Problem, job.CreatedAt, job.PrintedAt, job.Preview, image);
    }

    /// <summary>What the test page and the status ticket say about this terminal.</summary>
    internal static TestPageInfo TestPage(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TerminalOptions>>().Value;
        var sync = services.GetRequiredService<IOptions<SyncOptions>>().Value;
        return new TestPageInfo(
            options.Id,
            services.GetRequiredService<IOptions<HardwareOptions>>().Value.Printer,
            services.GetRequiredService<IReceiptPrinter>().Name,
            Addresses(),
            File.Exists(sync.KeyPath) ? "đã có khóa thiết bị / device key present" : "chưa đăng ký / not enrolled",
            sync.BaseUrl.ToString(),
            typeof(PrinterApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            TimeZoneInfo.ConvertTime(services.GetRequiredService<TimeProvider>().GetUtcNow(), options.ResolveTimeZone()));
    }

    private static IReadOnlyList<string> Addresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => $"{a.Address} ({n.Name})"))
                .ToList();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
