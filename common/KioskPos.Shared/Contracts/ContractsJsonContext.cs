using System.Text.Json;
using System.Text.Json.Serialization;

namespace KioskPos.Shared.Contracts;

/// <summary>
/// Source-generated JSON for the sync protocol (camelCase, no reflection, trimming- and AOT-safe). Nulls are
/// written, and every constructor parameter without a default must be present: a missing field is an error, not
/// a silent null. Numbers are read only as JSON numbers: the administrator's limits (offline policy, top-up limits)
/// and a bank's notification come through public endpoints in these contracts, and <c>"5"</c> is not 5 there.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(PullResponse))]
[JsonSerializable(typeof(PushRequest))]
[JsonSerializable(typeof(PushResponse))]
[JsonSerializable(typeof(JournalEntryDto))]
[JsonSerializable(typeof(ProblemDto))]
[JsonSerializable(typeof(PushEntryResult))]
[JsonSerializable(typeof(EnrolRequest))]
[JsonSerializable(typeof(EnrolResponse))]
[JsonSerializable(typeof(AuthoriseRequest))]
[JsonSerializable(typeof(AuthoriseResponse))]
[JsonSerializable(typeof(PaymentRequestDto))]
[JsonSerializable(typeof(PaymentRequestAnswer))]
[JsonSerializable(typeof(OfflinePolicyDto))]
[JsonSerializable(typeof(TopUpLimitsDto))]
[JsonSerializable(typeof(ConfirmationsResponse))]
[JsonSerializable(typeof(BankNotification))]
[JsonSerializable(typeof(BankNotificationResult))]
[JsonSerializable(typeof(ConfirmationDto))]
[JsonSerializable(typeof(TerminalReportDto))]
[JsonSerializable(typeof(UpgradeTargetDto))]
[JsonSerializable(typeof(UpgradeResultDto))]
[JsonSerializable(typeof(AccountClosureRequestDto))]
[JsonSerializable(typeof(AccountClosureDto))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
