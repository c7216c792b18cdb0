using System.Globalization;
using System.Security.Cryptography;
using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Receipts;
using KioskPos.Core.Text;
using KioskPos.Core.VietQr;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// <c>/s/{account}/{yyyy-MM}?t={terminal}&amp;e={expires}&amp;k={signature}</c>, where the QR of a card's statement slip
/// leads (issue 27): a parent sees the account's month, from every terminal of the institution and the bank (see
/// <see cref="AccountStatements"/>), the holder's name masked as on receipts, and the standing transfer code for a
/// top-up from home. The page (<c>wwwroot/statement.html</c>, with the status the check gives) reads
/// <c>/api/v1/statements/{account}/{month}</c> with the same query. The link is the terminal's signature
/// (<see cref="StatementLink"/>) checked with the key the province enrolled: a malformed link is 400; a signature that
/// does not verify, a revoked or unknown terminal, an account of another institution or none are the same 404, without
/// detail; a genuine link past its expiry is 410. Nothing personal beyond what a receipt shows.
/// </summary>
internal static class StatementPage
{
    public static IEndpointRouteBuilder MapStatementPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/s/{account}/{month}", GetPageAsync).ExcludeFromDescription().Public();
        app.MapGet("/api/v1/statements/{account}/{month}", GetStatementAsync).Public().WithTags("Receipts")
            .WithSummary("A card account's statement of a month, by the signed link its statement slip's QR carries")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        return app;
    }

    private static async Task<IResult> GetPageAsync(string account, string month, string? t, string? e, string? k, ProvinceDatabase database, TimeProvider time, CancellationToken ct) =>
        ProvincePages.LinkPage("statement.html", (await CheckAsync(account, month, t, e, k, database, time, ct).ConfigureAwait(false)).Check);

    private static async Task<Results<JsonOk<StatementView>, ProblemResult>> GetStatementAsync(
        string account, string month, string? t, string? e, string? k, ProvinceDatabase database, TimeProvider time, CancellationToken ct)
    {
        var (check, found) = await CheckAsync(account, month, t, e, k, database, time, ct).ConfigureAwait(false);
        switch (check)
        {
            case LinkCheck.Malformed:
                return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_statement_link",
                    "The link is {province}/s/{account}/{yyyy-MM}?t={terminal}&e={unix seconds}&k={86 base64url characters}, as the statement slip's QR carries it.");
            case LinkCheck.NotFound:
                return ProvinceProblems.Problem(StatusCodes.Status404NotFound, "statement_not_found", null);
            case LinkCheck.Expired:
                return ProvinceProblems.Problem(StatusCodes.Status410Gone, "statement_link_expired", "Print a new statement at the kiosk for a new link.");
        }

        var movements = await AccountStatements.MovementsAsync(database, found!.Code, month, AccountStatements.MaxMovements + 1, ct).ConfigureAwait(false);
        var truncated = movements.Count > AccountStatements.MaxMovements;
        var shown = truncated ? movements.Skip(1).ToList() : movements;
        var views = shown.Select(m =>
        {
            var amount = new Vnd(m.Amount);
            return new StatementMovementView(DateTimeOffset.Parse(m.At, CultureInfo.InvariantCulture), m.Kind,
                MovementKinds.Label(m.Kind, amount, Language.Vi), MovementKinds.Label(m.Kind, amount, Language.En), m.Amount,
                amount.IsPositive ? "+" + amount : amount.ToString(), m.Reference, m.Place);
        }).ToList();
        var credits = shown.Where(m => m.Amount > 0).Sum(m => m.Amount);
        var debits = -shown.Where(m => m.Amount < 0).Sum(m => m.Amount);
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(e!, CultureInfo.InvariantCulture));
        return JsonOk.Of(new StatementView(
            found.Code, month, found.InstitutionName, PersonalData.MaskName(found.FullName), found.Kind == "pupil", StandingTransferCode.For(found.Code).Value,
            found.Balance, Vnd.Format(found.Balance), credits, Vnd.Format(credits), debits, Vnd.Format(debits), found.ClosedAt is not null,
            views, truncated, AccountStatements.MaxMovements, expires), ProvinceJsonContext.Default.StatementView);
    }

    private static async Task<(LinkCheck Check, AccountStatements.AccountRow? Account)> CheckAsync(
        string account, string month, string? terminal, string? expires, string? signature, ProvinceDatabase database, TimeProvider time, CancellationToken ct)
    {
        if (!PayerCode.TryNormalise(account, out var code) || code != account || !StatementLink.IsMonth(month) || terminal is not { Length: > 0 and <= 64 } ||
            expires is not { Length: > 0 and <= 12 } || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || signature is not { Length: 86 })
        {
            return (LinkCheck.Malformed, null);
        }

        await using (var connection = await database.OpenAsync(ct).ConfigureAwait(false))
        {
            var key = await connection.ReadFirstAsync<TerminalKeyRow>("SELECT public_key, revoked, institution_id FROM terminals WHERE id = $t", null, ct, ("$t", terminal)).ConfigureAwait(false);
            if (key?.PublicKey is not { } publicKey || key.Revoked != 0 || !Verifies(publicKey, terminal, account, month, unix, signature))
            {
                return (LinkCheck.NotFound, null);
            }

            var found = await AccountStatements.AccountAsync(database, account, ct).ConfigureAwait(false);
            if (found is null || found.InstitutionId != key.InstitutionId)
            {
                return (LinkCheck.NotFound, null);
            }

            // A genuine link: expired when its time has passed, or when it claims to work longer than any link is made to.
            var now = time.GetUtcNow();
            var until = DateTimeOffset.FromUnixTimeSeconds(Math.Min(unix, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
            return until <= now || until - now > StatementLink.MaxValidity ? (LinkCheck.Expired, null) : (LinkCheck.Found, found);
        }
    }

    private static bool Verifies(string publicKey, string terminal, string account, string month, long unix, string signature)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
        return StatementLink.Verify(key, terminal, account, month, unix, signature);
    }

    private sealed record TerminalKeyRow
    {
        public string? PublicKey { get; init; }

        public long Revoked { get; init; }

        public required string InstitutionId { get; init; }
    }
}

