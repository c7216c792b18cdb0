using KioskPos.Core.Domain;
using KioskPos.Core.Payments;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Core.VietQr;
using KioskPos.Shared.Contracts;
using KioskPos.Storage;
using KioskPos.Sync;
using KioskPos.Terminal.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KioskPos.Terminal.Apis;

/// <summary>The body of <c>POST /api/v1/cards</c>: the account, and the card (or none: the card just tapped on this terminal).</summary>
public sealed record IssueCardRequest(string? AccountCode, string? CardUid);

/// <summary>The body of <c>POST /api/v1/cards/{uid}/replace</c>: the new card (or none: the card just tapped).</summary>
public sealed record ReplaceCardRequest(string? NewCardUid);

/// <summary>A card change done.</summary>
/// <param name="Sequence">Its journal entry.</param>
/// <param name="Action">issued, lost or replaced.</param>
/// <param name="AccountCode">The account the card pays from.</param>
/// <param name="MaskedName">The holder, masked as on receipts.</param>
/// <param name="CardUid">The card issued or lost, or the new card.</param>
/// <param name="ReplacedUid">For a replacement, the old card (refused from now on).</param>
/// <param name="Balance">The account's balance this terminal may spend, in đồng: the new card carries it.</param>
/// <param name="BalanceText">The same for people.</param>
/// <param name="Message">What was done, for people (Vietnamese first).</param>
public sealed record CardChangeView(long Sequence, string Action, string AccountCode, string MaskedName, string CardUid, string? ReplacedUid, long Balance, string BalanceText, string Message);

/// <summary>One movement of a card's statement.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">payment, void, refund, deposit, or another kind of credit or debit.</param>
/// <param name="Label">The kind for people, Vietnamese / English.</param>
/// <param name="Amount">Signed đồng: positive credits the balance.</param>
/// <param name="AmountText">The same for people, with its sign.</param>
public sealed record StatementMovementView(DateTimeOffset At, string Kind, string Label, long Amount, string AmountText);

/// <summary>A card's statement at this terminal.</summary>
/// <param name="AccountCode">The account.</param>
/// <param name="MaskedName">The holder, masked as on receipts.</param>
/// <param name="MaskedCard">The card, masked.</param>
/// <param name="Balance">The balance this terminal may spend.</param>
/// <param name="BalanceText">The same for people.</param>
/// <param name="Movements">The last movements made at this terminal, oldest first.</param>
/// <param name="Scope">What the list holds and where the rest is, for people.</param>
/// <param name="StandingCode">The account's standing transfer code: a transfer from home with it tops the card up.</param>
/// <param name="LookupUrl">The province's page of the month's statement (signed for this account and month, expiring); null when the terminal is not enrolled.</param>
/// <param name="LookupSvg">The same link as a QR (SVG); null with it.</param>
public sealed record CardStatementView(string AccountCode, string MaskedName, string MaskedCard, long Balance, string BalanceText, IReadOnlyList<StatementMovementView> Movements, string Scope,
    string StandingCode, string? LookupUrl, string? LookupSvg);

/// <summary>What the card endpoints use, given to each handler as one parameter (<c>[AsParameters]</c>, as eShop's APIs take theirs).</summary>
internal sealed class CardServices(
    [FromServices] CatalogueStore catalogue,
    [FromServices] CardStore cards,
    [FromServices] CardPresence presence,
    [FromServices] SyncSignal signal,
    [FromServices] StatementLinkSigner links,
    [FromServices] IOptions<TerminalOptions> options,
    [FromServices] IOptions<SyncOptions> sync,
    [FromServices] TimeProvider time)
{
    public CatalogueStore Catalogue { get; } = catalogue;

    public CardStore Cards { get; } = cards;

    public CardPresence Presence { get; } = presence;

    public SyncSignal Signal { get; } = signal;

    public StatementLinkSigner Links { get; } = links;

    public IOptions<TerminalOptions> Options { get; } = options;

    public IOptions<SyncOptions> Sync { get; } = sync;

    public TimeProvider Time { get; } = time;
}

