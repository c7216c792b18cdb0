namespace KioskPos.Shared.Contracts;

/// <summary>
/// A supervisor at a terminal's counter closes a payer's account (issue 27, "leaving"): the terminal forwards this,
/// signed, to <see cref="SyncProtocol.AccountClosuresPath"/>. The province holds the balance, so only the province
/// closes; the terminal never does it offline.
/// </summary>
/// <param name="AccountCode">The account to close (of the terminal's institution).</param>
/// <param name="Amount">
/// The remainder the supervisor refunded, whole đồng, as the counter showed it: the province closes only when its
/// balance is exactly this, so the bank transfer and the ledger agree to the đồng.
/// </param>
/// <param name="BankReference">The reference of the institution's bank transfer that pays the remainder back.</param>
/// <param name="Reason">Why (the pupil left, the patient was discharged).</param>
/// <param name="SupervisorId">The supervisor signed in at the counter.</param>
/// <param name="SupervisorName">Their name, recorded with the closure.</param>
public sealed record AccountClosureRequestDto(string AccountCode, long Amount, string BankReference, string? Reason, string SupervisorId, string SupervisorName);

/// <summary>An account closed by the province.</summary>
/// <param name="AccountCode">The account.</param>
/// <param name="Refunded">The remainder refunded by bank transfer, whole đồng (0 when nothing was left).</param>
/// <param name="BankReference">The transfer's reference.</param>
/// <param name="CardsClosed">The account's cards, all deny-listed as <c>closed</c>.</param>
/// <param name="ClosedAt">When (ISO 8601, UTC).</param>
/// <param name="ClosedBy">Who, as recorded: the supervisor's name and id, and the terminal.</param>
public sealed record AccountClosureDto(string AccountCode, long Refunded, string BankReference, IReadOnlyList<string> CardsClosed, string ClosedAt, string ClosedBy);
