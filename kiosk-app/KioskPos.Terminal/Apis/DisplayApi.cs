using System.Text.Json;
using KioskPos.Core.Domain;
using KioskPos.Core.VietQr;
using KioskPos.Storage;
using KioskPos.Terminal.Services;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The customer display: <c>/display</c> (a small page, every asset served from here, so it works with the
/// network down), its server-sent events at <c>/api/v1/display/events</c>, and the VietQR endpoints the screens
/// use: a payment's QR as SVG, cancelling a payment's QR, printing its provisional slip.
/// </summary>
internal static class DisplayApi
{
    public static IEndpointRouteBuilder MapDisplayApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/display", () => Results.Content(DisplayPage.Html, "text/html; charset=utf-8"));
        app.MapGet("/api/v1/display", (CustomerDisplay display) => TypedResults.Json(display.Current, TerminalJsonContext.Readable.DisplayScreen));
        app.MapGet("/api/v1/display/events", StreamAsync);
        app.MapGet("/api/v1/payments/{id}/qr.svg", async (string id, PaymentStore payments, CancellationToken ct) =>
            await payments.GetAsync(id, ct).ConfigureAwait(false) is { Qr: { } qr }
                ? Results.Content(QrImages.Svg(qr.Payload), "image/svg+xml")
                : ApiProblems.Create(StatusCodes.Status404NotFound, "qr_not_found", $"Giao dịch {id} không có mã QR.", $"Payment {id} has no VietQR code."));
        app.MapPost("/api/v1/payments/{id}/cancel", async (string id, PaymentService service, CancellationToken ct) =>
        {
            var payment = await service.EndQrAsync(id, "cancelled", ct).ConfigureAwait(false);
            return payment switch
            {
                null => ApiProblems.Create(StatusCodes.Status404NotFound, "payment_not_found", $"Không có giao dịch {id}.", $"No payment {id}."),
                { State: PaymentState.Expired } => TypedResults.Json(Views.Payment(payment, false), TerminalJsonContext.Readable.PaymentView),
                _ => ApiProblems.Create(StatusCodes.Status409Conflict, "not_cancellable", "Giao dịch này không huỷ được (đã nhận tiền hoặc không phải VietQR).",
                    $"Payment {id} is {payment.State.WireName()}; only a VietQR payment still waiting for the bank can be cancelled."),
            };
        });
        app.MapPost("/api/v1/payments/{id}/provisional-slip", async (string id, PaymentService service, PaymentStore payments, CancellationToken ct) =>
        {
            if (await payments.GetAsync(id, ct).ConfigureAwait(false) is not { Qr: not null })
            {
                return ApiProblems.Create(StatusCodes.Status404NotFound, "qr_not_found", $"Giao dịch {id} không có mã QR.", $"Payment {id} has no VietQR code.");
            }

            var (printed, problem) = await service.PrintProvisionalAsync(id, ct).ConfigureAwait(false);
            return printed
                ? TypedResults.Json(new ReceiptView("printed", null), TerminalJsonContext.Readable.ReceiptView)
                : ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, "printer_problem", "Không in được phiếu.", problem);
        });
        return app;
    }

    private static async Task StreamAsync(HttpContext http, CustomerDisplay display, CatalogueStore catalogue)
    {
        display.SetInstitution((await catalogue.GetInstitutionAsync(http.RequestAborted).ConfigureAwait(false))?.Name);
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync("retry: 2000\n\n", http.RequestAborted).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        try
        {
            await foreach (var screen in display.FollowAsync(http.RequestAborted).ConfigureAwait(false))
            {
                var json = JsonSerializer.Serialize(screen, TerminalJsonContext.Default.DisplayScreen);
                await http.Response.WriteAsync($"event: screen\nid: {screen.Version}\ndata: {json}\n\n", http.RequestAborted).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The page went away.
        }
    }
}
