namespace KioskPos.Core.Domain;

/// <summary>A school or health facility that takes payments at its terminals.</summary>
/// <param name="Id">The province's identifier of the institution.</param>
/// <param name="Name">The name printed on receipts, in Vietnamese.</param>
/// <param name="Type">The plan's type of the institution.</param>
/// <param name="District">The district (huyện/thành phố) the institution is in.</param>
public sealed record Institution(string Id, string Name, InstitutionType Type, string District);
