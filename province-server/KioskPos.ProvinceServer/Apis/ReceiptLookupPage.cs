using KioskPos.Core.Domain;
using KioskPos.Core.Money;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Data;
using KioskPos.ProvinceServer.EInvoices;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.Apis;

/// <summary>
/// <c>/r/{receipt}?h={token}</c>, where a receipt's QR leads: a parent or an auditor checks that the receipt is one
/// the province holds. The token (12 hex digits of the payment's journal hash) is printed only on the receipt, so a
/// receipt number alone opens nothing; an unknown receipt and a wrong token get the same answer. The payer's name
/// is masked. The page (<c>wwwroot/receipt.html</c>, with the status the lookup gives: 200, 404 or 400) reads
/// <c>/api/v1/receipts/{receipt}?h={token}</c>. The token is also the receipt's printed lookup key (upper case in
/// groups of four, <c>ABCD-EF01-2345</c>), so a payer who types it in finds the same page; the page shows the
/// payment's legal e-document (issue 22) once the institution's provider has issued it, and its adjustment after a
/// void or refund.
/// </summary>
internal static class ReceiptLookupPage
{
    public static IEndpointRouteBuilder MapReceiptLookupPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/r/{receipt}", GetPageAsync).ExcludeFromDescription().Public();
        app.MapGet("/r", () => ProvincePages.Page("receipt-lookup.html")).ExcludeFromDescription().Public(); // where the printed address leads: type the number and key
        app.MapGet("/api/v1/receipts/{receipt}", GetReceiptAsync).Public().WithTags("Receipts").WithSummary("Check a receipt by the token its QR carries")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        app.MapPost("/api/v1/receipts/{receipt}/buyer", PostBuyerAsync).Public().WithTags("Receipts")
            .WithSummary("A company payer gives its tax code, name and (optionally) address for the payment's e-document, before it is issued (with the receipt's key)")
            .AcceptsJson<ReceiptBuyerRequest>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private const int MaxBuyerBody = 2 * 1024;

    // "Lấy hóa đơn công ty": the key printed on the receipt opens it, as for reading it; the tax code is checked for
    // its form here and by the provider against the tax authority's register when the document is issued.
    private static async Task<Results<NoContent, ProblemResult>> PostBuyerAsync(string receipt, string? h, HttpContext http, AdminQueries queries, EDocumentStore documents, TimeProvider time)
    {
        BoundedBody.Limit(http, MaxBuyerBody);
        var body = await BoundedBody.ReadAsync(http.Request, MaxBuyerBody, http.RequestAborted).ConfigureAwait(false);
        if (body.TooLarge)
        {
            BoundedBody.CloseAfterAnswer(http);
            return ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {MaxBuyerBody} bytes.", "too_large.buyer");
        }

        var (request, error) = await JsonBody.TryReadAsync(new MemoryStream(body.Bytes!), EDocumentJsonContext.Default.ReceiptBuyerRequest, http.RequestAborted).ConfigureAwait(false);
        if ((request is null ? error : EDocumentApi.ValidateBuyer(request)) is { } problem)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_buyer", problem);
        }

        var (check, found) = await LookUpAsync(receipt, h, queries, http.RequestAborted).ConfigureAwait(false);
        switch (check)
        {
            case LinkCheck.Malformed:
                return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_lookup", "h is the 12 hex digits printed in the receipt's QR (or its lookup key, in groups of four)");
            case LinkCheck.NotFound:
                return ProvinceProblems.Problem(StatusCodes.Status404NotFound, "receipt_not_found", "No such receipt, or the token does not match it (or it has not reached the province yet).");
        }

