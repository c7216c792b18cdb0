using System.Text.Json;
using System.Text.Json.Serialization;
using KioskPos.ProvinceServer.Data;

namespace KioskPos.ProvinceServer;

/// <summary>Source-generated JSON for the province server's own (non-protocol) answers.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<LedgerPayment>))]
[JsonSerializable(typeof(LedgerAccount))]
[JsonSerializable(typeof(IReadOnlyList<InstitutionSummary>))]
[JsonSerializable(typeof(IReadOnlyList<TerminalSummary>))]
public sealed partial class ProvinceJsonContext : JsonSerializerContext;
