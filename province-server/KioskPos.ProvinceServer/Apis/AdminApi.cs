using System.Security.Cryptography;
using System.Text;
using KioskPos.ProvinceServer.Data;
using Microsoft.Extensions.Options;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>Read-only ledger queries for the province administrator (bearer token; logins with roles come later).</summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin").AddEndpointFilter(ProvinceAuth.RequireAdmin);
        group.MapGet("/payments", async (AdminQueries queries, string? terminal, string? account, int? limit, CancellationToken ct) =>
            TypedResults.Json(await queries.PaymentsAsync(terminal, account, limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListLedgerPayment));
        group.MapGet("/accounts/{code}", async (AdminQueries queries, string code, CancellationToken ct) =>
            await queries.AccountAsync(code, ct).ConfigureAwait(false) is { } account
                ? (IResult)TypedResults.Json(account, ProvinceJsonContext.Default.LedgerAccount)
                : SyncApi.Problem(StatusCodes.Status404NotFound, "account_not_found", null, args: [code]));
        group.MapPost("/enrolment-codes", async Task<IResult> (HttpContext http, TerminalRegistry registry) =>
        {
            var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.EnrolmentCodeRequest, http.RequestAborted).ConfigureAwait(false);
            if (request is null)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "malformed_json", error);
            }

            if (string.IsNullOrWhiteSpace(request.TerminalId) || request.TerminalId.Length > 64 || request.ValidMinutes is < 1 or > 7 * 24 * 60)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_request", "terminalId (1-64 characters) and validMinutes (1 to 10080) are required.");
            }

            var issued = await registry.IssueCodeAsync(request.InstitutionId, request.TerminalId, request.Name ?? request.TerminalId, TimeSpan.FromMinutes(request.ValidMinutes), http.RequestAborted).ConfigureAwait(false);
            return issued is { } code
                ? TypedResults.Json(new EnrolmentCode(code.Code, request.TerminalId, code.ExpiresAt), ProvinceJsonContext.Default.EnrolmentCode)
                : SyncApi.Problem(StatusCodes.Status404NotFound, "institution_not_found", $"No institution '{request.InstitutionId}', or terminal '{request.TerminalId}' belongs to another institution.", "institution_not_found.enrolment");
        });
        group.MapPost("/terminals/{id}/revoke", async (string id, TerminalRegistry registry, CancellationToken ct) =>
            await registry.RevokeAsync(id, ct).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "terminal_not_found", null, args: [id]));
        group.MapPost("/bills/import", async Task<IResult> (HttpContext http, BillImport import) =>
        {
            if (http.Request.ContentLength > 50 * 1024 * 1024)
            {
                return SyncApi.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", "At most 50 MB per import: split the file.");
            }

            using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
            var result = await import.ImportCsvAsync(await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false), http.RequestAborted).ConfigureAwait(false);
            return TypedResults.Json(result, ProvinceJsonContext.Default.ImportResult, statusCode: result.Errors.Count > 0 ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
        });
        group.MapPost("/bills", async Task<IResult> (HttpContext http, BillImport import) =>
        {
            var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.BillImportRequest, http.RequestAborted).ConfigureAwait(false);
            if (request is null)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body {\"bills\": [...]} is required.", "malformed_json.body");
            }

            var result = await import.ImportJsonAsync(request, http.RequestAborted).ConfigureAwait(false);
            return TypedResults.Json(result, ProvinceJsonContext.Default.ImportResult, statusCode: result.Errors.Count > 0 ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
        });
        // The institution registry: the plans' types, district and commune (the receiving account has its own endpoint).
        group.MapPut("/institutions/{id}", async Task<IResult> (string id, HttpContext http, AdminQueries queries) =>
        {
            var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.InstitutionRequest, http.RequestAborted).ConfigureAwait(false);
            if (request is null)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body is required.", "malformed_json.body");
            }

            var problem = id.Length is < 3 or > 64 || !id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '-' or '_') ? "the id is 3 to 64 upper-case letters, digits, '-' or '_'"
                : string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200 ? "name is required (at most 200)"
                : request.Type is null || !PlanTargets.Types.Contains(request.Type) ? $"type is one of {string.Join(", ", PlanTargets.Types)}"
                : string.IsNullOrWhiteSpace(request.District) || request.District.Length > 100 ? "district is required (at most 100)"
                : request.Commune is { Length: > 100 } ? "commune is at most 100"
                : null;
            if (problem is not null)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_institution", problem);
            }

            var created = await queries.SaveInstitutionAsync(id, request.Name!.Trim().Normalize(), request.Type!, request.District!.Trim().Normalize(),
                string.IsNullOrWhiteSpace(request.Commune) ? null : request.Commune.Trim().Normalize(), http.RequestAborted).ConfigureAwait(false);
            return created ? Results.Created($"/api/v1/admin/institutions/{id}", null) : Results.NoContent();
        });
        // A hardware profile for a terminal (the JSON of hardware/profiles): it pulls it and runs it from its next start.
        group.MapPut("/terminals/{id}/hardware-profile", async Task<IResult> (string id, HttpContext http, HardwareProfiles profiles) =>
        {
            using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
            var text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
            if (HardwareProfileCheck.Problem(text) is { } problem)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_profile", problem);
            }

            return await profiles.SetAsync(id, text, http.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "terminal_not_found", null, args: [id]);
        });
        group.MapDelete("/terminals/{id}/hardware-profile", async (string id, HardwareProfiles profiles, CancellationToken ct) =>
            await profiles.SetAsync(id, null, ct).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "terminal_not_found", null, args: [id]));
        group.MapPost("/terminals/{id}/enrolment-codes/revoke", async (string id, TerminalRegistry registry, CancellationToken ct) =>
            TypedResults.Ok(new { revoked = await registry.RevokeCodesAsync(id, ct).ConfigureAwait(false) }));
        group.MapPut("/terminals/{id}/offline-policy", async Task<IResult> (string id, HttpContext http, OfflinePolicies policies) =>
        {
            var (policy, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, KioskPos.Shared.Contracts.ContractsJsonContext.Default.OfflinePolicyDto, http.RequestAborted).ConfigureAwait(false);
            if (policy is null || policy.MaxPerPayment < 0 || policy.MaxPerCardPerDay < 0 || policy.MaxUnsyncedTotal < 0 || policy.MaxMinutesSinceSync < 0 || policy.MaxDenyListAgeMinutes < 0)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_policy", error ?? "Limits must be zero (no offline payments) or positive.");
            }

            return await policies.SetAsync(id, policy, http.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "terminal_not_found", null, args: [id]);
        });
        group.MapPost("/cards/{uid}/deny", async (string uid, string? reason, DenyList denyList, CancellationToken ct) =>
            await denyList.SetDeniedAsync(uid.ToUpperInvariant(), string.IsNullOrWhiteSpace(reason) ? "denied by operator" : reason, ct).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "card_not_found", null, args: [uid]));
        group.MapPost("/cards/{uid}/allow", async (string uid, DenyList denyList, CancellationToken ct) =>
            await denyList.SetDeniedAsync(uid.ToUpperInvariant(), null, ct).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "card_not_found", null, args: [uid]));
        group.MapPut("/accounts/{code}/pin", async Task<IResult> (string code, HttpContext http, CardAuthorisation cards) =>
        {
            var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.CardPinRequest, http.RequestAborted).ConfigureAwait(false);
            if (request is null || !KioskPos.Shared.Security.PinHash.IsValid(request.Pin))
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_pin", error ?? "The PIN is 4 to 8 digits.");
            }

            return await cards.SetPinAsync(code, request.Pin, http.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "account_not_found", null, args: [code]);
        });
        group.MapPost("/accounts/{code}/unblock", async (string code, CardAuthorisation cards, CancellationToken ct) =>
            await cards.UnblockAsync(code, ct).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "account_not_found", null, args: [code]));
        group.MapGet("/terminals", async (AdminQueries queries, CancellationToken ct) =>
            TypedResults.Json(await queries.TerminalsAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListTerminalSummary));
        group.MapPut("/institutions/{id}/bank-account", async Task<IResult> (string id, HttpContext http, BankLedger ledger) =>
        {
            var (request, error) = await KioskPos.Shared.Contracts.JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.ReceivingAccountRequest, http.RequestAborted).ConfigureAwait(false);
            var problem = request is null ? error : BankApi.ValidateAccount(request);
            if (problem is not null)
            {
                return SyncApi.Problem(StatusCodes.Status400BadRequest, "invalid_account", problem);
            }

            return await ledger.SetReceivingAccountAsync(id, request!.BankBin, request.AccountNumber, KioskPos.Core.VietQr.AsciiText.Fold(request.AccountName).ToUpperInvariant(), request.BankName, http.RequestAborted).ConfigureAwait(false)
                ? Results.NoContent()
                : SyncApi.Problem(StatusCodes.Status404NotFound, "institution_not_found", null, args: [id]);
        });
        group.MapGet("/bank/transfers", async (BankLedger ledger, string? outcome, bool? refundDue, int? limit, CancellationToken ct) =>
            TypedResults.Json(await ledger.TransfersAsync(outcome, refundDue ?? false, limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListBankTransferRow));
        group.MapGet("/bank/deliveries", async (BankLedger ledger, int? limit, CancellationToken ct) =>
            TypedResults.Json(await ledger.DeliveriesAsync(limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListBankDeliveryRow));
        group.MapPost("/bank/deliveries/{id:long}/replay", async (long id, BankLedger ledger, CancellationToken ct) =>
            await ledger.ReplayAsync(id, ct).ConfigureAwait(false) is { } result
                ? (IResult)TypedResults.Json(result, KioskPos.Shared.Contracts.ContractsJsonContext.Default.BankNotificationResult)
                : SyncApi.Problem(StatusCodes.Status404NotFound, "delivery_not_found", "Only authentic deliveries with a readable body can be replayed.", args: [id]));
        group.MapGet("/institutions", async (AdminQueries queries, CancellationToken ct) =>
            TypedResults.Json(await queries.InstitutionsAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListInstitutionSummary));
        return app;
    }
}
