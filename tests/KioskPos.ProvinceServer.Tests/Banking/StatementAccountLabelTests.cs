using System.Globalization;
using System.Text;
using KioskPos.ProvinceServer.Banking;

namespace KioskPos.ProvinceServer.Tests.Banking;

/// <summary>
/// Where a statement says whose account it is. Public readers of Vietnamese banks' exports show two title rows our
/// reader misread: BIDV prints the account's former number on a line of its own ("Số tài khoản cũ"), which a reader
/// taking the nearest labelled line took for the statement's account and refused the file as another account's; MB
/// titles it "Tài khoản/Account No:", which no default label began.
/// </summary>
public sealed class StatementAccountLabelTests
{
    private const string Account = "1023456789";

    [Fact]
    public void A_former_account_number_printed_below_the_account_is_not_the_statements_account()
    {
        var csv = new StringBuilder()
            .AppendLine("SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT")
            .AppendLine(CultureInfo.InvariantCulture, $"Số tài khoản / Account number:,,{Account}")
            .AppendLine("Số tài khoản cũ / Old account number:,,120100001234")
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendLine("05/12/2026,FT001,,150000,KP ABC123 HOC PHI")
            .ToString();

        var (read, problem, account) = StatementReader.Read(StatementReader.FromCsv(csv), StatementLayouts.Load(null), "vietcombank", Account, delimited: true);

        Assert.Null(problem);
        Assert.Null(account);
        Assert.Equal(Account, read!.Account);
        Assert.Equal(150_000, Assert.Single(read.Lines).Amount);
    }

    [Fact]
    public void An_account_titled_Tai_khoan_Account_No_is_found_by_a_layout_without_labels_of_its_own()
    {
        var layout = StatementLayouts.Load(null).Single(l => l.Id == "vietcombank") with { Id = "province-mb", AccountNumber = null };
        var csv = new StringBuilder()
            .AppendLine("SAO KÊ TÀI KHOẢN")
            .AppendLine(CultureInfo.InvariantCulture, $"Tài khoản/Account No: {Account}")
            .AppendLine("Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả")
            .AppendLine("05/12/2026,FT002,,250000,KP DEF456 HOC PHI")
            .ToString();

        var (read, problem, account) = StatementReader.Read(StatementReader.FromCsv(csv), [layout], "province-mb", Account, delimited: true);

        Assert.Null(problem);
        Assert.Null(account);
        Assert.Equal(250_000, Assert.Single(read!.Lines).Amount);

        // Another account's statement under the same title is still refused as another account's.
        var (_, _, other) = StatementReader.Read(StatementReader.FromCsv(csv.Replace(Account, "9876543210", StringComparison.Ordinal)), [layout], "province-mb", Account, delimited: true);
        Assert.NotNull(other);
    }
}
