using System.Text.Json;
using System.Text.Json.Serialization;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer;

/// <summary>
/// Source-generated JSON for the province server's own (non-protocol) answers and requests. Numbers are read only as
/// JSON numbers (the web defaults would take <c>"5"</c> for 5): a limit or a count sent as text is a malformed body.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<LedgerPayment>))]
[JsonSerializable(typeof(LedgerAccount))]
[JsonSerializable(typeof(PayerExport))]
[JsonSerializable(typeof(PayerErasure))]
[JsonSerializable(typeof(IReadOnlyList<InstitutionSummary>))]
[JsonSerializable(typeof(IReadOnlyList<TerminalSummary>))]
[JsonSerializable(typeof(IReadOnlyList<UpdateChannel>))]
[JsonSerializable(typeof(UpdateChannelRequest))]
[JsonSerializable(typeof(TerminalChannelRequest))]
[JsonSerializable(typeof(EnrolmentCodeRequest))]
[JsonSerializable(typeof(EnrolmentCode))]
[JsonSerializable(typeof(ReceivingAccountRequest))]
[JsonSerializable(typeof(CardPinRequest))]
[JsonSerializable(typeof(PlanReportView))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Geography.Plan))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Geography.PlanList))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Geography.MoveRequest))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Geography.PlaceHistory))]
[JsonSerializable(typeof(ImportResult))]
[JsonSerializable(typeof(BillImportRequest))]
[JsonSerializable(typeof(InstitutionRequest))]
[JsonSerializable(typeof(FacilityCodeRequest))]
[JsonSerializable(typeof(IReadOnlyList<BankTransferRow>))]
[JsonSerializable(typeof(Banking.BankConnectionView))]
[JsonSerializable(typeof(IReadOnlyList<Banking.BankConnectionView>))]
[JsonSerializable(typeof(Banking.BankConnectionRequest))]
[JsonSerializable(typeof(Banking.StatementLayoutFile))]
[JsonSerializable(typeof(StatementImportResult))]
[JsonSerializable(typeof(Banking.StatementRefusal))]
[JsonSerializable(typeof(IReadOnlyList<StatementGapRow>))]
[JsonSerializable(typeof(HeldLineRequest))]
[JsonSerializable(typeof(HeldLineDecision))]
[JsonSerializable(typeof(Banking.StatementChoices))]
[JsonSerializable(typeof(Banking.SuccessAnswer))]
[JsonSerializable(typeof(IReadOnlyList<BankDeliveryRow>))]
[JsonSerializable(typeof(IReadOnlyList<RefusedDeliveryRow>))]
[JsonSerializable(typeof(IReadOnlyList<ProvinceUserRow>))]
[JsonSerializable(typeof(IReadOnlyList<AlertRow>))]
[JsonSerializable(typeof(ProvinceUserRequest))]
[JsonSerializable(typeof(ReconciliationView))]
[JsonSerializable(typeof(ResolveRequest))]
[JsonSerializable(typeof(IReadOnlyList<QrPaymentRow>))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Apis.SessionInfo))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Apis.ReceiptView))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Apis.PayLinkView))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Apis.StatementView))]
[JsonSerializable(typeof(KioskPos.ProvinceServer.Apis.RevokedCodes))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, KioskPos.ProvinceServer.Apis.CatalogueText>))]
[JsonSerializable(typeof(CloseAccountRequest))]
[JsonSerializable(typeof(AccountClosedView))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class ProvinceJsonContext : JsonSerializerContext;

/// <summary>An administrator's request for a one-time enrolment code.</summary>
/// <param name="InstitutionId">The institution the terminal will serve.</param>
/// <param name="TerminalId">The terminal's id (new, or an existing one being re-installed).</param>
/// <param name="Name">A name people recognise, e.g. "Quầy thu viện phí số 1".</param>
/// <param name="ValidMinutes">How long the code can be used.</param>
public sealed record EnrolmentCodeRequest(string InstitutionId, string TerminalId, string? Name = null, int ValidMinutes = 60);

/// <summary>A one-time enrolment code, shown once.</summary>
/// <param name="Code">The code to type into the terminal.</param>
/// <param name="TerminalId">The terminal it enrols.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record EnrolmentCode(string Code, string TerminalId, DateTimeOffset ExpiresAt);

/// <summary>A person who signs in to the province server, as the administrator creates or changes them.</summary>
/// <param name="FullName">The name shown on pages.</param>
/// <param name="Role"><c>province_admin</c> or <c>accountant</c>.</param>
/// <param name="InstitutionId">The accountant's institution; none for an administrator.</param>
/// <param name="Password">10 to 128 characters; stored only as a salted hash.</param>
public sealed record ProvinceUserRequest(string? FullName, string? Role, string? InstitutionId, string? Password);

/// <summary>An institution of the registry.</summary>
/// <param name="Name">Its name as people know it.</param>
/// <param name="Type">One of the plans' types (primary, lower_secondary, …, commune_health_station).</param>
/// <param name="District">Its district before 1 July 2025, where it had one (a 2022 plan's unit).</param>
/// <param name="Commune">Its commune or ward (xã, phường, đặc khu) of today.</param>
/// <param name="Province">Its province of today.</param>
/// <param name="OldProvince">Its province before 1 July 2025, where it differs.</param>
/// <param name="FacilityCode">A hospital's facility code of the Ministry of Health (MA_CSKCB, 5 digits), which its XML
/// imports are checked against; left out (or null) it stays as it is, empty clears it.</param>
public sealed record InstitutionRequest(string? Name, string? Type, string? District, string? Commune, string? Province = null, string? OldProvince = null, string? FacilityCode = null);

/// <summary>A hospital's facility code, set on its own (the overview page's form).</summary>
/// <param name="FacilityCode">The Ministry of Health's code (MA_CSKCB, 5 digits), or null or empty to clear it.</param>
public sealed record FacilityCodeRequest(string? FacilityCode);

/// <summary>What the administrator found and did about a worklist item.</summary>
/// <param name="Note">1 to 500 characters.</param>
public sealed record ResolveRequest(string? Note);

/// <summary>A card holder's new PIN, set at the office.</summary>
/// <param name="Pin">4 to 8 digits.</param>
public sealed record CardPinRequest(string Pin);

/// <summary>An institution's receiving account for VietQR transfers.</summary>
/// <param name="BankBin">The bank's six-digit BIN.</param>
/// <param name="AccountNumber">The account number.</param>
/// <param name="AccountName">The holder's name as the bank has it (folded to ASCII, at most 25).</param>
/// <param name="BankName">The bank's short name for screens; it must name the BIN's bank, and is that bank's short name when left out.</param>
/// <param name="UnlistedBin">True to accept a BIN that is not in the NAPAS list the server ships (a bank NAPAS added since); the bank name is then required.</param>
public sealed record ReceivingAccountRequest(string BankBin, string AccountNumber, string AccountName, string? BankName = null, bool UnlistedBin = false);
