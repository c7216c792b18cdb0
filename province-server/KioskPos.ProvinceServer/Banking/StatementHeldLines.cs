using System.Globalization;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Banking;

/// <summary>
/// <c>POST /api/v1/admin/bank/connections/{id}/statement/held/{heldId}/credit</c> and <c>…/dismiss</c>: a person settles
/// a line the statement import held as a possible duplicate (<see cref="BankLedger.ImportStatementAsync"/>), listed with
/// its <c>heldId</c> by <c>…/statement/gaps</c>. For the same people as the import (an administrator, or an accountant
/// of the connection's institution; another's connection is answered as unknown); the body
/// <c>{"reason": "…"}</c> says why, required, one line of at most <see cref="BankLedger.MaxHeldLineReason"/> characters.
/// Credited, the line goes the way of an imported line; dismissed, nothing is credited; once either way
/// (<see cref="BankLedger.SettleHeldLineAsync"/>).
/// </summary>
internal static class StatementHeldLines
{
    // A reason and the JSON around it; a larger body is no request of this endpoint.
    private const int MaxBodyBytes = 4 * 1024;

    public static Task<Results<JsonOk<HeldLineDecision>, ProblemResult>> CreditHeldLineAsync(string id, string heldId, HttpContext http, BankConnections connections, BankLedger ledger) =>
        SettleAsync(id, heldId, credit: true, http, connections, ledger);

    public static Task<Results<JsonOk<HeldLineDecision>, ProblemResult>> DismissHeldLineAsync(string id, string heldId, HttpContext http, BankConnections connections, BankLedger ledger) =>
        SettleAsync(id, heldId, credit: false, http, connections, ledger);

    private static async Task<Results<JsonOk<HeldLineDecision>, ProblemResult>> SettleAsync(string id, string heldId, bool credit, HttpContext http,
        BankConnections connections, BankLedger ledger)
    {
        var ct = http.RequestAborted;
        BoundedBody.Limit(http, MaxBodyBytes);
        var (connection, user) = await StatementImport.ConnectionOfCallerAsync(id, http, connections).ConfigureAwait(false);
        if (connection is null || user is null)
        {
            BoundedBody.CloseAfterAnswer(http);
            return StatementImport.UnknownConnection(id);
        }

        if (!long.TryParse(heldId, NumberStyles.None, CultureInfo.InvariantCulture, out var held) || held <= 0)
        {
            BoundedBody.CloseAfterAnswer(http);
            return UnknownLine(heldId);
        }

        var body = await BoundedBody.ReadAsync(http.Request, MaxBodyBytes, ct).ConfigureAwait(false);
        if (body.TooLarge)
        {
            BoundedBody.CloseAfterAnswer(http);
            return InvalidReason($"reason: one line of at most {BankLedger.MaxHeldLineReason} characters (the body is over {MaxBodyBytes} bytes)");
        }

        HeldLineRequest? request = null;
        if (body.Bytes!.Length > 0)
        {
            using var stream = new MemoryStream(body.Bytes, writable: false);
            var (read, error) = await JsonBody.TryReadAsync(stream, ProvinceJsonContext.Default.HeldLineRequest, ct).ConfigureAwait(false);
            if (read is null)
            {
                return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", error, "invalid_field", "body");
            }

            request = read;
        }

        var reason = request?.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            return InvalidReason("reason is required: why the line is " + (credit ? "credited (a second transfer)" : "dismissed (the same transfer)"));
        }

        if (reason.Length > BankLedger.MaxHeldLineReason || !PlainText.IsOneLine(reason))
        {
            return InvalidReason($"reason: one line of at most {BankLedger.MaxHeldLineReason} characters, without control or direction-changing characters");
        }

        var (decision, refusal) = await ledger.SettleHeldLineAsync(connection, held, credit, reason, user.Username, ct).ConfigureAwait(false);
        return refusal switch
        {
            null => JsonOk.Of(decision!, ProvinceJsonContext.Default.HeldLineDecision),
            HeldLineRefusal.NotFound => UnknownLine(heldId),
            _ => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "held_line_decided",
                $"Held line {held} was {decision!.Decision} already by {decision.DecidedBy} ({decision.Reason}).", null, decision.Decision),
        };
    }

    private static ProblemResult InvalidReason(string detail) =>
        ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", detail, "invalid_field", "reason");

    private static ProblemResult UnknownLine(string heldId) =>
        ProvinceProblems.Problem(StatusCodes.Status404NotFound, "unknown_held_line", $"No held statement line '{TextChecks.Excerpt(heldId)}' on this connection.");
}
