using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.Terminal.Apis;

/// <summary>Version 1 of the terminal's JSON API: payers and their bills, payments (with a VietQR payment's QR, cancel and provisional slip).</summary>
internal static class PaymentApi
{
    public static IEndpointRouteBuilder MapPaymentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Payments");
        api.MapGet("/payers/by-card/{uid}", GetPayerByCardAsync).WithSummary("A payer and their open bills, by the tap's reference (anyone) or a card UID (signed-in staff)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable).Public();
        api.MapGet("/payers/{code}", GetPayerAsync).WithSummary("A payer and their open bills, by payer code (rate-limited per source when no one is signed in)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable).Public().LimitsTypedLookups("code");
        api.MapPost("/payments", CreatePaymentAsync).WithSummary("Take a payment: the card by the tap's reference, or by its UID from signed-in staff or while it is on the reader (Idempotency-Key or clientRequestId makes a retry safe)")
            .AcceptsJson<CreatePaymentRequest>().Produces<PaymentView>(StatusCodes.Status201Created)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable)
            .LimitsTypedPayerCodes().AllowKioskOrStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapGet("/payments/{id}", GetPaymentAsync).WithSummary("A payment").RequirePaymentAccess();
        api.MapGet("/payments", ListPaymentsAsync).WithSummary("Recent payments, newest first")
            .RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/payments/{id}/reprint", ReprintAsync).WithSummary("Reprint a payment's receipt")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status503ServiceUnavailable).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapGet("/payments/{id}/qr.svg", GetQrImageAsync).WithSummary("A VietQR payment's code as an SVG image")
            .Produces<string>(StatusCodes.Status200OK, "image/svg+xml").ProducesProblems(StatusCodes.Status409Conflict).RequirePaymentAccess();
        api.MapPost("/payments/{id}/cancel", CancelAsync).WithSummary("Cancel a VietQR payment still waiting for the bank")
            .ProducesProblems(StatusCodes.Status409Conflict).RequirePaymentAccess();
        api.MapPost("/payments/{id}/provisional-slip", PrintProvisionalSlipAsync).WithSummary("Print a VietQR payment's provisional slip")
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable).RequirePaymentAccess();
        return app;
    }

    private static async Task<Results<JsonOk<PayerView>, ProblemResult>> GetPayerByCardAsync(string uid, HttpContext http, CatalogueStore catalogue, PaymentService payments, CardPresence presence, CancellationToken ct)
    {
        // The kiosk looks the payer up by the tap's reference (it is never told the UID).
        if (CardPresence.IsReference(uid))
        {
            uid = presence.Resolve(uid) ?? string.Empty;
            if (uid.Length == 0)
            {
                return ApiProblems.From(PaymentRefusal.CardNotPresented());
            }
        }
        else if (await CounterApi.SignedInAsync(http).ConfigureAwait(false) is null)
        {
            // A typed UID is staff's (the counter's card field): anyone else asks by the card on the reader, as for the
            // card's statement. A UID is no secret (any phone reads it), and the answer names the payer's bills — at a
            // hospital a patient's ward and services.
            return ApiProblems.From(PaymentRefusal.CardNotPresented());
        }

        if (CardPresence.Normalise(uid) is not { } normalised)
        {
            return ApiProblems.From(PaymentRefusal.InvalidRequest("payment.invalid_card_uid"));
        }

        var (account, refusal) = await catalogue.LookUpAsync(normalised, null, PaymentRefusal.CardNotRecognised(KioskPos.Core.Text.PersonalData.MaskCardUid(normalised)), ct).ConfigureAwait(false);
        return account is null ? ApiProblems.From(refusal!) : await PayerAsync(http, account, catalogue, payments, ct, normalised).ConfigureAwait(false);
    }

    private static async Task<Results<JsonOk<PayerView>, ProblemResult>> GetPayerAsync(string code, HttpContext http, CatalogueStore catalogue, PaymentService payments, CancellationToken ct)
    {
        if (!PayerCode.TryNormalise(code, out var normalised))
        {
            return ApiProblems.From(PaymentRefusal.InvalidRequest("payment.invalid_payer_code"));
        }

        var (account, refusal) = await catalogue.LookUpAsync(null, normalised, PaymentRefusal.PayerNotFound(normalised), ct).ConfigureAwait(false);
        return account is null ? ApiProblems.From(refusal!) : await PayerAsync(http, account, catalogue, payments, ct).ConfigureAwait(false);
    }

    private static async Task<Results<JsonOk<PaymentView>, ProblemResult>> GetPaymentAsync(string id, PaymentStore payments, PaymentViewTokens tokens, ProviderQrs providerQrs, CancellationToken ct)
    {
        if (await payments.GetAsync(id, ct).ConfigureAwait(false) is not { } payment)
        {
            return PaymentNotFound(id);
        }

        // Underpaid: the QR offered for the rest, so that the kiosk that took this one follows it (the screens'
        // event streams carry no token).
        var view = Views.Payment(payment, false, tokens.Issue(id), payment.State == PaymentState.Pending ? providerQrs.Find(id) : null);
        if (payment.State == PaymentState.Underpaid && await payments.FindRestAsync(id, ct).ConfigureAwait(false) is { } rest)
        {
            view = view with { Rest = new FollowOnView(rest, tokens.Issue(rest)) };
        }

        return JsonOk.Of(view, TerminalJsonContext.Readable.PaymentView);
    }

    private static async Task<JsonOk<IReadOnlyList<PaymentView>>> ListPaymentsAsync(int? limit, PaymentStore payments, CancellationToken ct)
    {
        var recent = await payments.ListRecentAsync(limit ?? 20, ct).ConfigureAwait(false);
        return JsonOk.Of<IReadOnlyList<PaymentView>>(recent.Select(p => Views.Payment(p, false)).ToList(), TerminalJsonContext.Readable.IReadOnlyListPaymentView);
    }

    private static async Task<Results<JsonOk<ReceiptView>, ProblemResult>> ReprintAsync(string id, PaymentService service, PaymentStore payments, CancellationToken ct)
    {
        if (await payments.GetAsync(id, ct).ConfigureAwait(false) is not { } payment)
        {
            return PaymentNotFound(id);
        }

        // A transfer the bank has not paid (waiting, or expired empty) has no receipt: a copy would print 0 ₫ as
        // received, and mark the payment's receipt printed.
        if (payment.State == PaymentState.Pending || (payment.Method == PaymentMethod.VietQr && !payment.Received.IsPositive))
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, "no_receipt_yet", $"Payment {id} has no receipt: the bank has not paid it.", id);
        }

        var (printed, problem) = await service.PrintAsync(id, ct).ConfigureAwait(false);
        return printed
            ? JsonOk.Of(new ReceiptView("printed", null), TerminalJsonContext.Readable.ReceiptView)
            : ApiProblems.Variant(StatusCodes.Status503ServiceUnavailable, "printer_problem", "receipt", problem);
    }

    private static async Task<Results<ContentHttpResult, ProblemResult>> GetQrImageAsync(string id, PaymentStore payments, CatalogueStore catalogue, ProviderQrs providerQrs, CancellationToken ct)
    {
        if (await payments.GetAsync(id, ct).ConfigureAwait(false) is not { Qr: { } qr })
        {
            return QrNotFound(id);
        }

        // Never a QR for an account other than the one the province signed (Services/QrAccountGuard.cs).
        var registered = (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false))?.Account;
        // The payment service's QR (payOS's) where it gave one, checked again as the terminal's own is.
        var payload = providerQrs.Find(id)?.Payload ?? qr.Payload;
        return QrAccountGuard.IsRegistered(qr.Payload, registered) && QrAccountGuard.IsRegistered(payload, registered)
            ? TypedResults.Content(QrImages.Svg(payload), "image/svg+xml")
            : ApiProblems.Create(StatusCodes.Status409Conflict, "qr_account_not_registered", $"Payment {id}'s QR names an account other than the institution's registered receiving account; it is not shown.");
    }

    private static async Task<Results<JsonOk<PaymentView>, ProblemResult>> CancelAsync(string id, PaymentService service, CancellationToken ct)
    {
        var payment = await service.EndQrAsync(id, "cancelled", ct).ConfigureAwait(false);
        return payment switch
        {
            null => PaymentNotFound(id),
            { State: PaymentState.Expired } => JsonOk.Of(Views.Payment(payment, false), TerminalJsonContext.Readable.PaymentView),
            _ => ApiProblems.Create(StatusCodes.Status409Conflict, "not_cancellable", $"Payment {id} is {payment.State.WireName()}; only a VietQR payment still waiting for the bank can be cancelled."),
        };
    }

    private static async Task<Results<JsonOk<ReceiptView>, ProblemResult>> PrintProvisionalSlipAsync(string id, PaymentService service, PaymentStore payments, CancellationToken ct)
    {
        if (await payments.GetAsync(id, ct).ConfigureAwait(false) is not { Qr: not null })
        {
            return QrNotFound(id);
        }

        var (printed, problem) = await service.PrintProvisionalAsync(id, ct).ConfigureAwait(false);
        return printed
            ? JsonOk.Of(new ReceiptView("printed", null), TerminalJsonContext.Readable.ReceiptView)
            : ApiProblems.Variant(StatusCodes.Status503ServiceUnavailable, "printer_problem", "slip", problem);
    }

    /// <summary>The refusal's code for a payer code that names no one (<see cref="PaymentRefusal.PayerNotFound"/>): a miss of a typed look-up.</summary>
    internal const string PayerNotFoundCode = "payer_not_found";

    private static ProblemResult PaymentNotFound(string id) => ApiProblems.Create(StatusCodes.Status404NotFound, "payment_not_found", $"No payment {id}.", id);

    private static ProblemResult QrNotFound(string id) => ApiProblems.Create(StatusCodes.Status404NotFound, "qr_not_found", $"Payment {id} has no VietQR code.", id);

    internal static async Task<JsonOk<PayerView>> PayerAsync(HttpContext http, PayerAccount account, CatalogueStore catalogue, PaymentService payments, CancellationToken ct, string? cardUid = null)
    {
        var bills = await catalogue.GetBillsAsync(account.Code, ct).ConfigureAwait(false);
        var available = await catalogue.GetAvailableBalanceAsync(account.Code, ct).ConfigureAwait(false);
        var view = Views.Payer(account, bills, available, cardUid) with { TopUp = await TopUpApi.InfoAsync(payments, account, ct).ConfigureAwait(false) };

        // The full name only to a cashier or supervisor at the counter; the kiosk's screen (and whoever stands
        // behind the parent) gets the masked one.
        if (await CounterApi.SignedInAsync(http).ConfigureAwait(false) is not { Role: StaffRole.Cashier or StaffRole.Supervisor })
        {
            view = view with { Name = view.MaskedName };
        }

        return JsonOk.Of(view, TerminalJsonContext.Readable.PayerView);
    }

    private static async Task<Results<JsonOk<PaymentView>, ProblemResult>> CreatePaymentAsync(HttpContext http, PaymentService service, PaymentStore payments, PaymentViewTokens tokens, ProviderQrs providerQrs)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.CreatePaymentRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header ? header : request.ClientRequestId;

        // The cashier is whoever is signed in, never a name the request claims; the self-service kiosk has none.
        var cashier = await CounterApi.SignedInAsync(http).ConfigureAwait(false);

        // A typed payer code is a look-up (the refusal payer_not_found answers as GET /payers/{code} does): limited as one.
        if (PayerLookupLimits.TakeTypedPayerCode(http, cashier, request.PayerCode, request.CardUid, out var counted) is { } tooMany)
        {
            return tooMany;
        }

        try
        {
            var taken = await service.TakeAsync(new PaymentInput(key, request.CardUid, request.PayerCode, request.Method, request.Bills, cashier?.Id, request.ApprovalCode, request.CardLast4, request.Pin), http.RequestAborted).ConfigureAwait(false);
            var payment = taken.Result.Payment;
            var token = tokens.Issue(payment.Id);
            if (taken.Timings is { } timings)
            {
                http.Response.Headers["Server-Timing"] = timings.ToHeader();
            }

            var view = payment.Method == PaymentMethod.VietQr
                ? Views.Payment(payment, taken.Result.Replayed, token, providerQrs.Find(payment.Id)) with { ProvisionalSlipPrinted = taken.ProvisionalSlipPrinted }
                : Views.Payment(payment with { ReceiptState = taken.ReceiptState, ReceiptDetail = taken.ReceiptProblem }, taken.Result.Replayed, token);
            // 201 for a new payment; a replay (the same key again) answers 200 with the payment first taken.
            return JsonOk.Of(view, TerminalJsonContext.Readable.PaymentView, taken.Result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }
        catch (PaymentRefusedException e)
        {
            if (counted && e.Refusal.Code == PayerNotFoundCode)
            {
                PayerLookupLimits.CountMiss(http);
            }

            // A live QR offer for these bills (qr_offer_pending): its id and view token, so that the kiosk, which has no
            // session, withdraws it through its cancel. Only the holder of the account's card on the reader, or staff,
            // gets this far (a card payment is refused as not presented before, a bank-card one is staff's only).
            return ApiProblems.From(e.Refusal, e.Refusal.PaymentId is { } offer ? tokens.Issue(offer) : null);
        }
        catch (IdempotencyKeyReusedException)
        {
            // Stripe's rule: the same key with another body is the caller's mistake, never an answer about the first payment.
            return ApiProblems.Create(StatusCodes.Status409Conflict, "idempotency_key_reused",
                "This Idempotency-Key (or clientRequestId) was used before with another request; use a new key for a new payment.");
        }
    }
}