/// <summary>A card account's month as its statement page shows it: nothing personal beyond the holder's masked name.</summary>
/// <param name="AccountCode">The account (payer code), as the statement slip prints it.</param>
/// <param name="Month">yyyy-MM, Vietnam's month.</param>
/// <param name="InstitutionName">Whose account it is.</param>
/// <param name="HolderName">The holder's name, masked (N. M. Anh).</param>
/// <param name="IsPupil">A pupil (school) rather than a patient.</param>
/// <param name="StandingCode">The standing transfer code: a transfer from home with it tops the card up.</param>
/// <param name="Balance">The balance now, whole đồng.</param>
/// <param name="BalanceText">The same for people.</param>
/// <param name="Credits">What came in during the month (of the movements shown).</param>
/// <param name="CreditsText">The same for people.</param>
/// <param name="Debits">What went out during the month (of the movements shown), as a positive amount.</param>
/// <param name="DebitsText">The same for people.</param>
/// <param name="Closed">The account is closed (its remainder refunded).</param>
/// <param name="Movements">The month's movements, oldest first.</param>
/// <param name="Truncated">More movements than <paramref name="MaxMovements"/>: only the latest are shown.</param>
/// <param name="MaxMovements">The most a page shows.</param>
/// <param name="ExpiresAt">When the link stops working.</param>
public sealed record StatementView(
    string AccountCode, string Month, string InstitutionName, string HolderName, bool IsPupil, string StandingCode, long Balance, string BalanceText,
    long Credits, string CreditsText, long Debits, string DebitsText, bool Closed, IReadOnlyList<StatementMovementView> Movements, bool Truncated, int MaxMovements,
    DateTimeOffset ExpiresAt);

/// <summary>One movement of a month's statement.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">payment, void, refund, deposit, top_up (at a kiosk), top_up_home (a transfer from home), closure.</param>
/// <param name="LabelVi">The kind for people, Vietnamese.</param>
/// <param name="LabelEn">The kind for people, English.</param>
/// <param name="Amount">Signed đồng: positive credits the balance.</param>
/// <param name="AmountText">The same for people, with its sign.</param>
/// <param name="Reference">The payment (receipt number), or the bank transfer or reference.</param>
/// <param name="Place">The terminal, 'home' (a bank transfer) or 'office' (the closing refund).</param>
public sealed record StatementMovementView(DateTimeOffset At, string Kind, string LabelVi, string LabelEn, long Amount, string AmountText, string Reference, string? Place);