/// <summary>
/// Cards at the counter (<c>counter.html</c>) and at <c>/tech</c> (<c>tech.html</c>): issue a card to an account by
/// tapping it, report a card lost, replace it. Each change is one journal entry (<see cref="CardStore"/>), refused or
/// taken here at once and pushed like a payment.
/// </summary>
/// <remarks>
/// Least privilege: issuing a card and replacing one both hand an account's balance to a card (the card then pays from
/// it), so a cashier or supervisor only; a technician sees no payment data and moves none. Reporting a card lost
/// moves no money and only stops a card, so technicians may too.
/// </remarks>
internal static class CardApi
{
    public static IEndpointRouteBuilder MapCardApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/cards").WithTags("Cards");
        api.MapPost(string.Empty, IssueAsync).WithSummary("Issue a card (given, or the one just tapped) to an account")
            .AcceptsJson<IssueCardRequest>().Produces<CardChangeView>(StatusCodes.Status201Created).ProducesCardProblems().RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/{uid}/lost", ReportLostAsync).WithSummary("Report a card lost: refused at once here, everywhere once the province has it")
            .ProducesCardProblems().RequireStaff(StaffRole.Cashier, StaffRole.Supervisor, StaffRole.Technician);
        api.MapPost("/{uid}/replace", ReplaceAsync).WithSummary("Replace a card by a new one (given, or the one just tapped), which carries the account and its balance")
            .AcceptsJson<ReplaceCardRequest>().ProducesCardProblems().RequireStaff(StaffRole.Cashier, StaffRole.Supervisor);

