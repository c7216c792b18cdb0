namespace KioskPos.Core.Domain;

/// <summary>A school or health facility that takes payments at its terminals.</summary>
/// <param name="Id">The province's identifier of the institution.</param>
/// <param name="Name">The name printed on receipts, in Vietnamese.</param>
/// <param name="Type">The plan's type of the institution.</param>
/// <param name="District">The district (huyện/thành phố) the institution is in.</param>
/// <param name="Account">Where it receives VietQR transfers; null while it takes none.</param>
public sealed record Institution(string Id, string Name, InstitutionType Type, string District, ReceivingAccount? Account = null);

/// <summary>An institution's receiving bank account, from the province server's configuration.</summary>
/// <param name="BankBin">The bank's six-digit BIN.</param>
/// <param name="AccountNumber">The account number.</param>
/// <param name="AccountName">The holder's name as the bank has it (ASCII).</param>
/// <param name="BankName">The bank's short name for screens, e.g. Vietcombank.</param>
public sealed record ReceivingAccount(string BankBin, string AccountNumber, string AccountName, string? BankName);
