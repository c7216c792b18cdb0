using System.Globalization;
using System.Net;
using KioskPos.Core.Text;
using KioskPos.ProvinceServer.Apis;
using KioskPos.ProvinceServer.Data;
using KioskPos.Shared.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>
/// The e-documents' endpoints: an institution's settings (administrator; the credentials are written, never read
/// back), the worklist (issued, waiting, refused with the provider's reason) with a retry for a refused document, and
/// an institution's documents of a day for the office (administrator, or that institution's accountant), as JSON
/// and as the page <c>/e-documents</c>.
/// </summary>
internal static class EDocumentApi
{
    private const int MaxSettingsBody = 8 * 1024;

    public static IEndpointRouteBuilder MapEDocuments(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").RequireProvinceRoles(ProvinceRoles.Admin)
            .WithTags("E-documents").ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        admin.MapPut("/institutions/{id}/e-documents", PutSettingsAsync).WithSummary("Set an institution's e-document (invoice or receipt), provider and credentials")
            .AcceptsJson<EDocumentSettingsRequest>().ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge);
        admin.MapGet("/institutions/{id}/e-documents", GetSettingsAsync).WithSummary("An institution's e-document settings, without credentials")
            .ProducesProblems(StatusCodes.Status404NotFound);
        admin.MapGet("/e-documents", GetEDocumentWorklistAsync).WithSummary("The e-document worklist: issued, waiting, refused with the provider's reason")
            .ProducesProblems(StatusCodes.Status400BadRequest);
        admin.MapPost("/e-documents/retry", RetryAsync).WithSummary("Queue a refused e-document again (after its settings were put right)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);

        app.MapGet("/api/v1/e-documents/day", GetDayAsync).RequireProvinceRoles(ProvinceRoles.Admin, ProvinceRoles.Accountant)
            .WithTags("E-documents").WithSummary("An institution's e-documents of a day, with their states")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        app.MapGet("/e-documents", GetPage).RequireProvincePage(ProvinceRoles.Admin, ProvinceRoles.Accountant).ExcludeFromDescription();
        return app;
    }

    private static IResult GetPage() => ProvincePages.Page("e-documents.html", StatusCodes.Status200OK);

    private static async Task<Results<NoContent, ProblemResult>> PutSettingsAsync(string id, HttpContext http, EDocumentStore store, TimeProvider time)
    {
        BoundedBody.Limit(http, MaxSettingsBody);
        var body = await BoundedBody.ReadAsync(http.Request, MaxSettingsBody, http.RequestAborted).ConfigureAwait(false);
        if (body.TooLarge)
        {
            BoundedBody.CloseAfterAnswer(http);
            return ProvinceProblems.Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"At most {MaxSettingsBody} bytes.", "too_large.edocument_settings");
        }

