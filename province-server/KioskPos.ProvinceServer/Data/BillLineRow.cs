namespace KioskPos.ProvinceServer.Data;

/// <summary>
/// A row of <c>bill_lines</c> joined to its bill, as both the payer's view (<see cref="PayerData"/>) and a terminal's
/// pull (<see cref="TerminalSync"/>) read it: what the line is for, and its money in whole đồng.
/// </summary>
internal sealed record BillLineRow
{
    public required string BillId { get; init; }

    public required string Description { get; init; }

    public long Quantity { get; init; }

    public long UnitPrice { get; init; }

    public long Amount { get; init; }

    public long InsuranceCovered { get; init; }
}
