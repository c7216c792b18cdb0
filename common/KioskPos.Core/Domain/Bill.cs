using KioskPos.Core.Money;
using KioskPos.Core.Text;

namespace KioskPos.Core.Domain;

/// <summary>What a bill is for; the categories people see on their fees.</summary>
public enum BillCategory
{
    /// <summary>Học phí — tuition.</summary>
    Tuition,

    /// <summary>Bán trú — school meals and day boarding.</summary>
    Boarding,

    /// <summary>Viện phí — hospital fees.</summary>
    HospitalFee,

    /// <summary>Tạm ứng — a deposit paid ahead of treatment.</summary>
    Deposit,

    /// <summary>Anything else the institution collects.</summary>
    Other,
}

/// <summary>Facts about <see cref="BillCategory"/> values.</summary>
public static class BillCategories
{
    /// <summary>The Vietnamese label of the category.</summary>
    public static string VietnameseName(this BillCategory category) => Messages.Vi(category switch
    {
        BillCategory.Tuition => "domain.bill_category.tuition",
        BillCategory.Boarding => "domain.bill_category.boarding",
        BillCategory.HospitalFee => "domain.bill_category.hospital_fee",
        BillCategory.Deposit => "domain.bill_category.deposit",
        _ => "domain.bill_category.other",
    });

    /// <summary>The wire name used in the sync protocol and the databases.</summary>
    public static string WireName(this BillCategory category) => category switch
    {
        BillCategory.Tuition => "hoc_phi",
        BillCategory.Boarding => "ban_tru",
        BillCategory.HospitalFee => "vien_phi",
        BillCategory.Deposit => "tam_ung",
        _ => "khac",
    };

    /// <summary>Reads a wire name; unknown names are <see cref="BillCategory.Other"/>.</summary>
    public static BillCategory FromWireName(string? name) => name switch
    {
        "hoc_phi" => BillCategory.Tuition,
        "ban_tru" => BillCategory.Boarding,
        "vien_phi" => BillCategory.HospitalFee,
        "tam_ung" => BillCategory.Deposit,
        _ => BillCategory.Other,
    };
}

/// <summary>One line of a bill.</summary>
/// <param name="Description">What is charged, as printed.</param>
/// <param name="Quantity">How many units; at least one.</param>
/// <param name="UnitPrice">The price of one unit.</param>
/// <param name="InsuranceCovered">The part health insurance (BHYT) pays; zero for a school's bills.</param>
public sealed record BillLine(string Description, int Quantity, Vnd UnitPrice, Vnd InsuranceCovered = default)
{
    /// <summary>Quantity times unit price, overflow-checked.</summary>
    public Vnd Amount => UnitPrice.Times(Quantity);

    /// <summary>What the payer owes for the line: its amount less the insurance's part.</summary>
    public Vnd PayerPart => Amount > InsuranceCovered ? Amount - InsuranceCovered : Vnd.Zero;
}

/// <summary>A bill owed by a payer, as the province server knows it plus what this terminal took since.</summary>
/// <param name="Id">The province's bill identifier.</param>
/// <param name="AccountCode">The payer the bill is for.</param>
/// <param name="Category">What the bill is for.</param>
/// <param name="Title">The bill's title, e.g. "Học phí tháng 11/2026".</param>
/// <param name="DueDate">When it is due, if set.</param>
/// <param name="Lines">The bill's lines.</param>
/// <param name="Total">The bill's total.</param>
/// <param name="Paid">What has been paid towards it.</param>
public sealed record Bill(
    string Id,
    string AccountCode,
    BillCategory Category,
    string Title,
    DateOnly? DueDate,
    IReadOnlyList<BillLine> Lines,
    Vnd Total,
    Vnd Paid)
{
    /// <summary>What is still owed; never below zero.</summary>
    public Vnd Outstanding => Total > Paid ? Total - Paid : Vnd.Zero;

    /// <summary>True while something is still owed.</summary>
    public bool IsOpen => Outstanding.IsPositive;
}
