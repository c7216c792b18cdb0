using System.Security.Cryptography;
using System.Text;

namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>Which legal document an institution issues for what it collects (its registration with the tax authority).</summary>
public enum EDocumentKind
{
    /// <summary>An electronic invoice (hóa đơn điện tử, Decree 123/2020 as amended by Decree 70/2025).</summary>
    Invoice,

    /// <summary>An electronic receipt for fees and charges (biên lai điện tử).</summary>
    Receipt,
}

/// <summary>Why a document is issued.</summary>
public enum EDocumentPurpose
{
    /// <summary>The document of a completed payment.</summary>
    Original,

    /// <summary>
    /// A decreasing adjustment of an issued document, for a void (the whole amount) or a refund (the part given back):
    /// the original stays valid and the two together state what was kept (Decree 123/2020 art. 19 as amended by
    /// Decree 70/2025; the replacing document is for wrong buyer or item details, which a void or refund is not).
    /// </summary>
    Adjustment,
}

/// <summary>The seller: the institution as registered.</summary>
/// <param name="TaxCode">Its tax code (mã số thuế), 10 digits or 10-3.</param>
/// <param name="Name">Its legal name.</param>
public sealed record EDocumentSeller(string TaxCode, string Name);

/// <summary>The buyer as far as the payer gave it: a person's name, or a company's tax code; the pupil or patient code.</summary>
/// <param name="Name">The payer's name (the pupil's or patient's, as the province holds it).</param>
/// <param name="Code">The pupil or patient code.</param>
/// <param name="TaxCode">A company payer's tax code, when one was given (10, 10-3, or a person's 12 digits).</param>
/// <param name="Address">That buyer's address, one line, when one was given with the tax code (Decree 123/2020 art. 10).</param>
public sealed record EDocumentBuyer(string? Name, string Code, string? TaxCode = null, string? Address = null);

/// <summary>A line: only what the payer pays (the insurance's part of a hospital bill is not sold to the payer).</summary>
/// <param name="Title">What it is for.</param>
/// <param name="Amount">Whole đồng.</param>
public sealed record EDocumentLine(string Title, long Amount);

/// <summary>The document an adjustment adjusts, as the provider issued it.</summary>
/// <param name="Number">Its number.</param>
/// <param name="TemplateCode">Its template (mẫu số).</param>
/// <param name="Series">Its series (ký hiệu).</param>
/// <param name="IssuedOn">The day it was issued (yyyy-MM-dd).</param>
public sealed record EDocumentReference(string Number, string TemplateCode, string Series, string IssuedOn);

/// <summary>
/// The provider-neutral document: what every adapter turns into its provider's request. Amounts are whole đồng;
/// fees and charges carry no VAT here (tuition and medical services are outside VAT or exempt), so the total is the
/// sum of the lines.
/// </summary>
/// <param name="Id">The outbox row: the payment id, or payment/terminal/sequence for an adjustment.</param>
/// <param name="IdempotencyKey">The key the provider deduplicates on, the same on every retry (<see cref="KeyOf"/>).</param>
/// <param name="Kind">Invoice or receipt.</param>
/// <param name="Purpose">Original or adjustment.</param>
/// <param name="TemplateCode">The institution's template (mẫu số).</param>
/// <param name="Series">The institution's series (ký hiệu).</param>
/// <param name="Seller">The institution.</param>
/// <param name="Buyer">The payer.</param>
/// <param name="Lines">What was paid (or given back, for an adjustment).</param>
/// <param name="Total">The sum of the lines.</param>
/// <param name="AmountInWords">The total in Vietnamese words.</param>
/// <param name="PaymentMethod">The payment's method (wire name: card_balance, vietqr, external_card).</param>
/// <param name="PaymentId">The payment's id, printed on the receipt.</param>
/// <param name="IssuedAt">When it is issued (the provider's clock decides the legal date; this is what is sent).</param>
/// <param name="Adjusts">For an adjustment: the original document.</param>
public sealed record EDocument(
    string Id, string IdempotencyKey, EDocumentKind Kind, EDocumentPurpose Purpose, string TemplateCode, string Series,
    EDocumentSeller Seller, EDocumentBuyer Buyer, IReadOnlyList<EDocumentLine> Lines, long Total, string AmountInWords,
    string PaymentMethod, string PaymentId, DateTimeOffset IssuedAt, EDocumentReference? Adjusts = null)
{
    /// <summary>
    /// The idempotency key of an outbox row: a UUID (RFC 9562 version 8, name-based on SHA-256) of the row's id, so
    /// every retry of the same document, from any replica and after any restart, sends the same key.
    /// </summary>
    public static string KeyOf(string id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("kioskpos-edocument:" + id));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return Convert.ToHexStringLower(hash.AsSpan(0, 16)) is var h
            ? $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..32]}"
            : string.Empty;
    }
}

