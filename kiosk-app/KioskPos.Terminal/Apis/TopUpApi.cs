using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// Money onto a card's balance (nạp tiền vào thẻ): a VietQR payment without bills, answered like one (its
/// <c>qr</c>, view token, display and provisional slip), whose bank money the province credits to the balance.
/// </summary>
internal static class TopUpApi
{
    public static IEndpointRouteBuilder MapTopUpApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Top-ups");
        api.MapPost("/top-ups", CreateTopUpAsync).WithSummary("Offer a VietQR top-up of a card's balance: the card by the tap's reference, or by its UID from signed-in staff or while it is on the reader (Idempotency-Key or clientRequestId makes a retry safe)")
            .AcceptsJson<CreateTopUpRequest>().Produces<PaymentView>(StatusCodes.Status201Created)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity)
            .LimitsTypedPayerCodes().AllowKioskOrStaff(StaffRole.Cashier, StaffRole.Supervisor);
        return app;
    }

    /// <summary>What the kiosk offers this payer: the standing code, the limits and the room left under them.</summary>
    public static async Task<TopUpInfoView> InfoAsync(PaymentService service, PayerAccount account, CancellationToken ct)
    {
        var limits = await service.TopUpLimitsAsync(ct).ConfigureAwait(false);
        var today = await service.TopUpsTodayAsync(account.Code, ct).ConfigureAwait(false);
        var room = Math.Max(0, Math.Min((limits.MaxBalance - account.Balance).Value, (limits.MaxPerDay - today).Value));
        return new TopUpInfoView(StandingTransferCode.For(account.Code).Value, TopUpLimits.MinAmount.Value, room, new Core.Money.Vnd(room).ToString(),
            limits.MaxBalance.Value, limits.MaxPerDay.Value, today.Value, TopUpLimits.Presets);
    }

    private static async Task<Results<JsonOk<PaymentView>, ProblemResult>> CreateTopUpAsync(HttpContext http, PaymentService service, PaymentViewTokens tokens, ProviderQrs providerQrs)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.CreateTopUpRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header ? header : request.ClientRequestId;

        // A typed payer code is a look-up, limited as one when no one is signed in (PaymentApi's payments likewise).
        var signedIn = await StaffAccess.SignedInAsync(http).ConfigureAwait(false);
        if (PayerLookupLimits.TakeTypedPayerCode(http, signedIn, request.PayerCode, request.CardUid, out var counted) is { } tooMany)
        {
            return tooMany;
        }

        try
        {
            var taken = await service.TopUpAsync(new TopUpInput(key, request.CardUid, request.PayerCode, request.Amount, StaffSignedIn: signedIn is not null), http.RequestAborted).ConfigureAwait(false);
            var payment = taken.Result.Payment;
            var view = Views.Payment(payment, taken.Result.Replayed, tokens.Issue(payment.Id), providerQrs.Find(payment.Id)) with { ProvisionalSlipPrinted = taken.ProvisionalSlipPrinted };
            return JsonOk.Of(view, TerminalJsonContext.Readable.PaymentView, taken.Result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }
        catch (PaymentRefusedException e)
        {
            if (counted && e.Refusal.Code == PaymentApi.PayerNotFoundCode)
            {
                PayerLookupLimits.CountMiss(http);
            }

            return ApiProblems.From(e.Refusal);
        }
        catch (IdempotencyKeyReusedException)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, "idempotency_key_reused",
                "This Idempotency-Key (or clientRequestId) was used before with another request; use a new key for a new top-up.");
        }
    }
}