        var (request, error) = await JsonBody.TryReadAsync(new MemoryStream(body.Bytes!), EDocumentJsonContext.Default.EDocumentSettingsRequest, http.RequestAborted).ConfigureAwait(false);
        var existing = await store.SettingsAsync(id, http.RequestAborted).ConfigureAwait(false);
        if ((request is null ? error : Validate(request, existing)) is { } problem)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_edocument_settings", problem);
        }

        var row = new EDocumentSettingsRow
        {
            InstitutionId = id,
            DocumentKind = request!.DocumentKind!,
            Provider = request.Provider!,
            BaseUrl = request.BaseUrl!.TrimEnd('/'),
            TemplateCode = request.TemplateCode!.Trim(),
            Series = request.Series!.Trim(),
            SellerTaxCode = request.SellerTaxCode!,
            SellerName = request.SellerName!.Trim(),
            Username = request.Username ?? existing!.Username, // Validate kept them only for the same provider and origin
            Secret = request.Secret ?? existing!.Secret,
            AccountId = request.AccountId ?? existing?.AccountId,
            UpdatedAt = EDocumentStore.Stamp(time.GetUtcNow()),
        };
        return await store.SaveSettingsAsync(row, http.RequestAborted).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "institution_not_found", null, args: [id]);
    }

    /// <summary>The first thing wrong with <paramref name="request"/>, naming the field; null when it is good.</summary>
    internal static string? Validate(EDocumentSettingsRequest request, EDocumentSettingsRow? existing) =>
        request.DocumentKind is not ("invoice" or "receipt") ? "documentKind is invoice or receipt"
        : request.Provider is not (ViettelSInvoiceProvider.ProviderName or SePayEInvoiceProvider.ProviderName) ? $"provider is {ViettelSInvoiceProvider.ProviderName} or {SePayEInvoiceProvider.ProviderName}"
        : BaseUrlProblem(request.BaseUrl) is { } url ? url
        : request.TemplateCode is not { Length: > 0 and <= 20 } t || t.Any(char.IsControl) ? "templateCode is required (at most 20 characters, e.g. 1/001 or 1C26TYY)"
        : request.Series is not { Length: > 0 and <= 10 } s || !s.All(char.IsAsciiLetterOrDigit) ? "series is required: up to 10 letters and digits (e.g. C26TAA)"
        : request.SellerTaxCode is not { } tax || !IsTaxCode(tax) ? "sellerTaxCode is 10 digits, or 10 digits '-' 3 digits for a branch"
        : request.SellerName is not { Length: > 0 and <= 400 } n || string.IsNullOrWhiteSpace(n) ? "sellerName is required (at most 400)"
        : request.Username is { Length: 0 or > 200 } ? "username is 1 to 200 characters"
        : request.Secret is { Length: 0 or > 500 } ? "secret is 1 to 500 characters"
        : (request.Username ?? Kept(existing, request)?.Username) is null ? existing is null ? "username is required the first time" : "username is required again when the provider or the origin of baseUrl changes"
        : (request.Secret ?? Kept(existing, request)?.Secret) is null ? existing is null ? "secret is required the first time" : "secret is required again when the provider or the origin of baseUrl changes"
        : request.Provider == SePayEInvoiceProvider.ProviderName && (request.AccountId ?? existing?.AccountId) is not { Length: > 0 and <= 100 } ? "accountId (SePay's provider_account_id) is required for sepay"
        : null;

    /// <summary>
    /// The stored settings whose credentials an omitted username or secret keeps: only while the provider and the origin
    /// (scheme, host, port) of its address stay the same. One provider's password is never sent to another, nor to a
    /// new host, because an administrator left the field empty (the read-back says only that credentials are set).
    /// </summary>
    private static EDocumentSettingsRow? Kept(EDocumentSettingsRow? existing, EDocumentSettingsRequest request) =>
        existing is not null && existing.Provider == request.Provider && Origin(existing.BaseUrl) is { } was && Origin(request.BaseUrl) == was ? existing : null;

    private static string? Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() : null;

    /// <summary>The first thing wrong with a company payer's details, naming the field; null when they are good.</summary>
    internal static string? ValidateBuyer(ReceiptBuyerRequest request) =>
        request.TaxCode is not { } tax || !IsBuyerTaxCode(tax) ? "taxCode is the buyer's tax code: 10 digits, 10 digits '-' 3 digits for a branch, or a person's 12-digit personal identification number"
        : request.Name is not { Length: > 0 and <= 400 } n || string.IsNullOrWhiteSpace(n) || n.Any(char.IsControl) ? "name is the buyer's registered name (1 to 400 characters)"
        : request.Address is { } a && (a.Trim().Length > MaxBuyerAddress || a.Any(char.IsControl)) ? $"address is the buyer's address: one line of at most {MaxBuyerAddress} characters, or omitted"
        : null;

    /// <summary>
    /// The longest buyer's address taken: Viettel's <c>buyerAddressLine</c> holds 255 characters (HIS's model of its
    /// guide); SePay's <c>buyer.address</c> states no limit that was found.
    /// </summary>
    internal const int MaxBuyerAddress = 255;

    /// <summary>The address as recorded: trimmed, and none when empty.</summary>
    internal static string? BuyerAddress(string? address) => string.IsNullOrWhiteSpace(address) ? null : address.Trim();

    /// <summary>An organisation's tax code: 10 digits, or 10 digits '-' 3 digits for a branch (dependent unit).</summary>
    internal static bool IsTaxCode(string tax) =>
        (tax.Length == 10 && tax.All(char.IsAsciiDigit)) || (tax.Length == 14 && tax[10] == '-' && tax[..10].All(char.IsAsciiDigit) && tax[11..].All(char.IsAsciiDigit));

    /// <summary>
    /// A buyer's tax code: an organisation's (<see cref="IsTaxCode"/>), or a person's: since Circular 86/2024/TT-BTC
    /// (in force in 2025) an individual's tax code is their 12-digit personal identification number, the
    /// citizen-ID number. The seller stays an organisation's code.
    /// </summary>
    internal static bool IsBuyerTaxCode(string tax) => IsTaxCode(tax) || IsPersonalNumber(tax);

    /// <summary>A person's 12-digit personal identification number used as their tax code.</summary>
    internal static bool IsPersonalNumber(string tax) => tax.Length == 12 && tax.All(char.IsAsciiDigit);

    /// <summary>
    /// A buyer's tax code as the public receipt page shows it: a company's in full (it is on the public register), a
    /// person's identification number with its last four digits only, as the page masks the payer's name (Law
    /// 91/2025/QH15 on personal data: show no more than the purpose needs; the payer typed it and can recognise it).
    /// </summary>
    internal static string? ShownTaxCode(string? tax) =>
        tax is not null && IsPersonalNumber(tax) ? new string('•', tax.Length - 4) + tax[^4..] : tax;

    // https to a provider; plain http only to this machine (a local simulator), never credentials in clear over a network.
    private static string? BaseUrlProblem(string? url) =>
        !KioskPos.Core.Text.WebAddress.TryParse(url, out var uri) ? "baseUrl is an absolute http(s) address without credentials or query"
        : uri.Scheme == Uri.UriSchemeHttps ? null
        : uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))) ? null
        : "baseUrl must be https (plain http only to this machine, for a simulator)";

    private static async Task<Results<JsonOk<EDocumentSettingsView>, ProblemResult>> GetSettingsAsync(string id, EDocumentStore store, CancellationToken ct) =>
        await store.SettingsAsync(id, ct).ConfigureAwait(false) is { } s
            ? JsonOk.Of(new EDocumentSettingsView(s.InstitutionId, s.DocumentKind, s.Provider, s.BaseUrl, s.TemplateCode, s.Series, s.SellerTaxCode, s.SellerName,
                s.Username.Length > 0 && s.Secret.Length > 0, s.AccountId is { Length: > 0 }, s.UpdatedAt), EDocumentJsonContext.Default.EDocumentSettingsView)
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "edocument_settings_not_found", null, args: [id]);

    private static async Task<Results<JsonOk<IReadOnlyList<EDocumentView>>, ProblemResult>> GetEDocumentWorklistAsync(string? state, string? institution, string? day, int? limit, EDocumentStore store, CancellationToken ct)
    {
        if (state is not (null or "waiting" or "issued" or "refused" or "withdrawn"))
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", "state is waiting, issued, refused or withdrawn");
        }

        if (day is not null && !IsDay(day))
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", "day is yyyy-MM-dd");
        }

        var rows = await store.ListAsync(state, institution, day, limit ?? 200, ct).ConfigureAwait(false);
        return JsonOk.Of<IReadOnlyList<EDocumentView>>(rows.ConvertAll(View), EDocumentJsonContext.Default.IReadOnlyListEDocumentView);
    }

    private static async Task<Results<NoContent, ProblemResult>> RetryAsync(string? id, EDocumentStore store, TimeProvider time, CancellationToken ct)
    {
        if (id is not { Length: > 0 and <= 200 })
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", "id: the refused e-document's id (?id=, 1 to 200 characters) is required", "invalid_field", "id");
        }

        return await store.RequeueAsync(id, EDocumentStore.Stamp(time.GetUtcNow()), ct).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : ProvinceProblems.Problem(StatusCodes.Status404NotFound, "edocument_not_refused", null, args: [id]);
    }

    private static async Task<Results<JsonOk<EDocumentDayView>, ProblemResult>> GetDayAsync(HttpContext http, string? institution, string? date, EDocumentStore store, TimeProvider time)
    {
        var user = (await ProvinceAuth.ResolveAsync(http).ConfigureAwait(false))!;
        var day = date ?? time.GetUtcNow().ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (!IsDay(day))
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", "date is yyyy-MM-dd");
        }

        // As the reconciliation: an accountant naming another institution is refused, not shown their own instead.
        if (!user.IsAdmin && institution is not null && institution != user.InstitutionId)
        {
            return ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "forbidden", "An accountant sees their own institution only.", "forbidden.other_institution");
        }

        var id = user.IsAdmin ? institution : user.InstitutionId;
        if (id is null)
        {
            return ProvinceProblems.Problem(StatusCodes.Status400BadRequest, "invalid_request", "institution is required");
        }

        if (!user.MaySee(id))
        {
            return ProvinceProblems.Problem(StatusCodes.Status403Forbidden, "forbidden", "An accountant sees their own institution only.", "forbidden.other_institution");
        }

        var rows = (await store.ListAsync(null, id, day, 1000, http.RequestAborted).ConfigureAwait(false)).ConvertAll(View);
        var issuedAmount = rows.Where(r => r.State == "issued").Sum(r => r.Purpose == "original" ? r.Amount : -r.Amount);
        return JsonOk.Of(new EDocumentDayView(id, day, rows.Count(r => r.State == "issued"), rows.Count(r => r.State == "waiting"), rows.Count(r => r.State == "refused"), issuedAmount, rows,
            await store.InstitutionNameAsync(id, http.RequestAborted).ConfigureAwait(false)),
            EDocumentJsonContext.Default.EDocumentDayView);
    }

    private static bool IsDay(string day) => DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    internal static EDocumentView View(EDocumentRow r) => new(
        r.Id, r.PaymentId, r.InstitutionId, r.Purpose, r.Amount, r.Day, r.State, StateName(r.State), r.Attempts, r.State == "waiting" ? r.NextAttemptAt : null,
        r.Provider, r.DocumentNumber, r.TemplateCode, r.Series, r.LookupCode, r.IssuedOn, EDocumentIssuer.ShortReason(r.Reason),
        r.Purpose == "adjustment" ? r.PaymentId : null, r.AdjustsNumber, r.BuyerTaxCode, r.BuyerAddress);

    internal static string StateName(string state) => Messages.Both("einvoice.state." + state);

    /// <summary>A payment's documents as its receipt lookup page shows them.</summary>
    internal static IReadOnlyList<ReceiptEDocument> ForReceipt(IEnumerable<EDocumentRow> rows) =>
        [.. rows.Select(r => new ReceiptEDocument(
            r.Purpose, r.DocumentKind, Messages.Vi(r.Purpose == "adjustment" ? "einvoice.kind.adjustment" : r.DocumentKind == "receipt" ? "einvoice.kind.receipt" : r.DocumentKind == "invoice" ? "einvoice.kind.invoice" : "einvoice.kind.unknown"),
            r.State, StateName(r.State), r.Amount,
            r.State == "issued" ? r.TemplateCode : null, r.State == "issued" ? r.Series : null, r.State == "issued" ? r.DocumentNumber : null,
            r.State == "issued" ? r.LookupCode : null, r.Provider, r.IssuedOn, ShownTaxCode(r.BuyerTaxCode),
            r.Purpose == "original" && r.State == "waiting" && r.Attempts == 0,
            r.BuyerTaxCode is { } tax && IsPersonalNumber(tax) ? null : r.BuyerAddress))];
}
