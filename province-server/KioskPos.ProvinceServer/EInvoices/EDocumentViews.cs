namespace KioskPos.ProvinceServer.EInvoices;

/// <summary>An institution's e-document settings as an administrator sends them.</summary>
/// <param name="DocumentKind">invoice or receipt.</param>
/// <param name="Provider">viettel-sinvoice or sepay.</param>
/// <param name="BaseUrl">The provider's API address (https; http only to this machine, for a local simulator).</param>
/// <param name="TemplateCode">The template (mẫu số), as registered.</param>
/// <param name="Series">The series (ký hiệu), as registered.</param>
/// <param name="SellerTaxCode">The institution's tax code (10 digits, or 10-3 for a branch).</param>
/// <param name="SellerName">The institution's legal name on the document.</param>
/// <param name="Username">The provider account (Viettel: API user; SePay: client_id); omit to keep the stored one, unless the provider or the origin of the address changes.</param>
/// <param name="Secret">Its password or client secret: written, never read back; omit to keep the stored one, unless the provider or the origin of the address changes.</param>
/// <param name="AccountId">SePay's provider_account_id (required for SePay).</param>
public sealed record EDocumentSettingsRequest(
    string? DocumentKind, string? Provider, string? BaseUrl, string? TemplateCode, string? Series, string? SellerTaxCode, string? SellerName,
    string? Username, string? Secret, string? AccountId);

/// <summary>An institution's e-document settings as read back: no credentials, only whether they are set.</summary>
/// <param name="InstitutionId">The institution.</param>
/// <param name="DocumentKind">invoice or receipt.</param>
/// <param name="Provider">The provider.</param>
/// <param name="BaseUrl">The provider's API address.</param>
/// <param name="TemplateCode">The template.</param>
/// <param name="Series">The series.</param>
/// <param name="SellerTaxCode">The seller's tax code.</param>
/// <param name="SellerName">The seller's legal name.</param>
/// <param name="CredentialsSet">True when a user and secret are stored (they are never shown).</param>
/// <param name="AccountIdSet">True when SePay's account id is stored.</param>
/// <param name="UpdatedAt">When they were last changed.</param>
public sealed record EDocumentSettingsView(
    string InstitutionId, string DocumentKind, string Provider, string BaseUrl, string TemplateCode, string Series, string SellerTaxCode, string SellerName,
    bool CredentialsSet, bool AccountIdSet, string UpdatedAt);

/// <summary>A document of the outbox, as the worklist and the day view show it.</summary>
/// <param name="Id">The outbox row (the payment id; payment/terminal/sequence for an adjustment).</param>
/// <param name="PaymentId">The payment.</param>
/// <param name="InstitutionId">The institution.</param>
/// <param name="Purpose">original or adjustment.</param>
/// <param name="Amount">Whole đồng.</param>
/// <param name="Day">The payment's (or reversal's) day in Vietnam.</param>
/// <param name="State">waiting, issued, refused or withdrawn (a payment voided before its document was issued).</param>
/// <param name="StateName">The state for people, Vietnamese first.</param>
/// <param name="Attempts">Calls made to the provider.</param>
/// <param name="NextAttemptAt">When a waiting document is tried again.</param>
/// <param name="Provider">The provider.</param>
/// <param name="DocumentNumber">The number, once issued.</param>
/// <param name="TemplateCode">Its template.</param>
/// <param name="Series">Its series.</param>
/// <param name="LookupCode">The provider's lookup code.</param>
/// <param name="IssuedOn">The day issued.</param>
/// <param name="Reason">Why it is refused (the provider's words) or still waiting.</param>
/// <param name="Adjusts">For an adjustment: the document it adjusts (the original's id, which is the payment's).</param>
/// <param name="AdjustsNumber">For an adjustment: that document's number, once issued.</param>
/// <param name="BuyerTaxCode">A company payer's tax code, when the payer gave one.</param>
/// <param name="BuyerAddress">That buyer's address, when given with the tax code.</param>
public sealed record EDocumentView(
    string Id, string PaymentId, string InstitutionId, string Purpose, long Amount, string Day, string State, string StateName, long Attempts,
    string? NextAttemptAt, string? Provider, string? DocumentNumber, string? TemplateCode, string? Series, string? LookupCode, string? IssuedOn, string? Reason,
    string? Adjusts = null, string? AdjustsNumber = null, string? BuyerTaxCode = null, string? BuyerAddress = null);

/// <summary>An institution's documents of one day, with counts per state: the office's view beside the reconciliation.</summary>
/// <param name="InstitutionId">The institution.</param>
/// <param name="Day">The day (yyyy-MM-dd, Vietnam).</param>
/// <param name="Issued">Documents issued.</param>
/// <param name="Waiting">Documents waiting for the provider.</param>
/// <param name="Refused">Documents refused (see their reasons).</param>
/// <param name="IssuedAmount">What the issued originals state, less the issued adjustments.</param>
/// <param name="Documents">Every document of the day.</param>
/// <param name="InstitutionName">The institution's name.</param>
public sealed record EDocumentDayView(string InstitutionId, string Day, int Issued, int Waiting, int Refused, long IssuedAmount, IReadOnlyList<EDocumentView> Documents, string? InstitutionName = null);

/// <summary>A payment's document on its receipt lookup page.</summary>
/// <param name="Purpose">original or adjustment.</param>
/// <param name="Kind">invoice or receipt.</param>
/// <param name="KindName">What it is called, in Vietnamese.</param>
/// <param name="State">waiting, issued, refused, withdrawn.</param>
/// <param name="StateName">The state for people.</param>
/// <param name="Amount">Whole đồng.</param>
/// <param name="TemplateCode">Template, once issued.</param>
/// <param name="Series">Series, once issued.</param>
/// <param name="Number">Number, once issued.</param>
/// <param name="LookupCode">The provider's lookup code, once issued.</param>
/// <param name="Provider">The provider.</param>
/// <param name="IssuedOn">The day issued.</param>
/// <param name="BuyerTaxCode">The company payer's tax code, when one was given; a person's 12-digit number shows its last four digits only.</param>
/// <param name="AcceptsBuyer">True while a company payer's details can still be put on it: an original not tried yet.</param>
/// <param name="BuyerAddress">A company buyer's address, when given; never a person's (a 12-digit tax code) on this public page.</param>
public sealed record ReceiptEDocument(
    string Purpose, string? Kind, string KindName, string State, string StateName, long Amount, string? TemplateCode, string? Series, string? Number,
    string? LookupCode, string? Provider, string? IssuedOn, string? BuyerTaxCode = null, bool AcceptsBuyer = false, string? BuyerAddress = null);

/// <summary>A company payer's details for its e-document ("Lấy hóa đơn công ty" on the receipt's lookup page).</summary>
/// <param name="TaxCode">The buyer's tax code (mã số thuế): 10 digits, 10-3 for a branch, or a person's 12-digit personal identification number (Circular 86/2024/TT-BTC).</param>
/// <param name="Name">The buyer's name as registered.</param>
/// <param name="Address">The buyer's address, optional: one line of at most 255 characters (Decree 123/2020 art. 10 puts it beside the tax code).</param>
public sealed record ReceiptBuyerRequest(string? TaxCode, string? Name, string? Address = null);
