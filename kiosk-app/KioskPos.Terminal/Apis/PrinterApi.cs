using System.Globalization;
using KioskPos.Core.Receipts;
using KioskPos.Firmware.Devices;
#if SIMULATORS
using KioskPos.Hardware.Simulators.Printer;
#endif
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>The printer, its queue, reprints, the X report and the test page.</summary>
public static class PrinterApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapPrinterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Printer");
        api.MapGet("/printer", GetPrinterAsync).WithSummary("The printer's state and its recent jobs").Public();
        api.MapGet("/print-jobs/{id:long}", GetPrintJobAsync).WithSummary("A print job")
            .ProducesProblems(StatusCodes.Status404NotFound).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/receipts/last/reprint", ReprintLastReceiptAsync).WithSummary("Reprint the last receipt")
            .ProducesPrint().ProducesProblems(StatusCodes.Status404NotFound).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/printer/test-page", PrintTestPageAsync).WithSummary("Print the test page")
            .ProducesPrint().RequireStaff(StaffRole.Technician, StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/reports/x", PrintXReportAsync).WithSummary("Print the X report (the open shift so far)")
            .ProducesPrint().ProducesProblems(StatusCodes.Status409Conflict).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);

#if SIMULATORS
        // The emulator's paper, for the terminal's page in make run: receipt images and their text twins (files, not
        // in the OpenAPI document), under the development flag as /dev is.
        if (app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>(TerminalApp.DevEndpointsSetting))
        {
            app.MapGet("/receipts/{file}", GetReceiptFile).ExcludeFromDescription().Public();
        }
#endif
        return app;
    }

    private static async Task<JsonOk<PrinterView>> GetPrinterAsync(HttpContext http, PrintQueue queue, PrintQueueStore jobs, IReceiptPrinter printer, CancellationToken ct)
    {
        var state = queue.State;
        var recent = await jobs.ListAsync(20, ct).ConfigureAwait(false);

        // The printer's state for anyone (screens, technicians); what the receipts said only for the counter.
        var mayReadReceipts = await CounterApi.SignedInAsync(http).ConfigureAwait(false) is { Role: StaffRole.Cashier or StaffRole.Supervisor };
        var folder = mayReadReceipts ? ReceiptFolder(printer) : null; // no image looked for that will not be shown
        return JsonOk.Of(new PrinterView(printer.Name, state.State, state.Description, state.PaperNearEnd, state.Waiting, state.HeldJob, state.HeldSince, state.CheckedAt,
            recent.Select(j => mayReadReceipts ? View(j, folder) : View(j, folder) with { Preview = null }).ToList()), TerminalJsonContext.Readable.PrinterView);
    }

    private static async Task<Results<JsonOk<PrintJobView>, ProblemResult>> GetPrintJobAsync(long id, PrintQueueStore jobs, IReceiptPrinter printer, CancellationToken ct) =>
        await jobs.GetAsync(id, ct).ConfigureAwait(false) is { } job
            ? JsonOk.Of(View(job, ReceiptFolder(printer)), TerminalJsonContext.Readable.PrintJobView)
            : ApiProblems.Create(StatusCodes.Status404NotFound, "job_not_found", $"No print job {id}.", id);

    private static async Task<Results<JsonOk<PrintRequestView>, ProblemResult>> ReprintLastReceiptAsync(PrintQueueStore jobs, PrintQueue queue, IOptions<TerminalOptions> options, CancellationToken ct)
    {
        if (await jobs.LastReceiptSubjectAsync(ct).ConfigureAwait(false) is not { } paymentId)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, "no_receipt", "No receipt has been printed yet.");
        }

        return Answer(await queue.PrintReceiptAsync(paymentId, reprint: true, options.Value.PrintWait, ct).ConfigureAwait(false));
    }

    private static async Task<JsonOk<PrintRequestView>> PrintTestPageAsync(TestPage page, PrintQueue queue, IOptions<TerminalOptions> options, CancellationToken ct) =>
        Answer(await queue.PrintDocumentAsync(PrintJobKinds.TestPage, null, ReceiptLayouts.TestPage(page.Info()), options.Value.PrintWait, ct).ConfigureAwait(false));

    private static async Task<Results<JsonOk<PrintRequestView>, ProblemResult>> PrintXReportAsync(
        HttpContext http, ShiftStore shifts, CatalogueStore catalogue, PrintQueue queue, IOptions<TerminalOptions> options, CancellationToken ct)
    {
        if (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is not { } institution)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, "not_synced", "The terminal has not synced its institution yet.");
        }

        // The open shift so far: what was taken, voided and refunded since the last close (the Z report's
        // figures, without closing), its receipt numbers and the transfers still waiting for the bank.
        var cashier = await CounterApi.SignedInAsync(http).ConfigureAwait(false);
        var shift = await shifts.OpenAsync(cashier?.Id ?? "-", ct).ConfigureAwait(false);
        var report = CounterApi.ShiftReportOf(shift, institution, options.Value, cashier?.Name ?? "-", closing: false);
        return Answer(await queue.PrintDocumentAsync(PrintJobKinds.Report, null, ReceiptLayouts.Shift(report), options.Value.PrintWait, ct).ConfigureAwait(false));
    }