/// <summary>What a provider answered.</summary>
public abstract record IssueOutcome
{
    private IssueOutcome()
    {
    }

    /// <summary>Issued (now, or found issued by an earlier attempt whose answer was lost).</summary>
    /// <param name="Number">The document's number.</param>
    /// <param name="LookupCode">The provider's lookup code (Viettel: reservationCode; SePay: the reference code).</param>
    /// <param name="IssuedOn">The day issued (yyyy-MM-dd).</param>
    public sealed record Issued(string Number, string LookupCode, string IssuedOn) : IssueOutcome;

    /// <summary>The provider refused the document: retrying the same document would be refused again.</summary>
    /// <param name="Reason">The provider's code and words.</param>
    public sealed record Refused(string Reason) : IssueOutcome;

    /// <summary>Not now: the provider is down, slow, or still processing; try again later with the same key.</summary>
    /// <param name="Reason">What happened.</param>
    public sealed record Later(string Reason) : IssueOutcome;

    /// <summary>
    /// Accepted by a provider that issues asynchronously (SePay): the provider is making the document under
    /// <paramref name="Tracking"/>. The row keeps it, and later attempts poll it instead of creating again: until the
    /// job is done the document is not found under its idempotency key, so a second create would be a duplicate.
    /// </summary>
    /// <param name="Tracking">The provider's tracking code of the job.</param>
    /// <param name="Reason">What the provider said of the job so far.</param>
    public sealed record Accepted(string Tracking, string Reason) : IssueOutcome;
}

/// <summary>What earlier attempts of a row left for this one.</summary>
/// <param name="Retry">An earlier attempt may have reached the provider: look the key up before issuing again.</param>
/// <param name="Tracking">The tracking code of a create the provider accepted (<see cref="IssueOutcome.Accepted"/>), if any.</param>
public sealed record IssueAttempt(bool Retry, string? Tracking = null);

/// <summary>An institution's account with its provider, read by the issuer only.</summary>
/// <param name="BaseUrl">The provider's API address.</param>
/// <param name="Username">The account (Viettel: the API user; SePay: client_id).</param>
/// <param name="Secret">The password or client secret; never logged, never returned.</param>
/// <param name="AccountId">SePay's provider_account_id; unused by Viettel.</param>
public sealed record ProviderAccount(Uri BaseUrl, string Username, string Secret, string? AccountId)
{
    /// <inheritdoc/>
    public override string ToString() => $"{BaseUrl} as {Username}"; // never the secret
}

/// <summary>One provider's API turned into <see cref="EDocument"/> in, <see cref="IssueOutcome"/> out.</summary>
public interface IEDocumentProvider
{
    /// <summary>The provider's name in settings (<c>viettel-sinvoice</c>, <c>sepay</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Issues <paramref name="document"/>, or finds it issued, knowing what earlier attempts left
    /// (<see cref="IssueAttempt"/>): when <see cref="IssueAttempt.Retry"/> is true an earlier attempt may have reached
    /// the provider, and the adapter looks the key up before issuing again; a provider that issues asynchronously
    /// (SePay) polls the job of <see cref="IssueAttempt.Tracking"/> instead of creating again. A provider that answers
    /// at once (Viettel) never answers <see cref="IssueOutcome.Accepted"/> and has no tracking code to use.
    /// </summary>
    Task<IssueOutcome> IssueAsync(EDocument document, ProviderAccount account, IssueAttempt attempt, CancellationToken cancellationToken);
}