        // The statement: the kiosk names the card by its tap's reference (only the card on the reader now), staff by UID.
        api.MapGet("/{card}/statement", GetStatementAsync).WithSummary("A card's last movements at this terminal and its balance")
            .ProducesCardProblems().AllowKioskOrStaff(StaffRole.Cashier, StaffRole.Supervisor);
        api.MapPost("/{card}/statement/print", PrintStatementAsync).WithSummary("Print a card's statement (its last movements here, the balance, the month's link)")
            .ProducesCardProblems().AllowKioskOrStaff(StaffRole.Cashier, StaffRole.Supervisor);
        return app;
    }

    /// <summary>How many movements a statement shows and prints.</summary>
    public const int StatementMovements = 10;

    private static async Task<Results<JsonOk<CardStatementView>, ProblemResult>> GetStatementAsync(string card, HttpContext http, [AsParameters] CardServices services, CancellationToken ct)
    {
        var (statement, problem) = await StatementAsync(http, services, card, ct).ConfigureAwait(false);
        if (statement is null)
        {
            return problem!;
        }

        var movements = statement.Movements.Select(m => new StatementMovementView(m.At, m.Kind,
            MovementKinds.Label(m.Kind, m.Amount, Language.Vi) + " / " + MovementKinds.Label(m.Kind, m.Amount, Language.En), m.Amount.Value,
            m.Amount.IsPositive ? "+" + m.Amount : m.Amount.ToString())).ToList();
        return JsonOk.Of(new CardStatementView(statement.PayerCode, statement.MaskedName, statement.MaskedCard, statement.Balance.Value, statement.Balance.ToString(), movements,
            Messages.Both("kiosk.statementScope"), statement.StandingCode!, statement.LookupUrl, statement.LookupUrl is { } url ? QrImages.Svg(url) : null),
            TerminalJsonContext.Readable.CardStatementView);
    }

    private static async Task<Results<JsonOk<PrintRequestView>, ProblemResult>> PrintStatementAsync(string card, HttpContext http, [AsParameters] CardServices services, PrintQueue queue, CancellationToken ct)
    {
        var (statement, problem) = await StatementAsync(http, services, card, ct).ConfigureAwait(false);
        if (statement is null)
        {
            return problem!;
        }

        var outcome = await queue.PrintDocumentAsync(PrintJobKinds.Slip, null, StatementLayout.Statement(statement), TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        return outcome.Printed
            ? JsonOk.Of(new PrintRequestView(outcome.JobId, "printed", null), TerminalJsonContext.Readable.PrintRequestView)
            : JsonOk.Of(new PrintRequestView(outcome.JobId, "held", outcome.Problem), TerminalJsonContext.Readable.PrintRequestView, StatusCodes.Status202Accepted);
    }

    // The card's statement: anonymous callers (the kiosk) only for the card on the reader now, by its tap's reference.
    private static async Task<(CardStatement? Statement, ProblemResult? Problem)> StatementAsync(HttpContext http, CardServices services, string card, CancellationToken ct)
    {
        var signedIn = await CounterApi.SignedInAsync(http).ConfigureAwait(false) is not null;
        if (CardPresence.IsReference(card))
        {
            card = services.Presence.Resolve(card) ?? string.Empty;
            if (card.Length == 0)
            {
                return (null, ApiProblems.From(PaymentRefusal.CardNotPresented()));
            }
        }
        else if (!signedIn)
        {
            return (null, ApiProblems.From(PaymentRefusal.CardNotPresented()));
        }

        if (!CardUid.TryNormalise(card, out var uid))
        {
            return (null, Invalid("card", "a card UID of 4, 7 or 10 bytes in hex, or a tap's reference"));
        }

        var catalogue = services.Catalogue;
        var (payer, refusal) = await catalogue.LookUpAsync(uid, null, PaymentRefusal.CardNotRecognised(PersonalData.MaskCardUid(uid)), ct).ConfigureAwait(false);
        if (payer is null || await catalogue.GetInstitutionAsync(ct).ConfigureAwait(false) is not { } institution)
        {
            return (null, ApiProblems.From(refusal ?? PaymentRefusal.NotReady()));
        }

        var options = services.Options.Value;
        var zone = options.ResolveTimeZone();
        var movements = await services.Cards.GetMovementsAsync(payer.Code, StatementMovements, ct).ConfigureAwait(false);
        var balance = await catalogue.GetAvailableBalanceAsync(payer.Code, ct).ConfigureAwait(false);
        var now = services.Time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);

        // The month's page at the province, signed with the device key for this account and month (works from a slip printed offline).
        var province = (options.ReceiptLookupUrl ?? services.Sync.Value.BaseUrl).ToString();
        var link = services.Links.Link(province, payer.Code, StatementLink.MonthOf(local), StatementLink.ExpiresFor(local));
        return (new CardStatement(institution, options.Id, local, payer.Code,
            PersonalData.MaskName(payer.FullName), PersonalData.MaskCardUid(uid), balance,
            [.. movements.Select(m => m with { At = TimeZoneInfo.ConvertTime(m.At, zone) })], link, StandingTransferCode.For(payer.Code).Value), null);
    }

    private static RouteHandlerBuilder ProducesCardProblems(this RouteHandlerBuilder endpoint) =>
        endpoint.ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable);

    private static async Task<Results<JsonOk<CardChangeView>, ProblemResult>> IssueAsync(HttpContext http, [AsParameters] CardServices services, CancellationToken ct)
    {
        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.IssueCardRequest, ct).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        if (!PayerCode.TryNormalise(request.AccountCode, out var code))
        {
            return Invalid("accountCode", "a payer code of 3 to 32 letters, digits or '-'");
        }

        if (CardOf(services, request.CardUid) is not { } uid)
        {
            return Invalid("cardUid", "a card UID of 4, 7 or 10 bytes in hex, or a card tapped on this terminal in the last minutes");
        }

        return await ChangeAsync(services, () => services.Cards.IssueAsync(code, uid, StaffAccess.Staff(http).Id, ct), created: true, ct).ConfigureAwait(false);
    }

    private static async Task<Results<JsonOk<CardChangeView>, ProblemResult>> ReportLostAsync(string uid, HttpContext http, [AsParameters] CardServices services, CancellationToken ct)
    {
        if (!CardUid.TryNormalise(uid, out var card))
        {
            return Invalid("uid", "a card UID of 4, 7 or 10 bytes in hex");
        }

        return await ChangeAsync(services, () => services.Cards.ReportLostAsync(card, StaffAccess.Staff(http).Id, ct), created: false, ct).ConfigureAwait(false);
    }

    private static async Task<Results<JsonOk<CardChangeView>, ProblemResult>> ReplaceAsync(string uid, HttpContext http, [AsParameters] CardServices services, CancellationToken ct)
    {
        if (!CardUid.TryNormalise(uid, out var old))
        {
            return Invalid("uid", "a card UID of 4, 7 or 10 bytes in hex");
        }

        var (request, error) = await JsonBody.TryReadAsync(http.Request.Body, TerminalJsonContext.Default.ReplaceCardRequest, ct).ConfigureAwait(false);
        if (request is null)
        {
            return ApiProblems.Create(StatusCodes.Status400BadRequest, "malformed_json", error);
        }

        if (CardOf(services, request.NewCardUid, except: old) is not { } card)
        {
            return Invalid("newCardUid", "a card UID of 4, 7 or 10 bytes in hex, or a new card tapped on this terminal in the last minutes");
        }

        return await ChangeAsync(services, () => services.Cards.ReplaceAsync(old, card, StaffAccess.Staff(http).Id, ct), created: false, ct).ConfigureAwait(false);
    }

    // The card named in the body, or else the one tapped on this terminal within the tap's validity (not the old card).
    private static string? CardOf(CardServices services, string? given, string? except = null)
    {
        if (given is not null)
        {
            return CardUid.TryNormalise(given, out var uid) ? uid : null;
        }

        var validity = services.Options.Value.CardTapValidity;
        return services.Presence.Last is { } tap && tap.Uid != except && services.Time.GetUtcNow() - tap.At <= validity
            ? tap.Uid
            : null;
    }

    private static async Task<Results<JsonOk<CardChangeView>, ProblemResult>> ChangeAsync(CardServices services, Func<Task<CardChangeResult>> change, bool created, CancellationToken ct)
    {
        CardChangeResult result;
        try
        {
            result = await change().ConfigureAwait(false);
        }
        catch (PaymentRefusedException e)
        {
            // An account or card this terminal does not know yet, before its first pull, is "not ready", not "unknown".
            return ApiProblems.From(await services.Catalogue.UnknownAsync(e.Refusal, ct).ConfigureAwait(false));
        }

        services.Signal.Request();
        var catalogue = services.Catalogue;
        var c = result.Change;
        var payer = await catalogue.FindByCodeAsync(c.AccountCode, ct).ConfigureAwait(false);
        var balance = await catalogue.GetAvailableBalanceAsync(c.AccountCode, ct).ConfigureAwait(false);
        var done = c.Action switch
        {
            CardActions.Issued => "card.done.issued",
            CardActions.Lost => "card.done.lost",
            _ => "card.done.replaced",
        };
        var message = Messages.Both(done, PersonalData.MaskCardUid(c.CardUid), balance.ToString());
        var view = new CardChangeView(result.Sequence, c.Action, c.AccountCode, PersonalData.MaskName(payer?.FullName ?? c.AccountCode), c.CardUid, c.ReplacedUid,
            balance.Value, balance.ToString(), message);
        return JsonOk.Of(view, TerminalJsonContext.Readable.CardChangeView, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    // 400 naming the field, its title from the catalogue (card.invalid_field).
    private static ProblemResult Invalid(string field, string expected) =>
        ApiProblems.From(PaymentRefusal.InvalidRequest("card.invalid_field", field, expected));
}