        var state = await documents.SetBuyerAsync(found!.PaymentId, request!.TaxCode!, request.Name!.Trim(), EDocumentApi.BuyerAddress(request.Address), EDocumentStore.Stamp(time.GetUtcNow()), http.RequestAborted).ConfigureAwait(false);
        return state switch
        {
            "recorded" => TypedResults.NoContent(),
            null => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "edocument_not_owed", "No document is owed for the payment: it is not completed (yet), or it only put money on the account (a top-up or a deposit, documented when spent)."),
            "in_progress" => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "edocument_in_progress", "An attempt to issue the document has been made, and the provider may hold it as first sent: a company can only be put on it by a replacing document from the institution."),
            _ => ProvinceProblems.Problem(StatusCodes.Status409Conflict, "edocument_already_issued", "The document is already issued (or not owed): ask the institution for a replacing document."),
        };
    }

    private static async Task<IResult> GetPageAsync(string receipt, string? h, AdminQueries queries, CancellationToken ct) =>
        ProvincePages.LinkPage("receipt.html", (await LookUpAsync(receipt, h, queries, ct).ConfigureAwait(false)).Check);

    private static async Task<Results<JsonOk<ReceiptView>, ProblemResult>> GetReceiptAsync(string receipt, string? h, AdminQueries queries, EDocumentStore documents, CancellationToken ct) =>
        await LookUpAsync(receipt, h, queries, ct).ConfigureAwait(false) switch
        {
            (LinkCheck.Malformed, _) => ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_lookup", "h is the 12 hex digits printed in the receipt's QR (or its lookup key, in groups of four)"),
            (_, null) => ProvinceProblems.Problem(StatusCodes.Status404NotFound, "receipt_not_found", "No such receipt, or the token does not match it (or it has not reached the province yet)."),
            (_, { } found) => JsonOk.Of(View(found, EDocumentApi.ForReceipt(await documents.OfPaymentAsync(found.PaymentId, ct).ConfigureAwait(false))), ProvinceJsonContext.Default.ReceiptView),
        };

    private static async Task<(LinkCheck Check, ReceiptLookup? Found)> LookUpAsync(string receipt, string? h, AdminQueries queries, CancellationToken ct)
    {
        if (ReceiptNumber(receipt) is not { } number || Token(h) is not { } token)
        {
            return (LinkCheck.Malformed, null);
        }

        var found = await queries.ReceiptAsync(number, token, ct).ConfigureAwait(false);
        return (found is null ? LinkCheck.NotFound : LinkCheck.Found, found);
    }

    /// <summary>
    /// The token of <paramref name="h"/>: 12 hex digits, from the QR (lower case) or the printed key as a person types
    /// it (any case, its groups of four joined by '-' or spaces, or not at all). Only the separators go: the 12 digits
    /// are still all compared.
    /// </summary>
    internal static string? Token(string? h)
    {
        if (h is not { Length: >= 12 and <= 24 })
        {
            return null;
        }

        var token = string.Concat(h.Where(c => c != '-' && !char.IsWhiteSpace(c))).ToLowerInvariant();
        return token.Length == 12 && token.All(char.IsAsciiHexDigitLower) ? token : null;
    }

    /// <summary>
    /// The receipt number as the province stores it, from what a person typed: a payment's id is its terminal's id
    /// (upper-case letters and digits, AdminApi) and its sequence, so spaces go and letters are upper-cased.
    /// </summary>
    internal static string? ReceiptNumber(string receipt)
    {
        var number = string.Concat(receipt.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        return number.Length is > 0 and <= 64 ? number : null;
    }

    private static ReceiptView View(ReceiptLookup found, IReadOnlyList<ReceiptEDocument> documents) => new(
        found.PaymentId, found.TerminalId, found.InstitutionName, found.Method,
        PaymentWireNames.TryParseMethod(found.Method, out var method) ? method.VietnameseName() : found.Method,
        found.Amount, VietnameseWords.Dong(found.Amount), found.Received, found.State, found.CreatedAt,
        found.PayerName is { } name ? PersonalData.MaskName(name) : null, found.Group, found.IsPupil, found.TransferCode,
        [.. found.Items.Select(i => new ReceiptViewItem(i.Title, i.Amount))], documents);
}

/// <summary>A receipt as its lookup page shows it.</summary>
/// <param name="PaymentId">The receipt (payment) number.</param>
/// <param name="TerminalId">The terminal that took it.</param>
/// <param name="InstitutionName">Who was paid.</param>
/// <param name="Method">The method's wire name (card_balance, vietqr, external_card).</param>
/// <param name="MethodName">The method for people, in Vietnamese.</param>
/// <param name="Amount">Whole đồng.</param>
/// <param name="AmountInWords">The amount in Vietnamese words, as the receipt prints it.</param>
/// <param name="Received">What the bank confirmed (VietQR).</param>
/// <param name="State">completed, pending or expired.</param>
/// <param name="CreatedAt">When it was paid.</param>
/// <param name="PayerName">The payer's name, masked (N. M. Anh).</param>
/// <param name="Group">The pupil's class or the patient's department.</param>
/// <param name="IsPupil">A pupil (school) rather than a patient.</param>
/// <param name="TransferCode">The VietQR transfer text.</param>
/// <param name="Items">What was paid, line by line.</param>
/// <param name="Documents">The payment's legal e-documents: the original (waiting or issued) and any adjustment.</param>
public sealed record ReceiptView(
    string PaymentId, string TerminalId, string InstitutionName, string Method, string MethodName, long Amount, string AmountInWords, long Received,
    string State, DateTimeOffset CreatedAt, string? PayerName, string? Group, bool IsPupil, string? TransferCode, IReadOnlyList<ReceiptViewItem> Items,
    IReadOnlyList<ReceiptEDocument> Documents);

/// <summary>A line of a receipt.</summary>
/// <param name="Title">What it was for.</param>
/// <param name="Amount">Whole đồng.</param>
public sealed record ReceiptViewItem(string Title, long Amount);
