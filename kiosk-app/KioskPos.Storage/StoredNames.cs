using KioskPos.Core.Domain;

// Dapper.AOT generates the row mapping of every Dapper call in this assembly at build time (no reflection).
[module: Dapper.DapperAot]

namespace KioskPos.Storage;

/// <summary>
/// The text the database keeps for the domain's enums, one place per enum: rows are read into records of plain
/// column values and converted here, so no store compares stored strings itself.
/// </summary>
internal static class StoredNames
{
    /// <summary><c>payments.method</c>: the method's wire name.</summary>
    public static string ToStored(this PaymentMethod method) => method.WireName();

    /// <summary>Reads <c>payments.method</c> (an unknown name reads as the default method, as before).</summary>
    public static PaymentMethod ToPaymentMethod(string stored)
    {
        PaymentWireNames.TryParseMethod(stored, out var method);
        return method;
    }

    /// <summary><c>payments.purpose</c>: the purpose's wire name (<c>bills</c>, <c>top_up</c>).</summary>
    public static PaymentPurpose ToPaymentPurpose(string stored) =>
        PaymentWireNames.TryParsePurpose(stored, out var purpose) ? purpose : throw new FormatException($"'{stored}' is not a payment purpose.");

    /// <summary><c>payments.state</c>: the state's wire name.</summary>
    public static string ToStored(this PaymentState state) => state.WireName();

    /// <summary>Reads <c>payments.state</c>.</summary>
    public static PaymentState ToPaymentState(string stored) => Enum.Parse<PaymentState>(stored, ignoreCase: true);

    /// <summary>Reads <c>outbox.state</c> as whether the server has the entry.</summary>
    public static SyncState ToSyncState(string outboxState) => outboxState switch
    {
        "sent" => SyncState.Synced,
        "rejected" => SyncState.Rejected,
        _ => SyncState.Queued,
    };

    /// <summary>Reads <c>accounts.kind</c>.</summary>
    public static PayerKind ToPayerKind(string stored) => stored == "patient" ? PayerKind.Patient : PayerKind.Pupil;

    /// <summary><c>reversals.kind</c>: a void or a refund.</summary>
    public static string ReversalKind(bool voided) => voided ? "void" : "refund";

    /// <summary>Reads <c>reversals.kind</c>: true for a void.</summary>
    public static bool IsVoid(string stored) => stored == "void";

    /// <summary><c>payments.receipt_state</c> after a print attempt.</summary>
    public static string ReceiptOutcome(bool printed) => printed ? "printed" : "failed";

    /// <summary>Reads a stored timestamp (ISO 8601, round-trip).</summary>
    public static DateTimeOffset ToTime(string stored) => DateTimeOffset.Parse(stored, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads a stored timestamp that may be missing.</summary>
    public static DateTimeOffset? ToTimeOrNull(string? stored) => stored is null ? null : ToTime(stored);
}