#if SIMULATORS
    private static Results<PhysicalFileHttpResult, NotFound> GetReceiptFile(string file, IReceiptPrinter printer)
    {
        if (ReceiptFolder(printer) is not { } folder ||
            file.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || file.StartsWith('.') ||
            !(file.EndsWith(".png", StringComparison.Ordinal) || file.EndsWith(".txt", StringComparison.Ordinal)))
        {
            return TypedResults.NotFound();
        }

        var path = Path.Combine(folder, file);
        return File.Exists(path)
            ? TypedResults.PhysicalFile(path, file.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "text/plain; charset=utf-8")
            : TypedResults.NotFound();
    }
#endif

    // A print answers 200 when it printed, 202 when the printer holds it (it prints when the printer recovers).
    private static RouteHandlerBuilder ProducesPrint(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<PrintRequestView>(StatusCodes.Status202Accepted);

    private static JsonOk<PrintRequestView> Answer(QueuedPrint outcome) => outcome.Printed
        ? JsonOk.Of(new PrintRequestView(outcome.JobId, "printed", null), TerminalJsonContext.Readable.PrintRequestView)
        : JsonOk.Of(new PrintRequestView(outcome.JobId, "held", outcome.Problem), TerminalJsonContext.Readable.PrintRequestView, StatusCodes.Status202Accepted);

    /// <summary>The emulator's paper folder, where its receipt images are (make run, the tests); null for a real printer.</summary>
    internal static string? ReceiptFolder(IReceiptPrinter printer) =>
#if SIMULATORS
        (printer as EmulatedReceiptPrinter)?.Folder;
#else
        null;
#endif

    /// <summary>
    /// A print job; with its receipt's image when the emulator printed it into <paramref name="receiptFolder"/>. Only an
    /// original receipt or provisional slip is named by its payment: a reprint's file is numbered by the emulator
    /// (<c>-in-lai-2</c>), a void slip's by the reversal, so those get no image rather than the original's.
    /// </summary>
    internal static PrintJobView View(PrintJobRecord job, string? receiptFolder)
    {
        string? image = null;
        if (receiptFolder is not null && job.Subject is { } subject && job.State == "printed" && !job.Reprint
            && job.Kind is PrintJobKinds.Receipt or PrintJobKinds.Provisional)
        {
            var name = ReceiptLayouts.ReferenceOf(subject, provisional: job.Kind == PrintJobKinds.Provisional);
            image = File.Exists(Path.Combine(receiptFolder, name + ".png")) ? $"/receipts/{Uri.EscapeDataString(name)}.png" : null;
        }

        return new PrintJobView(job.Id, job.Kind, job.Subject, job.Reprint, job.State, job.Attempts, job.Problem, job.CreatedAt, job.PrintedAt, job.Preview, image);
    }
}
