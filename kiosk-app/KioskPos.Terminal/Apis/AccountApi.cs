using System.Globalization;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>The body of <c>POST /api/v1/accounts/{code}/close</c>.</summary>
/// <param name="Amount">The remainder the supervisor refunded, whole đồng (the counter shows it); the province closes only when it holds exactly this.</param>
/// <param name="BankReference">The reference of the bank transfer that paid the remainder back.</param>
/// <param name="Reason">Why (the pupil left, the patient was discharged).</param>
public sealed record CloseAccountRequest(long? Amount, string? BankReference, string? Reason);

/// <summary>An account closed at the counter.</summary>
/// <param name="AccountCode">The account.</param>
/// <param name="Refunded">The remainder refunded by bank transfer, whole đồng.</param>
/// <param name="RefundedText">The same for people.</param>
/// <param name="BankReference">The transfer's reference.</param>
/// <param name="CardsClosed">The account's cards, refused from now on.</param>
/// <param name="ClosedAt">When, as the province recorded it.</param>
/// <param name="ClosedBy">Who, as the province recorded it (the supervisor's name and id, this terminal).</param>
/// <param name="Message">What was done, for people (Vietnamese first).</param>
/// <param name="Slip">The closing slip (two copies: the payer's to sign, the institution's): printed, or held in the print queue until the printer can.</param>
public sealed record AccountClosedView(string AccountCode, long Refunded, string RefundedText, string BankReference, IReadOnlyList<string> CardsClosed, string ClosedAt, string ClosedBy, string Message,
    PrintRequestView Slip);

/// <summary>
/// A payer leaving, at the counter (issue 27): a supervisor closes the account, its remainder refunded by a bank
/// transfer recorded with its reference and its cards closed. The province holds the balance, so the terminal only
/// forwards the supervisor's request, signed, and never closes an account offline; once closed, it prints the slip
/// the payer signs for the refund.
/// </summary>
internal static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/accounts").WithTags("Counter")
            .MapPost("/{code}/close", CloseAsync).WithSummary("Close an account (a supervisor): the remainder refunded by a recorded bank transfer, its cards closed; needs the province")
            .AcceptsJson<CloseAccountRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable)
            .RequireStaff(StaffRole.Supervisor);
        return app;
    }

    private static async Task<Results<JsonOk<AccountClosedView>, ProblemResult>> CloseAsync(string code, HttpContext http, ProvinceClient province, SyncSignal sync,
        CatalogueStore catalogue, PrintQueue printer, IOptions<TerminalOptions> options, CancellationToken ct)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.CloseAccountRequest, ct).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        if (!PayerCode.TryNormalise(code, out var account))
        {
            return Invalid("code", "a payer code of 3 to 32 letters, digits or '-'");
        }

        if (BankReference.Normalise(request.BankReference) is not { } reference)
        {
            return Invalid("bankReference", "the refund transfer's reference, 4 to 64 characters");
        }

        if (request.Amount is not { } amount || !Vnd.IsWithinBounds(amount))
        {
            return Invalid("amount", "the remainder refunded, whole đồng, as the counter shows it");
        }

        // The reason prints on the closing slip the payer signs and goes to the province: one line, as a refund's.
        if (request.Reason is { } reason && (reason.Trim().Length > ReversalStore.MaxReasonLength || !PlainText.IsOneLine(reason)))
        {
            return Invalid("reason", $"one line of at most {ReversalStore.MaxReasonLength} characters");
        }

        var supervisor = StaffAccess.Staff(http);
        var holder = await catalogue.FindByCodeAsync(account, ct).ConfigureAwait(false); // for the slip, read before the pull drops it
        AccountClosureDto closed;
        try
        {
            closed = await province.CloseAccountAsync(new AccountClosureRequestDto(account, amount, reference, request.Reason?.Trim(), supervisor.Id, supervisor.Name), ct).ConfigureAwait(false);
        }
        catch (SyncTransientException e)
        {
            return Unreachable(e.Message);
        }
        catch (SyncRefusedException e) when (e.Status is StatusCodes.Status400BadRequest or StatusCodes.Status404NotFound or StatusCodes.Status409Conflict or StatusCodes.Status422UnprocessableEntity)
        {
            // The province's own refusal (no such account here, closed already, the balance not the one refunded), its title for people.
            return ApiProblems.Relay(e.Status, e.Problem?.Code ?? "refused", e.Problem?.Title ?? ApiProblems.Title("bad_request"), e.Problem?.Detail);
        }
        catch (SyncRefusedException e)
        {
            // Not enrolled, revoked, an insecure address: for the supervisor, the province cannot do it now.
            return Unreachable(e.Problem?.Detail ?? e.Problem?.Title ?? $"The province server answered {e.Status}.");
        }

        // The cards are refused here from the next pull (at once at the province's authorisation).
        sync.Request();
        var refunded = new Vnd(closed.Refunded);
        var slip = await PrintSlipAsync(closed, request.Reason?.Trim(), holder, supervisor, catalogue, printer, options.Value, ct).ConfigureAwait(false);
        return JsonOk.Of(
            new AccountClosedView(closed.AccountCode, closed.Refunded, refunded.ToString(), closed.BankReference, closed.CardsClosed, closed.ClosedAt, closed.ClosedBy,
                Messages.Both("counter.accountClosed", closed.AccountCode, refunded.ToString(), closed.BankReference, closed.CardsClosed.Count), slip),
            TerminalJsonContext.Readable.AccountClosedView);
    }

    // The closing slip, queued durably: an empty printer holds it until paper is back; the closure stands either way.
    private static async Task<PrintRequestView> PrintSlipAsync(AccountClosureDto closed, string? reason, PayerAccount? holder, StaffMember supervisor,
        CatalogueStore catalogue, PrintQueue printer, TerminalOptions options, CancellationToken ct)
    {
        // Before the terminal's first pull it knows no institution: the slip then goes without its name.
        var institution = await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) ?? new Institution(string.Empty, string.Empty, InstitutionType.Primary, string.Empty);
        var at = DateTimeOffset.TryParse(closed.ClosedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) ? when : DateTimeOffset.UtcNow;
        var slip = new AccountClosureSlip(institution, options.Id, TimeZoneInfo.ConvertTime(at, options.ResolveTimeZone()), closed.AccountCode,
            PersonalData.MaskName(holder?.FullName ?? closed.AccountCode), new Vnd(closed.Refunded), closed.BankReference,
            [.. closed.CardsClosed.Select(PersonalData.MaskCardUid)], string.IsNullOrEmpty(reason) ? null : reason, $"{supervisor.Name} ({supervisor.Id})");
        var outcome = await printer.PrintDocumentAsync(PrintJobKinds.Slip, closed.AccountCode, AccountClosureLayout.Slip(slip), TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
        return new PrintRequestView(outcome.JobId, outcome.Printed ? "printed" : "held", outcome.Problem);
    }

    private static ProblemResult Unreachable(string detail) =>
        ApiProblems.Variant(StatusCodes.Status503ServiceUnavailable, "server_unreachable", "close", $"Closing an account needs the province server, which holds the balance: {detail}");

    private static ProblemResult Invalid(string field, string expected) =>
        ApiProblems.From(Core.Payments.PaymentRefusal.InvalidRequest("card.invalid_field", field, expected));
}
