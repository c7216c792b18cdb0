using KioskPos.Shared.Contracts;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.Geography;
using KioskPos.ProvinceServer.Imports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>The province administrator's API: the ledger, terminals, cards, bills, institutions, the bank's transfers.</summary>
internal static class AdminApi
{
    /// <summary>The most characters of a terminal's name (people read it in lists and on the terminal's pages).</summary>
    private const int MaxTerminalName = 100;

    private const string InstitutionIdRule = "3 to 64 upper-case letters, digits, '-' or '_'";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin").RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("Admin").ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        group.MapGet("/payments", GetPaymentsAsync).WithSummary("Payments, newest first");
        group.MapGet("/accounts/{code}", GetAccountAsync).WithSummary("A card account").ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPut("/accounts/{code}/pin", PutPinAsync).WithSummary("Set a card holder's PIN")
            .AcceptsJson<CardPinRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        group.MapPost("/accounts/{code}/unblock", UnblockAccountAsync).WithSummary("Unblock a card account after wrong PINs").ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/accounts/{code}/close", CloseAccountAsync).WithSummary("Close an account: the remainder refunded by a recorded bank transfer, its cards deny-listed")
            .AcceptsJson<CloseAccountRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/cards/{uid}/deny", DenyCardAsync).WithSummary("Put a card on the deny list").ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/cards/{uid}/allow", AllowCardAsync).WithSummary("Take a card off the deny list").ProducesProblems(StatusCodes.Status404NotFound);

        group.MapGet("/terminals", GetTerminalsAsync).WithSummary("Terminals and their last contact");
        group.MapPost("/enrolment-codes", CreateEnrolmentCodeAsync).WithSummary("Issue a one-time enrolment code")
            .AcceptsJson<EnrolmentCodeRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        group.MapPost("/terminals/{id}/revoke", RevokeTerminalAsync).WithSummary("Revoke a terminal").ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/terminals/{id}/enrolment-codes/revoke", RevokeEnrolmentCodesAsync).WithSummary("Revoke a terminal's unused enrolment codes");
        group.MapPut("/terminals/{id}/hardware-profile", PutHardwareProfileAsync).WithSummary("Set a terminal's hardware profile")
            .AcceptsJson<System.Text.Json.JsonElement>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        group.MapDelete("/terminals/{id}/hardware-profile", DeleteHardwareProfileAsync).WithSummary("Clear a terminal's hardware profile").ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPut("/terminals/{id}/offline-policy", PutOfflinePolicyAsync).WithSummary("Set a terminal's offline limits")
            .AcceptsJson<OfflinePolicyDto>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        group.MapPut("/top-up-limits/{type}", PutTopUpLimitsAsync).WithSummary("Set the top-up limits of an institution type (pushed to its terminals with their next pull)")
            .AcceptsJson<TopUpLimitsDto>().ProducesProblems(StatusCodes.Status400BadRequest);

        // An institution's accountant imports their own institution's bills (the handler refuses another's); the JSON
        // import below, for programs, stays the administrator's.
        app.MapPost("/api/v1/admin/bills/import", ImportBillsCsvAsync).RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant).WithTags("Admin")
            .WithSummary("Import bills from CSV, the Ministry of Health's XML (?institution=) or .xlsx; an accountant their own institution's only")
            .Accepts<string>("text/csv", "application/xml", Imports.Spreadsheet.ContentType).Produces<ImportResult>(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge);
        group.MapPost("/bills", ImportBillsJsonAsync).WithSummary("Import bills from JSON")
            .AcceptsJson<BillImportRequest>().Produces<ImportResult>(StatusCodes.Status422UnprocessableEntity).ProducesProblems(StatusCodes.Status400BadRequest);

        // The institution registry: the plans' types, today's province and commune, the old province and district where it had them (the receiving account has its own endpoint).
        group.MapGet("/institutions", GetInstitutionsAsync).WithSummary("Institutions with their payments");
        group.MapPut("/institutions/{id}", PutInstitutionAsync).WithSummary("Create or change an institution")
            .AcceptsJson<InstitutionRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict);
        group.MapPut("/institutions/{id}/facility-code", PutFacilityCodeAsync).WithSummary("Set or clear a hospital's facility code (MA_CSKCB), which its XML imports are checked against")
            .AcceptsJson<FacilityCodeRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        group.MapGet("/institutions/{id}/places", GetPlacesAsync).WithSummary("Where an institution has been: its places, each from a month on")
            .ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/institutions/{id}/move", MoveInstitutionAsync).WithSummary("Move an institution to new units from a month on; the months before keep the old ones")
            .AcceptsJson<MoveRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        group.MapGet("/plans", GetPlansAsync).WithSummary("The plans the report reads against");
        group.MapPut("/plans", PutPlansAsync).WithSummary("Replace the plans (each with its area, start year, per-type targets and yearly increment)")
            .AcceptsJson<PlanList>().ProducesProblems(StatusCodes.Status400BadRequest);
        group.MapPut("/institutions/{id}/bank-account", PutBankAccountAsync).WithSummary("Set an institution's receiving account")
            .AcceptsJson<ReceivingAccountRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);

        // A payer's data on request (Law 91/2025/QH15): what the province holds, and its erasure under a pseudonym.
        group.MapGet("/payers/{code}/export", ExportPayerAsync).WithSummary("Everything the province holds on a payer, as JSON")
            .Produces<PayerExport>().ProducesProblems(StatusCodes.Status404NotFound);
        group.MapPost("/payers/{code}/erase", ErasePayerAsync).WithSummary("Erase a payer's personal data: a pseudonym for the name, the ledger kept")
            .Produces<PayerErasure>().ProducesProblems(StatusCodes.Status404NotFound);

        app.MapImportTemplate();
        group.MapGet("/bank/transfers", GetTransfersAsync).WithSummary("Bank transfers received");
        group.MapGet("/bank/deliveries", GetDeliveriesAsync).WithSummary("Webhook deliveries as logged");
        group.MapGet("/bank/refusals", BankApi.GetRefusalsAsync).WithSummary("Refused webhook deliveries: counts per minute, source and reason, no bodies");
        group.MapPost("/bank/deliveries/{id:long}/replay", ReplayDeliveryAsync).WithSummary("Replay a logged delivery").ProducesProblems(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<JsonOk<IReadOnlyList<LedgerPayment>>> GetPaymentsAsync(AdminQueries queries, string? terminal, string? account, int? limit, CancellationToken ct) =>
        JsonOk.Of(await queries.PaymentsAsync(terminal, account, limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListLedgerPayment);

    private static async Task<Results<JsonOk<LedgerAccount>, ProblemResult>> GetAccountAsync(AdminQueries queries, string code, CancellationToken ct) =>
        await queries.AccountAsync(code, ct).ConfigureAwait(false) is { } account
            ? JsonOk.Of(account, ProvinceJsonContext.Default.LedgerAccount)
            : AccountNotFound(code);

    private static async Task<Results<NoContent, ProblemResult>> PutPinAsync(string code, HttpContext http, CardAuthorisation cards)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.CardPinRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body {\"pin\": \"…\"} is required.", "malformed_json.body");
        }

        if (!KioskPos.Shared.Security.PinHash.IsValid(request.Pin))
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_pin", "pin: 4 to 8 digits");
        }

        return await cards.SetPinAsync(code, request.Pin, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : AccountNotFound(code);
    }

    private static async Task<Results<NoContent, ProblemResult>> UnblockAccountAsync(string code, CardAuthorisation cards, CancellationToken ct) =>
        await cards.UnblockAsync(code, ct).ConfigureAwait(false) ? TypedResults.NoContent() : AccountNotFound(code);

    // A payer leaving: the bank transfer's reference is the record of the refund, so it is required.
    private static async Task<Results<JsonOk<AccountClosedView>, ProblemResult>> CloseAccountAsync(string code, HttpContext http, ProvinceDatabase database, TimeProvider time)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.CloseAccountRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", error, "invalid_field", "body");
        }

        if (BankReference.Normalise(request.BankReference) is not { } reference)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", "bankReference: the refund transfer's reference, 4 to 64 characters", "invalid_field", "bankReference");
        }

        if (request.Reason is { Length: > AccountClosure.MaxReason })
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", $"reason: at most {AccountClosure.MaxReason} characters", "invalid_field", "reason");
        }

        var by = http.User.Identity?.Name ?? "admin";
        var (closed, refusal) = await AccountClosure.CloseAsync(database, time, code.Trim().ToUpperInvariant(), reference, request.Reason?.Trim() ?? string.Empty, by, http.RequestAborted).ConfigureAwait(false);
        return refusal switch
        {
            null => JsonOk.Of(closed!, ProvinceJsonContext.Default.AccountClosedView),
            AccountClosure.Refusal.NotFound => AccountNotFound(code),
            AccountClosure.Refusal.AlreadyClosed => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "account_closed", $"Account {code} is closed already.", args: [code]),
            _ => ProvinceProblems.Problem(StatusCodes.Status422UnprocessableEntity, "account_overdrawn", $"Account {code} is below zero: settle the overdraft first.", args: [code]),
        };
    }

    private static async Task<Results<NoContent, ProblemResult>> DenyCardAsync(string uid, string? reason, DenyList denyList, CancellationToken ct) =>
        await denyList.SetDeniedAsync(uid.ToUpperInvariant(), string.IsNullOrWhiteSpace(reason) ? "denied by operator" : reason, ct).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : CardNotFound(uid);

    private static async Task<Results<NoContent, ProblemResult>> AllowCardAsync(string uid, DenyList denyList, CancellationToken ct) =>
        await denyList.SetDeniedAsync(uid.ToUpperInvariant(), null, ct).ConfigureAwait(false) ? TypedResults.NoContent() : CardNotFound(uid);

    private static async Task<JsonOk<IReadOnlyList<TerminalSummary>>> GetTerminalsAsync(AdminQueries queries, CancellationToken ct) =>
        JsonOk.Of(await queries.TerminalsAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListTerminalSummary);

    private static async Task<Results<JsonOk<EnrolmentCode>, ProblemResult>> CreateEnrolmentCodeAsync(HttpContext http, TerminalRegistry registry)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.EnrolmentCodeRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        // Each field by name, before anything is written: the terminal's row is made here, and an id no URL can
        // reach could not be revoked afterwards.
        var (field, expected) = request switch
        {
            { InstitutionId: null or { Length: 0 } } => ("institutionId", "the institution the terminal serves (e.g. TG-THCS-NGUYENDU) is required"),
            _ when !IsInstitutionId(request.InstitutionId) => ("institutionId", InstitutionIdRule),
            { TerminalId: null or { Length: 0 } } => ("terminalId", "the terminal's id (e.g. KP-THCS-ND-01) is required"),
            _ when !TerminalRegistry.IsWellFormedId(request.TerminalId) =>
                ("terminalId", $"3 to {TerminalRegistry.MaxIdLength} upper-case letters and digits in groups joined by single '-', e.g. KP-THCS-ND-01"),
            { Name: { } given } when given.Trim().Length is 0 or > MaxTerminalName || !KioskPos.Core.Text.PlainText.IsOneLine(given) =>
                ("name", $"1 to {MaxTerminalName} characters people read on one line, no control or direction-changing characters; or left out for the id"),
            { ValidMinutes: < 1 or > 7 * 24 * 60 } => ("validMinutes", "1 to 10080 (a week)"),
            _ => (null, null),
        };
        if (field is not null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", $"{field}: {expected}", "invalid_field", field);
        }

        var (institutionId, terminalId) = (request.InstitutionId!, request.TerminalId!);
        var name = request.Name?.Trim().Normalize() ?? terminalId;
        var issued = await registry.IssueCodeAsync(institutionId, terminalId, name, TimeSpan.FromMinutes(request.ValidMinutes), http.RequestAborted).ConfigureAwait(false);
        return issued is { } code
            ? JsonOk.Of(new EnrolmentCode(EnrolmentTickets.Compose(code.Code, http.RequestServices.GetRequiredService<ProvinceSigningKey>().Fingerprint), terminalId, code.ExpiresAt), ProvinceJsonContext.Default.EnrolmentCode)
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "institution_not_found", $"No institution '{institutionId}', or terminal '{terminalId}' belongs to another institution.", "institution_not_found.enrolment");
    }

    private static async Task<Results<NoContent, ProblemResult>> RevokeTerminalAsync(string id, TerminalRegistry registry, CancellationToken ct) =>
        await registry.RevokeAsync(id, ct).ConfigureAwait(false) ? TypedResults.NoContent() : TerminalNotFound(id);

    private static async Task<JsonOk<RevokedCodes>> RevokeEnrolmentCodesAsync(string id, TerminalRegistry registry, CancellationToken ct) =>
        JsonOk.Of(new RevokedCodes(await registry.RevokeCodesAsync(id, ct).ConfigureAwait(false)), ProvinceJsonContext.Default.RevokedCodes);

    // A hardware profile for a terminal (the JSON of hardware/profiles): it pulls it and runs it from its next start.
    private static async Task<Results<NoContent, ProblemResult>> PutHardwareProfileAsync(string id, HttpContext http, HardwareProfiles profiles)
    {
        using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
        var text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        if (HardwareProfileCheck.Problem(text) is { } problem)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_profile", problem);
        }

        return await profiles.SetAsync(id, text, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : TerminalNotFound(id);
    }

    private static async Task<Results<NoContent, ProblemResult>> DeleteHardwareProfileAsync(string id, HardwareProfiles profiles, CancellationToken ct) =>
        await profiles.SetAsync(id, null, ct).ConfigureAwait(false) ? TypedResults.NoContent() : TerminalNotFound(id);

    private static async Task<Results<NoContent, ProblemResult>> PutOfflinePolicyAsync(string id, HttpContext http, OfflinePolicies policies)
    {
        var (policy, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.OfflinePolicyDto, http.RequestAborted).ConfigureAwait(false);
        if (policy is null || policy.MaxPerPayment < 0 || policy.MaxPerCardPerDay < 0 || policy.MaxUnsyncedTotal < 0 || policy.MaxMinutesSinceSync < 0 || policy.MaxDenyListAgeMinutes < 0)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_policy", error ?? "Limits must be zero (no offline payments) or positive.");
        }

        return await policies.SetAsync(id, policy, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : TerminalNotFound(id);
    }

    private static async Task<Results<NoContent, ProblemResult>> PutTopUpLimitsAsync(string type, HttpContext http, ProvinceDatabase database)
    {
        if (!Core.Domain.InstitutionTypes.TryParseWireName(type, out _))
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_top_up_limits", $"'{type}' is not an institution type (type).", null, "type");
        }

        var (limits, error) = await JsonBody.TryReadAsync(http.Request.Body, ContractsJsonContext.Default.TopUpLimitsDto, http.RequestAborted).ConfigureAwait(false);
        if (limits is null || limits.MaxBalance is <= 0 or > Core.Money.Vnd.MaxAmount || limits.MaxPerDay is <= 0 or > Core.Money.Vnd.MaxAmount)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_top_up_limits", error ?? "maxBalance and maxPerDay must be positive whole đồng.", null, "maxBalance, maxPerDay");
        }

        await using var connection = await database.OpenAsync(http.RequestAborted).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO top_up_limits (institution_type, max_balance, max_per_day) VALUES ($t, $b, $d) ON CONFLICT (institution_type) DO UPDATE SET max_balance = excluded.max_balance, max_per_day = excluded.max_per_day",
            null, http.RequestAborted, ("$t", type), ("$b", limits.MaxBalance), ("$d", limits.MaxPerDay)).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    // CSV, the Ministry of Health's XML or a spreadsheet, by the body's type (Imports/BillImportEndpoint.cs).
    private static Task<Results<JsonOk<ImportResult>, ProblemResult>> ImportBillsCsvAsync(HttpContext http, BillImport import, ProvinceDatabase database) =>
        Imports.BillImportEndpoint.HandleAsync(http, import, database);

    private static async Task<Results<JsonOk<ImportResult>, ProblemResult>> ImportBillsJsonAsync(HttpContext http, BillImport import)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.BillImportRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body {\"bills\": [...]} is required.", "malformed_json.body");
        }

        return Imported(await import.ImportJsonAsync(request, http.RequestAborted).ConfigureAwait(false));
    }

    // 422 when any row was refused: the rows that were valid are imported all the same.
    private static JsonOk<ImportResult> Imported(ImportResult result) =>
        JsonOk.Of(result, ProvinceJsonContext.Default.ImportResult, result.Errors.Count > 0 ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);

    private static async Task<JsonOk<IReadOnlyList<InstitutionSummary>>> GetInstitutionsAsync(AdminQueries queries, CancellationToken ct) =>
        JsonOk.Of(await queries.InstitutionsAsync(ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListInstitutionSummary);

    private static async Task<Results<Created, NoContent, ProblemResult>> PutInstitutionAsync(string id, HttpContext http, AdminQueries queries)
    {
        // The facility code is optional here: left out it stays as it is (programs written before it keep working), empty clears it.
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.InstitutionRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body is required.", "malformed_json.body");
        }

        if (InstitutionProblem(id, request) is { } problem)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_institution", problem);
        }

        var district = Clean(request.District);
        var commune = Clean(request.Commune);
        var (created, holder) = await queries.SaveInstitutionAsync(id, request.Name!.Trim().Normalize(), request.Type!, district ?? string.Empty, commune, request.FacilityCode?.Trim(),
            http.RequestAborted).ConfigureAwait(false);
        if (holder is not null)
        {
            return FacilityCodeTaken(request.FacilityCode!.Trim(), holder);
        }

        // Its place: a new institution's from the start; a changed one's current place corrected (a move, with history, is /move).
        await http.RequestServices.GetRequiredService<Places>().CorrectAsync(id, Clean(request.Province), commune, Clean(request.OldProvince), district, http.RequestAborted).ConfigureAwait(false);
        return created ? TypedResults.Created($"/api/v1/admin/institutions/{id}") : TypedResults.NoContent();
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().Normalize();

    private static async Task<Results<NoContent, ProblemResult>> PutFacilityCodeAsync(string id, HttpContext http, AdminQueries queries)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.FacilityCodeRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body {\"facilityCode\": \"82012\"} is required (null clears it).", "malformed_json.body");
        }

        var code = string.IsNullOrWhiteSpace(request.FacilityCode) ? null : request.FacilityCode.Trim();
        if (code is not null && !FacilityCodes.IsValid(code))
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_institution", "facilityCode is " + FacilityCodes.Rule);
        }

        var (found, holder) = await queries.SetFacilityCodeAsync(id, code, http.RequestAborted).ConfigureAwait(false);
        return holder is not null ? FacilityCodeTaken(code!, holder)
            : found ? TypedResults.NoContent()
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "institution_not_found", null, args: [id]);
    }

    private static ProblemResult FacilityCodeTaken(string code, string holder) =>
        ProvinceProblems.Problem(StatusCodes.Status409Conflict, "facility_code_taken", $"facilityCode {code} is institution {holder}'s: a facility code names one institution.", null, code, holder);

    private static async Task<Results<JsonOk<PlaceHistory>, ProblemResult>> GetPlacesAsync(string id, Places places, CancellationToken ct) =>
        await places.HistoryAsync(id, ct).ConfigureAwait(false) is { } history
            ? JsonOk.Of(history, ProvinceJsonContext.Default.PlaceHistory)
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "institution_not_found", null, args: [id]);

    private static async Task<Results<NoContent, ProblemResult>> MoveInstitutionAsync(string id, HttpContext http, Places places)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.MoveRequest, http.RequestAborted).ConfigureAwait(false);
        if (request is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body is required.", "malformed_json.body");
        }

        var problem = !DateOnly.TryParseExact(request.From, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var from) || from.Day != 1
                ? "from is the first day of a month, yyyy-MM-01"
            : string.IsNullOrWhiteSpace(request.Province) || request.Province.Length > 100 ? "province is required (at most 100)"
            : string.IsNullOrWhiteSpace(request.Commune) || request.Commune.Length > 100 ? "commune is required (at most 100)"
            : request.OldProvince is { Length: > 100 } || request.OldDistrict is { Length: > 100 } ? "oldProvince and oldDistrict are at most 100"
            : request.Note is { Length: > 500 } ? "note is at most 500"
            : null;
        if (problem is not null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_move", problem);
        }

        var place = new Place(from, Clean(request.Province)!, Clean(request.Commune)!, Clean(request.OldProvince), Clean(request.OldDistrict), Clean(request.Note));
        return await places.MoveAsync(id, place, http.RequestAborted).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "institution_not_found", null, args: [id]);
    }

    private static async Task<JsonOk<PlanList>> GetPlansAsync(Plans plans, CancellationToken ct) =>
        JsonOk.Of(new PlanList(await plans.AllAsync(ct).ConfigureAwait(false)), ProvinceJsonContext.Default.PlanList);

    private static async Task<Results<NoContent, ProblemResult>> PutPlansAsync(HttpContext http, Plans plans)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.PlanList, http.RequestAborted).ConfigureAwait(false);
        if (request?.Plans is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "malformed_json", error ?? "A JSON body {\"plans\": [...]} is required.", "malformed_json.body");
        }

        var problem = request.Plans.Count is 0 or > 100 ? "plans: 1 to 100"
            : request.Plans.Select((p, n) => p is null ? $"plans[{n}] is empty" : p.Problem() is { } why ? $"plans[{n}]: {why}" : null).FirstOrDefault(p => p is not null)
            ?? (request.Plans.GroupBy(p => p.Id, StringComparer.Ordinal).Any(g => g.Count() > 1) ? "plans: each id once" : null);
        if (problem is not null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_plan", problem);
        }

        await plans.ReplaceAsync(request.Plans, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static bool IsInstitutionId(string id) =>
        id.Length is >= 3 and <= 64 && id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    private static string? InstitutionProblem(string id, InstitutionRequest request) =>
        !IsInstitutionId(id) ? "the id is " + InstitutionIdRule
        : string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200 ? "name is required (at most 200)"
        : request.Type is null || !PlanTargets.Types.Contains(request.Type) ? $"type is one of {string.Join(", ", PlanTargets.Types)}"
        : request.District is { Length: > 100 } ? "district (before 2025) is at most 100"
        : request.Commune is { Length: > 100 } ? "commune is at most 100"
        : request.Province is { Length: > 100 } || request.OldProvince is { Length: > 100 } ? "province and oldProvince are at most 100"
        : request.FacilityCode is { } code && code.Trim().Length > 0 && !FacilityCodes.IsValid(code.Trim()) ? "facilityCode is " + FacilityCodes.Rule + " (empty clears it)"
        : null;

    private static async Task<Results<NoContent, ProblemResult>> PutBankAccountAsync(string id, HttpContext http, BankLedger ledger)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, ProvinceJsonContext.Default.ReceivingAccountRequest, http.RequestAborted).ConfigureAwait(false);
        // A body of {} binds nulls into the non-nullable fields: name the first one missing rather than throw (a 500).
        static bool Missing(string? value) => value is null;
        var missing = request is null ? null : Missing(request.BankBin) ? "bankBin is required" : Missing(request.AccountNumber) ? "accountNumber is required" : Missing(request.AccountName) ? "accountName is required" : null;
        if ((request is null ? error : missing ?? BankApi.ValidateAccount(request)) is { } problem)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_account", problem);
        }

        return await ledger.SetReceivingAccountAsync(id, request!.BankBin, request.AccountNumber, KioskPos.Core.VietQr.AsciiText.Fold(request.AccountName).ToUpperInvariant(),
                request.BankName ?? KioskPos.Core.VietQr.NapasBanks.Find(request.BankBin)?.ShortName, http.RequestAborted).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "institution_not_found", null, args: [id]);
    }

    private static async Task<JsonOk<IReadOnlyList<BankTransferRow>>> GetTransfersAsync(BankLedger ledger, string? outcome, bool? refundDue, int? limit, CancellationToken ct) =>
        JsonOk.Of(await ledger.TransfersAsync(outcome, refundDue ?? false, limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListBankTransferRow);

    private static async Task<JsonOk<IReadOnlyList<BankDeliveryRow>>> GetDeliveriesAsync(BankLedger ledger, int? limit, CancellationToken ct) =>
        JsonOk.Of(await ledger.DeliveriesAsync(limit ?? 100, ct).ConfigureAwait(false), ProvinceJsonContext.Default.IReadOnlyListBankDeliveryRow);

    private static async Task<Results<JsonOk<BankNotificationResult>, ProblemResult>> ReplayDeliveryAsync(long id, BankLedger ledger, CancellationToken ct) =>
        await ledger.ReplayAsync(id, ct).ConfigureAwait(false) is { } result
            ? JsonOk.Of(result, ContractsJsonContext.Default.BankNotificationResult)
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "delivery_not_found", "Only authentic deliveries with a readable body can be replayed.", args: [id]);

    private static async Task<Results<JsonOk<PayerExport>, ProblemResult>> ExportPayerAsync(string code, PayerData payers, CancellationToken ct) =>
        await payers.ExportAsync(code, ct).ConfigureAwait(false) is { } export
            ? JsonOk.Of(export, ProvinceJsonContext.Default.PayerExport)
            : AccountNotFound(code);

    private static async Task<Results<JsonOk<PayerErasure>, ProblemResult>> ErasePayerAsync(string code, PayerData payers, CancellationToken ct) =>
        await payers.EraseAsync(code, ct).ConfigureAwait(false) is { } erasure
            ? JsonOk.Of(erasure, ProvinceJsonContext.Default.PayerErasure)
            : AccountNotFound(code);

    private static ProblemResult AccountNotFound(string code) => ProvinceProblems.Problem(StatusCodes.Status404NotFound, "account_not_found", null, args: [code]);

    private static ProblemResult CardNotFound(string uid) => ProvinceProblems.Problem(StatusCodes.Status404NotFound, "card_not_found", null, args: [uid]);

    private static ProblemResult TerminalNotFound(string id) => ProvinceProblems.Problem(StatusCodes.Status404NotFound, "terminal_not_found", null, args: [id]);
}

/// <summary>How many unused enrolment codes were revoked.</summary>
/// <param name="Revoked">Their number.</param>
public sealed record RevokedCodes(int Revoked);
