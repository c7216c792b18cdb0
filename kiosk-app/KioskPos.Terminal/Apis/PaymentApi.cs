using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;

namespace KioskPos.Terminal.Apis;

/// <summary>Version 1 of the terminal's JSON API: payers and their bills, payments (with a VietQR payment's QR, cancel and provisional slip).</summary>
internal static class PaymentApi
{
    public static IEndpointRouteBuilder MapPaymentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/payers/by-card/{uid}", async (string uid, HttpContext http, CatalogueStore catalogue, CancellationToken ct) =>
        {
            if (CardPresence.Normalise(uid) is not { } normalised)
            {
                return ApiProblems.From(PaymentRefusal.Invalid("Mã thẻ không hợp lệ.", "A card UID is 4, 5, 7 or 10 bytes of hex."));
            }

            var account = await catalogue.FindByCardAsync(normalised, ct).ConfigureAwait(false);
            return account is null ? ApiProblems.From(PaymentRefusal.CardNotRecognised(normalised)) : await PayerAsync(http, account, catalogue, ct, normalised).ConfigureAwait(false);
        });
        api.MapGet("/payers/{code}", async (string code, HttpContext http, CatalogueStore catalogue, CancellationToken ct) =>
        {
            if (!PayerCode.TryNormalise(code, out var normalised))
            {
                return ApiProblems.From(PaymentRefusal.Invalid("Mã người nộp không hợp lệ.", "A payer code is 3 to 32 letters, digits or '-'."));
            }

            var account = await catalogue.FindByCodeAsync(normalised, ct).ConfigureAwait(false);
            return account is null ? ApiProblems.From(PaymentRefusal.PayerNotFound(normalised)) : await PayerAsync(http, account, catalogue, ct).ConfigureAwait(false);
        });
        api.MapPost("/payments", CreateAsync);
        api.MapGet("/payments/{id}", async (string id, PaymentStore payments, PaymentViewTokens tokens, CancellationToken ct) =>
            await payments.GetAsync(id, ct).ConfigureAwait(false) is { } payment
                ? TypedResults.Json(Views.Payment(payment, false, tokens.Issue(id)), TerminalJsonContext.Readable.PaymentView)
                : ApiProblems.Create(StatusCodes.Status404NotFound, "payment_not_found", $"No payment {id}.", id))
            .RequirePaymentAccess();
        api.MapGet("/payments", async (int? limit, PaymentStore payments, CancellationToken ct) =>
        {
            var recent = await payments.ListRecentAsync(limit ?? 20, ct).ConfigureAwait(false);
            return TypedResults.Json<IReadOnlyList<PaymentView>>(recent.Select(p => Views.Payment(p, false)).ToList(), TerminalJsonContext.Readable.IReadOnlyListPaymentView);
        }).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/payments/{id}/reprint", async (string id, PaymentService service, PaymentStore payments, CancellationToken ct) =>
        {
            if (await payments.GetAsync(id, ct).ConfigureAwait(false) is null)
            {
                return ApiProblems.Create(StatusCodes.Status404NotFound, "payment_not_found", $"No payment {id}.", id);
            }

            var (printed, problem) = await service.PrintAsync(id, ct).ConfigureAwait(false);
            return printed
                ? TypedResults.Json(new ReceiptView("printed", null), TerminalJsonContext.Readable.ReceiptView)
                : ApiProblems.Variant(StatusCodes.Status503ServiceUnavailable, "printer_problem", "receipt", problem);
        }).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapGet("/payments/{id}/qr.svg", async (string id, PaymentStore payments, CancellationToken ct) =>
            await payments.GetAsync(id, ct).ConfigureAwait(false) is { Qr: { } qr }
                ? Results.Content(QrImages.Svg(qr.Payload), "image/svg+xml")
                : ApiProblems.Create(StatusCodes.Status404NotFound, "qr_not_found", $"Payment {id} has no VietQR code.", id))
            .RequirePaymentAccess();
        api.MapPost("/payments/{id}/cancel", async (string id, PaymentService service, CancellationToken ct) =>
        {
            var payment = await service.EndQrAsync(id, "cancelled", ct).ConfigureAwait(false);
            return payment switch
            {
                null => ApiProblems.Create(StatusCodes.Status404NotFound, "payment_not_found", $"No payment {id}.", id),
                { State: PaymentState.Expired } => TypedResults.Json(Views.Payment(payment, false), TerminalJsonContext.Readable.PaymentView),
                _ => ApiProblems.Create(StatusCodes.Status409Conflict, "not_cancellable", $"Payment {id} is {payment.State.WireName()}; only a VietQR payment still waiting for the bank can be cancelled."),
            };
        }).RequirePaymentAccess();
        api.MapPost("/payments/{id}/provisional-slip", async (string id, PaymentService service, PaymentStore payments, CancellationToken ct) =>
        {
            if (await payments.GetAsync(id, ct).ConfigureAwait(false) is not { Qr: not null })
            {
                return ApiProblems.Create(StatusCodes.Status404NotFound, "qr_not_found", $"Payment {id} has no VietQR code.", id);
            }

            var (printed, problem) = await service.PrintProvisionalAsync(id, ct).ConfigureAwait(false);
            return printed
                ? TypedResults.Json(new ReceiptView("printed", null), TerminalJsonContext.Readable.ReceiptView)
                : ApiProblems.Variant(StatusCodes.Status503ServiceUnavailable, "printer_problem", "slip", problem);
        }).RequirePaymentAccess();
        return app;
    }

    private static async Task<IResult> PayerAsync(HttpContext http, PayerAccount account, CatalogueStore catalogue, CancellationToken ct, string? cardUid = null)
    {
        var bills = await catalogue.GetBillsAsync(account.Code, ct).ConfigureAwait(false);
        var available = await catalogue.GetAvailableBalanceAsync(account.Code, ct).ConfigureAwait(false);
        var view = Views.Payer(account, bills, available, cardUid);

        // The full name only to a cashier or supervisor at the counter; the kiosk's screen (and whoever stands
        // behind the parent) gets the masked one.
        if (await CounterApi.SignedInAsync(http).ConfigureAwait(false) is not { Role: StaffRole.Cashier or StaffRole.Supervisor })
        {
            view = view with { Name = view.MaskedName };
        }

        return TypedResults.Json(view, TerminalJsonContext.Readable.PayerView);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, PaymentService service, PaymentStore payments, PaymentViewTokens tokens)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.CreatePaymentRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header ? header : request.ClientRequestId;

        // The cashier is whoever is signed in, never a name the request claims; the self-service kiosk has none.
        var cashier = await CounterApi.SignedInAsync(http).ConfigureAwait(false);
        try
        {
            var taken = await service.TakeAsync(new PaymentInput(key, request.CardUid, request.PayerCode, request.Method, request.Bills, cashier?.Id, request.ApprovalCode, request.CardLast4, request.Pin), http.RequestAborted).ConfigureAwait(false);
            var payment = taken.Result.Payment;
            var token = tokens.Issue(payment.Id);
            var view = payment.Method == PaymentMethod.VietQr
                ? Views.Payment(payment, taken.Result.Replayed, token) with { ProvisionalSlipPrinted = taken.ProvisionalSlipPrinted }
                : Views.Payment(payment with { ReceiptState = taken.ReceiptPrinted ? "printed" : "failed", ReceiptDetail = taken.ReceiptProblem }, taken.Result.Replayed, token);
            return taken.Result.Replayed
                ? TypedResults.Json(view, TerminalJsonContext.Readable.PaymentView)
                : TypedResults.Json(view, TerminalJsonContext.Readable.PaymentView, statusCode: StatusCodes.Status201Created);
        }
        catch (PaymentRefusedException e)
        {
            return ApiProblems.From(e.Refusal);
        }
    }
}
