using System.Globalization;
using KioskPos.Core.Money;
using KioskPos.Core.Payments;
using KioskPos.Core.Receipts;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>
/// The counter's API: staff sign in with their PIN; cashiers void (same shift) and refund with a supervisor's PIN,
/// see the open shift and close it (the Z report prints). Each endpoint declares its roles (<see cref="StaffAccess"/>).
/// </summary>
internal static class CounterApi
{
    /// <summary>The session cookie (HttpOnly, SameSite=Strict: the kiosk browser sends it only to the terminal's own pages).</summary>
    public const string SessionCookie = "kp_session";

    public static IEndpointRouteBuilder MapCounterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Counter");
        api.MapPost("/sessions", SignInAsync).WithSummary("Sign in with staff id and PIN (sets the session cookie)")
            .AcceptsJson<SignInRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status423Locked)
            .ChecksPin().SignsInOrOut().ProducesCrossOriginRefusal().Public();
        api.MapGet("/sessions/current", GetSession).WithSummary("Who is signed in")
            .RequireStaff(StaffRole.Cashier, StaffRole.Supervisor, StaffRole.Technician);
        api.MapDelete("/sessions/current", SignOutAsync).WithSummary("Sign out").SignsInOrOut().ProducesCrossOriginRefusal().Public();

        var counter = api.MapGroup(string.Empty);
        counter.MapGet("/payers", FindPayersAsync).WithSummary("Find payers by name")
            .ProducesProblems(StatusCodes.Status400BadRequest).RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        counter.MapPost("/payments/{id}/void", VoidAsync).WithSummary("Void a payment of this shift (a supervisor approves)")
            .AcceptsJson<VoidRequest>().ProducesReversalProblems().ChecksPin().RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        counter.MapPost("/payments/{id}/refund", RefundAsync).WithSummary("Refund a payment (a supervisor approves)")
            .AcceptsJson<RefundRequest>().ProducesReversalProblems().ChecksPin().RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        counter.MapGet("/shifts/current", GetShiftAsync).WithSummary("The open shift's figures")
            .RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        counter.MapPost("/shifts/current/close", CloseShiftAsync).WithSummary("Close the shift and print the Z report")
            .RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        return app;
    }

    private static JsonOk<StaffView> GetSession(HttpContext http, StaffStore staff) => JsonOk.Of(View(Staff(http), staff), TerminalJsonContext.Readable.StaffView);

    private static async Task<NoContent> SignOutAsync(HttpContext http, StaffStore staff, CancellationToken ct)
    {
        if (SessionToken(http) is { } token)
        {
            await staff.CloseSessionAsync(token, ct).ConfigureAwait(false);
        }

        http.Response.Cookies.Delete(SessionCookie);
        return TypedResults.NoContent();
    }

    private static async Task<Results<JsonOk<IReadOnlyList<PayerMatchView>>, ProblemResult>> FindPayersAsync(string? name, CatalogueStore catalogue, CancellationToken ct)
    {
        if (name is not { Length: >= 2 and <= 64 })
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_search", "Give ?name= with 2 to 64 characters.");
        }

        var found = await catalogue.SearchByNameAsync(name, 10, ct).ConfigureAwait(false);
        return JsonOk.Of<IReadOnlyList<PayerMatchView>>(found.Select(f => new PayerMatchView(f.Code, f.Name, f.Group)).ToList(), TerminalJsonContext.Readable.IReadOnlyListPayerMatchView);
    }

    private static async Task<JsonOk<ShiftClosedDto>> GetShiftAsync(HttpContext http, ShiftStore shifts, CancellationToken ct) =>
        JsonOk.Of((await shifts.OpenAsync(Staff(http).Id, ct).ConfigureAwait(false)).Figures, ContractsJsonContext.Default.ShiftClosedDto);

    // A void or refund: a wrong body (400), a wrong or missing approval (403), a payment that is not there (404), a
    // request key used before for another request (409) or a payment that cannot be reversed (422), a supervisor
    // locked out (423).
    private static RouteHandlerBuilder ProducesReversalProblems(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status423Locked);

    private static async Task<Results<JsonOk<StaffView>, ProblemResult>> SignInAsync(HttpContext http, StaffStore staff, CancellationToken ct)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.SignInRequest, ct).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        // The form of an id and PIN says nothing about who exists; past it, an unknown id answers as a wrong PIN does.
        if (!StaffStore.IsValidId(request.StaffId?.Trim()) || !StaffStore.IsValidPin(request.Pin))
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "invalid_sign_in", "Give staffId (1 to 32 letters, digits, '-' or '_') and a PIN of 4 to 8 digits.");
        }

        var check = await staff.CheckPinAsync(request.StaffId!.Trim(), request.Pin!, ct).ConfigureAwait(false);
        if (PinProblem(check, "staff", "Wrong staff id or PIN") is { } problem)
        {
            return problem;
        }

        // A PIN set before PINs had to be 6 digits opens nothing until it is changed (`staff add` again).
        if (!StaffStore.IsValidStaffPin(request.Pin))
        {
            return ApiProblems.Create(StatusCodes.Status403Forbidden, "pin_change_required", $"A staff PIN is {StaffStore.MinPinLength} to 8 digits now; ask for a new one.", StaffStore.MinPinLength);
        }

        // The cookie lasts the shift at most; the session behind it ends sooner when idle (StaffStore.FindSessionAsync).
        var (token, expires) = await staff.OpenSessionAsync(check.Member!, ct).ConfigureAwait(false);
        http.Response.Cookies.Append(SessionCookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", Expires = expires, IsEssential = true });
        return JsonOk.Of(View(check.Member!, staff) with { ExpiresAt = expires }, TerminalJsonContext.Readable.StaffView);
    }

    private static async Task<Results<JsonOk<ReversalView>, ProblemResult>> VoidAsync(string id, HttpContext http, ReversalStore reversals, StaffStore staff, ReversalSlips slips, CancellationToken ct)
    {
        var (request, problem) = await ReadApprovedAsync(http, staff, TerminalJsonContext.Default.VoidRequest, r => (r.SupervisorId, r.SupervisorPin, r.Reason), ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        return await ReverseAsync(http, request.Body.ClientRequestId, k => ReversalRequest.Of(k, EntryKinds.PaymentVoided, id, 0, null, null),
            key => reversals.VoidAsync(id, request.Approval, ct, key), slips).ConfigureAwait(false);
    }

    private static async Task<Results<JsonOk<ReversalView>, ProblemResult>> RefundAsync(string id, HttpContext http, ReversalStore reversals, StaffStore staff, ReversalSlips slips, CancellationToken ct)
    {
        var (request, problem) = await ReadApprovedAsync(http, staff, TerminalJsonContext.Default.RefundRequest, r => (r.SupervisorId, r.SupervisorPin, r.Reason), ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var body = request.Body;
        return await ReverseAsync(http, body.ClientRequestId, k => ReversalRequest.Of(k, EntryKinds.PaymentRefunded, id, body.Amount ?? 0, body.Destination, body.BankReference),
            key => reversals.RefundAsync(id, body.Amount ?? 0, body.Destination ?? string.Empty, body.BankReference, request.Approval, ct, key), slips).ConfigureAwait(false);
    }

    // A void or refund once approved: taken once per Idempotency-Key (or clientRequestId), and answered with what was
    // committed whatever happens to its slip after (a failure there is a warning, never "not recorded").
    private static async Task<Results<JsonOk<ReversalView>, ProblemResult>> ReverseAsync(
        HttpContext http, string? bodyKey, Func<string, ReversalRequest> keyed, Func<ReversalRequest?, Task<ReversalResult>> reverse, ReversalSlips slips)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header ? header : bodyKey;
        if (key is { Length: 0 or > ReversalRequest.MaxKeyLength })
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", $"An Idempotency-Key (or clientRequestId) is 1 to {ReversalRequest.MaxKeyLength} characters.");
        }

        ReversalResult result;
        try
        {
            result = await reverse(key is null ? null : keyed(key)).ConfigureAwait(false);
        }
        catch (PaymentRefusedException e)
        {
            return ApiProblems.From(e.Refusal);
        }
        catch (IdempotencyKeyReusedException)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, "idempotency_key_reused",
                "This Idempotency-Key (or clientRequestId) was used before with another request; use a new key for a new void or refund.");
        }

        // A replay's slip was queued by the request that wrote the reversal.
        var warning = result.Replayed ? null : await slips.PrintAsync(result).ConfigureAwait(false);
        return JsonOk.Of(new ReversalView(result.Sequence, result.Reversal.PaymentId, (result.StateAfter is { } state ? Core.Domain.PaymentWireNames.WireName(state) : null) ?? string.Empty, result.Reversal.Amount,
            new Vnd(result.Reversal.Amount).ToString(), result.Reversal.Destination, result.Reversal.Supervisor, result.Replayed, warning), TerminalJsonContext.Readable.ReversalView);
    }

    private static async Task<JsonOk<ShiftClosedDto>> CloseShiftAsync(HttpContext http, ShiftStore shifts, CatalogueStore catalogue, PrintQueue queue, SyncSignal sync, IOptions<TerminalOptions> options, CancellationToken ct)
    {
        var cashier = Staff(http);
        var closed = await shifts.CloseAsync(cashier.Id, ct).ConfigureAwait(false);
        sync.Request();

        // The Z report prints from the figures just journalled; a printer problem holds it, the close stands.
        if (await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is { } institution)
        {
            var report = ShiftReportOf(closed.Summary, institution, options.Value, cashier.Name, closing: true);
            await queue.PrintDocumentAsync(PrintJobKinds.Report, null, ReceiptLayouts.Shift(report), TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }

        return JsonOk.Of(closed.Summary.Figures, ContractsJsonContext.Default.ShiftClosedDto);
    }

    /// <summary>The X (<paramref name="closing"/> false) or Z report of a shift, in the terminal's time zone.</summary>
    internal static ShiftReport ShiftReportOf(ShiftSummary summary, Core.Domain.Institution institution, TerminalOptions terminal, string cashier, bool closing)
    {
        var zone = terminal.ResolveTimeZone();
        var shift = summary.Figures;
        return new ShiftReport(
            institution, terminal.Id, shift.Number.ToString(CultureInfo.InvariantCulture), cashier,
            TimeZoneInfo.ConvertTime(summary.OpenedAt, zone), TimeZoneInfo.ConvertTime(summary.At, zone), closing,
            shift.ByMethod.Select(m => new MethodTotal(Core.Domain.PaymentWireNames.TryParseMethod(m.Method, out var method) ? method : default, m.Count, new Vnd(m.Amount))).ToList(),
            (shift.Voids, new Vnd(shift.Voided)), (shift.Refunds, new Vnd(shift.Refunded)), summary.FirstReceipt, summary.LastReceipt, summary.PendingQr,
            (shift.TopUps, new Vnd(shift.ToppedUp)), new Vnd(shift.Net), new Vnd(shift.RefundedByTransfer));
    }

    // Reads the body and checks the approving supervisor's PIN (wrong PINs count towards their lockout).
    private static async Task<(Approved<T> Request, ProblemResult? Problem)> ReadApprovedAsync<T>(
        HttpContext http, StaffStore staff, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, Func<T, (string? Supervisor, string? Pin, string? Reason)> approval, CancellationToken ct)
        where T : class
    {
        var (body, error) = await JsonBody.TryReadAsync(http.Request.Body, typeInfo, ct).ConfigureAwait(false);
        if (body is null)
        {
            return (default!, ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error));
        }

        var (supervisorId, pin, reason) = approval(body);
        if (!StaffStore.IsValidId(supervisorId?.Trim()) || !StaffStore.IsValidPin(pin) || string.IsNullOrWhiteSpace(reason))
        {
            return (default!, ApiProblems.Create(StatusCodes.Status400BadRequest, "approval_required", "Give a reason, and the approving supervisor's id and PIN."));
        }

        var cashier = Staff(http);
        if (string.Equals(supervisorId!.Trim(), cashier.Id, StringComparison.OrdinalIgnoreCase))
        {
            return (default!, ApiProblems.Create(StatusCodes.Status403Forbidden, "self_approval", "Someone other than the cashier must approve."));
        }

        var check = await staff.CheckPinAsync(supervisorId!.Trim(), pin!, ct).ConfigureAwait(false);
        // A wrong approval is 403 (this request may not do it), not 401: the cashier's own session is fine.
        if (PinProblem(check, "supervisor", "Wrong supervisor id or PIN", StatusCodes.Status403Forbidden) is { } problem)
        {
            return (default!, problem);
        }

        if (!StaffStore.IsValidStaffPin(pin))
        {
            return (default!, ApiProblems.Create(StatusCodes.Status403Forbidden, "pin_change_required", $"A staff PIN is {StaffStore.MinPinLength} to 8 digits now; ask for a new one.", StaffStore.MinPinLength));
        }

        if (check.Member!.Role != StaffRole.Supervisor)
        {
            return (default!, ApiProblems.Create(StatusCodes.Status403Forbidden, "not_a_supervisor", "The approver must be a supervisor."));
        }

        return (new Approved<T>(body, new ReversalApproval(cashier.Id, check.Member.Id, reason.Trim())), null);
    }

    // whose: "staff" (signing in) or "supervisor" (approving), the catalogue's terminal.problem.wrong_pin.<whose>.
    private static ProblemResult? PinProblem(PinCheck check, string whose, string english, int wrongStatus = StatusCodes.Status401Unauthorized) => check switch
    {
        { Ok: true } => null,
        { LockedUntil: { } until } => ApiProblems.Create(StatusCodes.Status423Locked, "locked", $"Too many wrong PINs: locked until {until:O}.",
            StaffStore.MaxFailures, until.ToOffset(TimeSpan.FromHours(7)).ToString("HH:mm", CultureInfo.InvariantCulture)),
        _ => ApiProblems.Variant(wrongStatus, "wrong_pin", whose, $"{english}; {check.RemainingTries} tries left.", check.RemainingTries),
    };

    /// <summary>Who is signed in on this request, or null (the kiosk).</summary>
    public static Task<StaffMember?> SignedInAsync(HttpContext http) => StaffAccess.SignedInAsync(http);

    private static StaffMember Staff(HttpContext http) => StaffAccess.Staff(http);

    private static StaffView View(StaffMember member, StaffStore staff) => new(member.Id, member.Name, StaffStore.RoleName(member.Role), null, (int)staff.IdleTimeout.TotalSeconds);

    /// <summary>The request's session token: the session cookie (the pages), or a Bearer header (a program).</summary>
    internal static string? SessionToken(HttpContext http) =>
        http.Request.Cookies.TryGetValue(SessionCookie, out var cookie) ? cookie
        : http.Request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim()
        : null;

    private sealed record Approved<T>(T Body, ReversalApproval Approval);
}
