using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The self-service kiosk's API (the page, <c>/kiosk</c>, is <c>wwwroot/kiosk.html</c>): its live
/// events at <c>/api/v1/kiosk/events</c> (card taps, reader problems, citizen-ID scans, the QR's outcome, the printer,
/// the network). The page
/// takes payments through the same payment API as every other screen.
/// </summary>
internal static class KioskApi
{
    public static IEndpointRouteBuilder MapKioskApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Kiosk");
        // Server-sent events (text/event-stream): not in the OpenAPI document.
        api.MapGet("/kiosk/events", StreamKioskAsync).ExcludeFromDescription().Public();
        api.MapGet("/payments/{id}/receipt-lookup", GetReceiptLookupAsync).WithSummary("Where the payer can see the receipt online: the URL and its QR")
            .RequirePaymentAccess();
        api.MapGet("/payments/{id}/pay-link", GetPayLinkAsync).WithSummary("A VietQR payment's link for a relative: the province's page with the same QR, and the link as a QR")
            .RequirePaymentAccess();
        api.MapGet("/kiosk/institution", GetInstitutionAsync).WithSummary("The institution this terminal serves and its type (a school's or a hospital's wording on the kiosk)")
            .ProducesProblems(StatusCodes.Status409Conflict).Public();
        return app;
    }

    // The institution in the sync protocol's shape (its type as the wire name, e.g. provincial_hospital): the kiosk
    // page words itself by it before anyone is found (pupils, their code and class at a school; patients, their code
    // and department at a hospital). Nothing in it is more than the kiosk already shows: the name in the header, the
    // receiving account beside every VietQR. Before its first pull the terminal knows none: 409 not_synced, as the
    // shift report answers then.
    private static async Task<Results<JsonOk<InstitutionDto>, ProblemResult>> GetInstitutionAsync(CatalogueStore catalogue, CancellationToken ct)
    {
        if (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is not { } institution)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, "not_synced", "The terminal has not synced its institution yet.");
        }

        var account = institution.Account;
        return JsonOk.Of(new InstitutionDto(institution.Id, institution.Name, institution.Type.WireName(), institution.District,
            account?.BankBin, account?.AccountNumber, account?.AccountName, account?.BankName), ContractsJsonContext.Default.InstitutionDto);
    }

    // When the printer cannot give the receipt, the payer scans its lookup QR from the screen instead.
    private static async Task<Results<JsonOk<ReceiptLookupView>, ProblemResult>> GetReceiptLookupAsync(
        string id, PaymentStore payments, IOptions<TerminalOptions> options, IOptions<SyncOptions> sync, CancellationToken ct)
    {
        if (await payments.LookupTokenAsync(id, ct).ConfigureAwait(false) is not { } token)
        {
            return ApiProblems.Variant(StatusCodes.Status404NotFound, "payment_not_found", "lookup", $"No payment {id}.");
        }

        var url = $"{(options.Value.ReceiptLookupUrl ?? sync.Value.BaseUrl).ToString().TrimEnd('/')}/r/{Uri.EscapeDataString(id)}?h={token}";
        return JsonOk.Of(new ReceiptLookupView(url, QrImages.Svg(url)), TerminalJsonContext.Readable.ReceiptLookupView);
    }

    // The QR screen's second, small code: a relative scans it with their own phone and pays from there. The key comes
    // from the payment's journal hash, so the link is known offline too; the page answers once the entry is pushed.
    private static async Task<Results<JsonOk<PayLinkView>, ProblemResult>> GetPayLinkAsync(
        string id, PaymentStore payments, IOptions<TerminalOptions> options, IOptions<SyncOptions> sync, CancellationToken ct)
    {
        if (await payments.GetAsync(id, ct).ConfigureAwait(false) is not { Qr: { } qr } payment ||
            await payments.PayLinkKeyAsync(id, ct).ConfigureAwait(false) is not { } key)
        {
            return ApiProblems.Variant(StatusCodes.Status404NotFound, "payment_not_found", "lookup", $"No VietQR payment {id}.");
        }

        var url = $"{(options.Value.ReceiptLookupUrl ?? sync.Value.BaseUrl).ToString().TrimEnd('/')}/p/{Uri.EscapeDataString(id)}?k={key}";
        return JsonOk.Of(new PayLinkView(url, QrImages.Svg(url), qr.ExpiresAt, payment.Sync == Core.Domain.SyncState.Synced), TerminalJsonContext.Readable.PayLinkView);
    }

    private static async Task StreamKioskAsync(HttpContext http, CardPresence presence, CitizenIdScans scans, CustomerDisplay display, ProvinceLink link, CatalogueStore catalogue, PrintQueue printQueue, Speech.Headphones headphones)
    {
        using var stream = new ServerSentEvents(http);
        try
        {
            display.SetInstitution((await catalogue.GetInstitutionAsync(stream.Lasting).ConfigureAwait(false))?.Name);
        }
        catch (OperationCanceledException) when (stream.Lasting.IsCancellationRequested)
        {
            return;
        }

        // The stream is open to whoever asks: the counter's signed-in cashier gets the UID, the kiosk (no session) the
        // masked UID and the tap's reference, which it pays with and which dies with the tap.
        var staff = await CounterApi.SignedInAsync(http).ConfigureAwait(false) is not null;
        void OnTap(CardTap tap) => stream.Post($"event: tap\ndata: {JsonSerializer.Serialize(Views.Tap(tap, staff, withReference: !staff), TerminalJsonContext.Default.TapView)}\n\n");
        void OnProblem(Firmware.Devices.CardProblem problem) =>
            stream.Post($"event: reader\ndata: {JsonSerializer.Serialize(Views.ReaderProblem(problem, DateTimeOffset.UtcNow), TerminalJsonContext.Default.ReaderProblemView)}\n\n");
        // A scan is told as its reference (or the refusal's catalogue key), never as the card's number.
        void OnScan(CitizenIdScan scan) => stream.Post($"event: scan\ndata: {JsonSerializer.Serialize(scan, TerminalJsonContext.Default.CitizenIdScan)}\n\n");
        void OnPrinter() => stream.Post($"event: printer\ndata: {JsonSerializer.Serialize(printQueue.State, TerminalJsonContext.Default.PrinterState)}\n\n");
        // Headphones plugged into the jack switch the page's speech on, pulled out off.
        void OnHeadphones(bool plugged) => stream.Post(Speech.Headphones.Event(plugged));
        string Network() => $"event: network\ndata: {(link.Online ? "true" : "false")}\n\n";
        presence.Tapped += OnTap;
        headphones.Changed += OnHeadphones;
        presence.ProblemReported += OnProblem;
        scans.Scanned += OnScan;
        printQueue.Changed += OnPrinter;
        try
        {
            stream.Post(Network());
            OnPrinter();
            if (headphones.Plugged is { } plugged)
            {
                OnHeadphones(plugged);
            }

            await stream.RunAsync(async lasting =>
            {
                await foreach (var screen in display.FollowAsync(lasting).ConfigureAwait(false))
                {
                    stream.Post($"event: screen\ndata: {JsonSerializer.Serialize(screen, TerminalJsonContext.Default.DisplayScreen)}\n\n");
                    stream.Post(Network());
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            presence.Tapped -= OnTap;
            presence.ProblemReported -= OnProblem;
            scans.Scanned -= OnScan;
            printQueue.Changed -= OnPrinter;
            headphones.Changed -= OnHeadphones;
        }
    }
}
